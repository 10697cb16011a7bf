"""Compiled Lark grammars cached on disk, so a cold start does not rebuild the LALR tables.

Building the parsers (the report grammars generated from rules/formats/*.yaml, grammar/expr.lark) costs ~50–100 ms per
process: Lark first builds its own grammar-of-grammars parser, then our LALR tables.  Lark
can cache the result (``cache=path``); we give it a path in a *private* directory, never the
shared temp dir — the cache is a pickle, and a pickle planted by another user in /tmp would
run code when loaded.

* directory: ``$XXGK_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/xxgk-lint``, else
  ``~/.cache/xxgk-lint``; created with mode 0700 and used only when it is ours and not
  writable by group or others;
* ``XXGK_LINT_NO_CACHE=1`` (or an unusable directory: read-only home, CI sandbox) builds the
  parsers in memory as before — the cache changes speed, never results;
* the file name carries a hash of the grammar, Lark's version and Python's; Lark checks the
  hash inside the file too and rebuilds a stale or corrupt cache.

Nothing is ever written next to the checked files.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def cache_dir() -> Path | None:
    if os.environ.get("XXGK_LINT_NO_CACHE", "").strip() not in ("", "0"):
        return None
    base = os.environ.get("XXGK_LINT_CACHE_DIR")
    if base:
        d = Path(base)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        try:
            d = (Path(xdg) if xdg else Path.home() / ".cache") / "xxgk-lint"
        except (RuntimeError, KeyError):  # no home directory
            return None
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = d.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    if not private(st):
        return None  # someone else's or writable by others: do not load pickles from it
    if not os.access(d, os.W_OK | os.X_OK):
        return None
    return d


def private(st: os.stat_result) -> bool:
    """Whether a file or directory (its ``os.stat``) is this user's and nobody else can write
    it — the condition for loading a pickle from it (loading a pickle runs code).  Always true
    where there are no user ids (Windows)."""
    return not hasattr(os, "getuid") or (st.st_uid == os.getuid() and not st.st_mode & 0o022)


def lark(name: str, grammar: str, **options):
    """``Lark(grammar, **options)``, cached in :func:`cache_dir` when there is one."""
    from lark import Lark, __version__ as lark_version

    d = cache_dir()
    if d is None or options.get("parser") != "lalr":
        return Lark(grammar, **options)
    key = hashlib.sha256((grammar + repr(sorted((k, repr(v)) for k, v in options.items())) + lark_version
                          + sys.version).encode("utf-8")).hexdigest()[:16]
    path = d / f"{name}-{key}.lark"
    new = not path.exists()
    try:
        out = Lark(grammar, cache=str(path), **options)
    except Exception:  # noqa: BLE001 - a cache problem must never stop a check
        return Lark(grammar, **options)
    if new:
        prune(d, f"{name}-", ".lark", path.name)
    return out


def prune(d: Path, prefix: str, suffix: str, keep: str, limit: int = 16) -> None:
    """Keep the cache small: at most ``limit`` files named prefix…suffix (the oldest go
    first, never ``keep``, the one just written)."""
    try:
        mine = [e for e in os.scandir(d) if e.name.startswith(prefix) and e.name.endswith(suffix)]
        if len(mine) <= limit:
            return
        mine.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in mine[: len(mine) - limit]:
            if e.name != keep:
                os.unlink(e.path)
    except OSError:
        pass
