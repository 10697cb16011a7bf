"""The Lark grammar over line/cell tokens: the statutory structure becomes a tree."""

from __future__ import annotations

from validator.parse import lexer as lx
from validator.normalize import normalize
from validator.parse import parse, report_parser
from validator.source import SourceText
from validator.templates import load_formats

DOC = """索引号：000014349/2020-00012
发布日期：2020-01-22
2019年政府信息公开工作年度报告
根据《中华人民共和国政府信息公开条例》要求，编制本报告。统计期限为2019年1月1日至2019年12月31日。
一、总体情况
（一）主动公开。全年公开信息100条。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
| 一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
四、政府信息公开行政复议、行政诉讼情况
| 行政复议 | 行政诉讼 |
| 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
五、存在的主要问题及改进情况
无。
六、其他需要报告的事项
无。
某某县人民政府
2020年1月22日
"""


def tree_of(text):
    src = normalize(SourceText.from_original(text))
    formats = load_formats()
    fmt = formats["2019"]
    toks = lx.lex_document(src.text, [fmt, formats["2021"]], fmt)
    return report_parser().parse(toks), toks


def test_tree_has_front_matter_title_preamble_sections_tables_and_closing():
    tree, toks = tree_of(DOC)
    kinds = [c.data for c in tree.children]
    assert kinds[:3] == ["front", "front", "title"]
    assert kinds.count("section") == 6 and kinds[-1] == "closing"
    sec3 = [c for c in tree.children if c.data == "section"][2]
    table = [c for c in sec3.children if getattr(c, "data", None) == "table"][0]
    row = [c for c in table.children if getattr(c, "data", None) == "row"][0]
    assert [t.type for t in row.children] == ["ROWLABEL", "CELLS"]
    cells = toks[int(row.children[1])].data["cells"]
    assert [c.type for c in cells] == ["VALUE"] * 7 and [c.text for c in cells] == ["3", "0", "0", "0", "0", "0", "3"]


def test_model_from_the_tree():
    r = parse(normalize(SourceText.from_original(DOC)))
    md = r.metadata
    assert md.year == 2019 and md.title == "2019年政府信息公开工作年度报告"
    assert md.issuer == "某某县人民政府" and md.date == (2020, 1, 22)
    assert "索引号" in md.front and md.period.startswith("统计期限")
    assert [s.numeral for s in r.sections] == list("一二三四五六")
    assert r.sections[0].paragraphs[0].marker == "(一)"
    assert r.tables["表三"].cell("本年新收", "自然人").value == 3
    assert r.tables["表四"].rows["数据"].cells["复议总计"].raw == "0"


def test_headings_glued_into_one_line_of_page_text_are_found():
    one_line = DOC.replace("\n", "")
    r = parse(normalize(SourceText.from_original(one_line)))
    assert [s.key for s in r.sections] == ["总体情况", "主动公开", "依申请公开", "复议诉讼", "问题改进", "其他事项"]


def test_a_token_stream_the_grammar_rejects_falls_back_to_flat_checking_with_a_p001_finding(monkeypatch):
    from validator.lint import lint_source

    real = lx.lex_document

    def broken(text, formats, primary):
        toks = real(text, formats, primary)
        if primary is None:
            return toks
        # a closing date in the middle of the report cannot be placed by the grammar
        i = next(k for k, t in enumerate(toks) if t.type == "SECTION")
        return toks[:i] + [lx.Tok("DATE", toks[i].start, toks[i].start, "2020年1月1日")] + toks[i:]

    monkeypatch.setattr(lx, "lex_document", broken)
    res = lint_source(SourceText.from_original(DOC))
    assert [f.rule for f in res.findings if f.rule == "P001"] == ["P001"]
    assert [s.numeral for s in res.report.sections] == list("一二三四五六")  # still checked by section


def test_tab_separated_columns_are_cells():
    from validator.lint import lint_source

    text = ("2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量\t38\t0\t0\t0\t0\t0\t38\n"
            "二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2\n"
            "（七）总计\t38\t0\t0\t0\t0\t0\t38\n"
            "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0\n")
    res = lint_source(SourceText.from_original(text))
    a301 = [f for f in res.findings if f.rule == "A301"]
    assert [(f.column, f.line, f.col) for f in a301] == [("自然人", 3, 18), ("总计", 3, 31)]
