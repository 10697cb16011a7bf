"""Compiled regular expressions kept between runs (issue 15.4: the cold start).

A cold ``xxgk-lint check`` of one report compiles ~100 regular expressions with Python's
``re`` — those of this package (labels, numbers, prose), of the rules, of Lark's lexer and of
the standard library (argparse, tomllib) — and ``re``'s compiler is Python code: ~20–30 ms,
an eighth of the whole check.  What it makes of a pattern is a list of integers for the
matching engine (``_sre``), a pure function of the pattern, its flags and the Python build.

:func:`preload` (first thing in validator/cli.py) puts the patterns stored by earlier runs into
``re``'s own cache, each made by ``_sre.compile`` from its stored code (~0.4 ms for all of
them), so every ``re.compile`` of the same pattern and flags — ours or a library's — finds it
there.  :func:`remember` (after a check has written its report; in a worker process of a
check of several files, after its first file) stores the patterns the run compiled that are
not stored yet, added to what the file holds by then: their code is made again by ``re``'s own parser and
compiler, checked against the pattern the run used, and written atomically to the private
cache directory of :mod:`validator.larkcache` (``re-<key>.pickle``, holding the key and the
table, as the files of :mod:`validator.startcache` do).

* The key is the Python build (``sys.version``, the implementation, ``_sre.MAGIC`` and
  ``CODESIZE``) and this module's layout: another Python never reads the file.
* Only CPython 3.11–3.13, whose ``re`` has the internals used here (``re._cache``,
  ``re._compiler._code``, ``_sre.compile``); elsewhere nothing happens.
* ``_sre.compile`` validates the code it is given; a stored entry it refuses, or a file that
  is missing, corrupt, foreign or writable by others, is ignored: patterns are then compiled
  as usual.  The cache changes speed, never results.  ``XXGK_LINT_NO_CACHE=1`` turns it off.
* At most :data:`MAX_ENTRIES` patterns are kept (those of the latest run first).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

#: bumped when what is stored changes shape
LAYOUT = 1
MAX_ENTRIES = 600
_SUPPORTED = ((3, 11), (3, 12), (3, 13))

_loaded: dict | None = None     # (type name, pattern, flags) -> entry, as read by preload()


def _supported() -> bool:
    if sys.implementation.name != "cpython" or sys.version_info[:2] not in _SUPPORTED:
        return False
    try:
        import _sre
        from re import _compiler, _parser
    except ImportError:  # pragma: no cover - not a CPython with these internals
        return False
    return (isinstance(getattr(re, "_cache", None), dict) and hasattr(_compiler, "_code")
            and hasattr(_parser, "parse") and hasattr(_sre, "compile"))


@lru_cache(maxsize=1)
def _key() -> str:
    import hashlib
    import _sre
    text = f"{LAYOUT}\n{sys.version}\n{sys.implementation.cache_tag}\n{_sre.MAGIC}\n{_sre.CODESIZE}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _cache_file():
    from .larkcache import cache_dir
    d = cache_dir.__wrapped__()    # not the remembered answer: tests change the directory
    return None if d is None else d / f"re-{_key()}.pickle"


_TYPES = {"str": str, "bytes": bytes}


def _read(path) -> dict:
    """The table stored at ``path`` ({} if there is none, or it is not ours, not for this
    Python, or not readable: validator.startcache.read)."""
    from .startcache import read
    got = read(path)
    return got[1] if got is not None and got[0] == _key() and isinstance(got[1], dict) else {}


def preload() -> int:
    """Put the stored compiled patterns into ``re``'s cache; how many were put."""
    global _loaded
    _loaded = None
    if not _supported():
        return 0
    try:
        path = _cache_file()
    except Exception:  # noqa: BLE001 - no cache directory: compile as usual
        return 0
    if path is None:
        return 0
    _loaded = {}
    import _sre
    cache = re._cache
    n = 0
    # oldest first: the table holds the latest run's patterns first, and when ``re``'s cache
    # is full (_MAXCACHE) a new compile drops the entry put there first — the one stored
    # longest ago, not one the last run needed
    for k, entry in reversed(_read(path).items()):
        try:
            tname, pattern, flags = k
            key = (_TYPES[tname], pattern, flags)
            if key in cache:        # compiled before the preload (an import): stored all the same,
                _loaded[k] = entry  # so remember() has nothing to add for it
                continue
            final_flags, code, groups, groupindex, indexgroup = entry
            cache[key] = _sre.compile(pattern, final_flags, list(code), groups, groupindex, indexgroup)
        except Exception:  # noqa: BLE001 - an entry _sre refuses: that pattern is compiled as usual
            continue
        _loaded[k] = entry
        n += 1
    return n


def _entry(pattern, flags: int):
    """What ``re._compiler.compile`` gives ``_sre.compile`` for this pattern and flags."""
    import warnings
    from array import array
    from re import _compiler, _parser
    with warnings.catch_warnings():
        # a pattern whose compiling warns (FutureWarning: a possible nested set …) is never
        # stored: a caller that turns the warning into an error (saferegex: then the `regex`
        # engine) must see it on every run, not find the pattern compiled already
        warnings.simplefilter("error")
        p = _parser.parse(pattern, flags)
    code = _compiler._code(p, flags)
    groupindex = dict(p.state.groupdict)
    indexgroup = [None] * p.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return (int(flags | p.state.flags), array("I", code), p.state.groups - 1, groupindex, tuple(indexgroup))


def _same(compiled, entry, pattern) -> bool:
    import _sre
    final_flags, code, groups, groupindex, indexgroup = entry
    made = _sre.compile(pattern, final_flags, list(code), groups, groupindex, indexgroup)
    return (made.pattern == compiled.pattern and made.flags == compiled.flags
            and made.groups == compiled.groups and dict(made.groupindex) == dict(compiled.groupindex))


def remember() -> int:
    """Store the patterns in ``re``'s cache that are not stored yet; how many were added."""
    if _loaded is None or not _supported():
        return 0
    try:
        path = _cache_file()     # (now: the cache may have been turned off since the preload)
    except Exception:  # noqa: BLE001
        return 0
    if path is None:
        return 0
    fresh = []          # (key in the table, pattern object) of what this process compiled
    for key, compiled in list(re._cache.items()):
        try:
            typ, pattern, flags = key
        except (TypeError, ValueError):
            continue
        if typ not in (str, bytes) or not isinstance(flags, int) or not isinstance(compiled, re.Pattern):
            continue
        k = (typ.__name__, pattern, flags)
        if k not in _loaded:
            fresh.append((k, compiled))
    if not fresh:
        return 0
    # what is stored now: another process (a worker, another run) may have added to it
    stored = _read(path)
    new = {}
    for k, compiled in fresh:
        if k in stored:
            continue
        try:
            entry = _entry(k[1], k[2])
            if not _same(compiled, entry, k[1]):
                continue
        except Exception:  # noqa: BLE001 - a pattern this module cannot redo: not stored
            continue
        new[k] = entry
    _loaded.update((k, stored[k]) for k, _c in fresh if k in stored)
    if not new:
        return 0
    table = dict(new)
    for k, entry in list(stored.items()) + list(_loaded.items()):
        if len(table) >= MAX_ENTRIES:
            break
        table.setdefault(k, entry)
    _write(path, table)
    _loaded.update(new)
    return len(new)


def _write(path, table: dict) -> None:
    from .startcache import store
    try:
        store(path.parent, path, _key(), table, "re")
    except Exception:  # noqa: BLE001 - an unwritable cache: the next run compiles as usual
        pass
