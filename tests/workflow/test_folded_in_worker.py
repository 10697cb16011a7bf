"""For an output that shows a folded finding as one and never the findings it stands for
(concise, rich, GitHub, JUnit), a worker folds the findings itself and sends back the folded
finding without its members (``cells``): half of a batch's findings are blank cells of a few
reports' tables, pickled, sent and unpickled one by one only to be folded in the main process.
Not when anything in the main process needs them one by one: JSON and SARIF (``cells``), the
baseline (matched cell by cell), --show-all, --verbose, the comparison of reports."""

from __future__ import annotations

import io
import shutil

from validator.lint import Options
from validator.reporters import NO_CELLS, get, names, shows_cells
from validator.reporters.fold import fold
from validator.rules import load_rules
from validator.runner import check_one

from .conftest import CORPUS, SEED

TWO = [CORPUS / "reports" / "009_hongzequ_2023.txt", SEED]


def test_only_json_and_sarif_show_the_members_of_a_folded_finding():
    assert {n for n in names() if shows_cells(n)} == {"json", "sarif"}
    assert NO_CELLS == {"concise", "rich", "github", "junit"}


def _opts():
    opts = Options()
    opts.english = False
    return opts


def _render(fmt, res):
    res.findings = fold(res.findings, load_rules())     # as cliux.present does, folded there or not
    out = io.StringIO()
    get(fmt)([res], out, lang="zh", quiet=False, color=False, rules=load_rules(), fail_on="error", baseline=0)
    return out.getvalue()


def test_a_file_folded_in_its_worker_is_shown_the_same():
    for lines in (False, True):
        members = check_one((str(SEED), _opts(), False, lines, False))
        folded = check_one((str(SEED), _opts(), False, lines, False, True))
        assert len(folded.findings) < len(members.findings) - 100      # the 145 blank cells of 表三: one
        assert not any(f.cells for f in folded.findings)               # sent without them
        assert [f.rule for f in fold(members.findings, load_rules())] == [f.rule for f in folded.findings]
        for fmt in sorted(NO_CELLS):
            assert _render(fmt, folded) == _render(fmt, check_one((str(SEED), _opts(), False, lines, False))), fmt
        assert "145" in _render("concise", folded)


def test_only_outputs_without_the_members_and_nothing_needing_them_fold_in_the_worker(check_tasks, tmp_path):
    for p in TWO:
        shutil.copy(p, tmp_path / p.name)
    fold_there = lambda *a: {t[5] for t in check_tasks("--jobs", "2", *a, tmp_path)}   # noqa: E731
    assert fold_there("--no-cross", "-o", "concise") == {True}
    assert fold_there("--no-cross", "-o", "rich") == {True}
    assert fold_there("--no-cross", "-o", "json") == {False}
    assert fold_there("--no-cross", "-o", "sarif") == {False}
    assert fold_there("-o", "concise") == {False}                     # reports compared: cross findings join them
    assert fold_there("--no-cross", "-o", "concise", "--show-all") == {False}
    assert fold_there("--no-cross", "-o", "concise", "--verbose") == {False}
    bl = tmp_path / "bl.json"
    assert fold_there("--no-cross", "-o", "concise", "--write-baseline", bl) == {False}
    assert fold_there("--no-cross", "-o", "concise", "--baseline", bl) == {False}


def test_outputs_of_a_batch_are_the_same_with_every_member_sent(cli, tmp_path, monkeypatch):
    for p in TWO:
        shutil.copy(p, tmp_path / p.name)
    fmts = ("concise", "rich", "github", "junit")
    runs = [("--no-cross", "-o", fmt) for fmt in fmts] + [("--no-cross", "--statistics")]

    def outs():
        return {r: cli("check", "--no-color", "--jobs", "2", *r, tmp_path).out for r in runs}
    before = outs()
    import validator.reporters as reporters
    monkeypatch.setattr(reporters, "shows_cells", lambda name: True)    # every output given every member
    after = outs()
    assert before == after and "145" in before[("--no-cross", "-o", "concise")]
