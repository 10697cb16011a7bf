"""Helpers for the workflow tests: run the CLI in this process and capture what it prints."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
SEED = CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt"      # table 三 does not balance (A301, A303)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch):
    """cli(*args, stdin=None, cwd=None) -> Run(code, out, err); GITHUB_ACTIONS unset."""
    from validator.cli import main

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(*args, stdin: bytes | None = None, cwd: Path | None = None) -> Run:
        out, err = io.StringIO(), io.StringIO()
        if cwd is not None:
            monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        code = main([str(a) for a in args])
        monkeypatch.setattr(sys, "stdout", sys.__stdout__)
        monkeypatch.setattr(sys, "stderr", sys.__stderr__)
        return Run(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def check_tasks(cli, monkeypatch):
    """check_tasks(*args) -> the tasks `xxgk-lint check --exit-zero *args` gives the runner."""
    from validator import runner

    def tasks(*args) -> list:
        seen = []
        real = runner.run

        def run(tasks, jobs, **kw):
            seen.extend(tasks)
            return real(tasks, jobs, **kw)
        monkeypatch.setattr(runner, "run", run)
        cli("check", "--exit-zero", *args)
        monkeypatch.setattr(runner, "run", real)
        return seen

    return tasks


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
