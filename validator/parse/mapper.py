"""The table mapper: any grid → the template's (row key, column key) cells.

A grid is a table as a rendering drew it (validator/document.py): HTML with rowspan/colspan,
DOCX with or without merged cells, pipe rows whose merged labels are repeated on every line
or left empty, Markdown, PDF ruled tables.  The mapper does not care which:

* every cell is classified: a template label (row, row group, column header, caption — of
  any format, so a 2019 label in a 2021 report is recognised), a value (number, dash, 无),
  a blank, or other text;
* consecutive grid rows whose labels belong to one template table form a piece of that
  table; header rows (column headers, captions) come before the rows they head;
* columns come from the header: the grid column under each template column's header
  cells (a spanning header covers its columns; multi-line headers combine top to bottom;
  the template's header path disambiguates repeated words such as 表四's 结果维持); without
  a usable header, a row's values are the cells after its labels, in order;
* a row's key is its most specific template label (a row label below its group labels —
  repeated, empty or merged label columns all give the same row);
* what cannot be placed is kept and said: values in no template column (``extra``), a row
  with values but no recognisable label, a row piece the reader could not join.
"""

from __future__ import annotations

import re

from ..document import Grid, GridCell
from ..model import LabelMatch
from ..templates import Format, LabelSpec, TableSpec
from ..textutil import compact
from .labels import _VALUE_RE, LabelMatcher, _compact_with_map, ratio_if_above
from .pieces import RowPiece, TablePiece, Tok
from ..lazyre import later
from ..memo import memo_of

_NUMBERING = later(r"^[(（]?[一二三四五六七八九十\d]{1,2}[)）]?[、.．]?")


class CellInfo:
    __slots__ = ("cell", "text", "cls", "hits", "start", "end")

    def __init__(self, cell: GridCell, text: str, cls: str, hits: list):
        self.cell = cell
        self.text = text
        self.cls = cls          # blank / value / multi / text
        self.hits = hits        # [(start, end, LabelSpec, quality)]
        self.start = cell.start
        self.end = cell.end

    @property
    def is_label(self) -> bool:
        return bool(self.hits)


def classify(text: str) -> str:
    s = text.strip()
    if not s:
        return "blank"
    flat = s.replace(" ", "").replace(",", "").replace("，", "")
    if _VALUE_RE.fullmatch(flat):
        return "value"
    parts = s.split()
    if len(parts) > 1 and all(_VALUE_RE.fullmatch(p.replace(",", "")) for p in parts):
        return "multi"
    return "text"


def _value_toks(info: CellInfo) -> list[Tok]:
    """The value tokens of a cell: one, or one per number of a cell holding several."""
    if info.cls == "blank":
        return [Tok("BLANK", info.start, info.start, "")]
    lead = len(info.text) - len(info.text.lstrip())
    s = info.text.strip()
    if info.cls == "multi":
        out = []
        for m in re.finditer(r"\S+", info.text):
            out.append(Tok("VALUE", info.start + m.start(), info.start + m.end(), m.group(0)))
        return out
    start = info.start + lead
    return [Tok("VALUE" if info.cls == "value" else "TEXT", start, start + len(s), s)]


# What a cell is (its class and its labels, at offsets in the cell) depends on nothing but the
# cell's text and the matchers: the label cells of a table are the template's words in every
# report.  Remembered per matchers object (kept with its memo, so its id cannot be reused),
# for cell texts of at most _MEMO_TEXT characters, at most _MEMO_SIZE of them.
_READINGS: dict[int, tuple[object, dict]] = {}
_MEMO_SIZE = 4096
_MEMO_TEXT = 200


# a table spec's header path of each column, compacted (the same for every grid)
_HEADER_PATHS: dict[int, tuple[object, dict]] = {}
# the grid column of each template column (or None), per spec and (header words, columns)
_COLMAPS: dict[int, tuple[object, dict]] = {}
_COLMAPS_MAX = 1024
_UNKNOWN = object()


def _reading_memo(matchers) -> dict:
    return memo_of(_READINGS, matchers)


class Mapper:
    """Maps the grids of one report onto the tables of its format (the primary format's
    labels first, then the other formats' for labels of another version)."""

    def __init__(self, text: str, fmt: Format, matchers: dict[str, LabelMatcher]):
        self.text = text
        self.fmt = fmt
        self.matchers = matchers
        self._memo: dict | None = None     # what cell texts are, for these matchers

    # -- cells ------------------------------------------------------------------------
    def _hits(self, start: int, end: int) -> list:
        """Template labels in a cell that make up most of its text."""
        seg = self.text[start:end]
        core = compact(_NUMBERING.sub("", seg.strip()))
        core = "".join(ch for ch in core if not ch.isdigit())
        if not core or len(core) > 120:
            return []
        out = []
        cs, cmap = _compact_with_map(seg, skip_digits=True)   # once for every table's matcher
        for key, matcher in self.matchers.items():
            out.extend(matcher.find_compacted(self.text, start, end, cs, cmap))
        if not out:
            return []
        covered = sum(len(compact(self.text[s:e])) for s, e, _sp, _q in out)
        if covered < 0.6 * len(core):
            # a word of a label inside longer text ("其他" in a note): not a label cell
            return []
        out.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept, last = [], -1
        for h in out:
            if h[0] >= last:
                kept.append(h)
                last = h[1]
        return kept

    def _info(self, cell: GridCell) -> CellInfo:
        text = self.text[cell.start:cell.end]
        if len(text) > _MEMO_TEXT:
            cls = classify(text)
            return CellInfo(cell, text, cls, self._hits(cell.start, cell.end) if cls == "text" else [])
        memo = self._memo
        if memo is None:
            memo = self._memo = _reading_memo(self.matchers)
        known = memo.get(text)
        if known is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            cls = classify(text)
            hits = self._hits(cell.start, cell.end) if cls == "text" else []
            known = memo[text] = (cls, tuple((s - cell.start, e - cell.start, sp, q) for s, e, sp, q in hits))
            return CellInfo(cell, text, cls, hits)
        if not known[1]:
            return CellInfo(cell, text, known[0], [])     # (most cells: a value, no label)
        a = cell.start
        return CellInfo(cell, text, known[0], [(a + s, a + e, sp, q) for s, e, sp, q in known[1]])

    def _info_matrix(self, grid: Grid) -> list[list[CellInfo | None]]:
        """``grid.matrix()`` with each cell's CellInfo in its places: each cell read once, put
        where it covers (a later cell over an earlier one, as there), without the matrix of
        the cells themselves to map afterwards."""
        n_rows, n_cols = grid.n_rows, grid.n_cols
        rows: list[list[CellInfo | None]] = [[None] * n_cols for _ in range(n_rows)]
        info = self._info
        for c in grid.cells:
            i = info(c)
            r, k = c.row, c.col
            if c.rowspan == 1 and c.colspan == 1:
                if r < n_rows and k < n_cols:
                    rows[r][k] = i
                continue
            for r in range(c.row, min(c.row + c.rowspan, n_rows)):
                row = rows[r]
                for k in range(c.col, min(c.col + c.colspan, n_cols)):
                    row[k] = i
        return rows

    # -- the grid ---------------------------------------------------------------------
    def map_grid(self, grid: Grid) -> list[tuple[str, object]]:
        """The grid as a list of pieces in order: ("table", TablePiece) for rows of a template
        table, ("values", [Tok]) for a row of bare values before any table row (placed by
        shape by the segmenter), ("text", [Tok]) for rows of other text."""
        rows = self._info_matrix(grid)
        self._matrix_rows = rows
        joined = {r: w for r, w in grid.joined_rows}
        loose = {r: w for r, w in grid.loose_rows}
        out: list[tuple[str | None, object]] = []
        piece: TablePiece | None = None
        header_rows: list[int] = []
        colmaps: dict = {}
        for r, row in enumerate(rows):
            distinct, tkey, has_values, all_blank, kinds, row_hits = _row_facts(row, r)
            if tkey is None and piece is None:
                if has_values and all(i.cls in ("value", "multi", "blank") for i in distinct):
                    toks = [t for i in distinct for t in _value_toks(i) if t.type == "VALUE"]
                    out.append(("values", toks))
                else:
                    toks = [Tok("TEXT", i.start, i.end, i.text.strip()) for i in distinct
                            if i.cls != "blank" and i.cell.row == r]
                    if toks:
                        out.append(("text", toks))
                continue
            if tkey is not None and (piece is None or piece.key != tkey) and self.fmt.table(tkey) is not None:
                if piece is not None:
                    out.append(("table", piece))
                piece = TablePiece(tkey, min(i.start for i in distinct), grid.end, origin="grid")
                header_rows = []
                colmaps = {}
            assert piece is not None
            spec = self.fmt.table(piece.key)
            if spec is None:
                continue
            if r in loose:
                piece.problems.append(("row-piece-unjoined", (distinct[0].start, distinct[-1].end) if distinct else
                                       (piece.start, piece.start), {"table": piece.key, "where": loose[r]}))
            if all_blank and not (header_rows and any(not x.label for x in spec.rows)):
                continue    # an empty row (layout)
            if not row_hits and not has_values and not all_blank:
                # a header or caption row
                if "caption" in kinds:
                    header_rows = []
                    colmaps = {}
                elif header_rows and header_rows[-1] != r - 1:
                    header_rows = []     # a new header block below some rows
                    colmaps = {}
                header_rows.append(r)
                for i in distinct:
                    if i.cell.row != r:
                        continue
                    for s, e, sp, q in i.hits:
                        lm = _lm(self.text, s, e, sp, q)
                        (piece.captions if sp.kind == "caption" else piece.headers).append(lm)
                    if not i.hits and i.cls == "text":
                        piece.stray.append(LabelMatch(i.text.strip(), (i.start, i.end), None, None, "other"))
                piece.end = max(i.end for i in distinct) if distinct else piece.end
                continue
            self._body_row(piece, spec, r, row, distinct, row_hits, header_rows, colmaps, joined.get(r))
            if distinct:
                piece.end = max(piece.end, max(i.end for i in distinct))
        if piece is not None:
            out.append(("table", piece))
        for kind, p in out:
            if kind == "table":
                self._fuzzy(p)
        return out

    def _body_row(self, piece, spec: TableSpec, r, row, distinct, row_hits, header_rows, colmaps, note):
        # a row whose own label cell is not a template label (a typo: 2.其他法律行政止公开)
        # under a merged group cell that started above: the group's hit is not this row's
        # label — the row is left to the fuzzy match by its own text
        own = [i for i in distinct if i.cell.row == r and i.cls == "text" and not i.hits]
        own_label = None
        if own and row_hits and all(i.cell.row < r for i, _h in row_hits) \
                and own[0].cell.col >= max(i.cell.col + i.cell.colspan for i, _h in row_hits):
            own_label = LabelMatch(own[0].text.strip(), (own[0].start, own[0].end), None, None, "other")
            row_hits = []
        # the most specific label: the last row label, else the last group label
        labels = [_lm(self.text, s, e, sp, q) for i, (s, e, sp, q) in row_hits]
        rowspec_hit = None
        for i, h in row_hits:
            if h[2].kind == "row":
                rowspec_hit = (i, h)
        if rowspec_hit is None and row_hits:
            rowspec_hit = row_hits[-1]
        lspec = rowspec_hit[1][2] if rowspec_hit else None
        # template columns of this row (a label of another format: its own format's row)
        columns = self._columns(spec, lspec)
        label_end = max((i.cell.col + i.cell.colspan for i, _h in row_hits), default=0)
        # text cells that are not labels, left of the values, belong to the label area
        texts = [i for i in distinct if i.cls == "text" and not i.hits and i.cell.row == r]
        colmap = None
        if columns and header_rows:
            key = (tuple(header_rows), tuple(columns))
            if key not in colmaps:
                colmaps[key] = self._colmap(piece, spec, header_rows, columns, colmaps)
            colmap = colmaps[key]
        mine = [i for i in distinct if i.cell.row == r] or distinct   # not the merged cells from above
        rp = RowPiece(lspec, labels, (mine[0].start, mine[-1].end) if mine else (piece.end, piece.end), note=note)
        if own_label is not None:
            rp.labels = [own_label]
        if colmap is not None and all(c >= label_end for c in colmap.values()):
            placed: dict[str, Tok] = {}
            used = set()
            for col, gc in colmap.items():
                info = row[gc] if gc < len(row) else None
                if info is None or info.is_label or info.cell.row != r:
                    continue
                used.add(id(info))
                toks = _value_toks(info)
                placed[col] = toks[0] if len(toks) == 1 else Tok("VALUE", info.start, info.end, info.text.strip())
                if len(toks) > 1 or info.cls == "text":
                    placed[col] = Tok("TEXT", toks[0].start, toks[-1].end, info.text.strip())
            first = min(colmap.values())
            for i in distinct:
                if id(i) in used or i.cell.row != r or i.is_label:
                    continue
                if i.cell.col + i.cell.colspan <= first:
                    continue   # the label area (empty merged-label cells, notes)
                if i.cls in ("value", "multi"):
                    rp.extra.extend(t for t in _value_toks(i) if t.type == "VALUE")
            rp.placed = placed
        else:
            # no usable header: the cells after the row's labels, in order
            trail: list[CellInfo] = []
            for i in distinct:
                if i.cell.row != r or i.cell.col < label_end:
                    continue
                if i.is_label:
                    trail = []
                    continue
                if i.cls == "text" and not trail:
                    continue   # text right after the label: part of the label area
                trail.append(i)
            n = len(columns) if columns else 0
            if n and len(trail) > n:
                k = len(trail) - n
                head_blank = all(i.cls == "blank" for i in trail[:k])
                tail_blank = all(i.cls == "blank" for i in trail[-k:])
                if tail_blank and not head_blank:
                    trail = trail[:-k]
                elif head_blank:
                    trail = trail[k:]
            rp.cells = [t for i in trail for t in _value_toks(i)]
        if lspec is None:
            rp.spec = None
            unl = [x for x in spec.rows if not x.label]
            have_unl = any(x.spec is not None and x.spec.key == unl[0].key for x in piece.rows) if unl else True
            if not rp.has_values:
                # an empty row under the header of a table whose one row has no label (表四 of
                # a template left unfilled): that row, blank
                if not (unl and not have_unl and (len(rp.placed) if rp.placed else len(rp.cells)) == len(unl[0].columns)):
                    return
            if unl and not have_unl:
                rp.spec = LabelSpec(spec.key, "row", unl[0].key, "", None, "", format=self.fmt.id)
                rp.labels = []
                piece.rows.append(rp)
            else:
                rp.labels = [LabelMatch(" ".join(t.text for t in texts) or "", rp.span, None, None, "other")]
                piece.rows.append(rp)   # unplaced: the fuzzy pass may still name it
            return
        piece.rows.append(rp)

    def _columns(self, spec: TableSpec, lspec: LabelSpec | None) -> list[str]:
        if lspec is None:
            unl = [x for x in spec.rows if not x.label]
            return list(unl[0].columns) if unl else []
        rs = spec.row(lspec.key)
        if rs is not None and (not rs.group or lspec.kind == "row"):
            return list(rs.columns)
        if rs is not None and rs.group:
            return list(rs.columns)   # a group label with values (e.g. 2019's single （六）其他处理)
        # a row of another format only: that format's columns for the same table
        return list(spec.columns) if not spec.captions else []

    def _colmap(self, piece: TablePiece, spec: TableSpec, header_rows: list[int], columns: list[str],
                known: dict | None = None):
        """Grid column of each template column from the header cells above (None when the
        header does not name every column).  ``known``: where the words of these header rows
        are kept (the rows of a table have a few different column lists under one header)."""
        wkey = ("words", tuple(header_rows))
        got = known.get(wkey) if known is not None else None
        if got is None:
            words: dict[int, list[str]] = {}
            m = self._matrix_rows
            for h in header_rows:
                for c, info in enumerate(m[h]):
                    if info is None:
                        continue
                    w = compact(info.text)
                    lst = words.setdefault(c, [])
                    if w and (not lst or lst[-1] != w):
                        lst.append(w)
            order = sorted(words)
            got = (words, order, tuple((c, *words[c]) for c in order))
            if known is not None:
                known[wkey] = got
        words, order, sig = got
        # the map depends on nothing but the header's words by grid column, the columns and the
        # spec's header paths: the same few headers come in report after report, so it is
        # worked out once per spec and (words, columns) — at most _COLMAPS_MAX per spec
        done = memo_of(_COLMAPS, spec)
        ckey = (sig, *columns)
        out = done.get(ckey, _UNKNOWN)
        if out is _UNKNOWN:
            if len(done) >= _COLMAPS_MAX:
                done.clear()
            out = done[ckey] = self._match_columns(spec, words, order, columns)
        return out

    @staticmethod
    def _match_columns(spec: TableSpec, words: dict[int, list[str]], order: list[int],
                       columns: list[str]) -> dict[str, int] | None:
        """:meth:`_colmap` from the header's words by grid column (``order``: those columns in
        order).  The map returned is shared by the rows that ask again: it is only read."""
        paths = memo_of(_HEADER_PATHS, spec)
        out: dict[str, int] = {}
        prev = -1
        for col in columns:
            path = paths.get(col)
            if path is None:
                path = paths[col] = [compact(p) for p in spec.header_path(col)]
            leaf = path[-1]
            best = None
            for c in order:
                if c <= prev or not any(_word_eq(w, leaf) for w in words[c]):
                    continue
                score = sum(1 for p in path if any(_word_eq(w, p) for w in words[c]))
                if best is None or score > best[0]:
                    best = (score, c)
                if score == len(path):
                    break
            if best is None:
                return None
            out[col] = best[1]
            prev = best[1]
        return out

    def _fuzzy(self, piece: TablePiece) -> None:
        """A row whose label text resembles a row label the table does not have yet (a typo
        such as 其他法律行政止公开) is that row, matched "fuzzy"."""
        spec = self.fmt.table(piece.key)
        if spec is None:
            return
        seen = {rp.key for rp in piece.rows if rp.spec is not None}
        cands = [sp for sp in self.matchers[piece.key].specs
                 if sp.kind in ("row", "group") and sp.key not in seen and spec.row(sp.key) is not None]
        for rp in piece.rows:
            if rp.spec is not None or not rp.labels or not rp.labels[0].text:
                continue
            text = rp.labels[0].text
            core = compact(_NUMBERING.sub("", text))
            if len(core) < 3:
                continue
            best, best_sp = 0.0, None
            for sp in cands:
                r = ratio_if_above(core, sp.core, max(best, 0.75 - 1e-9))
                if r is not None and r > best:
                    best, best_sp = r, sp
            if best_sp is None:
                continue
            lm = rp.labels[0]
            rp.spec = best_sp
            rp.labels = [LabelMatch(lm.text, lm.span, best_sp.key, best_sp.label, "fuzzy", best_sp.format)]
            cands.remove(best_sp)


def _word_eq(w: str, target: str) -> bool:
    if not w or not target:
        return False
    if w == target:
        return True
    if len(target) >= 4 and target in w:
        return True
    return len(w) >= 4 and w in target


_ROW_KINDS = ("row", "group")
_VALUE_CLASSES = ("value", "multi")


def _row_facts(row: list[CellInfo | None], r: int) -> tuple:
    """What map_grid asks of grid row r, in one pass over its cells instead of one per question:
    (its distinct cells in order — a merged cell is in several places of a row; the table its
    labels vote for, a row or group label 3 votes, a caption 2, a header 1, the first of the
    most voted; whether a cell of its own, not one merged from above, holds a value; whether
    its cells of its own are all blank, when it has cells at all; the kinds of its labels; its
    row and group label hits as (cell, hit))."""
    distinct: list[CellInfo] = []
    seen: set[int] = set()
    votes: dict[str, int] = {}
    kinds: set[str] = set()
    row_hits: list[tuple] = []
    has_values = False
    all_blank = True
    for i in row:
        if i is None or id(i) in seen:
            continue
        seen.add(id(i))
        distinct.append(i)
        if i.cell.row == r:
            cls = i.cls
            if cls != "blank":
                all_blank = False
                if cls in _VALUE_CLASSES:
                    has_values = True
        for h in i.hits:
            sp = h[2]
            kind = sp.kind
            kinds.add(kind)
            if kind in _ROW_KINDS:
                row_hits.append((i, h))
                w = 3
            else:
                w = 2 if kind == "caption" else 1
            votes[sp.table] = votes.get(sp.table, 0) + w
    tkey = max(votes, key=votes.__getitem__) if votes else None
    return distinct, tkey, has_values, all_blank and bool(distinct), kinds, row_hits


def _lm(text: str, s: int, e: int, sp: LabelSpec, q: str) -> LabelMatch:
    return LabelMatch(text[s:e], (s, e), sp.key, sp.label, q, sp.format)
