"""PDF tables as grids: true row/column positions and spans, tables across pages, rows cut
by a page break, and the ruled-cell finder checked against pdfplumber.

The fixtures data/split_pdf/*.pdf were made from tests/readers/renderings.py's sample report by
tests/readers/pdf_split_fixtures.py (python-docx → LibreOffice): Word-style tables whose
rows may break across pages, with filler lines before 表三 so that the page break falls
inside a row (（二）部分公开…, （六）1./2.), inside the group label written down the table
(三、本年度办理结果) and inside a header row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CORPUS, corpus_file
from tests.readers.renderings import _grid, sample_report
from validator.readers import read_bytes, read_path
from validator.readers.pdf_pages import Glyph, PdfFile
from validator.readers.pdf_tables import TCell, Table, join, ruled_cells

DATA = Path(__file__).resolve().parent / "data"
SPLIT = sorted((DATA / "split_pdf").glob("*.pdf"))
PDFS = sorted((CORPUS / "pdf").glob("*.pdf")) + SPLIT
REAL = [("pdf/hongzequ_2023.pdf", "reports/009_hongzequ_2023.txt"),
        ("pdf/hongzequ_2024.pdf", "reports/010_hongzequ_2024.txt"),
        ("pdf/huaian_2024.pdf", "reports/011_huaian_2024.txt")]


def _squeeze(s: str) -> str:
    return "".join(s.split())


def _texts(doc, grid):
    """The grid as a matrix of cell texts (a merged cell's text at each place it covers)."""
    return [[None if c is None else _squeeze(doc.cell_text(c)) for c in row] for row in grid.matrix()]


def _expected(rows):
    """The same matrix for a table of tests/readers/renderings.py."""
    cells, ncols = _grid(rows)
    n = max(r + rs for r, _c, _t, rs, _cs in cells)
    m = [[None] * ncols for _ in range(n)]
    for r, c, t, rs, cs in cells:
        for i in range(r, r + rs):
            for k in range(c, c + cs):
                m[i][k] = _squeeze(t)
    return m


def _grid_with(doc, word):
    return next(g for g in doc.grids() if any(word in doc.cell_text(c) for c in g.cells))


# --------------------------------------------------------------------------------------
# the ruled-cell finder is pdfplumber's table finder
# --------------------------------------------------------------------------------------
class _Page:
    def __init__(self, edges, bbox):
        self.edges = edges
        self.bbox = bbox


def _norm(tables, nd):
    return sorted(sorted(tuple(round(v, nd) for v in c) for c in t) for t in tables)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_ruled_cells_are_those_of_pdfplumbers_table_finder_on_every_page(path):
    pdfplumber = pytest.importorskip("pdfplumber")
    from pdfplumber.table import TableFinder
    pf = PdfFile(path.read_bytes())
    with pdfplumber.open(str(path)) as pl, pf:
        for i in range(len(pf)):
            pd = pf.page(i)
            mine = ruled_cells(pd.edges)
            # the same ruling through pdfplumber's finder: the same cells
            ref = [t.cells for t in TableFinder(_Page(pd.edges, (0, 0, pd.width, pd.height)), {}).tables]
            assert _norm(mine, 3) == _norm(ref, 3), (path.name, i + 1)
            # pdfplumber reading the page itself (pdfminer): the same cells, to the point
            own = [t.cells for t in pl.pages[i].find_tables()]
            assert _norm(mine, 0) == _norm(own, 0), (path.name, i + 1)


# --------------------------------------------------------------------------------------
# the real PDFs against their pdftotext copies
# --------------------------------------------------------------------------------------
def _section(text: str, start: str, end: str) -> str:
    a = text.index(start)
    return text[a:text.index(end, a)]


_SEVEN = re.compile(r"((?:[ \t]+\d+){7})[ \t]*$", re.M)
_FIFTEEN = re.compile(r"^[ \t]*((?:\d+[ \t]+){14}\d+)[ \t]*$", re.M)


def _close_subsequence(word: str, text: str) -> bool:
    start = text.find(word[0])
    while start >= 0:
        i, ok = start, True
        for ch in word[1:]:
            i = text.find(ch, i + 1)
            if i < 0 or i - start > 2 * len(word) + 30:
                ok = False
                break
        if ok:
            return True
        start = text.find(word[0], start + 1)
    return False


@pytest.mark.parametrize("pdf,txt", REAL, ids=[p for p, _t in REAL])
def test_table3_rows_of_a_real_pdf_are_those_of_its_pdftotext_copy(pdf, txt):
    doc = read_path(corpus_file(pdf))
    layout = corpus_file(txt).read_text(encoding="utf-8")
    t3 = _section(layout, "收到和处理政府信息公开申请情况", "政府信息公开行政复议")
    want = [tuple(m.group(1).split()) for m in _SEVEN.finditer(t3)]
    g = _grid_with(doc, "申请人情况")
    m = _texts(doc, g)
    body = [row for row in m if all(v is not None and v.isdigit() for v in row[-7:])]
    assert [tuple(row[-7:]) for row in body] == want
    assert len(want) >= 20
    # each row's own label is in the pdftotext copy, where the layout may put the row's
    # values or the lines of the group label next to it between its lines: its characters
    # in order, close together
    labels = _squeeze(t3)
    for row in body:
        own = [v for v in row[:-7] if v][-1]
        assert _close_subsequence(own, labels), own
    # every place of the grid is covered by a cell
    assert all(c is not None for row in g.matrix() for c in row)


@pytest.mark.parametrize("pdf,txt", REAL, ids=[p for p, _t in REAL])
def test_the_15_cells_of_table4_of_a_real_pdf_are_those_of_its_pdftotext_copy(pdf, txt):
    doc = read_path(corpus_file(pdf))
    layout = corpus_file(txt).read_text(encoding="utf-8")
    t4 = _section(layout, "政府信息公开行政复议", "存在的主要问题")
    want = _FIFTEEN.search(t4).group(1).split()
    g = _grid_with(doc, "行政复议")
    assert g.n_cols == 15
    last = sorted((c for c in g.cells if c.row == g.n_rows - 1), key=lambda c: c.col)
    assert [(c.col, c.colspan) for c in last] == [(k, 1) for k in range(15)]
    assert [doc.cell_text(c) for c in last] == want


def test_group_label_written_down_the_table_is_one_cell_across_the_page_break():
    doc = read_path(corpus_file("pdf/hongzequ_2023.pdf"))
    g = _grid_with(doc, "申请人情况")
    label = next(c for c in g.cells if _squeeze(doc.cell_text(c)) == "三、本年度办理结果")
    first = next(c for c in g.cells if doc.cell_text(c).startswith("（一）予以公开"))
    total = next(c for c in g.cells if doc.cell_text(c).startswith("（七）总计"))
    assert (label.col, label.colspan) == (0, 1)
    assert label.row == first.row and label.row + label.rowspan == total.row + 1
    # 表三 starts on page 3 and ends on page 4: the cell's rows run over the break
    assert doc.location(first.start).page == 3 and doc.location(total.start).page == 4
    # （四）无法提供 spans its three items, two on page 3 and one on page 4
    group4 = next(c for c in g.cells if doc.cell_text(c) == "（四）无法提供")
    items = [c for c in g.cells if c.col == 2 and group4.row <= c.row < group4.row + group4.rowspan]
    assert [doc.cell_text(c)[:2] for c in sorted(items, key=lambda c: c.row)] == ["1.", "2.", "3."]


def test_an_empty_ruled_cell_is_a_cell_with_an_empty_span_at_its_place():
    doc = read_path(corpus_file("pdf/hongzequ_2023.pdf"))
    g = _grid_with(doc, "申请人情况")
    other = next(c for c in g.cells if doc.cell_text(c) == "（六）其他处理")
    row = sorted((c for c in g.cells if c.row == other.row), key=lambda c: c.col)
    empty = [c for c in row if c.start == c.end]
    assert [(c.col, c.colspan) for c in empty] == [(2, 1)]     # the item column of the row
    line_start = doc.text.rfind("\n", 0, other.start) + 1
    assert line_start <= empty[0].start <= doc.text.index("\n", other.start)
    # the pipe text the parser reads keeps today's shape: that empty cell is not written
    line = doc.text[line_start:doc.text.index("\n", other.start)]
    assert line == "| （六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"


def test_cells_point_into_the_pipe_row_of_their_table_row():
    doc = read_path(corpus_file("pdf/huaian_2024.pdf"))
    for g in doc.grids():
        for c in g.cells:
            if c.end > c.start and "\n" not in doc.text[c.start:c.end]:
                line_start = doc.text.rfind("\n", 0, c.start) + 1
                line = doc.text[line_start:doc.text.index("\n", c.start)]
                assert line.startswith("| ") or line == doc.text[c.start:c.end]
                assert g.start <= c.start <= c.end <= g.end
                assert g.origin == "pdf"


# --------------------------------------------------------------------------------------
# tables across pages: the fixtures made with LibreOffice
# --------------------------------------------------------------------------------------
def _source_tables():
    rep = sample_report()
    return [b for _h, blocks in rep["sections"] for b in blocks if not isinstance(b, str)]


@pytest.mark.parametrize("path", SPLIT, ids=lambda p: p.name)
def test_every_table_of_a_pdf_with_page_breaks_inside_rows_is_read_whole(path):
    doc = read_path(path)
    grids = [g for g in doc.grids()]
    assert len(grids) == 3                               # 表二, 表三, 表四: one grid each
    for rows, g in zip(_source_tables(), grids):
        assert _texts(doc, g) == _expected(rows)
        assert not g.loose_rows


@pytest.mark.parametrize("name,label", [
    ("split_row_t3_partial_top.pdf", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("split_row_t3_other_center.pdf", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("split_row_t3_other2_top.pdf", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
])
def test_a_table3_row_cut_by_the_page_break_is_one_row_recorded_as_joined(name, label):
    doc = read_path(DATA / "split_pdf" / name)
    g = _grid_with(doc, "申请人情况")
    cell = next(c for c in g.cells if _squeeze(doc.cell_text(c)) == label)
    (row, where), = g.joined_rows
    assert row == cell.row
    a, b = map(int, re.findall(r"\d+", where))
    assert b == a + 1 and doc.location(cell.start).page == a
    # the row's seven values are in that one row
    values = [c for c in g.cells if c.row == cell.row and c.col >= 3]
    assert [doc.cell_text(c) for c in sorted(values, key=lambda c: c.col)] == ["0"] * 7
    # and the parser's text has the row on one line
    assert f"| {label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in doc.text


def test_the_sample_report_gives_the_same_findings_from_every_split_pdf():
    from validator.lint import lint_path

    def what(res):
        return sorted((f.rule, f.table, f.row, f.column, tuple(sorted(f.numbers.items())))
                      for f in res.findings if f.table)
    results = [what(lint_path(str(p))) for p in SPLIT]
    assert {"A301", "A303", "F502", "A401"} <= {r[0] for r in results[0]}
    assert all(r == results[0] for r in results)


# --------------------------------------------------------------------------------------
# joining pieces (made here: pieces LibreOffice does not produce)
# --------------------------------------------------------------------------------------
SIZE = 10.0


def _cell(text, row, col, page, top, x0, x1, rowspan=1, colspan=1, line_x=None):
    """A cell of width x0..x1 whose text is written from its left side (or line_x)."""
    gs = []
    x = (line_x if line_x is not None else x0 + 2)
    for ch in text:
        g = Glyph(ch, x, x + SIZE, top + 2, top + 2 + SIZE, page, SIZE)
        g.line, g.col = int(top), len(gs) + 1
        gs.append(g)
        x += SIZE
    return TCell(row, col, rowspan, colspan, gs, page, x0, x1)


COLS = [50.0, 180.0, 230.0, 280.0]     # a label column and two value columns


def _part(rows, page, n_rows=None):
    cells = []
    for r, (label, a, b) in enumerate(rows):
        top = 100.0 + 20 * r
        cells.append(_cell(label, r, 0, page, top, COLS[0], COLS[1]))
        cells.append(_cell(a, r, 1, page, top, COLS[1], COLS[2]))
        cells.append(_cell(b, r, 2, page, top, COLS[2], COLS[3]))
    return Table(cells, n_rows or len(rows), [page], 100.0, COLS[0], COLS[-1], col_x=list(COLS))


def _rows(t: Table):
    out = []
    for r in range(t.n_rows):
        out.append([c.text for c in sorted((c for c in t.cells if c.row == r), key=lambda c: c.col)])
    return out


def test_a_cut_row_whose_values_are_after_the_break_is_joined():
    # label "（二）部分公开（区分处理的，" fills its cell (12 glyphs × 10 pt in 130 pt): it wraps on
    a = _part([("一、本年新收申请", "5", "5"), ("（二）部分公开（区分处理的", "", "")], page=3)
    b = _part([("只计这一情形）", "4", "4"), ("（三）不予公开", "1", "1")], page=4)
    t = join(a, b)
    assert _rows(t) == [["一、本年新收申请", "5", "5"], ["（二）部分公开（区分处理的只计这一情形）", "4", "4"],
                        ["（三）不予公开", "1", "1"]]
    assert t.joined_rows == [(1, "第3页/第4页")] and not t.loose_rows


def test_a_row_with_blank_values_before_the_break_is_not_joined_to_the_next_row():
    a = _part([("行政处罚", "", "")], page=3)           # a short label: the text ends there
    b = _part([("行政强制", "195", "195")], page=4)
    t = join(a, b)
    assert _rows(t) == [["行政处罚", "", ""], ["行政强制", "195", "195"]]
    assert not t.joined_rows and not t.loose_rows


def test_a_new_item_after_the_break_is_a_row_of_its_own():
    a = _part([("2.没有现成信息需要另行制作", "", "")], page=3)
    b = _part([("3.补正后申请内容仍不明确", "0", "0")], page=4)
    t = join(a, b)
    assert len(_rows(t)) == 2 and not t.joined_rows


def test_a_piece_that_does_not_line_up_is_kept_as_a_loose_row():
    a = _part([("一、本年新收申请", "5", "5"), ("（二）部分公开（区分处理的", "4", "4")], page=3)
    b_cells = [_cell("只计这一情形）", 0, 0, 4, 100.0, COLS[0], 120.0),       # other column sides
               _cell("", 0, 1, 4, 100.0, 120.0, COLS[3])]
    b = Table(b_cells, 1, [4], 100.0, COLS[0], COLS[-1], col_x=[COLS[0], 120.0, COLS[3]])
    t = join(a, b)
    assert t.n_rows == 3 and t.loose_rows == [(2, "第3页/第4页")]
    assert "只计这一情形）" in [c.text for c in t.cells if c.row == 2]


def test_header_rows_repeated_on_the_next_page_are_not_rows():
    head = ("信息内容", "数量", "金额")
    a = _part([head, ("行政许可", "550", "1")], page=2)
    b = _part([head, ("行政处罚", "4119", "2")], page=3)
    t = join(a, b)
    assert _rows(t) == [list(head), ["行政许可", "550", "1"], ["行政处罚", "4119", "2"]]


def test_a_piece_of_a_cut_row_renders_as_one_pipe_line():
    from validator.readers.pdf import _Writer
    a = _part([("（二）部分公开（区分处理的", "", "")], page=3)
    b = _part([("只计这一情形）", "4", "4")], page=4)
    w = _Writer()
    w.table(join(a, b))
    doc = w.doc.build()
    assert doc.text == "| （二）部分公开（区分处理的只计这一情形） | 4 | 4 |\n"
    g, = doc.grids()
    assert g.joined_rows == [(0, "第3页/第4页")]
    i = doc.text.index("只计")
    assert doc.location(i).page == 4 and doc.location(2).page == 3


def test_an_empty_ruled_table_is_a_grid_of_empty_cells_and_no_text():
    from validator.readers.pdf import _Writer
    t = _part([("", "", ""), ("", "", "")], page=1)
    w = _Writer()
    w.table(t)
    doc = w.doc.build()
    g, = doc.grids()
    assert doc.text == "" and (g.n_rows, g.n_cols) == (2, 3) and all(c.start == c.end for c in g.cells)
