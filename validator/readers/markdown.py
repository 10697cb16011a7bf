"""Markdown: the text reader plus Markdown markup turned into blanks of the same length.

Headings (``# 一、总体情况``), emphasis (``**`` / ``__``), ``<br>`` inside table cells (OCR and
PDF converters write "本年新<br>制作数量"), ``&nbsp;`` and escaped pipes are replaced by spaces
of the same length, so every remaining character is at its own line:column in the file.
The blocks come from validator/readers/textgrid.py: every pipe table a grid (the delimiter
row not a row, the row above it the header), ``#`` headings paragraphs with their level.
Tables that a PDF converter cut into pieces with text between them are ``fragment`` grids
(their labels are partly in that text); Document.grids() leaves them out unless asked.
"""

from __future__ import annotations

import re

from ..document import Document
from ..source import SourceText, split_lines
from .text import bad_byte_notes, decode

_HEADING = re.compile(r"(?m)^[ \t]{0,3}(#{1,6})(?=[ \t])")
_EMPH = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
_INLINE_HTML = re.compile(r"<\s*/?\s*(?:br|p|span|b|strong|sup|sub|font|div)\b[^<>\n]{0,200}>", re.I)
_ENTITY = re.compile(r"&(?:nbsp|emsp|ensp|#160|#xa0);", re.I)
_ESCAPED_PIPE = re.compile(r"\\\|")


def blank_markup(text: str) -> str:
    """Markdown markup → spaces of the same length (positions stay where they are)."""
    def blank(m: re.Match) -> str:
        return " " * len(m.group(0))

    text = _HEADING.sub(blank, text)
    text = _EMPH.sub(blank, text)
    text = _INLINE_HTML.sub(blank, text)
    text = _ENTITY.sub(blank, text)
    text = _ESCAPED_PIPE.sub(" /", text)   # a literal pipe inside a cell is not a cell boundary
    return text


def headings(original: str) -> dict[int, int]:
    """0-based line number → level of every ATX heading (``## 一、总体情况``)."""
    out = {}
    for no, line in enumerate(original.split("\n")):
        m = _HEADING.match(line)
        if m:
            out[no] = len(m.group(1))
    return out


def read(data: bytes, name: str) -> Document:
    from .textgrid import text_blocks
    original, enc, bad = decode(data)
    shown = blank_markup(original)
    split = split_lines(shown)      # the source map and the blocks both need the lines
    src = SourceText.from_original(shown, split=split, path=name, format="markdown", encoding=enc,
                                   original_lines=original.split("\n"))
    src.notes.extend(bad_byte_notes(src, bad))
    return Document(src, text_blocks(src.text, markdown=True, headings=headings(original), aligned=False,
                                     split=split))
