"""Run-together digits: page text that lost the separators between a row's cells
("230 000023" for 23, 0, 0, 0, 0, 0, 23) is split only where the template's own equations
leave exactly one reading.

The splits are enumerated lazily, cell by cell, depth first, and the search is pruned with
arithmetic before it branches:

* counting: the cells still to fill must fit the characters still to read (each token gives
  at least one cell and a digit token at most one per digit);
* a cell that is the last unknown of an equation is not enumerated: its value is forced
  (the total of its parts, or the total minus the other parts) and only the piece that
  spells that value is tried;
* digit lengths: a total is at least as long as its longest part, so the characters still
  to read must leave room for every pending total;
* the tail: when the cells still to fill are the remaining parts of an equation followed by
  its total at the end of the text (the row total in the last column), the total is one of
  the suffixes.  A suffix is kept only if it agrees with the digits before it modulo 9 (a
  number is its digit sum modulo 9, wherever the cuts fall) and in magnitude; for each kept
  suffix the parts are found by meeting in the middle: the splits of the first half of the
  parts (from the left) and of the second half (from the total leftwards) are joined on
  their sums, so a 60-digit row costs thousands of steps, not millions.

Every piece tried counts as a step; the search stops at ``_STEP_LIMIT`` steps and then says
so (``exhaustive=False``): the row is unreadable, never wrong.  With ``exhaustive=True``
the answer is certain: ``count == 0`` means no reading of the digits satisfies the row's
equations, ``count > 1`` means the reading is ambiguous (``count`` is then at least 2 and at
most ``_MAX_CANDIDATES + 1``; the search stops once it is past ``_MAX_CANDIDATES``).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ..templates import TableSpec
from ..lazyre import later
from ..memo import memo_of


# --------------------------------------------------------------------------------------
class SplitResult:
    """``unique``: the one split (one list of pieces per token) or None; ``count``: the
    number of splits found; ``candidates``: all of them when the search was exhaustive and
    there were at most ``_MAX_CANDIDATES``; ``exhaustive``: False when the step limit ended
    the search before every split was considered (then nothing is certain)."""

    __slots__ = ("unique", "count", "candidates", "exhaustive")

    def __init__(self, unique, count, candidates=(), exhaustive=True):
        self.unique = unique
        self.count = count
        self.candidates = list(candidates)
        self.exhaustive = exhaustive

    def copy(self) -> "SplitResult":
        """The same answer in lists of its own (a remembered answer is never handed out)."""
        return SplitResult(None if self.unique is None else [list(p) for p in self.unique], self.count,
                           [[list(p) for p in c] for c in self.candidates], self.exhaustive)

    def __repr__(self):
        return (f"SplitResult(unique={self.unique!r}, count={self.count}, "
                f"candidates={len(self.candidates)}, exhaustive={self.exhaustive})")


def _equations(spec: TableSpec, columns: list[str]) -> tuple[tuple[tuple[int, ...], int], ...]:
    """The row equations of a table (``row_sums``) that a row with these columns has, as
    (column indices of the parts, index of the total).  They depend only on the template:
    worked out once per table and columns (not once per row of every report)."""
    known = memo_of(_EQUATIONS, spec, 64)
    key = tuple(columns)
    eqs = known.get(key)
    if eqs is None:
        idx = {c: i for i, c in enumerate(columns)}
        eqs = known[key] = tuple((tuple(idx[p] for p in parts), idx[total]) for parts, total in spec.row_sums
                                 if total in idx and all(p in idx for p in parts))
    return eqs


_EQUATIONS: dict = {}     # id(spec) -> (spec, {columns: equations}) (validator/memo.py)


_STEP_LIMIT = 60000      # pieces tried (each costs a few microseconds)
_MAX_CANDIDATES = 24
_MAX_DIGITS = 240        # characters in all tokens; longer rows are not searched at all
_MAX_CELLS = 64          # columns; no template comes near
_NUMBER = later(r"\d+(\.\d+)?")


class _Limit(Exception):
    """The step limit was reached."""


class _Steps:
    __slots__ = ("n",)

    def __init__(self):
        self.n = 0

    def add(self, k: int = 1):
        self.n += k
        if self.n > _STEP_LIMIT:
            raise _Limit


def _pow10(k: int) -> int:
    return 10 ** k if k > 0 else 1


def _min_sum(chars: int, pieces: int) -> int:
    """A lower bound of the sum of ``pieces`` numbers cut from ``chars`` digits: one piece
    has at least ceil(chars/pieces) digits and a piece of two or more digits has no
    leading zero."""
    longest = -(-chars // pieces)
    return _pow10(longest - 1) if longest >= 2 else 0


def _max_sum(chars: int, pieces: int) -> int:
    """An upper bound of that sum: 10**len is convex, so one long piece and single digits."""
    return _pow10(chars - pieces + 1) - 1 + 9 * (pieces - 1)


def _ok_piece(p: str) -> bool:
    return p == "0" or p[0] != "0"


def _cuts_from_left(tok, start, pieces, cap, most, last_end, steps):
    """Every way to cut ``pieces`` numbers of at most ``cap`` digits and sum at most
    ``most`` from tok[start:], ending at or before last_end: yields (end, sum, pieces)."""
    out = []

    def rec(pos, k, acc, total):
        if k == 0:
            out.append((pos, total, tuple(acc)))
            return
        for ln in range(1, cap + 1):
            end = pos + ln
            if end + (k - 1) > last_end:
                break
            p = tok[pos:end]
            if not _ok_piece(p):
                break                       # a leading zero only ever makes "0"
            v = int(p)
            if total + v > most:
                break
            steps.add()
            acc.append(p)
            rec(end, k - 1, acc, total + v)
            acc.pop()

    rec(start, pieces, [], 0)
    return out


def _cuts_from_right(tok, end, pieces, cap, most, first_start, steps):
    """Every way to cut ``pieces`` numbers ending at ``end``, starting at or after
    first_start: {start: {sum: [pieces, …]}}."""
    out: dict[int, dict[int, list]] = {}

    def rec(pos, k, acc, total):
        if k == 0:
            out.setdefault(pos, {}).setdefault(total, []).append(tuple(reversed(acc)))
            return
        for ln in range(1, cap + 1):
            begin = pos - ln
            if begin - (k - 1) < first_start:
                break
            p = tok[begin:pos]
            if not _ok_piece(p):
                continue                    # a longer piece may start with a non-zero
            v = int(p)
            if total + v > most:
                break
            steps.add()
            acc.append(p)
            rec(begin, k - 1, acc, total + v)
            acc.pop()

    rec(end, pieces, [], 0)
    return out


def _tail(tok: str, o: int, m: int, s: int, dsum: list[int], want: int, steps: _Steps):
    """The splits of tok[o:] into m parts and a total such that s + parts == total (all
    pieces cut from a run: no leading zeros).  At most ``want`` are returned."""
    size = len(tok)
    rem = size - o
    sols: list[list[str]] = []
    lo_t = len(str(s)) if s else 1
    for t in range(lo_t, rem - m + 1):
        cut = size - t
        if t > 1 and tok[cut] == "0":
            continue
        steps.add()
        # casting out nines: a number is its digit sum modulo 9, wherever the cuts fall
        if (s + dsum[cut] - dsum[o] - (dsum[size] - dsum[cut])) % 9:
            continue
        chars = cut - o
        target = int(tok[cut:]) - s
        if target < 0 or not (_min_sum(chars, m) <= target <= _max_sum(chars, m)):
            continue
        cap = len(str(target))              # no part exceeds the total
        if chars > m * cap:
            continue
        total_piece = tok[cut:]
        if m == 1:
            p = tok[o:cut]
            if _ok_piece(p) and int(p) == target:
                sols.append([p, total_piece])
        else:
            m1 = m // 2
            m2 = m - m1
            right = _cuts_from_right(tok, cut, m2, cap, target, o + m1, steps)
            if not right:
                continue
            for end, a, left in _cuts_from_left(tok, o, m1, cap, target, cut - m2, steps):
                group = right.get(end)
                if not group:
                    continue
                for r in group.get(target - a, ()):
                    steps.add()
                    sols.append(list(left) + list(r) + [total_piece])
                    if len(sols) >= want:
                        return sols
        if len(sols) >= want:
            return sols
    return sols


def _one_way(tokens: list[str], digit: list[bool], eqs: list[tuple[list[int], int]]) -> SplitResult:
    """As many cells as the tokens can give at most (a digit run one cell per digit, any
    other token whole: "0000000" for seven cells): the one split there is, if the equations
    hold for it (a cell that is not a number leaves its equations unchecked)."""
    pieces = [list(t) if d else [t] for t, d in zip(tokens, digit)]
    vals: list = []
    for t, d in zip(tokens, digit):
        if d:
            vals.extend(int(ch) for ch in t)
        else:
            vals.append(Decimal(t) if _NUMBER.fullmatch(t) else None)
    for parts, total in eqs:
        vs = [vals[j] for j in parts]
        if vals[total] is None or any(v is None for v in vs):
            continue
        if sum(vs) != vals[total]:
            return SplitResult(None, 0, (), True)
    return SplitResult(pieces, 1, (), True)


def split_run_together(tokens: list[str], n: int, equations: list[tuple[list[int], int]]) -> SplitResult:
    """Split value tokens into exactly n cells so that every equation holds.

    Only digit runs are split; a piece cut from a run may not have a leading zero (except
    "0" itself); a token kept whole is taken as written.  Returns the split when exactly one
    satisfies the template's equations (with no equation to check, only when exactly one
    split is possible at all); otherwise the number found.  A cell whose text is not a
    number leaves its equations unchecked.

    The answer depends on nothing but the token texts, n and the equations, and the same
    rows come again and again (a row of zeros written together, "0000000", is in most
    reports): answers are remembered (at most ``_MEMO_SIZE`` of them, rows of at most
    ``_MAX_DIGITS`` characters); each call gets lists of its own.
    """
    if n > _MAX_CELLS or sum(len(t) for t in tokens) > _MAX_DIGITS:
        return SplitResult(None, 0, (), False)
    return _remembered(tuple(tokens), n, tuple((tuple(parts), total) for parts, total in equations)).copy()


_MEMO_SIZE = 1024


@lru_cache(maxsize=_MEMO_SIZE)
def _remembered(tokens: tuple[str, ...], n: int, equations: tuple) -> SplitResult:
    return _split(list(tokens), n, [(list(parts), total) for parts, total in equations])


def _split(tokens: list[str], n: int, equations: list[tuple[list[int], int]]) -> SplitResult:
    """:func:`split_run_together`, worked out."""
    tokens = list(tokens)
    nt = len(tokens)
    if n > _MAX_CELLS or sum(len(t) for t in tokens) > _MAX_DIGITS:
        return SplitResult(None, 0, (), False)
    digit = [t.isdigit() and t.isascii() for t in tokens]
    most = [len(t) if d else 1 for t, d in zip(tokens, digit)]
    if not (nt <= n <= sum(most)):
        return SplitResult(None, 0, (), True)
    if n == 0:
        return SplitResult([], 1, (), True)

    numeric = all(digit)   # arithmetic pruning needs every cell to be a whole number
    eqs = [(list(parts), total) for parts, total in equations
           if 0 <= total < n and all(0 <= p < n for p in parts)]
    if n == sum(most):
        return _one_way(tokens, digit, eqs)
    last_of: list[list[int]] = [[] for _ in range(n)]      # equations decided at this cell
    totals_of: list[list[int]] = [[] for _ in range(n)]
    for e, (parts, total) in enumerate(eqs):
        last_of[max(parts + [total])].append(e)
        totals_of[total].append(e)
    # tail_eq[c]: the equation whose total is the last cell when cells c.. are all its parts
    tail_eq: list[int | None] = [None] * n
    for e, (parts, total) in enumerate(eqs):
        if total == n - 1 and tail_eq[n - 1] is None:
            ps = set(parts)
            tail_eq[n - 1] = e
            for c in range(n - 2, -1, -1):
                if c not in ps:
                    break
                tail_eq[c] = e
    digit_sums = []        # running digit sums of each token (casting out nines)
    for t, d in zip(tokens, digit):
        acc = [0]
        if d:
            for ch in t:
                acc.append(acc[-1] + ord(ch) - 48)
        digit_sums.append(acc)
    chars_after = [0] * (nt + 1)      # characters and the most cells from token i on
    most_after = [0] * (nt + 1)
    for i in range(nt - 1, -1, -1):
        chars_after[i] = chars_after[i + 1] + len(tokens[i])
        most_after[i] = most_after[i + 1] + most[i]

    vals: list = [None] * n
    pieces: list[list[str]] = [[] for _ in range(nt)]
    found: list[list[list[str]]] = []
    steps = _Steps()

    def holds(c) -> bool:
        """Every equation decided at cell c holds (a cell that is not a number: unchecked)."""
        for e in last_of[c]:
            parts, total = eqs[e]
            vs = [vals[j] for j in parts]
            if vals[total] is None or any(v is None for v in vs):
                continue
            if sum(vs) != vals[total]:
                return False
        return True

    def forced(c):
        """The value cell c must have, if it is the last unknown cell of an equation."""
        for e in last_of[c]:
            parts, total = eqs[e]
            if total == c:
                return sum(vals[j] for j in parts)
            return vals[total] - sum(vals[j] for j in parts if j != c)
        return None

    def feasible(c, i, o) -> bool:
        """Can cells c.. be placed from token i, offset o on?  (counts; room for totals)"""
        r = n - c
        if i >= nt:
            return r == 0
        rem = len(tokens[i]) - o
        if r < nt - i or r > (rem if digit[i] else 1) + most_after[i + 1]:
            return False
        if numeric:
            need = 0      # a total is at least as long as the sum of its parts known so far
            for j in range(c, n):
                longest = 1
                for e in totals_of[j]:
                    sm = sum(vals[p] for p in eqs[e][0] if p < c)
                    if sm > 0:
                        longest = max(longest, len(str(sm)))
                need += longest
            if need > rem + chars_after[i + 1]:
                return False
        return True

    def lengths(c, i, o):
        """Piece lengths to try for cell c at token i, offset o."""
        tok = tokens[i]
        rem = len(tok) - o
        if not digit[i]:
            return (rem,)
        if numeric:
            v = forced(c)
            if v is not None:
                if v < 0:
                    return ()
                sv = str(v)
                out = [len(sv)] if tok.startswith(sv, o) else []
                if o == 0 and len(sv) != rem and int(tok) == v:
                    out.append(rem)          # the whole token, written with leading zeros
                return out
        if tok[o] == "0":
            return (1, rem) if (o == 0 and rem > 1) else (1,)
        return range(1, rem + 1)

    def record():
        found.append([list(p) for p in pieces])

    def done() -> bool:
        return len(found) > _MAX_CANDIDATES

    def place(c, i, o):
        if c == n:
            if i == nt:
                record()
            return
        tok = tokens[i]
        rem = len(tok) - o
        e = tail_eq[c]
        if numeric and e is not None and i == nt - 1 and c < n - 1:
            parts = eqs[e][0]
            s = sum(vals[p] for p in parts if p < c)
            for sol in _tail(tok, o, n - 1 - c, s, digit_sums[i], _MAX_CANDIDATES + 1 - len(found), steps):
                for j, p in enumerate(sol):
                    vals[c + j] = int(p)
                if all(holds(j) for j in range(c, n)):
                    pieces[i].extend(sol)
                    record()
                    del pieces[i][len(pieces[i]) - len(sol):]
                for j in range(c, n):
                    vals[j] = None
                if done():
                    return
            return
        for k in lengths(c, i, o):
            steps.add()
            piece = tok[o:o + k]
            if k < rem:
                if piece[0] == "0" and k > 1:
                    continue
                ni, no = i, o + k
            else:
                if o > 0 and piece[0] == "0" and k > 1:
                    continue
                ni, no = i + 1, 0
            if digit[i]:
                vals[c] = int(piece)
            elif _NUMBER.fullmatch(piece):
                vals[c] = Decimal(piece)
            else:
                vals[c] = None
            if holds(c) and feasible(c + 1, ni, no):
                pieces[i].append(piece)
                place(c + 1, ni, no)
                pieces[i].pop()
            vals[c] = None
            if done():
                return

    try:
        if feasible(0, 0, 0):
            place(0, 0, 0)
    except _Limit:
        return SplitResult(None, len(found), (), False)
    count = len(found)
    if count == 1:
        return SplitResult(found[0], 1, (), True)
    return SplitResult(None, count, found if count <= _MAX_CANDIDATES else (), True)
