"""PDF reader (pdfplumber): tables, pages, positions by page, scanned and damaged PDFs."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.conftest import corpus_file
from tests.readers.helpers import ARITHMETIC, lint, lint_path
from validator.readers import ReadError, read_bytes


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


def test_single_row_other_handling_in_a_2024_pdf_is_a_missing_2021_row_not_a_sum_error():
    res = lint_path(str(corpus_file("pdf/hongzequ_2024.pdf")))
    s202 = [f for f in res.findings if f.rule == "S202"]
    assert len(s202) == 1 and "（六）其他处理" in s202[0].message
    assert s202[0].location.page == 3


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
