"""Comparing two sections is a pure function of their texts, so similarity.compare keeps what
it worked out (the 8-gram containment, the long matching blocks) in a bounded memo keyed by
digests of the two texts: a section copied word for word by several issuers is aligned once
against each text it is compared with, not once per pair of reports.  These tests check that
a remembered comparison is the one a fresh comparison gives, that the memo is hit for equal
texts of *other* reports, that its key tells apart what must differ, and that it stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from validator.cross import similarity as sim
from validator.lint import Options, lint_path
from validator.memo import LRU

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
REPORTS = sorted(p.name for p in CORPUS.glob("*.txt"))


def fresh_units(name: str) -> list[sim.Unit]:
    """The sections of a corpus report, from a model read just now (no cached units)."""
    return sim.units(lint_path(str(CORPUS / name), Options()).report)


@pytest.fixture
def empty_memo(monkeypatch):
    monkeypatch.setattr(sim, "_ALIGNED", LRU(sim.MEMO_SIZE))
    monkeypatch.setattr(sim, "_CONTAINMENT", LRU(sim.MEMO_SIZE))


def _key(res):
    if res is None:
        return None
    return (res.share, res.copied, [(p.a, p.b, p.length, p.text) for p in res.passages])


def test_a_remembered_comparison_equals_a_fresh_one_on_every_corpus_pair(empty_memo, monkeypatch):
    units = {name: fresh_units(name) for name in REPORTS}
    pairs = [(u, v) for a in REPORTS for b in REPORTS if a != b for u, v in sim.match_units(units[a], units[b])]
    assert len(pairs) > 100
    first = [_key(sim.compare(u, v, screen=0.3)) for u, v in pairs]
    assert any(k is not None for k in first)
    again = [_key(sim.compare(u, v, screen=0.3)) for u, v in pairs]      # from the memo
    assert again == first
    # and without any memo at all: every call works it out
    monkeypatch.setattr(sim, "_ALIGNED", LRU(0))
    monkeypatch.setattr(sim, "_CONTAINMENT", LRU(0))
    assert [_key(sim.compare(u, v, screen=0.3)) for u, v in pairs] == first


def test_the_same_texts_in_other_reports_are_not_aligned_again(empty_memo, monkeypatch):
    name = REPORTS[0]
    other = next(n for n in REPORTS[1:] if sim.match_units(fresh_units(name), fresh_units(n)))
    pairs1 = sim.match_units(fresh_units(name), fresh_units(other))
    first = [_key(sim.compare(u, v)) for u, v in pairs1]
    calls = []
    real = sim.long_blocks
    monkeypatch.setattr(sim, "long_blocks", lambda u, v, m: calls.append(1) or real(u, v, m))
    # models read again: other objects, other unit objects, the same texts
    pairs2 = sim.match_units(fresh_units(name), fresh_units(other))
    assert all(u2 is not u1 for (u1, _), (u2, _) in zip(pairs1, pairs2))
    assert [_key(sim.compare(u, v)) for u, v in pairs2] == first
    assert calls == []
    monkeypatch.setattr(sim, "_ALIGNED", LRU(0))      # what is counted: each alignment worked out
    assert [_key(sim.compare(u, v)) for u, v in pairs2] == first
    assert calls


def test_the_memo_key_tells_direction_min_match_and_text_apart(empty_memo):
    units = fresh_units(REPORTS[0])
    u = max(units, key=lambda x: x.countable)
    copy = sim.Unit(u.key, u.title, u.heading, u.text, u.pos, u.countable)
    edited = sim.Unit(u.key, u.title, u.heading, u.text[: len(u.text) // 2] + "本段已改写" + u.text[len(u.text) // 2 + 5:],
                      u.pos, u.countable)
    assert copy.ident() == u.ident() and edited.ident() != u.ident()
    whole = sim.compare(u, copy)
    assert whole.share == 1.0
    part = sim.compare(u, edited)
    assert part.share < 1.0                               # not the remembered u ~ copy
    assert sim.compare(edited, u).copied == part.copied   # the other direction, worked out
    coarse = sim.compare(u, edited, min_match=len(u.text) // 2 + 1)
    assert coarse.copied < part.copied                    # a longer min_match is another entry


def test_the_memo_keeps_at_most_its_size():
    memo = LRU(3)
    for i in range(10):
        memo.put(i, i * i)
    assert len(memo._d) == 3
    assert memo.get(9) == 81 and memo.get(0) is None
    memo.get(7)                     # used: kept when the next one comes
    memo.put(10, 100)
    assert memo.get(7) == 49 and memo.get(8) is None

