"""PDF pages through PDFium (pypdfium2): the glyphs with their boxes, the ruling, the file's
dates and title.

PDFium (the PDF engine of Chromium, C++) parses the file, the page content and the fonts'
ToUnicode maps; this module only asks it, through pypdfium2's ctypes API, for

* each page's **glyphs**: the text PDFium maps a drawn glyph to (one character, or several
  for a ligature or a ToUnicode entry that gives two CJK characters) and its box (the loose
  box: the font's full height, so characters on one line share their top and bottom).
  Characters that PDFium generates (spaces and line breaks it infers) are left out — the
  reader makes its own lines.  Coordinates are PDF points, y downwards from the top of
  the page (as pdfplumber's ``top``/``bottom``);
* each page's **ruling**: every straight horizontal or vertical segment of the painted
  paths (lines, rectangles — also thin filled rectangles, the way Word draws borders —
  inside form XObjects too), as pdfplumber edge dicts, so pdfplumber's table finder can
  read the cells from them (validator/readers/pdf_tables.py);
* the document information dictionary's ``CreationDate``/``ModDate``/``Title``.

PDFium is not thread-safe: everything here runs under one lock (:data:`LOCK`).
"""

from __future__ import annotations

import ctypes
import logging
import math
import threading

log = logging.getLogger("validator.readers.pdf")
# pypdfium2's own messages are shown with --verbose only (never by Python's last-resort handler)
logging.getLogger("pypdfium2").addHandler(logging.NullHandler())

LOCK = threading.RLock()

# bounds on what one page may cost (a page of a real report has a few thousand glyphs and
# a few thousand path segments; the hostile "text-operator flood" has a million)
MAX_GLYPHS_PER_PAGE = 200_000
MAX_SEGMENTS_PER_PAGE = 200_000
MAX_FORM_DEPTH = 8


class PageTooComplex(Exception):
    """A page holds more glyphs or path segments than a report page can have."""


class Glyph:
    """One drawn glyph: its text (usually one character) and its box."""

    __slots__ = ("ch", "x0", "x1", "top", "bottom", "size", "line", "col", "page")

    def __init__(self, ch: str, x0: float, x1: float, top: float, bottom: float, page: int, size: float = 0.0):
        self.ch = ch
        self.x0 = x0
        self.x1 = x1
        self.top = top
        self.bottom = bottom
        self.size = size or abs(bottom - top) or 10.0
        self.page = page
        self.line = 0
        self.col = 0

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Glyph({self.ch!r}, p{self.page} {self.x0:.1f},{self.top:.1f})"


class PdfiumError(Exception):
    """PDFium could not open the document (``err_code``: FPDF_GetLastError) or a page."""

    def __init__(self, message: str, err_code: int | None = None):
        super().__init__(message)
        self.err_code = err_code


_RAW: list = []


def _raw():
    """pypdfium2's ctypes bindings of PDFium, the library initialised once per process.

    Only the raw bindings (``pypdfium2_raw``, which ``pypdfium2.raw`` re-exports) are imported:
    pypdfium2's helper layer (document and page classes, its configuration, ``ctypes.util``
    …) costs ~25 ms more at every start and this module needs none of it (issue 15.3).  The
    library is initialised as pypdfium2 does it (``FPDF_InitLibraryWithConfig``, version 2);
    PDFium ignores a second initialisation, should pypdfium2 itself be imported later."""
    if not _RAW:
        try:
            import pypdfium2_raw as raw      # noqa: WPS433 - imported when a PDF is read
        except ImportError:                  # pragma: no cover - another packaging of pypdfium2
            import pypdfium2.raw as raw
        config = raw.FPDF_LIBRARY_CONFIG(version=2, m_pUserFontPaths=None, m_pIsolate=None, m_v8EmbedderSlot=0)
        raw.FPDF_InitLibraryWithConfig(config)
        _RAW.append(raw)
    return _RAW[0]


class PdfFile:
    """An open PDF (a PDFium document); use as a context manager.  Raises PdfiumError when
    PDFium cannot open it (``err_code``: why) or it has no page."""

    def __init__(self, data: bytes):
        self.raw = R = _raw()
        self._data = data            # PDFium reads from this buffer: keep it alive
        self.doc = R.FPDF_LoadMemDocument64(data, len(data), None)
        self._n = R.FPDF_GetPageCount(self.doc) if self.doc else 0
        if self._n < 1:
            err = R.FPDF_GetLastError()
            self.close()
            raise PdfiumError("Failed to load document", err_code=err)

    def __enter__(self) -> "PdfFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        doc, self.doc = self.doc, None
        if doc:
            try:
                self.raw.FPDF_CloseDocument(doc)
            except Exception:  # noqa: BLE001 - closing a damaged document must not mask the real error
                log.debug("关闭 PDF 时出错", exc_info=True)

    def __len__(self) -> int:
        return self._n

    # -- metadata ------------------------------------------------------------------------
    def meta_text(self, key: str) -> str:
        """A value of the document information dictionary ("" when absent)."""
        R = self.raw
        n = R.FPDF_GetMetaText(self.doc, key.encode("ascii"), None, 0)
        if n <= 2:
            return ""
        buf = ctypes.create_string_buffer(n)
        R.FPDF_GetMetaText(self.doc, key.encode("ascii"), buf, n)
        return buf.raw[:n - 2].decode("utf-16-le", errors="replace").strip()

    # -- one page ------------------------------------------------------------------------
    def page(self, index: int) -> "PageData":
        """Glyphs and ruling of page `index` (0-based).  Raises on a page PDFium cannot load."""
        R = self.raw
        page = R.FPDF_LoadPage(self.doc, index)
        if not page:
            raise PdfiumError("Failed to load page")
        try:
            return _read_page(R, page, index + 1)
        finally:
            R.FPDF_ClosePage(page)


class PageData:
    __slots__ = ("number", "width", "height", "glyphs", "edges", "images")

    def __init__(self, number, width, height, glyphs, edges, images):
        self.number = number
        self.width = width
        self.height = height
        self.glyphs: list[Glyph] = glyphs
        self.edges: list[dict] = edges
        self.images = images


def _sane(v: float) -> bool:
    return -1e6 < v < 1e6      # False for NaN and infinities too


def _mediabox(R, page) -> tuple[float, float, float, float]:
    """The page's /MediaBox; (0, 0, 612, 792) where it has none (what pypdfium2 gives then)."""
    box = [ctypes.c_float() for _ in range(4)]
    if not R.FPDFPage_GetMediaBox(page, *box):
        return (0, 0, 612, 792)
    return tuple(b.value for b in box)


def _read_page(R, page, number: int) -> PageData:
    left, bottom, right, top = _mediabox(R, page)
    if not all(map(_sane, (left, bottom, right, top))) or right - left <= 0 or top - bottom <= 0:
        left, bottom, right, top = 0.0, 0.0, 0.0, 0.0   # a broken /MediaBox: measure from the content
    n_obj = R.FPDFPage_CountObjects(page)
    if n_obj > MAX_GLYPHS_PER_PAGE + MAX_SEGMENTS_PER_PAGE:
        raise PageTooComplex(f"{n_obj} objects")
    textpage = R.FPDFText_LoadPage(page)
    if not textpage:
        raise PdfiumError("Failed to load text page")
    try:
        glyphs = _glyphs(R, textpage, number)
    finally:
        R.FPDFText_ClosePage(textpage)
    segments, images = _segments(R, page)
    if top - bottom <= 0:
        # a broken /MediaBox ([], 1e308 …): an A4 page, grown to hold what is drawn
        ys = [g.top for g in glyphs] + [y for s in segments for y in (s[1], s[3])]
        xs = [g.x1 for g in glyphs] + [x for s in segments for x in (s[0], s[2])]
        top = max([842.0] + ys)
        bottom = min([0.0] + ys)
        left, right = min([0.0] + xs), max([595.0] + xs)
    # y downwards from the top of the page
    for g in glyphs:
        g.top, g.bottom = top - g.top, top - g.bottom
    edges = _edges(segments, top)
    return PageData(number, right - left, top - bottom, glyphs, edges, images)


def _glyphs(R, tp, number: int) -> list[Glyph]:
    """The page's glyphs in content order, with y upwards (flipped by the caller).  The
    characters PDFium expands from one glyph (a ligature, a ToUnicode entry of two
    characters) share one box: they are one Glyph whose text is those characters.  Spaces
    are left out (the reader puts spaces where the gaps are)."""
    n = R.FPDFText_CountChars(tp)
    if n > MAX_GLYPHS_PER_PAGE:
        raise PageTooComplex(f"{n} characters")
    rect = R.FS_RECTF()
    left, right, bottom, top, ox, oy = (ctypes.c_double() for _ in range(6))
    mat = R.FS_MATRIX()
    get_u = R.FPDFText_GetUnicode
    loose = R.FPDFText_GetLooseCharBox
    tight = R.FPDFText_GetCharBox
    sizes: dict[float, float] = {}    # loose box height -> drawn size (one per font and size)
    out: list[Glyph] = []
    prev_box = None
    for k in range(n):
        u = get_u(tp, k)
        if u in (0, 0xFFFE, 0xFFFF) or not loose(tp, k, rect):
            prev_box = None
            continue
        if 0xD800 <= u <= 0xDFFF:
            u = 0xFFFD                      # a lone surrogate cannot be written out
        ch = chr(u)
        if ch.isspace():                    # spaces, also those PDFium generates
            prev_box = None
            continue
        b = (rect.left, rect.right, rect.top, rect.bottom)
        if b == prev_box and out:
            out[-1].ch += ch                # one glyph, several characters
            continue
        prev_box = b
        if not (-1e6 < b[0] < 1e6 and -1e6 < b[1] < 1e6 and -1e6 < b[2] < 1e6 and -1e6 < b[3] < 1e6):
            continue
        x0, x1, y1, y0 = b
        # the size the glyph is drawn at (lines are told apart by it) and the loose box
        # (the font's advance and height: gaps and line positions are measured by it);
        # where PDFium gives a loose box far taller than the size (seen on glyphs written
        # one per line down a table cell), a box of the size at the glyph's origin
        h = y1 - y0
        size = sizes.get(h)
        if size is None:
            size = _font_size(R, tp, k, mat)
            if size and h <= 2.5 * size:
                sizes[h] = size
        if size and h > 2.5 * size and R.FPDFText_GetCharOrigin(tp, k, ox, oy):
            x0 = ox.value
            if tight(tp, k, left, right, bottom, top):
                x1 = max(right.value, x0 + 0.5 * size)
            else:
                x1 = x0 + size
            y0, y1 = oy.value - 0.12 * size, oy.value + 0.88 * size
        out.append(Glyph(ch, x0, x1, y1, y0, number, size))
    return out


def _font_size(R, tp, k, mat) -> float:
    """The size a glyph is drawn at: its font size scaled by its matrix."""
    fs = R.FPDFText_GetFontSize(tp, k)
    if not fs or not R.FPDFText_GetMatrix(tp, k, mat):
        return 0.0
    scale = math.sqrt(abs(mat.a * mat.d - mat.b * mat.c))
    size = fs * scale
    return size if _sane(size) else 0.0


def _mul(m, n):
    """The affine matrix m followed by n (each (a, b, c, d, e, f))."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _segments(R, page_raw):
    """Straight segments of the painted paths on the page, in page space (y upwards):
    (x0, y0, x1, y1); and the number of images."""
    out: list[tuple[float, float, float, float]] = []
    images = 0
    mat = R.FS_MATRIX()
    x = ctypes.c_float()
    y = ctypes.c_float()
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    bl, bb, br, bt = (ctypes.c_float() for _ in range(4))
    PATH, FORM, IMAGE = R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_FORM, R.FPDF_PAGEOBJ_IMAGE
    MOVETO, LINETO = R.FPDF_SEGMENT_MOVETO, R.FPDF_SEGMENT_LINETO
    get_type, get_matrix, draw_mode = R.FPDFPageObj_GetType, R.FPDFPageObj_GetMatrix, R.FPDFPath_GetDrawMode
    get_bounds, count_segs, get_seg = R.FPDFPageObj_GetBounds, R.FPDFPath_CountSegments, R.FPDFPath_GetPathSegment
    seg_point, seg_type, seg_close = R.FPDFPathSegment_GetPoint, R.FPDFPathSegment_GetType, R.FPDFPathSegment_GetClose
    IDENTITY = (1, 0, 0, 1, 0, 0)

    def one_stroke(o, n: int) -> bool:
        """A path of one line or one rectangle (no second "moveto": no gap inside it)."""
        if n <= 2:
            return True
        if n > 5:
            return False
        for k in range(1, n):
            s = get_seg(o, k)
            if not s or seg_type(s) != LINETO:
                return False
        return True

    def walk(count, get, ctm, depth):
        nonlocal images
        for i in range(count):
            o = get(i)
            t = get_type(o)
            if t == IMAGE:
                images += 1
            elif t == FORM:
                if depth < MAX_FORM_DEPTH and get_matrix(o, mat):
                    m = _mul((mat.a, mat.b, mat.c, mat.d, mat.e, mat.f), ctm)
                    walk(R.FPDFFormObj_CountObjects(o), lambda k, o=o: R.FPDFFormObj_GetObject(o, k), m, depth + 1)
            elif t == PATH:
                if not draw_mode(o, fill, stroke) or (fill.value == 0 and not stroke.value):
                    continue            # a clipping path, not painted
                if not get_matrix(o, mat):
                    continue
                m = (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f)
                a, b, c, d, e, f = m if ctm == IDENTITY else _mul(m, ctm)
                n = count_segs(o)
                if b == 0 and c == 0 and one_stroke(o, n) and get_bounds(o, bl, bb, br, bt):
                    # a thin line or rectangle (a table border) is its midline: what
                    # pdfplumber's snapping makes of its two sides anyway
                    w, h = br.value - bl.value, bt.value - bb.value
                    if 0 <= h <= THIN and w > THIN:
                        ym = (bt.value + bb.value) / 2
                        out.append(_tx(ctm, bl.value, ym) + _tx(ctm, br.value, ym))
                        continue
                    if 0 <= w <= THIN and h > THIN:
                        xm = (bl.value + br.value) / 2
                        out.append(_tx(ctm, xm, bb.value) + _tx(ctm, xm, bt.value))
                        continue
                start = prev = None
                for k in range(n):
                    s = get_seg(o, k)
                    if not s or not seg_point(s, x, y):
                        continue
                    px = a * x.value + c * y.value + e
                    py = b * x.value + d * y.value + f
                    typ = seg_type(s)
                    if typ == MOVETO or prev is None:
                        start = prev = (px, py)
                        continue
                    if typ == LINETO:
                        out.append((prev[0], prev[1], px, py))
                    prev = (px, py)
                    if seg_close(s) and start is not None:
                        out.append((px, py, start[0], start[1]))
                        prev = start
                if len(out) > MAX_SEGMENTS_PER_PAGE:
                    raise PageTooComplex(f"more than {MAX_SEGMENTS_PER_PAGE} path segments")

    walk(R.FPDFPage_CountObjects(page_raw), lambda k: R.FPDFPage_GetObject(page_raw, k), (1, 0, 0, 1, 0, 0), 0)
    return out, images


THIN = 2.0   # a path no thicker than this (points) is a ruling line


def _tx(m, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def _edges(segments, top: float, tol: float = 0.01) -> list[dict]:
    """Horizontal and vertical segments as pdfplumber edges (y downwards), each drawn
    segment once (Word draws the border between two cells once for each)."""
    out = []
    seen = set()
    for x0, y0, x1, y1 in segments:
        if abs(y0 - y1) <= tol:
            orient = "h"
        elif abs(x0 - x1) <= tol:
            orient = "v"
        else:
            continue
        if not (-1e6 < x0 < 1e6 and -1e6 < x1 < 1e6 and -1e6 < y0 < 1e6 and -1e6 < y1 < 1e6):
            continue
        X0, X1 = (x0, x1) if x0 <= x1 else (x1, x0)
        T, B = (top - y0, top - y1) if y0 >= y1 else (top - y1, top - y0)
        key = (orient, round(X0, 2), round(X1, 2), round(T, 2), round(B, 2))
        if key in seen:
            continue
        seen.add(key)
        out.append({"object_type": "line", "x0": X0, "x1": X1, "top": T, "bottom": B, "doctop": T,
                    "width": X1 - X0, "height": B - T, "orientation": orient})
    return out
