"""read: a file (or bytes) → SourceText with the map back to the original.

One module per input format; :func:`read_bytes` picks one by content sniffing, with the file
extension as a hint and ``input_format`` to force:

* ``pdf``       — ``%PDF-`` header (pdfplumber: text and ruled tables, positions by page);
* ``docx``      — a zip holding ``word/document.xml`` (python-docx: paragraphs and tables);
* ``html``      — HTML markup (the article body of a CMS page, tables with rowspan/colspan);
* ``markdown``  — ``.md`` files and Markdown content (headings, pipe tables);
* ``text``      — anything else that decodes as text.

Every reader renders each table row as one line ``| c1 | c2 | … |`` and each paragraph as
one line, and maps every character back to where it is in the user's file.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..source import SourceText


class ReadError(Exception):
    """The input cannot be read at all (one line, exit code 2)."""


FORMATS = ("text", "markdown", "html", "pdf", "docx")
_ALIASES = {"txt": "text", "md": "markdown", "htm": "html", "xhtml": "html", "plain": "text"}

_EXT = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
        ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}

_HTML_DOC = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s)", re.I)
_HTML_TAG = re.compile(rb"<\s*/?\s*(?:p|div|table|tr|td|th|span|br|h[1-6]|ul|ol|li|font|strong|b|tbody|a)\b[^<>]{0,2000}>", re.I)
_MD_TABLE_SEP = re.compile(rb"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|")
_MD_HEADING = re.compile(rb"(?m)^#{1,6}[ \t]+\S")


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
    if _is_binary(head):
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


def _is_binary(head: bytes) -> bool:
    """Control bytes (NUL and others) that no text file has; UTF-16 with a BOM is text."""
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    ctrl = len(head) - len(head.translate(None, _CONTROL))   # count control bytes in C, not per byte
    return ctrl > max(2, len(head) // 100)


_CONTROL = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))


def read_bytes(data: bytes, name: str = "<stdin>", input_format: str | None = None) -> SourceText:
    fmt = (input_format or "").strip().lower() or None
    if fmt in (None, "auto"):
        fmt = sniff(data, name)
    fmt = _ALIASES.get(fmt, fmt)
    if fmt == "binary":
        raise ReadError(f"{name}: 不是文本文件，也不是 PDF 或 DOCX，无法读取")
    if fmt == "zip":
        raise ReadError(f"{name}: 是压缩文件但不是 Word 文档（.docx），无法读取")
    if fmt == "doc":
        raise ReadError(f"{name}: 是旧版 Word 文档（.doc），请另存为 .docx 或 PDF 后再检查")
    if fmt not in FORMATS:
        raise ReadError(f"{name}: 不支持的输入格式“{fmt}”；可用：{', '.join(FORMATS)}")
    if fmt in ("text", "markdown", "html") and _is_binary(data[:4096]):
        raise ReadError(f"{name}: 不是文本文件（含有二进制字节），不能按 {fmt} 读取")
    if fmt == "text":
        from . import text
        return text.read(data, name)
    if fmt == "markdown":
        from . import markdown
        return markdown.read(data, name)
    if fmt == "html":
        from . import html
        return html.read(data, name)
    if fmt == "pdf":
        from . import pdf
        return pdf.read(data, name)
    from . import docx
    return docx.read(data, name)


def read_path(path: str | Path, input_format: str | None = None) -> SourceText:
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise ReadError(f"{p}: 是目录，不是文件") from None
    except FileNotFoundError:
        raise ReadError(f"{p}: 文件不存在") from None
    except OSError as exc:
        raise ReadError(f"{p}: 无法读取（{exc.strerror or exc}）") from None
    return read_bytes(data, str(p), input_format)
