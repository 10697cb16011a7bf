"""The text the pipeline works on, and the map from every character back to the original file.

Every reader produces a :class:`SourceText`.  Its ``text`` is what the lexer sees (after
normalisation); for each character of ``text`` it keeps where that character came from in
the user's file: line and column for text, HTML and Markdown; page (and line on the page)
for PDF; paragraph or table/row/cell for DOCX.  Normalisation (width folding, 繁→简) goes
through :meth:`SourceText.map_text`, which keeps the map, so findings always point at the
original file whatever was done to the text.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import field
from itertools import accumulate
from typing import Callable, Iterable, Sequence

from .records import pickle_by_init, record, reduce_by_init


@record(frozen=True)
class Location:
    """A place in the user's original file (1-based line and column)."""

    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    page: int | None = None
    where: str | None = None  # human-readable place for PDF/DOCX: "第2页", "表格1 第3行 第2格"

    __reduce__ = reduce_by_init   # every finding carries one across the workers' pipes

    def describe(self) -> str:
        if self.where:
            return self.where
        return f"{self.line}:{self.column}"


pickle_by_init(Location)


@record(frozen=True)
class Place:
    """What a run of characters belongs to, beyond line/column (PDF page, DOCX cell...)."""

    page: int | None = None
    where: str | None = None


NO_PLACE = Place()


class SourceText:
    """Normalised text plus, for every character, its (line, column, place) in the original.

    ``original_lines`` holds the original file's lines when the original is text (txt, HTML,
    Markdown), so reporters can show the offending source line.
    """

    __slots__ = ("text", "_lines", "_cols", "_places", "places", "path", "format",
                 "encoding", "original_lines", "notes", "_line_starts", "raw", "_raw_same", "_holds",
                 "_changed")

    def __init__(self, text: str, lines: array, cols: array, places: array | None = None,
                 place_table: Sequence[Place] = (NO_PLACE,), *, path: str = "<string>",
                 format: str = "text", encoding: str | None = None,
                 original_lines: list[str] | None = None, notes: list | None = None):
        if len(lines) != len(text) + 1 or len(cols) != len(text) + 1:
            raise ValueError("source map must have one entry per character plus an end entry")
        self.text = text
        self._lines = lines
        self._cols = cols
        self._places = places
        self.places = list(place_table)
        self.path = path
        self.format = format
        self.encoding = encoding
        self.original_lines = original_lines
        self.notes = notes if notes is not None else []  # reader notes (e.g. decode problems)
        self._line_starts: list[int] | None = None
        # the text before normalisation, offset for offset (set by normalize() when the
        # conversions kept every length), so findings can quote the user's own characters
        self.raw: str | None = None
        self._raw_same: bool | None = None    # raw == text (worked out by the first quote)
        # does the text hold this character / this quoted piece (pieces: only those it does not
        # hold, found by quote())?  Asked by quote() once per report each
        self._holds: dict[str, bool] = {}
        # (raw, the characters of the text that stand where raw has another one — or more):
        # set by normalize() with raw; a piece with none of them reads the same in raw at any
        # occurrence, so quote() gives it back without looking for it (None: not known)
        self._changed: tuple[str, frozenset] | None = None

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_original(cls, original: str, *, split: tuple[list[str], list[int]] | None = None,
                      **kw) -> "SourceText":
        """Map an original text to itself: character i is at its own line/column.  The map is
        computed from the line starts on demand (most characters are never asked about).
        ``split``: :func:`split_lines` of the text, when the caller has it (the text reader
        gives the same to :func:`~validator.readers.textgrid.text_blocks`)."""
        parts, starts = split or split_lines(original)
        n = len(original)
        kw.setdefault("original_lines", parts)
        return cls(original, _IdentityLines(starts, n), _IdentityCols(starts, n), **kw)

    # -- queries ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.text)

    def location(self, start: int, end: int | None = None) -> Location:
        """Location in the original file of text[start:end] (end exclusive)."""
        n = len(self.text)
        # clamped into the text, end not before start (comparisons: a finding asks for one or
        # several places, and builtin min/max calls cost more than the tests)
        if start > n:
            start = n
        elif start < 0:
            start = 0
        if end is None or end < start:
            end = start
        elif end > n:
            end = n
        places = self._places
        place = NO_PLACE if places is None else self.places[places[start]]
        lines = self._lines
        if lines.__class__ is _IdentityLines and self._cols.__class__ is _IdentityCols:
            # a text mapped to itself: one bisect a position
            starts = lines.starts
            k = bisect_right(starts, start)
            line, col = k, start - starts[k - 1] + 1
            if end > start:
                last = end - 1
                k = bisect_right(starts, last, k - 1)
                end_line, end_col = k, last - starts[k - 1] + 2
            else:
                end_line, end_col = line, col
            return Location(line, col, end_line, end_col, place.page, place.where)
        if end > start:
            last = end - 1
            end_line, end_col = lines[last], self._cols[last] + 1
        else:
            end_line, end_col = lines[start], self._cols[start]
        return Location(lines[start], self._cols[start], end_line, end_col, place.page, place.where)

    def quote(self, text: str, near: int = 0) -> str:
        """The user's own characters for a piece of normalised text (full-width punctuation,
        traditional script), taken at its occurrence nearest to offset `near`."""
        if self.raw is None or not text:
            return text
        same = self._raw_same
        if same is None:   # normalisation changed nothing: every quote is the text itself
            same = self._raw_same = self.raw == self.text
        if same:
            return text
        try:
            changed = self._changed
            holds = self._holds
        except AttributeError:          # a model packed by an earlier version (an audit database)
            changed = self._changed = None
            holds = self._holds = {}
        # where raw differs from the text, the text has one of the changed characters: a piece
        # without any is its own quotation wherever it occurs (and when it occurs nowhere).
        # Each of the few changed characters is looked for in the piece (``isdisjoint(piece)``
        # made a string of each character of the piece to look it up in the set)
        if changed is not None and changed[0] is self.raw:
            for ch in changed[1]:
                if ch in text:
                    break
            else:
                return text
        if holds.get(text) is False:    # a piece known to be nowhere in the text
            return text
        lo = max(0, near - 400)
        i = self.text.find(text, lo, near + 400 + len(text))
        if i < 0:
            # most pieces not found near are not in the text at all (a label the kind composed,
            # a name of the format): one of their characters is not in it, which is known after
            # a look per character and report, instead of a search of the whole text per piece
            if self._lacks_a_char(text):
                holds[text] = False
                return text
            i = self.text.find(text)
            if i < 0:
                holds[text] = False
                return text
        return self.raw[i:i + len(text)]

    def _lacks_a_char(self, piece: str) -> bool:
        """Is one of the characters of ``piece`` nowhere in the text?  (Then neither is the
        piece.)  Each character is looked for once per text."""
        holds = self._holds
        text = self.text
        for ch in piece:
            has = holds.get(ch)
            if has is None:
                has = holds[ch] = ch in text
            if not has:
                return True
        return False

    def line_col(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        return self._lines[offset], self._cols[offset]

    def original_line(self, line: int) -> str | None:
        if self.original_lines is None or not (1 <= line <= len(self.original_lines)):
            return None
        return self.original_lines[line - 1].rstrip("\r")

    def line_of_offset(self, offset: int) -> int:
        """0-based index of the normalised-text line containing offset."""
        import bisect
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return bisect.bisect_right(self._line_starts, offset) - 1

    # -- transformation -----------------------------------------------------------------
    def map_text(self, convert: Callable[[str], str]) -> "SourceText":
        """Apply a text conversion that keeps every length, and keep the source map.

        The conversion is tried on the whole text; when it changes the length (a phrase
        conversion in OpenCC, say) it is applied line by line, and on lines whose length
        still changes, character by character, keeping a character as written where its
        conversion would change the length.  So offsets into the text (block and cell spans,
        token positions) are the same before and after every normalisation.
        """
        new = convert(self.text)
        if len(new) != len(self.text):
            parts = []
            for seg in self.text.split("\n"):
                conv = convert(seg)
                if len(conv) != len(seg):
                    conv = "".join(c2 if len(c2 := convert(ch)) == 1 else ch for ch in seg)
                parts.append(conv)
            new = "\n".join(parts)
        return self._with_text(new, self._lines, self._cols, self._places)

    def _with_text(self, text, lines, cols, places) -> "SourceText":
        return SourceText(text, lines, cols, places, self.places, path=self.path,
                          format=self.format, encoding=self.encoding,
                          original_lines=self.original_lines, notes=self.notes)


class SourceBuilder:
    """Assemble a SourceText from pieces whose origin the reader knows.

    Used by structured readers (HTML, PDF, DOCX, Markdown tables): each piece of text is
    added with the original line/column of its first character; following characters
    advance the column (or, with ``same_place=True``, all point at that one position, which
    is right for text that was assembled from markup).
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._lines = array("i")
        self._cols = array("i")
        self._places = array("i")
        self._place_table: list[Place] = [NO_PLACE]
        self._place_index: dict[Place, int] = {NO_PLACE: 0}
        self._last = (1, 1, 0)
        self._n = 0

    @property
    def offset(self) -> int:
        """Characters written so far (the offset the next character will have)."""
        return self._n

    def place(self, page: int | None = None, where: str | None = None) -> int:
        p = Place(page, where)
        idx = self._place_index.get(p)
        if idx is None:
            idx = len(self._place_table)
            self._place_table.append(p)
            self._place_index[p] = idx
        return idx

    def add(self, text: str, line: int, column: int, place: int = 0,
            same_place: bool = False) -> None:
        if not text:
            return
        self._parts.append(text)
        self._n += len(text)
        col = column
        ln = line
        for ch in text:
            self._lines.append(ln)
            self._cols.append(col)
            self._places.append(place)
            if not same_place:
                if ch == "\n":
                    ln += 1
                    col = 1
                else:
                    col += 1
        self._last = (ln, col, place)

    def add_mapped(self, text: str, positions: Iterable[tuple[int, int]], place: int = 0) -> None:
        """Add text whose every character has its own known (line, column)."""
        pos = list(positions)
        if len(pos) != len(text):
            raise ValueError("one position per character is required")
        self._parts.append(text)
        self._n += len(text)
        for ln, col in pos:
            self._lines.append(ln)
            self._cols.append(col)
            self._places.append(place)
        if pos:
            self._last = (pos[-1][0], pos[-1][1] + 1, place)

    def newline(self) -> None:
        """A line break that belongs to no character of the original (points at the last one)."""
        ln, col, place = self._last
        self._parts.append("\n")
        self._n += 1
        self._lines.append(ln)
        self._cols.append(col)
        self._places.append(place)

    def build(self, **kw) -> SourceText:
        ln, col, place = self._last
        lines = array("i", self._lines)
        cols = array("i", self._cols)
        places = array("i", self._places)
        lines.append(ln)
        cols.append(col)
        places.append(place)
        return SourceText("".join(self._parts), lines, cols, places, self._place_table, **kw)


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of a text (split at each "\n"; a "\r" before it stays on its line) and where
    each starts: the lengths of the lines before it, each with its "\n", summed at C level.
    The starts list is shared by whoever is given it: nobody changes it."""
    parts = text.split("\n")
    return parts, list(accumulate(map((1).__add__, map(len, parts[:-1])), initial=0))


@record
class ReaderNote:
    """Something a reader noticed (undecodable bytes, no text layer...).  ``kind`` names what
    it is; rules/readers.yaml says which rule reports which kind (readers know no rule ids)."""

    kind: str
    message: str
    offset: int = 0
    location: Location | None = None
    args: dict = field(default_factory=dict)


class _IdentityLines:
    """Line of character i of a text mapped to itself (behaves like the array it replaces)."""

    __slots__ = ("starts", "n")

    def __init__(self, starts: list[int], n: int):
        self.starts = starts
        self.n = n

    def __len__(self) -> int:
        return self.n + 1

    def _one(self, i: int) -> int:
        return bisect_right(self.starts, i)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._one(k) for k in range(*i.indices(self.n + 1))]
        if i < 0:
            i += self.n + 1
        return self._one(i)


class _IdentityCols(_IdentityLines):
    """Column of character i of a text mapped to itself."""

    __slots__ = ()

    def _one(self, i: int) -> int:
        return i - self.starts[bisect_right(self.starts, i) - 1] + 1
