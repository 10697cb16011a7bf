"""The grammar is the statutory structure: generated from rules/formats/*.yaml, its
diagnostics are the structure findings, a Transformer builds the model."""

from __future__ import annotations

import pytest

from validator.lint import lint_source
from validator.normalize import normalize
from validator.parse import parse, report_grammar
from validator.parse.grammar import FormatGrammar
from validator.source import SourceText
from validator.templates import load_format, load_formats

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

SECTIONS_2021 = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                 "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def report_text(headings, year=2023):
    return f"{year}年政府信息公开工作年度报告\n" + "\n".join(f"{h}\n本部分内容。" for h in headings) + "\n"


def rules_of(text, *rules):
    res = lint_source(SourceText.from_original(text))
    return [(f.rule, f.message) for f in res.findings if f.rule in rules]


def test_grammar_of_2021_has_a_rule_per_section_and_per_table3_row_group():
    g = FormatGrammar(load_formats()["2021"]).text
    for n in range(1, 7):
        assert f"\nsection_{n}: SEC{n} " in g
    for group in ("t3_results", "t3_refused", "t3_unable", "t3_not_processed", "t3_other"):
        assert f"\n{group}: " in g
    assert "T3_STATE_SECRET" in g and "table_t4: T4 T4_CASES T4_END" in g


def test_grammar_of_2019_has_the_single_other_row_and_the_procurement_block():
    g = FormatGrammar(load_formats()["2019"]).text
    assert "t3_other" not in g and " T3_OTHER T3_RESULTS_TOTAL" in g
    assert "T2_PROCUREMENT" in g


def test_changing_a_title_variant_in_the_yaml_changes_the_grammar_and_the_parse(tmp_path):
    src = load_formats()["2021"].path
    text = open(src, encoding="utf-8").read()
    # a format file whose section 6 also accepts the title "附注"
    changed = text.replace("  - {number: 6, key: 其他事项, title: 其他需要报告的事项,",
                           "  - {number: 6, key: 其他事项, title: 其他需要报告的事项, variants: [附注],")
    assert changed != text
    (tmp_path / "2021.yaml").write_text(changed, encoding="utf-8")
    (tmp_path / "2019.yaml").write_text(open(load_formats()["2019"].path, encoding="utf-8").read(), encoding="utf-8")
    fmt = load_format(tmp_path / "2021.yaml")
    assert "附注" in FormatGrammar(fmt).text and "附注" not in FormatGrammar(load_formats()["2021"]).text
    doc = report_text(SECTIONS_2021[:5] + ["六、附注"])
    before = parse(normalize(SourceText.from_original(doc)))
    after = parse(normalize(SourceText.from_original(doc)), formats={"2021": fmt, "2019": load_formats()["2019"]})
    assert before.section_by_key("其他事项") is None
    assert after.section_by_key("其他事项") is not None


def test_the_cli_prints_the_generated_grammar():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "validator", "grammar", "--template", "2021"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "section_3: SEC3" in out.stdout and "table_t3:" in out.stdout
    legacy = subprocess.run([sys.executable, "-m", "validator", "grammar", "--template", "legacy"],
                            capture_output=True, text=True, timeout=60)
    assert legacy.returncode == 0 and "section: SEC" in legacy.stdout


def test_model_from_the_tree():
    r = parse(normalize(SourceText.from_original(DOC)))
    md = r.metadata
    assert md.year == 2019 and md.title == "2019年政府信息公开工作年度报告"
    assert md.issuer == "某某县人民政府" and md.date == (2020, 1, 22)
    assert "索引号" in md.front and md.period.startswith("统计期限")
    assert [s.numeral for s in r.sections] == list("一二三四五六")
    assert r.sections[0].paragraphs[0].marker == "(一)"
    assert r.tables["表三"].cell("本年新收", "自然人").value == 3
    assert r.tables["表四"].rows["案件数"].cells["复议总计"].raw == "0"


def test_headings_glued_into_one_line_of_page_text_are_found():
    one_line = DOC.replace("\n", "")
    r = parse(normalize(SourceText.from_original(one_line)))
    assert [s.key for s in r.sections] == ["总体情况", "主动公开", "依申请公开", "复议诉讼", "问题改进", "其他事项"]


# -- structure diagnostics come from the parser ---------------------------------------------
def test_deleted_section_is_s101_from_the_parser():
    text = report_text(SECTIONS_2021[:3] + SECTIONS_2021[4:])
    r = parse(normalize(SourceText.from_original(text)))
    assert [(d.kind, d.args["numeral"]) for d in r.diagnostics if d.kind.startswith("section")] == \
        [("section-missing", "四")]
    assert [m for _r, m in rules_of(text, "S101")] == ["缺少第四部分「四、政府信息公开行政复议、行政诉讼情况」"]


def test_swapped_sections_are_one_s102_not_a_missing_section():
    order = SECTIONS_2021[:]
    order[1], order[2] = order[2], order[1]
    found = rules_of(report_text(order), "S101", "S102")
    assert len(found) == 1 and found[0][0] == "S102"


def test_a_duplicated_section_is_s102_repeated():
    order = SECTIONS_2021[:3] + [SECTIONS_2021[2]] + SECTIONS_2021[3:]
    found = rules_of(report_text(order), "S101", "S102")
    assert [r for r, _m in found] == ["S102"] and "不止一次" in found[0][1]


def test_a_missing_table_is_one_s201_and_no_row_findings():
    text = report_text(SECTIONS_2021)
    found = rules_of(text, "S201", "S202")
    assert sorted(m for _r, m in found) == sorted([
        "未找到表二（主动公开政府信息情况）：第二部分应以统一格式的表格报告",
        "未找到表三（收到和处理政府信息公开申请情况）：第三部分应以统一格式的表格报告",
        "未找到表四（政府信息公开行政复议、行政诉讼情况）：第四部分应以统一格式的表格报告"])


def test_section_title_variant_is_that_section_with_an_info_note(tmp_path):
    variants = {"五、存在的主要问题及整改措施": "问题改进", "五、存在的主要问题及改进措施": "问题改进",
                "六、需要说明的其他事项与附表": "其他事项"}
    for title, key in variants.items():
        heads = [h if not h.startswith(title[0]) else title for h in SECTIONS_2021]
        text = report_text(heads)
        r = parse(normalize(SourceText.from_original(text)))
        assert r.section_by_key(key) is not None, title
        # one info note on the wording (S104 freely worded, S103 a near miss), never S101
        found = rules_of(text, "S101", "S103", "S104")
        assert len(found) == 1 and found[0][0] in ("S103", "S104"), (title, found)


def test_a_heading_that_names_no_section_does_not_leak_into_a_table():
    corpus = load_formats()  # noqa: F841 - formats load
    text = ("2024年政府信息公开工作年度报告\n" + "\n".join(SECTIONS_2021[:3]) + "\n"
            "四、政府信息公开行政复议、行政诉讼情况\n"
            "| 行政复议 | 行政诉讼 |\n"
            "| 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
            "七、附件说明2024\n本报告附统计表。\n")
    r = parse(normalize(SourceText.from_original(text)))
    cells = [c.raw for c in r.tables["表四"].rows["案件数"].cells.values()]
    assert cells == ["0"] * 15


def test_the_parser_never_rejects_a_stream_and_p001_is_its_safety_net(monkeypatch):
    from validator.parse import segment
    real = segment.Segmenter.tokens

    def with_a_stray_row(self, grammar):
        from lark import Token
        toks = real(self, grammar)
        # a table row token outside any table: there is no place for it in the structure
        return toks[:1] + [Token("T3_NEW", "x", start_pos=0, end_pos=1)] + toks[1:]

    monkeypatch.setattr(segment.Segmenter, "tokens", with_a_stray_row)
    res = lint_source(SourceText.from_original(DOC))
    assert [f.rule for f in res.findings if f.rule == "P001"] == ["P001"]
    assert [s.numeral for s in res.report.sections] == list("一二三四五六")


@pytest.mark.parametrize("template", ["2019", "2021", None])
def test_every_grammar_compiles_without_conflicts(template):
    fmt = load_formats()[template] if template else None
    assert report_grammar(fmt).parser() is not None


def test_tab_separated_columns_are_cells():
    text = ("2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量\t38\t0\t0\t0\t0\t0\t38\n"
            "二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2\n"
            "（七）总计\t38\t0\t0\t0\t0\t0\t38\n"
            "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0\n")
    res = lint_source(SourceText.from_original(text))
    a301 = [f for f in res.findings if f.rule == "A301"]
    assert [(f.column, f.location.line, f.location.column) for f in a301] == [("自然人", 3, 18), ("总计", 3, 31)]


def test_the_grammar_copies_in_grammar_dir_are_current():
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "scripts" / "gen_grammars.py"), "--check"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
