"""Hand-made PDFs for tests: the file around a list of PDF objects (header, numbered objects,
cross-reference table, trailer), so a test writes only the objects that matter to it."""

from __future__ import annotations


def pdf_from_objects(objs: list[bytes]) -> bytes:
    """A PDF 1.4 file of ``objs`` numbered 1, 2, … (object 1 must be the catalog)."""
    out, offs = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def slow_pdf(pages: int = 60, ops: int = 20000) -> bytes:
    """A small PDF that takes seconds to read: every page draws the same 20,000 glyphs (the
    hostile 1,000,000-operator flood is now refused at once, P090)."""
    import zlib
    content = zlib.compress(b"BT /F1 10 Tf 72 720 Td " + b"(1) Tj " * ops + b"ET")
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
             b" /Resources << /Font << /F1 3 0 R >> >> >>"] * pages
    return pdf_from_objects(objs)
