"""Fast paths of the prose view and the text rules, each against the plain computation it
replaces, on the corpus and on edge cases:

* SafePattern.finditer of a shipped pattern without first characters but with texts near its
  start (saferegex.text_anchor: “(?:^|，|共|全部)(?:办结|答复)…”) tries it only near them —
  the matches are the engine's scan's;
* the body a content rule searches (text._report_mentions): the sentences' compact forms
  joined at once, the ignored sentences found through their patterns' literals;
* make_stream tries the page-number and item-marker patterns only on paragraphs that start
  with a character they can start with.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import regex

from validator import prose as P
from validator.lint import lint_path
from validator.rules.kinds import text as TX
from validator.saferegex import SafePattern, _anchor_places, _few_texts, compile_safe, text_anchor, trusted_patterns
from validator.textutil import sentences
from tests.core.test_pattern_literals import _pattern_and_text
from tests.core.test_stdlib_patterns import _shipped_patterns

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TEXTS = [p.read_text(encoding="utf-8", errors="replace")
         for p in sorted(CORPUS.rglob("*")) if p.suffix in (".txt", ".md", ".html")]
REPORTS = sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))


# ---------------------------------------------------------------------------------------
# text anchors
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern, found", [
    (r"(?:^|[,，]|共|全部)(?:办结|答复)\d+件", (("办结", "答复"), 0, 2)),
    (r"\p{Han}公网安备\s*\d+", (("公网安备",), 1, 1)),
    (r"(?P<year>(?:19|20)\d{2})\s*年", (("19", "20"), 0, 0)),        # read on inside a group of one sequence
    (r"上一?年度?结转", (("上",), 0, 0)),
    (r"</?(?:p|span)>", (("<",), 0, 0)),
    (r"\d{2}[ab]x(?:甲|乙丙)", (("x",), 3, 3)),
    (r"(?:a|b.)(?:\s|e.)(?:甲|乙)", (("甲", "乙"), 2, 4)), (r"(?:a|bc)d", (("a", "bc"), 0, 0)),
    (r"(?P<n>\d+)件", None), (r"a|b", None), (r"(?i)abc", None), (r"(?=a)abc", None), (r"(?:ab)?c", None),
    (r"\bab", None), (r"(?:a|b)*c", None), (r"(?:.|.{6})(?:x|y)", None), (r"[^a]", None),
])
def test_the_texts_near_a_match_start(pattern, found):
    assert text_anchor(pattern) == found


def _near_matches(pat, t):
    texts = _few_texts(text_anchor(pat.pattern))
    return pat._near(t, _anchor_places(texts[0], t, 10 ** 9), texts[1], texts[2])


def test_shipped_patterns_tried_near_their_texts_find_what_the_scan_finds():
    rng = random.Random(9)
    alphabet = list("共均已全部按时办结答复理完毕处申请了政府信息公开件个条12 ，。\n")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(2000)] + TEXTS
    with trusted_patterns():
        pats = [compile_safe(p) for p in _shipped_patterns() if text_anchor(p) is not None]
    assert any(p._first is None for p in pats)
    checked = 0
    for pat in pats:
        for t in texts:
            want = [(m.span(), m.groups()) for m in pat._compiled.finditer(t)]
            checked += len(want)
            assert [(m.span(), m.groups()) for m in _near_matches(pat, t)] == want, pat.pattern
            assert [(m.span(), m.groups()) for m in pat.finditer(t)] == want, pat.pattern
    assert checked > 50


@settings(max_examples=300, deadline=None)
@given(_pattern_and_text(), st.text(alphabet="ab件收到 1(汉", max_size=6))
def test_random_patterns_tried_near_their_texts_find_what_the_scan_finds(pattern_text, noise):
    pattern, sample = pattern_text
    found = text_anchor(pattern)
    if found is None:
        return
    text = noise + sample + noise + sample
    c = regex.compile(pattern)
    try:
        want = [m.span() for m in c.finditer(text, timeout=0.05)]
    except TimeoutError:
        return
    texts, lo, hi = found
    for a, b in want:      # each match holds one of the texts lo…hi characters after its start
        assert any(text.startswith(x, k) for x in texts for k in range(a + lo, a + hi + 1)), (pattern, text, (a, b))
    pat = SafePattern(pattern, "regex", c)
    pat.engine = "trusted"
    assert [m.span() for m in _near_matches(pat, text)] == want


# ---------------------------------------------------------------------------------------
# the body of the content rules
# ---------------------------------------------------------------------------------------
def _plain_body(sents, ignore):
    return "。".join("".join(s.split()) for s in sents if not (ignore and any(TX.search(i, s) for i in ignore)))


def _fast_body(sents, ignore):
    if ignore:
        skip = TX._ignored(sents, ignore)
        sents = [s for k, s in enumerate(sents) if k not in skip]
    return TX._compact_body(sents)


def test_the_body_is_the_plain_one_on_the_corpus_and_edge_cases():
    with trusted_patterns():
        ignores = [[], [compile_safe(r"本(?:年度)?报告(?:内容)?(?:由|包括|共分|分为)"),
                        compile_safe(r"(?:由|包括)[^。]{0,120}(?:组成|部分)")],
                   [compile_safe("报告")], [compile_safe(r"\d+")], [compile_safe("告。本")]]
    ignores.append([SafePattern(r"(?:由|包括)\p{Han}{0,4}组成", "regex")])      # the timed engine: each sentence
    groups = []
    for p in REPORTS:
        res = lint_path(str(p))
        if res.report is not None and res.report.prose is not None:
            groups.append([s for stm in res.report.prose.streams("prose") for s in sentences(stm.text)])
    assert len(groups) > 5
    groups += [[], [" "], ["\u3000", "a b", "\x1c"], ["本报告由", "三部分组成"], ["报", "告"], ["本报告", "由一二组成"],
               ["本报告由甲、乙\t组成", "  ", "x"]]
    hit = 0
    for sents in groups:
        for ignore in ignores:
            want = _plain_body(sents, ignore)
            assert _fast_body(sents, ignore) == want, (sents[:3], ignore)
            hit += len(want) < len(_plain_body(sents, []))
    assert hit > 5                  # the ignore patterns did leave out sentences


def test_sentences_are_the_non_empty_pieces():
    for t in TEXTS[:40] + ["", "。", "a。；;\n\nb", " 。 "]:
        assert sentences(t) == [s for s in re.split("[。；;\n]", t) if s]


# ---------------------------------------------------------------------------------------
# make_stream
# ---------------------------------------------------------------------------------------
_ENDINGS = ["", "1", "1-", "-1-", "1页", "一）", "一)", "、", "一、", "1）", "1)", ".", "．", "1.", "十、"]


def test_no_marker_nor_page_number_starts_with_another_character():
    """Every character (of the BMP) that is not white space, a digit or one of _MARK_FIRST
    starts no page number, sub-heading or item marker, whatever follows it."""
    pats = [P._PAGE_NO, P._SUBHEAD, P._ANY_MARK]
    for cp in range(0x10000):
        c = chr(cp)
        if c.isspace() or c.isdecimal() or c in P._MARK_FIRST or 0xD800 <= cp < 0xE000:
            continue
        for end in _ENDINGS:
            for p in pats:
                assert p.match(c + end) is None, (hex(cp), end)
                assert p.match(" \u3000" + c + end) is None, (hex(cp), end)
    for t in ["1", "-3-", "第 2 页", "（一）", "一、", "(3)", "2.", "２．"]:      # and these are tried
        assert any(p.match(t) for p in pats), t


def _plain_make_stream(paras, section=None):
    """make_stream as it was before its fast paths (every pattern tried on every paragraph,
    every paragraph cut into pieces)."""
    out: list[str] = []
    pos = P.PosMap()
    # the runs of ``pos`` are added here (PosMap.add_run and add_repeat written out: they were
    # a few calls a paragraph); n is the stream's length so far
    starts, bases = pos.starts, pos.bases
    n = 0
    heads: list[int] = []
    after_heading = False
    for p in paras:
        t = p.text
        if not t or t.isspace() or P._PAGE_NO.match(t):
            continue
        sub = P._SUBHEAD.match(t)
        mark = sub or P._ANY_MARK.match(t)
        if out:
            last = out[-1][-1] if out[-1] else "\n"
            if after_heading or last in P._SENT_END or p.marker or sub is not None:
                out.append("\n")           # placed where the previous character is
                bases.append(bases[-1] + n - 1 - starts[-1] if n else 0)
                starts.append(n)
                n += 1
        base = p.span[0]
        split_at = None
        after_heading = False
        if sub is not None:       # （三）… / 三、…: a sub-heading, under which a list restarts
            heads.append(n + (len(t) - len(t.lstrip())))
        if mark is not None:      # any heading: “（三）政府信息管理情况一是…”, “1.主动公开方面一是…”
            rest = t[mark.end():]
            item = P._FIRST_ITEM.search(rest, 0, P.MAX_HEADING + 3)
            if item is not None and item.start() > 0 and not P._SENTENCE_PUNCT.search(rest, 0, item.start()) \
                    and rest[item.start() - 1] not in "，,、":
                split_at = mark.end() + item.start()
            elif len(rest.strip()) <= P.MAX_HEADING and not P._SENTENCE_PUNCT.search(rest.strip()[:-1] or " "):
                after_heading = True                           # “（一）主动公开方面” on its own line
        pieces = ((0, len(t)),) if split_at is None else ((0, split_at), (split_at, len(t)))
        for k, (a, b) in enumerate(pieces):
            if k:
                out.append("\n")
                bases.append(bases[-1] + n - 1 - starts[-1] if n else 0)
                starts.append(n)
                n += 1
            keep = a
            if t.find("(", a, b) >= 0:
                for m in P.PINYIN_DEBRIS.finditer(t, a, b):
                    ms = m.start()
                    if ms > keep:
                        out.append(t[keep:ms])
                        # a run of its own unless it goes on from the last one
                        if not (starts and bases[-1] + n - starts[-1] == base + keep):
                            starts.append(n)
                            bases.append(base + keep)
                        n += ms - keep
                    keep = m.end()
            if keep < b:
                out.append(t[keep:b])
                if not (starts and bases[-1] + n - starts[-1] == base + keep):
                    starts.append(n)
                    bases.append(base + keep)
                n += b - keep
    pos.n = n
    return P.Stream("".join(out), pos, section, tuple(heads))


def test_streams_are_those_of_the_plain_computation(monkeypatch):
    reports = []
    for p in REPORTS:
        res = lint_path(str(p))
        if res.report is not None:
            reports.append(res.report)
    assert len(reports) > 5

    class Para:
        def __init__(self, text, start, marker=False):
            self.text, self.span, self.marker = text, (start, start + len(text)), marker

    edge = [Para(t, 10 * k, k % 3 == 0) for k, t in enumerate(
        ["", "  ", " 3 ", "- 2 -", "第 4 页 共 9 页", "（一）主动公开方面", "一是甲。", "（三）政府信息管理情况一是乙",
         "1.主动公开方面一是丙", "号(hào)码(mǎ)", "\u3000（二）依申请", "１２", "甲(乙)丙", "二、工作"])]
    n = 0
    for rep in reports:
        paras = [sorted(list(rep.front) + list(rep.preamble), key=lambda p: p.span[0])] + [list(s.paragraphs) for s in rep.sections]
        for ps in paras + [edge, edge[::-1]]:
            a, b = P.make_stream(ps), _plain_make_stream(ps)
            assert (a.text, a.pos.starts, a.pos.bases, a.pos.n, a.heads) == (b.text, b.pos.starts, b.pos.bases, b.pos.n, b.heads)
            n += len(a.text)
    assert n > 10000
