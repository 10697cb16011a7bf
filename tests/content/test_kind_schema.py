"""Rule kinds validate their parameter *values* when the rules load (issues 12 and 16.3): a
value that does not fit is exit 2 with one line naming the rule file and line, the rule, the
key and what is allowed — never another check run silently, never a failure on the first
report.  Cases from ../shared/hostile/rules about parameter values are copied to
data/hostile_rules (each `evil.yaml` with the report it was run on)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import corpus_file

DATA = Path(__file__).parent / "data" / "hostile_rules"
REPORT = corpus_file("seeds/001_68b1fad5fb482fc8.txt")


def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "validator", *map(str, args)], capture_output=True,
                          timeout=timeout)


def rules_dir(tmp_path, body: str) -> Path:
    d = tmp_path / "province"
    d.mkdir(exist_ok=True)
    (d / "mine.yaml").write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return d


def error_line(r) -> str:
    err = r.stderr.decode("utf-8")
    assert r.returncode == 2, (r.returncode, err[-500:])
    assert "Traceback" not in err and "内部错误" not in err, err[-500:]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    return lines[0]


# -- the three must-shows --------------------------------------------------------------
def test_check_stat_is_refused_naming_file_line_key_and_the_checks_allowed(tmp_path):
    d = rules_dir(tmp_path, """
        - id: Z921
          name: my-period
          kind: dates
          check: stat
          category: metadata
          severity: warning
          message: "{detail}"
        """)
    line = error_line(cli("check", "--rules-dir", d, REPORT))
    assert "mine.yaml:4:" in line and "Z921" in line and "check" in line and "“stat”" in line
    assert "period-stated" in line and "deadline" in line and "impossible" in line


def test_a_string_where_a_list_is_due_is_refused(tmp_path):
    # `match: fuzzy` written as a string once loaded and never fired
    d = rules_dir(tmp_path, """
        - id: Z922
          name: my-labels
          kind: labels
          of: rows
          match: fuzzy
          category: structure
          severity: info
          message: "{found}"
        """)
    line = error_line(cli("check", "--rules-dir", d, REPORT))
    assert "mine.yaml:5:" in line and "Z922" in line and "match" in line and "应为列表" in line
    for allowed in ("exact", "variant", "legacy", "fuzzy", "other-format"):
        assert allowed in line


def test_an_unknown_choice_is_refused_with_the_allowed_values(tmp_path):
    d = rules_dir(tmp_path, """
        - id: Z923
          name: my-cells
          kind: cells
          find: zeros
          category: format
          severity: info
          message: "{table}"
        """)
    line = error_line(cli("check", "--rules-dir", d, REPORT))
    assert "mine.yaml:4:" in line and "Z923" in line and "find" in line and "“zeros”" in line
    assert "values、blank、unfilled、unreadable" in line


# -- every kind: values of the wrong type, out of range, unknown ---------------------------
BASE = {
    "diagnostics": "diagnostic: section-missing",
    "labels": "of: rows",
    "numbering": "of: items",
    "equation": "table: 表三\n  assert: 本年新收 + 上年结转 == 办理结果总计 + 结转下年度",
    "cells": "find: values",
    "pattern": "patterns: ['总体情况']",
    "content": "part: sections\n  sections: [总体情况]\n  groups: [{name: 主动公开, any: ['主动公开']}]",
    "prose_numbers": "quantities: [{name: 申请, phrases: ['收到申请(?P<n>\\d+)件'], equals: [表三.本年新收.总计]}]",
    "prose_sum": "totals: ['共(?P<n>\\d+)(?P<unit>件)']",
    "dates": "check: deadline\n  deadlines: {government: 3-31}",
    "reader_notes": "note: no-text-layer",
    "copied_text": "against: previous",
    "compare_copies": "of: cells",
}

BAD = [  # (kind, extra or replaced parameter lines, the key the error names, a word of what is allowed)
    ("diagnostics", "diagnostic: section-gone", "diagnostic", "section-missing"),
    ("diagnostics", "diagnostic: section-missing\n  per_table: yes please", "per_table", "true"),
    ("diagnostics", "diagnostic: section-missing\n  problems: {section-gone: x}", "problems", "section-missing"),
    ("labels", "of: paragraphs", "of", "sections"),
    ("numbering", "of: items\n  marker: '[一二三]是'", "marker", "num"),
    ("equation", "table: 表五\n  assert: 本年新收 == 结转下年度", "table", "表三"),
    ("equation", "table: 表三\n  assert: 本年新收 == 结转下年度\n  for_each: cell", "for_each", "column"),
    ("equation", "table: 表三\n  assert: 本年新收 + 本年新收入 == 结转下年度", "assert", "本年新收入"),
    ("equation", "table: 表三\n  assert: 本年新收 == 结转下年度\n  columns: 自然人", "columns", "应为列表"),
    ("equation", "table: 表三\n  assert: 本年新收 == 结转下年度\n  columns: [自然人, 路人]", "columns", "路人"),
    ("equation", "table: 表三\n  assert: 本年新收 == 结转下年度\n  fix: 总计", "fix", "本年新收"),
    ("cells", "find: unreadable\n  reasons: [ambiguous, unclear]", "reasons[2]", "impossible"),
    ("cells", "find: values\n  tables: [表九]", "tables[1]", "表四"),
    ("pattern", "patterns: ['总体情况']\n  max: 0", "max", "1到10000"),
    ("pattern", "patterns: ['总体情况']\n  scope: everything", "scope", "prose"),
    ("pattern", "patterns: ['总体(情况']", "patterns[1].regex", "正则表达式"),
    ("pattern", "patterns: [{regex: '总体情况', colour: red}]", "patterns[1]", "regex"),
    ("pattern", "patterns: ['总体情况']\n  merge: 1", "merge", "true"),
    ("pattern", "patterns: ['总体情况']\n  year_group: year", "patterns[1].regex", "year"),
    ("content", "part: chapter", "part", "attachments"),
    ("content", "part: sections\n  sections: [总体情况]\n  groups: [{any: ['主动']}]", "groups[1].name", "缺少"),
    ("content", "part: sections\n  sections: [总体情况]\n  groups: [{name: x}]", "groups[1]", "any"),
    ("content", "part: sections\n  sections: [总体情况]\n  min_chars: -3", "min_chars", "1到100000"),
    ("content", "part: sections\n  sections: [总则]\n  min_chars: 10", "sections[1]", "问题改进"),
    ("content", "part: report\n  groups: [{name: x, any: ['x']}]\n  when: village", "when", "government"),
    ("prose_numbers", "quantities: [{name: 申请, phrases: ['收到申请\\d+件'], equals: [表三.本年新收.总计]}]",
     "quantities[1].phrases[1]", "(?P<n>"),
    ("prose_numbers", "quantities: [{name: 申请, phrases: ['(?P<n>\\d+)件'], equals: [表三.本年新到.总计]}]",
     "quantities[1].equals[1][1]", "不是表三的行名"),
    ("prose_numbers", "quantities: [{name: 申请, phrases: ['(?P<n>\\d+)件']}]", "quantities[1]", "equals"),
    ("prose_sum", "totals: ['共(?P<n>\\d+)件']", "totals[1]", "unit"),
    ("dates", "check: deadline\n  deadlines: {government: 2-30}", "deadlines.government", "月-日"),
    ("dates", "check: deadline\n  deadlines: {government: '0-0'}", "deadlines.government", "月-日"),
    ("dates", "check: deadline\n  deadlines: {province: 3-31}", "deadlines", "government"),
    ("dates", "check: deadline", "deadlines", "缺少"),
    ("dates", "check: period\n  deadlines: {government: 3-31}", "deadlines", "deadline"),
    ("reader_notes", "note: [no-text-layer]", "note", "文本"),
    ("copied_text", "against: previous\n  threshold: 1.5", "threshold", "0"),
    ("copied_text", "against: peer\n  unit: year-sentence", "against", "previous"),
    ("compare_copies", "of: tables", "of", "sections"),
]


def _rule(kind: str, params: str) -> str:
    return (f"- id: Z930\n  name: z-rule\n  kind: {kind}\n  {params}\n  category: content\n"
            "  severity: info\n  message: \"x\"\n")


@pytest.mark.parametrize("kind,params,key,allowed", BAD, ids=[f"{k}-{key}-{i}" for i, (k, _p, key, _a) in enumerate(BAD)])
def test_a_bad_parameter_value_is_refused_at_load(tmp_path, kind, params, key, allowed):
    from validator.rules import load_rule_file
    from validator.yamlload import YamlError
    p = tmp_path / "mine.yaml"
    p.write_text(_rule(kind, params), encoding="utf-8")
    with pytest.raises(YamlError) as e:
        load_rule_file(p)
    msg = str(e.value)
    m = re.match(r"(.+mine\.yaml):(\d+): Z930: (.*)$", msg)
    assert m, msg
    assert "\n" not in msg and len(m.group(3)) < 500
    assert key in m.group(3) and allowed in m.group(3), msg
    # the line is the line of the key (or of the rule, for a missing key)
    line = int(m.group(2))
    text = p.read_text(encoding="utf-8").splitlines()
    top = key.split(".")[0].split("[")[0]
    assert top in text[line - 1] or text[line - 1].startswith("- id"), (line, text[line - 1])


@pytest.mark.parametrize("kind", sorted(BASE))
def test_the_base_rule_of_every_kind_loads(tmp_path, kind):
    from validator.rules import load_rule_file
    p = tmp_path / "mine.yaml"
    p.write_text(_rule(kind, BASE[kind]), encoding="utf-8")
    (rule,) = load_rule_file(p)
    assert rule.kind == kind


def test_defaults_are_filled_in_and_typed():
    from validator.rules import load_rules
    rules = load_rules()
    c409 = rules.by_id("C409")
    assert c409.params == {"of": "items", "marker": None}
    f502 = rules.by_id("F502")
    assert f502.params["tables"] == [] and f502.params["reasons"] == ["ambiguous", "extra", "none", "missing"]
    m106 = rules.by_id("M106")
    assert m106.params["deadlines"] == {"government": (3, 31), "department": (1, 31), "legacy": (3, 31)}


def test_an_earlier_kind_name_says_what_it_is_now(tmp_path):
    d = rules_dir(tmp_path, """
        - id: Z924
          name: my-deadline
          kind: deadline
          deadlines: {government: "2-20"}
          category: metadata
          severity: warning
          message: "{date}"
        """)
    line = error_line(cli("check", "--rules-dir", d, REPORT))
    assert "mine.yaml:3:" in line and "dates" in line and "check: deadline" in line


def test_a_provincial_deadline_rule_runs(tmp_path):
    # some provinces monitor departments at 3月31日 too: the deadline table is a parameter
    d = rules_dir(tmp_path, """
        - id: Z925
          name: provincial-deadline
          kind: dates
          check: deadline
          deadlines: {government: "1-15", department: "1-15"}
          category: metadata
          severity: warning
          message: "{how}是{date}，晚于本省规定的{due}"
        """)
    r = cli("check", "-o", "json", "--select", "Z925,M106", "--rules-dir", d, REPORT)
    found = {f["rule"]: f for f in json.loads(r.stdout)["findings"]}
    # seeds/001 is signed 2020年1月22日: late for the province (1月15日), in time for the 条例 (3月31日)
    assert set(found) == {"Z925"} and "2020年1月22日" in found["Z925"]["message"] and "2020年1月15日" in found["Z925"]["message"]
    assert found["Z925"]["line"] == 186      # the signature date


def test_a_year_group_holding_digits_int_refuses_is_no_match_not_a_failure(tmp_path):
    """A year_group capture of digit characters that are not decimal digits (a superscript:
    "2⁰19") is not the report's year — no match — instead of a rule that cannot run (exit 2);
    full-width digits (２０１９) are a year like any other."""
    d = rules_dir(tmp_path, """
        - id: Z926
          name: year-words
          kind: pattern
          patterns:
            - regex: '(?P<year>\\S{4})年度计划'
          year_group: year
          category: content
          severity: info
          message: "本年度计划"
        """)
    text = REPORT.read_text(encoding="utf-8")
    report = tmp_path / "r.txt"
    text += "\n2⁰19年度计划。\n２０１９年度计划。\n"
    report.write_text(text, encoding="utf-8")
    r = cli("check", "-o", "json", "--select", "Z926", "--rules-dir", d, report)
    assert r.returncode == 0 and not r.stderr, r.stderr.decode("utf-8")[-500:]   # an info finding
    found = json.loads(r.stdout)["findings"]
    assert [f["rule"] for f in found] == ["Z926"] and found[0]["line"] == text.splitlines().index("２０１９年度计划。") + 1


# -- the hostile rule directories about parameter values -------------------------------
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())


def test_the_hostile_value_cases_are_here():
    assert len(CASES) == 17


@pytest.mark.parametrize("case", CASES)
def test_hostile_parameter_values_end_in_one_line_naming_file_and_line(case):
    t = time.perf_counter()
    r = cli("check", "-o", "json", "--rules-dir", DATA / case, DATA / "report.txt")
    secs = time.perf_counter() - t
    assert secs < 10
    line = error_line(r)
    assert re.search(re.escape(case) + r"/evil\.yaml:\d+: Z9\d\d: ", line), line
    assert len(line) <= 400


# -- xxgk-lint kinds -----------------------------------------------------------------------
def test_kinds_lists_every_kind_with_its_parameters():
    from validator.rules.kinds import KINDS
    r = cli("kinds", "-o", "json")
    doc = json.loads(r.stdout)
    assert r.returncode == 0
    assert doc["count"] == len(KINDS) == len(doc["kinds"]) and doc["count"] <= 15
    names = {k["kind"] for k in doc["kinds"]}
    assert names == set(KINDS)
    for k in doc["kinds"]:
        assert k["doc"] and k["parameters"], k["kind"]
        for p in k["parameters"]:
            assert p["type"] and p["doc"], (k["kind"], p["name"])
    # every shipped rule is of a listed kind or emitted by the core
    from validator.rules import load_rules
    for rule in load_rules().rules:
        assert rule.kind in names or rule.emitted_by, rule.id
    assert {"M106", "M107", "M103", "M104"} <= set(next(k for k in doc["kinds"] if k["kind"] == "dates")["rules"])


def test_kinds_rich_and_markdown_name_every_parameter():
    from validator.rules.kinds import KINDS
    rich = cli("kinds").stdout.decode("utf-8")
    md = cli("kinds", "-o", "markdown").stdout.decode("utf-8")
    en = cli("kinds", "--lang", "en").stdout.decode("utf-8")
    assert f"共{len(KINDS)}种" in rich and f"rule kinds: {len(KINDS)}" in en
    for name, k in KINDS.items():
        assert f"`{name}`" in md and name in rich
        for p in k.params:
            assert f"`{p.name}`" in md, (name, p.name)
