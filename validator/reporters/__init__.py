"""Renderers of findings.  Each takes the list of per-file results and writes to a stream."""

from __future__ import annotations

from typing import Callable

REPORTERS: dict[str, Callable] = {}


def register(name: str):
    def deco(fn):
        REPORTERS[name] = fn
        return fn
    return deco


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
