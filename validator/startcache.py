"""Validated rule and format files kept between runs, so a cold start does not parse and
validate every YAML file again (issue 15.4).

Loading the shipped rules means reading ~170 KB of YAML, checking every entry against its
kind's schema and compiling ~230 regular expressions: the largest part of a cold
``xxgk-lint check``.  The result of a *successful* load is pickled into the private cache
directory of :mod:`validator.larkcache` (``$XXGK_LINT_CACHE_DIR``, else
``$XDG_CACHE_HOME/xxgk-lint``, else ``~/.cache/xxgk-lint``; 0700, ours, not writable by
others) and reused while nothing it was made from has changed:

* the key is a SHA-256 of the *contents* of every input file (each rule directory's
  ``*.yaml``, the formats and the grammars the rules are checked against; names and bytes), the resolved directory names (messages name
  the files), this package's version, the Python, Lark and regex versions, and the size and modification
  time of every module of the package (a changed loader, schema or kind is a new key);
  a rule file that changes — even with its old modification time — is loaded and validated
  again, so its errors are reported as before (file:line, exit 2);
* a load that fails is never cached: the error is raised on every run;
* a missing, unreadable, corrupt or foreign cache file, an unwritable directory, a pickle of
  an older layout: all fall back silently to loading the files (the cache changes speed,
  never results); ``XXGK_LINT_NO_CACHE=1`` turns it off;
* files are written atomically (temporary file + rename); nothing is ever written next to
  the checked files or the rule files.

Regular expressions in the cached rules are compiled when first used
(:class:`validator.saferegex.SafePattern`): a check of one report uses about a fifth of them.
"""

from __future__ import annotations

import os
import sys

from . import __version__

#: bumped when what is pickled changes shape without a change of the package's files
LAYOUT = 1


def _code_stamp() -> str:
    """Size and modification time of every module of this package (cheap: stat only)."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts: list[str] = []
    stack = [here]
    while stack:
        d = stack.pop()
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.name == "__pycache__" or e.name.startswith("."):
                continue
            try:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name.endswith(".py"):
                    st = e.stat()
                    parts.append(f"{e.path[len(here):]}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{e.path}:?")
    return "\n".join(parts)


_STAMP: str | None = None


def _stamp() -> str:
    global _STAMP
    if _STAMP is None:
        # the libraries whose objects are pickled with the rules (expression trees, regex programs)
        libs = f"{_installed('lark')} {_installed('regex')}"
        _STAMP = f"{__version__}\n{sys.version}\n{libs}\n{LAYOUT}\n{_code_stamp()}"
    return _STAMP


def _installed(name: str) -> str:
    """Which version of the library ``name`` is installed, without importing it (a process that
    only reads a file — a PDF read in a process of its own — needs neither lark nor regex): the
    name of its ``NAME-VERSION.dist-info`` directory beside the package; imported only where
    there is none."""
    import importlib.util
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        try:
            found = sorted(e.name for e in os.scandir(site)
                           if e.name.lower().startswith(name + "-") and e.name.endswith(".dist-info"))
        except OSError:
            found = []
        if len(found) == 1:
            return found[0]
    import importlib
    return f"{name} {getattr(importlib.import_module(name), '__version__', '?')}"


def _key(kind: str, sources) -> str | None:
    """Hash of everything a load depends on: ``sources`` is a list of (directory, suffix),
    every file ending in suffix in each directory, names and bytes.  None if a directory
    cannot be listed or a file cannot be read (the uncached load then says what is wrong)."""
    import hashlib
    h = hashlib.sha256()
    h.update(f"{kind}\n{_stamp()}\n".encode())
    for d, suffix in sources:
        try:
            names = sorted(e.name for e in os.scandir(d) if e.name.endswith(suffix))
        except OSError:
            return None
        h.update(f"dir {os.path.realpath(d)} {suffix}\n".encode())
        for name in names:
            try:
                with open(os.path.join(d, name), "rb") as fh:
                    data = fh.read()
            except OSError:
                return None
            h.update(f"file {name} {len(data)}\n".encode())
            h.update(data)
    return h.hexdigest()[:32]


def _dir():
    from .larkcache import cache_dir
    return cache_dir()


def load(kind: str, sources, build):
    """``build()`` — what is made of the files of ``sources`` ([(directory, suffix)]) — from
    the cache when none of them has changed since it was stored, else built and stored."""
    d = _dir()
    key = _key(kind, sources) if d is not None else None
    if key is None:
        return build()
    path = d / f"{kind}-{key}.pickle"
    got = read(path)
    if got is not None and got[0] == key:
        return got[1]
    value = build()
    store(d, path, key, value, kind)
    return value


def read(path):
    """(key, value) of a cache file, or None when it is missing, not ours, writable by others
    (a pickle runs code when loaded: such a file is never unpickled), corrupt or truncated."""
    import pickle

    from .larkcache import private
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not private(st):
                return None
            stored_key, value = pickle.load(fh)
    except Exception:  # noqa: BLE001 - missing, corrupt, truncated, foreign: load the files
        return None
    return stored_key, value


def store(d, path, key, value, kind) -> None:
    """Write (key, value) to ``path`` in the cache directory ``d`` atomically (temporary file
    + rename) and keep at most the 16 newest files of ``kind``; a failure only loses the speed-up."""
    import pickle
    import tempfile
    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - something unpicklable: just do not cache
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", suffix=".tmp", dir=d)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
        _prune(d, kind, path.name)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(d, kind: str, keep: str, limit: int = 16) -> None:
    from .larkcache import prune
    prune(d, f"{kind}-", ".pickle", keep, limit)
