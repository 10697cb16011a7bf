"""PDF: text lines and ruled tables as grids, in reading order, positions by page.

Engines: **PDFium** (pypdfium2) parses the file and gives each page's glyphs with their
boxes and the ruling (validator/readers/pdf_pages.py); **pdfplumber**'s table finder reads
the ruled tables' cells from that ruling (validator/readers/pdf_tables.py), only on pages
that have ruling; pdfminer is not used to parse pages.  Before PDFium opens the file, its
streams are inflated-and-counted within the file's limits (validator/readers/pdf_guard.py):
a stream bomb or a flood of drawing operators is answered like a file that is too large.

For each page:

* glyphs drawn twice at the same place (fake bold) are kept once, and grouped into the
  page's text lines by their vertical position; a character's position is (line on the
  page, glyph in that line) and its place ``第3页 第12行`` — or, inside a table,
  ``第3页 表格2 第5行 第3格`` (table number in the document, row in that table).  A glyph
  that stands for several characters (the ligature "fi", a ToUnicode entry of two CJK
  characters) gives each of them the glyph's position;
* every ruled table with at least two columns is a :class:`~validator.document.Grid`
  (origin ``pdf``): each cell at its true row and column with its rowspan and colspan (a
  group label written one character per line down the table is one cell), empty cells
  as cells with an empty span at their place.  A table continued on the next page is one
  grid; a row cut by the page break is one row (``Grid.joined_rows``), a piece that cannot
  be joined is a row of its own (``Grid.loose_rows``) — see pdf_tables.py.  In the text,
  each table row is one line ``| c1 | c2 | … |`` holding each cell that starts in that row
  once (its text joined into one line), without the empty cells that only the ruling of
  a label area produced; a row of one cell spanning the table (a caption, or the prose of
  a frame drawn round the text) is written as text lines.  A one-column "table" (a frame
  round the prose) is text;
* everything else is text, one line per text line, each a Paragraph block; page numbers
  ("- 3 -", "第3页 共5页") and running headers/footers (the same line in the top or bottom
  margin of most pages) are layout and left out.

The file's dates and title (document information dictionary, else XMP) go into
``Document.meta`` as ``created``/``modified`` (``YYYY-MM-DD``) and ``title``.

A PDF without any text layer (a scan) gives no text and a ``no-text-layer`` note (OCR
needed); a page the engine cannot load gives a ``page-unreadable`` note and the other pages
are read.  What the engines complain about goes to the ``validator.readers.pdf`` logger
(shown with ``--verbose``), never to stderr on its own.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from ..document import Document, DocumentBuilder
from ..source import Location, ReaderNote
from .pdf_pages import LOCK, Glyph, PageData, PdfFile
from .pdf_tables import Table, find_tables, is_value, join, same_table
from ..i18n import msg

log = logging.getLogger("validator.readers.pdf")

NO_TEXT = "no-text-layer"
PAGE_FAIL = "page-unreadable"

_PAGE_NO = re.compile(r"^\s*(?:[-—－–]\s*\d{1,4}\s*[-—－–]|\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")
_DIGITS = re.compile(r"\d+")


# --------------------------------------------------------------------------------------
# lines
# --------------------------------------------------------------------------------------
def _lines_of(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Group glyphs into text lines (by vertical centre), each sorted left to right."""
    if len(glyphs) <= 1:
        return [list(glyphs)] if glyphs else []
    glyphs = sorted(glyphs, key=lambda c: (c.page, (c.top + c.bottom) / 2, c.x0))
    lines: list[list[Glyph]] = []
    cur: list[Glyph] = []
    cur_mid = 0.0
    for c in glyphs:
        mid = (c.top + c.bottom) / 2
        tol = max(2.0, 0.45 * c.size)
        if cur and (abs(mid - cur_mid) > tol or c.page != cur[0].page):
            lines.append(sorted(cur, key=lambda x: x.x0))
            cur = []
        if not cur:
            cur_mid = mid
        cur.append(c)
    if cur:
        lines.append(sorted(cur, key=lambda x: x.x0))
    return lines


def _join_line(line: list[Glyph]) -> list[tuple[str, Glyph]]:
    """Glyphs of one line with spaces where the gap is wide."""
    out: list[tuple[str, Glyph]] = []
    prev = None
    for c in line:
        if not c.ch or c.ch.isspace():
            continue
        if prev is not None and c.x0 - prev.x1 > 0.35 * min(c.size, prev.size):
            out.append((" ", c))
        out.append((c.ch, c))
        prev = c
    return out


def _text(pairs) -> str:
    return "".join(ch for ch, _c in pairs)


def _cell_pairs(glyphs: list[Glyph]) -> list[tuple[str, Glyph]]:
    """A cell's text as one line: its text lines joined (no break between CJK characters)."""
    out: list[tuple[str, Glyph]] = []
    for ln in _lines_of(glyphs):
        pairs = _join_line(ln)
        if out and pairs:
            a, b = out[-1][0][-1], pairs[0][0][0]
            if a.isascii() and a.isalnum() and b.isascii() and b.isalnum():
                out.append((" ", pairs[0][1]))
        out.extend(pairs)
    return out


def _dedupe(glyphs: list[Glyph], tol: float = 1.0) -> list[Glyph]:
    """Glyphs drawn twice at (nearly) the same place — fake bold — kept once."""
    seen: dict[tuple[str, int], list[float]] = {}
    out = []
    for g in glyphs:
        ky = int(g.top // tol)
        x = g.x0
        dup = False
        for k in ((g.ch, ky), (g.ch, ky - 1), (g.ch, ky + 1)):
            xs = seen.get(k)
            if xs is not None and any(abs(x - o) <= tol for o in xs):
                dup = True
                break
        if dup:
            continue
        seen.setdefault((g.ch, ky), []).append(x)
        out.append(g)
    return out


# --------------------------------------------------------------------------------------
# pages
# --------------------------------------------------------------------------------------
class _Page:
    """One page's items in reading order: ("line", pairs, top) and ("table", Table, top)."""

    __slots__ = ("number", "height", "n_glyphs", "scanned", "items")

    def __init__(self, number, height, n_glyphs, scanned, items):
        self.number = number
        self.height = height
        self.n_glyphs = n_glyphs
        self.scanned = scanned
        self.items = items


def _page(pd: PageData) -> _Page:
    glyphs = _dedupe(pd.glyphs)
    if not glyphs:
        return _Page(pd.number, pd.height, 0, pd.images > 0, [])
    # positions: line on the page, glyph in that line
    for i, ln in enumerate(_lines_of(glyphs), 1):
        for j, c in enumerate(ln, 1):
            c.line, c.col = i, j
    claimed: set[int] = set()
    items = []
    for t in find_tables(pd, claimed) if pd.edges else ():
        items.append((t.top, "table", t))
    rest = [c for c in glyphs if id(c) not in claimed]
    height = pd.height if pd.height > 0 else 842.0
    for ln in _lines_of(rest):
        pairs = _join_line(ln)
        text = _text(pairs)
        if not text.strip():
            continue
        top = min(c.top for c in ln)
        if _PAGE_NO.match(text) and (top > height * 0.85 or top < height * 0.12):
            continue  # a page number: layout, not content
        items.append((top, "line", pairs))
    items.sort(key=lambda x: (x[0], 0 if x[1] == "table" else 1))
    return _Page(pd.number, height, len(glyphs), False, [(kind, payload, top) for top, kind, payload in items])


def _drop_running_lines(pages: list[_Page]) -> None:
    """Running headers and footers: a line in the top or bottom tenth of the page whose text
    (numbers aside) is on most pages, at least two."""
    if len(pages) < 2:
        return

    def key(p: _Page, payload, top):
        if not (top < p.height * 0.1 or top > p.height * 0.9):
            return None
        # the same text (numbers aside) in the same margin, at the same height (±4 pt)
        return (top < p.height * 0.1, round(top / 8), _DIGITS.sub("#", _text(payload).replace(" ", "")))

    seen: dict[tuple, set[int]] = {}
    for p in pages:
        for kind, payload, top in p.items:
            k = key(p, payload, top) if kind == "line" else None
            if k is not None:
                seen.setdefault(k, set()).add(p.number)
    need = max(2, (len(pages) + 1) // 2)
    running = {k for k, v in seen.items() if len(v) >= need}
    if not running:
        return
    for p in pages:
        p.items = [(kind, payload, top) for kind, payload, top in p.items
                   if not (kind == "line" and key(p, payload, top) in running)]


def _join_pages(pages: list[_Page]) -> list[tuple]:
    """All items in reading order; a table that starts a page right after a table that ended
    the previous page, as wide as it, is the same table."""
    out: list[tuple] = []
    for p in pages:
        for i, (kind, payload, _top) in enumerate(p.items):
            if (i == 0 and kind == "table" and out and out[-1][0] == "table"
                    and same_table(out[-1][1], payload)):
                join(out[-1][1], payload)
            else:
                out.append((kind, payload))
    return out


# --------------------------------------------------------------------------------------
# writing the text and the blocks
# --------------------------------------------------------------------------------------
class _Writer:
    def __init__(self):
        self.doc = DocumentBuilder()
        self.sb = self.doc.sb
        self.table_no = 0

    def add(self, pairs, page: int, where: str) -> None:
        """Characters with their glyphs' positions (each character of a glyph at the glyph)."""
        if not pairs:
            return
        place = self.sb.place(page, where)
        text = _text(pairs)
        pos = [(c.line, c.col) for ch, c in pairs for _ in ch]
        self.sb.add_mapped(text, pos, place)

    def add_cell(self, pairs, where) -> None:
        """A cell's characters, each run of them placed on the page it is drawn on (a cell of
        a row cut by a page break is on two pages); `where(page)` names the place."""
        i = 0
        while i < len(pairs):
            page = pairs[i][1].page
            j = i
            while j < len(pairs) and pairs[j][1].page == page:
                j += 1
            self.add(pairs[i:j], page, where(page))
            i = j

    def line(self, pairs) -> tuple[int, int]:
        c0 = pairs[0][1]
        start = self.sb.offset
        self.add(pairs, c0.page, f"第{c0.page}页 第{c0.line}行")
        end = self.sb.offset
        self.sb.newline()
        return start, end

    def render(self, items) -> None:
        for kind, payload in items:
            if kind == "line":
                start, end = self.line(payload)
                self.doc.paragraph(start, end)
            else:
                self.table(payload)

    def table(self, t: Table) -> None:
        self.table_no += 1
        doc, sb = self.doc, self.sb
        rows = [[] for _ in range(t.n_rows)]
        for c in t.cells:
            rows[c.row].append(c)
        for r in rows:
            r.sort(key=lambda c: c.col)
        written = _written(t, rows)
        empty_table = t.glyph_count() == 0
        lead, tail = _frame_rows(t, rows)
        for r_i in range(lead):          # prose of a frame drawn on top of the table: text
            self._text_row(rows[r_i], paragraphs=True)
        doc.begin_table("pdf")
        for r_i in range(lead, tail):
            cells = rows[r_i]
            if not cells:
                continue
            w = [c for c in cells if id(c) in written]
            spans: dict[int, tuple[int, int]] = {}
            if empty_table:
                pass
            elif len(w) == 1:
                # a row of one cell spanning the table: a caption or a heading — read as text
                # lines (the cell spans them)
                span = self._text_row(w, paragraphs=False)
                if span is not None:
                    spans[id(w[0])] = span
            elif w:
                self._pipe_row(rows, r_i, cells, written, spans)
            at = sb.offset
            for c in cells:
                start, end = spans.get(id(c), (at, at))
                doc.cell(c.row - lead, c.col, start, end, min(c.rowspan, tail - c.row), c.colspan)
        for row, where in t.joined_rows:
            doc.joined_row(row - lead, where)
        for row, where in t.loose_rows:
            doc.loose_row(row - lead, where)
        doc.end_table()
        for r_i in range(tail, t.n_rows):   # … and below it
            self._text_row(rows[r_i], paragraphs=True)

    def _text_row(self, cells, paragraphs: bool):
        """The text lines of a row's cells; (start, end) of what was written, or None."""
        start = end = None
        for c in cells:
            for ln in _lines_of(c.glyphs):
                pairs = _join_line(ln)
                if pairs and not _PAGE_NO.match(_text(pairs)):
                    a, b = self.line(pairs)
                    if paragraphs:
                        self.doc.paragraph(a, b)
                    start = a if start is None else start
                    end = b
        return None if start is None else (start, end)

    def _pipe_row(self, rows, r_i: int, cells, written: set[int], spans) -> None:
        """One table row as ``| c1 | c2 | … |``: the written cells with their text; a cell
        left out of the text gets an empty span at its place between its neighbours."""
        sb = self.sb
        w = [c for c in cells if id(c) in written]
        line = col = 1
        place = 0
        c_i = 0
        for c in cells:
            if id(c) not in written:
                spans[id(c)] = (sb.offset, sb.offset)
                continue
            c_i += 1
            pairs = _cell_pairs(c.glyphs)
            anchor = pairs[0][1] if pairs else _anchor(w, w.index(c), rows)
            pno = anchor.page if anchor is not None else c.page
            where = f"第{pno}页 表格{self.table_no} 第{r_i + 1}行 第{c_i}格"
            place = sb.place(pno, where)
            line, col = (anchor.line, anchor.col) if anchor is not None else (1, 1)
            sb.add("| ", line, col, place, same_place=True)
            start = sb.offset
            self.add_cell(pairs, lambda p, r=r_i + 1, k=c_i: f"第{p}页 表格{self.table_no} 第{r}行 第{k}格")
            spans[id(c)] = (start, sb.offset)
            sb.add(" ", line, col, place, same_place=True)
        sb.add("|", line, col, place, same_place=True)
        sb.newline()


def _frame_rows(t: Table, rows) -> tuple[int, int]:
    """Rows of a frame drawn round the prose that shares its ruling with a table: the rows
    above the table's first row of several cells that hold one cell as wide as the table
    (all but the last: that one is the table's caption, as "第二十条第（一）项"), and
    those below its last row of several cells.  Returns (first table row, end of the table
    rows); the table keeps at least one row."""
    n = t.n_cols

    def wide(r: int) -> bool:
        return len(rows[r]) == 1 and rows[r][0].colspan == n and rows[r][0].rowspan == 1 and \
            not any(c.row < r < c.row + c.rowspan for c in t.cells)

    multi = [r for r in range(t.n_rows) if rows[r] and not wide(r)]
    if not multi:
        return 0, t.n_rows
    lead = max(0, multi[0] - 1)
    while lead > 0 and not all(wide(r) for r in range(lead)):
        lead -= 1
    tail = multi[-1] + 1
    while tail < t.n_rows and not all(wide(r) or not rows[r] for r in range(tail, t.n_rows)):
        tail += 1
    return lead, tail


def _written(t: Table, rows) -> set[int]:
    """The cells written in the text: all but the empty cells that only the ruling of a label
    area produced.

    A label can span two grid columns in one row ("（六）其他处理" over the columns of the
    group and item labels) while the ruling still draws a separate empty cell there; written
    as a cell it would be read as a blank value.  Label columns are the columns where the
    body rows (from the first row with a value on) have text; an empty cell in a label
    column is left out of the text (it stays a cell of the grid).  A table with no values
    at all (an unfilled template) keeps every cell."""
    first_body = next((i for i, row in enumerate(rows) if any(c.value for c in row)), None)
    keep = {id(c) for c in t.cells}
    if first_body is None:
        return keep
    label_cols, value_cols = set(), set()
    for row in rows[first_body:]:
        for c in row:
            if c.glyphs and c.value:
                value_cols.add(c.col)
            elif c.glyphs:
                label_cols.add(c.col)
    label_cols -= value_cols
    for row in rows[first_body:]:
        for c in row:
            if not c.glyphs and c.col in label_cols:
                keep.discard(id(c))
    return keep


def _anchor(cells, idx, rows) -> Glyph | None:
    """The glyph an empty cell is placed at: the nearest one of its row, else of the table
    (None for a table without any character)."""
    for k in list(range(idx, -1, -1)) + list(range(idx + 1, len(cells))):
        if cells[k].glyphs:
            return min(cells[k].glyphs, key=lambda x: (x.page, x.line, x.col))
    for row in rows:
        for c in row:
            if c.glyphs:
                return min(c.glyphs, key=lambda x: (x.page, x.line, x.col))
    return None


# --------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------
_PDF_DATE = re.compile(r"^\s*(?:D:)?(\d{4})(\d{2})(\d{2})")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def _iso(value: str) -> str | None:
    m = _PDF_DATE.match(value) or _ISO_DATE.match(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _xmp(packet: bytes, *names: str) -> str:
    text = packet.decode("utf-8", errors="replace")
    for name in names:
        m = (re.search(rf"<{name}>\s*([^<]*?)\s*</{name}>", text)
             or re.search(rf"{name}\s*=\s*[\"']([^\"']*)[\"']", text)
             or re.search(rf"<{name}>.*?<rdf:li[^>]*>\s*([^<]*?)\s*</rdf:li>", text, re.S))
        if m and m.group(1).strip():
            return m.group(1).strip()
    return ""


def _meta(pdf: PdfFile, xmp: bytes) -> dict:
    out: dict[str, tuple[str, None]] = {}
    for key, info, xmp_names in (("created", "CreationDate", ("xmp:CreateDate",)),
                                 ("modified", "ModDate", ("xmp:ModifyDate",))):
        value = _iso(pdf.meta_text(info)) or (_iso(_xmp(xmp, *xmp_names)) if xmp else None)
        if value:
            out[key] = (value, None)
    title = pdf.meta_text("Title") or (_xmp(xmp, "dc:title") if xmp else "")
    if title:
        out["title"] = (" ".join(title.split())[:500], None)
    return out


# --------------------------------------------------------------------------------------
def read(data: bytes, name: str) -> Document:
    from . import ReadError
    from . import pdf_guard
    from .. import limits as _limits
    if not data.lstrip()[:5] == b"%PDF-" and b"%PDF-" not in data[:1024]:
        raise ReadError(msg("{n}: 不是 PDF 文件（缺少 %PDF- 文件头）", "{n}: not a PDF file (no %PDF- header)", n=name))
    scan = pdf_guard.scan(data)   # a stream bomb or an operator flood: P090, before any parsing
    from .pdf_pages import PdfiumError, _raw
    try:
        R = _raw()
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ReadError(msg("{n}: 读取 PDF 需要 pypdfium2（{e}）", "{n}: reading a PDF needs pypdfium2 ({e})", n=name, e=exc)) from None

    failed: list[tuple[int, str]] = []
    pages: list[_Page] = []
    with LOCK:
        try:
            pdf = PdfFile(data)
        except PdfiumError as exc:
            code = getattr(exc, "err_code", None)
            log.info("%s: PDFium 无法打开文件：%s", name, exc)
            if code == R.FPDF_ERR_PASSWORD:
                raise ReadError(msg("{n}: PDF 已加密，需要密码才能读取", "{n}: the PDF is encrypted and needs a password", n=name)) from None
            if code == R.FPDF_ERR_SECURITY:
                raise ReadError(msg("{n}: PDF 使用了不支持的加密方式，无法读取", "{n}: the PDF uses an unsupported encryption; cannot be read",
                                    n=name)) from None
            if code == R.FPDF_ERR_SUCCESS:
                raise ReadError(_no_pages(name))
            raise ReadError(msg("{n}: 不是有效的 PDF 文件，可能已损坏或不完整", "{n}: not a valid PDF file; it may be damaged or incomplete",
                                n=name)) from None
        with pdf:
            n = len(pdf)
            if n <= 0:
                raise ReadError(_no_pages(name))
            scan.check_operators(n)
            meta = _meta(pdf, scan.xmp)
            for i in range(n):
                _limits.check_time()
                pno = i + 1
                try:
                    pd = pdf.page(i)
                    pages.append(_page(pd))
                except Exception as exc:  # one damaged page must not stop the others
                    log.info("%s: PDF 第%d页无法读取：%s: %s", name, pno, type(exc).__name__, exc)
                    failed.append((pno, _why(exc)))
    _drop_running_lines(pages)
    w = _Writer()
    w.render(_join_pages(pages))
    w.doc.meta.update(meta)
    doc = w.doc.build(path=name, format="pdf", encoding=None)
    doc.source.notes.extend(_notes(pages, failed, n))
    return doc


def _why(exc: Exception) -> str:
    from .pdf_pages import PageTooComplex, PdfiumError
    if isinstance(exc, PageTooComplex):
        return "页面内容过多"
    if isinstance(exc, PdfiumError):
        return "页面数据已损坏"
    return type(exc).__name__


def _notes(pages: list[_Page], failed, npages: int) -> list[ReaderNote]:
    notes = []
    total = sum(p.n_glyphs for p in pages)
    empty_pages = [p.number for p in pages if p.n_glyphs == 0 and (p.scanned or total == 0)]
    if empty_pages:
        if total == 0:
            detail = f"PDF 全部{npages}页" if npages > 1 else "PDF"
        else:
            detail = "PDF 第" + "、".join(map(str, empty_pages)) + "页"
        p = empty_pages[0]
        notes.append(ReaderNote(NO_TEXT, detail, 0, Location(1, 1, page=p, where=f"第{p}页"),
                                {"pages": "、".join(map(str, empty_pages)), "count": len(empty_pages),
                                 "only": total == 0}))
    for pno, err in failed:
        notes.append(ReaderNote(PAGE_FAIL, f"PDF 第{pno}页无法读取（{err}）", 0,
                                Location(1, 1, page=pno, where=f"第{pno}页"), {"page": pno}))
    return notes


def _no_pages(name: str):
    return msg("{n}: PDF 没有页面，可能已损坏或不完整", "{n}: the PDF has no pages; it may be damaged or incomplete", n=name)
