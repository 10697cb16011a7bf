"""Which reader a file needs: content sniffing, the file extension only breaking ties."""

from __future__ import annotations

import re
from pathlib import Path

from .lazyre import later

_EXT = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
        ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}
_HTML_DOC = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s)", re.I)
_HTML_TAG = later(rb"<\s*/?\s*(?:p|div|table|tr|td|th|span|br|h[1-6]|ul|ol|li|font|strong|b|tbody|a)\b[^<>]{0,2000}>", re.I)
_MD_TABLE_SEP = later(rb"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|")
_MD_HEADING = later(rb"(?m)^#{1,6}[ \t]+\S")


def _ext(name: str) -> str:
    return Path(name).suffix.lower() if name else ""


def sniff(data: bytes, name: str = "") -> str:
    """The input format of ``data``: content decides, the extension of ``name`` breaks ties.

    Returns one of FORMATS, or ``"zip"`` / ``"doc"`` / ``"binary"`` for inputs no reader
    takes (read_bytes turns those into a ReadError)."""
    head = data[:4096]
    ext_fmt = _EXT.get(_ext(name))
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:200_000] or ext_fmt == "docx":
            return "docx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if is_binary(head):
        return "binary"
    if ext_fmt == "pdf":
        return "pdf"       # the PDF reader says why it is not a PDF
    if ext_fmt == "docx":
        return "docx"
    sample = data[:65536]
    if _HTML_DOC.search(sample[:2048]):
        return "html"
    if ext_fmt in ("markdown", "text"):
        return ext_fmt  # a few tags (<br> in Markdown cells, a pasted comment) do not make a page
    if ext_fmt == "html":
        return "html"
    if len(_HTML_TAG.findall(sample)) >= 5:
        return "html"
    if _MD_HEADING.search(sample) or _MD_TABLE_SEP.search(sample):
        return "markdown"
    return "text"


def is_binary(head: bytes) -> bool:
    """Control bytes (NUL and others) that no text file has; UTF-16 with a BOM is text."""
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    ctrl = len(head) - len(head.translate(None, _CONTROL))   # count control bytes in C, not per byte
    return ctrl > max(2, len(head) // 100)


_CONTROL = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))


