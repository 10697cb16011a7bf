"""Rule files are validated when loaded; a bad one names file:line and the problem (exit 2)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import PROVINCE_RULE
from validator.rules import load_rule_file
from validator.yamlload import YamlError

GOOD = "\n" + PROVINCE_RULE  # the rule starts on line 2


def write(tmp_path, text):
    p = tmp_path / "r.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_a_valid_province_rule_loads(tmp_path):
    rules = load_rule_file(write(tmp_path, GOOD))
    assert rules[0].id == "Z901" and rules[0].line == 2


@pytest.mark.parametrize("change,expect", [
    (("kind: equation", "kind: equasion"), "未知的规则类型"),
    (("severity: warning", "severity: fatal"), "未知的严重程度"),
    (("本年新收 +", "本年新收入 +"), "不是表三的行名"),
    (("assert: 本年新收 + 上年结转 == 办理结果总计 + 结转下年度", "assert: 本年新收 +"), "无法解析"),
    (("  table: 表三\n", "  table: 表三\n  colour: red\n"), "不认识字段“colour”"),
    (("id: Z901", "id: z-901"), "规则编号"),
])
def test_malformed_rules_name_file_line_and_problem(tmp_path, change, expect):
    p = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(YamlError) as ei:
        load_rule_file(p)
    msg = str(ei.value)
    assert msg.startswith(f"{p}:") and expect in msg


def test_yaml_syntax_error_has_a_line(tmp_path):
    p = write(tmp_path, "- id: Z1\n  name: [unclosed\n")
    with pytest.raises(YamlError) as ei:
        load_rule_file(p)
    assert f"{p}:" in str(ei.value) and "YAML" in str(ei.value)


def test_cli_exits_2_with_one_line_on_a_bad_rule_dir(tmp_path, corpus):
    d = tmp_path / "rules"
    d.mkdir()
    (d / "bad.yaml").write_text(GOOD.replace("severity: warning", "severity: fatal"), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "validator", "check", "--rules-dir", str(d),
                        str(corpus / "seeds/001_68b1fad5fb482fc8.txt")], capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "bad.yaml:" in r.stderr


def test_a_province_rule_from_an_extra_directory_runs(tmp_path, corpus):
    d = tmp_path / "rules"
    d.mkdir()
    (d / "mine.yaml").write_text(GOOD, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "validator", "check", "--rules-dir", str(d), "-o", "concise",
                        str(corpus / "seeds/001_68b1fad5fb482fc8.txt")], capture_output=True, text=True)
    assert "Z901" in r.stdout and "自然人: 40 != 38" in r.stdout


PATTERN_RULE = """
- id: Z902
  name: my-placeholder
  kind: pattern
  category: content
  severity: warning
  templates: ["2019", "2021", legacy, unknown]
  scope: prose
  patterns:
    - regex: '(?P<gap>XX+)'
      at: gap
      detail: ""
  message: "占位符{detail}"
  message_en: "placeholder"
  explanation: a province's own rule
"""


def _patterns(rule):
    from validator.saferegex import SafePattern
    found = []

    def walk(o):
        if isinstance(o, SafePattern):
            found.append(o)
        elif isinstance(o, (list, tuple)):
            for x in o:
                walk(x)
        elif isinstance(o, dict):
            for x in o.values():
                walk(x)
    walk((rule.compiled, rule.params))   # parameters are compiled when the rules load
    return found


def test_patterns_of_rules_from_other_directories_run_on_the_linear_time_engine(tmp_path):
    from validator.rules import load_rules
    d = tmp_path / "province"
    d.mkdir()
    (d / "mine.yaml").write_text(PATTERN_RULE, encoding="utf-8")
    rules = load_rules((str(d),))
    theirs = _patterns(rules.by_id("Z902"))
    ours = _patterns(rules.by_id("C401"))
    assert theirs and {p.engine for p in theirs} == {"re2"}
    assert ours and {p.engine for p in ours} == {"trusted"}  # shipped, reviewed patterns
