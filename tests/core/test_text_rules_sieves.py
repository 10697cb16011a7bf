"""Fast paths of the safe-regex layer and the text rules (issue 15, eleventh round), each against
the plain computation it replaces, on the corpus and on edge cases:

* the required literals are checked cheapest first, without alternatives that hold another
  (saferegex.check_order) — a text lacks one of them exactly when it lacks one of the
  requirements as read;
* a shipped pattern the `regex` module runs because of \\p{Han} is tried only where its `re`
  sieve matches (saferegex.sieve_form: \\p{Han} as “.”, a leading one left out) — the matches
  are the engine's scan's;
* a pattern that starts with a class of Latin-1 characters is tried only at those the text holds
  (saferegex.first_latin, found by encode/translate) — the matches are the engine's scan's;
* prose_sum rules out a total after which the literals of the start of its parts are missing
  before working out its sentence — the findings are those of searching the sentence.
"""

from __future__ import annotations

import random

import regex

from tests.conftest import corpus_texts
from validator import saferegex as S
from validator.saferegex import (_absent, check_order, compile_safe, first_latin, required_literals, sieve_form,
                                 trusted_patterns)


def _shipped(pred) -> list:
    from tests.core.test_stdlib_patterns import _shipped_patterns
    with trusted_patterns():
        return [compile_safe(p) for p in _shipped_patterns() if pred(p)]


def _spans(it):
    return [(m.span(), m.groups()) for m in it]


# ---------------------------------------------------------------------------------------
# check order
# ---------------------------------------------------------------------------------------
def test_checks_in_their_order_miss_a_literal_exactly_where_the_requirements_do():
    rnd = random.Random(21)
    texts = corpus_texts()
    for _ in range(3000):
        req = tuple(tuple("".join(rnd.choice("甲乙丙ab") for _ in range(rnd.randint(0, 3)))
                          for _ in range(rnd.randint(1, 5))) for _ in range(rnd.randint(0, 4)))
        checks = check_order(req)
        assert sorted(map(len, checks)) and len(checks) == len(req) or not req
        for _ in range(4):
            t = "".join(rnd.choice("甲乙丙ab ") for _ in range(rnd.randint(0, 14)))
            pos = rnd.randint(0, 5)
            assert _absent(checks, t, pos) is _absent(req, t, pos), (req, checks, t, pos)
    # the shipped patterns' requirements on the corpus texts
    for pat in _shipped(lambda p: True):
        assert pat._checks == check_order(required_literals(pat.pattern))
        for t in texts:
            assert _absent(pat._checks, t) is _absent(pat._required, t), pat.pattern
    assert check_order((("余件", "件", "人次", "次"), ("甲乙丙丁",), ("将",))) == (("将",), ("件", "次"), ("甲乙丙丁",))


# ---------------------------------------------------------------------------------------
# sieves
# ---------------------------------------------------------------------------------------
def test_a_sieve_matches_wherever_its_pattern_does():
    assert sieve_form(r"\p{Han}(?P<gap>[ \t]+)件") == (r"(?P<gap>[ \t]+)件", 1)
    assert sieve_form(r"(?:19|20)\d{2}年(?:我们|\p{Han}{2,10}?)?将")[1] == 0
    for none in (r"[\p{Han}a]b", r"(?:\p{Han}x)+y", r"\p{Greek}x", r"(?i)\p{Han}x", r"abc",
                 r"\p{Han}\w+x", r"x\p{Han}*+件", r"x(?>\p{Han}+)件", r"x\p{Han}{1,3}+件"):
        assert sieve_form(none) is None, none
    rng = random.Random(5)
    alphabet = list("甲乙条件余年将我们 \t，。(ā)a19202x\n")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += corpus_texts()
    with trusted_patterns():
        pats = [compile_safe(p) for p in (r"\p{Han}(?P<gap>[ \t]+)(?P<unit>余件|条|件)(?:[,，。]|$)",
                                          r"\p{Han}(?P<m>\([a-z]*[āá][a-z]*\))",
                                          r"(?P<year>(?:19|20)\d{2})\s*年\s*(?:我们|\p{Han}{2,10}?)?\s*将",
                                          r"\p{Han}乙(?<=甲.乙)", r"(?:^|，)\p{Han}{1,3}件")]
    pats += _shipped(lambda p: "\\p{Han}" in p)
    for pat in pats:
        form = sieve_form(pat.pattern)
        if form is None:
            continue
        sieve = regex.compile(form[0])
        for t in texts:
            want = _spans(pat._compiled.finditer(t))
            assert _spans(pat.finditer(t)) == want, (pat.pattern, t)
            for (a, _b), _g in want:           # the sieve matches at each match's start
                assert sieve.match(t, a + form[1]) is not None, (pat.pattern, t, a)
            got = pat._sieved(t, 0, S._re.compile(form[0]), form[1])
            assert _spans(got) == want, (pat.pattern, t)


def test_a_pattern_with_a_sieve_compiles_its_engine_only_where_the_sieve_matches():
    with trusted_patterns():
        pat = compile_safe(r"(?P<year>(?:19|20)\d{2})\s*年\s*(?:我们|\p{Han}{2,10}?)?\s*将\s*(?:采取|继续)")
    pat._pattern = None
    assert list(pat.finditer("2023年工作将会继续采取措施2023年" * 3)) == []     # 将 … not 将采取
    assert pat._pattern is None
    assert [m.group("year") for m in pat.finditer("2023年我们将继续")] == ["2023"]


# ---------------------------------------------------------------------------------------
# a first class of Latin-1 characters
# ---------------------------------------------------------------------------------------
def test_a_first_class_of_latin1_characters_is_tried_where_the_text_holds_one():
    assert first_latin(r"[\x{00C0}-\x{00FF}]x") == bytes(range(0xC0))
    assert first_latin(r"[a-c\-]x") == bytes(b for b in range(256) if b not in b"abc-")
    for none in (r"[\x{00C0}-\x{0100}]", r"[^a]", r"[\d]", r"[a]?b", r"[a]|b", r"a[b]", r"(?i)[a]", r"[ā]"):
        assert first_latin(none) is None, none
    rng = random.Random(7)
    alphabet = list("甲乙丙 ×ÀÿéÇ\x80‐›Œabc-?") + ["\U0001F600"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(4000)]
    texts += corpus_texts()
    with trusted_patterns():
        pats = [compile_safe(p) for p in (r"[\x{00C0}-\x{00FF}][\x{0080}-\x{00FF}\x{2010}-\x{203A}\x{0152}-\x{0178}]{2,}",
                                          r"[a-c\-]+\?", r"[×À]{2}")]
    for pat in pats:
        assert first_latin(pat.pattern) is not None
        for t in texts:
            assert _spans(pat.finditer(t)) == _spans(pat._compiled.finditer(t)), (pat.pattern, t)


# ---------------------------------------------------------------------------------------
# prose_sum: the start of the parts' literals after the total
# ---------------------------------------------------------------------------------------
def test_prose_sum_finds_what_it_finds_when_every_total_is_worked_out(monkeypatch, tmp_path):
    from validator.lint import lint_path
    from validator.rules.kinds import text as TX
    from tests.core.test_rules_stage_places import REPORTS
    paths = list(REPORTS)
    extra = tmp_path / "sums.txt"
    extra.write_text("2023年政府信息公开工作年度报告\n一、总体情况\n共受理申请510件，其中自然人申请198件、法人申请142件、"
                     "其他137件。全年共收到12件。合计处理30件，包括甲10件、乙10件、其他9件。共计5件；其中甲2件、乙2件、"
                     "其余2件。总计8件，主要是甲3件、乙3件、其他3件。\n", encoding="utf-8")
    paths.append(extra)

    def run_all():
        return [[(f.rule, f.message, f.location) for f in lint_path(str(p)).findings if f.rule == "C302"]
                for p in paths]

    fast = run_all()
    assert any(fast) and fast[-1]
    monkeypatch.setattr(TX, "_absent", lambda *a: False)        # every total worked out
    assert run_all() == fast
