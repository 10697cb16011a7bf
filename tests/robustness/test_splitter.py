"""The run-together digit splitter (issue 16.2): lazy, pruned by arithmetic, bounded, and
honest about what it decided.

* on small rows its answer is the brute-force answer (every split tried);
* any row of up to 60 digits is decided in under 2 s (hypothesis deadline);
* ``exhaustive`` tells a certain answer (no reading / ambiguous) from a search cut short;
* the hostile 30–50-digit rows end cleanly through the command line, in bounded memory.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import validator.parse.splitter as splitter
from validator.parse import split_run_together

from .conftest import assert_clean, run_measured

HOSTILE = Path(__file__).parent / "data" / "hostile_inputs"

T3 = [([0, 1, 2, 3, 4, 5], 6)]                                       # 表三: six parts, total
T4 = [([0, 1, 2, 3], 4), ([5, 6, 7, 8], 9), ([10, 11, 12, 13], 14)]  # 表四: three groups
SHAPES = {7: T3, 15: T4, 3: [([0, 1], 2)], 4: [([0, 1, 2], 3)], 5: []}


def brute_force(tokens, n, eqs):
    """Every split of every token (a cut piece has no leading zero unless it is "0"; a token
    kept whole is taken as written), filtered by the equations (a cell that is not a number
    leaves its equations unchecked)."""
    options = []
    for t in tokens:
        opts = [[t]]
        if t.isdigit():
            for k in range(2, len(t) + 1):
                for cut in itertools.combinations(range(1, len(t)), k - 1):
                    ps = [t[a:b] for a, b in zip((0,) + cut, cut + (len(t),))]
                    if all(p == "0" or p[0] != "0" for p in ps):
                        opts.append(ps)
        options.append(opts)
    found = []
    for combo in itertools.product(*options):
        flat = [p for ps in combo for p in ps]
        if len(flat) != n:
            continue
        vals = [Decimal(p) if re.fullmatch(r"\d+(\.\d+)?", p) else None for p in flat]
        ok = True
        for parts, total in eqs:
            vs = [vals[j] for j in parts]
            if vals[total] is None or any(v is None for v in vs):
                continue
            if sum(vs) != vals[total]:
                ok = False
                break
        if ok:
            found.append([list(c) for c in combo])
    return found


@st.composite
def small_rows(draw):
    n = draw(st.sampled_from(sorted(SHAPES)))
    eqs = SHAPES[n]
    if eqs and draw(st.booleans()):
        # a row whose numbers do add up, run together (the case the splitter exists for)
        vals = draw(st.lists(st.sampled_from([0, 0, 1, 2, 3, 7, 10, 12, 45, 100]), min_size=n, max_size=n))
        for parts, total in eqs:
            vals[total] = sum(vals[p] for p in parts)
        text = "".join(map(str, vals))
        cuts = sorted(draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=3)))
        tokens = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)]) if a < b]
    else:
        tokens = draw(st.lists(st.text(alphabet="0011123456789", min_size=1, max_size=7), min_size=1, max_size=4))
        if draw(st.integers(0, 9)) == 0:
            tokens.insert(draw(st.integers(0, len(tokens))), draw(st.sampled_from(["2.5", "-", "x"])))
    assume(sum(len(t) for t in tokens) <= 15 and len(tokens) <= n)
    return tokens, n, eqs


@settings(max_examples=300, deadline=None)
@given(small_rows())
def test_small_rows_agree_with_brute_force(row):
    tokens, n, eqs = row
    expected = brute_force(tokens, n, eqs)
    res = split_run_together(tokens, n, eqs)
    assert res.exhaustive
    if len(expected) > splitter._MAX_CANDIDATES:
        assert res.count > splitter._MAX_CANDIDATES and res.unique is None and not res.candidates
        return
    assert res.count == len(expected)
    if res.count == 1:
        assert res.unique == expected[0]
    elif res.count > 1:
        assert sorted(map(str, res.candidates)) == sorted(map(str, expected))


def _digits(min_size, max_size):
    return st.text(alphabet="0123456789", min_size=min_size, max_size=max_size)


@settings(max_examples=60, deadline=timedelta(seconds=2))
@given(st.lists(_digits(1, 60), min_size=1, max_size=6).filter(lambda ts: sum(map(len, ts)) <= 60),
       st.sampled_from([7, 15, 12, 3]))
def test_any_row_of_up_to_60_digits_is_decided_within_two_seconds(tokens, n):
    eqs = SHAPES.get(n, [(list(range(n - 1)), n - 1)])
    res = split_run_together(tokens, n, eqs)
    if res.unique is not None:     # one list of pieces per token, n pieces in all, nothing lost
        assert ["".join(p) for p in res.unique] == tokens
        assert sum(len(p) for p in res.unique) == n
    if not res.exhaustive:
        assert res.unique is None and not res.candidates


@settings(max_examples=40, deadline=timedelta(seconds=2))
@given(st.lists(st.integers(0, 10 ** 7), min_size=6, max_size=6))
def test_a_long_row_that_adds_up_is_read(parts):
    """Up to 7-digit numbers run together (a 50-digit row): still found, and the answer
    is certain."""
    text = "".join(map(str, parts + [sum(parts)]))
    res = split_run_together([text], 7, T3)
    assert res.exhaustive
    assert res.count >= 1
    if res.count == 1:
        assert [int(p) for p in res.unique[0]] == parts + [sum(parts)]
    else:
        assert [str(v) for v in parts + [sum(parts)]] in [c[0] for c in res.candidates] or res.count > 24


def test_no_reading_is_certain_when_the_search_was_complete():
    # 7 cells from 9 digits, no split adds up: the answer "none" is certain
    res = split_run_together(["123456789"], 7, T3)
    assert (res.count, res.exhaustive) == (0, True)


def test_the_hostile_50_digit_row_is_decided():
    row = "12345678911234567891123456789112345678911234567891"
    res = split_run_together([row], 7, T3)
    assert (res.count, res.exhaustive) == (0, True)


def test_a_search_cut_short_says_so(monkeypatch):
    monkeypatch.setattr(splitter, "_STEP_LIMIT", 50)
    res = split_run_together(["1" * 40], 15, T4)
    assert not res.exhaustive and res.unique is None and res.candidates == []


def test_rows_beyond_any_template_are_not_searched():
    assert not split_run_together(["1" * 5000], 7, T3).exhaustive
    assert not split_run_together(["12"] * 100, 1000, []).exhaustive


def test_impossible_counts_are_certain():
    assert split_run_together(["12"], 3, []).count == 0
    assert split_run_together(["1", "2", "3"], 2, []).count == 0


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("splitter_*.txt")))
def test_hostile_digit_rows_end_cleanly_in_bounded_time_and_memory(name):
    r, secs, mb = run_measured("check", "-o", "json", HOSTILE / name)
    assert_clean(r)
    assert r.returncode in (0, 1)
    rules = {f["rule"] for f in json.loads(r.stdout)["findings"]}
    assert rules & {"P002", "A305"}   # unreadable, or no reading adds up (A305): never a guess
    assert secs <= 10 and mb <= 300, (secs, mb)
