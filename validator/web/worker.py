"""Run each check in a worker process with a hard time limit.

A check that runs past the limit (a pathological PDF, say) is stopped by killing its worker
process, which is then replaced; the server itself never blocks on it.  Uploaded bytes go to
the worker through a pipe (length-prefixed pickles on its stdin/stdout), never through a
file.  ``size=0`` runs checks in the calling
thread (no hard limit; used by fast tests and where processes are not wanted).
"""

from __future__ import annotations

import importlib
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
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


def _send(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(data)))
    stream.write(data)
    stream.flush()


def _recv(stream):
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    (n,) = struct.unpack(">Q", head)
    data = stream.read(n)
    if len(data) < n:
        raise EOFError
    return pickle.loads(data)  # only ever from our own worker / parent process


MEMORY_ENV = "XXGK_WEB_WORKER_MEMORY"   # bytes a worker may add to its size at start (0: none)


def _memory_message(limit) -> str:
    from ..limits import memory_exceeded
    return memory_exceeded(limit).detail.replace("（上限可用 --max-memory 调整）", "")


def main(argv=None) -> int:  # pragma: no cover - runs in the worker process
    """Worker loop (`python -m validator.web._child FUNC`); jobs on stdin, results on stdout."""
    from ..limits import DEFAULT_MAX_MEMORY, apply_memory_limit, caused_by_memory
    argv = sys.argv[1:] if argv is None else argv
    fn = _resolve(argv[0] if argv else DEFAULT_FUNC)
    try:
        extra = int(os.environ.get(MEMORY_ENV, DEFAULT_MAX_MEMORY))
    except ValueError:
        extra = DEFAULT_MAX_MEMORY
    warm = getattr(importlib.import_module(fn.__module__), "warm", None)
    if warm is not None:  # load the engine and the rules now, not on the first upload
        try:
            warm()
        except Exception:  # pragma: no cover - the first check will report it
            pass
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the result stream
    apply_memory_limit(extra)   # after warming up: the limit is on what one check adds
    while True:
        try:
            job = _recv(inp)
        except (EOFError, OSError, KeyboardInterrupt):
            return 0
        if job is None:
            return 0
        leaving = False
        try:
            res = fn(*job)
        except MemoryError:
            res, leaving = None, True     # let the check's memory go first
            res = {"ok": False, "error": _memory_message(extra), "_leaving": True}
        except Exception as exc:  # the page shows one line, never a traceback
            if caused_by_memory(exc):
                res, leaving = {"ok": False, "error": _memory_message(extra), "_leaving": True}, True
            else:
                msg = str(exc).split("\n", 1)[0][:300]
                res = {"ok": False, "error": f"检查时出现内部错误（{type(exc).__name__}: {msg}）"}
        job = None
        try:
            _send(out, res)
        except (OSError, ValueError, MemoryError):
            return 0
        if leaving:
            return 0     # a fresh worker after a memory blow-up; the pool starts one


class _Slot:
    """One worker process, started with the same interpreter (no fork of a threaded server)."""

    def __init__(self, func: str, max_memory: int | None = None):
        self.func = func
        self.max_memory = max_memory
        self.proc = None
        self.start()

    def start(self) -> None:
        env = dict(os.environ)
        # the worker imports this package and, for tests, the function's module, from where we do
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        if self.max_memory is not None:
            env[MEMORY_ENV] = str(int(self.max_memory))
        self.proc = subprocess.Popen([sys.executable, "-m", "validator.web._child", self.func],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def wait_result(self, timeout: float) -> bool:
        ready, _w, _x = select.select([self.proc.stdout], [], [], timeout)
        return bool(ready)

    def kill(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        for s in (self.proc.stdin, self.proc.stdout):
            try:
                s.close()
            except OSError:
                pass

    def restart(self) -> None:
        self.kill()
        self.start()


class CheckPool:
    """A fixed number of worker processes; ``run`` blocks (call it from a thread)."""

    def __init__(self, size: int = 2, timeout: float = 60.0, func: str = DEFAULT_FUNC,
                 max_memory: int | None = None):
        self.size = size
        self.timeout = timeout
        self.func = func
        self.max_memory = max_memory
        self._free: queue.Queue = queue.Queue()
        self._slots: list[_Slot] = []
        self._lock = threading.Lock()
        self._inline = _resolve(func) if size <= 0 else None

    def start(self) -> None:
        if self.size <= 0 or self._slots:
            return
        with self._lock:
            for _ in range(self.size):
                s = _Slot(self.func, self.max_memory)
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
                if slot.proc.poll() is not None:
                    slot.restart()
                _send(slot.proc.stdin, job)
                if not slot.wait_result(self.timeout):
                    slot.restart()
                    raise CheckTimeout()
                res = _recv(slot.proc.stdout)
                if isinstance(res, dict) and res.pop("_leaving", False):
                    slot.restart()    # the worker left after a memory blow-up
                return res
            except (EOFError, OSError, BrokenPipeError):
                slot.restart()
                raise CheckCrashed() from None
        finally:
            self._free.put(slot)
