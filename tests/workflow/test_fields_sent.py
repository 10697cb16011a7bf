"""An output that reads only some fields of a finding says which (``register(reads=)``:
concise and JUnit their place, rule, severity, text and the places in other files, GitHub also
the rule's name); a worker that folded the findings sends back only those (LiteResult.of,
findings.sent_args), every other field None: the basis, suggestion, section, table, row and
numbers no line shows are most of a finding's bytes.  The output is the same; a field an
output reads that its contract leaves out fails here."""

from __future__ import annotations

import io
import pickle
import shutil
from dataclasses import fields

from validator.findings import LINE_FIELDS, Finding, RelatedLocation
from validator.lint import Options, worst
from validator.reporters import READS, get, names, reads, shows_cells
from validator.reporters.common import summary
from validator.reporters.fold import fold
from validator.rules import load_rules
from validator.runner import LiteResult, check_one
from validator.source import Location

from .conftest import CORPUS, SEED

FILES = [SEED, *sorted((CORPUS / "reports").glob("*.txt"))]


def test_the_outputs_that_read_only_some_fields_and_which():
    names()   # every output registered
    assert READS == {"concise": LINE_FIELDS, "junit": LINE_FIELDS, "github": LINE_FIELDS + ("name",)}
    known = {f.name for f in fields(Finding)}
    for fmt in names():
        wanted = reads(fmt)
        if wanted is not None:
            assert not shows_cells(fmt), fmt            # only sent by a worker that folded the findings
            assert len(wanted) >= 2 and set(wanted) <= known, fmt    # findings.sent_args takes two or more


class _Unread:
    """A field an output's contract leaves out: any use of it fails the test."""

    def _read(self, *_a, **_k):
        raise AssertionError("an output read a field of a finding its reads= leaves out")

    __bool__ = __str__ = __format__ = __eq__ = __hash__ = __iter__ = __len__ = __getattr__ = _read
    __getitem__ = __contains__ = __lt__ = __gt__ = __add__ = __radd__ = _read


def _sent(lite, wanted):
    """``lite`` as a worker sends it with ``wanted`` fields, and its fields left out made unreadable."""
    lite.fields = wanted
    back = pickle.loads(pickle.dumps(lite))
    assert back.fields is None and len(back.findings) == len(lite.findings)
    # what the main process does before the output: present() folds — nothing is left to fold
    # (the worker folded them, and a group is not sent)
    back.findings = fold(back.findings, load_rules())
    for f in back.findings:
        for name in {x.name for x in fields(Finding)} - set(wanted):
            assert getattr(f, name) is None, name
            setattr(f, name, _Unread())
    return back


def _render(fmt, results, lang, quiet=False):
    out = io.StringIO()
    get(fmt)(results, out, lang=lang, quiet=quiet, color=False, rules=load_rules(), fail_on="warning", baseline=0)
    return out.getvalue()


def _opts(lang):
    opts = Options()
    opts.english = lang == "en"
    return opts


def _synthetic():
    """Everything the real batches here lack: a place in another file, a PDF page and place
    description, an end position, an English text, an unreadable file."""
    fs = [Finding("C301", "consistency", "warning", "与上年不一致", "a.txt", Location(5, 1, 5, 9, page=2, where="第2页 表格1"),
                  "c301-name", "differs from last year", section="二", table="表三", row="自然人", column="总计",
                  numbers={"lhs": 1}, basis="条例", suggestion="改", suggestion_en="fix", group="g", other="x",
                  related=[Location(2, 1), RelatedLocation(9, 2, path="上年.txt", where="第1页")]),
          Finding("A302", "arithmetic", "error", "表三不平衡", "a.txt", Location(3, 1), "a302-name")]
    return [LiteResult("a.txt", fs), LiteResult("b.txt", [], error="b.txt: 无法读取")]


def test_outputs_from_the_fields_they_read_are_the_same():
    rules = load_rules()
    names()
    for lang in ("zh", "en"):
        whole = [check_one((str(p), _opts(lang), False, False, False, True)) for p in FILES]
        assert sum(len(r.findings) for r in whole) > 50 and any(f.group for r in whole for f in r.findings)
        for r in whole:    # present() folds again: nothing changes (the lean findings carry no group)
            assert [id(f) for f in fold(r.findings, rules)] == [id(f) for f in r.findings]
        for fmt, wanted in sorted(READS.items()):
            lean = [_sent(check_one((str(p), _opts(lang), False, False, False, True, wanted)), wanted) for p in FILES]
            for quiet in (False, True):
                assert _render(fmt, lean, lang, quiet) == _render(fmt, whole, lang, quiet), (fmt, lang, quiet)
            assert summary(lean, lang) == summary(whole, lang)
            assert [worst(r.findings) for r in lean] == [worst(r.findings) for r in whole]
            synthetic = _render(fmt, _synthetic(), lang)
            assert _render(fmt, [_sent(r, wanted) for r in _synthetic()], lang) == synthetic, (fmt, lang)
            assert "上年.txt:9:2" in synthetic


def test_a_result_sends_every_field_unless_told():
    lite = check_one((str(SEED), _opts("zh"), False, False, False, True))
    back = pickle.loads(pickle.dumps(lite))
    assert [f.to_dict() for f in back.findings] == [f.to_dict() for f in lite.findings]
    # only with the findings folded there (nothing else in the main process reads them then)
    assert check_one((str(SEED), _opts("zh"), False, False, False, False, LINE_FIELDS)).fields is None


def test_the_check_command_sends_the_fields_the_output_reads_only_with_the_findings_folded_there(
        check_tasks, tmp_path):
    for p in FILES[:2]:
        shutil.copy(p, tmp_path / p.name)
    sent = lambda *a: {t[6] for t in check_tasks("--jobs", "2", *a, tmp_path)}   # noqa: E731
    assert sent("--no-cross", "-o", "concise") == {LINE_FIELDS}
    assert sent("--no-cross", "-o", "junit") == {LINE_FIELDS}
    assert sent("--no-cross", "-o", "github") == {LINE_FIELDS + ("name",)}
    assert sent("--no-cross", "-o", "rich") == {None}
    assert sent("--no-cross", "-o", "json") == {None}
    assert sent("--no-cross", "-o", "concise", "--statistics") == {None}    # the rules' names
    assert sent("-o", "concise") == {None}                                   # reports compared
    assert sent("--no-cross", "-o", "concise", "--show-all") == {None}
    bl = tmp_path / "bl.json"
    assert sent("--no-cross", "-o", "concise", "--write-baseline", bl) == {None}
    assert sent("--no-cross", "-o", "concise", "--baseline", bl) == {None}


def test_outputs_of_a_batch_are_the_same_with_every_field_sent(cli, tmp_path, monkeypatch):
    for p in FILES[:4]:
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00")
    runs = [("--no-cross", "-o", fmt, *more) for fmt in ("concise", "github", "junit") for more in ((), ("-q",))]
    runs += [("--no-cross", "--fail-on", "warning", "-o", "concise"), ("--no-cross", "--lang", "en", "-o", "concise")]

    def outs():
        got = {}
        for r in runs:
            run = cli("check", "--no-color", "--jobs", "2", *r, tmp_path, tmp_path / "missing.txt")
            got[r] = (run.code, run.out, run.err)
        return got
    before = outs()
    import validator.reporters as reporters
    monkeypatch.setattr(reporters, "reads", lambda name: None)    # every output sent every field
    assert outs() == before
