"""DOCX reader (python-docx): body order, merged cells, positions by paragraph and cell."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.conftest import corpus_file
from tests.readers.helpers import ARITHMETIC, lint, lint_path
from validator.readers import ReadError, read_bytes


def test_blank_2021_template_reports_each_table_unfilled_and_no_sums():
    res = lint_path(str(corpus_file("docx/template_2021_blank.docx")))
    rules = [f.rule for f in res.findings]
    assert sorted(f.table for f in res.findings if f.rule == "F503") == ["表三", "表二", "表四"]
    assert not set(rules) & ARITHMETIC
    assert "F502" not in rules  # blank cells are reported once per table, not per row
    for f in res.findings:
        if f.rule == "F503":
            assert f.location.where.startswith("表格")


def test_horizontally_merged_cells_are_written_once_and_vertical_continuations_not_again():
    src = read_bytes(corpus_file("docx/template_2021_blank.docx").read_bytes(), "t.docx")
    lines = src.text.splitlines()
    assert "| 第二十条第（一）项 |" in lines                       # gridSpan 4: once
    assert "| 三、本年度办理结果 | （一）予以公开 |  |  |  |  |  |  |  |" in lines
    assert "| 2.其他法律行政法规禁止公开 |  |  |  |  |  |  |  |" in lines   # vMerge continue: not again
    assert "| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |" in lines  # 商业<w:br/>企业 joined


def test_paragraphs_and_tables_come_in_body_order_with_paragraph_and_cell_places():
    src = read_bytes(corpus_file("docx/template_2021_blank.docx").read_bytes(), "t.docx")
    t = src.text
    assert t.index("二、主动公开政府信息情况") < t.index("第二十条第（一）项") < t.index("三、收到和处理政府信息公开申请情况")
    i = t.index("一、总体情况")
    assert src.location(i).where == f"第{src.location(i).line}段"
    j = t.index("信息内容")
    assert src.location(j).where == "表格1 第2行 第1格"


def test_docx_built_with_python_docx_is_read_with_its_numbers():
    import docx
    d = docx.Document()
    d.add_paragraph("2023年政府信息公开工作年度报告")
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t = d.add_table(rows=2, cols=15)
    t.cell(0, 0).merge(t.cell(0, 4)).text = "行政复议"
    t.cell(0, 5).merge(t.cell(0, 14)).text = "行政诉讼"
    for k, v in enumerate([1, 0, 0, 0, 2] + [0] * 10):
        t.cell(1, k).text = str(v)
    buf = io.BytesIO()
    d.save(buf)
    res = lint(buf.getvalue(), "r.docx")
    a401 = [f for f in res.findings if f.rule == "A401"]
    assert len(a401) == 1 and a401[0].location.where == "表格1 第2行 第5格"


def test_a_docx_that_is_not_a_zip_is_a_read_error():
    with pytest.raises(ReadError, match="不是有效的 Word 文档"):
        read_bytes(b"this is not a zip file at all" * 10, "fake.docx")


def test_a_zip_without_word_document_is_a_read_error():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/other.xml", "<x/>")
    with pytest.raises(ReadError, match="word/document.xml"):
        read_bytes(buf.getvalue(), "empty.docx")


def test_a_truncated_docx_is_a_read_error():
    data = corpus_file("docx/template_2021_blank.docx").read_bytes()
    with pytest.raises(ReadError):
        read_bytes(data[: len(data) // 2], "cut.docx")
