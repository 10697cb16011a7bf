"""A rule's pattern is compiled and run on a text only if the text holds the literals every
match of it contains (validator/saferegex.py: required_literals) — a cold check compiles
only the patterns that can match.  These tests check that what is read as required really is
in every match (all shipped patterns, every corpus text), that a text without it gives no
match without compiling, and that constructs whose literals are not certain require nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import regex

from validator.saferegex import SafePattern, _compile_engine, required_literals
from tests.core.test_stdlib_patterns import _shipped_patterns

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.parametrize("pattern, required", [
    (r"ab(?:cd|ef)g+", (("ab",), ("cd", "ef"), ("g",))),
    (r"收到\s*(?P<n>\d+)\s*件", (("收到",), ("件",))),
    (r"\[(?i:page)\]", (("[",), ("]",))),
    (r"(?P<m>\[(?:x|y)\])", (("[",), ("x", "y"), ("]",))),
    (r"(?m)^共\d+项$", (("共",), ("项",))),
    (r"abc?d*e{0,2}f{2}", (("ab",), ("f",))),
    (r"(?:甲|乙)?丙", (("丙",),)),
    # a class listing a few plain characters requires one of them (pinyin with a tone mark)
    (r"\p{Han}\([a-z]*[āáǎà][a-z]*\)", (("(",), ("ā", "á", "ǎ", "à"), (")",))),
    (r"[ab]+c", (("a", "b"), ("c",))),
    # … unless it may be absent, is negated, has ranges or escapes
    (r"[ab]?c[ab]*[ab]{0,2}", (("c",),)),
    (r"[^ab]c[a-b]d[\dx]e", (("c",), ("d",), ("e",))),
    # escapes that stand for one character are that character (in a class too)
    (r"\x{FFFD}+", (("\ufffd",),)),
    (r"a\x41\tb[ \t]+c[\-\]]", (("aA\tb",), (" ", "\t"), ("c",), ("-", "]"))),
    # escapes read to their end: \uHHHH is no literal "HHHH"; a back-reference requires nothing
    (r"a\u0041b", (("a",), ("b",))),
    (r"(a)\1b", ()),
])
def test_required_literals_read_from_the_sequence(pattern, required):
    assert sorted(required_literals(pattern)) == sorted(required)


@pytest.mark.parametrize("pattern", [
    r"a|b", r"(?i)abc", r"x(?i)abc", r"(?s)a.b", r"(?#c)abc", r"\Qa|b\E", r"a{e<=1}", r"(?:ab){e<=1}",
    r"[abc]+", r"\d+", r"(?i:abc)", r"(?=abc)", r"(?<=abc)", r"(?:abc)?", r"(?:abc)*", r"(?:abc){0,3}",
    r"(?:|abc)", r"(?:a.c|d)", r"\p{Han}+", r"[[a-z]--[aeiou]]x",
])
def test_uncertain_constructs_require_nothing(pattern):
    reqs = required_literals(pattern)
    assert all(not any(a in {"abc", "a", "b", "x"} and pattern.startswith(("(?i", "x(?i")) for a in alts)
               for alts in reqs)
    if pattern in (r"a|b", r"(?i)abc", r"x(?i)abc", r"(?s)a.b", r"(?#c)abc", r"\Qa|b\E", r"a{e<=1}",
                   r"(?:ab){e<=1}", r"[[a-z]--[aeiou]]x"):
        assert reqs == ()
    else:
        assert not any("abc" in alts for alts in reqs)


def test_every_match_of_every_shipped_pattern_holds_its_required_literals():
    texts = [p.read_text(encoding="utf-8", errors="replace")
             for p in sorted(CORPUS.rglob("*")) if p.suffix in (".txt", ".md", ".html")]
    assert len(texts) >= 10
    pats = _shipped_patterns()
    with_literals = checked = 0
    for p in pats:
        reqs = required_literals(p)
        if not reqs:
            continue
        with_literals += 1
        c = _compile_engine(p, "trusted")
        for t in texts:
            for m in c.finditer(t):
                checked += 1
                for alts in reqs:
                    assert any(a in m.group(0) for a in alts), (p, alts, m.group(0))
    assert with_literals > len(pats) // 2
    assert checked > 100


def test_a_text_without_the_literals_is_not_matched_and_the_pattern_not_compiled():
    pat = SafePattern("收到(?:申请|来信)\\s*(?P<n>\\d+)\\s*件", "trusted")
    assert list(pat.finditer("本年度没有相关内容。")) == []
    assert pat.search("本年度没有相关内容。") is None
    assert pat._pattern is None                       # never compiled
    found = [m.group("n") for m in pat.finditer("共收到申请 12 件，收到来信3件")]
    assert found == ["12", "3"]
    assert pat.search("收到申请 5 件", 3) is None     # the literal is before pos
    assert pat.search("收到申请 5 件", 0).group("n") == "5"


def test_the_literals_travel_with_the_pattern_through_the_start_up_cache():
    import pickle
    pat = SafePattern("结转(?:下年|下一年)\\d+件", "regex")
    back = pickle.loads(pickle.dumps(pat))
    assert back._required == pat._required == (("结转",), ("下年", "下一年"), ("件",))
    assert back == pat
    assert [m.group(0) for m in back.finditer("结转下年3件")] == ["结转下年3件"]
    assert isinstance(back._compiled, regex.Pattern)


# random patterns built from the constructs the reading knows (and some it must refuse), each
# with a text written to match it; matched by the `regex` module: every match holds the
# required literals
_ATOMS = {"a": "a", "b": "b", "件": "件", "收到": "收到", r"\d": "1", r"\s": " ", ".": "x", "[ab]": "b", "[^a]": "c",
          r"\x61": "a", r"[\-b]": "-", r"\u0062": "b", r"[ \t]": "\t",
          r"\(": "(", r"\[": "[", r"\p{Han}": "汉", "(?i:a)": "A", "(?=a)": "", "(?<=b)": ""}
_QUANTS = {"": (1, 1), "?": (0, 1), "*": (0, 3), "+": (1, 3), "{2}": (2, 2), "{0,2}": (0, 2), "{1,}": (1, 3),
           "??": (0, 1), "+?": (1, 3)}


@st.composite
def _pattern_and_text(draw, depth=0):
    parts, text = [], []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()):
            alts = [draw(_pattern_and_text(depth=depth + 1)) for _ in range(draw(st.integers(1, 3)))]
            atom = draw(st.sampled_from(["(?:", "("])) + "|".join(a for a, _t in alts) + ")"
            sample = draw(st.sampled_from([t for _a, t in alts]))
        else:
            atom = draw(st.sampled_from(sorted(_ATOMS)))
            sample = _ATOMS[atom]
        q = draw(st.sampled_from(sorted(_QUANTS)))
        lo, hi = _QUANTS[q]
        parts.append(atom + q)
        text.append(sample * draw(st.integers(lo, hi)))
    body, sample = "".join(parts), "".join(text)
    if depth == 0 and draw(st.integers(0, 5)) == 0:
        body += "|" + draw(st.sampled_from(sorted(_ATOMS)))
    return body, sample


@settings(max_examples=200, deadline=None)
@given(_pattern_and_text(), st.text(alphabet="ab件收到 1(汉", max_size=6))
def test_random_patterns_every_match_holds_what_is_required(pattern_text, noise):
    pattern, sample = pattern_text
    c = regex.compile(pattern)
    reqs = required_literals(pattern)
    try:    # nested repeats can backtrack for long: a bounded look is enough here
        for m in c.finditer(noise + sample + noise, timeout=0.05):
            for alts in reqs:
                assert any(a in m.group(0) for a in alts), (pattern, alts, m.group(0))
    except TimeoutError:
        pass


# where a search starts (validator/saferegex.py: first_chars): at the first character a match
# can start with; the matches are those of the whole text
@pytest.mark.parametrize("pattern, first", [
    (r"(?:共|共计|合计)\s*\d+", {"共", "合"}),
    (r"(?P<y>(?:19|20)\d{2})年", {"1", "2"}),
    (r"【\s*打印|打印本页", {"【", "打"}),
    (r"[āá]x|\x{FFFD}+", {"ā", "á", "\ufffd"}),
    (r"(?:^|[,，])a", None), (r"\p{Han}x", None), (r"a?b", None), (r"(?:|a)b", None), (r"(?i:a)b", None),
    (r"[^a]b", None), (r"(?=a)a", None), (r"(?i)ab", None),
])
def test_the_characters_a_match_starts_with(pattern, first):
    from validator.saferegex import first_chars
    assert first_chars(pattern) == (frozenset(first) if first else None)


@settings(max_examples=200, deadline=None)
@given(_pattern_and_text(), st.text(alphabet="ab件收到 1(汉", max_size=6))
def test_random_patterns_start_with_their_first_characters_and_find_the_same_matches(pattern_text, noise):
    from validator.saferegex import first_chars
    pattern, sample = pattern_text
    text = noise + sample + noise + sample
    c = regex.compile(pattern)
    first = first_chars(pattern)
    try:
        want = [m.span() for m in c.finditer(text, timeout=0.05)]
    except TimeoutError:
        return
    if first is not None:
        for a, b in want:
            assert a < b and text[a] in first, (pattern, text, (a, b))
    pat = SafePattern(pattern, "regex", c)
    pat.engine = "trusted"            # the shortcut path of the engines that cannot time out
    assert [m.span() for m in pat.finditer(text)] == want
    found = pat.search(text)
    assert (found.span() if found else None) == (want[0] if want else None)
