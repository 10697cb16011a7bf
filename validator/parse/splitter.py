"""Run-together digits: page text that lost the separators between a row's cells
("230 000023" for 23, 0, 0, 0, 0, 0, 23) is split only where the template's own equations
leave exactly one reading."""

from __future__ import annotations

import re
from itertools import combinations

from ..templates import TableSpec


# --------------------------------------------------------------------------------------
class SplitResult:
    """``unique``: the one split (pieces per token) or None; ``count``: splits found;
    ``exhaustive``: every split was considered, so count 0 means no reading of the digits
    satisfies the equations (certain), count > 1 certain ambiguity."""

    __slots__ = ("unique", "count", "candidates", "exhaustive")

    def __init__(self, unique, count, candidates=(), exhaustive=False):
        self.unique = unique
        self.count = count
        self.candidates = list(candidates)
        self.exhaustive = exhaustive


def _equations(spec: TableSpec, columns: list[str]) -> list[tuple[list[int], int]]:
    idx = {c: i for i, c in enumerate(columns)}
    eqs = []
    for parts, total in spec.row_sums:
        if total in idx and all(p in idx for p in parts):
            eqs.append(([idx[p] for p in parts], idx[total]))
    return eqs


_SPLIT_LIMIT = 20000
_MAX_CANDIDATES = 24


def split_run_together(tokens: list[str], n: int, equations: list[tuple[list[int], int]]) -> SplitResult:
    """Split value tokens into exactly n cells so that every equation holds.

    Only digit runs are split; a piece may not have a leading zero (except "0" itself).
    Returns the split when exactly one satisfies the template's equations (with no equation
    to check, only when exactly one split is possible at all); otherwise the number found.
    """
    need = n - len(tokens)
    options: list[list[list[str]]] = []
    most = [len(t) if t.isdigit() else 1 for t in tokens]   # the most cells a token can give
    total_most = sum(most)
    for i, t in enumerate(tokens):
        # this token must give at least n − (what all the others can give at most) cells
        k_min = max(1, n - (total_most - most[i]))
        opts = [[t]] if k_min <= 1 else []
        if t.isdigit() and len(t) > 1:
            for k in range(max(2, k_min), min(len(t), need + 1) + 1):
                for cut in combinations(range(1, len(t)), k - 1):
                    pieces = [t[a:b] for a, b in zip((0,) + cut, cut + (len(t),))]
                    if all(p == "0" or p[0] != "0" for p in pieces):
                        opts.append(pieces)
        elif t.isdigit() is False and not re.fullmatch(r"\d+(\.\d+)?", t):
            pass
        options.append(opts)
    found = []
    count = 0
    steps = 0

    def rec(i, acc, used):
        nonlocal count, steps
        steps += 1
        if steps > _SPLIT_LIMIT or count > _MAX_CANDIDATES:
            return
        if i == len(options):
            if used != n:
                return
            flat = [p for ps in acc for p in ps]
            nums = []
            for p in flat:
                try:
                    nums.append(float(p))
                except ValueError:
                    nums.append(None)
            for parts, total in equations:
                vals = [nums[j] for j in parts]
                if nums[total] is None or any(v is None for v in vals):
                    continue
                if abs(sum(vals) - nums[total]) > 1e-9:
                    return
            count += 1
            found.append(list(acc))
            return
        remaining_tokens = len(options) - i - 1
        for o in options[i]:
            if used + len(o) + remaining_tokens > n:
                continue
            acc.append(o)
            rec(i + 1, acc, used + len(o))
            acc.pop()

    rec(0, [], 0)
    if steps > _SPLIT_LIMIT:
        return SplitResult(None, max(count, 2))
    if count == 1:
        return SplitResult(found[0], 1, exhaustive=True)
    return SplitResult(None, count, found if count <= _MAX_CANDIDATES else (), exhaustive=count <= _MAX_CANDIDATES)
