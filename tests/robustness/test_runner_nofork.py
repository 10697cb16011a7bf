"""Where there is no fork (Windows), a run of many files checks them in this process, one after
another (validator/runner.py, run): the worker processes' pipes and the wait on them are POSIX's
(selectors over descriptors, framed reads and writes).  The results are those of a run with
worker processes, in the same order; an interrupt keeps the files checked so far."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from validator import runner
from validator.lint import Options

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
REPORTS = sorted(CORPUS.glob("*.txt"))[:5]


def _tasks(tmp_path):
    paths = []
    for i, src in enumerate(REPORTS):
        dst = tmp_path / f"{i:02d}_{src.name}"
        shutil.copy(src, dst)
        paths.append(str(dst))
    return [(p, Options(english=False), False) for p in paths]


def _no_workers(*_a, **_kw):
    raise AssertionError("a worker process was started on a platform without fork")


def _shape(outcome):
    return [(r.path, r.error, [(f.rule, f.location.line, f.location.column, f.message) for f in r.findings])
            for r in outcome.results]


def test_without_fork_many_files_are_checked_here_in_order_with_the_results_of_workers(tmp_path, monkeypatch):
    tasks = _tasks(tmp_path)
    with_workers = runner.run(tasks, 2)
    assert all(r is not None and r.findings for r in with_workers.results)
    monkeypatch.delattr(os, "fork")
    monkeypatch.setattr(runner, "_start", _no_workers)
    done = []
    here = runner.run(tasks, 2, on_done=done.append)
    assert done == list(range(len(tasks)))
    assert here.interrupted is None
    assert _shape(here) == _shape(with_workers)


def test_without_fork_an_interrupt_keeps_the_files_checked_before_it(tmp_path, monkeypatch):
    import validator.lint as lint
    tasks = _tasks(tmp_path)
    real = lint.lint_path

    def interrupted_at_the_third(path, *a, **kw):
        if str(path) == tasks[2][0]:
            raise KeyboardInterrupt
        return real(path, *a, **kw)

    monkeypatch.delattr(os, "fork")
    monkeypatch.setattr(runner, "_start", _no_workers)
    monkeypatch.setattr(lint, "lint_path", interrupted_at_the_third)
    out = runner.run(tasks, 2)
    assert out.interrupted == "SIGINT"
    assert [r is not None for r in out.results] == [True, True, False, False, False]
    assert len(out.done) == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_without_fork_the_check_command_gives_the_same_output(tmp_path, monkeypatch, jobs):
    import io
    import sys

    from validator.cli import main
    site = tmp_path / "site"
    site.mkdir()
    for src in REPORTS:
        shutil.copy(src, site / src.name)

    def run():
        out, err = io.StringIO(), io.StringIO()
        old = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            code = main(["check", "--no-cross", "-o", "json", "--jobs", str(jobs), str(site)])
        finally:
            sys.stdout, sys.stderr = old
        return code, out.getvalue(), err.getvalue()

    forked = run()
    monkeypatch.delattr(os, "fork")
    monkeypatch.setattr(runner, "_start", _no_workers)
    assert run() == forked
