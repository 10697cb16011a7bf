"""PDF: pdfplumber text lines and ruled tables, in reading order, positions by page.

For each page:

* characters are de-duplicated (fake-bold double printing) and grouped into the page's
  text lines by their vertical position; a character's position is (line on the page,
  character in that line), its place ``第3页 第12行`` — or, inside a table,
  ``第3页 表格2 第5行 第3格`` (table number in the document, row in that table);
* ruled tables with at least two columns (pdfplumber ``find_tables``) become one line per
  row, ``| c1 | c2 | … |``, each real cell once (a merged cell only at its first grid
  position); the text of a cell is joined into one line, so a row-group label written top
  to bottom (三、本年度办理结果 one character per line) is read as one label; a one-column
  "table" (a frame drawn round the prose) is read as text;
* everything else is text, one line per text line; page numbers ("- 3 -", "第3页 共5页") are
  layout and left out;
* a table that continues on the next page simply continues: its rows follow the previous
  rows (the lexer reads rows by their labels), and a row whose label cells are empty is the
  continuation of the row cut by the page break: its cells are appended to that row's cells.

A PDF without any text layer (a scan) gives no text and a "no-text-layer" note (OCR needed).
"""

from __future__ import annotations

import io
import zlib
import re

from ..document import Document
from ..source import Location, ReaderNote, SourceBuilder, SourceText

NO_TEXT = "no-text-layer"
PAGE_FAIL = "page-unreadable"

_PAGE_NO = re.compile(r"^\s*(?:[-—－–]\s*\d{1,4}\s*[-—－–]|\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")


class _Char:
    __slots__ = ("ch", "x0", "x1", "top", "bottom", "size", "line", "col", "page")

    def __init__(self, c, page: int = 0):
        self.page = page
        self.ch = c["text"]
        self.x0 = float(c["x0"])
        self.x1 = float(c["x1"])
        self.top = float(c["top"])
        self.bottom = float(c["bottom"])
        self.size = float(c.get("size") or (self.bottom - self.top) or 10.0)
        self.line = 0
        self.col = 0


def _lines_of(chars: list[_Char]) -> list[list[_Char]]:
    """Group characters into text lines (by vertical centre), each sorted left to right."""
    chars = sorted(chars, key=lambda c: (c.page, (c.top + c.bottom) / 2, c.x0))
    lines: list[list[_Char]] = []
    cur: list[_Char] = []
    cur_mid = None
    for c in chars:
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


def _join_line(line: list[_Char]) -> list[tuple[str, _Char]]:
    """Characters of one line with spaces where the gap is wide."""
    out: list[tuple[str, _Char]] = []
    prev = None
    for c in line:
        if not c.ch or c.ch.isspace():
            continue
        if prev is not None and c.x0 - prev.x1 > 0.35 * min(c.size, prev.size):
            out.append((" ", c))
        out.append((c.ch, c))
        prev = c
    return out


def _inside(c: _Char, bbox) -> bool:
    x = (c.x0 + c.x1) / 2
    y = (c.top + c.bottom) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


class _Doc:
    def __init__(self, sb: SourceBuilder):
        self.sb = sb
        self.table_no = 0

    def add_chars(self, pairs, page: int, where: str):
        if not pairs:
            return
        place = self.sb.place(page, where)
        text = "".join(ch for ch, _c in pairs)
        self.sb.add_mapped(text, [(c.line, c.col) for _ch, c in pairs], place)


def _cell_pairs(chars: list[_Char]) -> list[tuple[str, _Char]]:
    """A cell's text as one line: its text lines joined (no break between CJK characters)."""
    out: list[tuple[str, _Char]] = []
    for ln in _lines_of(chars):
        pairs = _join_line(ln)
        if out and pairs:
            a, b = out[-1][0], pairs[0][0]
            if a.isascii() and a.isalnum() and b.isascii() and b.isalnum():
                out.append((" ", pairs[0][1]))
        out.extend(pairs)
    return out


def _page(page, pno: int) -> tuple[int, list]:
    """One page's items in reading order, ("line", pairs) and ("table", rows), and its number
    of characters (-1: no text but images)."""
    try:
        page = page.dedupe_chars()
    except Exception:  # pragma: no cover - older pdfplumber
        pass
    chars = [_Char(c, pno) for c in page.chars if c.get("text")]
    if not chars:
        return (-1 if page.images else 0), []
    # positions: line on the page, character in that line
    for i, ln in enumerate(_lines_of(chars), 1):
        for j, c in enumerate(ln, 1):
            c.line, c.col = i, j
    try:
        found = page.find_tables()
    except Exception:
        found = []
    tables = []
    for t in found:
        ncols = max((len(r.cells) for r in t.rows), default=0)
        if ncols >= 2:
            tables.append(t)
    in_table: set[int] = set()
    items = []  # (top, kind, payload)
    for t in tables:
        grid = []   # rows of (column index, chars) for the real cells
        for r in t.rows:
            cells = []
            for k, bbox in enumerate(r.cells):
                if bbox is None:
                    continue  # covered by a merged cell: written once at its first position
                cs = [c for c in chars if id(c) not in in_table and _inside(c, bbox)]
                for c in cs:
                    in_table.add(id(c))
                cells.append((k, cs))
            grid.append(cells)
        items.append((t.bbox[1], "table", _drop_phantoms(grid)))
    rest = [c for c in chars if id(c) not in in_table]
    height = float(page.height or 842)
    for ln in _lines_of(rest):
        pairs = _join_line(ln)
        text = "".join(ch for ch, _c in pairs)
        if not text.strip():
            continue
        top = min(c.top for c in ln)
        if _PAGE_NO.match(text) and (top > height * 0.85 or top < height * 0.12):
            continue  # a page number: layout, not content
        items.append((top, "line", pairs))
    items.sort(key=lambda x: (x[0], 0 if x[1] == "table" else 1))
    return len(chars), [(kind, payload) for _top, kind, payload in items]


def _continues(prev_rows, rows) -> bool:
    """Is the first row of a table at the top of a page the rest of the row cut at the
    bottom of the previous page?  Text only in its label cells, no value, the same cells."""
    if not prev_rows or not rows:
        return False
    last, first = prev_rows[-1], rows[0]
    if len(first) != len(last) or len(first) < 2:
        return False
    if any(cs and _is_value(cs) for cs in first) or not any(first):
        return False
    return any(cs and _is_value(cs) for cs in last)


def _join_pages(pages: list[list]) -> list[tuple]:
    """All items in reading order; a table that starts a page right after a table that ended
    the previous page is the same table (marked "more"), and a row cut by the page break is
    put back together."""
    out: list[tuple] = []
    for items in pages:
        for i, (kind, payload) in enumerate(items):
            if i == 0 and kind == "table" and out and out[-1][0] in ("table", "more"):
                prev_rows = out[-1][1]
                rows = payload
                if _continues(prev_rows, rows):
                    for cs, more in zip(prev_rows[-1], rows[0]):
                        cs.extend(more)
                    rows = rows[1:]
                out.append(("more", rows))
            else:
                out.append((kind, payload))
    return out


def _render(items: list[tuple], doc: _Doc):
    sb = doc.sb
    r_i = 0
    for kind, payload in items:
        if kind == "line":
            pairs = payload
            c0 = pairs[0][1]
            doc.add_chars(pairs, c0.page, f"第{c0.page}页 第{c0.line}行")
            sb.newline()
            continue
        if kind == "table":
            doc.table_no += 1
            r_i = 0
        rows = payload
        for cells in rows:
            r_i += 1
            if not cells:
                continue
            if len(cells) == 1:
                # a row of one cell spanning the table: a caption, a heading, or the prose of
                # a frame drawn round the text — read as text lines
                for ln in _lines_of(cells[0]):
                    pairs = _join_line(ln)
                    if pairs and not _PAGE_NO.match("".join(ch for ch, _c in pairs)):
                        c0 = pairs[0][1]
                        doc.add_chars(pairs, c0.page, f"第{c0.page}页 第{c0.line}行")
                        sb.newline()
                continue
            for c_i, cs in enumerate(cells, 1):
                pairs = _cell_pairs(cs)
                anchor = pairs[0][1] if pairs else _cell_anchor(cells, c_i - 1, rows)
                pno = anchor.page
                where = f"第{pno}页 表格{doc.table_no} 第{r_i}行 第{c_i}格"
                place = sb.place(pno, where)
                line, col = anchor.line, anchor.col
                sb.add("| ", line, col, place, same_place=True)
                if pairs:
                    doc.add_chars(pairs, pno, where)
                sb.add(" ", line, col, place, same_place=True)
            sb.add("|", line, col, place, same_place=True)
            sb.newline()


_VALUE = re.compile(r"^[增减+\-]?\d+(?:\.\d+)?(?:万元|亿元|元|件|个|条|项|次|%)?$|^[—–\-/／]+$|^不适用$|^无$")


def _is_value(cs: list[_Char]) -> bool:
    s = "".join(c.ch for c in cs if not c.ch.isspace())
    return bool(s) and bool(_VALUE.match(s))


def _drop_phantoms(grid: list[list[tuple[int, list]]]) -> list[list[list]]:
    """Rows as lists of cells' characters, without the empty cells that only the ruling of a
    label area produced.

    A label can span two grid columns in one row ("（六）其他处理" over the columns of the
    group and item labels) while pdfplumber still finds a separate empty cell there; written
    as a cell it would be read as a blank value.  Label columns are the columns where the
    body rows (from the first row with a value on) have text; an empty cell in a label
    column is dropped.  A table with no values at all (an unfilled template) keeps every
    cell."""
    first_body = next((i for i, row in enumerate(grid) if any(_is_value(cs) for _k, cs in row)), None)
    if first_body is None:
        return [[cs for _k, cs in row] for row in grid]
    label_cols = set()
    value_cols = set()
    for row in grid[first_body:]:
        for k, cs in row:
            if cs and _is_value(cs):
                value_cols.add(k)
            elif cs:
                label_cols.add(k)
    label_cols -= value_cols
    out = []
    for i, row in enumerate(grid):
        if i < first_body:
            out.append([cs for _k, cs in row])
        else:
            out.append([cs for k, cs in row if cs or k not in label_cols])
    return out


def _cell_anchor(cells, idx, rows) -> _Char:
    """The character an empty cell is placed at: the nearest one of its row, else of the table."""
    for k in list(range(idx, -1, -1)) + list(range(idx + 1, len(cells))):
        if cells[k]:
            return min(cells[k], key=lambda x: (x.page, x.line, x.col))
    for row in rows:
        for cs in row:
            if cs:
                return min(cs, key=lambda x: (x.page, x.line, x.col))
    raise ValueError("a table without any character")


# pdfminer inflates a compressed stream whole: a 300 KB PDF can unpack to gigabytes (a
# "stream bomb").  Its module-level `zlib` is given a stand-in whose decompress() stops at
# this size; the page holding such a stream then fails alone ("page-unreadable") and memory stays small.
MAX_STREAM_BYTES = 64 << 20


class StreamTooLarge(Exception):
    """A compressed PDF stream unpacks to more than MAX_STREAM_BYTES."""


class _BoundedZlib:
    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def decompress(data, *args, **kwargs):
        d = zlib.decompressobj()
        out = d.decompress(data, MAX_STREAM_BYTES + 1)
        if len(out) > MAX_STREAM_BYTES or d.unconsumed_tail:
            raise StreamTooLarge(f"PDF 数据流解压后超过 {MAX_STREAM_BYTES >> 20} MB")
        return out + d.flush()


def _bound_pdfminer_streams() -> None:
    import pdfminer.pdftypes as pdftypes
    if not isinstance(pdftypes.zlib, _BoundedZlib):
        pdftypes.zlib = _BoundedZlib()


def read(data: bytes, name: str) -> Document:
    from . import ReadError
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ReadError(f"{name}: 读取 PDF 需要 pdfplumber（{exc}）") from None
    _bound_pdfminer_streams()
    if not data.lstrip()[:5] == b"%PDF-" and b"%PDF-" not in data[:1024]:
        raise ReadError(f"{name}: 不是 PDF 文件（缺少 %PDF- 文件头）")
    sb = SourceBuilder()
    doc = _Doc(sb)
    notes: list[ReaderNote] = []
    empty_pages: list[int] = []
    blank_pages: list[int] = []
    failed: list[tuple[int, str]] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise ReadError(f"{name}: PDF 已加密，需要密码才能读取") from None
    except Exception as exc:
        raise ReadError(f"{name}: 不是有效的 PDF 文件，可能已损坏或不完整（{type(exc).__name__}）") from None
    total = 0
    with pdf:
        try:
            pages = list(pdf.pages)
        except PDFPasswordIncorrect:
            raise ReadError(f"{name}: PDF 已加密，需要密码才能读取") from None
        except Exception as exc:
            raise ReadError(f"{name}: 不是有效的 PDF 文件，可能已损坏或不完整（{type(exc).__name__}）") from None
        if not pages:
            raise ReadError(f"{name}: PDF 没有页面，可能已损坏或不完整")
        from .. import limits as _limits
        page_items = []
        for pno, page in enumerate(pages, 1):
            _limits.check_time()
            try:
                n, items = _page(page, pno)
            except Exception as exc:  # one damaged page must not stop the others
                failed.append((pno, type(exc).__name__))
                continue
            if n < 0:
                empty_pages.append(pno)   # images but no text: a scanned page
            elif n == 0:
                blank_pages.append(pno)
            total += max(n, 0)
            page_items.append(items)
    _render(_join_pages(page_items), doc)
    src = sb.build(path=name, format="pdf", encoding=None)
    npages = len(pages)
    if total == 0:
        empty_pages = sorted(empty_pages + blank_pages)
    if empty_pages:
        if total == 0:
            detail = f"PDF 全部{npages}页" if npages > 1 else "PDF"
        else:
            detail = "PDF 第" + "、".join(map(str, empty_pages)) + "页"
        p = empty_pages[0]
        notes.append(ReaderNote(NO_TEXT, detail, 0,
                                Location(1, 1, page=p, where=f"第{p}页"),
                                {"pages": "、".join(map(str, empty_pages)), "count": len(empty_pages),
                                 "only": total == 0}))
    for pno, err in failed:
        notes.append(ReaderNote(PAGE_FAIL, f"PDF 第{pno}页无法读取（{err}）", 0,
                                Location(1, 1, page=pno, where=f"第{pno}页"), {"page": pno}))
    src.notes.extend(notes)
    return Document.of_lines(src)
