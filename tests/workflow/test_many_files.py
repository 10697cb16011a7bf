"""Many files: directories, globs, .gitignore, file types, stdin, --jobs with a stable order."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

from .conftest import CORPUS, ROOT, SEED

REPORT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".pdf", ".docx")
CORPUS_FILES = sorted(str(p.relative_to(ROOT)) for p in CORPUS.rglob("*")
                      if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


def _run(*args):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, "-m", "validator", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_corpus_directory_every_file_summary_and_identical_output_for_jobs_1_and_2():
    one = _run("check", "-o", "concise", "--jobs", "1", "tests/corpus")
    two = _run("check", "-o", "concise", "--jobs", "2", "tests/corpus")
    assert one.returncode == two.returncode == 1, one.stderr
    assert one.stdout == two.stdout and one.stderr == two.stderr == ""
    lines = one.stdout.splitlines()
    sev = [re.search(r" \[(error|warning|info)\] ", ln).group(1) for ln in lines[:-1]]
    assert lines[-1] == (f"{sev.count('error')} 个错误，{sev.count('warning')} 个警告，{sev.count('info')} 个提示"
                         f"（检查了{len(CORPUS_FILES)}个文件）。")
    j1 = json.loads(_run("check", "-o", "json", "-j", "1", "tests/corpus").stdout)
    j2 = json.loads(_run("check", "-o", "json", "-j", "2", "tests/corpus").stdout)
    assert j1 == j2
    assert [f["path"] for f in j1["files"]] == CORPUS_FILES
    assert all(f["error"] is None for f in j1["files"])


def test_rich_output_is_identical_for_jobs_1_and_2(cli):
    a = cli("check", "-o", "rich", "--no-color", "-j", "1", CORPUS / "seeds")
    b = cli("check", "-o", "rich", "--no-color", "-j", "2", CORPUS / "seeds")
    assert a.out == b.out and "81 │" in a.out    # source lines reach the reporter across processes


def _tree(tmp_path):
    d = tmp_path / "site"
    for rel in ("2023/report.txt", "2023/附件/report.md", "old/2018.txt", "build/out.txt"):
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SEED, d / rel)
    (d / "notes.py").write_text("print(1)\n")
    (d / "README.md").write_text("# 网站内容\n")
    (d / "LICENSE.txt").write_text("MIT\n")
    (d / "data.csv").write_text("a,b\n")
    (d / ".hidden").mkdir()
    shutil.copy(SEED, d / ".hidden" / "x.txt")
    (d / ".git").mkdir()
    (d / ".gitignore").write_text("old/\n")
    (d / "2023" / ".gitignore").write_text("附件/*.md\n")
    return d


def test_directory_discovery_respects_gitignore_types_and_hidden_dirs(cli, tmp_path):
    d = _tree(tmp_path)
    files = cli("check", "--show-files", d).out.splitlines()
    names = sorted(os.path.relpath(f, d) for f in files)
    assert names == ["2023/report.txt", "build/out.txt"]
    files = cli("check", "--show-files", "--no-respect-gitignore", d).out.splitlines()
    assert sorted(os.path.relpath(f, d) for f in files) == ["2023/report.txt", "2023/附件/report.md",
                                                            "build/out.txt", "old/2018.txt"]


def test_globs_and_explicit_files(cli, tmp_path):
    d = _tree(tmp_path)
    out = cli("check", "--show-files", f"{d}/**/*.txt").out.splitlines()
    assert sorted(os.path.relpath(f, d) for f in out) == ["2023/report.txt", "build/out.txt", "old/2018.txt"]
    # a file named on the command line is checked whatever its extension or ignore status
    assert cli("check", "--show-files", d / "old" / "2018.txt").out.strip().endswith("2018.txt")
    assert cli("check", "--show-files", "--force-exclude", d / "old" / "2018.txt").out == ""
    assert cli("check", "--show-files", "--force-exclude", d / "README.md").out == ""   # pre-commit
    assert cli("check", "--show-files", d / "README.md").out.strip().endswith("README.md")
    r = cli("check", f"{d}/*.nothing")
    assert r.code == 2 and "没有匹配" in r.out + r.err


def test_stdin_with_stdin_filename_uses_that_name_and_its_config(cli, tmp_path):
    d = tmp_path / "site"
    d.mkdir()
    (d / ".xxgk-lint.toml").write_text('ignore = ["F502"]\n')
    data = SEED.read_bytes()
    r = cli("check", "-o", "concise", "--stdin-filename", d / "draft.txt", "-", stdin=data)
    assert f"{d / 'draft.txt'}:81:1: A301" in r.out and "F502" not in r.out
    r = cli("check", "-o", "concise", "-", stdin=data)
    assert "<stdin>:81:1: A301" in r.out and "F502" in r.out


def test_missing_file_is_one_error_line_and_the_others_are_still_checked(cli, tmp_path):
    r = cli("check", "-o", "concise", tmp_path / "nope.txt", SEED)
    assert r.code == 2
    said = [ln for ln in (r.out + r.err).splitlines() if "nope.txt" in ln]
    assert len(said) == 1 and "不存在" in said[0]
    assert f"{SEED}:81:1: A301" in r.out            # the real file was checked all the same
    assert r.out.splitlines()[-1].endswith("（检查了1个文件，1个无法读取）。")


def test_empty_selection_says_so_and_exits_2_unless_allowed(cli, tmp_path):
    r = cli("check", tmp_path)
    assert r.code == 2 and "没有找到" in r.err and r.out == ""
    r = cli("check", "--allow-empty", tmp_path)
    assert r.code == 0 and "没有找到" in r.err


def test_a_file_that_fails_does_not_lose_the_others(cli, monkeypatch, tmp_path):
    import validator.lint as lint
    d = tmp_path / "site"
    d.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(SEED, d / name)
    real = lint.lint_path

    def flaky(path, *a, **kw):
        if str(path).endswith("b.txt"):
            raise RuntimeError("boom")
        return real(path, *a, **kw)

    monkeypatch.setattr(lint, "lint_path", flaky)
    r = cli("check", "-o", "json", "-j", "1", d)
    doc = json.loads(r.out)
    assert r.code == 2 and "boom" in r.err
    assert [f["error"] is not None for f in doc["files"]] == [False, True, False]
    assert {f["path"].rsplit("/", 1)[1] for f in doc["findings"]} == {"a.txt", "c.txt"}
