"""Segmenting: a Document → the token stream of the grammar.

* Grids (tables as the rendering drew them) go through the table mapper
  (validator/parse/mapper.py): each becomes pieces of template tables, rows of bare values,
  or text rows.
* The text outside the grids (paragraphs) is read by the line lexer
  (validator/parse/lexer.py): section headings (also glued inside one-line page text, also
  with typos), sub-items, front matter, the title, the closing signature and date — and,
  where page text holds a table with no grid (cells run together, pdftotext layout), that
  table read by its labels: the one fallback path, with the digit splitter.
* Pieces of one table that follow each other (a table continued in another block, Markdown
  fragments) are one table.  A block of exactly as many bare values as a table without row
  labels has cells (表四), in that table's section, is that table read by its shape.

Every token carries its object: a heading, a list of paragraphs, a table piece, a row.
"""

from __future__ import annotations

import re
from operator import attrgetter, itemgetter

from lark import Token

from ..document import Document, Grid
from ..model import LabelMatch, Paragraph
from ..templates import Format, LabelSpec, TableSpec
from . import lexer as lx
from .mapper import Mapper, classify
from .pieces import RowPiece, TablePiece, Tok, token
from ..lazyre import later
from ..memo import memo_of

_VALUE_WORD = r"(?:[增减+\-]?\d+(?:\.\d+)?|[—–\-/]+|无)"
_ONLY_VALUES = later(rf"\s*{_VALUE_WORD}(?:[\s|]+{_VALUE_WORD})*[\s|]*")
# what a text _ONLY_VALUES matches can start with besides a digit (\d: str.isdigit is wider)
# and a blank (\s: the same characters as str.isspace)
_VALUE_FIRST = frozenset("增减+-—–/无")


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the grids blanked out (newlines kept): the line lexer reads only what
    is not a grid, at the same offsets."""
    if not spans:
        return text
    out, pos = [], 0
    for a, b in sorted(spans):
        if a < pos:
            a = pos
        out.append(text[pos:a])
        out.append("\n".join(" " * len(part) for part in text[a:b].split("\n")))
        pos = max(pos, b)
    out.append(text[pos:])
    return "".join(out)


class Segmenter:
    def __init__(self, doc: Document, fmt: Format | None, formats: list[Format]):
        self.doc = doc
        self.text = doc.text
        self.fmt = fmt
        self.formats = formats            # the primary format first
        self.der = lx._derived(formats)

    # -- the line lexer's tokens → items ------------------------------------------------
    def _text_items(self, masked: str) -> list[tuple[int, str, object]]:
        toks = lx.lex_document(masked, self.formats, self.fmt)
        items: list[tuple[int, str, object]] = []
        append = items.append
        i = 0
        n = len(toks)
        text = self.text
        while i < n:
            t = toks[i]
            kind = t.type
            if kind == "TEXT":
                append((t.start, "para", Paragraph(text[t.start:t.end], (t.start, t.end))))
            elif kind == "SUBITEM":
                # the marker and the text after it on its line are one paragraph
                nxt = toks[i + 1] if i + 1 < n else None
                end = t.end
                if nxt is not None and nxt.type == "TEXT":
                    end = nxt.end
                    i += 1
                append((t.start, "para", Paragraph(text[t.start:end], (t.start, end), t.text)))
            elif kind == "TABLE":
                piece = self._text_table(t)
                if piece is not None:
                    append((piece.start, "table", piece))
            elif kind == "SECTION":
                append((t.start, "heading", t.data["heading"]))
            elif kind in ("FRONT", "TITLE", "SIGNATURE", "DATE"):
                append((t.start, kind, Paragraph(text[t.start:t.end], (t.start, t.end))))
            i += 1
        return items

    def _text_table(self, table: Tok) -> TablePiece | None:
        """A table the line lexer read by its labels (page text): rows of labels and cells in
        order (run-together digits are split later, by the template's equations).  A run of
        row labels takes the run of cells after it (the last label of the run gets them);
        captions, header words and stray text are the piece's heading parts; cells after
        them or at the start belong to the table's row without a label."""
        key = table.data["table"]
        spec = self.fmt.table(key) if self.fmt else None
        if spec is None:
            return None
        piece = TablePiece(key, table.start, table.end, origin="text")
        captions, headers, stray, rows = piece.captions, piece.headers, piece.stray, piece.rows
        unlabeled: list[Tok] = []
        body = table.data["toks"]
        n = len(body)
        k = 0
        while k < n:
            t = body[k]
            kind = t.type
            if kind == "VALUE" or kind == "BLANK":
                unlabeled.append(t)
                k += 1
                continue
            lm = _label(t)
            if kind == "ROWLABEL" or kind == "GROUPLABEL":
                j = k + 1
                while j < n and body[j].type in _ROW_LABELS:
                    # (a label of the run without cells: a row of its own)
                    rows.append(RowPiece(t.data["spec"], [lm], (t.start, t.end), []))
                    t = body[j]
                    lm = _label(t)
                    j += 1
                c = j
                while c < n and body[c].type in _CELLS:
                    c += 1
                cells = body[j:c]
                rows.append(RowPiece(t.data["spec"], [lm], (t.start, cells[-1].end if cells else t.end), cells))
                k = c
            else:
                if kind == "CAPTION":
                    captions.append(lm)
                elif kind == "HEADER":
                    headers.append(lm)
                else:
                    stray.append(lm)
                k += 1
        if unlabeled:
            rs = _unlabeled_row(spec)
            if rs is not None:
                cells = unlabeled
                while len(cells) > len(rs.columns) and cells[0].type == "BLANK":
                    cells.pop(0)   # blank filler after header cells (pipe renderings) is layout
                sp = LabelSpec(key, "row", rs.key, "", None, "", format=self.fmt.id)
                piece.rows.append(RowPiece(sp, [], (cells[0].start, cells[-1].end), cells))
        return piece

    # -- grids ------------------------------------------------------------------------
    def _grid_items(self, grid: Grid, mapper: Mapper | None) -> list[tuple[int, str, object]]:
        items: list[tuple[int, str, object]] = []
        pieces = mapper.map_grid(grid) if mapper is not None else []
        if mapper is None:
            # no format (a pre-2019 report): a grid's rows are read as text lines
            for row in grid.rows():
                toks = [Tok("TEXT", c.start, c.end, self.text[c.start:c.end].strip()) for c in row
                        if self.text[c.start:c.end].strip()]
                if toks:
                    pieces.append(("text", toks))
        for kind, p in pieces:
            if kind == "table":
                items.append((p.start, "table", p))
            elif kind == "values":
                items.append((p[0].start, "values", p))
            else:
                a, b = p[0].start, p[-1].end
                items.append((a, "para", Paragraph(" ".join(t.text for t in p), (a, b))))
        return items

    # -- the stream -------------------------------------------------------------------
    def items(self) -> list[tuple[int, str, object]]:
        grids = list(self.doc.grids())
        masked = _mask(self.text, [(g.start, g.end) for g in grids])
        items = self._text_items(masked)
        mapper = Mapper(self.text, self.fmt, self.der.matchers) if self.fmt is not None else None
        for g in grids:
            items.extend(self._grid_items(g, mapper))
        items.sort(key=_FIRST)     # (stable: items at one offset keep their order)
        return self._join(items)

    def _join(self, items):
        """Pieces of one table in a row are one table; short text between them (a caption,
        a converter's stray line) belongs to the table."""
        out: list[tuple[int, str, object]] = []
        for it in items:
            if it[1] == "table" and out:
                # the previous piece of the same table, with at most a few short lines between
                k = len(out) - 1
                between = []
                while k >= 0 and out[k][1] == "para" and len(between) < 3 and len(out[k][2].text) <= 60:
                    between.append(out[k])
                    k -= 1
                if k >= 0 and out[k][1] == "table" and out[k][2].key == it[2].key:
                    prev = out[k][2]
                    for _s, _kind, para in reversed(between):
                        prev.stray.append(LabelMatch(para.text, para.span, None, None, "other"))
                    del out[k + 1:]
                    prev.absorb(it[2])
                    continue
            out.append(it)
        return out

    def _one_heading_per_section(self, items) -> None:
        """Several freely worded headings naming one section (a narrative "三、主动公开工作情况"
        and a table part's "一、主动公开政府信息的情况"): the one whose part holds that
        section's table is the section; the others are ordinary headings."""
        if self.fmt is None:
            return
        by_key: dict[str, list[int]] = {}
        for k, (_s, kind, obj) in enumerate(items):
            if kind == "heading" and obj.key and obj.quality == "words":
                by_key.setdefault(obj.key, []).append(k)
        for key, idx in by_key.items():
            if len(idx) < 2:
                continue
            sec = self.fmt.section_by_key(key)
            tables = {t.key for t in self.fmt.tables if sec is not None and t.section == sec.number}
            keep = idx[0]
            for k in idx:
                j = k + 1
                while j < len(items) and items[j][1] != "heading":
                    if items[j][1] == "table" and items[j][2].key in tables:
                        keep = k
                    j += 1
            for k in idx:
                if k != keep:
                    h = items[k][2]
                    items[k] = (items[k][0], "heading", lx.Heading(h.number, h.numeral, h.start, h.end, h.title,
                                                                   None, "other"))

    def tokens(self, grammar) -> list[Token]:
        """The grammar's tokens (validator/parse/grammar.py names them)."""
        items = self.items()
        self._one_heading_per_section(items)
        fmt = self.fmt
        toks: list[Token] = []
        section_no = None   # the template section the stream is in
        for idx, (start, kind, obj) in enumerate(items):
            if kind == "heading":
                h = obj
                num = _section_number(fmt, h.key) if fmt is not None else None
                if not grammar.ordered:
                    toks.append(token("SEC", h, h.start, h.end))
                elif num is not None:
                    toks.append(token(f"SEC{num}", h, h.start, h.end))
                    section_no = num
                else:
                    toks.append(token("HEADING", h, h.start, h.end))
            elif kind == "para" and section_no is not None and (
                    (c := obj.text[:1]) in _VALUE_FIRST or c.isdigit() or c.isspace()) \
                    and _ONLY_VALUES.fullmatch(obj.text):
                # (the pattern's first word is a value: a paragraph of words is ruled out by
                # its first character)
                a = obj.span[0]
                values = [Tok("VALUE", a + m.start(), a + m.end(), m.group(0))
                          for m in re.finditer(r"[^\s|]+", obj.text)]
                piece = self._by_shape(values, section_no)
                if piece is not None:
                    toks.extend(self._table_tokens(piece, grammar))
                elif toks and toks[-1].type == "PROSE":
                    toks[-1].value.append(obj)
                    toks[-1].end_pos = obj.span[1]
                else:
                    toks.append(token("PROSE", [obj], obj.span[0], obj.span[1]))
            elif kind == "para":
                if toks and toks[-1].type == "PROSE":
                    toks[-1].value.append(obj)
                    toks[-1].end_pos = obj.span[1]
                else:
                    toks.append(token("PROSE", [obj], obj.span[0], obj.span[1]))
            elif kind in ("FRONT", "TITLE", "SIGNATURE", "DATE"):
                toks.append(token(kind, obj, obj.span[0], obj.span[1]))
            elif kind == "values":
                piece = self._by_shape(obj, section_no)
                if piece is not None:
                    toks.extend(self._table_tokens(piece, grammar))
                else:
                    a, b = obj[0].start, obj[-1].end
                    para = Paragraph(self.text[a:b], (a, b))
                    toks.append(token("PROSE", [para], a, b))
            elif kind == "table":
                toks.extend(self._table_tokens(obj, grammar))
        return toks

    def _by_shape(self, values: list[Tok], section_no: int | None) -> TablePiece | None:
        """Bare values in a table's section, exactly as many as the cells of that table's one
        unlabeled row (表四 written without its header): that table, read by its shape."""
        if self.fmt is None or section_no is None:
            return None
        for spec in self.fmt.tables:
            if spec.section != section_no:
                continue
            rows = [r for r in spec.rows if not r.label]
            if len(rows) == 1 and len(spec.rows) == 1 and len(values) == len(rows[0].columns):
                sp = LabelSpec(spec.key, "row", rows[0].key, "", None, "", format=self.fmt.id)
                piece = TablePiece(spec.key, values[0].start, values[-1].end, origin="shape")
                piece.rows.append(RowPiece(sp, [], (values[0].start, values[-1].end), cells=list(values)))
                piece.problems.append(("table-by-shape", (values[0].start, values[-1].end),
                                       {"table": spec.key, "count": len(values)}))
                return piece
        return None

    def _table_tokens(self, piece: TablePiece, grammar) -> list[Token]:
        spec = self.fmt.table(piece.key) if self.fmt else None
        if spec is None:
            return []
        tid = spec.id.upper()
        toks = [token(tid, piece, piece.start, piece.start)]
        els = grammar.elements
        # captions of 表二's blocks, in the order they come (numbered once per table spec)
        cap_index = memo_of(_CAPTION_INDEX, spec, 64)
        if not cap_index:
            cap_index.update((lx.compact(c), k) for k, c in enumerate(spec.captions, 1))
        for lm in piece.captions:
            k = cap_index.get(lx.compact(lm.text))
            term = f"{tid}_CAP{k}" if k else None
            if term in els:
                toks.append(token(term, lm, lm.span[0], lm.span[1]))
        rows = _merge_label_only(piece.rows)
        plans = _row_plans(grammar, spec)
        for rp in rows:
            toks.append(self._row_token(rp, spec, grammar, plans))
        # (by start; the table's own token, first in the list, stays before those at its start:
        # the sort is stable)
        toks.sort(key=_START_POS)
        toks.append(token(f"{tid}_END", piece, piece.end, piece.end))
        return toks

    def _row_token(self, rp: RowPiece, spec: TableSpec, grammar, plans: dict | None = None) -> Token:
        a, b = rp.span
        sp = rp.spec
        rp.table = spec.key  # type: ignore[attr-defined]
        if sp is None:
            return token("UNPLACED", rp, a, b)
        if plans is None:
            plans = _row_plans(grammar, spec)
        plan = plans.get(sp.key)
        if plan is None:
            plan = plans[sp.key] = _row_plan(grammar, spec, sp.key)
        term, group = plan
        if group is not None and rp.has_values:
            # a row-group of this format written as one row with values: the other format's
            # single row (2019's （六）其他处理 for 2021's three rows)
            rp.stands_for = group  # type: ignore[attr-defined]
            return token("FOREIGN", rp, a, b)
        # (term None: a row of another format only — 2019's 其他对外管理服务事项 in a 2021
        # report — or one the grammar has no terminal for)
        return token(term or "FOREIGN", rp, a, b)


def _row_plan(grammar, spec: TableSpec, key: str) -> tuple[str | None, str | None]:
    """How a row of ``spec`` labelled ``key`` becomes a grammar token, worked out from the
    format alone: (its terminal, or None when the row is foreign — not a row of this table, or
    one the grammar has no terminal for; the key of the row group it stands for when it has
    values, or None — a group of this format with rows under it, written as one row)."""
    rs = spec.row(key)
    if rs is None:
        return None, None
    group = rs.key if rs.group and spec.children(rs.key) else None
    term = grammar.row_terminal(spec, rs.id)
    return (term if term in grammar.elements else None), group


# the plans of each grammar's tables' rows, by row key (they depend only on the format)
_ROW_PLANS: dict[int, tuple[object, dict]] = {}


def _row_plans(grammar, spec: TableSpec) -> dict:
    return memo_of(memo_of(_ROW_PLANS, grammar), spec, 64)


# the first row of a table spec without a label (or None), per spec (memo_of)
_UNLABELED_ROW: dict[int, tuple[TableSpec, dict]] = {}


def _unlabeled_row(spec: TableSpec):
    memo = memo_of(_UNLABELED_ROW, spec, 64)
    if "row" not in memo:
        memo["row"] = next((r for r in spec.rows if not r.label), None)
    return memo["row"]


def _merge_label_only(rows: list[RowPiece]) -> list[RowPiece]:
    """A row label written twice in a row, first without cells (a Markdown heading above its
    table row, a label cell above its values), is one row."""
    out: list[RowPiece] = []
    for rp in rows:
        sp = rp.spec
        prev = out[-1].spec if out else None
        if prev is not None and sp is not None and prev.key == sp.key \
                and not out[-1].has_cells and rp.has_cells:
            prev = out.pop()
            rp.labels = prev.labels + rp.labels
        out.append(rp)
    return out


def _section_number(fmt: Format, key: str | None) -> int | None:
    if key is None:
        return None
    for s in fmt.sections:
        if s.key == key:
            return s.number
    return None


_START_POS = attrgetter("start_pos")
_FIRST = itemgetter(0)
_CAPTION_INDEX: dict[int, tuple[TableSpec, dict[str, int]]] = {}   # per table spec (memo_of)
_ROW_LABELS = frozenset(("ROWLABEL", "GROUPLABEL"))
_CELLS = frozenset(("VALUE", "BLANK"))


def _label(t) -> LabelMatch:
    data = t.data
    sp = data.get("spec") if data else None
    if sp is None:
        return LabelMatch(t.text, (t.start, t.end), None, None, "other")
    return LabelMatch(t.text, (t.start, t.end), sp.key, sp.label, data.get("quality", "exact"), sp.format)


__all__ = ["Segmenter", "classify"]
