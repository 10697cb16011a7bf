"""HTML reader: article body inside a site page, rowspan/colspan tables, <br> and &nbsp; in
cells, Word-pasted markup, <meta charset>, positions in the HTML source."""

from __future__ import annotations

from tests.conftest import corpus_file
from tests.readers import renderings as R
from tests.readers.helpers import ARITHMETIC, facts, lint, lint_path
from validator.readers import read_bytes
from validator.templates import report_words

WORDS = report_words()   # the pipeline passes the formats' report words to the HTML reader

REPORT_2019 = R.sample_report_2019()


def test_site_page_around_a_2019_report_gives_the_table3_and_table4_findings_of_its_text_rendering():
    text = lint(R.to_pipe(REPORT_2019).encode("utf-8"), "report.txt")
    page = lint(R.to_html(REPORT_2019, nav=True).encode("utf-8"), "report.html")
    expected = facts(text, {"表三", "表四"})
    assert {f[0] for f in expected} >= {"A301", "A403"}
    assert facts(page, {"表三", "表四"}) == expected
    assert page.report.template == text.report.template == "2019"


def test_site_navigation_scripts_and_footer_are_not_part_of_the_report_text():
    src = read_bytes(R.to_html(REPORT_2019, nav=True).encode("utf-8"), "report.html", markers=WORDS)
    assert src.format == "html"
    for junk in ("首页", "政府信息公开指南", "主办", "var menu", "浏览次数", "gte mso", "WordDocument"):
        assert junk not in src.text
    # the page title (an <h1> outside the article body) is kept in front: it names the year
    assert src.text.splitlines()[0] == REPORT_2019["title"]


def test_findings_point_at_the_value_cell_in_the_html_source():
    page = lint(R.to_html(REPORT_2019, nav=True).encode("utf-8"), "report.html")
    f = next(f for f in page.findings if f.rule == "A403")
    line = page.source.original_line(f.line)
    assert line is not None and "<td" in line
    assert line[f.col - 1] == "0"  # the 复议后起诉 总计 value 0, where the fix is due


def test_br_inside_a_cell_joins_and_nbsp_only_cells_are_blank():
    html = ("<html><body><table><tr><td>信息内容</td><td>本年新<br/>制作数量</td><td>&nbsp;</td>"
            "<td> &nbsp;&nbsp; </td><td rowspan=\"2\">7</td></tr></table></body></html>")
    src = read_bytes(html.encode("utf-8"), "t.html", markers=WORDS)
    assert src.text.splitlines()[0] == "| 信息内容 | 本年新制作数量 |  |  | 7 |"


def test_rowspan_and_colspan_cells_are_written_once_at_their_first_position():
    html = ("<table><tr><td rowspan=3>三、本年度办理结果</td><td colspan=2>（一）予以公开</td><td>5</td></tr>"
            "<tr><td rowspan=2>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td></tr>"
            "<tr><td>2.其他法律行政法规禁止公开</td><td>1</td></tr></table>")
    src = read_bytes(html.encode("utf-8"), "t.html", "html", markers=WORDS).source
    assert src.text.splitlines() == [
        "| 三、本年度办理结果 | （一）予以公开 | 5 |",
        "| （三）不予公开 | 1.属于国家秘密 | 0 |",
        "| 2.其他法律行政法规禁止公开 | 1 |",
    ]


def test_characters_keep_their_line_and_column_in_the_html_source_including_entities():
    html = "<p>一、总体情况</p>\n<p>本年&nbsp;度<b>公开</b>3条</p>"
    src = read_bytes(html.encode("utf-8"), "t.html", "html", markers=WORDS).source
    i = src.text.index("公开")
    assert src.line_col(i) == (2, html.splitlines()[1].index("公开") + 1)
    j = src.text.index("度")
    assert src.line_col(j) == (2, html.splitlines()[1].index("度") + 1)
    assert src.original_line(2) == html.splitlines()[1]


def test_gbk_page_declared_by_meta_charset_is_decoded_as_gb18030():
    html = R.to_html(REPORT_2019).replace('charset="utf-8"', 'charset="gb2312"').encode("gbk")
    src = read_bytes(html, "report.html", markers=WORDS)
    assert src.encoding == "gb18030"
    assert REPORT_2019["title"] in src.text


def test_word_conditional_comments_and_mso_markup_leave_no_trace():
    html = ('<div class="TRS_Editor"><!--[if !supportLists]--><span>1.</span><!--[endif]-->'
            '<p class="MsoNormal"><span lang="EN-US"><![if !supportLists]>（一）<![endif]></span>'
            '<span style="mso-bidi-font-family:仿宋">予以公开</span><o:p></o:p></p></div>')
    src = read_bytes(html.encode("utf-8"), "w.html", "html", markers=WORDS)
    assert "if" not in src.text and "mso" not in src.text
    assert "（一）予以公开" in src.text


def test_real_cms_page_pingtan_2019_reads_all_three_tables_and_has_no_arithmetic_finding():
    res = lint_path(str(corpus_file("html/pingtan_2019.html")))
    rules = {f.rule for f in res.findings}
    assert res.source.format == "html"
    assert res.report.metadata.year == 2019
    # the article starts at 二、: the report title comes from the page's <title>
    assert res.source.text.startswith("平潭综合实验区2019年度政府信息公开工作年度报告\n二、")
    assert not rules & ARITHMETIC
    assert not rules & {"S201", "P002", "F502", "F503"}  # all tables found, every cell read
    assert set(res.report.tables) >= {"表二", "表三", "表四"}


def test_undecodable_bytes_in_an_html_page_are_reported_at_their_place_in_the_source():
    html = "<html><head><meta charset=\"utf-8\"></head><body>\n<p>2023年政府信息公开工作年度报告</p>\n<p>一、总体情况</p>\n<p>本机关".encode() \
        + b"\xff\xfe" + "工作有序开展。</p></body></html>".encode()
    res = lint(html, "bad.html")
    f = next(f for f in res.findings if f.rule == "F601")
    assert (f.line, f.col) == (4, len("<p>本机关") + 1)
    assert f.category == "format"


def test_absurdly_deep_nesting_is_read_without_recursion_error():
    deep = ("<div>" * 20000 + "<p>2023年政府信息公开工作年度报告</p>" + "</div>" * 20000).encode("utf-8")
    src = read_bytes(deep, "deep.html", markers=WORDS)
    assert src.text.strip() == "2023年政府信息公开工作年度报告"


def test_links_to_other_years_reports_in_a_menu_do_not_give_the_report_its_year():
    page = R.to_html(REPORT_2019, nav=True).replace(
        "<li>政府信息公开年报 2022 2021 2020</li>",
        "<li><a href='/2022'>2022年政府信息公开工作年度报告</a></li>")
    page = page.replace('<div class="main">', '<div class="main"><div class="right-side"><p>2021年政府信息公开工作年度报告</p></div>')
    src = read_bytes(page.encode("utf-8"), "report.html", markers=WORDS)
    assert src.text.splitlines()[0] == REPORT_2019["title"]


def test_a_text_report_wrapped_in_pre_keeps_its_lines():
    seed = corpus_file("seeds/001_68b1fad5fb482fc8.txt").read_text("utf-8")
    import html as _html
    page = "<html><body><pre>" + _html.escape(seed) + "</pre></body></html>"
    from tests.readers.helpers import positions
    as_text = lint(seed.encode("utf-8"), "s.txt")
    as_html = lint(page.encode("utf-8"), "s.html")
    assert [(r, ln) for r, ln, _c in positions(as_html)] == [(r, ln) for r, ln, _c in positions(as_text)]
