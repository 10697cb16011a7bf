"""Renderers of findings.  Each takes the list of per-file results and writes to a stream."""

from __future__ import annotations

from typing import Callable

REPORTERS: dict[str, Callable] = {}
SHOWS_SOURCE: set[str] = set()   # the formats that show the source lines findings are on


def register(name: str, *, shows_source: bool = False):
    """``shows_source``: the format prints the file's line under a finding (the checked
    files' original lines are then kept for it; other formats get none, validator/runner.py)."""
    def deco(fn):
        REPORTERS[name] = fn
        if shows_source:
            SHOWS_SOURCE.add(name)
        return fn
    return deco


def shows_source(name: str) -> bool:
    _load_all()
    return name in SHOWS_SOURCE


def get(name: str) -> Callable:
    _load_all()
    return REPORTERS[name]


def names() -> list[str]:
    _load_all()
    return sorted(REPORTERS)


def _load_all():
    from . import concise, json_out, rich_out  # noqa: F401  (register themselves)
    try:
        from . import extra  # noqa: F401  (sarif, github, junit when present)
    except ImportError:
        pass
