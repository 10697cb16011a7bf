"""A finding's related places in its own file (the cells of a sum that does not add up) go
back from the worker only when the output lists them (JSON, SARIF): concise, rich, GitHub and
JUnit show only places in other files, so a finding whose related places are all in its own
file comes back without them (less to pickle, send and unpickle); their output is the same."""

from __future__ import annotations

import io
import shutil

from validator.findings import Finding, RelatedLocation
from validator.lint import Options
from validator.reporters import OTHER_FILES_ONLY, get, lists_related, names
from validator.reporters.fold import fold
from validator.rules import load_rules
from validator.runner import LiteResult, check_one
from validator.source import Location

from .conftest import CORPUS, SEED

TWO = [CORPUS / "reports" / "009_hongzequ_2023.txt", SEED]


def test_only_json_and_sarif_list_the_related_places_in_the_file_itself():
    assert {n for n in names() if lists_related(n)} == {"json", "sarif"}
    assert OTHER_FILES_ONLY == {"concise", "rich", "github", "junit"}


def _result(related_of):
    """A result with an equation finding (places in its own file), a finding that points at
    another file too, and a folding group, each related list given by ``related_of``."""
    here = [Location(3, 5), Location(4, 7, 4, 9)]
    there = [Location(2, 1), RelatedLocation(9, 2, path="上年.txt", where="第1页")]
    fs = [Finding("A302", "arithmetic", "error", "表三不平衡", "a.txt", Location(3, 1), related=related_of(here)),
          Finding("C301", "consistency", "warning", "与上年不一致", "a.txt", Location(5, 1), related=related_of(there)),
          Finding("F502", "format", "info", "空白", "a.txt", Location(6, 2), table="表三", row="自然人",
                  column="总计", group="blank", related=related_of(here[:1])),
          Finding("F502", "format", "info", "空白", "a.txt", Location(6, 4), table="表三", row="自然人",
                  column="商业企业", group="blank")]
    return LiteResult("a.txt", fs)


def _out(fmt, res, folded):
    out = io.StringIO()
    if folded:
        res.findings = fold(res.findings, load_rules())
    get(fmt)([res], out, lang="zh", quiet=False, color=False, rules=load_rules(), fail_on="error", baseline=0)
    return out.getvalue()


def test_outputs_of_other_files_only_are_the_same_without_the_places_in_the_file():
    dropped = lambda rel: [] if not any(getattr(r, "path", None) for r in rel) else list(rel)   # noqa: E731
    for fmt in sorted(OTHER_FILES_ONLY):
        for folded in (False, True):
            whole, lean = _out(fmt, _result(list), folded), _out(fmt, _result(dropped), folded)
            assert whole == lean and "上年.txt:9:2" in whole, fmt
    assert _out("json", _result(list), False) != _out("json", _result(dropped), False)   # JSON lists them


def test_a_result_for_other_files_only_keeps_lists_with_another_file_whole():
    res = _result(list)
    lite = LiteResult.of(res, False, related=False)
    assert [len(f.related) for f in lite.findings] == [0, 2, 0, 0]     # the second points at 上年.txt


def test_a_checked_file_loses_only_its_places_in_the_file_itself():
    whole = check_one((str(SEED), Options(), False, False))
    lean = check_one((str(SEED), Options(), False, False, False))
    assert any(f.related for f in whole.findings)
    assert [(f.rule, f.message, f.location) for f in lean.findings] == [(f.rule, f.message, f.location) for f in whole.findings]
    assert not any(f.related for f in lean.findings)
    assert [f.related for f in check_one((str(SEED), Options())).findings] == [f.related for f in whole.findings]   # default: kept


def test_outputs_of_a_batch_are_the_same_with_every_place_sent(cli, tmp_path, monkeypatch):
    for p in TWO:
        shutil.copy(p, tmp_path / p.name)
    fmts = ("concise", "rich", "github", "junit", "json")
    before = {fmt: cli("check", "-o", fmt, "--no-color", "--jobs", "2", tmp_path).out for fmt in fmts}
    import validator.reporters as reporters
    monkeypatch.setattr(reporters, "lists_related", lambda name: True)    # every output given every place
    after = {fmt: cli("check", "-o", fmt, "--no-color", "--jobs", "2", tmp_path).out for fmt in fmts}
    assert before == after and before["concise"].count("\n") > 5
