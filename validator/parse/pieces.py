"""What the segmenter, the table mapper and the page-text reader hand to the grammar: pieces
of tables with their rows, each row with its label and its cells (placed by column when the
rendering's grid said where they are, or in order when only their order is known)."""

from __future__ import annotations

from dataclasses import field

from lark import Token

from ..model import LabelMatch
from ..records import record
from ..templates import LabelSpec

Span = tuple[int, int]


_new_str = str.__new__


def token(type_: str, value, start: int, end: int) -> Token:
    """A Lark token that carries one of our objects (a heading, paragraphs, a table piece …).
    ``Token(type, value)`` makes the token's own text ``str(value)``: for a record its whole
    repr, for a list of paragraphs theirs.  Nothing reads that text (the grammar looks at the
    type, the model builder at ``value``), so it is left empty.  Made as ``Token.__new__``
    makes it (the empty text, then every slot), without its two Python calls (``__new__``
    checking for a deprecated keyword, then ``_future_new``): a report has a few hundred."""
    t = _new_str(Token, "")
    t.type = type_
    t.start_pos = start
    t.value = value
    t.line = t.column = t.end_line = t.end_column = None
    t.end_pos = end
    return t


@record(slots=True)
class Tok:
    """A piece of text with offsets into the document text: a value, a blank cell, a label,
    a paragraph … (``data`` holds what a kind of token needs: a label's spec and quality, a
    table's tokens, a heading; None for the values, blanks and text that need nothing — most
    tokens, so no empty dict is made for each)."""

    type: str
    start: int
    end: int
    text: str
    data: dict | None = None


@record
class RowPiece:
    """One table row as the rendering gave it."""

    spec: LabelSpec | None            # the row (or row-group) label matched; None: no label
    labels: list[LabelMatch]          # every template label of the row, in order
    span: Span
    cells: list[Tok] = field(default_factory=list)            # values/blanks in order …
    placed: dict[str, Tok] | None = None                      # … or placed by column key
    extra: list[Tok] = field(default_factory=list)            # values in no template column
    note: str | None = None           # e.g. "第3页/第4页" for a row joined across a page break

    @property
    def key(self) -> str | None:
        return self.spec.key if self.spec is not None else None

    @property
    def has_values(self) -> bool:
        if self.placed is not None:
            return any(t.type != "BLANK" for t in self.placed.values()) or bool(self.extra)
        return any(t.type == "VALUE" for t in self.cells) or bool(self.extra)

    @property
    def has_cells(self) -> bool:
        return bool(self.placed) if self.placed is not None else bool(self.cells)

    def __str__(self) -> str:   # a Lark token's text
        return self.spec.key if self.spec is not None else "·"


@record
class TablePiece:
    """A template table, or the part of one that one block of the document holds."""

    key: str                                   # 表二 / 表三 / 表四
    start: int
    end: int
    rows: list[RowPiece] = field(default_factory=list)
    headers: list[LabelMatch] = field(default_factory=list)
    captions: list[LabelMatch] = field(default_factory=list)
    stray: list[LabelMatch] = field(default_factory=list)     # other text inside the table
    # what could not be read: (note kind, span, args) — e.g. a row with no readable cells, a
    # value in no column, a piece of a row cut by a page break that could not be joined
    problems: list[tuple[str, Span, dict]] = field(default_factory=list)
    origin: str = "text"                       # "grid" or "text"

    def __str__(self) -> str:
        return self.key

    def absorb(self, other: "TablePiece") -> None:
        """Append the next piece of the same table (a table continued in another block)."""
        self.end = max(self.end, other.end)
        self.rows.extend(other.rows)
        self.headers.extend(other.headers)
        self.captions.extend(other.captions)
        self.stray.extend(other.stray)
        self.problems.extend(other.problems)
        if other.origin != self.origin:
            self.origin = "mixed"
