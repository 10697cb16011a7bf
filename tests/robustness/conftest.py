"""Hypothesis profiles for the robustness suite (issue 6).

* ``ci`` (default): few examples per property, no per-example deadline, so the whole suite
  stays within seconds on a 2-core runner;
* ``dev``: more examples, for a run by hand before a release;
* ``fuzz``: many examples — ``HYPOTHESIS_PROFILE=fuzz .venv/bin/pytest tests/robustness``.

Every property runs the pipeline with a per-file time limit (Options.timeout), so a hang
shows up as a P091 finding, which the properties treat as a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / ".venv" / "bin" / "xxgk-lint"

_common = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=25, derandomize=True, **_common)   # same examples every run
settings.register_profile("dev", max_examples=300, **_common)
settings.register_profile("fuzz", max_examples=5000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def cli(*args, input=None, timeout=120, cwd=None, max_memory_mb=None):
    """Run the installed command line the way a user does (optionally within an address-space
    limit, to see that a memory blow-up is answered cleanly rather than by the OOM killer)."""
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "validator"]
    pre = None
    if max_memory_mb:
        def pre():
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (max_memory_mb << 20, max_memory_mb << 20))
    return subprocess.run(exe + [str(a) for a in args], capture_output=True, input=input,
                          timeout=timeout, cwd=cwd, preexec_fn=pre)


def assert_clean(r, *, allowed=(0, 1, 2)):
    """Exit code 0/1/2, no traceback, and exit 2 comes with a one-line error."""
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode in allowed, (r.returncode, err[-2000:])
    assert "Traceback" not in err, err[-4000:]
    if r.returncode == 2:
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        assert len(lines) == 1, err
    # the CLI turns an unexpected exception into a one-line "内部错误" (internal error): for
    # these tests that is still a crash of the pipeline
    out = r.stdout.decode("utf-8", "replace") if isinstance(r.stdout, bytes) else (r.stdout or "")
    assert "内部错误" not in err + out, (err + out)[-2000:]
    return err


@pytest.fixture()
def run_cli():
    return cli


def run_measured(*args, timeout=120):
    """Run the installed command line in a fresh interpreter that measures it: returns
    (CompletedProcess, seconds, peak resident MB of the command and its workers)."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "dt = time.perf_counter() - t\n"
        "mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "sys.stdout.buffer.write(r.stdout); sys.stderr.buffer.write(r.stderr)\n"
        "sys.stderr.write(f'\\n@@ {r.returncode} {dt:.3f} {mb:.1f}\\n')\n"
    )
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "validator"]
    r = subprocess.run([sys.executable, "-c", code, *exe, *[str(a) for a in args]],
                       capture_output=True, timeout=timeout)
    err, _, tail = r.stderr.decode("utf-8", "replace").rpartition("\n@@ ")
    rc, secs, mb = tail.split()
    return subprocess.CompletedProcess(args, int(rc), r.stdout, err.encode("utf-8")), float(secs), float(mb)
