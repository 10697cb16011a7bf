"""What a reader hands to the parser: the text with its map back to the file, cut into blocks.

Every reader (text, Markdown, HTML, PDF, DOCX) produces one :class:`Document`:

* ``source`` — the :class:`~validator.source.SourceText`: the characters of the report and,
  for each, where it is in the user's file (line:column; page; paragraph; table cell);
* ``blocks`` — the report in reading order as :class:`Paragraph` and :class:`Grid` blocks.
  A grid is a table as the rendering gave it: cells with their row, column, row span and
  column span, and the span of each cell's text in ``source.text``.  Readers never flatten a
  table back into text for the parser to re-split: HTML, DOCX and PDF give the grid they
  read; the text and Markdown readers recognise pipe rows, Markdown tables, tab-separated
  and one-cell-per-line tables as grids.  Text that has no grid (page text whose table
  cells ran together) stays a paragraph; the parser reads its tables by their labels.
* ``meta`` — facts about the file that are not in the report's text: the page's
  publication date (HTML ``<meta>``), the PDF's creation date, the page title.

Offsets are offsets into ``source.text``.  Normalisation (width folding, 繁→简) keeps every
length, so the same offsets hold in the normalised text.
"""

from __future__ import annotations

from dataclasses import field
from typing import Iterator, Union

from .lazyre import later
from .records import record
from .source import SourceBuilder, SourceText

Span = tuple[int, int]
_LINE = later(r"[^\s\u3000](?:[^\n]*[^\s\u3000])?")   # a line's text without the blanks around it


@record(slots=True)
class GridCell:
    """One cell of a grid: top-left position, spans, and the span of its text."""

    row: int            # 0-based row of the cell's top edge in the grid
    col: int            # 0-based column of the cell's left edge
    start: int          # text span in source.text (start == end: an empty cell, at its place)
    end: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False  # marked as a header cell by the markup (<th>, Markdown header row)


@record(slots=True)
class Grid:
    """A table block: the cells of one table as the rendering drew them."""

    start: int
    end: int
    cells: list[GridCell]
    origin: str                      # html / docx / pdf / pipe / markdown / tab / lines / aligned
    n_rows: int = 0
    n_cols: int = 0
    # grid rows that a reader joined from two pieces (a PDF row cut by a page break): the
    # row index and a description of where the pieces were ("第3页/第4页")
    joined_rows: list[tuple[int, str]] = field(default_factory=list)
    # rows the reader could not join or place (a piece of a row at a page break with no row
    # to belong to); each (row index, description) — the parser reports them
    loose_rows: list[tuple[int, str]] = field(default_factory=list)
    # the rendering does not show where the rows end (one cell per line without the row
    # padding that marks them): each line of the text is given as its own row, nothing guessed
    rows_uncertain: bool = False
    # one piece of a table that a converter cut into several (Markdown tables glued together
    # with a delimiter row inside, or consecutive tables repeating one header row): its row
    # labels and column headers are partly in the text between the pieces.  Document.grids()
    # leaves such pieces out unless asked (their text is read as paragraphs)
    fragment: bool = False

    def __post_init__(self):
        if self.cells and not (self.n_rows and self.n_cols):
            self.n_rows = max(c.row + c.rowspan for c in self.cells)
            self.n_cols = max(c.col + c.colspan for c in self.cells)

    def matrix(self) -> list[list[GridCell | None]]:
        """Row × column positions, each holding the cell that covers it (a merged cell
        covers several positions) or None where the rendering drew no cell."""
        m: list[list[GridCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, min(c.row + c.rowspan, self.n_rows)):
                for k in range(c.col, min(c.col + c.colspan, self.n_cols)):
                    m[r][k] = c
        return m

    def rows(self) -> list[list[GridCell]]:
        """The cells that start in each row, left to right."""
        out: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out


@record(slots=True)
class Paragraph:
    """A paragraph (or one line of text when the rendering has no paragraphs)."""

    start: int
    end: int
    heading: int | None = None   # heading level given by the markup (Markdown #, <h2>, DOCX style)


Block = Union[Paragraph, Grid]


@record
class Document:
    """What a reader produces: the source text, its paragraphs and grids in order, file facts."""

    source: SourceText
    blocks: list[Block] = field(default_factory=list)
    # file facts outside the report text: key -> (value, span in source.text or None)
    meta: dict[str, tuple[str, Span | None]] = field(default_factory=dict)

    # the document is mostly used through its text; these read through to the source
    @property
    def text(self) -> str:
        return self.source.text

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def format(self) -> str:
        return self.source.format

    @property
    def encoding(self) -> str | None:
        return self.source.encoding

    @property
    def notes(self) -> list:
        return self.source.notes

    def location(self, start: int, end: int | None = None):
        return self.source.location(start, end)

    def grids(self, fragments: bool = False) -> Iterator[Grid]:
        """The grids of the document; pieces of a table cut up by a converter
        (``Grid.fragment``) only with ``fragments=True``."""
        return (b for b in self.blocks if isinstance(b, Grid) and (fragments or not b.fragment))

    def cell_text(self, cell: GridCell) -> str:
        return self.source.text[cell.start:cell.end]

    def with_source(self, source: SourceText) -> "Document":
        """The same blocks over another text of the same length (normalised, directives
        blanked)."""
        if len(source.text) != len(self.source.text):
            raise ValueError("a document's text may only be replaced by one of the same length")
        return Document(source, self.blocks, self.meta)

    @classmethod
    def of_lines(cls, source: SourceText) -> "Document":
        """A document whose every non-empty line is a paragraph (text without structure)."""
        return cls(source, [Paragraph(m.start(), m.end()) for m in _LINE.finditer(source.text)])


class DocumentBuilder:
    """Builds a Document while a reader writes its text through a SourceBuilder.

    The reader writes characters as before (``sb.add`` / ``sb.add_mapped``); around them it
    marks paragraphs and table cells with the offsets before and after (``sb.offset``)."""

    def __init__(self, sb: SourceBuilder | None = None):
        self.sb = sb or SourceBuilder()
        self.blocks: list[Block] = []
        self.meta: dict[str, tuple[str, Span | None]] = {}
        self._cells: list[GridCell] | None = None
        self._table_start = 0
        self._origin = ""
        self._joined: list[tuple[int, str]] = []
        self._loose: list[tuple[int, str]] = []

    @property
    def offset(self) -> int:
        return self.sb.offset

    def paragraph(self, start: int, end: int, heading: int | None = None) -> None:
        if end > start:
            self.blocks.append(Paragraph(start, end, heading))

    def begin_table(self, origin: str) -> None:
        self._cells = []
        self._table_start = self.sb.offset
        self._origin = origin
        self._joined, self._loose = [], []

    def cell(self, row: int, col: int, start: int, end: int, rowspan: int = 1, colspan: int = 1,
             header: bool = False) -> None:
        assert self._cells is not None, "cell() outside begin_table()/end_table()"
        self._cells.append(GridCell(row, col, start, end, max(1, rowspan), max(1, colspan), header))

    def joined_row(self, row: int, where: str) -> None:
        self._joined.append((row, where))

    def loose_row(self, row: int, where: str) -> None:
        self._loose.append((row, where))

    def end_table(self) -> Grid | None:
        cells, self._cells = self._cells, None
        if not cells:
            return None
        g = Grid(self._table_start, self.sb.offset, cells, self._origin,
                 joined_rows=self._joined, loose_rows=self._loose)
        self.blocks.append(g)
        return g

    def build(self, **kw) -> Document:
        return Document(self.sb.build(**kw), self.blocks, self.meta)
