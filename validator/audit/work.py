"""One report → one audit record.  Runs in the CLI process or in a Dask worker.

A record is plain data (picklable, small): the report row, its findings and its template
cells as tuples in the orders :data:`FINDING_FIELDS` and :data:`CELL_FIELDS`.  Nothing that
happens to one file escapes :func:`check_one`: a read error, an internal error or a timeout
becomes a record of status 无法读取 with its reason.

Time: ``lint_path`` applies the file's ``--timeout`` (validator/limits.py: SIGALRM in the main
thread, cooperative checks between stages and rules elsewhere).  Dask runs tasks in worker
threads, where SIGALRM cannot be used, so :func:`deadline` adds what the signal does there: at
the deadline the same ``TimeLimit`` is raised asynchronously in the checking thread (it
interrupts pure-Python loops, such as a reader stuck in a page); and, in a Dask worker only, a
thread that is still stuck long after (in C code) ends its worker process, which Dask's nanny
restarts and reports as a lost task — the engine then records that file as 无法读取.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import threading
import time
from contextlib import contextmanager

from .. import limits as _limits
from .status import UNREADABLE, status_of

REPORT_FIELDS = ("path", "sha256", "size", "issuer", "issuer_kind", "year", "format", "template",
                 "status", "reason", "errors", "warnings", "infos", "cells", "seconds")
FINDING_FIELDS = ("rule", "name", "category", "severity", "message", "line", "col", "page", "location",
                  "section", "table_key", "row_label", "column_label", "numbers")
CELL_FIELDS = ("table", "row", "column", "row_label", "column_label", "kind", "value", "raw", "note",
               "line", "col", "page", "where")   # = validator.extract.FIELDS

HARD_EXIT_AFTER = 2.0     # × timeout: a thread still stuck then ends its Dask worker process
HARD_EXIT_MIN_S = 30.0    # … but never sooner than timeout + this
GRACE_S = 0.5
REPEAT_S = 0.25
EXIT_STUCK = 70


def file_hash(path: str) -> tuple[str, int]:
    """(sha256 hex, size) of the file's bytes."""
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as fh:
        while True:
            b = fh.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
    return h.hexdigest(), n


# --------------------------------------------------------------------------------------
# the per-file deadline outside the main thread
# --------------------------------------------------------------------------------------
def _async_raise(tid: int, exc_type) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(exc_type) if exc_type else None)


@contextmanager
def deadline(seconds: float | None, hard_exit: bool = False):
    """Raise the file's TimeLimit in this thread after `seconds` (see module doc).  In the
    main thread lint_path's own SIGALRM does it: nothing to add."""
    if not seconds or seconds <= 0 or threading.current_thread() is threading.main_thread():
        yield
        return
    tid = threading.get_ident()
    detail = _limits._timeout_detail(seconds)
    secs = _limits._fmt_s(seconds)

    class AuditTimeLimit(_limits.TimeLimit):
        def __init__(self, *a):  # raised by the interpreter with no arguments
            _limits.TimeLimit.__init__(self, detail, seconds=secs)

    lock = threading.Lock()
    state = {"active": True}
    done = threading.Event()
    start = time.monotonic()
    hard_at = start + max(seconds * HARD_EXIT_AFTER, seconds + HARD_EXIT_MIN_S)

    def watch():
        # the cooperative checks of limits.py come first when they can (grace); then the
        # exception is raised again every REPEAT_S until the block is left, since one that
        # arrives while Python runs a gc callback (Dask installs one) is printed and dropped
        if done.wait(seconds + GRACE_S):
            return
        while True:
            with lock:
                if not state["active"]:
                    return
                if hard_exit and time.monotonic() >= hard_at:
                    os._exit(EXIT_STUCK)
                _async_raise(tid, AuditTimeLimit)
            if done.wait(REPEAT_S):
                return

    watcher = threading.Thread(target=watch, name="xxgk-deadline", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        while True:  # an exception still pending may arrive here: take it back, once left
            try:
                with lock:
                    state["active"] = False
                    _async_raise(tid, None)
                break
            except _limits.LimitExceeded:
                continue
        done.set()


# --------------------------------------------------------------------------------------
# one file
# --------------------------------------------------------------------------------------
_RULES: dict = {}


def _rules(dirs: tuple):
    r = _RULES.get(dirs)
    if r is None:
        from ..rules import load_rules
        r = _RULES[dirs] = load_rules(dirs)
    return r


def _issuer_kind(report, opts) -> str | None:
    if opts.issuer_kind in ("department", "government"):
        return opts.issuer_kind
    return report.metadata.issuer_kind      # read from the issuer's name by the parser


def _finding_row(f, lang: str) -> tuple:
    import json
    loc = f.location
    nums = None
    if f.numbers:
        from ..findings import _num
        nums = json.dumps({k: _num(v) for k, v in f.numbers.items()}, ensure_ascii=False, default=str)
    return (f.rule, f.name, f.category, f.severity, f.text(lang), loc.line, loc.column, loc.page, loc.where,
            f.section, f.table, f.row, f.column, nums)


def blank_record(path: str, sha: str | None, size: int | None, status: str, reason: str | None,
                 seconds: float = 0.0) -> dict:
    rec = dict.fromkeys(REPORT_FIELDS)
    rec.update(path=path, sha256=sha, size=size, status=status, reason=reason, errors=0, warnings=0,
               infos=0, cells=0, seconds=seconds)
    rec["findings"], rec["cell_rows"] = [], []
    rec["model"] = None
    return rec


def check_one(path: str, sha: str | None, opts, hard_exit: bool = False, keep_model: bool = False) -> dict:
    """The audit record of one file (never raises for the file's sake).  Its reason, like its
    findings' messages, is in the file's language (``opts.lang``).  ``keep_model``: the record
    also carries the report's model, packed (``model``: bytes of a pickled
    validator.cross.run.Packed), for the comparisons across reports at the end of the run."""
    from ..extract import template_cells
    from ..i18n import msg, text
    from ..lint import limit_result, lint_path
    from ..readers import ReadError
    lang = getattr(opts, "lang", None) or "zh"
    t0 = time.perf_counter()
    size = None
    try:
        with deadline(opts.timeout, hard_exit):
            if sha is None:
                sha, size = file_hash(path)
            else:
                size = os.path.getsize(path)
            res = lint_path(path, opts, _rules(tuple(opts.extra_rule_dirs)))
            report = res.report
            status, reason = status_of(report, res.findings)
            cells = template_cells(report) if report is not None else []
            rec = dict.fromkeys(REPORT_FIELDS)
            rec["model"] = None
            md = report.metadata if report is not None else None
            sev = [f.severity for f in res.findings]
            rec.update(path=path, sha256=sha, size=size, status=status,
                       reason=text(reason, lang) if reason is not None else None,
                       issuer=md.issuer if md else None,
                       issuer_kind=_issuer_kind(report, opts) if report is not None else opts.issuer_kind,
                       year=md.year if md else None,
                       format=getattr(res.source, "format", None),
                       template=report.template if report is not None else None,
                       errors=sev.count("error"), warnings=sev.count("warning"), infos=sev.count("info"),
                       cells=sum(1 for c in cells if c["kind"] != "missing"))
            rec["findings"] = [_finding_row(f, lang) for f in res.findings]
            rec["cell_rows"] = [tuple(c[k] for k in CELL_FIELDS) for c in cells]
            if keep_model and report is not None and status not in (UNREADABLE,):
                import pickle

                from ..cross.run import Packed
                rec["model"] = pickle.dumps(Packed(report), protocol=pickle.HIGHEST_PROTOCOL)
    except ReadError as exc:
        rec = blank_record(path, sha, size, UNREADABLE, text(exc, lang))
    except _limits.LimitExceeded as exc:   # the deadline fired outside lint_path's own handling
        try:    # the limit's own finding (P090/P091), which has the message in both languages
            why = limit_result(path, exc, opts, _rules(tuple(opts.extra_rule_dirs))).findings[0].text(lang)
        except Exception:  # noqa: BLE001 - the record comes first
            why = exc.detail
        rec = blank_record(path, sha, size, UNREADABLE, why)
    except OSError as exc:
        rec = blank_record(path, sha, size, UNREADABLE, unreadable_reason(path, exc, lang))
    except Exception as exc:  # noqa: BLE001 - an internal error in one file must not stop the run
        rec = blank_record(path, sha, size, UNREADABLE, text(msg(
            "内部错误（{t}: {e}），请报告此问题", "internal error ({t}: {e}), please report it",
            t=type(exc).__name__, e=exc), lang))
    rec["seconds"] = round(time.perf_counter() - t0, 4)
    return rec


def unreadable_reason(path: str, exc: OSError, lang: str = "zh") -> str:
    """"PATH: 无法读取（No such file or directory）" in the language asked for."""
    from ..i18n import msg, text
    return text(msg("{p}: 无法读取（{e}）", "{p}: cannot be read ({e})", p=path, e=exc.strerror or exc), lang)


def check_chunk(tasks: list, hard_exit: bool = True) -> list[dict]:
    """Records of several files (one Dask task): [(path, sha256, Options[, keep the model]), …]."""
    return [check_one(p, sha, opts, hard_exit, bool(more and more[0])) for p, sha, opts, *more in tasks]


def process_usage() -> dict:
    """Peak resident memory (MB) and CPU seconds (user + sys) of this process so far."""
    import resource
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_mb": round(ru.ru_maxrss / 1024, 1), "cpu_s": round(ru.ru_utime + ru.ru_stime, 2)}
