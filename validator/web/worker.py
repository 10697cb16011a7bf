"""Run each check in a worker process with a hard time limit.

A check that runs past the limit (a pathological PDF, say) is stopped by killing its worker
process, which is then replaced; the server itself never blocks on it.  Uploaded bytes go to
the worker through a pipe, never through a file.  ``size=0`` runs checks in the calling
thread (no hard limit; used by fast tests and where processes are not wanted).
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import queue
import threading

DEFAULT_FUNC = "validator.web.engine:check"


class CheckTimeout(Exception):
    pass


class CheckBusy(Exception):
    pass


class CheckCrashed(Exception):
    pass


def _resolve(func: str):
    mod, _, name = func.partition(":")
    return getattr(importlib.import_module(mod), name)


def _worker_main(conn, func: str) -> None:  # pragma: no cover - runs in the child process
    fn = _resolve(func)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            out = fn(*job)
        except Exception as exc:  # the page shows one line, never a traceback
            out = {"ok": False, "error": f"检查时出现内部错误（{type(exc).__name__}: {exc}）"}
        try:
            conn.send(out)
        except (OSError, ValueError):
            return


class _Slot:
    def __init__(self, ctx, func: str):
        self.ctx = ctx
        self.func = func
        self.proc = None
        self.conn = None
        self.start()

    def start(self) -> None:
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker_main, args=(child, self.func), daemon=True,
                                     name="xxgk-lint-web-check")
        self.proc.start()
        child.close()
        self.conn = parent

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(2)
        finally:
            try:
                self.conn.close()
            except OSError:
                pass

    def restart(self) -> None:
        self.kill()
        self.start()


class CheckPool:
    """A fixed number of worker processes; ``run`` blocks (call it from a thread)."""

    def __init__(self, size: int = 2, timeout: float = 60.0, func: str = DEFAULT_FUNC):
        self.size = size
        self.timeout = timeout
        self.func = func
        self._free: queue.Queue = queue.Queue()
        self._slots: list[_Slot] = []
        self._lock = threading.Lock()
        self._inline = _resolve(func) if size <= 0 else None

    def start(self) -> None:
        if self.size <= 0 or self._slots:
            return
        ctx = mp.get_context("spawn")  # no fork of a threaded server
        with self._lock:
            for _ in range(self.size):
                s = _Slot(ctx, self.func)
                self._slots.append(s)
                self._free.put(s)

    def close(self) -> None:
        with self._lock:
            for s in self._slots:
                s.kill()
            self._slots.clear()

    def run(self, *job) -> dict:
        if self._inline is not None:
            return self._inline(*job)
        if not self._slots:
            self.start()
        try:
            slot = self._free.get(timeout=self.timeout)
        except queue.Empty:
            raise CheckBusy() from None
        try:
            try:
                slot.conn.send(job)
                if not slot.conn.poll(self.timeout):
                    slot.restart()
                    raise CheckTimeout()
                return slot.conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                slot.restart()
                raise CheckCrashed() from None
        finally:
            self._free.put(slot)
