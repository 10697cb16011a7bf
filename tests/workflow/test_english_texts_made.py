"""A finding's English texts (message_en, suggestion_en) are made only when the output is in
English: ``check`` in Chinese (the default) never reads them, and they were two fifths of the
bytes a worker sends back per file (issue 15).  The Chinese texts, places and numbers are the
same either way; ``--lang en`` still shows every English text; the library default
(Options().english) keeps making both, for callers that show either (audit, the web page)."""

from __future__ import annotations

import shutil

import pytest

from validator.lint import Options, lint_path
from validator.rules import load_rules

from .conftest import CORPUS, SEED

REPORTS = [SEED] + sorted((CORPUS / "reports").glob("*.txt"))[:6]


def _zh(f) -> dict:
    d = f.to_dict("zh")
    d["section"], d["table"], d["row"], d["col"] = f.section, f.table, f.row, f.column
    return d


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_without_english_texts_the_chinese_findings_are_the_same(path):
    rules = load_rules(())
    both = lint_path(str(path), Options(), rules).findings
    zh_only = lint_path(str(path), Options(english=False), rules).findings
    assert [_zh(f) for f in zh_only] == [_zh(f) for f in both]
    assert all(f.message_en is None and f.suggestion_en is None for f in zh_only)


def test_the_corpus_findings_have_english_texts_by_default():
    """Not a vacuous comparison above: the default makes the English texts (and they differ)."""
    rules = load_rules(())
    made = [f for p in REPORTS for f in lint_path(str(p), Options(), rules).findings]
    assert len(made) > 20
    assert all(f.message_en and f.message_en != f.message for f in made)
    assert any(f.suggestion_en for f in made)


def _copy(tmp_path):
    for p in REPORTS:
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


def _forcing_english(monkeypatch):
    """The runner made to check every file with both languages' texts (as before)."""
    import validator.runner as runner
    real = runner.run

    def run(tasks, *a, **kw):
        for t in tasks:
            t[1].english = True
        return real(tasks, *a, **kw)

    monkeypatch.setattr(runner, "run", run)


@pytest.mark.parametrize("fmt", ["json", "concise", "sarif"])
def test_check_output_is_the_same_as_with_both_languages_made(cli, tmp_path, monkeypatch, fmt):
    """Through the workers, pickling, folding and the cross step: what check prints, in either
    language, is what it printed when every finding carried both languages' texts."""
    d = _copy(tmp_path)
    runs = {}
    for lang in ("zh", "en"):
        args = ("--lang", lang, "check", "-o", fmt, "--exit-zero", "--jobs", "2", d)
        runs[lang] = cli(*args)
        with monkeypatch.context() as m:
            _forcing_english(m)
            assert cli(*args).out == runs[lang].out
    assert runs["zh"].out.count("\n") > 20
    assert runs["en"].out != runs["zh"].out and "Table 3" in runs["en"].out and "表三" in runs["zh"].out


def test_check_in_chinese_asks_the_workers_for_no_english_text(cli, tmp_path, monkeypatch):
    """What the CLI hands the runner: english off for a Chinese output, on for --lang en (also
    when the language comes from the environment)."""
    import validator.runner as runner
    seen = []
    real = runner.run

    def spy(tasks, *a, **kw):
        seen.extend(t[1].english for t in tasks)
        return real(tasks, *a, **kw)

    monkeypatch.setattr(runner, "run", spy)
    d = _copy(tmp_path)
    cli("check", "-o", "json", "--exit-zero", "--jobs", "2", d)
    assert seen and not any(seen)
    seen.clear()
    cli("check", "-o", "json", "--exit-zero", "--lang", "en", "--jobs", "2", d)
    assert seen and all(seen)
    seen.clear()
    monkeypatch.setenv("XXGK_LINT_LANG", "en")
    cli("check", "-o", "json", "--exit-zero", "--jobs", "2", d)
    assert seen and all(seen)
