"""Issue 4 must-shows on the real corpus (tests/corpus is a copy of ../shared/corpus): the
checks of the text — pre-2019 coverage, metadata, required statements, template version,
text versus table, unfilled and broken text."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from validator.lint import Options, lint_path
from validator.rules import load_rules

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
MY_FILES = ("content.yaml", "metadata.yaml", "legacy.yaml")


def my_rule_ids() -> set[str]:
    return {r.id for r in load_rules().rules if Path(r.file).name in MY_FILES}


@lru_cache(maxsize=None)
def findings(rel: str, issuer_kind: str | None = None):
    return tuple(lint_path(str(CORPUS / rel), Options(issuer_kind=issuer_kind)).findings)


def of(rel: str, rule: str, issuer_kind: str | None = None):
    return [f for f in findings(rel, issuer_kind) if f.rule == rule]


def line_text(rel: str, line: int) -> str:
    return (CORPUS / rel).read_text(encoding="utf-8").split("\n")[line - 1]


# -- unfilled and broken text -----------------------------------------------------------
def test_seed002_each_blank_number_at_its_line():
    rel = "seeds/002_1e027fe9f1c79ffa.txt"
    fs = of(rel, "C401")
    assert len(fs) == 4, [f.message for f in fs]
    lines = sorted(f.line for f in fs)
    assert lines == [10, 10, 10, 24]
    for f in fs:
        src = line_text(rel, f.line)
        # the finding points at the blank itself (a space before 条 / after 第)
        assert src[f.col - 1] == " "
        assert src[f.col] in "条环"
    assert any("中央第 环境保护督察组" in f.message for f in fs)


def test_seed002_empty_attachment():
    rel = "seeds/002_1e027fe9f1c79ffa.txt"
    fs = of(rel, "C402")
    assert len(fs) == 1
    f = fs[0]
    assert line_text(rel, f.line).startswith("附件")
    assert "思茅区2018年度政府信息公开情况统计表" in f.message
    # the empty "附件:" at the end is the second place
    assert f.related and line_text(rel, f.related[0].line).strip() in ("附件:", "附件：")


def test_seed000_both_page_break_markers_one_splitting_a_number():
    rel = "seeds/000_5770fa4841bf4d81.txt"
    fs = of(rel, "C403")
    assert len(fs) == 2
    for f in fs:
        assert line_text(rel, f.line)[f.col - 1:f.col - 1 + len("[FS:PAGE]")] == "[FS:PAGE]"
    splitting = [f for f in fs if "31" in f.message]
    assert len(splitting) == 1
    assert "橱窗3[FS:PAGE]1处" in line_text(rel, splitting[0].line)


def test_seed004_mojibake_run_and_site_footer():
    rel = "seeds/004_242b91d3e9f2f879.txt"
    fs = of(rel, "C407")
    assert len(fs) == 1 and "?? ???????¤?" in fs[0].message
    assert line_text(rel, fs[0].line)[fs[0].col - 1:].startswith("?? ???????¤?")
    footer = of(rel, "C406")
    assert len(footer) == 1 and "甘公網安備" in footer[0].message  # quoted as written (traditional)


def test_seed003_stray_question_mark_lines_and_pinyin():
    rel = "seeds/003_aeba626d8392bbb0.txt"
    fs = of(rel, "C405")
    assert fs and all(line_text(rel, f.line).strip() == "?" for f in fs)
    assert len(of(rel, "C408")) == 1


def test_reports017_word_comment_debris_and_plan_year():
    rel = "reports/017_pingtan_2016.txt"
    debris = of(rel, "C404")
    assert any("<!--[if !supportLists]-->" in f.message for f in debris)
    plan = of(rel, "M105")
    assert len(plan) == 1
    assert "2016年" in plan[0].message and "2017" in plan[0].message


def test_reports015_enumeration_skips():
    fs = of("reports/015_pingtan_dishuiju_2013.txt", "C409")
    assert len(fs) == 1
    assert "三是" in fs[0].message and "二是" in fs[0].message


def test_seed000_enumeration_restarts_under_sub_headings():
    # （一）… 一是、二是、三是；（二）… 三是、四是、五是: under the sub-heading （二） the list
    # starts at 三是 (line 5); part 三 has 二是 … 三是 without 一是 (line 13)
    fs = of("seeds/000_5770fa4841bf4d81.txt", "C409")
    assert [(f.line, f.col) for f in fs] == [(5, 72), (13, 493)]
    assert all("前面没有一是、二是" in f.message for f in fs)


# -- metadata ---------------------------------------------------------------------------
def test_seed003_title_is_not_the_statutory_name():
    fs = of("seeds/003_aeba626d8392bbb0.txt", "M101")
    assert len(fs) == 1
    assert "政务公开年度报告" in fs[0].message and "政府信息公开工作年度报告" in fs[0].message


@pytest.mark.parametrize("rel", ["reports/011_huaian_2024.txt", "reports/012_shuyangxian_2025.txt",
                                 "seeds/004_242b91d3e9f2f879.txt", "reports/017_pingtan_2016.txt"])
def test_statutory_titles_pass(rel):
    assert not of(rel, "M101")


def test_metadata_read_from_title_front_matter_and_signature():
    res = lint_path(str(CORPUS / "seeds/004_242b91d3e9f2f879.txt"))
    md = res.report.metadata
    assert md.title == "武山县2016年政府信息公开工作年度报告"
    assert md.issuer == "武山县"
    assert md.front["发布时间"][0] == "2020-08-13"
    md2 = lint_path(str(CORPUS / "seeds/002_1e027fe9f1c79ffa.txt")).report.metadata
    # the signature is followed by an empty "附件:" — still read
    assert md2.issuer == "普洱市思茅区人民政府" and md2.date == (2019, 1, 30)
    md3 = lint_path(str(CORPUS / "reports/011_huaian_2024.txt")).report.metadata
    assert md3.issuer == "淮安市人民政府"
    assert md3.period and "12 月 31 日" in md3.period
    md4 = lint_path(str(CORPUS / "seeds/003_aeba626d8392bbb0.txt")).report.metadata
    assert md4.front["发布日期"][0] == "2017年03月14日"


def test_deadline_uses_page_date_and_passes_on_time():
    # a 2016 report whose page says 发布时间 2020-08-13 (a re-publication, or very late)
    assert len(of("seeds/004_242b91d3e9f2f879.txt", "M106")) == 1
    for rel in ("seeds/003_aeba626d8392bbb0.txt", "seeds/002_1e027fe9f1c79ffa.txt",
                "reports/012_shuyangxian_2025.txt", "seeds/001_68b1fad5fb482fc8.txt"):
        assert not of(rel, "M106"), rel


def test_deadline_issuer_kind_option():
    # 沭阳县人民政府 signed 2026-01-23: on time for a government (3-31) and for a department (1-31)
    assert not of("reports/012_shuyangxian_2025.txt", "M106", "department")
    # 三都 2019 report signed 2020-01-22: on time either way
    assert not of("seeds/001_68b1fad5fb482fc8.txt", "M106", "department")


# -- pre-2019 reports -----------------------------------------------------------------------
LEGACY_EXPECTED = {
    # file: (items missing among （一）–（五）, 其他需要报告的事项 missing)
    "seeds/000_5770fa4841bf4d81.txt": (set(), True),
    "seeds/002_1e027fe9f1c79ffa.txt": ({"（三）"}, True),
    "seeds/003_aeba626d8392bbb0.txt": (set(), True),
    "seeds/004_242b91d3e9f2f879.txt": (set(), True),
    "reports/008_pingtan_2018.txt": ({"（三）"}, True),
    "reports/015_pingtan_dishuiju_2013.txt": ({"（三）", "（五）"}, True),
    "reports/017_pingtan_2016.txt": (set(), True),
}


@pytest.mark.parametrize("rel", sorted(LEGACY_EXPECTED))
def test_legacy_coverage_per_item(rel):
    missing, other = LEGACY_EXPECTED[rel]
    got = {f.message.split("第三十二条第")[1][:3] for f in of(rel, "L101")}
    assert got == missing
    assert bool(of(rel, "L102")) == other


def test_seed001_is_a_2019_report_without_legacy_findings():
    assert not of("seeds/001_68b1fad5fb482fc8.txt", "L101")
    assert not of("seeds/001_68b1fad5fb482fc8.txt", "L102")


# -- text versus table ----------------------------------------------------------------------
def test_seed001_text_vs_table_litigation():
    rel = "seeds/001_68b1fad5fb482fc8.txt"
    fs = of(rel, "C301")
    assert len(fs) == 1
    f = fs[0]
    assert "行政诉讼1次" in f.message and "11" in f.message
    assert line_text(rel, f.line)[f.col - 1] == "1"
    # both places: the two totals of table 四 (10 and 1)
    assert len(f.related) == 2
    assert sorted(line_text(rel, r.line).strip(" |") for r in f.related) == ["1", "10"]
    assert f.numbers["text"] == 1 and f.numbers["table"] == 11


@pytest.mark.parametrize("rel", ["reports/011_huaian_2024.txt", "reports/007_pingtan_2025.txt",
                                 "reports/010_hongzequ_2024.txt", "reports/013_shanghai_kewei_2024.txt"])
def test_text_vs_table_agreeing_or_different_scope_is_quiet(rel):
    assert not of(rel, "C301")


# -- template version ---------------------------------------------------------------------------
@pytest.mark.parametrize("rel", ["reports/009_hongzequ_2023.txt", "reports/010_hongzequ_2024.txt"])
def test_template_version_2019_row_in_2021_report(rel):
    fs = of(rel, "C201")
    assert len(fs) == 1
    assert fs[0].table == "表三" and "（六）其他处理" in fs[0].message


@pytest.mark.parametrize("rel", ["reports/011_huaian_2024.txt", "reports/003_pingtan_2021.txt",
                                 "reports/001_pingtan_2019.txt", "seeds/001_68b1fad5fb482fc8.txt"])
def test_template_version_quiet_on_matching_format(rel):
    assert not of(rel, "C201")


# -- labels that differ from the template (S103/S203 cover them) ----------------------------
def test_label_typos_are_reported_by_the_wording_rules():
    assert any("其他法律行政止公开" in f.message for f in of("reports/009_hongzequ_2023.txt", "S203"))
    assert any("行政法复议" in f.message for f in of("reports/004_pingtan_2022.txt", "S103"))


# -- reports/011: only what a careful reader agrees with ----------------------------------------
def test_huaian_2024_only_agreed_findings():
    mine = my_rule_ids()
    got = sorted({f.rule for f in findings("reports/011_huaian_2024.txt") if f.rule in mine})
    # C102: a 人民政府 report with no 工作考核、社会评议、责任追究 results (《条例》第五十条第（四）项)
    assert got == ["C102"]
    # and as a department nothing is required there
    assert not [f for f in findings("reports/011_huaian_2024.txt", "department") if f.rule in mine]
