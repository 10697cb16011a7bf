"""Reading one file into a Document within the file's limits — the first step of a check.

One place for it: :mod:`validator.lint` reads through here before it normalises and parses,
and :mod:`validator.runner` reads a PDF or DOCX through here in a process of its own while
the checking process reads the configuration and loads the rules.  Imports only the
readers, not the rest of the pipeline, so that such a process starts small.

The caller applies :func:`validator.limits.limits` (size, characters, time) around these.
Raises :class:`validator.readers.ReadError` (one line) for input that cannot be read and
:class:`validator.limits.LimitExceeded` for input over a limit.
"""

from __future__ import annotations

from . import limits as _limits
from .i18n import msg
from .readers import ReadError, read_bytes, read_path
from .templates import report_words


def read_file(path: str, input_format: str | None, max_bytes: int | None, max_chars: int | None):
    """The Document of the file at ``path`` (a regular file, or a pipe read up to the size
    limit), after the size checks that can be made before reading it whole."""
    kind, size = _limits.stat_kind(path)
    if kind == "file":
        _limits.check_size(size, max_bytes)
        if max_chars and size > 4 * max_chars:
            try:
                with open(path, "rb") as fh:
                    head = fh.read(256 * 1024)
            except OSError:
                head = None  # read_path gives the one-line error
            if head is not None:
                _limits.check_text_bytes(head, size, str(path), input_format, max_chars)
    if kind == "stream":  # a pipe or device: never read more than the limit
        try:
            with open(path, "rb") as fh:
                data = _limits.read_bounded(fh, max_bytes)
        except OSError as exc:
            raise ReadError(msg("{p}: 无法读取（{e}）", "{p}: cannot be read ({e})", p=path, e=exc.strerror or exc)) from None
        return read_bytes(data, str(path), input_format, report_words())
    return read_path(path, input_format, report_words())


def read_data(data: bytes, name: str, input_format: str | None, max_bytes: int | None, max_chars: int | None):
    """The Document of bytes already read (stdin), named ``name``."""
    _limits.check_size(len(data), max_bytes)
    _limits.check_text_bytes(data[:256 * 1024], len(data), name, input_format, max_chars)
    return read_bytes(data, name, input_format, report_words())
