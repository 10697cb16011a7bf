"""A checked file's original lines go back from the worker only when the output shows them
(rich, not --quiet): concise, JSON, SARIF … print no source line, so the results carry none
(less to pickle, send and hold for a batch); the rich output still shows every line."""

from __future__ import annotations

import shutil

from validator.lint import Options
from validator.reporters import SHOWS_SOURCE, names, shows_source
from validator.runner import check_one

from .conftest import CORPUS, SEED

TWO = [CORPUS / "reports" / "009_hongzequ_2023.txt", SEED]


def test_only_the_rich_output_shows_source_lines():
    assert shows_source("rich")
    assert not any(shows_source(n) for n in names() if n != "rich")
    assert SHOWS_SOURCE == {"rich"}


def test_a_result_without_lines_keeps_its_findings_and_no_line():
    with_lines = check_one((str(SEED), Options(), False, True))
    without = check_one((str(SEED), Options(), False, False))
    assert with_lines.findings and [f.to_dict() for f in without.findings] == [f.to_dict() for f in with_lines.findings]
    wanted = {f.location.line for f in with_lines.findings}
    assert wanted <= set(with_lines.source.original_lines)
    assert without.source.original_lines == {}
    assert without.source.encoding == with_lines.source.encoding and without.source.format == with_lines.source.format
    assert check_one((str(SEED), Options())).source.original_lines == with_lines.source.original_lines   # default: kept


def test_rich_output_of_a_batch_still_shows_the_lines(cli, tmp_path):
    for p in TWO:
        shutil.copy(p, tmp_path / p.name)
    res = cli("check", "-o", "rich", "--no-color", "--jobs", "2", tmp_path)
    seed_lines = SEED.read_text(encoding="utf-8").split("\n")
    first = check_one((str(tmp_path / SEED.name), Options(), False, True)).findings[0]
    line = seed_lines[first.location.line - 1].strip()
    assert line and line[:20] in res.out


def test_concise_and_json_outputs_are_the_same_without_the_lines(cli, tmp_path, monkeypatch):
    for p in TWO:
        shutil.copy(p, tmp_path / p.name)
    before = {fmt: cli("check", "-o", fmt, "--jobs", "2", tmp_path).out for fmt in ("concise", "json", "sarif")}
    import validator.reporters as reporters
    monkeypatch.setattr(reporters, "shows_source", lambda name: True)    # every output given the lines
    after = {fmt: cli("check", "-o", fmt, "--jobs", "2", tmp_path).out for fmt in ("concise", "json", "sarif")}
    assert before == after and before["concise"].count("\n") > 5
