"""PDF reader (PDFium): pages, positions by page, scanned and damaged PDFs, file dates (tables as
grids: test_readers_pdf_grid.py; hostile files: test_readers_pdf_hostile.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.conftest import corpus_file
from tests.readers.helpers import ARITHMETIC, lint, lint_path
from validator.readers import ReadError, read_bytes
from tests.pdfbytes import pdf_from_objects


@pytest.fixture(scope="module")
def hongzequ_2023():
    return lint_path(str(corpus_file("pdf/hongzequ_2023.pdf")))


def test_hongzequ_2023_pdf_gives_both_table4_total_errors_located_on_page_4(hongzequ_2023):
    res = hongzequ_2023
    assert res.source.format == "pdf"
    by_rule = {f.rule: f for f in res.findings if f.rule in ARITHMETIC}
    assert set(by_rule) == {"A401", "A403"}
    a401, a403 = by_rule["A401"], by_rule["A403"]
    assert (a401.numbers["lhs"], a401.numbers["rhs"]) == (Decimal(11), Decimal(0))
    assert (a403.numbers["lhs"], a403.numbers["rhs"]) == (Decimal(5), Decimal(0))
    for f in (a401, a403):
        assert f.location.page == 4
        assert f.location.where.startswith("第4页 表格")
        assert f.table == "表四"


def test_hongzequ_2023_pdf_gives_the_same_table_findings_as_its_pdftotext_rendering(hongzequ_2023):
    text = lint_path(str(corpus_file("reports/009_hongzequ_2023.txt")))

    def what(res):
        return {(f.rule, f.table, f.row, f.column, tuple(sorted(f.numbers.items()))) for f in res.findings if f.table}
    assert what(hongzequ_2023) == what(text)


@pytest.mark.parametrize("rel", ["pdf/hongzequ_2024.pdf", "pdf/huaian_2024.pdf"])
def test_pdfs_whose_sums_hold_have_no_arithmetic_or_unreadable_cell_finding(rel):
    res = lint_path(str(corpus_file(rel)))
    rules = {f.rule for f in res.findings}
    assert not rules & ARITHMETIC
    assert "P002" not in rules
    assert set(res.report.tables) == {"表二", "表三", "表四"}


def test_single_row_other_handling_in_a_2024_pdf_is_a_template_version_problem_not_a_sum_error():
    res = lint_path(str(corpus_file("pdf/hongzequ_2024.pdf")))
    c201 = [f for f in res.findings if f.rule == "C201" and f.table == "表三"]
    assert len(c201) == 1 and "其他处理" in c201[0].message
    assert c201[0].location.page == 4  # where the single row is (表三 starts on page 3)
    assert not [f for f in res.findings if f.rule == "S202"]  # not also dozens of "missing rows"
    assert not [f for f in res.findings if f.category == "arithmetic"]


def test_page_numbers_are_layout_not_text():
    src = read_bytes(corpus_file("pdf/huaian_2024.pdf").read_bytes(), "huaian.pdf")
    assert not [ln for ln in src.text.splitlines() if ln.strip() in {f"- {i} -" for i in range(1, 7)}]


def test_pdf_text_lines_are_located_by_page_and_line_on_the_page():
    src = read_bytes(corpus_file("pdf/hongzequ_2023.pdf").read_bytes(), "h.pdf")
    i = src.text.index("五、存在的主要问题")
    loc = src.location(i, i + 1)
    assert loc.page == 4 and loc.where == f"第4页 第{loc.line}行"
    i = src.text.index("一、总体情况")
    assert src.location(i).page == 1


def test_a_table_continued_on_the_next_page_keeps_its_table_number():
    src = read_bytes(corpus_file("pdf/hongzequ_2023.pdf").read_bytes(), "h.pdf")
    first = src.location(src.text.index("一、本年新收")).where       # 表三 starts on page 3
    later = src.location(src.text.index("（七）总计")).where          # … and ends on page 4
    assert first.startswith("第3页 表格2 ") and later.startswith("第4页 表格2 ")


def _blank_pdf(pages=2) -> bytes:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_pdf_without_text_layer_gives_one_ocr_needed_parse_finding_and_nothing_else():
    res = lint(_blank_pdf(2), "scan.pdf")
    assert [f.rule for f in res.findings] == ["P003"]
    f = res.findings[0]
    assert f.category == "parse" and "OCR" in f.message and f.location.page == 1


@pytest.mark.parametrize("cut", [100, 20000, -2000])
def test_truncated_pdf_is_a_read_error_not_a_traceback(cut):
    data = corpus_file("pdf/hongzequ_2023.pdf").read_bytes()
    with pytest.raises(ReadError) as exc:
        read_bytes(data[:cut], "cut.pdf")
    assert "\n" not in str(exc.value) and "PDF" in str(exc.value)


def test_truncated_pdf_on_the_command_line_exits_2_with_one_line(tmp_path):
    p = tmp_path / "cut.pdf"
    p.write_bytes(corpus_file("pdf/hongzequ_2023.pdf").read_bytes()[:20000])
    out = subprocess.run([sys.executable, "-m", "validator", "check", str(p)], capture_output=True, text=True)
    assert out.returncode == 2
    both = out.stdout + out.stderr
    assert "Traceback" not in both
    assert len([ln for ln in both.splitlines() if "不是有效的 PDF 文件" in ln]) == 1


def _with_scanned_page(data: bytes | None) -> bytes:
    """The PDF (or a new one) with one more page that holds only an image."""
    import PIL.Image
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(data) if data else pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    img = pdfium.PdfImage.new(pdf)
    img.set_bitmap(pdfium.PdfBitmap.from_pil(PIL.Image.new("RGB", (200, 100), (250, 250, 250))))
    img.set_matrix(pdfium.PdfMatrix().scale(400, 200).translate(50, 500))
    page.insert_obj(img)
    page.gen_content()
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_a_scanned_image_only_pdf_gives_only_the_ocr_finding():
    res = lint(_with_scanned_page(None), "scan.pdf")
    assert [f.rule for f in res.findings] == ["P003"]


def test_a_scanned_page_among_text_pages_is_named_and_the_other_pages_are_still_checked():
    data = _with_scanned_page(corpus_file("pdf/hongzequ_2023.pdf").read_bytes())
    res = lint(data, "mixed.pdf")
    p003 = [f for f in res.findings if f.rule == "P003"]
    assert len(p003) == 1 and "第6页" in p003[0].message and p003[0].location.page == 6
    assert {"A401", "A403"} <= {f.rule for f in res.findings}


def _one_page_pdf(content: bytes, flate: bool = True, extra_objs=(), catalog_extra=b"") -> bytes:
    """A one-page PDF whose content stream is `content` (Flate-compressed)."""
    import zlib
    data = zlib.compress(content, 9) if flate else content
    filt = b" /Filter /FlateDecode" if flate else b""
    objs = [b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d%s >>\nstream\n" % (len(data), filt) + data + b"\nendstream", *extra_objs]
    return pdf_from_objects(objs)


def test_a_stream_that_inflates_past_the_file_limit_is_answered_like_a_file_too_large():
    from validator.lint import Options, lint_bytes
    data = _one_page_pdf(b" " * (8 << 20))                 # 8 MB of spaces, ~8 KB compressed
    assert len(data) < 64 << 10
    res = lint_bytes(data, "bomb.pdf", Options(max_bytes=4 << 20))
    assert [f.rule for f in res.findings] == ["P090"]
    assert "解压后" in res.findings[0].message
    # within the limit the same file is read (a blank page)
    assert "P090" not in {f.rule for f in lint_bytes(data, "bomb.pdf", Options(max_bytes=16 << 20)).findings}


def test_the_file_meta_holds_the_pdf_dates_and_title():
    doc = read_bytes(corpus_file("pdf/hongzequ_2023.pdf").read_bytes(), "h.pdf")
    assert doc.meta["created"] == ("2024-02-26", None)
    assert doc.meta["modified"] == ("2024-02-26", None)
    assert doc.meta["title"] == ("洪泽区人民政府2023年政府信息公开工作年度报告", None)


def test_dates_come_from_xmp_when_the_information_dictionary_has_none():
    xmp = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
           ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<xmp:CreateDate>2025-01-20T09:30:00+08:00</xmp:CreateDate><xmp:ModifyDate>2025-01-21T10:00:00+08:00'
           '</xmp:ModifyDate><dc:title><rdf:Alt><rdf:li xml:lang="x-default">某县2024年政府信息公开工作年度报告'
           '</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode("utf-8")
    meta = b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp + b"\nendstream"
    data = _one_page_pdf(b"BT ET", extra_objs=[meta], catalog_extra=b" /Metadata 5 0 R")
    doc = read_bytes(data, "x.pdf")
    assert doc.meta["created"] == ("2025-01-20", None)
    assert doc.meta["modified"] == ("2025-01-21", None)
    assert doc.meta["title"] == ("某县2024年政府信息公开工作年度报告", None)


def test_text_lines_are_paragraph_blocks_without_page_numbers():
    from validator.document import Paragraph
    doc = read_bytes(corpus_file("pdf/huaian_2024.pdf").read_bytes(), "h.pdf")
    paras = [doc.text[b.start:b.end] for b in doc.blocks if isinstance(b, Paragraph)]
    assert "五、存在的主要问题及改进情况" in paras
    assert not [p for p in paras if p.strip("-— ").isdigit()]
    assert all("|" not in p for p in paras)


def _line_item(text, page, top):
    from validator.readers.pdf_pages import Glyph
    gs = [Glyph(ch, 100 + 10 * k, 110 + 10 * k, top, top + 10, page, 10.0) for k, ch in enumerate(text)]
    return ("line", [(g.ch, g) for g in gs], top)


def test_running_headers_and_footers_are_layout_and_body_lines_are_kept():
    from validator.readers.pdf import _Page, _drop_running_lines, _text
    pages = []
    for n in (1, 2, 3):
        items = [_line_item("某县人民政府办公室", n, 40.0),              # the same header on every page
                 _line_item(f"第{n}页 共3页 某县政务公开", n, 800.0),     # a footer with the page number
                 _line_item("（一）主动公开情况。", n, 300.0),             # a body line that repeats
                 _line_item(["一、总体情况", "二、主动公开", "三、依申请公开"][n - 1], n, 60.0)]  # near the top, different
        pages.append(_Page(n, 842.0, 40, False, items))
    # a body line in the margin zone on one page only stays
    pages[0].items.append(_line_item("（填充）本段在页面底部", 1, 790.0))
    _drop_running_lines(pages)
    assert [[_text(p) for _k, p, _t in pg.items] for pg in pages] == [
        ["（一）主动公开情况。", "一、总体情况", "（填充）本段在页面底部"],
        ["（一）主动公开情况。", "二、主动公开"], ["（一）主动公开情况。", "三、依申请公开"]]


def test_the_inflation_scan_ends_on_a_stream_followed_by_bytes_after_its_end():
    import zlib
    from validator.readers import pdf_guard
    blob = zlib.compress(b"BT (x) Tj ET\n" * 1000) + b"\r\n"   # bytes after the end of the zlib data
    data = (b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(blob)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + blob + b"\nendstream\nendobj\n")
    scan = pdf_guard.scan(data)
    assert scan.inflated == 13000 and 1000 <= scan.operators <= 3000
