"""The shipped rules' patterns run on the standard library's `re` when they mean exactly the
same there as in the `regex` module (validator/saferegex.py: stdlib_form) — a cold start
compiles them several times faster.  These tests check that meaning: the same matches
(spans, groups) on every corpus text and on every code point, the character classes that
stand for \\s and \\d equal to the `regex` module's own, and the constructs whose meaning
differs between the engines left to `regex`."""

from __future__ import annotations

import array
import re
from pathlib import Path

import pytest
import regex

from validator import saferegex
from validator.rules import load_rules
from validator.saferegex import _HEX_BRACE, SafePattern, _compile_trusted, stdlib_form

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EVERY = array.array("I", range(0x110000)).tobytes().decode("utf-32-le", "surrogatepass")


def _shipped_patterns() -> list[str]:
    rules = load_rules(())
    seen: set[str] = set()
    stack = [rules]
    ids = set()
    while stack:        # every SafePattern reachable from the loaded rules
        o = stack.pop()
        if id(o) in ids:
            continue
        ids.add(id(o))
        if isinstance(o, SafePattern):
            if o.engine == "trusted":
                seen.add(o.pattern)
        elif isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif hasattr(o, "__dict__") and type(o).__module__.startswith("validator"):
            stack.extend(vars(o).values())
    return sorted(seen)


def _matches(compiled, text):
    return [(m.span(), m.groups(), m.groupdict()) for m in compiled.finditer(text)]


def test_white_space_and_digit_classes_equal_the_regex_module():
    for esc, form in [(r"\s", saferegex.WHITE_SPACE_RE), (r"\S", saferegex.NOT_WHITE_SPACE_RE)]:
        assert [m.start() for m in re.finditer(form, EVERY)] == \
            [m.start() for m in regex.finditer(esc, EVERY, flags=regex.V0)], esc
    classes = saferegex.unicode_classes()
    extra = classes["digits"]
    assert extra is not None
    for esc, form in [(r"\d", f"[\\d{extra}]"), (r"\D", f"[^\\d{extra}]")]:
        assert [m.start() for m in re.finditer(form, EVERY)] == \
            [m.start() for m in regex.finditer(esc, EVERY, flags=regex.V0)], esc
    for esc, form in [(r"[\s]", f"[{saferegex.WHITE_SPACE_BODY}]"),
                      (r"[^\s]", f"[^{saferegex.WHITE_SPACE_BODY}]")]:
        assert [m.start() for m in re.finditer(form, EVERY)] == \
            [m.start() for m in regex.finditer(esc, EVERY, flags=regex.V0)], esc


def test_shipped_patterns_on_re_find_the_same_matches_as_on_regex():
    texts = [p.read_text(encoding="utf-8", errors="replace")
             for p in sorted(CORPUS.rglob("*")) if p.suffix in (".txt", ".md")]
    assert len(texts) >= 10
    texts.append(EVERY[:0xD800] + EVERY[0xE000:0x30000] + " \x1c\x1d 12\u30003\u00a0４")
    pats = _shipped_patterns()
    assert len(pats) > 100
    on_re = 0
    for p in pats:
        c = _compile_trusted(p)
        if not isinstance(c, re.Pattern):
            continue
        on_re += 1
        r = regex.compile(_HEX_BRACE.sub(lambda m: "\\U%08x" % int(m.group(1), 16), p), regex.V0)
        assert c.groupindex == dict(r.groupindex), p
        for t in texts:
            assert _matches(c, t) == _matches(r, t), p
    assert on_re > len(pats) // 2     # most of them: that is the point


@pytest.mark.parametrize("pattern", [
    r"\w+", r"a\b", r"\p{Han}", r"\pL", r"(?i:page)", r"(?i)x", r"a(?m)^a", r"(?s).", r"a{e<=1}", r"a{,}", r"[^\S]",
    r"[\D]", r"[[:alpha:]]", r"[[a]]", r"(?P=n)", r"(?>a)", r"a\K", r"\N{BULLET}", r"[a", "a\\",
])
def test_constructs_that_differ_stay_on_regex(pattern):
    assert stdlib_form(pattern) is None


@pytest.mark.parametrize("pattern, form", [
    (r"a\s*b", r"a[^\S\x1c-\x1f]*b"),
    (r"[^\]x]\S", r"[^\]x][\S\x1c-\x1f]"),
    (r"(?:19|20)x{2}[，,]?(?P<n>y)", r"(?:19|20)x{2}[，,]?(?P<n>y)"),
    (r"\.\(\)\[\\", r"\.\(\)\[\\"),
    (r"(?m)^[ \t]*\?+$", r"(?m)^[ \t]*\?+$"),
    (r"[,\s]", "[," + saferegex.WHITE_SPACE_BODY + "]"),
])
def test_stdlib_form_spells_out_white_space(pattern, form):
    assert stdlib_form(pattern) == form


def test_a_pattern_re_refuses_falls_back_to_regex():
    # variable-width look-behind: `regex` takes it, `re` does not
    c = _compile_trusted(r"(?<=ab|c)d")
    assert not isinstance(c, re.Pattern)
    assert [m.start() for m in c.finditer("abd cd")] == [2, 5]
