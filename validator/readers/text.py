"""Plain text (and the text form of anything else): decode, keep every character's line:column.

Decoding (shared by the text, Markdown and HTML readers):

* a byte-order mark decides (UTF-8, UTF-16);
* valid UTF-8 is UTF-8;
* an encoding the file declares (HTML ``<meta charset>``) is used when the bytes fit it;
* otherwise charset-normalizer guesses (GBK/GB2312 are read as GB18030, their superset);
* bytes that fit no guess are never dropped silently: each run of them becomes U+FFFD in the
  text and a :class:`~validator.source.ReaderNote` ("undecodable-bytes") at its position.
"""

from __future__ import annotations

import codecs

from ..document import Document
from ..source import ReaderNote, SourceText, split_lines

BAD_BYTES = "undecodable-bytes"
MAX_BAD_RUNS = 2000         # after this many runs of bad bytes the rest is replaced in bulk
MAX_NOTES = 20              # findings for at most this many runs; the last one counts the rest

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "euc_cn", "euc-cn", "x-gbk", "gb_2312", "gb_2312-80"}
_BIG5_FAMILY = {"big5", "big5hkscs", "cp950", "big5-hkscs", "x-big5"}


def canonical_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared or guessed encoding (GBK family → gb18030)."""
    if not name:
        return None
    n = name.strip().strip("\"'").lower().replace("_", "-")
    if n in {x.replace("_", "-") for x in _GB_FAMILY}:
        return "gb18030"
    if n in _BIG5_FAMILY:
        return "big5hkscs"
    if n in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        return codecs.lookup(n).name
    except LookupError:
        return None


def _decode_recording(data: bytes, encoding: str) -> tuple[str, list[tuple[int, bytes]]]:
    """Decode, replacing each run of undecodable bytes with one U+FFFD; returns the text and
    (character offset, bad bytes) for every run."""
    parts: list[str] = []
    bad: list[tuple[int, bytes]] = []
    pos = 0
    n_chars = 0
    last_end = -1
    dec = codecs.getincrementaldecoder(encoding)
    while pos < len(data):
        if len(bad) >= MAX_BAD_RUNS:
            rest = data[pos:].decode(encoding, errors="replace")
            parts.append(rest)
            break
        try:
            chunk = dec("strict").decode(data[pos:], final=True)
            parts.append(chunk)
            break
        except UnicodeDecodeError as exc:
            good = data[pos:pos + exc.start].decode(encoding)
            parts.append(good)
            n_chars += len(good)
            end = pos + max(exc.end, exc.start + 1)
            if bad and good == "" and last_end == pos + exc.start:
                off, b = bad[-1]          # adjacent to the previous run: one note
                bad[-1] = (off, b + data[pos + exc.start:end])
            else:
                parts.append("\ufffd")
                bad.append((n_chars, data[pos + exc.start:end]))
                n_chars += 1
            last_end = end
            pos = end
    return "".join(parts), bad


def _utf8_is_plausible(data: bytes) -> bool:
    """Mostly valid UTF-8 with a few damaged bytes (rather than another encoding)."""
    text, bad = _decode_recording(data, "utf-8")
    if not bad:
        return True
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return multibyte >= 20 * len(bad)


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return None
    sample = data if len(data) <= 400_000 else data[:400_000]
    best = from_bytes(sample, cp_isolation=["utf_8", "gb18030", "big5", "big5hkscs", "utf_16",
                                            "cp1252", "latin_1", "euc_jp", "shift_jis"]).best()
    if best is None:
        best = from_bytes(sample).best()
    return canonical_encoding(best.encoding) if best is not None else None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str, list[tuple[int, bytes]]]:
    """Decode bytes; returns (text, encoding name, undecodable runs as (char offset, bytes))."""
    if data.startswith(b"\xef\xbb\xbf"):
        text, bad = _decode_recording(data[3:], "utf-8")
        return text, "utf-8-sig", bad
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        text, bad = _decode_recording(data[2:], enc)
        return text, "utf-16", bad
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    dec = canonical_encoding(declared)
    if dec and dec != "utf-8":
        try:
            return data.decode(dec), dec, []
        except (UnicodeDecodeError, LookupError):
            candidates.append(dec)
    if _utf8_is_plausible(data):
        # UTF-8 with a few damaged bytes (much more likely than another encoding that
        # happens to decode): keep UTF-8 and report the bytes
        text, bad = _decode_recording(data, "utf-8")
        return text, "utf-8", bad
    guessed = _guess(data)
    if guessed and guessed not in candidates:
        candidates.append(guessed)
    for enc in candidates:
        try:
            return data.decode(enc), enc, []
        except (UnicodeDecodeError, LookupError):
            continue
    # nothing fits exactly: a Chinese legacy encoding with a few bad bytes, or damaged UTF-8
    if dec == "utf-8":
        text, bad = _decode_recording(data, "utf-8")
        return text, "utf-8", bad
    best = None
    for enc in candidates + ["gb18030", "big5hkscs"]:
        try:
            text, bad = _decode_recording(data, enc)
        except LookupError:
            continue
        if best is None or len(bad) < len(best[2]):
            best = (text, enc, bad)
    assert best is not None
    return best


def bad_byte_notes(src: SourceText, bad: list[tuple[int, bytes]], offset_map=None) -> list[ReaderNote]:
    """ReaderNotes ("undecodable-bytes") for undecodable byte runs at character offsets of the decoded text.

    ``offset_map`` turns a decoded-text offset into an offset of ``src`` (structured readers
    build their text from the decoded text); by default they are the same."""
    notes = []
    for k, (off, raw) in enumerate(bad):
        if k >= MAX_NOTES:
            break
        o = offset_map(off) if offset_map else off
        if o is None:
            continue
        loc = src.location(o, o + 1)
        shown = " ".join(f"{b:02X}" for b in raw[:8]) + (" …" if len(raw) > 8 else "")
        if k == MAX_NOTES - 1 and len(bad) > MAX_NOTES:
            shown += f"；此后另有{len(bad) - MAX_NOTES}处无法解码的字节未逐一列出"
        notes.append(ReaderNote(BAD_BYTES, "", o, loc, {"bytes": shown, "count": len(raw),
                                                              "encoding": src.encoding or ""}))
    return notes


def document_of(src: SourceText) -> Document:
    """The Document of a text given as a SourceText (not read from a file): the same blocks
    — paragraphs, and tables recognised as grids — as the text reader gives for a file with
    that text, so a string and a .txt file of it are checked alike."""
    from .textgrid import text_blocks
    md = src.format == "markdown"
    return Document(src, text_blocks(src.text, markdown=md, aligned=not md))


def read(data: bytes, name: str, fmt: str = "text") -> Document:
    """The text exactly as in the file; tables recognised as grids (validator/readers/textgrid.py),
    every other non-empty line a paragraph."""
    from .textgrid import text_blocks
    text, enc, bad = decode(data)
    split = split_lines(text)       # the source map and the blocks both need the lines
    src = SourceText.from_original(text, split=split, path=name, format=fmt, encoding=enc)
    src.notes.extend(bad_byte_notes(src, bad))
    return Document(src, text_blocks(src.text, split=split))
