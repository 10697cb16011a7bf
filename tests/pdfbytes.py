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
