"""Which files to check: paths, directories and globs on the command line.

* a file named on the command line is checked whatever its extension (as ruff), and is not
  excluded by ``exclude`` unless ``--force-exclude`` (for pre-commit, which passes every
  staged file by name);
* a directory is walked: only report files (txt, html/htm, md/markdown, pdf, docx) are kept,
  not a repository's own README/CHANGELOG/LICENSE…, hidden directories (``.git``, ``.venv`` …) are skipped, ``.gitignore`` files are honoured
  (those inside the walked tree and those of its parents up to the git root), and so are the
  ``exclude`` patterns of the configuration;
* a path that does not exist but contains ``*``, ``?`` or ``[`` is expanded as a glob
  (``**`` recursive) and each match is treated as above.

The result is sorted and free of duplicates, so output order never depends on the file system.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import msg
from .lazyre import later

if TYPE_CHECKING:  # imported lazily at run time (start-up cost)
    import pathspec


REPORT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".markdown", ".pdf", ".docx")
SKIP_DIRS = {"node_modules", "__pycache__"}
# a repository's own documents are not reports: skipped when walking directories (and, with
# --force-exclude, when named, as pre-commit does)
SKIP_FILES = later(r"^(readme|changelog|changes|history|contributing|license|licence|copying|authors|"
                        r"code_of_conduct|security|notice)([._-].*)?$", re.I)


class DiscoverError(Exception):
    pass


def _spec(lines) -> pathspec.PathSpec:
    import pathspec  # imported when a pattern is used, not at start-up
    return pathspec.GitIgnoreSpec.from_lines(lines)


class _Ignores:
    """gitignore files, each applying below its own directory."""

    def __init__(self):
        self._cache: dict[Path, pathspec.PathSpec | None] = {}
        self._roots: dict[Path, Path] = {}
        self._limits: dict[Path, Path] = {}     # top as given -> _limit(top resolved)
        self._chains: dict[tuple, tuple] = {}   # (directory resolved, top) -> applying()

    def spec_of(self, d: Path):
        if d not in self._cache:
            gi = d / ".gitignore"
            spec = None
            if gi.is_file():
                try:
                    spec = _spec(gi.read_text(encoding="utf-8", errors="replace").splitlines())
                except Exception:  # a broken pattern: ignore that file rather than stop
                    spec = None
            self._cache[d] = spec
        return self._cache[d]

    def _limit(self, top: Path) -> Path:
        """The git root above top (its .gitignore files apply), or top itself outside git."""
        if top not in self._roots:
            d = top
            while not (d / ".git").exists():
                if d.parent == d:
                    d = top
                    break
                d = d.parent
            self._roots[top] = d
        return self._roots[top]

    def applying(self, d: Path, top: Path) -> tuple:
        """The (directory, spec) of every .gitignore that applies below the resolved directory
        ``d``: those of d and its parents up to the git root (or top, outside git).  Once per
        directory: a directory's files share them (and most directories have none)."""
        key = (d, top)
        got = self._chains.get(key)
        if got is None:
            limit = self._limits.get(top)
            if limit is None:
                limit = self._limits[top] = self._limit(top.resolve())
            got = []
            while True:
                spec = self.spec_of(d)
                if spec is not None:
                    got.append((d, spec))
                if d == limit or d.parent == d:
                    break
                d = d.parent
            got = self._chains[key] = tuple(got)
        return got

    def ignored(self, path: Path, is_dir: bool, top: Path) -> bool:
        """Whether a .gitignore between the git root (or top, outside git) and path ignores it."""
        for base, spec in self.applying(path.parent, top):
            rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            if spec.match_file(rel):
                return True
        return False


def _symlinks(d: str) -> frozenset:
    """The names of the symbolic links in directory ``d`` (one listing, not an lstat per file)."""
    try:
        with os.scandir(d) as it:
            return frozenset(e.name for e in it if e.is_symlink())
    except OSError:
        return frozenset()


def _excluded(path: Path, resolver, cache: dict) -> bool:
    if resolver is None:
        return False
    cfg = resolver.for_path(path)
    pats = cfg.get("exclude")
    if not pats:
        return False
    key = cfg.key()
    if key not in cache:
        cache[key] = _spec(pats)
    try:
        rel = path.resolve().relative_to(cfg.root).as_posix()
    except ValueError:
        return False
    spec = cache[key]
    return spec.match_file(rel) or (path.is_dir() and spec.match_file(rel + "/"))


def discover(paths: list[str], resolver=None, *, force_exclude: bool = False,
             respect_gitignore: bool = True) -> list[str]:
    """The files to check, as strings in the form the user gave them (relative stays relative)."""
    out: list[str] = []
    seen: set[str] = set()
    ign = _Ignores()
    excache: dict = {}

    def respect(p: Path) -> bool:
        if not respect_gitignore:
            return False
        if resolver is not None:
            cfg = resolver.for_path(p)
            if cfg.get("respect-gitignore") is False:
                return False
        return True

    def add(p: str):
        key = os.path.normpath(p)
        if key not in seen:
            seen.add(key)
            out.append(key)

    def walk(top: Path):
        for dirpath, dirnames, filenames in os.walk(top):
            d = Path(dirpath)
            keep = []
            for name in sorted(dirnames):
                sub = d / name
                if name.startswith(".") or name in SKIP_DIRS:
                    continue
                if _excluded(sub, resolver, excache):
                    continue
                if respect(sub) and ign.ignored(sub.resolve(), True, top):
                    continue
                keep.append(name)
            dirnames[:] = keep
            names = [n for n in filenames
                     if n.lower().endswith(REPORT_SUFFIXES) and not n.startswith(".") and not SKIP_FILES.match(n)]
            if not names:
                continue
            # what the configuration and the .gitignore files say is the same for all the files
            # of a directory, asked once here (a file's configuration is its directory's):
            # per file only what can differ — an exclude pattern, a .gitignore line, a symlink
            cfg = resolver.for_path(dirpath) if resolver is not None else None
            per_file_exclude = cfg is not None and bool(cfg.get("exclude"))
            gitignores = links = ()
            if respect(d):
                resolved = d.resolve()
                gitignores = ign.applying(resolved, top)
                links = _symlinks(dirpath)   # a symlinked file: .gitignore applies where it really is
            for name in sorted(names):
                if per_file_exclude and _excluded(d / name, resolver, excache):
                    continue
                if name in links:
                    if ign.ignored((d / name).resolve(), False, top):
                        continue
                elif gitignores and ign.ignored(resolved / name, False, top):
                    continue
                add(os.path.join(dirpath, name))

    for raw in paths:
        if raw == "-":
            add("-")
            continue
        # one stat for “a directory?” and “there?” (Path.is_dir() and .exists() are two, and a
        # Path per file: a batch names its thousand files one by one)
        try:
            mode = os.stat(raw).st_mode
        except (OSError, ValueError):
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            walk(Path(raw))
        elif mode is not None:
            if force_exclude:
                p = Path(raw)
                if (_excluded(p, resolver, excache) or SKIP_FILES.match(p.name) or
                        (respect(p) and ign.ignored(p.resolve(), False, p.parent))):
                    continue
            add(raw)
        elif any(ch in raw for ch in "*?["):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                raise DiscoverError(msg("{r}: 没有匹配的文件", "{r}: no file matches", r=raw))
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    walk(mp)
                elif (mp.name.lower().endswith(REPORT_SUFFIXES) and not SKIP_FILES.match(mp.name)
                      and not _excluded(mp, resolver, excache)):
                    add(m)
        else:
            add(raw)  # let the reader say it cannot be read (exit 2, one line)
    if "-" in out:
        return ["-"] + sorted(x for x in out if x != "-")
    return sorted(out)
