"""Normalisation for matching: width folding, 繁→简, whitespace — always through the source map.

The text the lexer sees is folded so that labels written with full-width brackets and digits
(（一）, １２) and half-width ones ((一), 12) compare equal.  Every conversion is applied with
:meth:`SourceText.map_text`, so positions still point at the user's original characters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .source import SourceText
from .lazyre import later

# Full-width ASCII block (U+FF01..U+FF5E) -> ASCII; ideographic space and NBSP -> space.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20,
               0x200B: None, 0xFEFF: None, 0x2212: ord("-"),  # zero-width chars, minus sign
               0x2014: 0x2014, 0x3001: 0x3001})
# zero-width characters must keep the length: map them to a space instead of deleting
_WIDTH[0x200B] = 0x20
_WIDTH[0xFEFF] = 0x20
# Kangxi radicals and CJK radical supplements that PDF producers (Chrome's print to PDF, some
# Office exports) put in the text layer for ordinary characters: ⽉ U+2F49 is 月, ⼈ is 人.
# Their compatibility form is one unified ideograph, so the length is kept.
for _cp in (*range(0x2F00, 0x2FD6), *range(0x2E80, 0x2EF4)):
    _nf = unicodedata.normalize("NFKC", chr(_cp))
    if len(_nf) == 1 and _nf != chr(_cp):
        _WIDTH[_cp] = ord(_nf)
# radicals without a compatibility form that stand for a simplified character, and two whose
# compatibility form is the traditional one (⼾ 戶 → 户, ⿈ 黃 → 黄)
_WIDTH.update({0x2EA0: ord("民"), 0x2EC5: ord("见"), 0x2ECB: ord("车"), 0x2ED3: ord("长"), 0x2ED4: ord("门"),
               0x2EDA: ord("页"), 0x2EDB: ord("风"), 0x2EDC: ord("飞"), 0x2EE2: ord("马"), 0x2EE8: ord("麦"),
               0x2EE9: ord("黄"), 0x2EEC: ord("齐"), 0x2EF0: ord("龙"), 0x2EC4: ord("西"), 0x2EC6: ord("角"),
               0x2ED8: ord("青"), 0x2EDD: ord("食"), 0x2EE3: ord("骨"), 0x2EE4: ord("鬼"), 0x2EC9: ord("贝"),
               0x2F3E: ord("户"), 0x2FC8: ord("黄")})
_WIDTH_TABLE = str.maketrans(_WIDTH)
# the characters that change, as one regex class; then that class with the characters of
# traditional script that looks_traditional counts (both made on first use)
_FOLDABLE: list = []


def _foldable(hints: bool = False):
    if not _FOLDABLE:
        codes = sorted(c for c, v in _WIDTH.items() if v != c)
        _FOLDABLE.append(re.compile(_char_class(codes)))
        _FOLDABLE.append(re.compile(_char_class(sorted({*codes, *map(ord, _TRAD_CHARS)}))))
    return _FOLDABLE[hints]


def _char_class(codes: list[int]) -> str:
    """A regex class of the sorted code points ``codes``, runs written as ranges."""
    spans: list[list[int]] = []
    for c in codes:
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans)
    return f"[{body}]"


# each character that changes → what it becomes (no result is itself one that changes, so
# replacing them one after the other is translating the text once)
_FOLD_CHAR = {chr(c): chr(v) for c, v in _WIDTH.items() if v is not None and v != c}


def fold_width(text: str, changed: set | None = None) -> str:
    """Full-width digits, letters, brackets and punctuation to their ASCII forms (same length).
    The first character that changes is searched, replaced throughout, and the search goes on
    from there: a report has a handful of distinct such characters (（ ） ： ， ％ …) but
    hundreds of them, so this is one pass of the search and a replace per distinct character
    (finding every run, ~100 a report, made a string of each).  ``str.translate`` with a
    mapping looks every character up (~10× slower), a substitution calls back into Python
    for every run (~4×).  ``changed``: a set that gets what the text has now in place of
    other characters."""
    return _fold_width(text, changed, False)[0]


def _fold_width(text: str, changed: set | None, count_hints: bool) -> tuple[str, bool]:
    """:func:`fold_width` of the text and, with ``count_hints``, :func:`looks_traditional` of
    it, from the same pass: the search looks for the characters that change and the hints
    of traditional script together (the class has as many members at the same cost per
    character) — instead of one more scan of the text for each of the forty hints.  Folding
    neither makes nor changes a hint, so they are counted alike before and after it.  A
    hint is counted where it is found, up to the fifth or the end of the part counted; then
    the search goes on for the characters that change only."""
    fold = _FOLD_CHAR
    hints = 0
    search = _foldable(count_hints).search
    m = search(text)
    while m is not None:
        at = m.start()
        ch = text[at]
        new = fold.get(ch)
        if new is None:                     # a hint of traditional script
            if at < _TRAD_HEAD:
                hints += 1
            if hints >= _TRAD_ENOUGH or at >= _TRAD_HEAD:
                search = _foldable().search
        else:
            text = text.replace(ch, new)    # none of the results is itself one that changes
            if changed is not None:
                changed.add(new)
        m = search(text, at + 1)
    return text, hints >= _TRAD_ENOUGH


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


_TRAD_CHARS = "這個們來時國為與說對會學關開發經當於後區報務條確歲實體總處據應數問題類屬"
_TRAD_HINT = later(f"[{_TRAD_CHARS}]")   # the same test as one pattern: what looks_traditional counts
_TRAD_HEAD = 20000      # looks_traditional counts the hints in this many first characters
_TRAD_ENOUGH = 5        # ... and this many make a text traditional


def looks_traditional(text: str) -> bool:
    """Cheap test: enough characters that exist only in traditional script (``_TRAD_HINT``
    found at least five times in the first 20,000 characters).  Counted character by
    character, each only when the text has it at all (a plain scan for one character is
    faster than testing every character against the class), until there are five.
    (:func:`normalize_source` has it from the pass that folds the width.)"""
    head = text[:_TRAD_HEAD]
    hits = 0
    for ch in _TRAD_CHARS:
        if ch in head:
            hits += head.count(ch)
            if hits >= _TRAD_ENOUGH:
                return True
    return False


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
    # the characters the conversions put in place of others (CR → space or LF, the folded
    # widths): SourceText.quote() needs to look for no piece without any of them
    changed = {" ", "\n"} if "\r" in src.text else set()
    out = src.map_text(fold_newlines)
    folded, traditional = _fold_width(out.text, changed, True)    # the same length
    out = out.map_text(lambda _text: folded)
    if traditional:
        out = out.map_text(to_simplified)
        out.notes.append(("traditional", "繁体字文本已按简体匹配（定位仍指向原文）"))
    out.raw = src.text   # every conversion keeps lengths: offset i is character i as written
    if not traditional:  # (what 繁→简 changed is not known character by character)
        out._changed = (out.raw, frozenset(changed))
    return out


_SPACE_RE = later(r"\s+")


def squash(text: str) -> str:
    """Remove all whitespace (labels wrap and get padded in PDF text)."""
    return _SPACE_RE.sub("", text)
