"""Bounds on what a PDF may unpack to, checked on the file's bytes before PDFium opens it.

A PDF engine inflates compressed streams whole, and builds an object for every drawing
operator of a page: a 300 KB file can unpack to gigabytes (a "stream bomb": 8 or 30 Flate
streams of 63 MB each), a 10 KB file can hold a million ``(1) Tj`` (1.8 GB in pdfminer,
0.6 GB in PDFium).  Before the file is opened, every Flate-compressed stream that the
engine would inflate (page content, forms, fonts, object streams — not images, which are
only decoded to draw them) is inflated here in pieces of 1 MB that are counted and thrown
away, and the text- and path-painting operators of content streams are counted.  Over the
file's limits — unpacked bytes summed over **all** streams of the file
(:func:`validator.limits.check_expanded`, the file size limit, as for a DOCX zip) or more
drawing operators than a report can hold (per stream, and per file once its pages are
counted: :meth:`Scan.check_operators`) — the file is answered
like a file that is too large (P090), in milliseconds and a few MB.

The scan reads the stream keywords of the file (``<< … >> stream … endstream``), as a
repair tool does; it decides nothing about the content, the engine reads the file.  It
also hands back the XMP metadata packet (dates and title), which PDFium does not expose.
"""

from __future__ import annotations

import re
import zlib

from .. import limits as _limits

# drawing operators (an upper bound, see _count): a page of a report has a few thousand; PDFium
# keeps ~600 bytes per page object, so a page of 300,000 stays under 300 MB
MAX_OPERATORS_PER_STREAM = 300_000
MAX_OPERATORS_PER_PAGE = 25_000       # on average over the file …
MIN_OPERATORS_PER_FILE = 400_000      # … but at least this many per file
CHUNK = 1 << 20
MAX_XMP = 1 << 20

_STREAM = re.compile(rb"(?<![A-Za-z])stream\r?\n|(?<![A-Za-z])stream\r")
_ENDSTREAM = b"endstream"
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_OP_LETTERS = (b"j", b"J", b"f", b"S", b"B", b"n", b"D")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FLATE = re.compile(rb"/Filter\s*(?:\[\s*)?/(?:FlateDecode|Fl)\b\s*\]?")
_FILTER = re.compile(rb"/Filter\b")
_NOT_CONTENT = re.compile(rb"/(?:Length1|Length2|Length3|Subtype\s*/(?!Form\b)\w+|Type\s*/(?!XObject\b)\w+|N\s+\d)")
_METADATA = re.compile(rb"/Type\s*/Metadata\b")


class Scan:
    __slots__ = ("inflated", "operators", "stream_ops", "xmp")

    def __init__(self):
        self.inflated = 0
        self.operators = 0
        self.stream_ops = 0
        self.xmp = b""

    def check_operators(self, pages: int) -> None:
        """Over the file's bound of drawing operators (known once the pages are counted):
        answered like a file that is too large."""
        limit = max(MIN_OPERATORS_PER_FILE, MAX_OPERATORS_PER_PAGE * max(pages, 1))
        if self.operators > limit:
            _too_many(limit)


def scan(data: bytes) -> Scan:
    """Inflate-and-count every Flate stream of the file within the limits.  Raises
    :class:`validator.limits.InputTooLarge` when the file unpacks to more than the size
    limit or one stream draws more than MAX_OPERATORS_PER_STREAM operators."""
    out = Scan()
    pos = 0
    n = len(data)
    while pos < n:
        m = _STREAM.search(data, pos)
        if not m:
            break
        end = data.find(_ENDSTREAM, m.end())
        if end < 0:
            break
        head = _dictionary(data, m.start())
        body = memoryview(data)[m.end():end]
        pos = end + len(_ENDSTREAM)
        if _IMAGE.search(head):
            continue
        if _METADATA.search(head) and not out.xmp:
            out.xmp = _inflate_small(head, body)
        count_ops = not _NOT_CONTENT.search(head)
        out.stream_ops = 0
        if not _FILTER.search(head):
            if count_ops:      # an uncompressed content stream: its bytes are in the file
                _count(bytes(body), out)
            continue
        if not _FLATE.search(head) or _several_filters(head):
            continue
        _inflate(body, out, count_ops)
    return out


def _dictionary(data: bytes, stream_at: int) -> bytes:
    """The stream's dictionary: the text between its ``N G obj`` and the keyword."""
    lo = max(0, stream_at - 4096)
    head = data[lo:stream_at]
    objs = list(_OBJ.finditer(head))
    return head[objs[-1].end():] if objs else head


def _several_filters(head: bytes) -> bool:
    m = re.search(rb"/Filter\s*\[([^\]]*)\]", head)
    return bool(m) and m.group(1).count(b"/") > 1


def _inflate(body, out: Scan, count_ops: bool) -> None:
    d = zlib.decompressobj()
    buf = bytes(body)
    limit = _limits.current_max_bytes()
    try:
        while buf and not d.eof:
            piece = d.decompress(buf, CHUNK)
            buf = d.unconsumed_tail
            _account(piece, out, count_ops, limit)
            if not piece:
                break        # no progress: a damaged stream
        if not d.eof:
            _account(d.flush(), out, count_ops, limit)
    except zlib.error:
        pass  # a damaged stream: what was inflated is counted; the engine decides the rest


def _account(piece: bytes, out: Scan, count_ops: bool, limit) -> None:
    if not piece:
        return
    out.inflated += len(piece)
    if limit and out.inflated > limit:
        _limits.check_expanded(out.inflated, "PDF 解压后的内容")
    if count_ops:
        _count(piece, out)


def _count(piece: bytes, out: Scan) -> None:
    # an upper bound at memchr speed: the letters of the operators that make a page object
    # (Tj/TJ text shown; f/S/B/n a path painted; Do an XObject drawn)
    n = sum(piece.count(op) for op in _OP_LETTERS)
    out.operators += n
    out.stream_ops += n
    if out.stream_ops > MAX_OPERATORS_PER_STREAM:
        _too_many(MAX_OPERATORS_PER_STREAM)


def _too_many(limit: int):
    raise _limits.InputTooLarge(
        f"PDF 的文字和图形绘制指令超过 {limit:,} 条，远超一份报告所需，未检查",
        size=f"> {limit:,} operators", limit=f"{limit:,} operators")


def _inflate_small(head: bytes, body) -> bytes:
    """The XMP packet (uncompressed, or Flate-compressed), at most MAX_XMP bytes."""
    raw = bytes(body[:MAX_XMP * 4])
    if not _FILTER.search(head):
        return raw[:MAX_XMP]
    if not _FLATE.search(head):
        return b""
    try:
        d = zlib.decompressobj()
        return d.decompress(raw, MAX_XMP)
    except zlib.error:
        return b""
