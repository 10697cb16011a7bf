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


def test_per_directory_discovery_still_decides_each_file(tmp_path, monkeypatch):
    """Discovery asks the configuration and the .gitignore files once per directory; exclude
    patterns, .gitignore lines, a subdirectory's own configuration and symlinked files still
    decide file by file."""
    top = tmp_path / "site"
    for d in ("sub/ignored", "cfg", "loose"):
        (top / d).mkdir(parents=True)
    (top / ".gitignore").write_text("*.tmp.txt\nsub/ignored/\n", encoding="utf-8")
    (top / "sub" / ".gitignore").write_text("e.txt\n", encoding="utf-8")
    (top / "cfg" / ".xxgk-lint.yaml").write_text("exclude: ['skip_*.txt']\n", encoding="utf-8")
    (top / "loose" / ".xxgk-lint.yaml").write_text("respect-gitignore: false\n", encoding="utf-8")
    for f in ("a.txt", "b.tmp.txt", "README.md", ".hidden.txt", "notes.csv", "sub/c.txt", "sub/e.txt",
              "sub/f.html", "sub/ignored/d.txt", "cfg/skip_1.txt", "cfg/keep.txt", "loose/g.tmp.txt"):
        (top / f).write_text("报告\n", encoding="utf-8")
    os.symlink(top / "sub" / "e.txt", top / "link.txt")          # ignored where it really is
    os.symlink(top / "a.txt", top / "sub" / "alias.txt")          # kept: a.txt is not ignored
    monkeypatch.chdir(tmp_path)
    found = discover(["site"], Resolver())
    assert found == [os.path.join("site", p) for p in
                     ("a.txt", "cfg/keep.txt", "loose/g.tmp.txt", "sub/alias.txt", "sub/c.txt", "sub/f.html")]
    everything = discover(["site"], Resolver(), respect_gitignore=False)
    assert "site/sub/e.txt" in everything and "site/link.txt" in everything and "site/cfg/skip_1.txt" not in everything


def test_files_of_one_configuration_still_get_their_own_options(tmp_path, monkeypatch):
    """What a configuration alone decides is worked out once for all its files; per-file-ignores
    still apply file by file, and no two files share a mutable field."""
    from validator.cli import _parser, _Settings
    d = tmp_path / "d"
    d.mkdir()
    (d / ".xxgk-lint.toml").write_text('ignore = ["C101"]\n[severity]\nA301 = "info"\n'
                                       '[per-file-ignores]\n"a*.txt" = ["A303"]\n', encoding="utf-8")
    for n in ("a1.txt", "b1.txt"):
        (d / n).write_text("报告\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    s = _Settings(_parser().parse_args(["check", "d"]))
    oa, eff_a, _ = s.options("d/a1.txt", is_file=True)
    ob, eff_b, _ = s.options("d/b1.txt", is_file=True)
    assert eff_a is eff_b
    assert oa.ignore == ("C101", "A303") and ob.ignore == ("C101",)
    assert oa.severity == ob.severity == {"A301": "info"} and oa.severity is not ob.severity
    assert s.options("d/a1.txt")[0] is oa            # asked again: the same answer
    assert s.for_path("d/a1.txt", is_file=True) is s.for_path("d") is s.for_path("d/b1.txt")


def test_named_paths_are_told_apart_with_one_stat_each(tmp_path, monkeypatch):
    """Paths named on the command line: a file is taken as given, a directory (or a link to
    one) is walked, a dangling link or a missing name is left to the reader (exit 2, one line),
    a glob is expanded — each told with one ``os.stat``, not a Path's is_dir() and exists()."""
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    os.symlink(tmp_path / "b", tmp_path / "to_b")
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    stats = []
    real = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: stats.append(os.fspath(p)) or real(p, *a, **k))
    got = discover(["a/1.txt", "./a/2.txt", "to_b", "dangling.txt", "missing.txt", "b/*.txt"])
    assert got == ["a/1.txt", "a/2.txt", "b/1.txt", "b/2.txt", "dangling.txt", "missing.txt",
                   "to_b/1.txt", "to_b/2.txt"]
    assert stats.count("a/1.txt") == 1 and stats.count("./a/2.txt") == 1
    # --force-exclude still drops a named file the configuration excludes
    (tmp_path / ".xxgk-lint.yaml").write_text("exclude: ['draft*.txt']\n", encoding="utf-8")
    for n in ("draft1.txt", "final.txt"):
        (tmp_path / n).write_text("报告\n", encoding="utf-8")
    assert discover(["draft1.txt", "final.txt"], Resolver(), force_exclude=True) == ["final.txt"]
    assert discover(["draft1.txt", "final.txt"], Resolver()) == ["draft1.txt", "final.txt"]
