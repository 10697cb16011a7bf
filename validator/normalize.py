"""Normalisation for matching: width folding, 繁→简, whitespace — always through the source map.

The text the lexer sees is folded so that labels written with full-width brackets and digits
(（一）, １２) and half-width ones ((一), 12) compare equal.  Every conversion is applied with
:meth:`SourceText.map_text`, so positions still point at the user's original characters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .source import SourceText

# Full-width ASCII block (U+FF01..U+FF5E) -> ASCII; ideographic space and NBSP -> space.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20,
               0x200B: None, 0xFEFF: None, 0x2212: ord("-"),  # zero-width chars, minus sign
               0x2014: 0x2014, 0x3001: 0x3001})
# zero-width characters must keep the length: map them to a space instead of deleting
_WIDTH[0x200B] = 0x20
_WIDTH[0xFEFF] = 0x20
_WIDTH_TABLE = str.maketrans(_WIDTH)


def fold_width(text: str) -> str:
    """Full-width digits, letters, brackets and punctuation to their ASCII forms (same length)."""
    return text.translate(_WIDTH_TABLE)


def fold_newlines(text: str) -> str:
    """CR and CRLF to LF without changing length (CR becomes a space before LF)."""
    return text.replace("\r\n", " \n").replace("\r", "\n")


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc  # OpenCC (pure-Python reimplementation or the C++ binding)
    except ImportError:  # pragma: no cover - dependency declared in pyproject
        return None
    try:
        return opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover
        return opencc.OpenCC("t2s.json")


_TRAD_HINT = re.compile("[這個們來時國為與說對會學關開發經當於後區報務條確歲實體總處據應數問題類屬]")


def looks_traditional(text: str) -> bool:
    """Cheap test: enough characters that exist only in traditional script."""
    hits = len(_TRAD_HINT.findall(text[:20000]))
    return hits >= 5


def to_simplified(text: str) -> str:
    cc = _t2s()
    if cc is None:
        return text
    return cc.convert(text)


def normalize(doc):
    """The one normalisation step of the pipeline (read → **normalise** → parse): a Document
    (or a bare SourceText) with its text folded; every length is kept, so block and cell
    offsets hold."""
    from .document import Document
    if isinstance(doc, Document):
        return doc.with_source(normalize_source(doc.source))
    return normalize_source(doc)


def normalize_source(src: SourceText) -> SourceText:
    out = src.map_text(fold_newlines)
    out = out.map_text(fold_width)
    if looks_traditional(out.text):
        out = out.map_text(to_simplified)
        out.notes.append(("traditional", "繁体字文本已按简体匹配（定位仍指向原文）"))
    out.raw = src.text   # every conversion keeps lengths: offset i is character i as written
    return out


_SPACE_RE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Remove all whitespace (labels wrap and get padded in PDF text)."""
    return _SPACE_RE.sub("", text)
