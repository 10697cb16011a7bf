"""The typed document model: Report → metadata, sections, tables → rows → cells.

Rules read only this model (never the text): every element keeps its span (offsets into
the normalised text), which the source map turns into a position in the original file.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal, InvalidOperation
from enum import Enum
import re

from .memo import memo_of
from .records import record
from .source import SourceText

Span = tuple[int, int]


class ValueKind(str, Enum):
    NUMBER = "number"          # a non-zero number
    ZERO = "zero"              # 0
    BLANK = "blank"            # nothing written
    NA = "na"                  # — / 不适用 / 无
    TEXT = "text"              # other text in a value cell
    UNREADABLE = "unreadable"  # present but could not be separated from its neighbours
    MISSING = "missing"        # the row or column is not in the report at all


# (a module name: ``ValueKind.NUMBER`` is a look-up through the enum class at each use)
_NUMERIC = (ValueKind.NUMBER, ValueKind.ZERO)


def default_value_syntax():
    """The syntax of the formats (rules/formats/*.yaml) for a report without a format."""
    from .templates import load_formats
    for f in load_formats().values():
        if f.values is not None:
            return f.values
    raise ValueError("rules/formats/*.yaml: no format defines `values`")


# parse_value's answers by syntax (kept with it, so its id cannot be reused) and cell text: a
# report's cells are mostly a few short texts (0, 1, 12, —) that every report has again; the
# answers are immutable (a Decimal, an enum, a str), so they are shared
_VALUE_MEMO: dict[int, tuple[object, dict]] = {}
_VALUE_MEMO_MAX = 4096


def value_memo(syntax) -> dict:
    """parse_value's remembered answers for a syntax, by cell text (a caller reading many cells
    looks a text up here first and calls parse_value only for a text not in it)."""
    return memo_of(_VALUE_MEMO, syntax)


def parse_value(raw: str, syntax=None) -> tuple[ValueKind, Decimal | None, str | None]:
    """Classify a cell's text; returns (kind, value, unit).  ``syntax`` (a
    templates.ValueSyntax) is the format's; by default the formats' own."""
    syntax = syntax or default_value_syntax()
    memo = value_memo(syntax)
    out = memo.get(raw)
    if out is None:
        if len(memo) >= _VALUE_MEMO_MAX:
            memo.clear()
        out = memo[raw] = _parse_value(raw, syntax)
    return out


def _parse_value(raw: str, syntax) -> tuple[ValueKind, Decimal | None, str | None]:
    s = raw.strip().replace(" ", "").replace(",", "")
    if not s:
        return ValueKind.BLANK, None, None
    if s.isdigit() and s.isascii():   # the common case: plain digits (what the pattern gives them)
        v = Decimal(s)
        return (ValueKind.ZERO if v == 0 else ValueKind.NUMBER), v, None
    if s in syntax.not_applicable or set(s) <= syntax.dashes:
        return ValueKind.NA, None, None
    m = syntax.pattern.match(s)
    if not m:
        return ValueKind.TEXT, None, None
    sign, digits, unit = m.groups()
    try:
        v = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return ValueKind.TEXT, None, None
    if sign in syntax.negative:
        v = -v
    return (ValueKind.ZERO if v == 0 else ValueKind.NUMBER), v, (unit or None)


@record
class Cell:
    """One template cell read from the report: its text, what kind of value it holds, the value, where it is."""

    raw: str
    kind: ValueKind
    value: Decimal | None
    span: Span
    row: str = ""
    column: str = ""
    unit: str | None = None
    note: str | None = None   # e.g. "split from run-together digits 640020470"
    implied: Decimal | None = None   # a blank cell's value that the template's equations fix
    implied_by: str | None = None    # which equation fixes it

    @property
    def is_number(self) -> bool:
        return self.kind in _NUMERIC


@record
class LabelMatch:
    """How a label in the report was matched to the template."""

    text: str                 # as written (normalised text)
    span: Span
    key: str | None           # canonical key, None when not a template label
    expected: str | None      # template wording
    quality: str              # exact / short / variant / legacy / fuzzy / other
    format: str = ""          # which format the label belongs to


@record
class Row:
    """One row of a template table: its key, the labels that matched it, its cells by column key."""

    key: str
    labels: list[LabelMatch]
    cells: dict[str, Cell]
    span: Span
    unreadable: tuple | None = None  # (why, raw text, count): why the cells could not be read
    extra: list[str] = field(default_factory=list)  # values beyond the template's columns
    note: str | None = None         # e.g. "第3页/第4页": a row the reader joined across a page break
    misplaced: bool = False         # present, but not where the template has it


@record
class Table:
    """One template table (表二/表三/表四): its rows by key and the header labels found."""

    key: str                       # 表二 / 表三 / 表四
    name: str
    span: Span
    rows: dict[str, Row] = field(default_factory=dict)
    headers: list[LabelMatch] = field(default_factory=list)
    captions: list[LabelMatch] = field(default_factory=list)
    stray: list[LabelMatch] = field(default_factory=list)   # unknown text inside the table
    groups_seen: list[LabelMatch] = field(default_factory=list)
    section_number: int | None = None

    def cell(self, row: str, column: str) -> Cell | None:
        r = self.rows.get(row)
        if r is None:
            return None
        return r.cells.get(column)

    def all_cells(self):
        for r in self.rows.values():
            yield from r.cells.values()


@record
class Paragraph:
    """A paragraph of a section's text and where it is."""

    text: str
    span: Span
    marker: str | None = None      # （一） / 1. when the paragraph starts a sub-item


@record
class Section:
    """A numbered section of the report (一、二、…), its template key and paragraphs."""

    number: int
    numeral: str
    title: str
    span: Span                     # the heading
    key: str | None                # template section key
    quality: str                   # exact / variant / words / fuzzy / other
    end: int = 0                   # end offset of the section body
    misplaced: bool = False        # a template section out of the template's order
    paragraphs: list[Paragraph] = field(default_factory=list)
    own_line: bool = True          # the heading starts a line (not inside one long line of page text)
    tables: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@record
class DateFact:
    """A date the report carries: when it was signed or published, and where that is seen.
    ``how`` says which (落款日期, 页面标注的发布日期, 网页元数据的发布日期, PDF文件的创建日期 …);
    ``span`` is None when the date is not in the report text (page or file metadata)."""

    date: tuple[int, int, int]
    span: Span | None
    how: str
    how_en: str = ""
    origin: str = ""          # signature / front-matter / page-meta / file-meta

    def __str__(self) -> str:
        return f"{self.date[0]}年{self.date[1]}月{self.date[2]}日"


@record
class Period:
    """The statistical period the report states (统计期限…), read into dates.  ``start`` and
    ``end`` are None when not written; ``blank`` when only the frame of a period is written
    (“统计期限自至”); ``open_end`` when the start is written and the end is missing."""

    text: str
    span: Span
    start: tuple[int, int, int] | None = None
    end: tuple[int, int, int] | None = None
    blank: bool = False
    open_end: bool = False
    worded: bool = True       # named as 统计期限 (False: only “…年1月1日至12月31日” near the start)


@record
class Metadata:
    """Facts about the report as a whole (title, year, issuer, date, period …), each with where it was read."""

    title: str | None = None
    title_span: Span | None = None
    year: int | None = None
    year_span: Span | None = None
    year_source: str | None = None     # title / preamble / period
    issuer: str | None = None
    issuer_span: Span | None = None
    date: tuple[int, int, int] | None = None
    date_span: Span | None = None
    period: str | None = None
    period_span: Span | None = None
    front: dict[str, tuple[str, Span]] = field(default_factory=dict)
    # typed facts read once by validator/parse/metadata.py (rules never re-read dates)
    title_clean: str | None = None              # the title without spaces and Markdown marks
    statistical_period: Period | None = None
    signed: DateFact | None = None              # the signature date
    published: DateFact | None = None           # publication date (front matter, page or file metadata)
    dates: list[DateFact] = field(default_factory=list)   # every date of publication/creation read
    issuer_kind: str | None = None              # government / department / None (unknown)
    issuer_kind_how: str = ""                   # "name": read from the issuer's name


#: Every kind of diagnostic the parser and the pipeline around it make (``Diagnostic.kind``),
#: with what it means.  Rule files name them (kind ``diagnostics``); a name not listed here
#: is refused when the rules load.
DIAGNOSTIC_KINDS: dict[str, str] = {
    # the report as a whole (validator/parse/metadata.py)
    "legacy-report": "a report on a year before 2019 (2008 条例; no statutory tables)",
    "year-unknown": "the report year could not be read",
    "not-report": "not an annual report at all (a 工作要点, a letter, a news page)",
    # the statutory structure (validator/parse/grammar.py, build.py)
    "unexpected": "a token the structure has no place for (the parser's safety net)",
    "section-missing": "a section of the format is not in the report",
    "section-misplaced": "a section out of the format's order",
    "section-repeated": "a section that occurs more than once",
    "section-numbered": "a section numbered otherwise than in the format",
    "section-title-variant": "a section title worded otherwise than the format",
    "table-missing": "a table of the format is not in the report",
    "table-misplaced": "a table out of its section",
    "table-repeated": "a table that occurs more than once",
    "table-by-shape": "a table recognised by its shape, not by its labels",
    "row-missing": "a row of the format is not in its table",
    "row-misplaced": "a row out of the format's order",
    "row-repeated": "a row that occurs more than once",
    "row-other-format": "a row label of the other format (a 2019 row in a 2021 table)",
    "row-unplaced": "a row of values without a recognisable label",
    "row-no-cells": "a row label without any cells",
    "cells-unplaced": "values under no column of the format",
    "row-piece-unjoined": "a piece of a row at a page break that could not be joined",
    # the file (validator/limits.py)
    "input-too-large": "the file is over a size or character limit",
    "timeout": "checking the file took longer than the time limit",
    "memory-limit": "checking the file needed more memory than the limit",
}


@record
class Diagnostic:
    """What the parser (or the pipeline around it) found about the report as a whole: a
    section or table missing or out of order, a row of another format, cells that could
    not be placed, a file over a limit …  ``kind`` names it; rules/*.yaml say which rule
    reports which kind (the parser knows no rule ids)."""

    kind: str
    span: Span
    args: dict = field(default_factory=dict)
    related: list[Span] = field(default_factory=list)
    payload: object = None


@record
class Report:
    """The model of one report that the rules read: metadata, template, sections, tables."""

    source: SourceText
    metadata: Metadata
    template: str | None              # "2019" / "2021" / "legacy" / None (unknown)
    template_reason: str
    sections: list[Section] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    preamble: list[Paragraph] = field(default_factory=list)
    front: list[Paragraph] = field(default_factory=list)
    signature: Paragraph | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    kind: str = "report"              # "report", or "not-report": not an annual report at all
    format: object | None = None      # templates.Format used for mapping
    document: object | None = None    # the reader's Document (blocks, file metadata)
    prose: object | None = None       # validator.prose.Prose: the prose view, built by parse

    def section(self, number: int) -> Section | None:
        for s in self.sections:
            if s.number == number:
                return s
        return None

    def section_by_key(self, key: str) -> Section | None:
        for s in self.sections:
            if s.key == key:
                return s
        return None

    def section_at(self, offset: int) -> Section | None:
        """The last section starting at or before offset (bisect: every finding asks, and a
        report with thousands of headings made this quadratic)."""
        secs = self.sections
        starts = self.__dict__.get("_section_starts")
        if starts is None or len(starts) != len(secs) or (secs and starts[-1] != secs[-1].span[0]):
            starts = [s.span[0] for s in secs]
            if any(b < a for a, b in zip(starts, starts[1:])):  # not in order: scan
                cur = None
                for s in secs:
                    if s.span[0] <= offset:
                        cur = s
                return cur
            self.__dict__["_section_starts"] = starts
        import bisect
        i = bisect.bisect_right(starts, offset) - 1
        return secs[i] if i >= 0 else None

    @property
    def text(self) -> str:
        return self.source.text
