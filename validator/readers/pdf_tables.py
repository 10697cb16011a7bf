"""Ruled tables of a PDF as grids: cells with true row/column positions and spans, tables
continued across pages joined into one, rows cut by a page break put back together.

1. **Cells of one page** — from the page's ruling as PDFium gives it
   (validator/readers/pdf_pages.py), by the algorithm and defaults of pdfplumber's table
   finder ("lines" strategy): ruling segments within 3 pt of one line are snapped to it and
   joined where they nearly meet; the points where a horizontal and a vertical line cross
   (within 3 pt) are the grid's corners; each corner's cell is the smallest rectangle whose
   four corners are connected by ruling; cells sharing a corner form a table (one cell is
   not a table).  It is written out here because importing pdfplumber (and pdfminer with
   it) costs more than reading a whole report through PDFium; tests/readers/
   test_readers_pdf_grid.py checks it against pdfplumber's ``TableFinder`` and
   ``Page.find_tables`` on every page of the test PDFs.  Each table's column edges are the x-coordinates of its cells' sides,
   its row edges their y-coordinates; a cell's row/column is the edge it starts at and its
   rowspan/colspan the number of edges it crosses: a group label written one character per
   line down the table (三、本年度办理结果) is one cell spanning its rows.  Each glyph
   belongs to the cell its centre is in.
2. **A table continued on the next page** (the first thing on a page is a table as wide
   as the table that ended the page before) is the same table: its parts' column edges are
   merged (a part may lack a division the other has), its rows follow.  Where the two
   parts meet:
   * a **row cut by the page break** (Word, WPS and LibreOffice let a row run onto the next
     page: part of the label and/or of the values on each page) — the first row of the new
     part has the same cells as the last row before the break, no column holds a value on
     both sides, and its label does not start a new item (（三）, 3., 四、 …): the two
     pieces are one row, each cell the text of both pieces, recorded in ``joined_rows``;
   * a **merged label cell cut by the break** (the group label's column on the new page is
     an empty or continued cell left of the row's own label) is one cell: its rowspan runs
     on over the new page's rows;
   * a piece that looks like the rest of a cut row (no values, text that starts no item)
     but whose cells do not line up with the row before is kept as its own row and recorded
     in ``loose_rows``;
   * header rows repeated at the top of the new page are layout, not rows.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .pdf_pages import Glyph, PageData

_VALUE = re.compile(r"^[增减+\-]?\d+(?:\.\d+)?(?:万元|亿元|元|件|个|条|项|次|%)?$|^[—–\-/／]+$|^不适用$|^无$")
# the start of a new item in a Chinese table's label: （三）, (3), 三、, 3. / 3、 (not 12.5)
_NEW_ITEM = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十百\d]{1,3}\s*[）)]|[一二三四五六七八九十百]{1,3}\s*[、.．]"
                       r"|\d{1,3}\s*[、．)）]|\d{1,3}\s*\.(?!\d))")

EDGE_TOL = 3.0        # x-positions of two parts' column edges closer than this are one edge
WIDTH_TOL = 0.04      # two parts are one table when their left and right sides agree to 4 %


def text_of(glyphs: list[Glyph]) -> str:
    return "".join(g.ch for g in glyphs if not g.ch.isspace())


def is_value(glyphs: list[Glyph]) -> bool:
    s = text_of(glyphs)
    return bool(s) and bool(_VALUE.match(s))


def starts_item(text: str) -> bool:
    return bool(_NEW_ITEM.match(text))


@dataclass(eq=False)
class TCell:
    """A cell of a table: position in the (joined) grid, its glyphs, the page it starts on."""

    row: int
    col: int
    rowspan: int
    colspan: int
    glyphs: list[Glyph]
    page: int
    x0: float = 0.0
    x1: float = 0.0

    @property
    def text(self) -> str:
        return text_of(self.glyphs)

    @property
    def value(self) -> bool:
        return is_value(self.glyphs)


@dataclass(eq=False)
class Table:
    """A ruled table (one part per page it is drawn on, joined)."""

    cells: list[TCell]
    n_rows: int
    pages: list[int]
    top: float                      # top of the first part (reading order on its page)
    x0: float
    x1: float
    col_x: list[float] = field(default_factory=list)   # column edges (merged over the parts)
    joined_rows: list[tuple[int, str]] = field(default_factory=list)
    loose_rows: list[tuple[int, str]] = field(default_factory=list)
    # rows of the parts after the first, by part: (first row of the part, page)
    part_starts: list[tuple[int, int]] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def glyph_count(self) -> int:
        return sum(len(c.glyphs) for c in self.cells)


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _index(edges: list[float], v: float) -> int:
    """Index of the edge nearest to v."""
    i = bisect_right(edges, v)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - v < v - edges[i - 1] else i - 1


def find_tables(page: PageData, claimed: set[int]) -> list[Table]:
    """Ruled tables of one page with two or more columns; the glyphs inside their cells are
    added to `claimed` (ids)."""
    out = []
    for bboxes in ruled_cells(page.edges):
        xs = _cluster([v for b in bboxes for v in (b[0], b[2])], 0.5)
        ys = _cluster([v for b in bboxes for v in (b[1], b[3])], 0.5)
        if len(xs) < 3:
            continue  # one column: a frame drawn round the prose, read as text
        cells = []
        for b in sorted(bboxes, key=lambda b: (b[1], b[0])):
            r, r2 = _index(ys, b[1]), _index(ys, b[3])
            k, k2 = _index(xs, b[0]), _index(xs, b[2])
            if r2 <= r or k2 <= k:
                continue
            cells.append(TCell(r, k, r2 - r, k2 - k, [], page.number, b[0], b[2]))
        if not cells:
            continue
        _assign(cells, page.glyphs, xs, ys, claimed)
        x0, top = min(b[0] for b in bboxes), min(b[1] for b in bboxes)
        x1 = max(b[2] for b in bboxes)
        out.append(Table(cells, len(ys) - 1, [page.number], top, x0, x1, col_x=xs))
    return out


# --------------------------------------------------------------------------------------
# ruling -> cells (pdfplumber's "lines" strategy with its default settings)
# --------------------------------------------------------------------------------------
SNAP_TOL = 3.0
JOIN_TOL = 3.0
INTERSECT_TOL = 3.0
MIN_EDGE = 3.0
MIN_EDGE_PREFILTER = 1.0
MAX_CORNERS = 20_000      # a page with more ruling corners than this is not a report table


def ruled_cells(edges: list[dict]) -> list[list[tuple[float, float, float, float]]]:
    """The tables drawn by a page's ruling (pdfplumber edge dicts): for each table, its
    cells as (x0, top, x1, bottom), tables top to bottom, then left to right."""
    h = [(e["top"], e["x0"], e["x1"]) for e in edges
         if e["orientation"] == "h" and e["x1"] - e["x0"] >= MIN_EDGE_PREFILTER]
    v = [(e["x0"], e["top"], e["bottom"]) for e in edges
         if e["orientation"] == "v" and e["bottom"] - e["top"] >= MIN_EDGE_PREFILTER]
    if len(h) < 2 or len(v) < 2:
        return []
    h = [e for e in _merge(h) if e[2] - e[1] >= MIN_EDGE]
    v = [e for e in _merge(v) if e[2] - e[1] >= MIN_EDGE]
    corners = _intersections(h, v)
    if not corners or len(corners) > MAX_CORNERS:
        return []
    return _tables(_cells(corners))


def _merge(edges: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Snap edges whose positions are within SNAP_TOL (chained) to their average position,
    then join the edges of one line that overlap or nearly meet (JOIN_TOL)."""
    groups = _cluster_values(sorted({e[0] for e in edges}), SNAP_TOL)
    members: dict[int, list] = {}
    for e in edges:
        members.setdefault(groups[e[0]], []).append(e)
    out = []
    for _gid, es in sorted(members.items()):
        pos = sum(e[0] for e in es) / len(es)
        es.sort(key=lambda e: e[1])
        lo, hi = es[0][1], es[0][2]
        for _p, a, b in es[1:]:
            if a <= hi + JOIN_TOL:
                hi = max(hi, b)
            else:
                out.append((pos, lo, hi))
                lo, hi = a, b
        out.append((pos, lo, hi))
    return out


def _cluster_values(values: list[float], tol: float) -> dict[float, int]:
    out: dict[float, int] = {}
    gid = -1
    last = None
    for x in values:
        if last is None or x > last + tol:
            gid += 1
        out[x] = gid
        last = x
    return out


def _intersections(h, v) -> dict[tuple[float, float], tuple[set, set]]:
    """Corners: (x, y) of each vertical edge crossing a horizontal one, with the edges that
    meet there (as bounding boxes, as pdfplumber compares them)."""
    h_sorted = sorted(h)
    h_y = [e[0] for e in h_sorted]
    out: dict[tuple[float, float], tuple[set, set]] = {}
    for x, top, bottom in sorted(v):
        vbox = (x, top, x, bottom)
        i = bisect_right(h_y, top - INTERSECT_TOL - 1e-9)
        while i < len(h_sorted) and h_sorted[i][0] <= bottom + INTERSECT_TOL:
            y, x0, x1 = h_sorted[i]
            i += 1
            if top <= y + INTERSECT_TOL and bottom >= y - INTERSECT_TOL \
                    and x0 - INTERSECT_TOL <= x <= x1 + INTERSECT_TOL:
                vs, hs = out.setdefault((x, y), (set(), set()))
                vs.add(vbox)
                hs.add((x0, y, x1, y))
                if len(out) > MAX_CORNERS:
                    return out
    return out


def _cells(corners) -> list[tuple[float, float, float, float]]:
    """For each corner, the smallest rectangle whose four corners are connected by ruling
    (the nearest corner below first, then the nearest to the right)."""
    points = sorted(corners)
    by_x: dict[float, list] = {}
    by_y: dict[float, list] = {}
    for p in points:
        by_x.setdefault(p[0], []).append(p)
        by_y.setdefault(p[1], []).append(p)
    for lst in by_y.values():
        lst.sort()
    out = []
    for pt in points:
        vs, hs = corners[pt]
        col = by_x[pt[0]]
        row = by_y[pt[1]]
        below = [p for p in col if p[1] > pt[1] and vs & corners[p][0]]
        if not below:
            continue
        right = [p for p in row if p[0] > pt[0] and hs & corners[p][1]]
        found = None
        for b in below:
            for r in right:
                br = (r[0], b[1])
                c = corners.get(br)
                if c is not None and c[0] & corners[r][0] and c[1] & corners[b][1]:
                    found = (pt[0], pt[1], br[0], br[1])
                    break
            if found:
                break
        if found:
            out.append(found)
    return out


def _tables(cells) -> list[list[tuple[float, float, float, float]]]:
    """Cells sharing a corner are one table; tables with one cell are dropped."""
    parent = list(range(len(cells)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[float, float], int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[b] = a
    groups: dict[int, list] = {}
    for i, c in enumerate(cells):
        groups.setdefault(find(i), []).append(c)
    tables = sorted(groups.values(), key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def _assign(cells: list[TCell], glyphs: list[Glyph], xs, ys, claimed: set[int]) -> None:
    """Each glyph whose centre is inside the table goes to the cell covering that place."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    grid: list[list[TCell | None]] = [[None] * n_cols for _ in range(n_rows)]
    for c in cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                if grid[r][k] is None:
                    grid[r][k] = c
    left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
    for g in glyphs:
        if id(g) in claimed:
            continue
        x = (g.x0 + g.x1) / 2
        y = (g.top + g.bottom) / 2
        if not (left <= x <= right and top <= y <= bottom):
            continue
        r = min(max(bisect_right(ys, y) - 1, 0), n_rows - 1)
        k = min(max(bisect_right(xs, x) - 1, 0), n_cols - 1)
        c = grid[r][k]
        if c is not None:
            c.glyphs.append(g)
            claimed.add(id(g))


# --------------------------------------------------------------------------------------
# tables across pages
# --------------------------------------------------------------------------------------
def same_table(a: Table, b: Table) -> bool:
    """Are two tables (b first on the page after a's) drawn as one table?"""
    width = max(a.x1 - a.x0, b.x1 - b.x0, 1.0)
    return abs(a.x0 - b.x0) <= WIDTH_TOL * width and abs(a.x1 - b.x1) <= WIDTH_TOL * width


def join(a: Table, b: Table) -> Table:
    """Table `b`, the part drawn at the top of the next page, appended to table `a`."""
    # one set of column edges for both parts; a part drawn shifted (its left or right side
    # where the other's is) is first moved onto the other
    shift = max((0.0, a.x0 - b.x0, a.x1 - b.x1),
                key=lambda d: (sum(any(abs(x + d - y) <= EDGE_TOL for y in a.col_x) for x in b.col_x), -abs(d)))
    if shift:
        for c in b.cells:
            c.x0, c.x1 = c.x0 + shift, c.x1 + shift
    col_x = _cluster(a.col_x + [x + shift for x in b.col_x], EDGE_TOL)
    for c in a.cells + b.cells:
        c.col, c.colspan = _span(col_x, c.x0, c.x1)
    b_cells = list(b.cells)
    b_rows = b.n_rows
    # header rows repeated at the top of the new page: layout, not rows
    rep = _repeated_header(a, b_cells)
    if rep:
        b_cells = [c for c in b_cells if c.row >= rep]
        for c in b_cells:
            c.row -= rep
        b_rows -= rep
    last = a.n_rows - 1
    where = f"第{a.pages[-1]}页/第{b.pages[0]}页"
    bottom = {(c.col, c.colspan): c for c in a.cells if c.row + c.rowspan - 1 == last}
    top = [c for c in b_cells if c.row == 0]
    paired = bool(top) and all((c.col, c.colspan) in bottom for c in top)
    labels = [c for c in sorted(top, key=lambda c: c.col) if c.glyphs and not c.value]
    fresh = any(starts_item(c.text) for c in labels)
    top_values = {(c.col, c.colspan) for c in top if c.value}
    bottom_values = {k for k, c in bottom.items() if c.row == last and c.value}
    merged: set[int] = set()
    if b_rows <= 0:
        a.pages += [p for p in b.pages if p not in a.pages]
        return a
    if paired and not fresh and not (top_values & bottom_values) and _is_cut(top, bottom, last):
        # a row cut by the page break: the two pieces are one row
        for c in top:
            other = bottom[(c.col, c.colspan)]
            other.glyphs += c.glyphs
            other.rowspan = last + c.rowspan - other.row
            merged.add(id(c))
        offset = last
        a.joined_rows.append((last, where))
    else:
        offset = last + 1
        if paired:
            _continue_group_cells(top, bottom, last, merged)
        if not top_values and labels and not fresh and len(top) >= 2 and _has_values(a) \
                and not all(id(c) in merged for c in labels) and _continues_text(labels, bottom.values(), merged):
            # looks like the rest of a cut row but does not line up with the row before
            a.loose_rows.append((offset, where))
    for c in b_cells:
        if id(c) in merged:
            continue
        c.row += offset
        a.cells.append(c)
    a.n_rows = offset + b_rows
    a.col_x = col_x
    a.part_starts.append((offset, b.pages[0]))
    a.pages += [p for p in b.pages if p not in a.pages]
    return a


def _is_cut(top: list[TCell], bottom: dict, last: int) -> bool:
    """Is the first row of the new part (cells `top`, each with its counterpart in the last
    row before the break) the rest of that row?  Either nothing is left of it (empty
    slivers), or its text continues the text of the cells above — which then ended on a
    full line, the text wrapped on — or it holds the values of a row whose label alone was
    drawn before the break."""
    texts = [c for c in top if c.glyphs and not c.value]
    values = [c for c in top if c.value]
    if not texts and not values:
        return True
    if texts:
        own = [c for c in texts if c.rowspan == 1] or texts
        return all(ends_full(bottom[(c.col, c.colspan)]) for c in own)
    row_above = [c for c in bottom.values() if c.row == last]
    return not any(c.value for c in row_above) and any(c.glyphs for c in row_above)


def ends_full(cell: TCell) -> bool:
    """Does the cell's text end on a full line (the next character did not fit: the text
    wraps on)?  Its last line reaches the cell's right side within one character and the
    cell's padding."""
    if not cell.glyphs:
        return False
    page = max(g.page for g in cell.glyphs)
    gs = [g for g in cell.glyphs if g.page == page and not g.ch.isspace()]
    if not gs:
        return False
    mid = max((g.top + g.bottom) / 2 for g in gs)
    line = [g for g in gs if abs((g.top + g.bottom) / 2 - mid) <= 0.45 * g.size]
    last = max(line, key=lambda g: g.x1)
    return cell.x1 - last.x1 <= 1.5 * last.size + 3.0


def _continues_text(labels, bottom, merged: set[int]) -> bool:
    """Does a label at the top of the new page sit under a cell whose text wraps on at the
    bottom of the page before (the text went on over the break)?"""
    for c in labels:
        if id(c) in merged:
            continue
        for o in bottom:
            if o.x0 < c.x1 - 1 and c.x0 < o.x1 - 1 and o.glyphs and not o.value and ends_full(o):
                return True
    return False


def _has_values(t: Table) -> bool:
    return any(c.value for c in t.cells)


def _span(col_x: list[float], x0: float, x1: float) -> tuple[int, int]:
    k, k2 = _index(col_x, x0), _index(col_x, x1)
    return k, max(1, k2 - k)


def _continue_group_cells(top: list[TCell], bottom: dict, last: int, merged: set[int]) -> None:
    """A merged label cell cut by the page break: the cell at the top of the new page in a
    column left of the row's own label, under a label cell that spans rows (or whose text
    wraps on), empty or holding the rest of that label, is the same cell."""
    row_labels = [c for c in top if c.glyphs and not c.value]
    for c in top:
        if c.value:
            continue
        other = bottom.get((c.col, c.colspan))
        if other is None or not other.glyphs or other.value:
            continue
        if not any(lab.col > c.col for lab in row_labels if lab is not c):
            continue
        if c.glyphs and (starts_item(c.text) or not (other.rowspan >= 2 or ends_full(other))):
            continue
        other.glyphs += c.glyphs
        other.rowspan = last + 1 + c.rowspan - other.row
        merged.add(id(c))


def _repeated_header(a: Table, b_cells: list[TCell]) -> int:
    """Number of rows at the top of `b` that repeat the header rows of `a` (the rows before
    its first row with a value), 0 if none."""
    first_value = min((c.row for c in a.cells if c.value), default=None)
    if not first_value:
        return 0

    def rows(cells, n):
        out = [[] for _ in range(n)]
        for c in cells:
            if c.row < n:
                out[c.row].append((c.col, c.colspan, c.text))
        return [sorted(r) for r in out]

    head = rows(a.cells, first_value)
    mine = rows(b_cells, first_value)
    n = 0
    for x, y in zip(head, mine):
        if x and x == y:
            n += 1
        else:
            break
    return n if n == first_value else 0
