"""DOCX tables as grids: gridSpan, vMerge, gridBefore, header rows, content controls,
tables typed without merged cells; core properties as Document.meta."""

from __future__ import annotations

import io
from datetime import datetime

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tests.conftest import corpus_file
from validator.readers import read_bytes


def at(doc, grid):
    return {(c.row, c.col): (doc.cell_text(c), c.rowspan, c.colspan) for c in grid.cells}


def saved(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_blank_2021_template_gives_its_three_tables_with_merged_cells():
    doc = read_bytes(corpus_file("docx/template_2021_blank.docx").read_bytes(), "t.docx")
    t2, t3, t4 = doc.grids()
    assert (t2.n_rows, t2.n_cols, t3.n_rows, t3.n_cols, t4.n_rows, t4.n_cols) == (14, 4, 28, 10, 4, 15)
    g2, g3, g4 = at(doc, t2), at(doc, t3), at(doc, t4)
    assert g2[(0, 0)] == ("第二十条第（一）项", 1, 4)
    assert g2[(5, 1)] == ("本年处理决定数量", 1, 3) and g2[(6, 1)] == ("", 1, 3)
    assert g3[(0, 0)][1:] == (3, 3) and g3[(0, 3)] == ("申请人情况", 1, 7)
    assert g3[(2, 4)] == ("商业企业", 1, 1)
    assert g3[(5, 0)] == ("三、本年度办理结果", 22, 1)
    assert g3[(7, 1)] == ("（三）不予公开", 8, 1) and g3[(7, 2)] == ("1.属于国家秘密", 1, 1)
    assert g3[(23, 1)] == ("（六）其他处理", 3, 1) and g3[(25, 2)] == ("3.其他", 1, 1)
    assert g3[(27, 0)] == ("四、结转下年度继续办理", 1, 3)
    assert all(g3[(r, k)][0] == "" for r in range(3, 28) for k in range(3, 10))   # unfilled
    assert g4[(1, 0)] == ("结果维持", 2, 1) and g4[(1, 5)] == ("未经复议直接起诉", 1, 5)
    # cells are at their table/row/cell place in the document
    c = next(c for c in t3.cells if (c.row, c.col) == (7, 2))
    assert doc.location(c.start).where == "表格2 第8行 第3格"   # the 3rd w:tc of the row


def test_template_core_properties_are_file_meta():
    doc = read_bytes(corpus_file("docx/template_2021_blank.docx").read_bytes(), "t.docx")
    assert set(doc.meta) == {"created", "modified"}
    assert doc.meta["created"][1] is None and len(doc.meta["created"][0]) == 10


def _table3_without_merges(labels_repeated: bool) -> bytes:
    d = docx.Document()
    d.core_properties.created = datetime(2024, 1, 10, 9, 0)
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    rows = [["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"] + ["1", "0", "0", "0", "0", "0", "1"],
            ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开"] + ["0"] * 7]
    if not labels_repeated:
        rows[1][0] = rows[1][1] = ""
    t = d.add_table(rows=2, cols=10)
    for r, row in enumerate(rows):
        for k, v in enumerate(row):
            t.cell(r, k).text = v
    return saved(d)


def test_a_table_typed_without_merged_cells_gives_every_cell_where_it_was_typed():
    for repeated in (True, False):
        doc = read_bytes(_table3_without_merges(repeated), "t.docx")
        (g,) = doc.grids()
        cells = at(doc, g)
        assert (g.n_rows, g.n_cols) == (2, 10) and all(v[1:] == (1, 1) for v in cells.values())
        assert cells[(1, 0)][0] == ("三、本年度办理结果" if repeated else "")
        assert cells[(1, 2)][0] == "2.其他法律行政法规禁止公开" and cells[(0, 9)][0] == "1"
        assert doc.meta["created"] == ("2024-01-10", None)


def test_values_typed_into_content_controls_inside_cells_are_read():
    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "行政许可"
    p = t.cell(0, 1).paragraphs[0]
    p._p.append(parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent><w:r><w:t>517645</w:t></w:r>"
                          "</w:sdtContent></w:sdt>"))
    p._p.append(parse_xml(f"<w:ins {nsdecls('w')} w:id='1' w:author='a'><w:r><w:t>件</w:t></w:r></w:ins>"))
    p._p.append(parse_xml(f"<w:del {nsdecls('w')} w:id='2' w:author='a'><w:r><w:delText>9</w:delText></w:r></w:del>"))
    doc = read_bytes(saved(d), "t.docx")
    (g,) = doc.grids()
    assert at(doc, g)[(0, 1)][0] == "517645件"


def test_grid_before_header_rows_and_a_stray_vertical_continuation():
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).text, t.cell(0, 1).text, t.cell(0, 2).text = "信息内容", "本年制发件数", "现行有效件数"
    t.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    t.cell(1, 1).text, t.cell(1, 2).text = "3", "8"
    t.cell(2, 0).text, t.cell(2, 2).text = "规章", "11"
    # row 2 starts one grid column in (gridBefore) and has two cells
    tr = t.rows[1]._tr
    tr.get_or_add_trPr().append(parse_xml(f"<w:gridBefore {nsdecls('w')} w:val='1'/>"))
    tr.remove(tr.tc_lst[0])
    # row 3: a vMerge continuation with no merged cell above it is an ordinary cell
    t.rows[2]._tr.tc_lst[2].get_or_add_tcPr().append(parse_xml(f"<w:vMerge {nsdecls('w')}/>"))
    doc = read_bytes(saved(d), "t.docx")
    (g,) = doc.grids()
    cells = {(c.row, c.col): (doc.cell_text(c), c.header) for c in g.cells}
    assert cells[(0, 0)] == ("信息内容", True) and cells[(1, 1)] == ("3", False) and cells[(1, 2)] == ("8", False)
    assert (1, 0) not in cells
    assert cells[(2, 2)] == ("11", False) and cells[(2, 0)] == ("规章", False)


def test_python_docx_merges_give_spans():
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(2, 0)).text = "（四）无法提供"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "1.本机关不掌握相关政府信息"
    t.cell(1, 1).text, t.cell(1, 2).text = "2.没有现成信息需要另行制作", "5"
    doc = read_bytes(saved(d), "t.docx")
    (g,) = doc.grids()
    cells = at(doc, g)
    assert cells[(0, 0)] == ("（四）无法提供", 3, 1) and cells[(0, 1)] == ("1.本机关不掌握相关政府信息", 1, 2)
    assert cells[(1, 2)] == ("5", 1, 1)
    assert doc.text.splitlines()[:2] == ["| （四）无法提供 | 1.本机关不掌握相关政府信息 |",
                                         "| 2.没有现成信息需要另行制作 | 5 |"]
