"""The rule kinds of validator/rules/kinds/text.py and metadata.py on small texts: edge cases the rule
examples do not show, and the checks made when rule files load."""

from __future__ import annotations

import textwrap

import pytest

from validator.lint import Options, lint_source
from validator.rules import load_rule_file, load_rules
from validator.source import SourceText
from validator.yamlload import YamlError


def run(text: str, rule: str, **opts):
    src = SourceText.from_original(textwrap.dedent(text).lstrip("\n"), path="<t>")
    return [f for f in lint_source(src, Options(**opts), load_rules()).findings if f.rule == rule]


# -- enumeration ----------------------------------------------------------------------------
def test_enumeration_nested_list_and_continuation_pass():
    text = """
        2016年政府信息公开工作年度报告
        一、概述
        一是健全主动公开制度。确立了以下三项内容：一是征地拆迁；二是干部任用；三是财政预决算。
        二是健全依申请公开制度。
        三是健全监督机制。
        二、主动公开情况
        一是网站。二是微信。
    """
    assert run(text, "C409") == []


def test_enumeration_not_taken_from_ordinary_words():
    text = """
        2016年政府信息公开工作年度报告
        一、概述
        统一是前提，唯一是目标。我们三是而非的说法不取。
    """
    assert run(text, "C409") == []


# -- period ------------------------------------------------------------------------------------
@pytest.mark.parametrize("period,bad", [
    ("本报告所列数据的统计期限自2023年1月1日起至12月31日止。", False),
    ("报告中所列数据统计期限自 2023 年 1 月 1 日\n起至 2023 年 12 月 31 日止。", False),
    ("本报告所列数据的统计期限自至。", True),
    ("本报告统计期限为  年 月 日至 年 月 日。", True),
    ("本报告所列数据的统计期限自2023年1月1日起至。", True),
    ("统计时间内共受理申请十二件。", False),
    ("本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。", True),
])
def test_period(period, bad):
    text = f"2023年政府信息公开工作年度报告\n{period}\n一、总体情况\n本机关政府信息公开工作有序开展。\n"
    assert bool(run(text, "M104")) == bad


# -- deadline ---------------------------------------------------------------------------------
DEPT = """
    某某市财政局2023年政府信息公开工作年度报告
    一、总体情况
    本机关政府信息公开工作有序开展。
    六、其他需要报告的事项
    本年度未收取信息处理费。
    某某市财政局
    2024年2月20日
"""


def test_deadline_department_by_name_and_by_option():
    assert len(run(DEPT, "M106")) == 1                      # 局 → department → 1月31日
    assert run(DEPT, "M106", issuer_kind="government") == []  # set as a government → 3月31日
    f = run(DEPT, "M106")[0]
    assert "2024年1月31日" in f.message and "部门" in f.message


def test_deadline_unknown_issuer_uses_the_later_deadline():
    text = DEPT.replace("某某市财政局\n", "\n").replace("某某市财政局2023年", "2023年")
    assert run(text, "M106") == []


# -- plan year ----------------------------------------------------------------------------------
def test_plan_year_ignores_jiang_as_object_marker_and_next_year():
    text = """
        2016年政府信息公开工作年度报告
        一、概述
        2016年，我区将重点领域信息公开作为工作重点。
        二、问题和措施
        2017年，我们将采取以下措施加以改进。
    """
    assert run(text, "M105") == []


# -- required statements ---------------------------------------------------------------------
def test_government_assessment_only_for_governments():
    text = """
        某某市财政局2023年政府信息公开工作年度报告
        一、总体情况
        本机关政府信息公开工作有序开展。
        五、存在的主要问题及改进情况
        主要问题是政策解读形式单一。下一步将丰富解读形式。
    """
    assert run(text, "C102") == []
    assert len(run(text, "C102", issuer_kind="government")) == 1


# -- text versus table --------------------------------------------------------------------------
TABLE3 = """
    三、收到和处理政府信息公开申请情况
    | 一、本年新收政府信息公开申请数量 | 38 | | | | | | |
    | 二、上年结转政府信息公开申请数量 | 2 | | | | | | |
"""


def test_text_vs_table_blank_total_uses_the_row_sum():
    text = "2019年政府信息公开工作年度报告\n一、总体情况\n全年受理依申请公开38件。\n" + textwrap.dedent(TABLE3)
    assert run(text, "C301") == []
    text = text.replace("受理依申请公开38件", "受理依申请公开36件")
    fs = run(text, "C301")
    assert len(fs) == 1 and "36" in fs[0].message and "38" in fs[0].message
    # with the carry-over the text may count 38 + 2
    text = text.replace("受理依申请公开36件", "收到政府信息公开申请40件（含上年结转2件）")
    assert run(text, "C301") == []


def test_text_vs_table_part_of_the_whole_is_not_compared():
    text = ("2019年政府信息公开工作年度报告\n一、总体情况\n区政府办代表区政府受理政府信息公开申请 17 件。\n"
            + textwrap.dedent(TABLE3))
    assert run(text, "C301") == []


# -- blank numbers ----------------------------------------------------------------------------
def test_blank_number_not_in_tables_and_not_before_digits():
    text = """
        2023年政府信息公开工作年度报告
        一、总体情况
        主动公开政府信息 810余条，新增公开市政府规章 1 件。
        二、主动公开政府信息情况
        | 第二十条第（一）项 | | | |
        | 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
        | 规章 | 0 | 0 | 0 |
    """
    assert run(text, "C401") == []


# -- rule files ---------------------------------------------------------------------------------
def _rule_file(tmp_path, body: str):
    p = tmp_path / "r.yaml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def test_bad_regex_in_a_rule_file_names_file_and_line(tmp_path):
    p = _rule_file(tmp_path, """
        - id: Z901
          name: broken
          kind: pattern
          category: format
          severity: info
          message: x
          patterns: ['(unclosed']
    """)
    with pytest.raises(YamlError) as e:
        load_rule_file(p)
    # the line of the bad value, the rule and the key
    assert "r.yaml:8:" in str(e.value) and "Z901" in str(e.value) and "patterns[1]" in str(e.value)


def test_text_vs_table_phrase_needs_a_number_group(tmp_path):
    p = _rule_file(tmp_path, """
        - id: Z902
          name: no-group
          kind: prose_numbers
          category: consistency
          severity: info
          message: x
          quantities:
            - {name: 申请, phrases: ['收到申请\\d+件'], equals: [表三.本年新收.总计]}
    """)
    with pytest.raises(YamlError, match="命名组"):
        load_rule_file(p)


def test_lookaround_pattern_uses_the_timed_fallback(tmp_path):
    p = _rule_file(tmp_path, """
        - id: Z903
          name: lookbehind
          kind: pattern
          category: format
          severity: info
          message: "{match}"
          patterns: ['(?<=公开)XX']
    """)
    (rule,) = load_rule_file(p)
    pat = rule.params["patterns"][0]["regex"]
    assert pat.engine == "regex"
