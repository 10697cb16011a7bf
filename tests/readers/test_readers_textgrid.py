"""Grids in plain text and Markdown (validator/readers/textgrid.py): pipe rows, Markdown
tables, one cell per line, tab-separated and space-aligned columns — on the real corpus
files, plus the renderings that government sites produce and the corpus does not have."""

from __future__ import annotations

import pytest

from tests.conftest import corpus_file
from tests.renderings.render import cell_per_line_rows
from validator.document import Grid, Paragraph
from validator.readers import read_bytes
from validator.readers.textgrid import row_period, text_blocks


def grids(doc):
    """Every grid, pieces of cut-up tables included."""
    return list(doc.grids(fragments=True))


def cells(doc, grid):
    """Row lists of cell texts (positions as the grid gives them)."""
    m = {}
    for c in grid.cells:
        m.setdefault(c.row, {})[c.col] = doc.cell_text(c)
    return [[m.get(r, {}).get(k) for k in range(grid.n_cols)] for r in range(grid.n_rows)]


def row_texts(doc, grid, r):
    return [doc.cell_text(c) for c in grid.rows()[r]]


def read_file(rel, name=None):
    p = corpus_file(rel)
    return read_bytes(p.read_bytes(), name or p.name)


def assert_cells_point_at_their_text(doc):
    """Every cell's first character is at its own line:column in the original file."""
    for g in doc.grids():
        for c in g.cells:
            if c.end > c.start:
                loc = doc.location(c.start, c.end)
                line = doc.source.original_line(loc.line)
                assert line[loc.column - 1:].startswith(doc.cell_text(c)[:1]), (loc, doc.cell_text(c))


def assert_blocks_cover_every_line_once(doc):
    spans = sorted((b.start, b.end) for b in doc.blocks)
    for (a1, b1), (a2, _b2) in zip(spans, spans[1:]):
        assert b1 <= a2, "blocks overlap"
    text = doc.text
    covered = [False] * len(text)
    for a, b in spans:
        for i in range(a, b):
            covered[i] = True
    for i, ch in enumerate(text):
        if ch.strip():
            assert covered[i], f"character {i} {text[i:i + 20]!r} is in no block"


# ---------------------------------------------------------------------------------------
# one cell per line (seeds/001)
def test_one_cell_per_line_seed_gives_three_grids_with_rows_decided_by_the_pipe_runs():
    doc = read_file("seeds/001_68b1fad5fb482fc8.txt")
    gs = grids(doc)
    assert [(g.origin, g.n_rows, g.n_cols, g.rows_uncertain) for g in gs] == [
        ("lines", 18, 5, False), ("lines", 26, 10, False), ("lines", 4, 15, False)]
    t2, t3, t4 = gs
    assert row_texts(doc, t2, 3)[:4] == ["规范性文件", "122", "32", "32"]
    assert row_texts(doc, t2, 17) == ["政府集中采购", "210", "45503.48万元"]
    # each row: its own cells in order, then the empty cells that pad it to the table's width
    assert row_texts(doc, t3, 0)[:2] == ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"]
    assert row_texts(doc, t3, 5) == ["三、本年度办理结果", "(一)予以公开", "18"] + [""] * 7
    assert row_texts(doc, t3, 10) == ["4.保护第三方合法权益", "8"] + [""] * 8
    assert row_texts(doc, t3, 25) == ["四、结转下年度继续办理"] + ["0"] * 7   # last row: no padding
    assert row_texts(doc, t4, 3) == ["0", "2", "0", "0", "2", "0", "0", "0", "10", "10", "0", "1", "0", "0", "1"]
    assert_cells_point_at_their_text(doc)
    c18 = t3.rows()[5][2]
    loc = doc.location(c18.start, c18.end)
    assert (loc.line, loc.column) == (88, 1)
    # the text is the file, unchanged; the section headings between the tables are paragraphs
    assert doc.text == corpus_file("seeds/001_68b1fad5fb482fc8.txt").read_text("utf-8")
    paras = [doc.text[b.start:b.end] for b in doc.blocks if isinstance(b, Paragraph)]
    assert "三、收到和处理政府信息公开申请情况" in paras and "四、政府信息公开行政复议、行政诉讼情况" in paras


def _matrix_cell_per_line(matrix):
    """The variant that writes every grid position in place (empty runs as lines of "|") and
    ends each row with one more "|"."""
    return "\n".join(cell_per_line_rows(matrix)) + "\n"


def test_one_cell_per_line_with_empty_runs_inside_rows_is_cut_at_the_constant_row_width():
    m = [["（本列数据的勾稽关系为……）", "", "", "申请人情况", "", "", "", "", "", ""],
         ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
         ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
         ["一、本年新收政府信息公开申请数量", "", "", "5", "0", "0", "", "0", "0", "5"],
         ["三、本年度办理结果", "（一）予以公开", "", "1", "2", "3", "4", "5", "6", "21"],
         ["", "（三）不予公开", "1.属于国家秘密", "1", "2", "3", "4", "5", "6", "21"]]
    text = _matrix_cell_per_line(m)
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    (g,) = grids(doc)
    assert (g.origin, g.rows_uncertain, g.n_rows) == ("lines", False, 6)
    assert [row[:10] for row in cells(doc, g)] == m      # every position in place
    assert all(r[10] == "" for r in cells(doc, g))          # plus the row-end pipe


def test_one_cell_per_line_whose_rows_cannot_be_decided_is_one_row_per_line_and_says_so():
    text = "规章 |\n1 |\n||\n行政规范性文件 |\n8 |\n26 |\n||\n行政许可 |\n5 |\n"   # rows of 4 and 5 cells
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    (g,) = grids(doc)
    assert g.rows_uncertain and g.n_rows == 9
    assert [row_texts(doc, g, r) for r in (0, 2, 3)] == [["规章"], ["", ""], ["行政规范性文件"]]


def test_lines_ending_in_a_pipe_without_any_run_of_empty_cells_stay_text():
    text = "结果维持 |\n结果纠正 |\n其他结果 |\n一、本年新收政府信息公开申请数量28395927 |\n"
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    assert not grids(doc) and len(doc.blocks) == 4


def test_row_period_needs_rows_that_end_in_padding_and_never_cuts_inside_a_pipe_run():
    # 2 rows of 4 padded cells + a short last row → 4
    assert row_period([1, 1, 2, 1, 1, 2, 1, 1], [False, False, True, False, False, True, False, False]) == 4
    # widths 4 and 5: no period fits without cutting a run or guessing
    assert row_period([1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1], [False, False, True, False, False, False, True] + [False] * 4) is None


# ---------------------------------------------------------------------------------------
# pipe rows
def test_pipe_rows_without_outer_pipes_and_with_empty_merged_labels_are_one_grid():
    text = ("三、收到和处理政府信息公开申请情况\n"
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |  |  | 申请人情况 |  |  |  |  |  |  |\n"
            " |  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |\n"
            "三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 | 14 |  |  |  |  |  | 14 |\n"
            " |  | 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
            "四、政府信息公开行政复议、行政诉讼情况\n")
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    (g,) = grids(doc)
    assert g.origin == "pipe" and (g.n_rows, g.n_cols) == (4, 10)
    rows = cells(doc, g)
    assert rows[1][:5] == ["", "", "", "自然人", "法人或其他组织"] and rows[1][9] == "总计"
    assert rows[2] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "14", "", "", "", "", "", "14"]
    assert rows[3][2:4] == ["2.其他法律行政法规禁止公开", "0"]
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Grid", "Paragraph"]
    assert_cells_point_at_their_text(doc)


def test_a_sentence_with_a_pipe_is_prose_and_escaped_pipes_and_padding_stay_in_the_cell():
    text = ("本条例第一条 | 见附件。\n首页 | 政务公开 | 年报\n\n"
            "| 信息内容 \\| 说明 | &nbsp;12&nbsp; |\u30003\u3000|\n"
            "| 规章 |  | 0 |\n")
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    (g,) = grids(doc)
    assert cells(doc, g) == [["信息内容 \\| 说明", "12", "3"], ["规章", "", "0"]]
    paras = [doc.text[b.start:b.end] for b in doc.blocks if isinstance(b, Paragraph)]
    assert paras == ["本条例第一条 | 见附件。", "首页 | 政务公开 | 年报"]


def test_pipe_rows_separated_by_blank_lines_in_plain_text_stay_one_table():
    text = "| 规章 | 1 | 0 | 11 |\n\n| 行政规范性文件 | 8 | 26 | 66 |\n"
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    (g,) = grids(doc)
    assert cells(doc, g) == [["规章", "1", "0", "11"], ["行政规范性文件", "8", "26", "66"]]


def test_a_bare_row_of_fifteen_numbers_between_pipes_is_a_grid():
    doc = read_bytes(("四、政府信息公开行政复议、行政诉讼情况\n| " + " | ".join(["1", "0", "0", "0", "1"] + ["0"] * 10)
                      + " |\n").encode("utf-8"), "t.txt")
    (g,) = grids(doc)
    assert (g.n_rows, g.n_cols) == (1, 15)


# ---------------------------------------------------------------------------------------
# Markdown
def test_markdown_pieces_of_a_pdf_converted_table_are_fragment_grids_with_the_text_between_as_paragraphs():
    doc = read_file("reports/013_shanghai_kewei_2024.txt", "r.md")
    gs = grids(doc)
    assert len(gs) == 8 and all(g.origin == "markdown" for g in gs)
    # delimiter rows inside the pieces show the cut: every piece of the chain is a fragment,
    # left out of doc.grids() (the parser reads that text by its labels)
    assert all(g.fragment for g in gs) and not list(doc.grids())
    assert cells(doc, gs[0]) == [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                                 ["规章", "0", "0", "0"], ["规范性文件", "13", "0", "55"]]
    assert all(c.header for c in gs[0].rows()[0])
    assert row_texts(doc, gs[1], 3) == ["三、", "（一）予以公开", "9", "0", "0", "0", "0", "0", "9"]
    # a converter's delimiter under a row of numbers does not make that row a header
    assert row_texts(doc, gs[2], 0)[0] == "1.属于国家秘密" and not any(c.header for c in gs[2].rows()[0])
    assert row_texts(doc, gs[6], 3) == ["四、结转下年度继续办理", "1", "0", "0", "0", "0", "0", ""]
    assert len(row_texts(doc, gs[7], 1)) == 15
    paras = [doc.text[b.start:b.end] for b in doc.blocks if isinstance(b, Paragraph)]
    assert "（二）部分公开（区分处理的，只" in paras
    heads = [(doc.text[b.start:b.end], b.heading) for b in doc.blocks if isinstance(b, Paragraph) and b.heading]
    assert heads == [("表二：主动公开政府信息情况", 2), ("表三：收到和处理政府信息公开申请情况", 2)]
    assert_cells_point_at_their_text(doc)
    assert_blocks_cover_every_line_once(doc)


def test_markdown_report_from_an_ocr_tool_has_every_small_table_as_its_own_fragment():
    doc = read_file("reports/012_shuyangxian_2025.txt", "r.md")
    gs = grids(doc)
    assert len(gs) == 19
    assert all(g.fragment for g in gs)        # pieces repeating the header "类别 | 数据1 | …"
    last3 = gs[-4]
    assert row_texts(doc, last3, 3) == ["（七）总计", "710", "3", "0", "0", "5", "0", "718"]
    assert [row_texts(doc, g, 1) for g in gs[-3:]] == [["27", "10", "9", "15", "61"], ["3", "0", "0", "0", "3"],
                                                      ["8", "0", "1", "1", "10"]]
    assert_cells_point_at_their_text(doc)


def test_the_same_markdown_read_as_plain_text_gives_the_same_grids():
    data = corpus_file("reports/013_shanghai_kewei_2024.txt").read_bytes()
    md = read_bytes(data, "r.md")
    txt = read_bytes(data, "r.txt")
    assert [cells(md, g) for g in grids(md)] == [cells(txt, g) for g in grids(txt)]


# ---------------------------------------------------------------------------------------
# tab-separated rows
def test_tab_separated_rows_are_a_grid_and_tab_indented_prose_is_not():
    text = ("\t一、总体情况\n\t本机关2023年认真贯彻……\n"
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t11\n\t\t自然人\t法人或其他组织\n")
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    (g,) = grids(doc)
    assert g.origin == "tab"
    assert cells(doc, g) == [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                             ["规章", "1", "0", "11"], ["", "", "自然人", "法人或其他组织"]]
    assert [doc.text[b.start:b.end] for b in doc.blocks if isinstance(b, Paragraph)] == [
        "一、总体情况", "本机关2023年认真贯彻……"]


# ---------------------------------------------------------------------------------------
# space-aligned columns (pdftotext -layout)
@pytest.mark.parametrize("rel,regs", [("reports/009_hongzequ_2023.txt", ["信息内容", "规章", "行政规范性文件"]),
                                      ("reports/010_hongzequ_2024.txt", ["信息内容", "规章", "行政规范性文件"]),
                                      ("reports/011_huaian_2024.txt", ["信息内容", "规章", "行政规范性文件"])])
def test_aligned_columns_give_the_clean_table2_blocks_and_leave_the_wrapped_tables_as_paragraphs(rel, regs):
    doc = read_file(rel)
    gs = grids(doc)
    assert gs and all(g.origin == "aligned" for g in gs)
    assert [r[0] for r in cells(doc, gs[0])] == regs
    assert all(row[0] == "信息内容" for row in (cells(doc, g)[0] for g in gs))   # each block has its header
    labels = {r[0] for g in gs for r in cells(doc, g)}
    assert {"行政处罚", "行政强制", "行政事业性收费"} <= labels
    # 表三 (labels wrapped over lines, vertical group labels) and 表四 stay paragraphs
    assert not labels & {"一、本年新收政府信息公开申请数量", "（七）总计", "四、结转下年度继续办理", "1.属于国家秘密"}
    paras = " ".join(doc.text[b.start:b.end] for b in doc.blocks if isinstance(b, Paragraph))
    assert "本年新收政府信息公开申请数量" in paras and "结转下年度继续办理" in paras
    assert doc.text == corpus_file(rel).read_text("utf-8")
    assert_cells_point_at_their_text(doc)
    assert_blocks_cover_every_line_once(doc)


def test_aligned_table_values_are_the_numbers_of_their_columns():
    doc = read_file("reports/011_huaian_2024.txt")
    assert cells(doc, grids(doc)[0]) == [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                                         ["规章", "1", "0", "11"], ["行政规范性文件", "8", "26", "66"]]


@pytest.mark.parametrize("rel", ["reports/009_hongzequ_2023.txt", "reports/010_hongzequ_2024.txt",
                                 "reports/011_huaian_2024.txt"])
def test_aligned_columns_padded_with_ideographic_spaces_give_the_same_cells(rel):
    """Word-exported text pads columns with U+3000 (one character, two columns wide): the
    columns are lined up as shown (U+3000 as two spaces) and the cells are cut from the line
    itself — the same cells as the same table padded with spaces, pointing at their text."""
    import re
    text = corpus_file(rel).read_text("utf-8")
    padded = re.sub(r"(?<=\S)( {2,})(?=\S)", lambda m: "\u3000" * (len(m[1]) // 2) + " " * (len(m[1]) % 2), text)
    assert padded != text
    want = read_bytes(text.encode("utf-8"), rel)
    doc = read_bytes(padded.encode("utf-8"), rel)
    assert [g.origin for g in grids(doc)] == [g.origin for g in grids(want)]
    assert [cells(doc, g) for g in grids(doc)] == [cells(want, g) for g in grids(want)]
    assert_cells_point_at_their_text(doc)
    assert_blocks_cover_every_line_once(doc)


def test_two_columns_of_words_are_not_an_aligned_table():
    text = "联系人：张三      电话：0591-1234567\n地址：某某路1号    邮编：350400\n"
    assert not grids(read_bytes(text.encode("utf-8"), "t.txt"))


# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("rel", ["reports/001_pingtan_2019.txt", "reports/009_hongzequ_2023.txt",
                                 "reports/015_pingtan_dishuiju_2013.txt", "seeds/000_5770fa4841bf4d81.txt",
                                 "seeds/001_68b1fad5fb482fc8.txt", "seeds/004_242b91d3e9f2f879.txt"])
def test_text_reader_keeps_the_file_text_and_every_line_is_in_one_block(rel):
    doc = read_file(rel)
    assert doc.text == corpus_file(rel).read_text("utf-8")
    assert_blocks_cover_every_line_once(doc)


def test_prose_only_corpus_texts_have_no_grid():
    for rel in ("reports/001_pingtan_2019.txt", "reports/008_pingtan_2018.txt", "reports/017_pingtan_2016.txt",
                "seeds/000_5770fa4841bf4d81.txt", "seeds/002_1e027fe9f1c79ffa.txt", "seeds/003_aeba626d8392bbb0.txt"):
        assert not grids(read_file(rel)), rel


def test_text_blocks_works_on_a_bare_string():
    blocks = text_blocks("一、总体情况\n| a | b |\n| 1 | 2 |\n")
    assert isinstance(blocks[0], Paragraph) and isinstance(blocks[1], Grid)


def test_whole_markdown_tables_are_not_fragments_and_a_row_of_dashes_is_data():
    md = ("## 二、主动公开政府信息情况\n\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n"
          "| 规章 | - | - | - |\n\n## 三、收到和处理政府信息公开申请情况\n\n"
          "| 申请人情况 | 自然人 | 总计 |\n|---|---|---|\n| 一、本年新收政府信息公开申请数量 | 1 | 1 |\n")
    doc = read_bytes(md.encode("utf-8"), "r.md")
    gs = list(doc.grids())
    assert len(gs) == 2 and not any(g.fragment for g in gs)
    assert cells(doc, gs[0])[1] == ["规章", "-", "-", "-"]


def test_tables_repeating_one_header_with_headings_between_are_pieces_of_one_table():
    piece = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|\n| {} | 0 | 0 | 0 | {} |\n"
    md = "### 行政复议\n" + piece.format(1, 1) + "\n### 行政诉讼 未经复议直接起诉\n" + piece.format(2, 2) + "\n正文另起一段。\n"
    doc = read_bytes(md.encode("utf-8"), "r.md")
    gs = grids(doc)
    assert len(gs) == 2 and all(g.fragment for g in gs) and not list(doc.grids())


def test_inline_directives_do_not_break_a_table():
    text = ("| 规章 | 1 | 0 | 11 |  # xxgk-lint: disable=A301\n"
            "<!-- xxgk-lint: disable=F502 -->\n"
            "| 行政规范性文件 | 8 | 26 | 66 |\n三、收到和处理政府信息公开申请情况\n"
            "38 |\n||||||\n<!-- xxgk-lint: enable=F502 -->\n2 |\n||||||\n5 |\n||||||\n")
    doc = read_bytes(text.encode("utf-8"), "t.txt")
    g1, g2 = grids(doc)
    assert cells(doc, g1) == [["规章", "1", "0", "11"], ["行政规范性文件", "8", "26", "66"]]
    assert g2.origin == "lines" and not g2.rows_uncertain and g2.n_rows == 3


def test_a_text_given_as_a_string_is_read_like_a_file_of_it():
    from validator.readers.text import document_of
    from validator.source import SourceText
    data = corpus_file("seeds/001_68b1fad5fb482fc8.txt").read_text("utf-8")
    as_string = document_of(SourceText.from_original(data))
    as_file = read_file("seeds/001_68b1fad5fb482fc8.txt")
    assert [(g.origin, g.n_rows, g.n_cols) for g in as_string.grids()] == \
           [(g.origin, g.n_rows, g.n_cols) for g in as_file.grids()]
