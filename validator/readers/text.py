"""Plain text (and the text form of anything else): decode, keep every character's line:column."""

from __future__ import annotations

from ..source import SourceText


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes; returns (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced)"


def read(data: bytes, name: str) -> SourceText:
    text, enc = decode(data)
    return SourceText.from_original(text, path=name, format="text", encoding=enc)
