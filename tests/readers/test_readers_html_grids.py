"""HTML tables as grids (the HTML table model) and the page's own facts (Document.meta)."""

from __future__ import annotations

from tests.conftest import corpus_file
from validator.document import Paragraph
from validator.readers import read_bytes
from validator.templates import report_words

WORDS = report_words()   # the pipeline passes the formats' report words to the HTML reader


def read_html(html: str, name: str = "t.html"):
    return read_bytes(html.encode("utf-8"), name, "html", markers=WORDS)


def at(doc, grid):
    """(row, col) → (text, rowspan, colspan, header) of every cell."""
    return {(c.row, c.col): (doc.cell_text(c), c.rowspan, c.colspan, c.header) for c in grid.cells}


def text_at(doc, grid):
    return {k: v[0] for k, v in at(doc, grid).items()}


def test_pingtan_word_pasted_tables_give_three_grids_with_their_spans():
    doc = read_bytes(corpus_file("html/pingtan_2019.html").read_bytes(), "pingtan_2019.html", markers=WORDS)
    t2, t3, t4 = doc.grids()
    assert (t2.n_rows, t2.n_cols, t3.n_rows, t3.n_cols, t4.n_rows, t4.n_cols) == (18, 4, 26, 10, 4, 15)
    g2, g3, g4 = at(doc, t2), at(doc, t3), at(doc, t4)
    assert g2[(0, 0)] == ("第二十条第（一）项", 1, 4, False)
    assert [g2[(1, k)][0] for k in range(4)] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert g2[(17, 2)] == ("75394432.52元", 1, 2, False)
    assert g3[(0, 0)][1:3] == (3, 3) and g3[(0, 3)] == ("申请人情况", 1, 7, False)
    assert g3[(1, 3)] == ("自然人", 2, 1, False) and g3[(1, 9)] == ("总计", 2, 1, False)
    # 三、本年度办理结果 is a row-group cell of 10 rows, started again in the middle of the group
    assert g3[(5, 0)] == ("三、本年度办理结果", 10, 1, False)
    assert g3[(15, 0)] == ("三、本年度办理结果", 10, 1, False)
    assert g3[(15, 1)] == ("（四）无法提供", 3, 1, False) and g3[(15, 2)][0] == "1.本机关不掌握相关政府信息"
    assert [g3[(3, k)][0] for k in range(3, 10)] == ["23", "0", "0", "0", "0", "0", "23"]
    assert [g3[(24, k)][0] for k in (1, 3, 9)] == ["（七）总计", "23", "23"]
    assert g3[(25, 0)] == ("四、结转下年度继续办理", 1, 3, False)
    assert g4[(0, 0)] == ("行政复议", 1, 5, False) and g4[(0, 5)] == ("行政诉讼", 1, 10, False)
    assert g4[(1, 0)] == ("结果维持", 2, 1, False) and g4[(2, 5)][0] == "结果维持"
    assert [g4[(3, k)][0] for k in range(15)] == ["0"] * 15
    # every cell's text is at its line:column in the HTML source
    for g in (t2, t3, t4):
        for c in g.cells:
            if c.end > c.start:
                loc = doc.location(c.start)
                assert doc.source.original_line(loc.line)[loc.column - 1:].startswith(doc.cell_text(c)[0])


def test_thead_and_th_are_header_cells_and_rowspan_zero_runs_to_the_end_of_its_group():
    doc = read_html("<table><thead><tr><th>信息内容</th><td>本年制发件数</td></tr></thead>"
                    "<tbody><tr><td rowspan=0>规章</td><td>1</td></tr><tr><td>2</td></tr><tr><td>3</td></tr></tbody>"
                    "<tbody><tr><td>行政规范性文件</td><td>4</td></tr></tbody></table>")
    (g,) = doc.grids()
    cells = at(doc, g)
    assert cells[(0, 0)] == ("信息内容", 1, 1, True) and cells[(0, 1)] == ("本年制发件数", 1, 1, True)
    assert cells[(1, 0)] == ("规章", 3, 1, False)
    assert text_at(doc, g)[(2, 1)] == "2" and text_at(doc, g)[(3, 1)] == "3"
    assert cells[(4, 0)] == ("行政规范性文件", 1, 1, False)


def test_rowspans_past_the_last_row_are_clipped_and_tfoot_rows_come_last():
    doc = read_html("<table><tfoot><tr><td>合计</td><td>9</td></tr></tfoot>"
                    "<tr><td rowspan=50>甲</td><td colspan='2px'>1</td></tr><tr><td>2</td></tr></table>")
    (g,) = doc.grids()
    assert (g.n_rows, g.n_cols) == (3, 3)
    assert at(doc, g)[(0, 0)] == ("甲", 2, 1, False) and at(doc, g)[(0, 1)] == ("1", 1, 2, False)
    assert text_at(doc, g)[(2, 0)] == "合计"
    assert doc.text.splitlines()[-1] == "| 合计 | 9 |"


def test_an_empty_row_is_still_a_row_that_rowspans_cover():
    doc = read_html("<table><tr><td rowspan=3>（三）不予公开</td><td>1.属于国家秘密</td></tr><tr></tr>"
                    "<tr><td>2.其他法律行政法规禁止公开</td></tr></table>")
    (g,) = doc.grids()
    assert text_at(doc, g) == {(0, 0): "（三）不予公开", (0, 1): "1.属于国家秘密", (2, 1): "2.其他法律行政法规禁止公开"}


def test_layout_tables_are_read_as_paragraphs_not_grids():
    article = "<p>一、总体情况</p>" + "<p>" + "本机关认真贯彻落实条例。" * 40 + "</p>"
    one_column = f"<table><tr><td>标题</td></tr><tr><td>{article}</td></tr></table>"
    nested = ("<table><tr><td>菜单</td><td><table><tr><td>信息内容</td><td>本年制发件数</td></tr>"
              "<tr><td>规章</td><td>1</td></tr></table></td></tr></table>")
    with_heading = "<table><tr><td><h2>一、总体情况</h2><p>正文</p></td><td>侧栏</td></tr></table>"
    doc = read_html(one_column)
    assert not list(doc.grids()) and "一、总体情况" in [doc.text[b.start:b.end] for b in doc.blocks]
    doc = read_html(nested)
    (g,) = doc.grids()                       # the inner data table is a grid; the layout is not
    assert text_at(doc, g) == {(0, 0): "信息内容", (0, 1): "本年制发件数", (1, 0): "规章", (1, 1): "1"}
    doc = read_html(with_heading)
    assert not list(doc.grids())
    assert any(b.heading == 2 for b in doc.blocks if isinstance(b, Paragraph))


def test_a_caption_is_a_paragraph_before_its_grid():
    doc = read_html("<table><caption>表二：主动公开政府信息情况</caption><tr><td>规章</td><td>1</td></tr></table>")
    assert isinstance(doc.blocks[0], Paragraph) and doc.text[doc.blocks[0].start:doc.blocks[0].end] == "表二：主动公开政府信息情况"
    assert text_at(doc, next(doc.grids())) == {(0, 0): "规章", (0, 1): "1"}


def test_table_rows_are_still_written_as_pipe_lines_for_the_parser():
    doc = read_html("<table><tr><td rowspan=2>三、本年度办理结果</td><td>（一）予以公开</td><td>5</td></tr>"
                    "<tr><td>（二）部分公开</td><td>&nbsp;</td></tr></table>")
    assert doc.text.splitlines() == ["| 三、本年度办理结果 | （一）予以公开 | 5 |", "| （二）部分公开 |  |"]
    (g,) = doc.grids()
    empty = next(c for c in g.cells if c.row == 1 and c.col == 2)
    assert empty.start == empty.end and doc.text[empty.start - 2:empty.start] == "| "


# ---------------------------------------------------------------------------------------
# the page's facts
REPORT_WORDS = "".join(f"<p>{t}</p>" for t in (
    "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"))


def cms_page(head="", info="", body_end="<p>平潭综合实验区党政办</p><p>2020年1月20日</p>"):
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}"
            "<title>平潭综合实验区2019年度政府信息公开工作年度报告 - 平潭综合实验区管理委员会</title></head><body>"
            "<div class='nav'><ul><li><a href='/'>首页</a></li><li><a href='/x'>发布时间：2019-01-01</a></li></ul></div>"
            f"<div class='detail'>{info}<div class='article'>"
            f"<h1>平潭综合实验区2019年度政府信息公开工作年度报告</h1>{REPORT_WORDS}{body_end}</div></div></body></html>")


GOV_META = ("<meta name='SiteName' content='平潭综合实验区管理委员会'>"
            "<meta name='ArticleTitle' content='平潭综合实验区2019年度政府信息公开工作年度报告'>"
            "<meta name='PubDate' content='2020-01-20 09:30'>"
            "<meta name='ContentSource' content='平潭综合实验区党政办'>")


def test_government_site_meta_gives_publication_date_title_and_issuer():
    doc = read_html(cms_page(head=GOV_META))
    assert doc.meta["published"] == ("2020-01-20", None)
    title, span = doc.meta["title"]
    assert title == "平潭综合实验区2019年度政府信息公开工作年度报告" and doc.text[span[0]:span[1]] == title
    issuer, span = doc.meta["issuer"]
    assert issuer == "平潭综合实验区党政办"
    assert doc.text[span[0]:span[1]] == issuer and span[0] > doc.text.index("六、")   # the signature


def test_the_visible_publication_line_under_the_title_wins_and_menus_are_ignored():
    info = "<div class='info'><span>发布时间：</span><span>2020-01-21 10:26</span> 来源：平潭综合实验区管委会 浏览次数：</div>"
    doc = read_html(cms_page(info=info))
    assert doc.meta["published"] == ("2020-01-21", None)       # outside the report text: no span
    assert doc.meta["issuer"][0] == "平潭综合实验区管委会"
    assert doc.meta["title"][0] == "平潭综合实验区2019年度政府信息公开工作年度报告"   # from <title>, site name cut off


def test_a_publication_date_inside_the_report_text_has_its_span_at_its_place_in_the_html():
    page = cms_page(body_end="<p>发布日期：2020年1月22日</p>")
    doc = read_html(page)
    iso, span = doc.meta["published"]
    assert iso == "2020-01-22" and doc.text[span[0]:span[1]] == "2020年1月22日"
    loc = doc.location(*span)
    assert doc.source.original_line(loc.line)[loc.column - 1:].startswith("2020年1月22日")


def test_other_cms_meta_names_and_forms_of_dates():
    for head, iso in (("<meta name='firstpublishedtime' content='2021-01-28-17:43:34'>", "2021-01-28"),
                      ("<meta property='article:published_time' content='2022-02-03T08:00:00+08:00'>", "2022-02-03"),
                      ("<meta name='publishdate' content='20230115'>", "2023-01-15"),
                      ("<meta name='PubDate' content='2023-02-30'>", None)):
        doc = read_html(cms_page(head=head))
        assert doc.meta.get("published", (None,))[0] == iso, head
    doc = read_html(cms_page(head="<meta name='lastmodifiedtime' content='2021-02-01 10:00:00'>"
                                  "<meta name='SiteName' content='某某区人民政府'>"))
    assert doc.meta["modified"] == ("2021-02-01", None)
    assert doc.meta["issuer"][0] == "某某区人民政府"      # the site, when nothing names the source
