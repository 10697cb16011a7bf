"""Where the audit runs: in this process (``--jobs 1``), on a Dask ``LocalCluster`` of
``--jobs N`` worker processes (the default), or on a Dask cluster (``--cluster tcp://host:8786``).

No scheduler of our own: files are grouped into small chunks (one Dask task each, so the
per-task cost of Dask stays small next to a ~5 ms text report), a bounded window of chunks is
submitted, and results are handed to ``sink`` as they finish (``distributed.as_completed``),
where the CLI writes them to the database.  A chunk whose task fails as a whole (its worker
died: a crash, memory, a file stuck in C code past the hard deadline of work.deadline) is
split and its files are run again one per task.  Dask counts a worker's death against every
task the scheduler had given that worker, the one it ran and those waiting behind it, and
after ``allowed-failures`` + 1 deaths reports the task as ``KilledWorker``: so a single file
lost that way may have only waited behind the file that crashed.  It is run again alone on
the cluster (nothing else submitted until it is done); a file lost while it ran alone is the
one that ends its worker, and is recorded as 无法读取 with the reason.  Nothing a file does
stops the run, nor costs another file its record.
"""

from __future__ import annotations

import logging
import os

from ..i18n import Msg, msg, text
from .status import UNREADABLE
from .work import blank_record, check_chunk, check_one

SLOW_FORMATS = (".pdf", ".docx")   # ~0.5–2 s each: one per task, so no chunk waits on several


# Dask configuration of the run (the LocalCluster's workers get it from this process; the
# workers of a --cluster read their own: README "审计的内存" says what to set there).
WORKER_CONFIG = {
    # a chunk whose worker dies is retried once, then split (see module doc)
    "distributed.scheduler.allowed-failures": 1,
    "distributed.admin.tick.limit": "1h",
    # Dask's statistical profiler samples the checking thread every 10 ms and keeps a tree of
    # the stacks it saw for each of the last 1,000 one-second cycles (admin.low-level-log-length),
    # for the dashboard, which an audit does not start.  The deep and varied stacks of the
    # parser, the rules and python-docx/lxml made those trees the worker's growing memory
    # (~19 profile-tree dicts per report; +25 MB per 1,000 reports) and ~15 % of its CPU.
    "distributed.worker.profile.enabled": False,
}


class EngineError(Exception):
    pass


def chunks(tasks: list, workers: int, max_chunk: int = 16) -> list[list]:
    """Tasks grouped for Dask: slow formats alone, the others in chunks small enough that every
    worker gets several (load balance, a smooth progress bar) and at most `max_chunk`."""
    slow = [t for t in tasks if t[0].lower().endswith(SLOW_FORMATS)]
    fast = [t for t in tasks if not t[0].lower().endswith(SLOW_FORMATS)]
    size = max(1, min(max_chunk, len(fast) // max(1, workers * 8)))
    out = [[t] for t in slow]
    out += [fast[i:i + size] for i in range(0, len(fast), size)]
    return out


def run_inprocess(tasks, sink, stop=None) -> None:
    for path, sha, opts, *more in tasks:
        sink([check_one(path, sha, opts, keep_model=bool(more and more[0]))])
        if stop is not None and stop():
            return


def _failed(task, exc) -> dict:
    path, sha, opts = task[:3]
    if _lost(exc):
        why = Msg("检查进程在检查此文件时退出（崩溃、内存不足或超过时间上限后仍未停止），未能检查",
                  "the checking process exited while checking this file (a crash, out of memory, or still "
                  "running past the time limit); the file was not checked")
    else:
        why = msg("检查此文件时出错（{t}: {e}），未能检查", "checking this file failed ({t}: {e}); it was not checked",
                  t=type(exc).__name__, e=exc)
    return blank_record(path, sha, None, UNREADABLE, text(why, getattr(opts, "lang", None) or "zh"))


def _lost(exc) -> bool:
    """The task was lost with its worker process (Dask's KilledWorker), rather than raising."""
    return type(exc).__name__ == "KilledWorker"


def _dask():
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise EngineError(msg("并行审计需要 Dask：pip install 'xxgk-lint[audit]'（或用 --jobs 1 在本进程中检查）（{e}）",
                              "a parallel audit needs Dask: pip install 'xxgk-lint[audit]' (or check in this "
                              "process with --jobs 1) ({e})", e=exc)) from None
    return dask, Client, LocalCluster, as_completed


def run_dask(tasks, sink, *, jobs: int = 2, address: str | None = None, on_start=None, window: int = 0,
             stop=None, task_fn=check_chunk) -> dict:
    """Run tasks on Dask; returns facts about the cluster (workers, peak memory and CPU per
    worker).  `task_fn` checks one chunk (work.check_chunk; a test gives one that crashes)."""
    dask, Client, LocalCluster, as_completed = _dask()
    cluster = None
    info: dict = {}
    with dask.config.set(WORKER_CONFIG):
        try:
            if address:
                try:
                    client = Client(address, timeout="20s")
                except (OSError, TimeoutError) as exc:
                    raise EngineError(msg("无法连接 Dask 调度器 {a}（{e}）", "cannot connect to the Dask scheduler {a} ({e})",
                                          a=address, e=exc)) from None
            else:
                cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
                client = Client(cluster)
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001 - a cluster that does not start: one line
            raise EngineError(msg("无法启动 Dask 集群（{t}: {e}）", "the Dask cluster could not be started ({t}: {e})",
                                  t=type(exc).__name__, e=exc)) from None
        try:
            nworkers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})) or jobs)
            info["workers"] = nworkers
            if on_start:
                on_start(nworkers, client)
            todo = chunks(tasks, nworkers)
            todo.reverse()
            window = window or nworkers * 4
            ac = as_completed()
            meta = {}         # key of a task in flight → (its chunk, whether it runs alone)
            suspects = []     # single files whose task was lost with a worker (see _lost)

            def submit(chunk, alone=False):
                fut = client.submit(task_fn, chunk, pure=False)
                meta[fut.key] = (chunk, alone)
                ac.add(fut)

            def fill():
                if suspects:   # wait until nothing else runs, then run one suspect alone
                    if not meta:
                        submit([suspects.pop()], alone=True)
                    return
                while todo and len(meta) < window:
                    submit(todo.pop())

            fill()
            for fut in ac:
                chunk, alone = meta.pop(fut.key)
                try:
                    recs = fut.result()
                except Exception as exc:  # noqa: BLE001 - the task failed as a whole
                    recs = []
                    if len(chunk) > 1:
                        for t in reversed(chunk):
                            todo.append([t])
                    elif _lost(exc) and not alone:
                        suspects.append(chunk[0])
                    else:
                        recs = [_failed(chunk[0], exc)]
                fut.release()
                if recs:
                    sink(recs)
                if stop is not None and stop():
                    break
                fill()
            try:  # what each worker used (runs.info; the benchmark reports it)
                from .work import process_usage
                usage = client.run(process_usage)
                info["worker_peak_mb"] = {w: u["peak_mb"] for w, u in usage.items()}
                info["worker_cpu_s"] = {w: u["cpu_s"] for w, u in usage.items()}
            except Exception:  # noqa: BLE001 - facts for the record only
                pass
        finally:
            try:
                client.close()
            finally:
                if cluster is not None:
                    cluster.close()
    return info


def default_jobs() -> int:
    return os.cpu_count() or 1
