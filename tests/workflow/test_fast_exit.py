"""A check run by the console script leaves with ``os._exit`` (cli.entry): what the check
holds at its end (every file's result and task) is kept for the exit instead of being freed
object by object as the check returns; ``main()`` called in a process that goes on keeps nothing."""

from __future__ import annotations

import sys

import pytest

from validator import cli

from .conftest import CORPUS

REPORTS = [str(p) for p in sorted((CORPUS / "reports").glob("*.txt"))[:3]]


class _Left(Exception):
    pass


def test_main_in_a_process_that_goes_on_keeps_nothing(capsys):
    assert cli.main(["check", "--jobs", "1", "--exit-zero", "-q", *REPORTS]) == 0
    assert cli._KEPT == [] and not cli._LEAVING[0]


def test_the_console_script_keeps_the_results_for_its_exit(monkeypatch, capsys):
    argv = ["check", "--jobs", "2", "-q", "-o", "concise", *REPORTS]
    want = cli.main(argv)                    # the same check in-process: its exit code
    codes = []

    def leave(code):
        codes.append(code)
        raise _Left

    monkeypatch.setattr(cli.os, "_exit", leave)
    monkeypatch.setattr(sys, "argv", ["xxgk-lint", *argv])
    monkeypatch.setattr(cli, "_LEAVING", [False])
    monkeypatch.setattr(cli, "_KEPT", [])
    monkeypatch.setattr(cli, "_FAST_EXIT", [False])
    with pytest.raises(_Left):
        cli.entry()
    assert codes == [want]                   # the exit code of the same check
    (results, outcome, tasks, _per_file, _settings), = cli._KEPT
    assert [r.path for r in results] == [t[0] for t in tasks] == REPORTS
    assert all(r.findings for r in results)
    assert capsys.readouterr().out.count(REPORTS[0]) >= 1
