"""Tables in plain text and Markdown, recognised as grids; everything else as paragraphs.

The text and Markdown readers keep the text exactly as it is in the file (Markdown markup is
blanked to spaces of the same length); this module only *looks* at it and cuts it into
:class:`~validator.document.Paragraph` and :class:`~validator.document.Grid` blocks.  Every
cell span points at the cell's text in that text, so a cell's place is its line:column in
the user's file.

Renderings recognised as grids (``Grid.origin``):

``pipe`` / ``markdown``
    rows written as ``| a | b |`` (also ``a | b |`` without the leading pipe, ``\\|`` as a
    literal pipe, cells padded with spaces, ``&nbsp;``, U+3000); consecutive pipe lines form
    one grid, an empty cell is a cell.  Markdown tables (header row, ``|---|`` delimiter row)
    are ``markdown``: the delimiter row is not a grid row, the row above it is the header.
    Tables that a PDF converter cut into several pieces with text between stay several grids
    (the text between them is paragraphs).  A single ``|`` in a sentence is prose.
``lines``
    one cell per line ending `` |``, empty cells written as runs of ``|``
    (``第二十条第(一)项 | ||||`` / ``38 |`` / ``||||||||``).  Every ``|`` ends one cell.  A
    row ends at a line whose last cell is empty (the converter pads each row with empty
    cells up to the table's width); when all such rows have the same width, a stretch without
    a break that holds several rows' worth of cells is cut into rows of that width.  When
    the rows cannot be decided from the text, the grid has one row per line and
    ``rows_uncertain`` set — it never guesses.
``tab``
    tab-separated rows (each tab separates two cells; leading tabs are empty cells).
``aligned``
    space-aligned columns (``pdftotext -layout``) — only blocks whose every line has the same
    columns at consistent positions, with numbers in the value columns and nothing around
    them that belongs to the same table (a wrapped label, a header fragment, a row of numbers
    whose label is elsewhere).  The vertical labels, wrapped labels and shifted columns of
    real PDF tables fail that test; those regions stay paragraphs and the parser reads them by
    their labels.  A wrong grid is worse than none.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate, compress, repeat
from operator import itemgetter

from ..document import Block, Grid, GridCell, Paragraph
from ..records import record
from ..source import split_lines
from ..lazyre import later

PAD = " \t\r\u00a0\u3000\u200b"
_NBSP = "&nbsp;"

# a Markdown delimiter row: | --- | :---: | ---: |
_DELIM = later(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_NUMBER = later(r"^[+\-−－]?(?:\d[\d,，]*(?:[.．]\d+)?|[.．]\d+)\s*(?:%|％|件|条|个|万元|元|人次?|次)?$")
_DASHES = set("-—–－/／无")
_PLUS_ONE = (1).__add__
_SPAN = re.Match.span
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


@record(slots=True)
class _Line:
    """A line of the text: its number and offsets."""

    no: int          # 0-based line number
    start: int       # offset of the first character
    end: int         # offset after the last character (before "\r\n" / "\n")

    def text(self, t: str) -> str:
        return t[self.start:self.end]


def _lines(text: str) -> list[_Line]:
    out = []
    pos = 0
    cr = "\r" in text
    for no, part in enumerate(text.split("\n")):
        end = pos + len(part)
        out.append(_Line(no, pos, end - 1 if cr and part.endswith("\r") else end))
        pos = end + 1
    return out


def _line_trims(text: str, lines: list[_Line]) -> list[tuple[int, int] | None]:
    """:func:`_trim` of every whole line (by line number), None for a blank line: worked out
    once (the steps of :func:`text_blocks` ask it of the same lines again and again), in one
    loop without a call per line."""
    out: list[tuple[int, int] | None] = []
    for ln, part in zip(lines, text.split("\n")):
        body = part.strip(PAD)          # a "\r" that ends the line is padding too
        if not body:
            out.append(None)
        elif "&" in body:
            a, b = _trim(text, ln.start, ln.end)     # maybe a literal &nbsp; at an end
            out.append((a, b) if b > a else None)
        else:
            a = ln.start + len(part) - len(part.lstrip(PAD))
            out.append((a, a + len(body)))
    return out


def _lines_and_trims(text: str) -> tuple[list[_Line], list[tuple[int, int] | None]]:
    """``_lines(text)`` and ``_line_trims(text, lines)`` from one split of the text, in one loop."""
    starts, ends, trims, _several = _scan_lines(text)
    return list(map(_Line, range(len(starts)), starts, ends)), trims


def _scan_lines(text: str, split: tuple[list[str], list[int]] | None = None
                ) -> tuple[list[int], list[int], list[tuple[int, int] | None], list[int]]:
    """Where each line starts and ends (:func:`_lines`, without making a :class:`_Line` of
    every line: most texts need none), each line trimmed (:func:`_line_trims`), and the
    lines that may have several tokens (:func:`_tokens`; every line that has is among
    them), from one split of the text, in one loop.

    A line has several tokens when a blank other than one space separates two of its
    non-blank characters.  Around a line's text without its padding there is only padding,
    and the padding is blank but for U+200B: so unless the text has a U+200B, such a blank
    is inside the trimmed text — two spaces, or a character that is not printable.

    ``split``: :func:`validator.source.split_lines` of the text, when the caller has it."""
    parts, starts = split or split_lines(text)
    trims: list[tuple[int, int] | None] = []
    several: list[int] = []
    add_trim, add_several = trims.append, several.append
    pos = 0
    every = "\u200b" in text
    for no, part in enumerate(parts):
        size = len(part)
        body = part.strip(PAD)          # a "\r" that ends the line is padding too
        if not body:
            add_trim(None)
            if every:
                add_several(no)
        else:
            if "&" in body:
                a, b = _trim(text, pos, pos + size - (part[-1] == "\r"))   # maybe a literal &nbsp; at an end
                add_trim((a, b) if b > a else None)
            elif len(body) == size:     # no padding (most lines)
                add_trim((pos, pos + size))
            else:
                a = pos + size - len(part.lstrip(PAD))
                add_trim((a, a + len(body)))
            if every or "  " in body or not body.isprintable():
                add_several(no)
        pos += size + 1
    # where each line ends: before the next one's "\n" (and a "\r" that ends it)
    ends = [s - 1 for s in starts]
    del ends[0]
    ends.append(len(text))
    if "\r" in text:
        ends = [e - 1 if part[-1:] == "\r" else e for e, part in zip(ends, parts)]
    return starts, ends, trims, several


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """The span a..b without padding (spaces, NBSP, U+3000, literal ``&nbsp;``)."""
    s = text[a:b]
    body = s.strip(PAD)
    if not body:
        return a + len(s), a + len(s)
    if "&" in body and (body[:6].lower() == _NBSP or body[-6:].lower() == _NBSP):
        return _trim_nbsp(text, a, b)
    a += len(s) - len(s.lstrip(PAD))
    return a, a + len(body)


def _trim_nbsp(text: str, a: int, b: int) -> tuple[int, int]:
    """:func:`_trim` of a span that starts or ends with a literal ``&nbsp;``."""
    while True:
        while a < b and text[a] in PAD:
            a += 1
        if b - a >= 6 and text[a:a + 6].lower() == _NBSP:
            a += 6
            continue
        break
    while True:
        while b > a and text[b - 1] in PAD:
            b -= 1
        if b - a >= 6 and text[b - 6:b].lower() == _NBSP:
            b -= 6
            continue
        break
    return a, b


def _all_pipes(text: str, lines: list[_Line]) -> list[list[int]]:
    """:func:`_pipes` of every line (by line number)."""
    return _line_pipes(text, [ln.start for ln in lines], [ln.end for ln in lines])[0]


def _line_pipes(text: str, starts: list[int], ends: list[int]) -> tuple[list[list[int]], list[int]]:
    """:func:`_pipes` of every line (by line number; lines given by where they start and end),
    and the lines that have any, in order.  Where every ``|`` of the text is comes from one
    split of the text (the pieces' lengths summed up at C level), how many each line has
    from a count per line (at C level too); the pipes of the lines with any are that list
    cut in turn into as many — a step per line with pipes, none per pipe or per other line
    (a line's pipes are between its start and end, so the lines take them in order).  A
    backslash can escape a pipe: in a text that has one, the lines with a pipe are worked
    out one by one (:func:`_pipes`)."""
    n = len(starts)
    out: list[list[int]] = [[] for _ in starts]
    piped: list[int] = []
    if "|" not in text:
        return out, piped
    count = text.count
    counts = list(map(count, repeat("|", n), starts, ends))
    if "\\" in text:
        for k in compress(range(n), counts):
            p = _pipes(text, _Line(k, starts[k], ends[k]))
            if p:
                out[k] = p
                piped.append(k)
        return out, piped
    at = list(accumulate(map(_PLUS_ONE, map(len, text.split("|"))), initial=-1))
    del at[0]
    i = 0
    for k in compress(range(n), counts):
        j = i + counts[k]
        out[k] = at[i:j]
        piped.append(k)
        i = j
    return out, piped


def _pipes(text: str, ln: _Line) -> list[int]:
    """Offsets of the unescaped ``|`` on a line (``\\|`` is a literal pipe)."""
    if text.find("\\", ln.start, ln.end) < 0:
        # no backslash: every pipe; where each is, from the lengths of the pieces between
        # them (summed up at C level: a one-cell-per-line table has hundreds of pipes)
        parts = text[ln.start:ln.end].split("|")
        parts.pop()
        return list(accumulate(map(_PLUS_ONE, map(len, parts)), initial=ln.start - 1))[1:]
    out = []
    i = text.find("|", ln.start, ln.end)
    while i >= 0:
        k = i - 1
        bs = 0
        while k >= ln.start and text[k] == "\\":
            bs += 1
            k -= 1
        if bs % 2 == 0:
            out.append(i)
        i = text.find("|", i + 1, ln.end)
    return out


def is_number(s: str) -> bool:
    return bool(_NUMBER.match(s.strip(PAD)))


def _blank(text: str, ln: _Line) -> bool:
    a, b = _trim(text, ln.start, ln.end)
    return a >= b


# ---------------------------------------------------------------------------------------
# pipe rows and Markdown tables
@record(slots=True)
class _PipeRow:
    """A line read as a row of pipe-separated cells: the pipes and the cells' spans."""

    ln: _Line
    pipes: list[int]
    leading: bool
    trailing: bool
    cells: list[tuple[int, int]]    # trimmed spans
    delim: bool

    @property
    def filled(self) -> int:
        return sum(1 for a, b in self.cells if b > a)


def _pipe_row(text: str, ln: _Line, pipes: list[int], open_left: bool = False,
              span: tuple[int, int] | None = None) -> _PipeRow:
    """``open_left``: the rows are cells joined by `` | `` without a leading pipe, so a line
    that starts with `` |`` starts with an empty cell.  ``span``: the line trimmed, when
    known (:func:`_line_trims`)."""
    a, b = span or _trim(text, ln.start, ln.end)
    leading = bool(pipes) and pipes[0] == a and not open_left
    trailing = bool(pipes) and pipes[-1] == b - 1
    first = ln.start if not leading else pipes[0] + 1
    cuts = pipes[1:] if leading else pipes
    line = text[ln.start:ln.end]
    if "\\" not in line and "&" not in line:
        if cuts or not trailing:
            # every pipe cuts: the cells end at the pipes after ``first`` (and the line's end)
            cells = _split_cells(text, first, cuts if trailing else cuts + [ln.end])
        else:
            cells = []
    else:
        cells = []
        prev = first
        for p in cuts:
            cells.append(_trim(text, prev, p))
            prev = p + 1
        if not trailing:
            cells.append(_trim(text, prev, ln.end))
        # an empty cell sits where it is drawn (just after its opening pipe)
        cells = [(x, y) if y > x else (min(x, ln.end), min(x, ln.end)) for x, y in cells]
    return _PipeRow(ln, pipes, leading, trailing, cells, _delim(line))


def _delim(line: str) -> bool:
    """A Markdown delimiter row (``|---|:---:|``): :attr:`_PipeRow.delim` of the line."""
    return "-" in line and _DELIM.match(line) is not None


def _leading(pipes: list[int], span: tuple[int, int]) -> bool:
    """:attr:`_PipeRow.leading` of a line with pipes (not read ``open_left``), given the line
    trimmed: its first pipe is where its text starts."""
    return pipes[0] == span[0]


def _split_cells(text: str, a: int, ends: list[int]) -> list[tuple[int, int]]:
    """The cells of text[a:ends[-1]] cut at every ``|`` (``ends``: where each cell ends — the
    pipes, then the end), each trimmed (:func:`_trim`), an empty one at its end: what
    :func:`_pipe_row` makes of a line without a backslash (so every pipe cuts) and without
    an ``&`` (so no ``&nbsp;`` to trim), from one split of the line instead of a slice and a
    call per cell.  (Working the pieces' lengths out with ``map`` chains was measured slower
    for rows of a few cells.)"""
    cells = []
    for part, e in zip(text[a:ends[-1]].split("|"), ends):
        body = part.strip(PAD)
        if body:
            x = e - len(part.lstrip(PAD))
            cells.append((x, x + len(body)))
        else:
            cells.append((e, e))
    return cells


def _long_delim(text: str, r: _PipeRow) -> bool:
    """A delimiter row written with ``---`` cells: a delimiter wherever it is.  A row of
    single ``-`` cells below the first row is data (a dash for "none")."""
    return r.delim and all(text[a:b].count("-") >= 3 for a, b in r.cells if b > a)


def _row_like(r: _PipeRow) -> bool:
    """A line that is clearly a table row, not a sentence with a pipe in it."""
    if r.delim:
        return True
    n = len(r.pipes)
    if r.leading:
        return n >= 2 or (n == 1 and len(r.cells) >= 1 and r.filled >= 1 and not r.trailing)
    if r.trailing:
        return n >= 2
    return n >= 2 and len(r.cells) >= 3


# ---------------------------------------------------------------------------------------
# one cell per line ("text |" lines, empty cells as runs of "|")
_OCPL_LINE = later(r"^(?:[^|]*[^|\s][^|]*\|(?: ?\|+)?|\|+)$")


def _ocpl_line(text: str, ln: _Line, pipes: list[int], span: tuple[int, int] | None = None) -> bool:
    """``text |``, ``text | ||||`` or ``||||``: at most one filled cell, first on the line,
    and runs of empty cells written as ``|`` without spaces (a pipe row with empty cells
    writes ``|  |  |``).  ``span``: the line trimmed, when known."""
    if not pipes:
        return False
    a, b = span or _trim(text, ln.start, ln.end)
    s = text[a:b]
    return "\\|" not in s and _OCPL_LINE.match(s) is not None


def _ocpl_single(text: str, ln: _Line, pipes: list[int]) -> bool:
    """Exactly ``text |``."""
    if len(pipes) != 1:
        return False
    x, y = _trim(text, ln.start, pipes[0])
    return y > x


def _text_before(pipes: list[int], span: tuple[int, int]) -> bool:
    """:func:`_ocpl_single` of a line of one pipe, given the line trimmed: the line's text
    starts before its pipe (the piece before the pipe, trimmed alike, is then not empty)."""
    return span[0] < pipes[0]


MAX_ROW_CELLS = 200     # no table of a report is wider; longer periods are not tried


def row_period(cells_per_line: list[int], empty_last: list[bool]) -> int | None:
    """The number of cells per row of a one-cell-per-line table, or None if the text does
    not decide it.

    Every ``|`` ends a cell.  The converters that write this rendering give every row the
    same number of ``|`` (the row's own cells, then empty cells up to the table's width, or
    one more ``|`` for the row's end) and start each row on a new line.  So the period P is
    one with which every row ends at the end of a line — never inside a run of ``|`` — and
    the most rows end with an empty cell (the padding; at least half of them), the smaller
    on a tie; the table's last row may be shorter (its padding left off).  Fewer than three rows, or rows that mostly do not end
    with an empty cell, decide nothing."""
    total = sum(cells_per_line)
    if total < 4 or max(cells_per_line, default=0) < 2:
        return None
    # where each line with cells ends (in increasing order), and whether its last cell is
    # empty: from running sums at C level, not a step per line (a table has hundreds)
    ends = list(compress(accumulate(cells_per_line), cells_per_line))
    last_cell_empty = dict(zip(ends, compress(empty_last, cells_per_line)))
    best = None
    # a period is a row's end, so the end of a line (the first cut): only those are tried,
    # in increasing order
    is_end = last_cell_empty.__contains__
    empty_at = last_cell_empty.__getitem__
    for p in ends[bisect_left(ends, 2):bisect_right(ends, MAX_ROW_CELLS)]:
        cuts = range(p, total, p)
        if len(cuts) < 2:
            break
        if not all(map(is_end, cuts)):
            continue
        padded = sum(map(empty_at, cuts))
        if padded * 2 >= len(cuts) and padded >= 2:
            share = padded / len(cuts)
            if best is None or share > best[0]:
                best = (share, p)       # most rows ending in padding; the smaller period on a tie
    return best[1] if best else None


def _ocpl_grid(text: str, lines: list[_Line], pipes: list[list[int]]) -> list[Grid]:
    """Cells of a one-cell-per-line run, cut into rows of :func:`row_period` cells; one row
    per line with ``rows_uncertain`` when the period is not decided.  (Every line has a
    pipe; every pipe ends a cell.)"""
    spans: list[list[tuple[int, int]]] = []      # each line's cells
    for ln in lines:
        cells = []
        prev = ln.start
        for p in pipes[ln.no]:
            if p == prev:
                cells.append((p, p))    # "||": an empty cell, nothing to trim
            else:
                # _trim of the piece, inline (most lines are one cell)
                piece = text[prev:p]
                body = piece.strip(PAD)
                if not body:
                    cells.append((p, p))
                elif "&" in body:
                    x, y = _trim(text, prev, p)
                    cells.append((x, y) if y > x else (p, p))
                else:
                    x = p - len(piece.lstrip(PAD))
                    cells.append((x, x + len(body)))
            prev = p + 1
        spans.append(cells)
    period = row_period(list(map(len, spans)), [c[-1][1] <= c[-1][0] for c in spans])
    if period:
        flat = [c for cells in spans for c in cells]
        rows = [flat[k:k + period] for k in range(0, len(flat), period)]
    else:
        rows = spans
    return [Grid(lines[0].start, lines[-1].end, _grid_cells(rows), "lines", len(rows), max(map(len, rows)),
                 rows_uncertain=not period)]


def _grid_cells(rows: list[list[tuple[int, int]]]) -> list[GridCell]:
    """The GridCells of rows of cell spans (one cell per column, left to right)."""
    return [GridCell(r, k, x, y) for r, row in enumerate(rows) for k, (x, y) in enumerate(row)]


# ---------------------------------------------------------------------------------------
# tab-separated rows
def _tab_cells(text: str, ln: _Line) -> list[tuple[int, int]] | None:
    s = text[ln.start:ln.end]
    a = len(s) - len(s.lstrip(" \u3000"))
    body = s.rstrip(PAD.replace("\t", ""))
    first = len(body) - len(body.lstrip(PAD))
    if "\t" not in body[first:]:
        return None   # no tab, or only indentation
    out = []
    pos = a
    for part in body[a:].split("\t"):
        x, y = _trim(text, ln.start + pos, ln.start + pos + len(part))
        if y <= x:
            x = y = ln.start + pos
        out.append((x, y))
        pos += len(part) + 1
    return out


# ---------------------------------------------------------------------------------------
# space-aligned columns
_GAP = later(r"\S+(?: \S+)*")   # tokens: runs of text separated by two or more spaces


def _tokens(s: str) -> list[tuple[int, int]]:
    """Spans of the tokens of a line, in the line with U+3000 and tabs written as two spaces."""
    body = s.strip()
    if not body:
        return []
    if body.isprintable() and "  " not in body:
        # no blank inside but single spaces (every other blank is unprintable): one token
        a = len(s) - len(s.lstrip())
        a += s.count("\u3000", 0, a) + s.count("\t", 0, a)
        return [(a, a + len(body))]
    return list(map(_SPAN, _GAP.finditer(s.replace("\u3000", "  ").replace("\t", "  "))))


def _aligned_blocks(text: str, lines: list[_Line], free: list[bool]) -> list[tuple[list[int], list[list[tuple[int, int]]]]]:
    """Blocks of lines with the same space-aligned columns (indices into ``lines`` and the
    token spans per line, relative to the line start)."""
    return _blocks(text, [ln.start for ln in lines], [ln.end for ln in lines], free, _scan_lines(text)[3])


def _blocks(text: str, starts: list[int], ends: list[int], free: list[bool], several: list[int]) -> list:
    """:func:`_aligned_blocks` given where the lines start and end and the lines that may
    have several tokens (in order; every line that has is among them — :func:`_scan_lines`).

    A block starts at a free line of two tokens or more and goes on over free lines of as
    many tokens, up to two blank lines between them.  Only the lines in ``several`` are
    tokenised: any other line is blank (``str.isspace``) or one token — never a line of a
    block; below a block :func:`_isolated` tokenises the few lines it looks at."""
    out = []
    n = len(starts)
    maybe = set(several)
    toks: dict[int, list[tuple[int, int]]] = {}     # the lines of ``several`` tokenised so far
    after = -1                                      # a block is not retried from its lines
    for i in several:
        if i <= after or not free[i]:
            continue
        t = toks.get(i)
        if t is None:
            t = toks[i] = _tokens(text[starts[i]:ends[i]])
        k = len(t)
        if k < 2:
            continue
        members = [i]
        rows = [t]
        j = i + 1
        blanks = 0
        while j < n and free[j]:
            if j in maybe:
                t = toks.get(j)
                if t is None:
                    t = toks[j] = _tokens(text[starts[j]:ends[j]])
                kj = len(t)
            else:
                s = text[starts[j]:ends[j]]
                kj = 1 if s and not s.isspace() else 0
            if kj == k:
                members.append(j)
                rows.append(t)
                blanks = 0
            elif kj:
                break
            else:
                blanks += 1
                if blanks > 2:
                    break
            j += 1
        # the header row has no number (else the block is a piece of a larger table, not
        # taken); the cheap tests first
        if len(members) >= 2 and not _header_has_number(text[starts[i]:ends[i]], rows[0]) and _consistent(rows) \
                and _values_in_columns(text, starts, ends, members[1:], rows[1:]) \
                and _isolated(text, starts, ends, rows, members, free, toks):
            out.append((members, rows))
        after = members[-1]
    return out


def _columns(rows: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Where each column is: from its leftmost start to its rightmost end over the rows."""
    return [(min(map(_FIRST, col)), max(map(_SECOND, col))) for col in zip(*rows)]


def _consistent(rows: list[list[tuple[int, int]]]) -> bool:
    """Column c of every line lies entirely left of column c+1 of every line."""
    cols = _columns(rows)
    return all(cols[c][1] < cols[c + 1][0] for c in range(len(cols) - 1))


def _in_line(s: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token spans of :func:`_tokens` (counted in the line with U+3000 and tabs written as two
    spaces, so that columns line up as they are shown) as offsets into the line ``s`` itself."""
    if "\u3000" not in s and "\t" not in s:
        return spans
    to_line = []                  # widened offset -> offset in s
    for i, ch in enumerate(s):
        to_line.append(i)
        if ch == "\u3000" or ch == "\t":
            to_line.append(i)
    to_line.append(len(s))
    return [(to_line[a], to_line[b]) for a, b in spans]


def _header_has_number(first: str, row: list[tuple[int, int]]) -> bool:
    """A number in a value column of a block's first row: the block has no header row of its
    own (data rows of a larger table whose header is elsewhere)."""
    return any(is_number(first[a:b]) for a, b in _in_line(first, row)[1:])


def _values_in_columns(text, starts, ends, members, rows) -> bool:
    """The block carries values: every value column (all but the first) is numbers in every
    row below the header row (``members``, ``rows``: those rows and their tokens)."""
    for m, tk in zip(members, rows):
        s = text[starts[m]:ends[m]]
        for a, b in _in_line(s, tk)[1:]:
            c = s[a:b]
            if not (is_number(c) or c.strip() in _DASHES):
                return False
    return True


def _isolated(text, starts, ends, rows, members, free, toks) -> bool:
    """A whole table (the block's header row checked by :func:`_header_has_number`): nothing
    right below it belongs to the same table — no line of other columns (a row of numbers
    whose label is elsewhere, a row with a vertical label's character) within two lines, no
    wrapped label directly under the last row.  ``toks``: the lines tokenised so far."""
    cols = _columns(rows)
    j = members[-1]
    for step in (1, 2, 3):
        k = j + step
        if k >= len(starts):
            break
        if not free[k]:
            return False             # a pipe, tab or other table right below
        t = toks.get(k)
        if t is None:
            t = _tokens(text[starts[k]:ends[k]])
        if not t:
            continue
        if len(t) >= 2:
            return False
        a, b = t[0]
        if step == 1 and a < cols[1][0] and b > cols[0][0]:
            return False             # directly below, in the label column: a wrapped label
        break
    return True


# ---------------------------------------------------------------------------------------
def text_blocks(text: str, *, markdown: bool = False, headings: dict[int, int] | None = None,
                aligned: bool = True, split: tuple[list[str], list[int]] | None = None) -> list[Block]:
    """Paragraph and Grid blocks of a text (see the module docstring).

    ``headings`` maps 0-based line numbers to heading levels (Markdown ``#``); ``aligned``
    enables space-aligned column detection (plain text only).  Inline ``xxgk-lint:``
    directive comments are not part of the report: tables are recognised as if they were
    blank (the parser sees them blanked).  ``split``: :func:`validator.source.split_lines`
    of the text, when the reader has it (for its source map)."""
    from ..directives import blank_directives_text
    blanked = blank_directives_text(text)
    # trims: each line trimmed, None for a blank line; several: the lines that may have
    # several tokens (space-aligned columns start at one)
    starts, ends, trims, several = _scan_lines(blanked, split if blanked is text else None)
    n = len(starts)
    # the lines as _Line, for the steps that find pipe and tab tables (a text without pipes
    # and tabs needs none)
    lines = list(map(_Line, range(n), starts, ends)) if "\t" in blanked or blanked is not text else None
    # lines that hold nothing but a directive: not there for the structure (a table goes on)
    directive_only = ([_blank(blanked, ln) and not _blank(text, ln) for ln in lines] if blanked is not text
                      else [False] * n)
    text = blanked
    taken = [False] * n
    grids: list[tuple[int, Grid]] = []   # (first line, grid)

    # 1. runs of lines with pipes
    md_runs: list[tuple[int, Grid, int]] = []
    headers: dict[int, tuple] = {}      # grid id → its Markdown header row
    pipes, piped = _line_pipes(text, starts, ends) if "|" in text else ([], [])
    at = 0                              # the next line with pipes, in piped
    while at < len(piped):
        i = piped[at]
        j = i
        run = []
        while j < n:
            if pipes[j]:
                run.append(j)
                j += 1
                continue
            if directive_only[j] and j + 1 < n and (pipes[j + 1] or directive_only[j + 1]):
                j += 1
                continue
            # a single blank line between pipe rows of plain text does not end the table
            if (not markdown and j + 1 < n and trims[j] is None and pipes[j + 1]
                    and _leading(pipes[j + 1], trims[j + 1]) == _leading(pipes[run[-1]], trims[run[-1]])
                    and not (j + 2 < n and pipes[j + 2] and _delim(text[starts[j + 2]:ends[j + 2]]))):
                j += 1
                continue
            break
        for first, g, used, header in _pipe_run(text, [_Line(k, starts[k], ends[k]) for k in run], pipes, markdown, trims):
            grids.append((first, g))
            md_runs.append((first, g, max(used)))
            if header is not None:
                headers[id(g)] = header
            for k in used:
                taken[k] = True
        while at < len(piped) and piped[at] < j:
            at += 1
    _mark_fragments(text, md_runs, headers, trims)

    # 2. tab-separated runs
    i = 0 if "\t" in text else n
    while i < n:
        if taken[i]:
            i += 1
            continue
        j = i
        rows = []
        while j < n and not taken[j]:
            if directive_only[j] and rows:
                j += 1
                continue
            c = _tab_cells(text, lines[j])
            if c is None:
                break
            rows.append((j, c))
            j += 1
        if rows:
            filled = [sum(1 for a, b in c if b > a) for _j, c in rows]
            if sum(1 for f in filled if f >= 2) >= 2 or (len(rows) == 1 and filled[0] >= 3):
                cells = [GridCell(r, k, a, b) for r, (_j, c) in enumerate(rows) for k, (a, b) in enumerate(c)]
                grids.append((rows[0][0], Grid(lines[rows[0][0]].start, lines[rows[-1][0]].end, cells, "tab")))
                for k, _c in rows:
                    taken[k] = True
        i = max(j, i + 1)

    # 3. space-aligned columns (pdftotext -layout): they start at a line of several tokens
    if aligned and several:
        if "\t" in text:
            free = [not taken[k] and "\t" not in lines[k].text(text) for k in range(n)]
        else:
            free = [not t for t in taken]
        for members, toks in _blocks(text, starts, ends, free, several):
            cells = []
            for r, (m, tk) in enumerate(zip(members, toks)):
                base = starts[m]
                for k, (a, b) in enumerate(_in_line(text[base:ends[m]], tk)):
                    x, y = _trim(text, base + a, base + b)
                    cells.append(GridCell(r, k, x, y))
            grids.append((members[0], Grid(starts[members[0]], ends[members[-1]], cells, "aligned")))
            for k in range(members[0], members[-1] + 1):
                taken[k] = True

    # 4. everything else: one paragraph per line
    if not grids:
        if headings:
            return [Paragraph(span[0], span[1], headings.get(k)) for k, span in enumerate(trims) if span is not None]
        return [Paragraph(a, b) for a, b in filter(None, trims)]
    blocks: list[tuple[int, Block]] = list(grids)
    levels = headings or {}
    for k, span in enumerate(trims):
        if span is not None and not taken[k]:
            blocks.append((k, Paragraph(span[0], span[1], levels.get(k))))
    blocks.sort(key=itemgetter(0))      # stable: a grid (added first) before a paragraph of its line
    return [b for _k, b in blocks]


def _pipe_run(text: str, run: list[_Line], pipes: list[list[int]], markdown: bool,
              trims: list[tuple[int, int] | None]):
    """Grids in a run of lines with pipes: (first line, grid, line numbers taken).  ``trims``:
    every line of the text trimmed (:func:`_line_trims`)."""
    body = [ln for ln in run if trims[ln.no] is not None]
    if not body:
        return []
    # lines "text |" (_ocpl_single: exactly one pipe, and text before it — where the line
    # trimmed starts before its pipe) and lines of two pipes or more, in one pass
    singles = runs = 0
    for ln in body:
        p = pipes[ln.no]
        if len(p) >= 2:
            runs += 1
        elif _text_before(p, trims[ln.no]):
            singles += 1
    # one cell per line: "text |" lines and runs of "|" (empty cells); without any run of
    # empty cells nothing shows a table (lines of page text that end in " |" stay text)
    if len(body) >= 3 and singles >= 2 and runs >= 1 and all(_ocpl_line(text, ln, pipes[ln.no], trims[ln.no]) for ln in body):
        return [(body[0].no, g, [ln.no for ln in run], None) for g in _ocpl_grid(text, body, pipes)]
    rows = [_pipe_row(text, ln, pipes[ln.no], span=trims[ln.no]) for ln in body]
    for k, r in enumerate(rows):
        if r.delim and k != 1 and not _long_delim(text, r):
            r.delim = False
    # rows written without a leading pipe (cells joined by " | "): a line that starts with
    # " |" starts with an empty cell — when some row starts with text and no row starts
    # with a pipe at the line's start (Markdown rows do)
    if any(not r.leading and not r.delim for r in rows) and not any(text[r.ln.start:r.ln.start + 1] == "|" for r in rows):
        rows = [r if r.delim else _pipe_row(text, r.ln, r.pipes, open_left=True, span=trims[r.ln.no]) for r in rows]
    clear = [r for r in rows if _row_like(r) and not r.delim]
    if not clear:
        return []
    if len(clear) == 1 and len(rows) == 1:
        r = clear[0]
        if not ((r.leading and r.trailing and len(r.cells) >= 2) or (r.trailing and len(r.pipes) >= 3)):
            return []
    elif len(clear) < 2 and not any(r.delim for r in rows):
        return []
    # the row above the delimiter is the Markdown header row — unless it holds numbers: PDF
    # converters put a delimiter under the first row of every piece of a cut table
    header_row = (len(rows) >= 2 and rows[1].delim and not rows[0].delim
                  and not any(is_number(text[a:b]) for a, b in rows[0].cells if b > a))
    is_md = any(r.delim for r in rows)
    spans = [r.cells for r in rows if not r.delim]
    cells = _grid_cells(spans)
    if not cells:
        return []
    if header_row:
        for c in cells[:len(spans[0])]:
            c.header = True
    # as many rows as up to the last one with cells (a row of a lone "|" has none), as many
    # columns as the widest row: what Grid would count from the cells
    n_rows = len(spans)
    while not spans[n_rows - 1]:
        n_rows -= 1
    g = Grid(body[0].start, body[-1].end, cells, "markdown" if (markdown or is_md) else "pipe",
             n_rows, max(map(len, spans)))
    # a delimiter row anywhere but under the first row: pieces of a cut table glued together
    g.fragment = any(r.delim for k, r in enumerate(rows) if k != 1)
    header = tuple(text[a:b] for a, b in rows[0].cells) if len(rows) >= 2 and rows[1].delim and not rows[0].delim else None
    return [(body[0].no, g, [ln.no for ln in run], header)]


MAX_BETWEEN_PIECES = 12             # lines of text between two pieces of one cut table
MAX_PIECE_GAP_LINE = 60             # characters of such a line (a heading, a wrapped label)


def _mark_fragments(text: str, grids: list[tuple[int, "Grid", int]],
                    headers: dict[int, tuple], trims: list[tuple[int, int] | None]) -> None:
    """Markdown tables that are pieces of tables a converter cut up (PDF → Markdown).  A chain
    of Markdown tables with only short lines between them (headings, wrapped labels) is cut
    up when one of its tables shows the cut — a delimiter row inside it (pieces glued
    together) or the same header row as the table before it (each piece repeating the
    header).  Then every table of the chain is a piece: their row labels and column headers
    are partly in the text between them, so none of them is a table on its own
    (``Grid.fragment``)."""
    md = [(first, g, last) for first, g, last in grids if g.origin == "markdown"]

    def close(a, b) -> bool:
        between = [span for span in trims[a[2] + 1:b[0]] if span is not None]
        return len(between) <= MAX_BETWEEN_PIECES and all(y - x <= MAX_PIECE_GAP_LINE for x, y in between)

    chains: list[list] = []
    for k, item in enumerate(md):
        if k and close(md[k - 1], item):
            chains[-1].append(item)
        else:
            chains.append([item])
    for chain in chains:
        cut = any(g.fragment for _f, g, _l in chain)
        for a, b in zip(chain, chain[1:]):
            ha, hb = headers.get(id(a[1])), headers.get(id(b[1]))
            cut = cut or (ha is not None and ha == hb)
        if cut and len(chain) >= 2:
            for _f, g, _l in chain:
                g.fragment = True
