"""The bounds behind "rule and config files are untrusted input" (issue 16.3), one by one:
alias expansion, regex expansion in the fallback engine, expression size, value quoting."""

from __future__ import annotations

import pytest

from validator.expr import ExprError, compile_expr
from validator.saferegex import MAX_FALLBACK_SIZE, PatternError, compile_safe, expanded_size
from validator.yamlload import MAX_ALIAS_EXPANSION, YamlError, load_yaml_text, quote


def test_shared_anchors_of_a_real_size_are_fine():
    text = "t: &t [\"2019\", \"2021\"]\n" + "".join(f"r{i}: {{templates: *t}}\n" for i in range(500))
    data = load_yaml_text(text)
    assert data["r499"]["templates"] == ["2019", "2021"]


def test_alias_expansion_over_the_bound_is_refused_quickly():
    import time
    levels = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefg", "bcdefgh"))
    t = time.perf_counter()
    with pytest.raises(YamlError) as exc:
        load_yaml_text(levels, "r.yaml")
    assert time.perf_counter() - t < 1
    msg = str(exc.value)
    assert msg.startswith("r.yaml:1:") and "展开" in msg and "\n" not in msg
    assert int(msg.split("上限 ")[1].split("（")[0].replace(",", "")) >= MAX_ALIAS_EXPANSION


def test_a_self_containing_alias_is_refused():
    with pytest.raises(YamlError, match="循环引用"):
        load_yaml_text("a: &x [1, *x]\n", "r.yaml")


@pytest.mark.parametrize("pattern, small", [
    ("(?:(?:a{1000}){1000}){1000}", False),   # RE2 refuses; `regex` would take gigabytes
    ("(?:(?:ab){1000,}){100,}", False),
    ("(?<=x)(?:[\\s\\S]{1,1000}){1,1000}y", True),  # optional copies are not written out
    ("(?<=\\p{Han}{3})年", True),
    ("[{]{5}(?=x)", True),
])
def test_fallback_engine_size_is_measured_before_compiling(pattern, small):
    assert (expanded_size(pattern) <= MAX_FALLBACK_SIZE) == small
    if small:
        assert compile_safe(pattern).engine in ("re2", "regex")
    else:
        with pytest.raises(PatternError) as exc:
            compile_safe(pattern)
        assert "展开" in str(exc.value) and len(str(exc.value)) < 300


@pytest.mark.parametrize("source, why", [
    (" - ".join(["本年新收"] * 50_000) + " == 0", "太长"),
    (" + ".join(["本年新收"] * 600) + " == 0", "项"),
    ("(" * 40 + "本年新收" + ")" * 40 + " == 0", "嵌套"),
    ("本年新收 + " + "9" * 100_000 + " == 0", "太长"),
    ("本年新收 + " + "9" * 40 + " == 0", "位"),
])
def test_expressions_of_absurd_size_are_refused_with_one_short_line(source, why):
    with pytest.raises(ExprError) as exc:
        compile_expr(source)
    msg = str(exc.value)
    assert why in msg and "\n" not in msg and len(msg) < 200


def test_template_sized_expressions_still_compile():
    e = compile_expr("予以公开 + 部分公开 + 不予公开 + 无法提供 + 不予处理 + 其他处理 == 办理结果总计")
    assert len(e.names) == 7


def test_quote_shows_one_short_line():
    assert quote("第一行\n第二行") == "第一行…"
    assert quote("x" * 1000).endswith("…") and len(quote("x" * 1000)) <= 61
    assert quote(list(range(10 ** 5))) == "（列表，100000项）"
