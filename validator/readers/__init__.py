"""read: a file (or bytes) → a Document: its text with the map back to the original, in blocks.

One module per input format; :func:`read_bytes` picks one by content sniffing, with the file
extension as a hint and ``input_format`` to force:

* ``pdf``       — ``%PDF-`` header (PDFium: text, glyph positions, ruled tables as grids; by page);
* ``docx``      — a zip holding ``word/document.xml`` (python-docx: paragraphs and tables);
* ``html``      — HTML markup (the article body of a CMS page, tables with rowspan/colspan);
* ``markdown``  — ``.md`` files and Markdown content (headings, pipe tables);
* ``text``      — anything else that decodes as text.

Every reader gives a :class:`~validator.document.Document`: paragraphs and tables as cell
grids (validator/document.py), every character mapped back to where it is in the user's
file.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..document import Document
from ..sniff import sniff, is_binary as _is_binary  # noqa: F401
from ..i18n import msg


class ReadError(Exception):
    """The input cannot be read at all (one line, exit code 2)."""


FORMATS = ("text", "markdown", "html", "pdf", "docx")
_ALIASES = {"txt": "text", "md": "markdown", "htm": "html", "xhtml": "html", "plain": "text"}


# The readers that hand the input to native code (PDFium; a zip archive and lxml for DOCX): a
# hang there is out of SIGALRM's reach and a crash there ends the process, so such a file is
# always checked in a worker process (validator/runner.py).  The other readers are Python code.
NATIVE_FORMATS = frozenset({"pdf", "docx"})
SNIFF_BYTES = 200_000   # sniff() looks at no more than this much of the input


def format_of(data: bytes, name: str = "", input_format: str | None = None) -> str:
    """The reader a file needs: ``input_format`` (--format) unless it is empty or "auto", else
    what :func:`validator.sniff.sniff` finds in the first ``SNIFF_BYTES`` of ``data``."""
    fmt = (input_format or "").strip().lower() if _forced(input_format) else sniff(data, name)
    return _ALIASES.get(fmt, fmt)


def _forced(input_format: str | None) -> bool:
    """The format is given (--format), not sniffed (:func:`format_of`)."""
    return (input_format or "").strip().lower() not in ("", "auto")


def read_bytes(data: bytes, name: str = "<stdin>", input_format: str | None = None, markers: tuple = ()) -> Document:
    """``markers``: words that mark a report's body in a web page (the formats' report_words,
    passed in by the pipeline: readers know no rules)."""
    fmt = format_of(data, name, input_format)
    if fmt == "binary":
        raise ReadError(msg("{n}: 不是文本文件，也不是 PDF 或 DOCX，无法读取", "{n}: not a text file, a PDF or a DOCX; cannot be read", n=name))
    if fmt == "zip":
        raise ReadError(msg("{n}: 是压缩文件但不是 Word 文档（.docx），无法读取", "{n}: a zip archive but not a Word document (.docx); cannot be read", n=name))
    if fmt == "doc":
        raise ReadError(msg("{n}: 是旧版 Word 文档（.doc），请另存为 .docx 或 PDF 后再检查",
                            "{n}: an old Word document (.doc); save it as .docx or PDF and check that", n=name))
    if fmt not in FORMATS:
        raise ReadError(msg("{n}: 不支持的输入格式“{f}”；可用：{a}", '{n}: unsupported input format "{f}"; available: {a}',
                            n=name, f=fmt, a=", ".join(FORMATS)))
    # a sniffed text format has passed this test already (sniff() tests the same first 4 KiB
    # before it names one); a format given by --format has not
    if fmt in ("text", "markdown", "html") and _forced(input_format) and _is_binary(data[:4096]):
        raise ReadError(msg("{n}: 不是文本文件（含有二进制字节），不能按 {f} 读取", "{n}: not a text file (it has binary bytes); cannot be read as {f}",
                            n=name, f=fmt))
    if fmt == "text":
        from . import text
        return text.read(data, name)
    if fmt == "markdown":
        from . import markdown
        return markdown.read(data, name)
    if fmt == "html":
        from . import html
        return html.read(data, name, markers)
    if fmt == "pdf":
        from . import pdf
        return pdf.read(data, name)
    from . import docx
    return docx.read(data, name)


def read_path(path: str | Path, input_format: str | None = None, markers: tuple = ()) -> Document:
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise ReadError(msg("{p}: 是目录，不是文件", "{p}: a directory, not a file", p=p)) from None
    except FileNotFoundError:
        raise ReadError(msg("{p}: 文件不存在", "{p}: no such file", p=p)) from None
    except OSError as exc:
        raise ReadError(msg("{p}: 无法读取（{e}）", "{p}: cannot be read ({e})", p=p, e=exc.strerror or exc)) from None
    return read_bytes(data, str(p), input_format, markers)
