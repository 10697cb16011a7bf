"""read: a file (or bytes) → SourceText with the map back to the original.

One module per input format; :func:`read` picks one by content sniffing, with the file
extension as a hint and ``input_format`` to force.
"""

from __future__ import annotations

from pathlib import Path

from ..source import SourceText
from . import text as _text


class ReadError(Exception):
    """The input cannot be read at all (one line, exit code 2)."""


FORMATS = ("text",)


def sniff(data: bytes, name: str = "") -> str:
    return "text"


def read_bytes(data: bytes, name: str = "<stdin>", input_format: str | None = None) -> SourceText:
    fmt = input_format or sniff(data, name)
    if fmt == "text":
        return _text.read(data, name)
    raise ReadError(f"{name}: 不支持的输入格式 {fmt}")


def read_path(path: str | Path, input_format: str | None = None) -> SourceText:
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise ReadError(f"{p}: 是目录，不是文件") from None
    except OSError as exc:
        raise ReadError(f"{p}: 无法读取（{exc.strerror or exc}）") from None
    return read_bytes(data, str(p), input_format)
