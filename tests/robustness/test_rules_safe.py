"""Rules are safe (issue 6): rule files written by a province's staff cannot run code, reach
Python objects, hang the run or crash it; a bad one is refused with file:line: problem."""

from __future__ import annotations

import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from validator.expr import ExprError, check, compile_expr
from validator.rules import load_rule_file
from validator.saferegex import PatternTimeout, compile_safe
from validator.yamlload import YamlError, load_yaml_text

from tests.conftest import PROVINCE_RULE

from .conftest import assert_clean, cli

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REPORT = CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt"

GOOD = PROVINCE_RULE


# --------------------------------------------------------------------------------------
# YAML: safe loader only
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:validator.rules.Rule {{}}",
])
def test_python_tags_are_refused(tmp_path, tag):
    marker = tmp_path / "pwned"
    text = f"- id: Z901\n  name: x\n  kind: {tag.format(marker=marker)}\n"
    with pytest.raises(YamlError) as ei:
        load_yaml_text(text, "evil.yaml")
    assert str(ei.value).startswith("evil.yaml:")
    assert not marker.exists()


def test_yamlload_uses_a_safe_loader():
    from validator import yamlload
    assert issubclass(yamlload._Loader, (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    assert not issubclass(yamlload._Loader, (yaml.UnsafeLoader, yaml.FullLoader))


def test_python_tag_in_a_rules_dir_is_exit_2_with_file_and_line(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    marker = tmp_path / "pwned"
    (d / "evil.yaml").write_text(GOOD.replace("kind: equation", f"kind: !!python/object/apply:os.system ['touch {marker}']"),
                                 encoding="utf-8")
    r = cli("check", "--rules-dir", d, REPORT)
    err = assert_clean(r)
    assert r.returncode == 2 and "evil.yaml:3:" in err
    assert not marker.exists()


def test_billion_laughs_in_a_rule_file_is_quick(tmp_path):
    lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lol.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    lol.append("rules: *i")
    p = tmp_path / "lol.yaml"
    p.write_text("\n".join(lol) + "\n", encoding="utf-8")
    t = time.perf_counter()
    with pytest.raises(YamlError) as ei:
        load_rule_file(p)
    assert time.perf_counter() - t < 5
    assert str(ei.value).startswith(f"{p}:")


# --------------------------------------------------------------------------------------
# the expression language reaches no Python object
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("src", [
    "__import__('os').system('true') == 1",
    "().__class__.__bases__[0] == 1",
    "a.__class__ == 1",
    "getattr(a, 'b') == 1",
    "eval('1') == 1",
    "exec('x') == 1",
    "a[0] == 1",
    "a if b else c",
    "lambda: 1",
    "open('/etc/passwd') == 1",
    "{} == 1",
    "'x' == 'x'",
    "a ** 999999999 == 1",
    "a * b == c",
    "sum(__builtins__) == 1 and 1",
    "a == 1; import os",
    "1 == 1 # comment",
])
def test_expressions_that_would_reach_python_are_rejected(src):
    with pytest.raises(ExprError):
        compile_expr(src)


def test_dunder_names_are_only_looked_up_in_the_table():
    """A name is never an attribute: `__class__` is a row name looked up by the resolver."""
    seen = []

    def resolve(name):
        seen.append(name)
        return Decimal(1)
    e = compile_expr("__class__ + __globals__ == __builtins__ + sum(__import__, os)")
    out = check(e, resolve)
    assert out.holds is False and out.lhs == 2 and out.rhs == 3
    assert seen == ["__class__", "__globals__", "__builtins__", "__import__", "os"]


def test_huge_expression_is_refused_or_quick():
    src = " + ".join(["本年新收"] * 5000) + " == 1"
    t = time.perf_counter()
    try:
        compile_expr(src)
    except (ExprError, RecursionError):  # pragma: no cover - either is fine, quickly
        pass
    assert time.perf_counter() - t < 10


@pytest.mark.parametrize("msg,problem", [
    ("{column.__class__.__mro__}", "占位符"),
    ("{lhs.__class__.__init__.__globals__}", "占位符"),
    ("{column[0]}", "占位符"),
    ("{0}", "占位符"),
    ("{}", "占位符"),
    ("{lhs:>999999999}", "格式说明"),
    ("{lhs:{rhs}}", "格式说明"),
    ("缺少右括号 {column", "花括号"),
    ("多了一个 } 号", "花括号"),
])
def test_message_templates_cannot_reach_python_objects(tmp_path, msg, problem):
    p = tmp_path / "r.yaml"
    p.write_text(GOOD.replace('"{column}: {lhs} != {rhs}"', yaml.safe_dump(msg, allow_unicode=True).strip().splitlines()[0]),
                 encoding="utf-8")
    with pytest.raises(YamlError) as ei:
        load_rule_file(p)
    assert str(ei.value).startswith(f"{p}:9:") and problem in str(ei.value), str(ei.value)


def test_detail_templates_inside_patterns_are_checked(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(textwrap.dedent("""\
        - id: Z902
          name: debris
          kind: pattern
          category: format
          severity: info
          message: "残留：{detail}"
          patterns:
            - regex: "xx+"
              detail: "{match.__class__}"
        """), encoding="utf-8")
    with pytest.raises(YamlError) as ei:
        load_rule_file(p)
    assert str(ei.value).startswith(f"{p}:") and "占位符" in str(ei.value)


# --------------------------------------------------------------------------------------
# regular expressions: linear time or a timeout
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$", r"(a|a?)+b", r"(\w+\s?)*$", r"(.*a){20}"])
def test_catastrophic_pattern_finishes_fast(pattern):
    pat = compile_safe(pattern)
    t = time.perf_counter()
    list(pat.finditer("a" * 30000 + "!"))
    assert time.perf_counter() - t < 2


@pytest.mark.parametrize("pattern", [r"(a+)+(?=b)", r"(?<=x)(a|aa)+$", r"(a+)+\1$"])
def test_catastrophic_pattern_needing_the_fallback_engine_times_out(pattern):
    pat = compile_safe(pattern)
    assert pat.engine != "re2"
    t = time.perf_counter()
    try:
        list(pat.finditer("a" * 40 + "!"))
    except PatternTimeout:
        pass
    assert time.perf_counter() - t < 3


def test_catastrophic_pattern_in_a_rule_file_does_not_hang_the_run(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    (d / "slow.yaml").write_text(textwrap.dedent("""\
        - id: Z903
          name: slow-pattern
          kind: pattern
          category: format
          severity: info
          message: "{match}"
          patterns:
            - "(a+)+(?=b)"
            - "(x+x+)+y"
        """), encoding="utf-8")
    rep = tmp_path / "r.txt"
    rep.write_text(REPORT.read_text(encoding="utf-8") + "\n" + "a" * 5000 + "\n" + "x" * 5000 + "\n", encoding="utf-8")
    t = time.perf_counter()
    r = cli("check", "--rules-dir", d, "--timeout", "20", "-o", "concise", rep)
    assert_clean(r)
    assert time.perf_counter() - t < 20
    assert b"P091" not in r.stdout


# --------------------------------------------------------------------------------------
# malformed rule files: exit 2, file:line: problem
# --------------------------------------------------------------------------------------
MALFORMED = {
    "syntax": ("- id: Z901\n  name: [unclosed\n", "bad.yaml:3:"),
    "tab_indent": ("- id: Z901\n\tname: x\n", "bad.yaml:2:"),
    "not_a_list": ("id: Z901\nname: x\n", "bad.yaml:1:"),
    "unknown_kind": (GOOD.replace("kind: equation", "kind: equasion"), "bad.yaml:3:"),
    "bad_severity": (GOOD.replace("severity: warning", "severity: fatal"), "bad.yaml:8:"),
    "unknown_field": (GOOD.replace("  table: 表三\n", "  table: 表三\n  colour: red\n"), "bad.yaml:5:"),
    "bad_expression": (GOOD.replace("== 办理结果总计 + 结转下年度", "=="), "bad.yaml:6:"),   # the assert line
    "unknown_row": (GOOD.replace("本年新收 +", "本年新收入 +"), "bad.yaml:6:"),
    "bad_regex": (textwrap.dedent("""\
        - id: Z904
          name: bad-regex
          kind: pattern
          category: format
          severity: info
          message: "x"
          patterns: ["(unclosed"]
        """), "bad.yaml:7:"),
    "duplicate_id": (GOOD + GOOD.replace("my-balance", "other-name"), "bad.yaml:10:"),
    "bad_template": (GOOD.replace("{column}:", "{column.__dict__}:"), "bad.yaml:9:"),
    "python_tag": (GOOD.replace("severity: warning", "severity: !!python/name:os.system"), "bad.yaml:8:"),
    "not_utf8": (None, "bad.yaml"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_rule_files_exit_2_naming_file_and_line(tmp_path, case):
    text, where = MALFORMED[case]
    d = tmp_path / "rules"
    d.mkdir()
    p = d / "bad.yaml"
    if text is None:
        p.write_bytes(GOOD.encode("gbk").replace(b"warning", b"\xff\xfe"))
    else:
        p.write_text(text, encoding="utf-8")
    r = cli("check", "--rules-dir", d, REPORT)
    err = assert_clean(r)
    assert r.returncode == 2, err
    assert where in err, err
