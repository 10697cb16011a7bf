"""Programs of Python's ``re`` patterns kept between runs of the command line (issue 15.4).

Python compiles a regular expression by parsing it in Python (``re._parser``) and building
the program its C engine runs (``re._compiler``); for the patterns of this package (section
and label spotting, metadata, prose; character classes of Chinese text are the slow kind)
and of Lark's generated lexers that is ~20–30 ms of every cold ``xxgk-lint check``.  The
program depends only on the pattern, its flags and the Python build, so it is kept: the
command line (:func:`install`, called before the package is imported) has ``re`` build a
pattern it has seen before straight from its stored program — the same pattern object the
compiler would make — and compiles any other pattern as usual, remembering its program.

* stored in the private cache directory of :mod:`validator.larkcache` (0700, ours, not
  writable by others), one file per Python build (``re-<hash of sys.version>.pickle``);
  written atomically, only when a run met new patterns (:func:`flush`), at most
  ``MAX_PATTERNS`` patterns;
* ``XXGK_LINT_NO_CACHE=1``, an unusable directory, a corrupt or foreign file: not used;
* only for string and bytes patterns without ``re.DEBUG``/``re.LOCALE``; a stored program
  that the engine refuses is dropped and the pattern compiled from its text.

Only the command line installs it (not ``import validator``): a library must not change
``re`` for the program that imports it.
"""

from __future__ import annotations

import os
import re
import sys
import threading

MAX_PATTERNS = 3000

_lock = threading.Lock()
_known: dict = {}          # (type, pattern, flags) -> the arguments of _sre.compile after the pattern
_new = 0                   # patterns met since the file was read or written
_path = None
_original = None


def _file():
    from .larkcache import cache_dir
    d = cache_dir()
    if d is None:
        return None
    import hashlib
    tag = hashlib.sha256(f"{sys.version}\n{sys.implementation.cache_tag}".encode()).hexdigest()[:16]
    return d / f"re-{tag}.pickle"


def install() -> None:
    """Have ``re`` use (and remember) stored programs in this process."""
    global _original, _path
    if _original is not None:
        return
    try:
        from re import _compiler
        _compiler._sre.compile        # noqa: B018 - the layout this module relies on
        path = _file()
    except Exception:  # noqa: BLE001 - another Python: leave re alone
        return
    if path is None:
        return
    from .startcache import read
    stored = read(path)
    if stored is not None and stored[0] == "re" and isinstance(stored[1], dict):
        _known.update(stored[1])
    _path = path
    _original = _compiler.compile
    _compiler.compile = _compile


def _compile(p, flags=0):
    from re import _compiler
    if not isinstance(p, (str, bytes)) or flags & (re.DEBUG | re.LOCALE):
        return _original(p, flags)
    key = (type(p), p, int(flags))
    args = _known.get(key)
    if args is not None:
        try:
            return _compiler._sre.compile(p, *args)
        except Exception:  # noqa: BLE001 - a program this engine does not take: compile the text
            _known.pop(key, None)
    me = threading.get_ident()
    seen = []
    with _lock:
        sre = _compiler._sre

        class _Spy:
            def __getattr__(self, name):
                return getattr(sre, name)

            @staticmethod
            def compile(pattern, *rest):
                if pattern is p and threading.get_ident() == me:
                    seen.append(rest)
                return sre.compile(pattern, *rest)

        _compiler._sre = _Spy()
        try:
            compiled = _original(p, flags)
        finally:
            _compiler._sre = sre
    if len(seen) == 1 and len(_known) < MAX_PATTERNS:
        global _new
        flags_, code, groups, groupindex, indexgroup = seen[0]
        # plain ints: the opcodes are int subclasses that do not pickle
        _known[key] = (int(flags_), [int(c) for c in code], int(groups), dict(groupindex), tuple(indexgroup))
        _new += 1
    return compiled


def flush() -> None:
    """Store the programs met in this process, if there are new ones."""
    global _new
    if not _new or _path is None:
        return
    _new = 0
    from .startcache import store
    store(_path.parent, _path, "re", dict(_known), "re")
