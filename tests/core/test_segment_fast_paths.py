"""The segmenting stage's fast paths (issue 15, eleventh round) against the plain computations
they replace, on the corpus and on edge cases."""

from __future__ import annotations

import random

from tests.conftest import CORPUS, corpus_texts
from validator.parse import labels as lb
from validator.parse import lexer as lx
from validator.parse import mapper as mp
from validator.parse import segment as sg


# -- gaps of ASCII digits and blanks: no pattern ------------------------------------------------
def _gap_cases() -> list[tuple[str, int, int]]:
    cases = []
    for text in corpus_texts():
        # every stretch between two Chinese characters: the gaps of page-text tables are among them
        start = None
        for i, ch in enumerate(text):
            han = "\u4e00" <= ch <= "\u9fff"
            if han:
                if start is not None and i > start:
                    cases.append((text, start, i))
                start = i + 1
    edge = ["0", " 0 ", "12 3\n45", "\t\n", "", "1 2.5 3", "1-2", "-1 2", "１２ 3", "²3 4", "3²", "0 0 0\u3000 7",
            "12万元 3", "1 | 2", "无 1", "0\x1c1", "0\u20281", "45 ", "  7  7 7"]
    cases += [(e, 0, len(e)) for e in edge]
    cases += [("x" + e + "y", 1, 1 + len(e)) for e in edge]
    cases += [("5" + e + "-", 1, 1 + len(e)) for e in edge]
    rnd = random.Random(7)
    for _ in range(3000):
        s = "".join(rnd.choice(["0", "1", "23", " ", "  ", "\n", "\t", "\u3000", ".", "-", "万元", "x", "|", "２"])
                    for _ in range(rnd.randint(0, 12)))
        cases.append((s, 0, len(s)))
    return cases


def test_digit_gaps_scan_like_the_word_pattern():
    """_scan_values reads a gap of ASCII digit runs between blanks (or only blanks) without the
    pattern: the same tokens as the pattern's word-by-word reading."""
    fast = 0
    for text, a, b in _gap_cases():
        words = text[a:b].split()
        joined = "".join(words)
        fast += joined.isdigit() and joined.isascii() or not words
        got = [(t.type, t.start, t.end, t.text, t.data) for t in lx._scan_values(text, a, b)]
        assert got == [(t.type, t.start, t.end, t.text, t.data) for t in lx._scan_words(text, a, b)], (text[a:b],)
    assert fast > 500


# -- one pass over a grid row's cells ---------------------------------------------------------
def _row_facts_reference(row, r):
    distinct, seen = [], set()
    for i in row:
        if i is not None and id(i) not in seen:
            seen.add(id(i))
            distinct.append(i)
    votes: dict = {}
    for i in distinct:
        for _s, _e, sp, _q in i.hits:
            w = 3 if sp.kind in ("row", "group") else (2 if sp.kind == "caption" else 1)
            votes[sp.table] = votes.get(sp.table, 0) + w
    tkey = max(votes, key=lambda k: votes[k]) if votes else None
    has_values = any(i.cls in ("value", "multi") for i in distinct if i.cell.row == r)
    all_blank = bool(distinct) and all(i.cls == "blank" for i in distinct if i.cell.row == r)
    kinds = {h[2].kind for i in distinct for h in i.hits}
    row_hits = [(i, h) for i in distinct for h in i.hits if h[2].kind in ("row", "group")]
    return distinct, tkey, has_values, all_blank, kinds, row_hits


def test_row_facts_equal_one_question_at_a_time(monkeypatch):
    """map_grid asks its questions of a grid row in one pass (_row_facts): the same answers as
    one comprehension per question, on every row of every grid of the corpus."""
    from validator.lint import lint_path
    plain = mp._row_facts
    rows = []

    def both(row, r):
        got = plain(row, r)
        want = _row_facts_reference(row, r)
        assert got[0] == want[0] and got[1:4] == want[1:4] and got[4] == want[4]
        assert [(id(i), h) for i, h in got[5]] == [(id(i), h) for i, h in want[5]]
        rows.append(got[1])
        return got

    monkeypatch.setattr(mp, "_row_facts", both)
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix in (".txt", ".html", ".docx", ".pdf"):
            lint_path(str(p))
    assert len(rows) > 60 and any(rows) and None in rows


class _Cell:
    def __init__(self, row):
        self.row = row


class _Spec:
    def __init__(self, kind, table):
        self.kind, self.table = kind, table


def _info(row, cls, hits=()):
    i = mp.CellInfo.__new__(mp.CellInfo)
    i.cell, i.cls, i.hits = _Cell(row), cls, list(hits)
    return i


def test_row_facts_on_merged_cells_ties_and_empty_rows():
    above = _info(0, "text", [(0, 1, _Spec("group", "表三"), "exact")])
    cap = _info(1, "text", [(0, 1, _Spec("caption", "表二"), "exact"), (2, 3, _Spec("header", "表二"), "exact")])
    tie = _info(1, "text", [(0, 1, _Spec("row", "表四"), "exact")])
    blank, value = _info(1, "blank"), _info(1, "multi")
    cases = [[], [None], [None, None], [above, above, blank], [above, value], [cap, tie], [tie, cap],
             [blank, blank], [above], [cap, cap, blank, value, None, tie]]
    for row in cases:
        got, want = mp._row_facts(row, 1), _row_facts_reference(row, 1)
        assert got[:5] == want[:5] and got[5] == want[5], row


# -- headings: the 、 after numerals found once ---------------------------------------------------
def test_headings_share_the_commas_of_one_search():
    texts = corpus_texts() + ["一、总体情况\n二 、x\n三.y\n、一、", "", "、", "十一、 a\n"]
    for text in texts:
        rev = text[::-1]
        commas = lb._comma_positions(text, rev)
        assert commas == [i for i in range(len(text)) if text[i] == "、"
                          and text[:i].rstrip(" \t")[-1:] in set("一二三四五六七八九十")]
        assert [m.span() for m in lb._numeral_commas(text, rev, commas)] == [m.span() for m in lb._numeral_commas(text)]
        assert [(m.span(1), m.span(2)) for m in lb._line_heads(text, rev, commas)] == \
            [(m.span(1), m.span(2)) for m in lb._HEAD_AT_LINE.finditer(text)]


# -- paragraphs of bare values: ruled out by their first character ------------------------------
def test_a_paragraph_the_first_character_rules_out_is_not_only_values():
    texts = [ln for t in corpus_texts() for ln in t.split("\n")]
    texts += ["", " 1", "\u30001 2", "增3", "减 3", "+1", "-", "—", "–", "/", "无", "无 无", "１ ２", "٣ 4", "²",
              "a 1", "1 a", "|1", " |", "\n1"]
    ruled_out = 0
    for text in texts:
        c = text[:1]
        if not (c in sg._VALUE_FIRST or c.isdigit() or c.isspace()):
            ruled_out += 1
            assert sg._ONLY_VALUES.fullmatch(text) is None, text
    assert ruled_out > 100
