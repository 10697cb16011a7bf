"""Checking many files: worker processes that cannot lose each other's results (issue 16.4).

``run(tasks, jobs)`` checks ``(path, Options)`` tasks and returns one :class:`LiteResult` per
task, in the order of the tasks whatever order the workers finish in (so the output does not
depend on ``--jobs``).  Used by ``xxgk-lint check`` (validator/cli.py) and by anything else
that checks a list of files.

* A run of one file whose reader is Python code (text, Markdown, HTML: everything but PDF
  and DOCX, whose readers hand the input to native libraries) checks it in this process,
  with the same limits: the per-file time limit (SIGALRM reaches Python code and the regular
  expression engines), the memory ceiling above the size this process starts the file from
  (:func:`validator.limits.memory_limit`, P093), SIGTERM/SIGINT answered as below.  A worker
  would buy nothing there and costs ~30 ms of a one-file run (``xxgk-lint check 报告.txt``,
  issue 15.4).
* One PDF or DOCX checked alone is read in one forked process of its own (:class:`Reading`,
  :func:`_check_forked`: the same guarantees as a worker below for the native code, without a
  pool's machinery) — started as soon as the command knows the file (:func:`read_ahead`) — and
  checked here, like a text file, once its Document has come back.
* Every other file is checked in a worker process (a fork of this one: the rules and the pipeline
  are already loaded), so a crash, a memory blow-up or a hang costs that file only.  Each
  worker limits its own address space (``max_memory`` beyond its size at start,
  :func:`validator.limits.apply_memory_limit`): a file that needs more gets P093; the worker
  is then replaced.
* A worker that dies (killed by the OOM killer, a crash in a C library) loses at most the
  file it was checking: that file is reported as an error naming what happened, a fresh
  worker takes its place and the run goes on.  A worker that outlives the per-file time
  limit by far (stuck in C code, where SIGALRM cannot reach) is killed the same way (P091).
* SIGTERM or SIGINT to the main process stops every worker at once (SIGKILL) and returns
  what was done (``Outcome.interrupted``); the workers also die with the main process if it
  is killed outright (``PR_SET_PDEATHSIG``), and leave when their pipe closes: no orphans.
* Workers send back findings and the little the reporters need (:class:`LiteResult`), not
  whole reports.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from collections import deque
from dataclasses import field, replace

from . import limits as _limits
from .findings import Finding, sent_args
from .i18n import Msg, msg, of
from .records import record


# --------------------------------------------------------------------------------------
# what crosses the process boundary
# --------------------------------------------------------------------------------------
class _LiteSource:
    """What reporters need of a SourceText: encoding, format and the original lines that
    findings point at (not the whole file), so results cross process boundaries cheaply."""

    def __init__(self, src, lines_wanted):
        self.encoding = getattr(src, "encoding", None)
        self.format = getattr(src, "format", None)
        orig = getattr(src, "original_lines", None)
        self.original_lines = None if orig is None else {n: orig[n - 1] for n in lines_wanted
                                                         if 1 <= n <= len(orig)}

    def original_line(self, line: int):
        if self.original_lines is None:
            return None
        s = self.original_lines.get(line)
        return None if s is None else s.rstrip("\r")


class _LiteMeta:
    def __init__(self, year):
        self.year = year


class _LiteReport:
    def __init__(self, rep):
        self.template = getattr(rep, "template", None)
        self.template_reason = getattr(rep, "template_reason", "")
        md = getattr(rep, "metadata", None)
        self.metadata = _LiteMeta(getattr(md, "year", None))


class LiteResult:
    """A checked file as reporters see it: path, findings, error and a little about the file.
    ``fatal``: the error is not about this file but about the run (a rule that cannot run):
    the CLI stops with exit 2 and that one line."""

    fields = None   # the fields of each finding sent back (LiteResult.of); None: all of them

    def __init__(self, path, findings, report=None, source=None, error=None, fatal=False):
        self.path = path
        self.findings = findings
        self.report = report
        self.source = source
        self.error = error
        self.fatal = fatal
        self.cross = None   # the report model, when reports are compared (validator/cross/)

    def __reduce__(self):
        """What crosses a worker's pipe for every file: the result as one flat tuple, rebuilt
        by :func:`_lite_result` — rather than this object and its report, metadata and source
        objects each pickled as a class to look up and a dict of attribute names to rebuild
        (a tenth of the unpickling of a typical result in the main process).  With ``fields``,
        each finding as the arguments of one with only those fields (findings.sent_args)."""
        rep, src = self.report, self.source
        findings = self.findings
        if self.fields is not None:
            args = sent_args(self.fields)
            findings = [args(f) for f in findings]
        return _lite_result, (self.path, findings, self.error, self.fatal, self.cross,
                              None if rep is None else (rep.template, rep.template_reason, rep.metadata.year),
                              None if src is None else (src.encoding, src.format, src.original_lines),
                              self.fields is not None)

    @classmethod
    def of(cls, res, lines: bool = True, related: bool = True, fold=None, fields=None) -> "LiteResult":
        """``lines``: keep the original lines the findings are on (and the line before each),
        for an output that shows them (``reporters.shows_source``); else none are kept.
        ``related``: keep every related place of a finding; False, for an output that shows
        only those in other files (``reporters.lists_related``): a finding whose related
        places are all in its own file (the cells of a sum, most of them) loses them — a list
        with any place in another file is kept whole, so what is shown of it stays the same.
        ``fold``: the rules to fold the findings with here (as ``cliux.present`` would), for an
        output that never shows a folded finding's members (``reporters.shows_cells``) when
        nothing needs them one by one (no baseline, no --show-all, no comparison of reports):
        a group comes back as its one folded finding, without the members (``cells``) —
        half of a batch's findings are blank cells of a few reports' tables.
        ``fields``: with ``fold``, for an output that reads only these fields of a finding
        (``reporters.reads``): the result crosses a worker's pipe with only those of each
        finding, every other one None (most of the bytes of a finding are texts no line shows:
        basis, suggestion, section, table, row, numbers)."""
        from .reporters.rich_out import extracted_line
        no_lines = res.source is not None and getattr(res.source, "original_lines", None) is None
        for f in res.findings:
            if no_lines:  # PDF/DOCX: keep the extracted text line the finding is on
                f.excerpt = extracted_line(res.source, f)
            f.span = None  # offsets into the normalised text mean nothing to reporters
            if not related and f.related and not any(getattr(r, "path", None) for r in f.related):
                f.related = []
        findings = res.findings
        if fold is not None:
            from .reporters.fold import fold as fold_findings
            findings = fold_findings(findings, fold)
            for f in findings:
                if f.cells:
                    f.cells = []
        wanted = {f.location.line + d for f in findings for d in (-1, 0)} if lines else ()   # the line before: context
        lite = cls(res.path, findings, _LiteReport(res.report) if res.report is not None else None,
                   _LiteSource(res.source, wanted) if res.source is not None else None)
        if fold is not None and fields is not None:
            lite.fields = fields
        return lite


def _lite_result(path, findings, error, fatal, cross, report, source, lean=False) -> LiteResult:
    """A LiteResult unpickled (:meth:`LiteResult.__reduce__`)."""
    if lean:
        findings = [Finding(*args) for args in findings]
    res = LiteResult(path, findings, error=error, fatal=fatal)
    res.cross = cross
    if report is not None:
        rep = res.report = _LiteReport.__new__(_LiteReport)
        rep.template, rep.template_reason, year = report
        rep.metadata = _LiteMeta(year)
    if source is not None:
        src = res.source = _LiteSource.__new__(_LiteSource)
        src.encoding, src.format, src.original_lines = source
    return res


def _limit_result(path, exc, opts) -> LiteResult:
    from .lint import limit_result
    from .rules import load_rules
    return LiteResult.of(limit_result(str(path), exc, opts, load_rules(opts.extra_rule_dirs)))


def check_one(task, max_memory: int | None = None, data: bytes | None = None, doc=None,
              started: float | None = None) -> LiteResult:
    """Check one file (in a worker process or in this one); never raises for the file's sake.
    ``task``: (path, Options[, keep the model for comparing reports (validator/cross/)[, keep
    the source lines of the findings[, keep the related places in the file itself (both by
    default: yes)[, fold the findings here (default: no)[, the fields of a finding to send
    (default: all)]]]]]; see LiteResult.of; the check is told what of the related places and
    the texts it drops, so as not to make it: Options.related, Options.fold);
    ``data``: the file's bytes when they were read already (stdin; ``path`` names them);
    ``doc``: its Document when it was read already (in a process of its own, :class:`Reading`,
    the reading having begun at ``started``)."""
    path, opts, *more = task
    from .lint import lint_bytes, lint_document, lint_path
    from .rules import RuleRunError, load_rules
    related = more[2] if len(more) > 2 else True
    fold = len(more) > 3 and bool(more[3])
    if opts.related != related or opts.fold != fold:
        # what LiteResult.of drops is not made (the related places in the file itself) or made
        # only for what it keeps (the texts of a finding that folds): Options.related/fold
        opts = replace(opts, related=related, fold=fold)
    try:
        try:
            rules = load_rules(opts.extra_rule_dirs)
            if doc is not None:
                res = lint_document(doc, opts, rules, started)
            else:
                res = lint_path(path, opts, rules) if data is None else lint_bytes(data, path, opts, rules)
        except RuleRunError as exc:
            return LiteResult(path, [], error=of(exc), fatal=True)
        except Exception as exc:  # noqa: BLE001 - one file must not lose the others
            if _limits.caused_by_memory(exc):
                raise MemoryError from None
            return _failed(path, exc)
        lite = LiteResult.of(res, more[1] if len(more) > 1 else True, related,
                             rules if fold else None, more[4] if len(more) > 4 else None)
        if more and more[0]:  # reports are compared afterwards: keep the model (validator/cross/)
            from .cross.run import Packed
            lite.cross = Packed(res.report)
        return lite
    except MemoryError:
        res = None  # let the big allocations go before building the answer
        _limits.lift_memory_limit()   # and room to build it (this ceiling ends with the answer)
        return _limit_result(path, _limits.memory_exceeded(max_memory), task[1])
    except RecursionError:
        return LiteResult(path, [], error=msg("{p}: 无法读取（结构嵌套太深）", "{p}: cannot be read (nested too deeply)", p=path))


def _failed(path, exc: Exception) -> LiteResult:
    """The result of a file whose reading or check raised ``exc`` (not a limit, not memory)."""
    from .readers import ReadError
    if isinstance(exc, ReadError):
        return LiteResult(path, [], error=of(exc))
    return LiteResult(path, [], error=msg("内部错误（{t}: {e}），请报告此问题", "internal error ({t}: {e}); please report it",
                                          t=type(exc).__name__, e=_first_line(exc)))


def _first_line(exc) -> str:
    from .yamlload import one_line
    return one_line(str(exc).split("\n", 1)[0], 200)


# --------------------------------------------------------------------------------------
# worker processes
# --------------------------------------------------------------------------------------


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


# What crosses a worker's pipe: each message a pickle after its length (8 bytes, big-endian),
# written to and read from the pipe's file descriptor itself.  multiprocessing's Connection
# reads a message in two reads (its length, then its body) through a BytesIO, one message a
# call; here one read brings in every whole message that is there (most often the one result
# that woke this process), and a message whose length has come in is read in full right away,
# as Connection does: its sender writes it in one go (:func:`_send`).
_READ = 1 << 16            # bytes asked for by the first read (a result is ~2.5 kB, 21 kB at most on a varied batch)


def _send(fd: int, obj, before=None) -> None:
    """Send ``obj`` through the pipe ``fd`` (pickled before anything is written: an object
    that cannot be pickled raises and leaves the pipe as it was).  The length and the pickle
    go out in one write: written apart, the length alone would wake the reader, which then
    waits for the rest.  ``before(size)``: called with the message's size before it is written;
    when it returns a function, the length goes out alone first, then that is called (a worker's
    bell, :func:`_worker`: rung once the message has begun to come in, the reader woken by it
    finds it there and reads it to its end), then the rest."""
    import pickle
    data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
    head = len(data).to_bytes(8, "big")
    body = memoryview(data)
    done = 0
    then = None if before is None else before(8 + len(data))
    if then is not None:
        while done < 8:
            done += os.write(fd, head[done:])
        then()
    while done < 8 + len(data):   # more than one write only for a message larger than the pipe holds
        done += os.writev(fd, (head[done:], body[max(done - 8, 0):]))


def _receive(fd: int) -> tuple[list, bool]:
    """The messages that one read of the pipe ``fd`` brings in (waiting for one when none is
    there), the last of them completed with further reads if the read ended within it; and
    whether the pipe is still open (False: its other end is closed; the whole messages before
    that are returned all the same).  OSError as os.read raises it."""
    import pickle
    data = os.read(fd, _READ)
    got: list = []
    size = len(data)
    pos = 0
    while pos < size:
        if size - pos >= 8:
            end = pos + 8 + int.from_bytes(data[pos:pos + 8], "big")
            if end <= size:
                got.append(pickle.loads(memoryview(data)[pos + 8:end]))
                pos = end
                continue
        # the read ended within a message (it is larger than a read, or was caught while being
        # written): the rest of it, read as it comes
        part = data[pos:]
        if len(part) < 8:
            more = _read_exactly(fd, 8 - len(part))
            if more is None:
                return got, False
            part += more
        body = _read_exactly(fd, int.from_bytes(part[:8], "big"), part[8:])
        if body is None:
            return got, False
        got.append(pickle.loads(body))
        break
    return got, size > 0


def _readable(fd: int) -> bool:
    """Whether reading the pipe ``fd`` would find something (or its end) without waiting."""
    import select
    poll = select.poll()   # (select.select refuses a descriptor above 1023)
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(0))


def _read_exactly(fd: int, n: int, start: bytes = b"") -> bytearray | None:
    """``n`` bytes of the pipe ``fd``, the first of them ``start`` (read already); None when
    the pipe closes before."""
    buf = bytearray(n)
    buf[:len(start)] = start
    view = memoryview(buf)
    have = len(start)
    while have < n:
        k = os.readv(fd, [view[have:]])
        if not k:
            return None
        have += k
    return buf


def _worker(conn, parent_pid: int, max_memory: int | None, tasks, bell: int | None = None) -> None:  # pragma: no cover - child
    """Check the files of ``tasks`` (the run's, inherited: :func:`run` sends the index of each
    file to check, not the file's task, pickled for every file and rebuilt here) until the
    pipe closes; each result goes back as (index, LiteResult, leaving, when it was done:
    time.monotonic(), a clock all processes share).  A message is one index, or a list of
    indices sent together (:data:`DEEP`): then this worker writes a byte to ``bell`` (a pipe
    the main process waits on instead of every worker's pipe) when it is down to :data:`LOW`
    files after the one it begins, and before its unread results could fill its pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the main process decides what stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):            # blocked by the parent around the fork
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    _limits.die_with_parent()
    if os.getppid() != parent_pid:                    # the parent died before prctl took
        os._exit(0)
    limit = _limits.apply_memory_limit(max_memory)
    # what this worker inherited (modules, rules, grammar) lives as long as it does: the
    # cyclic GC need not walk it again after every few hundred allocations of a check
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    checked = 0
    fd = conn.fileno()
    inbox: deque = deque()     # files sent together come in together (_receive)
    armed = False              # the bell is to be rung when few files are left (a list came)
    unread = 0                 # bytes of results sent since the bell last rang

    def take(got) -> None:
        nonlocal armed
        for m in got:
            if isinstance(m, list):
                inbox.extend(m)
                armed = bell is not None
            else:
                inbox.append(m)

    def ring() -> None:
        nonlocal unread
        unread = 0
        try:
            os.write(bell, b"!")
        except OSError:   # full: bytes not read yet, the main process wakes all the same (or it is gone)
            pass

    def before(size: int):   # (_send) a result is about to be written
        nonlocal unread
        unread += size
        if bell is not None and unread > RING_BYTES:
            return ring   # the main process is to read the results before they fill the pipe
        return None

    while True:
        if not inbox:
            try:
                got, still_open = _receive(fd)
            except OSError:
                os._exit(0)
            take(got)
            if not inbox and not still_open:
                os._exit(0)
            continue
        index = inbox.popleft()
        if index is None:
            os._exit(0)
        if armed and len(inbox) <= LOW:
            if _readable(fd):          # more files sent already: no need to ask for them
                try:
                    got, _open = _receive(fd)
                except OSError:
                    os._exit(0)
                take(got)
            if armed and len(inbox) <= LOW:
                ring()
                armed = False   # until more files come
        task = tasks[index]
        res = check_one(task, limit and max_memory)
        checked += 1
        # a fresh worker after a memory blow-up (its heap is fragmented); the main process
        # is told, so it does not give this worker another file
        leaving = any(f.rule == _limits.RULE_MEMORY for f in res.findings)
        if not leaving and checked & (checked - 1) == 0:
            # the patterns compiled here, for the next run (validator/recache.py): after the
            # 1st, 2nd, 4th, 8th … file, as later files need patterns the first did not
            # (another format, another rendering of the tables: ~50 on a varied batch, compiled
            # anew by every worker of every run when only the first file's were stored);
            # nothing is read or written when nothing new was compiled.  Before the result
            # goes back: the main process may stop this worker once it has all
            try:
                from . import recache
                recache.remember()
            except Exception:  # noqa: BLE001 - only ever a lost speed-up
                pass
        try:
            _send(fd, (index, res, leaving, time.monotonic()), before)
        except Exception as exc:  # noqa: BLE001 - a result that cannot be sent is an error
            if _limits.caused_by_memory(exc) and _limits.lift_memory_limit():
                # the check kept within the memory ceiling, pickling its result did not (a
                # result of thousands of findings): sent with the ceiling lifted, and this
                # worker leaves (the main process starts another, with the ceiling)
                leaving = True
                try:
                    _send(fd, (index, res, leaving, time.monotonic()), before)
                    exc = None
                except Exception as again:  # noqa: BLE001
                    exc = again
            if exc is not None:
                try:
                    _send(fd, (index, _unsent(task[0], exc), leaving, time.monotonic()), before)
                except Exception:  # noqa: BLE001
                    os._exit(1)
        if leaving:
            os._exit(0)


def _unsent(path, exc: BaseException) -> LiteResult:
    """The error of a file whose result could not be sent back from its process."""
    return LiteResult(path, [], error=msg(
        "内部错误（结果无法传回：{t}），请报告此问题", "internal error (the result cannot be sent back: {t}); please report it",
        t=type(exc).__name__))


@record
class _Slot:
    """A worker process, its end of the pipe, the files it was given and has not answered yet
    (in the order it checks them: the first is the one it is checking) and when it began that one."""

    proc: object
    conn: object
    queue: deque = field(default_factory=deque)
    started: float = 0.0


# Files given to a worker at a time: the one it checks and the next, so that it goes on to
# the next file as soon as it has sent a result, without waiting for this process to read
# that result and answer (with as many workers as cores, this process competes with them for
# a core: a worker given one file at a time waited for it ~8 % of a batch).  Only the first
# file is being checked; the others wait in the pipe and go back to the queue of the run if
# the worker dies, is killed or leaves (so a worker still loses only the file it was checking).
DEPTH = 2

# While many files are left (more than TAIL for each worker), this process does not wait on the
# workers' pipes, where every result would wake it (~100 µs of CPU each, and a worker preempted
# on a machine with as many workers as cores): each worker is given up to DEEP files at a time
# (one message) and rings a bell (one pipe for all) when it begins a file with LOW or fewer left
# after it; this process then reads every result there is and tops every worker up again — a
# wake-up for every DEEP - LOW - 1 files or so.  The results are still written as each file is
# done (a worker that dies or hangs loses only the file it was checking), with the time it was
# done (the time limit of the next file counts from then), and the bell also rings when the
# results sent since it last rang pass RING_BYTES, once the length of the one that passes it is
# in the pipe (a worker waiting on a full pipe is always one whose bell has rung after what fills
# it: a worker's pipe, a socket pair, holds ~200 kB on Linux).  The
# last TAIL files a worker are given as above (DEPTH), this process waiting on the pipes again:
# enough for the other workers to take while one of them goes through DEEP slow files, so that
# none of them idles at the end (and a run of up to TAIL files a worker goes as before).
DEEP = 8
LOW = 1
TAIL = 4 * DEEP
RING_BYTES = 32 * 1024

# A worker's first-generation collection threshold (CPython's default is 700).  A check makes
# ~17,000 calls and thousands of short-lived containers, nearly all freed by their reference
# counts; at 700 the collector still ran dozens of times a report (~1.5 % of a worker's
# instructions, callgrind over 40 reports: 29.18 → 28.76 M with 5,000; 20,000 or no collector
# at all gave the same as 5,000).  The garbage that only the collector frees (reference cycles:
# caught exceptions and their tracebacks) waits a little longer: a few hundred kB at most.
WORKER_GC_THRESHOLD = 5000


def _context():
    import multiprocessing
    return multiprocessing.get_context("fork")   # run() uses worker processes only where there is fork


def _start(ctx, max_memory, tasks, bell: int | None = None) -> _Slot:
    here, there = ctx.Pipe(duplex=True)
    proc = ctx.Process(target=_worker, args=(there, os.getpid(), max_memory, tasks, bell), daemon=True)
    masked = hasattr(signal, "pthread_sigmask")
    if masked:   # no signal may reach the child before it has set its own handlers
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        proc.start()
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
    there.close()
    return _Slot(proc, here)


def _stop(slot: _Slot) -> None:
    try:
        if slot.proc.is_alive():
            os.kill(slot.proc.pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass
    try:
        slot.proc.join(2)
    except Exception:  # noqa: BLE001
        pass
    try:
        slot.conn.close()
    except OSError:
        pass


def _death(proc) -> str:
    return _death_of(proc.exitcode)


def _death_of(code) -> str:
    """Why a worker ended without a result, from its exit code (negative: the signal)."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = msg("信号 {c}", "signal {c}", c=-code)
        hint = Msg("，可能是系统内存不足", ", perhaps the system ran out of memory") if -code == signal.SIGKILL else ""
        return msg("被 {n} 终止{h}", "killed by {n}{h}", n=name, h=hint)
    return msg("退出码 {c}", "exit code {c}", c=code)


class Interrupted(BaseException):
    """SIGTERM (or SIGINT) reached the main process while files were being checked."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@record
class Outcome:
    """``results[i]`` for ``tasks[i]`` (None: not checked because the run was interrupted);
    ``interrupted``: "SIGTERM"/"SIGINT" when a signal stopped the run."""

    results: list = field(default_factory=list)
    interrupted: str | None = None

    @property
    def done(self) -> list:
        return [r for r in self.results if r is not None]


def _hard_timeout(opts) -> float | None:
    """How long a file may take before its process is killed (it is stuck where SIGALRM
    cannot reach: native code): half as long again as the time limit, and 10 s more."""
    t = getattr(opts, "timeout", None)
    return None if not t else t * 1.5 + 10.0


def needs_worker(task) -> bool:
    """Whether a file must be checked in a worker process even when it is the only one: its
    reader runs native code on it (PDF, DOCX; see ``validator.readers.NATIVE_FORMATS``).  The
    format is sniffed from the head of the file as the reader will sniff it; a file that
    cannot be opened needs no worker (its reader says what is wrong)."""
    from .readers import SNIFF_BYTES
    path, opts = task[0], task[1]
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except (OSError, ValueError):
        return False
    return _native(head, str(path), opts)


def _native(head: bytes, name: str, opts) -> bool:
    """Whether the reader of these bytes (their first SNIFF_BYTES) runs native code on them."""
    from .readers import NATIVE_FORMATS, SNIFF_BYTES, format_of
    try:
        return format_of(head[:SNIFF_BYTES], name, getattr(opts, "input_format", None)) in NATIVE_FORMATS
    except Exception:  # noqa: BLE001 - a sniffing problem is the reader's to report, in a process of its own
        return True


def _timed_out(task) -> LiteResult:
    """P091 for a file whose check outlived the hard time limit (stuck where SIGALRM cannot reach)."""
    t = task[1].timeout
    return _limit_result(task[0], _limits.TimeLimit(_limits._timeout_detail(t), seconds=_limits._fmt_s(t)), task[1])


class Reading:
    """One file read in a forked process of its own, because its reader runs native code on
    it (PDF, DOCX): what a worker of :func:`run` guarantees — a crash or a memory blow-up in
    the reader costs this file only, a reader stuck in native code is killed after the hard
    time limit (P091), the process dies with this one — without the machinery of a pool
    (multiprocessing, connections: ~30 ms of a one-file run).  The Document comes back pickled
    through a pipe and is checked in this process (:func:`_check_forked`): normalising,
    parsing and the rules are Python code, held to the limits as a text file checked here.
    Started before the rules are loaded (:func:`read_ahead`, from ``xxgk-lint check``), the
    reading runs while this process reads the configuration and loads the rules and the pipeline.

    ``key`` is what the reading depends on (input format, size/time/character limits,
    memory ceiling): a file checked with other settings is read again."""

    def __init__(self, path: str, key: tuple, data: bytes | None = None):
        self.path = path
        self.key = key
        self.timeout = key[2]
        self.started = time.monotonic()
        self.pid, self._fd = _fork(_read_in_child, path, key, data)

    def wait(self):
        """("doc", Document) | ("limit", LimitExceeded) | ("result", LiteResult) — or
        ("late", None) after the hard time limit, ("died", exit code) when the process died
        without an answer.  The process is gone afterwards; waiting again is an error."""
        fd, self._fd = self._fd, None
        return _answer(self.pid, fd, self.started, _hard_timeout(self))

    def cancel(self) -> None:
        """Stop the reading (its result is not wanted): the process is killed and reaped."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            _kill(self.pid)


def read_key(opts, max_memory: int | None) -> tuple:
    """What reading a file depends on (see :class:`Reading`)."""
    return (getattr(opts, "input_format", None), getattr(opts, "max_bytes", None), getattr(opts, "timeout", None),
            getattr(opts, "max_chars", None), max_memory)


_AHEAD: dict[str, Reading] = {}


def read_ahead(path: str, opts, max_memory: int | None) -> bool:
    """Start reading ``path`` now, in a process of its own, when its reader runs native code
    (``opts``: anything with the reading's attributes: input_format, max_bytes, timeout,
    max_chars).  :func:`run` takes the reading up when it checks that file alone with the
    same settings; a reading nobody takes up is stopped when this process exits.  Returns
    whether a reading started."""
    if not hasattr(os, "fork") or path in _AHEAD or not needs_worker((path, opts)):
        return False
    if not _AHEAD:
        import atexit
        atexit.register(_cancel_ahead)
    _AHEAD[path] = Reading(path, read_key(opts, max_memory))
    return True


def _cancel_ahead() -> None:
    while _AHEAD:
        _AHEAD.popitem()[1].cancel()


def _read_in_child(path: str, key: tuple, data: bytes | None):  # pragma: no cover - the child
    """The reading half of a check (validator/fileread.py), in the forked process."""
    input_format, max_bytes, timeout, max_chars, max_memory = key
    try:
        _limits.apply_memory_limit(max_memory)
        try:
            from .fileread import read_data, read_file
            with _limits.limits(max_bytes, timeout, max_chars):
                doc = (read_file(path, input_format, max_bytes, max_chars) if data is None
                       else read_data(data, path, input_format, max_bytes, max_chars))
            return "doc", doc
        except _limits.LimitExceeded as exc:
            return "limit", exc
        except Exception as exc:  # noqa: BLE001 - one line for the file, never a traceback
            if _limits.caused_by_memory(exc):
                raise MemoryError from None
            return "result", _failed(path, exc)
    except MemoryError:
        doc = None  # let the big allocations go before building the answer
        _limits.lift_memory_limit()   # and room to send it (this process ends with the answer)
        return "limit", _limits.memory_exceeded(max_memory)
    except RecursionError:
        return "result", LiteResult(path, [], error=msg("{p}: 无法读取（结构嵌套太深）", "{p}: cannot be read (nested too deeply)", p=path))


def _fork(fn, *args) -> tuple[int, int]:
    """Run ``fn(*args)`` in a forked process whose answer comes back pickled through a pipe:
    (the child's pid, the pipe's reading end).  The child ignores SIGINT (the parent decides),
    dies on SIGTERM and with this process."""
    import pickle
    parent = os.getpid()
    r, w = os.pipe()
    masked = hasattr(signal, "pthread_sigmask")
    if masked:   # no signal may reach the child before it has set its own handlers
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        pid = os.fork()
    finally:
        if masked and os.getpid() == parent:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(r)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            if masked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
            _limits.die_with_parent()
            if os.getppid() != parent:
                os._exit(0)
            res = fn(*args)
            try:
                out = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - an answer that cannot be sent is an error
                out = pickle.dumps(("result", _unsent(args[0], exc)))
            view = memoryview(out)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    return pid, r


def _answer(pid: int, fd: int, started: float, limit: float | None) -> tuple:
    """The answer of a child started by :func:`_fork` at ``started`` (time.monotonic()):
    what it sent, unpickled — or ("late", None) when it outlived ``limit`` seconds (it is
    killed), ("died", exit code or -signal) when it died without an answer.  The child is
    reaped either way."""
    got, late = _collect(fd, None if limit is None else started + limit, pid)
    if late:
        _kill(pid)
        return "late", None
    _pid, status = os.waitpid(pid, 0)
    if got:
        import pickle
        try:
            return pickle.loads(got)
        except Exception:  # noqa: BLE001 - cut short by the child's death: reported below
            pass
    return "died", -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _collect(fd: int, deadline: float | None, pid: int) -> tuple[bytes, bool]:
    """Everything the child writes to ``fd`` until it closes it, or until ``deadline``
    (time.monotonic()): (the bytes, whether the deadline passed).  Closes ``fd``; kills the
    child when interrupted (a signal handler raising, KeyboardInterrupt)."""
    import select
    chunks = []
    late = False
    try:
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([fd], [], [], wait)[0]:
                late = True
                break
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(fd)
    return b"".join(chunks), late


def _check_forked(task, max_memory: int | None, data: bytes | None = None) -> LiteResult:
    """One file whose reader runs native code (a PDF or DOCX checked alone, or read from
    stdin): read in a process of its own (:class:`Reading`; the one :func:`read_ahead`
    started, if any), checked here.  Signals: as in :func:`run` (the caller's handlers raise
    :class:`Interrupted`; the child is killed)."""
    path, opts = task[0], task[1]
    key = read_key(opts, max_memory)
    reading = _AHEAD.pop(path, None) if data is None else None
    if reading is not None and reading.key != key:
        reading.cancel()
        reading = None
    if reading is None:
        reading = Reading(path, key, data)
    kind, got = reading.wait()
    if kind == "doc":
        with _limits.memory_limit(max_memory) as limit:
            return check_one(task, limit and max_memory, doc=got, started=reading.started)
    if kind == "limit":
        return _limit_result(path, got, opts)
    return _child_result(task, kind, got)


def _child_result(task, kind: str, got) -> LiteResult:
    """The LiteResult of a child's answer (:func:`_answer`) other than a Document."""
    if kind == "result":
        return got
    if kind == "late":
        return _timed_out(task)
    return LiteResult(task[0], [], error=msg(
        "{p}: 检查此文件的进程意外终止（{w}），未得到结果",
        "{p}: the process checking this file died ({w}) without a result", p=task[0], w=_death_of(got)))


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


# Bytes of memory a check may need per character of text, at most: ~20 a character for
# prose, ~60 for a report of tables (peak address space over the size at start, measured
# on the corpus reports repeated to 0.2–1.1 million characters), with room to spare for
# stranger inputs (a grid of one-character cells).
BYTES_PER_CHAR = 400


def ceiling_reachable(task, max_memory: int | None, data: bytes | None = None) -> bool:
    """Whether checking this text file could reach the memory ceiling: its characters
    (at most its bytes, at most ``--max-chars``) times :data:`BYTES_PER_CHAR` exceed it.
    Never with the default limits (1 million characters, 1 GB)."""
    if not max_memory:
        return False
    opts = task[1]
    if data is not None:
        size = len(data)
    else:
        kind, size = _limits.stat_kind(task[0])     # a pipe: no size, read up to --max-bytes
        if kind == "other":
            return False   # a directory, a path that cannot be read: the reader says what is wrong
    bounds = [b for b in (size, getattr(opts, "max_bytes", None), getattr(opts, "max_chars", None)) if b]
    return not bounds or min(bounds) * BYTES_PER_CHAR > max_memory


def _check_here(task, max_memory: int | None, data: bytes | None = None) -> LiteResult:
    """One file in this process, within the memory ceiling (the time limit is lint_path's) —
    or, when the ceiling could be reached (:func:`ceiling_reachable`: a tight ``--max-memory``,
    no ``--max-chars``), in a forked process of its own, as in a run of many files: at the
    address-space ceiling CPython itself can get stuck (3.11 unwinding an exception retries an
    allocation that keeps failing), and only another process can end that (P091 after the
    hard time limit).  A check that goes over the ceiling there is P093 as in a worker."""
    if hasattr(os, "fork") and ceiling_reachable(task, max_memory, data):
        started = time.monotonic()
        pid, fd = _fork(_check_in_child, task[0], task, max_memory, data)
        return _child_result(task, *_answer(pid, fd, started, _hard_timeout(task[1])))
    with _limits.memory_limit(max_memory) as limit:
        return check_one(task, limit and max_memory, data)


def _check_in_child(path: str, task, max_memory: int | None, data: bytes | None):  # pragma: no cover - the child
    """A whole check in the forked process of :func:`_check_here` (``path``: for
    :func:`_fork`'s answer when the result cannot be sent)."""
    limit = _limits.apply_memory_limit(max_memory)
    res = check_one(task, limit and max_memory, data)
    # the check is over, this process ends with its answer: pickling a result of thousands
    # of findings must not meet the ceiling the check kept within
    _limits.lift_memory_limit()
    return "result", res


def check_data(name: str, data: bytes, opts, max_memory: int | None = _limits.DEFAULT_MAX_MEMORY) -> LiteResult:
    """The bytes of one file already read (stdin), checked as :func:`run` checks one file: in
    this process when its reader is Python code, else (PDF, DOCX) in a forked process of its
    own.  ``fatal`` results (a rule that cannot run) are the caller's to stop on."""
    if _native(data, name, opts) and hasattr(os, "fork"):
        return _check_forked((name, opts), max_memory, data)
    return _check_here((name, opts), max_memory, data)


def _on_signals(handler) -> dict:
    previous = {}
    if _is_main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[sig] = signal.signal(sig, handler)
            except (ValueError, OSError):  # pragma: no cover
                pass
    return previous


def _restore_signals(previous: dict) -> None:
    for sig, handler in previous.items():
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError):  # pragma: no cover
            pass


def _interrupt(signum, frame):  # noqa: ARG001
    raise Interrupted(signal.Signals(signum).name)


def run(tasks, jobs: int, *, max_memory: int | None = _limits.DEFAULT_MAX_MEMORY, on_done=None) -> Outcome:
    """Check every task, in worker processes (at most ``jobs`` at a time) or, for one file
    that needs none (:func:`needs_worker`) and on a platform without fork, in this process.
    ``on_done(i)`` is called as each file finishes (a progress bar)."""
    n = len(tasks)
    out = Outcome([None] * n)
    if n == 0:
        return out
    if n == 1 or not hasattr(os, "fork"):
        # one file: in this process, or in one of its own when its reader runs native code
        # (needs_worker); on a platform without fork (Windows) every file in this process, one
        # after another: the worker processes' pipes and the wait on them (selectors over
        # descriptors, framed reads and writes) are POSIX's.  The time limit of each file is
        # then lint_path's own (validator/limits.py); there is no memory ceiling there anyway
        previous = _on_signals(_interrupt)
        try:
            fork = hasattr(os, "fork")
            for i, task in enumerate(tasks):
                check = _check_forked if fork and (task[0] in _AHEAD or needs_worker(task)) else _check_here
                out.results[i] = check(task, max_memory)
                if on_done:
                    on_done(i)
        except (Interrupted, KeyboardInterrupt) as exc:
            out.interrupted = exc.name if isinstance(exc, Interrupted) else "SIGINT"
        finally:
            _restore_signals(previous)
        return out
    ctx = _context()
    size = max(1, min(jobs, n))
    pending = deque(range(n))
    sent_at = [0.0] * n     # when each file was given to its worker (time.monotonic())
    slots: list[_Slot] = []
    previous = _on_signals(_interrupt)
    # no cyclic GC in this process while results arrive: each full collection would walk
    # every result unpickled so far (quadratic in the number of files); results are kept
    # until the end anyway, and the loop itself makes next to no cyclic garbage
    gc_was_on = gc.isenabled()
    gc.disable()
    # one poll object for the whole run (multiprocessing.connection.wait makes and fills a
    # new one at every call)
    import selectors
    sel = selectors.DefaultSelector()
    # many files: this process waits on the workers' bell, not on their pipes (DEEP)
    deep = n > size * TAIL
    bell_r = bell_w = None
    if deep:
        bell_r, bell_w = os.pipe()
        os.set_blocking(bell_r, False)
        os.set_blocking(bell_w, False)
        sel.register(bell_r, selectors.EVENT_READ, None)

    def start() -> _Slot:
        slot = _start(ctx, max_memory, tasks, bell_w)
        if not deep:
            sel.register(slot.conn.fileno(), selectors.EVENT_READ, slot)
        sel.register(slot.proc.sentinel, selectors.EVENT_READ, slot)
        return slot

    def stop(slot: _Slot, requeue: bool = True) -> None:
        """Stop a worker; the files it was given but had not begun go back to the run's queue."""
        for key in [key for key in sel.get_map().values() if key.data is slot]:   # none: stopped already
            sel.unregister(key.fd)
        _stop(slot)
        if requeue:
            pending.extendleft(reversed(slot.queue))
        slot.queue.clear()

    try:
        for _ in range(size):
            slots.append(start())
        remaining = n
        while remaining:
            now = time.monotonic()
            if deep and len(pending) <= size * TAIL:
                # the last files: given as below, each result waking this process again
                deep = False
                sel.unregister(bell_r)
                for slot in slots:
                    if not slot.conn.closed:    # (a worker stopped is replaced below)
                        sel.register(slot.conn.fileno(), selectors.EVENT_READ, slot)
            depth = DEEP if deep else DEPTH
            for k, slot in enumerate(slots):
                if not pending or len(slot.queue) >= depth:
                    continue
                if not slot.queue and not slot.proc.is_alive():
                    stop(slot)
                    slot = slots[k] = start()
                # a second file only while there are more left than workers: the last ones
                # go to whichever worker is free, not into the queue of a busy one
                batch = []
                while pending and (not slot.queue or (len(slot.queue) < depth and len(pending) > size)):
                    i = pending.popleft()
                    if not slot.queue:
                        slot.started = now
                    slot.queue.append(i)
                    sent_at[i] = now
                    if deep:
                        batch.append(i)
                        continue
                    try:
                        _send(slot.conn.fileno(), i)   # the worker has the tasks (_worker)
                    except OSError:
                        break   # a dead worker: seen below through its sentinel
                if batch:
                    try:
                        _send(slot.conn.fileno(), batch)   # one message: the worker rings when it is low
                    except OSError:
                        pass    # a dead worker: seen below through its sentinel
            if not pending and not any(s.queue for s in slots):   # pragma: no cover - a bug, not a file
                raise RuntimeError(f"{remaining} files were given to no worker")
            events = sel.select(timeout=1.0)
            readable, ended = set(), set()     # workers whose pipe / whose sentinel is readable
            for key, _ in events:
                if key.data is None:    # the bell: every pipe is read below
                    try:
                        os.read(bell_r, 1 << 12)
                    except BlockingIOError:
                        pass
                    continue
                (ended if key.fd == key.data.proc.sentinel else readable).add(id(key.data))
            now = time.monotonic()
            for slot in slots:
                if not slot.queue:
                    continue
                gone = id(slot) in ended
                if gone or deep or id(slot) in readable:
                    # the results one read of its pipe brings in (the selector is level-triggered:
                    # any left are seen at the next turn); a worker that ended, and every worker
                    # while this process does not wait on the pipes (DEEP): its pipe drained (before
                    # its file is counted lost)
                    fd = slot.conn.fileno()
                    first = id(slot) in readable
                    while slot.queue and (first or _readable(fd)):
                        first = False
                        try:
                            got, still_open = _receive(fd)
                        except OSError:
                            got, still_open = [], False
                        for index, res, leaving, done in got:
                            slot.queue.popleft()     # results come back in the order the files were sent
                            if slot.queue:   # it began the next file when it sent this result (or got it)
                                slot.started = max(done, sent_at[slot.queue[0]])
                            out.results[index] = res
                            remaining -= 1
                            if on_done:
                                on_done(index)
                            if leaving:
                                stop(slot)          # replaced when it is given the next file
                                break
                        if not still_open or not (gone or deep):
                            break
                    if not slot.queue:
                        continue
                i = slot.queue[0]
                limit = _hard_timeout(tasks[i][1])
                # only a worker whose sentinel was readable can have ended (waitpid is asked then
                # only; the sentinel stays readable, so an exit not reaped yet is seen next turn)
                dead = gone and not slot.proc.is_alive()
                late = limit is not None and now - slot.started > limit
                if not (dead or late):
                    continue
                slot.queue.popleft()
                if late and not dead:
                    out.results[i] = _timed_out(tasks[i])
                else:
                    slot.proc.join(1)
                    out.results[i] = LiteResult(tasks[i][0], [], error=msg(
                        "{p}: 检查此文件的进程意外终止（{w}），未得到结果；其他文件照常检查",
                        "{p}: the process checking this file died ({w}) without a result; the other files are checked as usual",
                        p=tasks[i][0], w=_death(slot.proc)))
                stop(slot)          # the worker is replaced when it is given the next file
                remaining -= 1
                if on_done:
                    on_done(i)
    except (Interrupted, KeyboardInterrupt) as exc:
        out.interrupted = exc.name if isinstance(exc, Interrupted) else "SIGINT"
    finally:
        if gc_was_on:
            gc.enable()
        for slot in slots:
            stop(slot, requeue=False)
        sel.close()
        if bell_r is not None:
            os.close(bell_r)
            os.close(bell_w)
        _restore_signals(previous)
    return out


def _is_main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()
