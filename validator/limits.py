"""Limits for one checked file: size, length of text and time (issue 6).

A CI gate runs on whatever a website contains (50 MB PDFs, zip bombs, pages nested ten
thousand levels deep).  Each file gets limits; a file over one is answered with a ``parse``
finding for that file (P090 input-too-large, P091 timeout, see rules/limits.yaml) and the
other files are still checked.  ``0``/``None`` disables a limit.

* Size (``--max-bytes``, 50 MB): checked before reading (``os.stat``), and on bytes read
  from a pipe, a device or stdin (never more than the limit is read).  Readers that expand
  their input (DOCX is a zip, PDF streams are compressed) call :func:`check_expanded` with
  the size they are about to produce.
* Text (``--max-chars``, 1,000,000 characters): the pipeline needs ~120 bytes per character,
  so longer texts are refused after reading — or before, for plain text/Markdown files whose
  byte size alone proves it (:func:`check_text_bytes`).
* Time (``--timeout``, 30 s): :func:`limits` arms ``SIGALRM`` (``setitimer``) in the main
  thread, so even a reader stuck in a pure-Python loop is interrupted; in other threads (the
  web server) the pipeline's stage boundaries and each rule call :func:`check_time`.
* Memory (``--max-memory``, 1 GB, issue 16): every process that checks files (the workers
  of ``--jobs``, the web page's workers) gets an address-space limit of its size at start
  plus this much (:func:`apply_memory_limit`); the main process, when it checks a file
  itself (one text file, stdin), has the same limit for the duration of that file
  (:func:`memory_limit`); an allocation past it raises MemoryError,
  which the runner answers with P093 for that file (:func:`memory_exceeded`), never with a
  traceback, and the worker is replaced.

The exceptions derive from BaseException so a reader's ``except Exception`` cannot swallow
them and turn a timeout into a misleading read error.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager

from .i18n import msg

try:   # the C functions under signal.signal/getsignal: those wrappers turn every handler
    # they return into an enum member (~10 µs a call, two calls a file)
    from _signal import getsignal as _getsignal
    from _signal import signal as _setsignal
except ImportError:  # pragma: no cover - not CPython
    _getsignal, _setsignal = signal.getsignal, signal.signal

DEFAULT_MAX_BYTES = 50 * 1024 * 1024   # 50 MB
DEFAULT_TIMEOUT_S = 30.0               # seconds per file
DEFAULT_MAX_CHARS = 1_000_000          # characters of text per file (a report has 5–60 thousand)
DEFAULT_MAX_MEMORY = 1024 * 1024 * 1024  # bytes a checking process may add to its size at start

RULE_TOO_LARGE = "P090"
RULE_TIMEOUT = "P091"
RULE_REGEX_TIMEOUT = "P092"
RULE_MEMORY = "P093"


class LimitExceeded(BaseException):
    """A file is over one of the limits; ``kind`` names the diagnostic (rules/limits.yaml
    says which rule reports it); ``rule`` is that rule's id, for messages before rules load."""

    rule = ""
    kind = ""

    def __init__(self, detail: str, **args):
        super().__init__(detail)
        self.detail = detail
        self.args_ = args


class InputTooLarge(LimitExceeded):
    rule = RULE_TOO_LARGE
    kind = "input-too-large"


class TimeLimit(LimitExceeded):
    rule = RULE_TIMEOUT
    kind = "timeout"


class MemoryLimit(LimitExceeded):
    rule = RULE_MEMORY
    kind = "memory-limit"


def memory_exceeded(limit: int | None) -> MemoryLimit:
    lim = human_bytes(limit or 0)
    return MemoryLimit(f"检查此文件所需内存超过上限 {lim}，已停止检查此文件（上限可用 --max-memory 调整）", limit=lim)


def caused_by_memory(exc: BaseException | None) -> bool:
    """Is this exception a MemoryError, or raised while handling one (a reader that turns
    every exception into a read error still keeps the MemoryError as its context)?  Under a
    memory ceiling this process set (:func:`apply_memory_limit`), also CPython 3.11's
    ``SystemError: error return without exception set``: when the address space runs out
    just as a Python function is called, the allocation of the interpreter's frame stack
    fails without setting a MemoryError, and the call raises that instead."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        if isinstance(exc, SystemError) and _CEILING[0] is not None and "without exception set" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# the address-space ceiling this process set (apply_memory_limit), None while there is none
_CEILING: list = [None]


def lift_memory_limit() -> bool:
    """Raise the ceiling back to the hard limit, to build the answer for a file that went over
    it: with the address space at the ceiling, even a function call can fail (the frame stack
    needs a fresh mapping), and freeing the file's objects seldom gives the space back.  Only
    where the ceiling ends with the answer: a worker that leaves after it, or inside
    :func:`memory_limit`, which sets the previous limit again on the way out.  Returns
    whether there was a ceiling to lift."""
    if _CEILING[0] is None:
        return False
    try:
        import resource
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        _CEILING[0] = None
    except (ImportError, ValueError, OSError):  # pragma: no cover - refused by the system
        return False
    return True


def _vm_size() -> int:
    """The address space this process uses now (0 if it cannot be read)."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def apply_memory_limit(extra: int | None) -> int | None:
    """Limit this process's address space to its present size plus ``extra`` bytes (a
    worker calls this once, before it checks anything).  Returns the limit set, or None
    (no limit asked, or the platform has none)."""
    if not extra or extra <= 0:
        return None
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    limit = _vm_size() + extra
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover - refused by the system
        return None
    _CEILING[0] = limit
    return limit


@contextmanager
def memory_limit(extra: int | None):
    """:func:`apply_memory_limit` for the code inside the block only, then the previous limit
    again: a file checked in the main process (one text file, stdin) gets the same ceiling
    above the size it starts from as a worker does.  Yields the limit set (or None)."""
    try:
        import resource
        before = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, ValueError, OSError):  # pragma: no cover - not POSIX
        yield None
        return
    ceiling = _CEILING[0]
    limit = apply_memory_limit(extra)
    try:
        yield limit
    finally:
        if limit is not None:
            try:
                resource.setrlimit(resource.RLIMIT_AS, before)
            except (ValueError, OSError):  # pragma: no cover - raising back to the hard limit is allowed
                pass
            _CEILING[0] = ceiling


def die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (no orphans even when the
    main process is killed with SIGKILL)."""
    import sys
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; a worker also leaves when its pipe closes
        pass


def human_bytes(n: int) -> str:
    if n >= 1024 * 1024:
        v = n / (1024 * 1024)
        return f"{v:.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{n} B"


def too_large(size: int | None, limit: int | None, what: str = "文件") -> InputTooLarge:
    lim = human_bytes(limit or 0)
    if size is None:
        return InputTooLarge(f"{what}超过大小上限 {lim}，未检查（上限可用 --max-bytes 调整）", size=f"more than {lim}", limit=lim)
    shown = human_bytes(size)
    return InputTooLarge(f"{what}大小 {shown} 超过上限 {lim}，未检查（上限可用 --max-bytes 调整）", size=shown, limit=lim)


def check_size(size: int, limit: int | None, what: str = "文件") -> None:
    if limit and size > limit:
        raise too_large(size, limit, what)


# --------------------------------------------------------------------------------------
# the length of the text (memory: the pipeline keeps ~120 bytes per character)
# --------------------------------------------------------------------------------------
_TEXT_FORMATS = ("text", "txt", "markdown", "md")


def _chars(n: int) -> str:
    return f"{n:,}"


def check_chars(n: int, limit: int | None) -> None:
    """The text a reader produced is longer than the limit: P090 before normalising and
    parsing it (a 10 MB text file took 7 s and 600 MB)."""
    if limit and n > limit:
        raise InputTooLarge(f"文本长度 {_chars(n)} 字超过上限 {_chars(limit)} 字，未检查（上限可用 --max-chars 调整）",
                            size=f"{_chars(n)} chars", limit=f"{_chars(limit)} chars")


def check_text_bytes(head: bytes, size: int, name: str, input_format: str | None, limit: int | None) -> None:
    """Before reading: a plain-text or Markdown file of more than 4 × limit bytes has more
    than `limit` characters whatever its encoding, so it is refused without being decoded.
    (Not HTML: markup and inline images are dropped, the text can be much shorter.)"""
    if not limit or size <= 4 * limit:
        return
    fmt = (input_format or "").strip().lower() or None
    if fmt in (None, "auto"):
        try:
            from .sniff import sniff
            fmt = sniff(head, name)
        except Exception:  # noqa: BLE001 - a sniffing problem is the reader's to report
            return
    if fmt in _TEXT_FORMATS:
        raise InputTooLarge(f"文本文件大小 {human_bytes(size)} 超过文本长度上限 {_chars(limit)} 字，未检查（上限可用 --max-chars 调整）",
                            size=human_bytes(size), limit=f"{_chars(limit)} chars")


# --------------------------------------------------------------------------------------
# the size of what a reader expands (zip members, decompressed streams)
# --------------------------------------------------------------------------------------
_local = threading.local()


def current_max_chars() -> int | None:
    """The text-length limit of the file being checked (readers that build their text from
    markup check it while building, so a huge page never becomes a huge text)."""
    return getattr(_local, "max_chars", DEFAULT_MAX_CHARS)


def check_chars_so_far(n: int, limit: int | None = None) -> None:
    """A reader has built ``n`` characters so far; over the limit raises InputTooLarge at
    once (the total is not known, only that it is more than the limit)."""
    limit = current_max_chars() if limit is None else limit
    if limit and n > limit:
        raise InputTooLarge(f"文本长度超过上限 {_chars(limit)} 字，未检查（上限可用 --max-chars 调整）",
                            size=f"more than {_chars(limit)} chars", limit=f"{_chars(limit)} chars")


def current_max_bytes() -> int | None:
    """The size limit of the file being checked (for readers that expand their input)."""
    return getattr(_local, "max_bytes", DEFAULT_MAX_BYTES)


def check_expanded(size: int, what: str = "解压后的内容") -> None:
    """Readers call this with the size they are about to produce from a compressed input
    (zip members of a DOCX, PDF streams); over the file's size limit raises InputTooLarge,
    so a zip bomb is answered like a file that is too large."""
    check_size(size, current_max_bytes(), what)


# --------------------------------------------------------------------------------------
# time
# --------------------------------------------------------------------------------------
def check_time() -> None:
    """Cooperative check, for threads where SIGALRM cannot be used."""
    d = getattr(_local, "deadline", None)
    if d is not None and time.monotonic() > d:
        raise TimeLimit(_timeout_detail(getattr(_local, "timeout", 0.0)), seconds=_fmt_s(getattr(_local, "timeout", 0.0)))


def _fmt_s(s: float) -> str:
    return f"{s:g}"


def _timeout_detail(s: float) -> str:
    return f"检查超过时间上限 {_fmt_s(s)} 秒，已停止检查此文件（上限可用 --timeout 调整）"


def _on_alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    t = getattr(_local, "timeout", None) or 0.0
    raise TimeLimit(_timeout_detail(t), seconds=_fmt_s(t))


def _can_alarm() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and not getattr(_local, "armed", False)
            and _getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None, _on_alarm))


@contextmanager
def limits(max_bytes: int | None = DEFAULT_MAX_BYTES, timeout: float | None = DEFAULT_TIMEOUT_S,
           max_chars: int | None = DEFAULT_MAX_CHARS, started: float | None = None):
    """Apply the limits of one file to the code inside the block.

    Raises TimeLimit out of the block when the time runs out (SIGALRM in the main thread,
    cooperative :func:`check_time` elsewhere).  Not meant to be nested.  ``started``
    (time.monotonic()): the file's check began earlier — in another process that read it
    (validator/runner.py) — and the time limit counts from then; a file already over it
    stops at once."""
    prev = (getattr(_local, "deadline", None), getattr(_local, "timeout", None),
            getattr(_local, "max_bytes", DEFAULT_MAX_BYTES), getattr(_local, "max_chars", DEFAULT_MAX_CHARS))
    armed = False
    old = None
    try:  # arm inside the try: an alarm that fires at once still gets cleaned up
        _local.max_bytes = max_bytes
        _local.max_chars = max_chars
        if timeout and timeout > 0:
            _local.deadline = (time.monotonic() if started is None else started) + timeout
            _local.timeout = timeout
            left = _local.deadline - time.monotonic()
            if left <= 0:
                raise TimeLimit(_timeout_detail(timeout), seconds=_fmt_s(timeout))
            if _can_alarm():
                old = _setsignal(signal.SIGALRM, _on_alarm)
                armed = _local.armed = True
                signal.setitimer(signal.ITIMER_REAL, left)
        else:
            _local.deadline = None
            _local.timeout = None
        yield
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _setsignal(signal.SIGALRM, old if old not in (None, _on_alarm) else signal.SIG_DFL)
            _local.armed = False
        _local.deadline, _local.timeout, _local.max_bytes, _local.max_chars = prev


# --------------------------------------------------------------------------------------
# reading a path within the size limit
# --------------------------------------------------------------------------------------
def stat_kind(path) -> tuple[str, int | None]:
    """("file", size) for a regular file; ("stream", None) for a pipe or device (read with
    :func:`read_bounded`); ("other", None) for directories and paths that cannot be stat'ed
    (left to the reader, which gives the one-line error)."""
    import stat as _stat
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return "other", None
    if _stat.S_ISREG(st.st_mode):
        return "file", st.st_size
    if _stat.S_ISFIFO(st.st_mode) or _stat.S_ISCHR(st.st_mode):
        return "stream", None
    return "other", None


def read_bounded(stream, limit: int | None) -> bytes:
    """Read a stream (stdin, a pipe, a device) but never more than limit + 1 bytes."""
    if not limit:
        return stream.read()
    chunks = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise too_large(None, limit)
    return data


# --------------------------------------------------------------------------------------
# command-line values
# --------------------------------------------------------------------------------------
_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "M": 1024 ** 2, "MB": 1024 ** 2, "G": 1024 ** 3, "GB": 1024 ** 3}


def parse_size(text: str) -> int:
    """'50MB', '200M', '512KB', '1048576' → bytes; '0' means no limit (argparse type)."""
    import argparse
    import re
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KkMmGg]?[Bb]?)\s*", str(text))
    if not m or m.group(2).upper() not in _UNITS:
        raise argparse.ArgumentTypeError(msg("无法识别的大小“{t}”（例如 50MB、512KB、0 表示不限）",
                                            'size "{t}" not understood (such as 50MB, 512KB; 0 for no limit)', t=text))
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def parse_seconds(text: str) -> float:
    """'30', '2.5', '30s' → seconds; '0' means no limit (argparse type)."""
    import argparse
    import re
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[sS秒]?\s*", str(text))
    if not m:
        raise argparse.ArgumentTypeError(msg("无法识别的时间“{t}”（秒，例如 30；0 表示不限）",
                                            'time "{t}" not understood (seconds, such as 30; 0 for no limit)', t=text))
    return float(m.group(1))


def parse_count(text: str) -> int:
    """'1000000', '2M', '500k', '1_000_000' → a number of characters; '0' means no limit."""
    import argparse
    import re
    m = re.fullmatch(r"\s*(\d+(?:[_,]\d{3})*(?:\.\d+)?)\s*([KkMm万]?)\s*", str(text))
    if not m:
        raise argparse.ArgumentTypeError(msg("无法识别的字数“{t}”（例如 1000000、2M；0 表示不限）",
                                            'character count "{t}" not understood (such as 1000000, 2M; 0 for no limit)', t=text))
    mult = {"": 1, "K": 1000, "M": 1_000_000, "万": 10_000}[m.group(2).upper()]
    return int(float(m.group(1).replace("_", "").replace(",", "")) * mult)
