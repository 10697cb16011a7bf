"""Compiled code of the methods ``dataclasses`` generates, kept between runs of the command
line (issue 15.4).

``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__`` … of every class
and compiles it when the class is defined; for the ~60 data classes a check imports that is
~180 compilations, ~15 ms of every cold ``xxgk-lint check``.  The compiled code depends only
on that source text and the Python build, so the command line (:func:`install`, before the
package is imported) gives the ``dataclasses`` module an ``exec`` that runs the stored code
object for a source text it has seen before (compiled exactly as ``exec`` would: no inherited
``__future__`` flags) and compiles and remembers any other.

Stored with :mod:`marshal` (what ``__pycache__`` uses) in the private cache directory of
:mod:`validator.larkcache` (0700, ours, not writable by others), one file per Python build;
written atomically only when a run met new source texts; ``XXGK_LINT_NO_CACHE=1`` or an
unusable directory: not used.  Only the command line installs it.
"""

from __future__ import annotations

import builtins
import os
import sys

MAX_ENTRIES = 5000
_known: dict = {}
_new = 0
_path = None
_real_exec = builtins.exec


def install() -> None:
    global _path
    if _path is not None:
        return
    try:
        from .larkcache import cache_dir
        d = cache_dir()
        if d is None:
            return
        import hashlib
        import marshal
        tag = hashlib.sha256(f"{sys.version}\n{sys.implementation.cache_tag}".encode()).hexdigest()[:16]
        path = d / f"dc-{tag}.marshal"
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not (hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022)):
                    data = marshal.load(fh)
                    if isinstance(data, dict):
                        _known.update(data)
        except Exception:  # noqa: BLE001 - missing, corrupt, foreign: start afresh
            pass
        import dataclasses
        dataclasses.exec = _exec     # the module's own name lookup finds this before the builtin
        _path = path
    except Exception:  # noqa: BLE001 - a cache problem never stops the command
        return


def _exec(source, globals=None, locals=None, /):  # noqa: A002 - exec's own parameter names
    if not isinstance(source, str):
        return _real_exec(source, globals, locals)
    code = _known.get(source)
    if code is None:
        code = compile(source, "<string>", "exec", dont_inherit=True)
        if len(_known) < MAX_ENTRIES:
            global _new
            _known[source] = code
            _new += 1
    return _real_exec(code, globals, locals)


def flush() -> None:
    global _new
    if not _new or _path is None:
        return
    _new = 0
    import marshal
    import tempfile
    tmp = None
    try:
        data = marshal.dumps(dict(_known))
        fd, tmp = tempfile.mkstemp(prefix=".dc-", suffix=".tmp", dir=_path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, _path)
        tmp = None
    except Exception:  # noqa: BLE001
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
