"""parse: a Document → tokens (segment.py) → the format's grammar (grammar.py) → the model.

The format depends on the report year, which is read from the title among the tokens: the
document is segmented with the format its opening suggests, and again only if the title
says otherwise.  Then the generated grammar of that format parses the tokens (never
rejecting: its diagnostics are the structure findings), and a walk of the parse builds the
model — sections with their paragraphs, tables with their rows and cells.
"""

from __future__ import annotations

from operator import attrgetter

from lark import Token

from ..document import Document
from ..model import (Cell, Diagnostic, LabelMatch, Metadata, Paragraph, Report, Row, Section, Table,
                     ValueKind, default_value_syntax, parse_value, value_memo)
from ..templates import Format, TableSpec, load_formats
from ..tablemath import implied_blanks
from .grammar import NUMERALS, FormatGrammar, TableNode, Virtual, grammar_for
from .metadata import choose_format, detect_year, fill_metadata, text_year
from .pieces import RowPiece, TablePiece, token
from .segment import Segmenter
from .splitter import _equations, split_run_together
from ..lazyre import later
from ..memo import memo_of

LOOSE = None  # the grammar of reports without a fixed format (pre-2019)

# How rows of cells in order are read (:meth:`_Model._plan`), per table spec (kept with it,
# validator/memo.py) and (row key, the tokens' kinds and texts); at most _PLANS_MAX per spec
# (a plan and its key take about 2 KB: a few MB at most, as the splitter's own memo)
_PLANS: dict = {}
_GROUPS: dict = {}


def _group_keys(spec: TableSpec) -> frozenset:
    """The keys of the spec's group rows, made once per spec (a spec is not changed once loaded)."""
    memo = memo_of(_GROUPS, spec)
    keys = memo.get("keys")
    if keys is None:
        keys = memo["keys"] = frozenset(r.key for r in spec.rows if r.group)
    return keys
_PLANS_MAX = 1024
_UNKNOWN = object()
_KIND_AND_TEXT = attrgetter("type", "text")     # what a plan depends on of a token (with the row key)
_new, _init_cell = object.__new__, Cell.__init__


def report_grammar(fmt: Format | None) -> FormatGrammar:
    """The grammar for a format (a loose one when there is none: pre-2019 reports)."""
    global LOOSE
    if fmt is None:
        if LOOSE is None:
            LOOSE = FormatGrammar(None)
        return LOOSE
    return grammar_for(fmt)


def report_parser(fmt: Format | None = None):
    return report_grammar(fmt).parser()


def _order(formats: dict[str, Format], fmt: Format | None) -> list[Format]:
    return [fmt] + [f for f in formats.values() if f is not fmt] if fmt else list(formats.values())


def parse(doc, template: str | None = None, formats: dict[str, Format] | None = None) -> Report:
    if not isinstance(doc, Document):
        doc = Document.of_lines(doc)
    src = doc.source
    formats = formats or load_formats()
    text = src.text
    from_text = text_year(text)     # the year without a title (the tokens are not there yet)
    guess, _s, _src = from_text
    _t, fmt, _r = choose_format(guess, template, formats)
    grammar = report_grammar(fmt)
    tokens = Segmenter(doc, fmt, _order(formats, fmt)).tokens(grammar)
    year, year_span, year_src = detect_year(text, tokens, from_text)
    tid, fmt2, reason = choose_format(year, template, formats)
    if fmt2 is not fmt:
        fmt = fmt2
        grammar = report_grammar(fmt)
        tokens = Segmenter(doc, fmt, _order(formats, fmt)).tokens(grammar)
    report = Report(src, Metadata(year=year, year_span=year_span, year_source=year_src), tid, reason,
                    format=fmt, document=doc)
    if not _is_report(tokens, text):
        # not an annual report: read as text (sections in any order), nothing to diagnose
        report.kind = "not-report"
        grammar = report_grammar(None)
        tokens = [t if not t.type.startswith("SEC") and t.type != "HEADING" else
                  token("SEC", t.value, t.start_pos, t.end_pos) for t in tokens
                  if t.type.startswith("SEC") or t.type in ("HEADING", "FRONT", "TITLE", "PROSE", "SIGNATURE",
                                                             "DATE")]
    items, diags = grammar.parse(tokens)
    report.diagnostics.extend(diags)
    _Model(report, fmt).build(items, diags)
    fill_metadata(report)
    from ..prose import build_prose
    report.prose = build_prose(report)      # the prose view the rules read (validator/prose.py)
    return report


_NAMES_A_REPORT = later(r"(?:政府信息公开|政务公开|信息公开)[^。；;\n]{0,16}?(?:年度报告|工作报告|年报)")
_PERIOD_WORDS = later(r"统计(?:期限|时限|时间|周期)|所列数据")
# the first line of a notice, a letter of reply … (also one about the annual reports)
_OTHER_DOCUMENT = later(r"^\s*关于[^\n]{0,80}?(?:通知|通告|公告|函|意见|批复|决定|方案|要点|报告的说明)\s*$")


def _is_report(tokens: list[Token], text: str) -> bool:
    """Is this an annual report at all?  Evidence from the statutory structure (template
    sections, the tables), or the report naming itself, stating its 统计期限, or having
    numbered headings about 主动公开 and 依申请公开.  A page of another kind (a 工作要点, a
    notice — also one about the reports —, a letter, a news page, an empty page) has none."""
    sections = {t.type for t in tokens if t.type.startswith("SEC") and t.type[3:].isdigit()}
    if len(sections) >= 2 or any(isinstance(t.value, TablePiece) for t in tokens):
        return True
    first = next((ln for ln in text[:2000].split("\n") if ln.strip()), "")
    if len(first) <= 100 and _OTHER_DOCUMENT.match(first):
        return False
    from .metadata import _PINYIN
    head = _PINYIN.sub("", text[:3000])     # pinyin debris of a copied page: 报(bào)告
    headings = sum(1 for t in tokens if t.type.startswith("SEC") or t.type == "HEADING")
    return bool(_NAMES_A_REPORT.search(head) or _PERIOD_WORDS.search(head)
                or (headings >= 2 and "主动公开" in text and "申请" in text))


class _Model:
    """Builds the Report from the parse (tokens and table nodes in order) and the diagnostics."""

    def __init__(self, report: Report, fmt: Format | None):
        self.r = report
        self.fmt = fmt
        self._syntax = fmt.values if fmt is not None else None   # how cell texts are read (the format's)
        self._values = value_memo(self._syntax or default_value_syntax())
        self.text = report.source.text
        # the keys of tables a blank cell was made for: implied_blanks looks at every cell of a
        # table for one, the builder knows it when it makes them
        self._blank_tables: set[str] = set()

    def build(self, items: list, diags: list[Diagnostic]):
        """``items``: the parse, tokens and table nodes in document order (grammar.py)."""
        sec: Section | None = None
        for it in items:
            if isinstance(it, TableNode):
                table = self.table(it.children)
                if table is not None:
                    self._place_table(table, sec)
                continue
            tok: Token = it
            if isinstance(tok.value, Virtual):
                continue
            t = tok.type
            if t == "FRONT":
                self.r.front.append(tok.value)
            elif t == "TITLE":
                if self.r.metadata.title is None:
                    self.r.metadata.title = tok.value.text.strip()
                    self.r.metadata.title_span = tok.value.span
                else:
                    self._para(sec, tok.value)
            elif t == "PROSE":
                (self.r.preamble if sec is None else sec.paragraphs).extend(tok.value)   # as _para, each
            elif t.startswith("SEC") or t in ("HEADING", "MISPLACED"):
                sec = self._section(tok.value, misplaced=t == "MISPLACED")
            elif t == "SIGNATURE":
                p = tok.value
                self.r.metadata.issuer = p.text.strip()
                self.r.metadata.issuer_span = p.span
                self.r.signature = p
            elif t == "DATE":
                p = tok.value
                from .lexer import _DATE_LINE
                from .metadata import _date_tuple
                m = _DATE_LINE.match(p.text)
                if m:
                    self.r.metadata.date = _date_tuple(m)
                self.r.metadata.date_span = p.span
        # what the parser kept aside: tables and rows out of place, rows of another format
        for d in diags:
            if d.kind in ("table-misplaced", "table-repeated") and isinstance(d.payload, list):
                node = [t for t in d.payload]
                table = self.table(node)
                if table is not None and table.key not in self.r.tables:
                    owner = self.r.section_at(table.span[0])
                    self._place_table(table, owner)
            elif d.kind in ("row-misplaced", "row-repeated", "row-other-format") and isinstance(d.payload, RowPiece):
                self._side_row(d)
        for key, table in self.r.tables.items():
            spec = self.fmt.table(key) if self.fmt else None
            if spec is not None:
                self._resolve_jointly(table, spec)
                if key in self._blank_tables:   # (else it has no blank cell to imply a value for)
                    implied_blanks(table, spec)
        secs = self.r.sections
        for i, s in enumerate(secs):
            s.end = secs[i + 1].span[0] if i + 1 < len(secs) else len(self.text)

    # -- sections and paragraphs --------------------------------------------------------
    def _section(self, h, misplaced: bool = False) -> Section:
        s = Section(h.number, h.numeral, h.title.strip(), (h.start, h.end), h.key, h.quality, misplaced=misplaced)
        self.r.sections.append(s)
        if self.fmt is not None and h.key is not None:
            spec = self.fmt.section_by_key(h.key) if hasattr(self.fmt, "section_by_key") else None
            want = spec.number if spec is not None else None
            if want is not None and want != h.number:
                self.r.diagnostics.append(Diagnostic(
                    "section-numbered", (h.start, h.end),
                    {"numeral": h.numeral, "title": h.title.strip(), "expected": NUMERALS[want - 1]
                     if want <= 10 else "?", "number": h.number}))
        if h.quality == "words":
            spec = self.fmt.section_by_key(h.key) if self.fmt is not None else None
            self.r.diagnostics.append(Diagnostic(
                "section-title-variant", (h.start, h.end),
                {"found": h.title.strip(), "numeral": h.numeral,
                 "expected": f"{h.numeral}、{spec.title}" if spec else ""}))
        return s

    def _para(self, sec: Section | None, p: Paragraph) -> None:
        if sec is None:
            self.r.preamble.append(p)
        else:
            sec.paragraphs.append(p)

    def _place_table(self, table: Table, sec: Section | None) -> None:
        if table.key in self.r.tables:
            return
        table.section_number = sec.number if sec else None
        if sec is not None:
            sec.tables.append(table.key)
        self.r.tables[table.key] = table

    # -- tables ---------------------------------------------------------------------------
    def table(self, children: list) -> Table | None:
        toks = [c for c in children if isinstance(c, Token)]
        if not toks or self.fmt is None:
            return None
        first = toks[0]
        piece = first.value if isinstance(first.value, TablePiece) else None
        if piece is None:
            return None    # a table that is not in the report (a virtual one)
        spec = self.fmt.table(piece.key)
        if spec is None:
            return None
        table = Table(piece.key, spec.name, (piece.start, piece.end))
        table.headers = list(piece.headers)
        table.captions = list(piece.captions)
        table.stray = list(piece.stray)
        for kind, span, args in piece.problems:
            self.r.diagnostics.append(Diagnostic(kind, span, dict(args)))
        self._ambiguous = getattr(self, "_ambiguous", [])
        for t in toks[1:]:
            rp = t.value
            if not isinstance(rp, RowPiece):
                continue   # virtual rows, captions, the end
            if rp.spec is not None and rp.spec.kind == "group" and not rp.has_cells:
                table.groups_seen.extend(rp.labels)
                continue
            self._row(table, spec, rp)
        return table

    def _side_row(self, d: Diagnostic) -> None:
        rp: RowPiece = d.payload
        key = getattr(rp, "stands_for", None) or rp.key
        table = self.r.tables.get(getattr(rp, "table", "")) if hasattr(rp, "table") else None
        if table is None or key is None:
            return
        spec = self.fmt.table(table.key)
        if d.kind == "row-other-format":
            if getattr(rp, "stands_for", None) is None:
                for lm in rp.labels:
                    table.stray.append(LabelMatch(lm.text, lm.span, lm.key, lm.expected, "legacy", lm.format))
                return
            if key in table.rows:
                return
        if key in table.rows and table.rows[key].cells:
            return
        row = self._row(table, spec, rp, key=key)
        if row is not None and d.kind == "row-misplaced":
            row.misplaced = True

    def _row(self, table: Table, spec: TableSpec, rp: RowPiece, key: str | None = None) -> Row | None:
        key = key or rp.key
        rspec = spec.row(key)
        if rspec is None:
            return None
        labels = list(rp.labels)
        groups = None
        for lm in labels:
            if lm.key != key:
                if groups is None:
                    groups = _group_keys(spec)
                if lm.key in groups:
                    table.groups_seen.append(lm)
        if groups is not None:    # (else every label is the row's: all of them are kept)
            labels = [lm for lm in labels if lm.key == key] or labels
        row = Row(key, labels, {}, rp.span, note=rp.note)
        existing = table.rows.get(key)
        if existing is not None and existing.cells:
            return existing
        table.rows[key] = row
        columns = rspec.columns       # (read only, here and by the splitter)
        if rp.placed is not None:
            placed, cells, known = rp.placed, row.cells, self._values
            note = rp.note and f"本行跨页（{rp.note}），已接续读取"
            for col in columns:
                t = placed.get(col)
                if t is None:
                    end = rp.span[1]
                    cells[col] = Cell("", ValueKind.MISSING, None, (end, end), key, col)
                    continue
                raw = "" if t.type == "BLANK" else t.text
                kind, v, unit = known.get(raw) or parse_value(raw, self._syntax)
                cells[col] = Cell(raw, kind, v, (t.start, t.end), key, col, unit, note)
            self._note_blanks(table, row)
            if rp.extra:
                row.extra = [t.text for t in rp.extra]
                self.r.diagnostics.append(Diagnostic(
                    "cells-unplaced", (rp.extra[0].start, rp.extra[-1].end),
                    {"table": table.key, "row": spec.row_display(key), "values": " ".join(t.text for t in rp.extra),
                     "count": len(rp.extra)}))
        elif rp.cells:
            toks = rp.cells
            plans = memo_of(_PLANS, spec)
            sig = (key, *map(_KIND_AND_TEXT, toks))
            plan = plans.get(sig, _UNKNOWN)
            if plan is _UNKNOWN:
                if len(plans) >= _PLANS_MAX:
                    plans.clear()
                plan = plans[sig] = self._plan(columns, toks, spec)
            if plan is None:
                self._fill_row(row, columns, toks, spec)
                self._note_blanks(table, row)
            else:
                plan, blank = plan
                if blank:
                    self._blank_tables.add(table.key)
                cells = row.cells
                for col, raw, kind, v, unit, note, i, a, b in plan:
                    t = toks[i]
                    if a is None:
                        span = (t.start, t.end)
                    elif a < 0:
                        span = (t.end, t.end)
                    else:
                        a += t.start
                        span = (a, a + b)
                    # Cell(raw, kind, v, span, key, col, unit, note) as type.__call__ makes it
                    # (a new object, then the record's own __init__), without its lookups and
                    # its call of __init__ from C: most of a report's cells are made here
                    cell = _new(Cell)
                    _init_cell(cell, raw, kind, v, span, key, col, unit, note)
                    cells[col] = cell
        if not row.cells:
            self.r.diagnostics.append(Diagnostic("row-no-cells", rp.span, {"table": table.key,
                                                                       "row": spec.row_display(key)}))
        return row

    def _note_blanks(self, table: Table, row: Row) -> None:
        """Remember the table if the row (read by one of the slower ways) has a blank cell."""
        blank = ValueKind.BLANK
        for c in row.cells.values():
            if c.kind == blank:
                self._blank_tables.add(table.key)
                return

    # -- cells in order (page text): the run-together digit splitter ---------------------
    def _plan(self, columns: list[str], toks: list, spec: TableSpec) -> tuple | None:
        """How :meth:`_fill_row` reads a row of cells in order, without the row: per cell (in
        the order it fills them) column, text, kind, value, unit, note, and where its span is
        — ``(i, None, None)``: token i's; ``(i, -1, -1)``: empty at token i's end (a missing
        cell); ``(i, a, n)``: n characters from a characters into token i (a piece of
        run-together digits).  None for a row it cannot read (more values than columns, digits
        that split no way or several ways), which :meth:`_fill_row` reads itself.

        All of it depends only on the row's columns, the tokens' kinds and texts and the
        table's equations: the same rows ("0000000", "1000001") are in most reports, so the
        builder works a row out once per table and row key and afterwards only places the
        cells at the tokens' offsets (no split, no copy of it, no value lookups per cell)."""
        n = len(columns)
        values = toks
        if len(values) > n:
            if any(t.type == "VALUE" for t in values[n:]):
                return None
            values = values[:n]
        known, syntax = self._values, self._syntax
        plan = []
        if len(values) < n and values and all(t.type == "VALUE" for t in values):
            split = split_run_together([t.text for t in values], n, _equations(spec, columns))
            if split.unique is None:
                return None
            cols = iter(columns)
            for i, (t, pieces) in enumerate(zip(values, split.unique)):
                note = f"由连写数字“{t.text}”按本行合计关系唯一拆分" if len(pieces) > 1 else None
                off = 0
                for p in pieces:
                    col = next(cols, None)
                    if col is None:
                        break
                    kind, v, unit = known.get(p) or parse_value(p, syntax)
                    plan.append((col, p, kind, v, unit, note, i, off, len(p)))
                    off += len(p)
            return tuple(plan), any(c[2] == ValueKind.BLANK for c in plan)
        for i, (col, t) in enumerate(zip(columns, values)):
            raw = "" if t.type == "BLANK" else t.text
            kind, v, unit = known.get(raw) or parse_value(raw, syntax)
            plan.append((col, raw, kind, v, unit, None, i, None, None))
        if len(values) < n:
            last = len(values) - 1
            for col in columns[len(values):]:
                plan.append((col, "", ValueKind.MISSING, None, None, None, last, -1, -1))
        return tuple(plan), any(c[2] == ValueKind.BLANK for c in plan)

    def _assign_split(self, row: Row, columns, values, pieces_per_token, how: str):
        cells = row.cells
        cells.clear()
        cols = iter(columns)      # the pieces in order fill the columns in order
        syntax = self._syntax
        known = self._values      # parse_value's answers, looked up here first
        key = row.key
        for t, pieces in zip(values, pieces_per_token):
            off = t.start
            note = f"由连写数字“{t.text}”{how}唯一拆分" if len(pieces) > 1 else None
            for p in pieces:
                col = next(cols, None)
                if col is None:
                    break
                kind, v, unit = known.get(p) or parse_value(p, syntax)
                end = off + len(p)
                cells[col] = Cell(p, kind, v, (off, end), key, col, unit, note)
                off = end
        row.unreadable = None

    def _resolve_jointly(self, table: Table, spec: TableSpec):
        """Rows whose run-together digits split several ways: keep the one combination that
        also satisfies the template's column equations, if there is exactly one."""
        ambiguous = getattr(self, "_ambiguous", None)
        if not ambiguous:
            return      # (most reports: no row of any table split several ways)
        # this table's rows, by identity (a Row's == compares every cell of it)
        mine = {id(r) for r in table.rows.values()}
        amb = [a for a in ambiguous if id(a[0]) in mine]
        if not amb or not spec.column_equations:
            return
        from itertools import product
        from ..expr import Missing
        from ..tablemath import PlainValues
        eqs = spec.equations()
        total = 1
        for *_x, cands in amb:
            total *= len(cands)
        if total > 5000:
            return
        good = []
        # the equations decided as check() with a Lookup decides them (PlainValues.holds): which
        # rows a name stands for depends only on which rows have cells, the same in every
        # combination (an ambiguous row always has some), so it is worked out once, not once per
        # combination, column and equation
        plain = PlainValues(table, spec)
        for combo in product(*[cands for *_x, cands in amb]):
            for (row, columns, values, _c), pieces in zip(amb, combo):
                self._assign_split(row, columns, values, pieces, "")
            ok = True
            checked = 0
            for col in spec.columns:
                for e in eqs:
                    try:
                        holds = plain.holds(e, "column", col)
                    except Missing:
                        continue
                    checked += 1
                    if not holds:
                        ok = False
                        break
                if not ok:
                    break
            if ok and checked:
                good.append(combo)
                if len(good) > 1:
                    break
        if len(good) == 1:
            for (row, columns, values, _c), pieces in zip(amb, good[0]):
                self._assign_split(row, columns, values, pieces, "按本行合计及本列勾稽关系")
                self._note_blanks(table, row)
        else:
            for row, columns, values, cands in amb:
                raw = " ".join(t.text for t in values)
                row.unreadable = ("ambiguous", raw, len(cands))
                span = (values[0].start, values[-1].end)
                row.cells.clear()
                for col in columns:
                    row.cells[col] = Cell(raw, ValueKind.UNREADABLE, None, span, row.key, col)

    def _fill_row(self, row: Row, columns: list[str], toks: list, spec: TableSpec):
        n = len(columns)
        values = list(toks)
        if len(values) > n:
            extra = values[n:]
            if any(t.type == "VALUE" for t in extra):
                # more numbers than columns: which of them belong to the row is unknown
                row.extra = [t.text for t in extra if t.type == "VALUE"]
                raw = " ".join(t.text for t in values if t.type == "VALUE")
                row.unreadable = ("extra", raw, len(values))
                span = (values[0].start, values[-1].end)
                for col in columns:
                    row.cells[col] = Cell(raw, ValueKind.UNREADABLE, None, span, row.key, col)
                return
            values = values[:n]
        if len(values) < n and values and all(t.type == "VALUE" for t in values):
            split = split_run_together([t.text for t in values], n, _equations(spec, columns))
            if split.unique is not None:
                self._assign_split(row, columns, values, split.unique, "按本行合计关系")
                return
            raw = " ".join(t.text for t in values)
            exhaustive = getattr(split, "exhaustive", False)
            if split.count == 0 and exhaustive and _equations(spec, columns):
                why = "impossible"
            else:
                why = "ambiguous" if split.count > 1 else "none"
            row.unreadable = (why, raw, split.count)
            if split.candidates:
                self._ambiguous = getattr(self, "_ambiguous", [])
                self._ambiguous.append((row, columns, values, split.candidates))
            span = (values[0].start, values[-1].end) if values else row.span
            for col in columns:
                row.cells[col] = Cell(raw, ValueKind.UNREADABLE, None, span, row.key, col)
            return
        known = self._values
        cells, key = row.cells, row.key
        for col, t in zip(columns, values):
            raw = "" if t.type == "BLANK" else t.text
            kind, v, unit = known.get(raw) or parse_value(raw, self._syntax)
            cells[col] = Cell(raw, kind, v, (t.start, t.end), key, col, unit)
        if len(values) < n:
            end = values[-1].end if values else row.span[1]
            for col in columns[len(values):]:
                cells[col] = Cell("", ValueKind.MISSING, None, (end, end), key, col)
