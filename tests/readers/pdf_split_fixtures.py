"""Make the test PDFs whose 表三 rows are cut by a page break (not run by the suite).

    python tests/readers/pdf_split_fixtures.py [--all]  # needs LibreOffice (soffice) and python-docx

Word, WPS and LibreOffice let a table row run onto the next page: part of a long label
(（二）部分公开（区分处理的，…）, （六）1./2.) and/or some of the values are drawn at the
bottom of one page, the rest at the top of the next.  This script writes the sample report
of tests/readers/renderings.py as a DOCX whose table has ruled cells, narrow label columns
(so the labels wrap over two or three lines and 三、本年度办理结果 is written one character
per line) and rows that may break across pages, puts a varying number of filler lines
before 表三 so that the page break falls inside different rows, converts each with
``soffice --headless --convert-to pdf`` and keeps, for each wanted row, one PDF where the
break cuts that row.  The PDFs are committed to tests/corpus/pdf/, so CI needs no
LibreOffice.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.readers.renderings import _grid, sample_report  # noqa: E402

OUT = Path(__import__("os").environ.get("FIXTURE_OUT", ROOT / "tests" / "readers" / "data" / "split_pdf"))

# (file name, vertical alignment of the cells, text that the page break must cut, where the
#  values of its row must be: "before" the break, or None).  LibreOffice lays the whole
#  first part of a cut row out from the top, whatever the vertical alignment, so a row's
#  values always end up before the break; tests/readers/test_readers_pdf_grid.py covers
#  values after the break with pieces made in the test.
WANTED = [
    ("split_row_t3_partial_top.pdf", "top", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "before"),
    ("split_row_t3_other_center.pdf", "center", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "before"),
    ("split_row_t3_other2_top.pdf", "top", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "before"),
    # the group label written down the table cut between two whole rows
    ("split_group_label_t3.pdf", "bottom", "三、本年度办理结果", None),
    # a header row cut (社会公益 / 组织)
    ("split_header_t3.pdf", "bottom", "社会公益组织", None),
]


def build_docx(rep, filler: int, valign: str) -> bytes:
    import docx
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.6)
    sec.top_margin = sec.bottom_margin = Cm(2.5)
    st = d.styles["Normal"]
    st.font.size = Pt(10.5)
    st.font.name = "Noto Serif CJK SC"
    st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    d.add_paragraph(rep["title"])
    va = {"top": WD_CELL_VERTICAL_ALIGNMENT.TOP, "center": WD_CELL_VERTICAL_ALIGNMENT.CENTER,
          "bottom": WD_CELL_VERTICAL_ALIGNMENT.BOTTOM}[valign]
    for head, blocks in rep["sections"]:
        d.add_paragraph(head)
        if head.startswith("三、"):
            for i in range(filler):
                d.add_paragraph(f"（填充第{i + 1}行）本段文字只用于把表格推到页面底部。")
        for b in blocks:
            if isinstance(b, str):
                d.add_paragraph(b)
                continue
            cells, ncols = _grid(b)
            t = d.add_table(rows=len(b), cols=ncols)
            t.style = d.styles["Table Grid"]
            t.autofit = False
            widths = _widths(ncols)
            for k, col in enumerate(t.columns):
                col.width = widths[k]
            for row in t.rows:
                for k, cell in enumerate(row.cells):
                    cell.width = widths[k]
            for r, col, text, rs, cs in cells:
                a = t.cell(r, col)
                if rs > 1 or cs > 1:
                    a = a.merge(t.cell(r + rs - 1, col + cs - 1))
                if text:
                    a.text = text
                a.vertical_alignment = va
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _widths(ncols: int):
    from docx.shared import Cm
    if ncols == 10:   # 表三: a narrow group column, narrow label columns, seven value columns
        return [Cm(0.9), Cm(2.4), Cm(4.5)] + [Cm(1.15)] * 7
    return [Cm(15.8 / ncols)] * ncols


def _page_texts(pdf_path: Path) -> list[str]:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(pdf_path))
    return ["".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]


def cuts(pdf_path: Path, full: str, values: str | None = None) -> bool:
    """Is the text `full` (a label) cut by a page break: part of it at the end of one page,
    the rest on the next (and the values of its row before or after the break)?"""
    pages = _page_texts(pdf_path)
    for a, b in zip(pages, pages[1:]):
        if full in a or full in b:
            continue
        for n in range(len(full) - 1, 1, -1):
            if full[:n] in a and b.find(full[n:]) >= 0:
                digits_before = any(ch.isdigit() for ch in a[a.rindex(full[:n]) + n:])
                return values is None or (values == "before") == digits_before
    return False


def main() -> None:
    if not shutil.which("soffice"):
        sys.exit("soffice (LibreOffice) is needed to make these fixtures")
    rep = sample_report()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, valign, label, values in WANTED:
            if (OUT / name).exists() and "--all" not in sys.argv:
                continue
            found = None
            for filler in range(0, 60):
                docx_path = tmp / f"{valign}{filler}.docx"
                pdf_path = docx_path.with_suffix(".pdf")
                if not pdf_path.exists():
                    docx_path.write_bytes(build_docx(rep, filler, valign))
                    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp),
                                    str(docx_path)], check=True, capture_output=True)
                if cuts(pdf_path, label, values):
                    found = pdf_path
                    print(f"{name}: filler {filler}, page break inside {label}")
                    break
            if not found:
                sys.exit(f"no filler length puts a page break inside {label}")
            shutil.copy(found, OUT / name)


if __name__ == "__main__":
    main()
