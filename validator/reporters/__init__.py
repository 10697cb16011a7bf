"""Renderers of findings.  Each takes the list of per-file results and writes to a stream."""

from __future__ import annotations

from typing import Callable

REPORTERS: dict[str, Callable] = {}
SHOWS_SOURCE: set[str] = set()   # the formats that show the source lines findings are on
OTHER_FILES_ONLY: set[str] = set()   # the formats that show no related place in the finding's own file
NO_CELLS: set[str] = set()   # the formats that show a folded finding without its members
READS: dict[str, tuple[str, ...]] = {}   # the formats that read only some fields of a finding: which


def register(name: str, *, shows_source: bool = False, lists_related: bool = True, shows_cells: bool = True,
             reads: tuple[str, ...] | None = None):
    """``shows_source``: the format prints the file's line under a finding (the checked
    files' original lines are then kept for it; other formats get none, validator/runner.py).
    ``lists_related=False``: of a finding's related places the format shows only those in
    other files (:func:`validator.findings.elsewhere`), so a finding whose related places are
    all in its own file need not bring them back from its worker (validator/runner.py).
    ``shows_cells=False``: the format shows a folded finding (validator/reporters/fold.py) as
    one, never the findings it stands for (its ``cells``), so a worker may fold the findings
    and send back the folded ones alone (validator/runner.py, LiteResult.of).
    ``reads``: the only fields of a finding the format reads, on every path of it (the order,
    the lines, the summary); a worker that folded the findings sends back only those
    (validator/runner.py, LiteResult.of).  None: it may read any."""
    def deco(fn):
        REPORTERS[name] = fn
        if shows_source:
            SHOWS_SOURCE.add(name)
        if not lists_related:
            OTHER_FILES_ONLY.add(name)
        if not shows_cells:
            NO_CELLS.add(name)
        if reads is not None:
            READS[name] = tuple(reads)
        return fn
    return deco


def shows_source(name: str) -> bool:
    _load_all()
    return name in SHOWS_SOURCE


def lists_related(name: str) -> bool:
    """Whether the format shows related places in a finding's own file (JSON, SARIF)."""
    _load_all()
    return name not in OTHER_FILES_ONLY


def shows_cells(name: str) -> bool:
    """Whether the format shows the members of a folded finding (JSON, SARIF: ``cells``)."""
    _load_all()
    return name not in NO_CELLS


def reads(name: str) -> tuple[str, ...] | None:
    """The fields of a finding the format reads (None: any; ``register(reads=)``)."""
    _load_all()
    return READS.get(name)


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
