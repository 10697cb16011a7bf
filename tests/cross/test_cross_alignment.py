"""The alignment of two sections (validator/cross/similarity.py: compare) finds the copied
passages as difflib's get_matching_blocks does, with less work: ranges that can hold no run of
``min_match`` characters are not split further (long_matches); the blocks are found from the
runs the two texts have in common (long_blocks: common_runs, blocks_of_runs), difflib only
aligning texts too repetitive for that; a section's index is made once however many sections
it is compared with (Unit.anchors).  The comparisons of a batch
leave no reference cycle, which is what lets the cyclic GC run seldom meanwhile
(validator/cross/run.py: _seldom_collected)."""

from __future__ import annotations

import gc
import random
from functools import lru_cache
from pathlib import Path

import pytest
from cydifflib import SequenceMatcher

from validator.cross import run as cross_run
from validator.cross import similarity as sim
from validator.lint import Options, lint_path
from validator.rules import load_rules

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
REPORTS = sorted(p.name for p in CORPUS.glob("*.txt"))


@lru_cache(maxsize=None)
def model(name: str):
    return lint_path(str(CORPUS / name), Options()).report


def blocks_of_difflib(a: str, b: str, min_match: int) -> list[tuple[int, int, int]]:
    sm = SequenceMatcher(None, a, b, autojunk=False)
    return [tuple(m) for m in sm.get_matching_blocks() if m.size >= min_match]


def blocks_kept(a: str, b: str, min_match: int) -> list[tuple[int, int, int]]:
    return [tuple(m) for m in sim.long_matches(SequenceMatcher(None, a, b, autojunk=False), min_match)]


def _section_pairs():
    """Every section of every corpus report against the same section of every other report
    (masks as compare() makes them: MASK_A in the report checked, MASK_B in the other)."""
    units = {name: sim.units(model(name)) for name in REPORTS}
    for name in REPORTS:
        for other in REPORTS:
            if other == name:
                continue
            for u, v in sim.match_units(units[name], units[other]):
                yield u, v


def test_the_long_blocks_are_those_of_get_matching_blocks_on_the_corpus():
    n = copied = 0
    for u, v in _section_pairs():
        b = v.text.replace(sim.MASK_A, sim.MASK_B)
        for min_match in (12, 30):
            assert blocks_kept(u.text, b, min_match) == blocks_of_difflib(u.text, b, min_match)
        n += 1
        copied += bool(blocks_of_difflib(u.text, b, 12))
    assert n > 100 and copied > 20      # many pairs, and many with copied passages


def repetitive_pair(seed: int) -> tuple[str, str]:
    """Two texts of two or three letters made of pasted pieces of one: many equal runs, ties
    between equally long ones."""
    rnd = random.Random(seed)
    letters = "甲乙丙"[: 2 + seed % 2]
    base = "".join(rnd.choice(letters) for _ in range(rnd.randint(20, 300)))
    a = "".join(base[k:k + rnd.randint(3, 40)] if rnd.random() < 0.6 else rnd.choice(letters) * rnd.randint(1, 9)
                for k in range(0, len(base), 17))
    b = "".join(base[k:k + rnd.randint(3, 40)] for k in range(0, len(base), 11))
    return a, b


@pytest.mark.parametrize("seed", range(40))
def test_the_long_blocks_are_those_of_get_matching_blocks_on_repetitive_text(seed):
    # few letters and pasted pieces: many equal runs, ties between equally long ones
    a, b = repetitive_pair(seed)
    for min_match in (1, 2, 5, 8, 12):
        assert blocks_kept(a, b, min_match) == blocks_of_difflib(a, b, min_match), min_match


def test_an_index_kept_on_the_other_section_aligns_as_a_new_one():
    # the same other section compared with several sections in a row (its index of pieces,
    # Unit.anchors, reused) gives what a fresh comparison gives for each
    pairs = list(_section_pairs())[:200]
    by_other: dict[int, list] = {}
    for u, v in pairs:
        by_other.setdefault(id(v), []).append((u, v))
    reused = [(u, v) for group in by_other.values() if len(group) > 1 for u, v in group]
    assert len(reused) > 10
    for u, v in reused:
        got = sim.compare(u, v)
        fresh = sim.Unit(v.key, v.title, v.heading, v.text, v.pos, v.countable)
        want = sim.compare(u, fresh)
        assert (got is None) == (want is None)
        if got is not None:
            assert (got.share, got.copied, got.passages) == (want.share, want.copied, want.passages)
            assert v._anchors is not None and v._anchors is not fresh._anchors


def test_comparing_pairs_leaves_no_reference_cycle():
    # what makes it safe to let the cyclic GC run seldom while the pairs are compared: the
    # models unpacked and the comparisons (findings, sections, matchers) go by reference counting
    from validator.runner import check_one
    rules = load_rules()
    packed = [check_one((str(CORPUS / name), Options(), True)).cross for name in REPORTS]
    gc.collect()
    gc.disable()
    try:
        models = [p.load() for p in packed]
        for this in models:
            for other in models:
                if other is not this:
                    for relation in ("previous", "peer"):
                        cross_run.check_pair(this, other, rules, Options(), None, relation)
        del models, this, other
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_the_gc_thresholds_are_as_before_after_the_pairs(monkeypatch):
    before = gc.get_threshold()
    seen = []
    monkeypatch.setattr(cross_run, "_one_pair", lambda i: seen.append(gc.get_threshold()))
    cross_run._pair_findings([("a", "a", "b", "peer")], lambda p: None, 1)
    assert seen and seen[0][0] >= cross_run.GC_YOUNG
    assert gc.get_threshold() == before


def _years_one_character_at_a_time(text: str):
    """The year scan as it was written first (every position tried in turn)."""
    i = 0
    n = len(text)
    while i < n - 4:
        if text[i:i + 2] in ("19", "20") and text[i:i + 4].isdigit() and (i == 0 or not text[i - 1].isdigit()) \
                and not (i + 4 < n and text[i + 4].isdigit()):
            j = i + 4
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "年":
                yield i, j + 1, int(text[i:i + 4])
                i = j + 1
                continue
        i += 1


@pytest.mark.parametrize("seed", range(30))
def test_the_years_of_a_text_are_those_of_trying_every_position(seed):
    # (copied_text year-sentence reads them) runs of digits, 19/20 overlapping ("2019", "1920"),
    # spaces and 年 next to them, a year at the very end
    from validator.rules.kinds.cross import _years
    assert list(_years("2019年")) == [(0, 5, 2019)] and list(_years("前2019 年")) == [(1, 7, 2019)]
    assert list(_years("2019年2020年，1920年")) == [(0, 5, 2019), (5, 10, 2020), (11, 16, 1920)]
    rnd = random.Random(seed)
    for _ in range(50):
        text = "".join(rnd.choice(["19", "20", "2", "0", "1", "9", "3", "年", " ", "\t", "度", "２"])
                       for _ in range(rnd.randint(0, 40)))
        assert list(_years(text)) == list(_years_one_character_at_a_time(text)), text
    for name in REPORTS:
        for st in model(name).prose.streams("prose"):
            assert list(_years(st.text)) == list(_years_one_character_at_a_time(st.text))


# --- the alignment from common runs (similarity.long_blocks) -------------------------------
def blocks_anchored(a: str, b: str, min_match: int) -> list[tuple[int, int, int]] | None:
    """long_blocks' own way (common_runs + blocks_of_runs), None where it hands over to difflib."""
    stride = sim.anchor_stride(min_match)
    runs = sim.common_runs(a, b, sim.gram_index(b, min_match - stride + 1), min_match, stride)
    return None if runs is None else sim.blocks_of_runs(runs, len(a), len(b), min_match)


def test_the_blocks_from_common_runs_are_those_of_get_matching_blocks_on_the_corpus():
    n = copied = 0
    for u, v in _section_pairs():
        b = v.text.replace(sim.MASK_A, sim.MASK_B)
        for min_match in (12, 30):
            got = blocks_anchored(u.text, b, min_match)
            assert got is not None                       # real sections: never handed over
            assert got == blocks_of_difflib(u.text, b, min_match)
            assert sim.long_blocks(u, v, min_match) == got
            if min_match == 12:
                copied += bool(got)
        n += 1
    assert n > 100 and copied > 20


@pytest.mark.parametrize("seed", range(40))
def test_the_blocks_from_common_runs_are_those_of_get_matching_blocks_on_repetitive_text(seed, monkeypatch):
    # ties between equally long runs in every range, runs clipped by a range on either side:
    # no hand-over to difflib here, the common runs are used however many there are
    monkeypatch.setattr(sim, "MAX_RUNS", 10 ** 9)
    monkeypatch.setattr(sim, "PLACES_PER_CHAR", 10 ** 9)
    a, b = repetitive_pair(seed)
    for min_match in (1, 2, 3, 5, 8, 12, 13, 30):
        assert blocks_anchored(a, b, min_match) == blocks_of_difflib(a, b, min_match), min_match


def test_a_hash_collision_of_two_pieces_is_not_taken_for_a_match(monkeypatch):
    # every piece given the same hash: only equal pieces may seed a run
    a, b = "甲乙丙丁戊己庚辛壬癸子丑寅卯", "子丑寅卯辰巳午未申酉戌亥甲乙丙丁戊己庚辛壬癸"
    index = {0: list(range(len(b) - 3))}
    monkeypatch.setattr(sim, "hash", lambda s: 0, raising=False)
    runs = sim.common_runs(a, b, index, 4, 1)
    assert sorted(runs) == [(0, 12, 10), (10, 0, 4)]
    assert sim.blocks_of_runs(runs, len(a), len(b), 4) == blocks_of_difflib(a, b, 4)


def test_texts_too_repetitive_for_common_runs_are_aligned_by_difflib():
    a = "甲乙" * 400
    b = "乙甲" * 300 + "甲乙甲乙丙" * 50
    u = sim.Unit("k", "t", (0, 0), a, [], len(a))
    v = sim.Unit("k", "t", (0, 0), b, [], len(b))
    assert blocks_anchored(a, b, 12) is None               # handed over …
    assert sim.long_blocks(u, v, 12) == blocks_of_difflib(a, b, 12)    # … with the same answer
    assert v._matcher is not None
