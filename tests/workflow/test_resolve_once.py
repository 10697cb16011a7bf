"""The configuration of each file is found once per directory (config.Resolver remembers the
directory as the paths name it), and a walked directory is resolved once for its files
(discover): each file still gets its own directory's configuration, and .gitignore still
applies to where a symlinked file really is."""

from __future__ import annotations

import os
from pathlib import Path

from validator.config import Resolver
from validator.discover import discover


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / ".xxgk-lint.yaml").write_text("ignore: [A301]\n", encoding="utf-8")
    (tmp_path / "b" / ".xxgk-lint.yaml").write_text("ignore: [A303]\n", encoding="utf-8")
    for d in ("a", "b"):
        for n in ("1.txt", "2.txt"):
            (tmp_path / d / n).write_text("报告\n", encoding="utf-8")
    return tmp_path


def test_each_directory_keeps_its_own_configuration(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = Resolver()
    a1, a2, b1 = r.for_path("a/1.txt"), r.for_path("a/2.txt"), r.for_path("b/1.txt")
    assert a1 is a2 and a1.get("ignore") == ("A301",)
    assert b1.get("ignore") == ("A303",)
    assert r.for_path("b/./2.txt") is b1                    # another spelling of b: the same file
    assert r.for_path(str(tmp_path / "a" / "1.txt")) is a1  # absolute
    assert r.for_path("a").get("ignore") == ("A301",)         # a directory itself


def test_directory_answers_are_remembered_by_the_name_given(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = Resolver()
    calls = []
    real = Path.resolve
    monkeypatch.setattr(Path, "resolve", lambda self, *a, **k: calls.append(str(self)) or real(self, *a, **k))
    first = r.for_path("a/1.txt")
    assert calls                              # the directory was resolved …
    calls.clear()
    assert r.for_path("a/2.txt") is first and r.for_path("a/1.txt") is first
    assert calls == []                        # … once: not again for its other files
    assert r.for_path("b/1.txt") is not first and calls   # another directory is looked up


def test_gitignore_applies_where_a_symlinked_file_really_is(tmp_path):
    top = tmp_path / "site"
    (top / "pub").mkdir(parents=True)
    (top / "drafts").mkdir()
    (top / "drafts" / "草稿.txt").write_text("报告\n", encoding="utf-8")
    (top / "pub" / "年报.txt").write_text("报告\n", encoding="utf-8")
    (top / ".gitignore").write_text("drafts/\n", encoding="utf-8")
    os.symlink(top / "drafts" / "草稿.txt", top / "pub" / "链接.txt")
    found = [Path(p).name for p in discover([str(top)])]
    assert found == ["年报.txt"]            # the link resolves into drafts/, which .gitignore ignores
    found = [Path(p).name for p in discover([str(top)], respect_gitignore=False)]
    assert sorted(found) == sorted(["年报.txt", "链接.txt", "草稿.txt"])
