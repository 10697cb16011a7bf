"""The pre-commit hook, installed from this checkout by the real `pre-commit` tool.

pre-commit clones a hook repository at a git revision, so the test first makes a throw-away
git repository holding a commit of the current working tree (tracked and untracked files,
not ignored ones), then a content repository whose .pre-commit-config.yaml points at it, and
commits two reports: one with an arithmetic error (the hook blocks the commit) and a clean
one (the commit goes through).  Installing the hook environment runs pip on this repository
(PyPI is the only network it needs); PRE_COMMIT_HOME is kept per test session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"

pytestmark = pytest.mark.slow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "xxgk-lint test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "xxgk-lint test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(cwd, *args, env=None, check=True):
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def _tree_files() -> list[str]:
    """Files of the working tree that a commit would hold (tracked + untracked, not ignored)."""
    if (ROOT / ".git").exists():
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout.decode()
        return [f for f in out.split("\0") if f and (ROOT / f).is_file()]
    skip = {".venv", ".git", "__pycache__", ".pytest_cache", "build", "dist"}
    return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
            if p.is_file() and not (set(p.relative_to(ROOT).parts) & skip) and ".egg-info" not in str(p)]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    src = tmp_path_factory.mktemp("hook-src")
    for rel in _tree_files():
        if rel.startswith("tests/corpus/"):  # not needed to install the hook
            continue
        dst = src / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dst)
    env = {**os.environ, **GIT_ENV, "HOME": str(src)}
    _git(src, "init", "-q", "-b", "main", env=env)
    _git(src, "add", "-A", env=env)
    _git(src, "commit", "-q", "-m", "working tree for the pre-commit test", env=env)
    sha = _git(src, "rev-parse", "HEAD", env=env).stdout.strip()
    return src, sha


def _content_repo(path: Path, hook_src: Path, rev: str, env) -> None:
    path.mkdir()
    _git(path, "init", "-q", "-b", "main", env=env)
    (path / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_src.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: xxgk-lint\n", encoding="utf-8")
    _git(path, "add", ".pre-commit-config.yaml", env=env)
    _git(path, "commit", "-q", "--no-verify", "-m", "config", env=env)
    r = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=path, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _hook_env(tmp_path_factory) -> dict:
    """The environment of a content repository's git and pre-commit: a home of its own, one
    shared pre-commit cache, and the venv's bin first (the git hook finds the same Python)."""
    env = {**os.environ, **GIT_ENV, "HOME": str(tmp_path_factory.mktemp("home")),
           "PRE_COMMIT_HOME": str(tmp_path_factory.getbasetemp() / "pre-commit-cache")}
    env.pop("GITHUB_ACTIONS", None)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def test_hook_blocks_a_report_with_an_error_and_passes_a_clean_one(hook_repo, tmp_path, tmp_path_factory):
    hook_src, rev = hook_repo
    env = _hook_env(tmp_path_factory)
    repo = tmp_path / "content"
    _content_repo(repo, hook_src, rev, env)

    bad = (CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt").read_bytes()   # table 三 does not balance
    (repo / "bad.txt").write_bytes(bad)
    _git(repo, "add", "bad.txt", env=env)
    r = _git(repo, "commit", "-m", "bad report", env=env, check=False)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "xxgk-lint" in out and "A301" in out, out
    assert _git(repo, "rev-list", "--count", "HEAD", env=env).stdout.strip() == "1"

    _git(repo, "reset", "-q", "HEAD", "bad.txt", env=env)
    (repo / "bad.txt").unlink()
    clean = (CORPUS / "reports" / "011_huaian_2024.txt").read_bytes()
    (repo / "clean.txt").write_bytes(clean)
    # a file with only warnings/info passes; make sure this one has no error-level finding
    chk = subprocess.run([sys.executable, "-m", "validator", "check", "-q", "-o", "concise",
                          str(repo / "clean.txt")], capture_output=True, text=True)
    assert chk.returncode == 0, chk.stdout
    _git(repo, "add", "clean.txt", env=env)
    r = _git(repo, "commit", "-m", "clean report", env=env, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _git(repo, "rev-list", "--count", "HEAD", env=env).stdout.strip() == "2"


NEWS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>发布时间：2024年3月{day}日</p>
<p>为做好{topic}工作，现将有关事项通知如下：请各单位按要求于{day}日前报送材料。</p>
<p>联系人：办公室，电话：0591-2316{day:04d}。</p></body></html>
"""


def test_site_repository_checks_only_the_annual_report(hook_repo, tmp_path, tmp_path_factory):
    """A site repository with an annual report and ten ordinary pages, the hook restricted by the
    documented `files:` pattern: ordinary pages are skipped, only the report is checked."""
    hook_src, rev = hook_repo
    env = _hook_env(tmp_path_factory)
    repo = tmp_path / "site"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main", env=env)
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_src.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: xxgk-lint\n"
        "        files: '(^|/)ndbg/|年度报告'\n", encoding="utf-8")      # the README's pattern
    _git(repo, "add", ".pre-commit-config.yaml", env=env)
    _git(repo, "commit", "-q", "--no-verify", "-m", "config", env=env)
    r = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

    news = repo / "xwzx"
    news.mkdir()
    topics = ["安全生产", "防汛", "消防", "疫苗接种", "人口普查", "植树造林", "垃圾分类", "征兵", "禁毒", "防诈骗"]
    for i, topic in enumerate(topics, 1):
        (news / f"tz{i:02d}.html").write_text(NEWS.format(title=f"关于做好{topic}工作的通知", topic=topic, day=i),
                                              encoding="utf-8")
    # checked on their own, ordinary pages are recognised as not annual reports (M003, exit 0)
    alone = subprocess.run([sys.executable, "-m", "validator", "check", "-o", "concise", *map(str, news.iterdir())],
                           capture_output=True, text=True)
    assert alone.returncode == 0, alone.stdout
    assert [ln.split(": ", 1)[1].split(" ")[0] for ln in alone.stdout.splitlines()[:-1]] == ["M003"] * 10
    _git(repo, "add", "xwzx", env=env)
    r = _git(repo, "commit", "-m", "ten ordinary pages", env=env, check=False)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "(no files to check)Skipped" in out

    report = repo / "xxgk" / "ndbg" / "2019年政府信息公开工作年度报告.txt"
    report.parent.mkdir(parents=True)
    report.write_bytes((CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt").read_bytes())
    (news / "tz01.html").write_text(NEWS.format(title="关于做好防台风工作的通知", topic="防台风", day=1), encoding="utf-8")
    _git(repo, "add", "-A", env=env)
    r = _git(repo, "commit", "-m", "report and a page", env=env, check=False)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "2019年政府信息公开工作年度报告.txt:81:1: A301" in out
    findings = [ln for ln in out.splitlines() if re.match(r"^.+:\d+:\d+: [A-Z]\d{3} \[", ln)]
    assert findings and all("年度报告.txt:" in ln for ln in findings), findings
    assert "2 个错误，" in out and "（检查了1个文件）" in out


def test_site_repository_without_files_pattern_passes_ordinary_pages(hook_repo, tmp_path, tmp_path_factory):
    """The other path: no `files:` pattern; ordinary pages reach xxgk-lint, which recognises them
    as not annual reports (M003, info, exit 0), so committing them is not blocked."""
    hook_src, rev = hook_repo
    env = _hook_env(tmp_path_factory)
    repo = tmp_path / "site"
    _content_repo(repo, hook_src, rev, env)
    news = repo / "xwzx"
    news.mkdir()
    for i, topic in enumerate(["安全生产", "防汛", "消防", "疫苗接种", "人口普查", "植树造林", "垃圾分类", "征兵",
                               "禁毒", "防诈骗"], 1):
        (news / f"tz{i:02d}.html").write_text(NEWS.format(title=f"关于做好{topic}工作的通知", topic=topic, day=i),
                                              encoding="utf-8")
    _git(repo, "add", "xwzx", env=env)
    r = _git(repo, "commit", "-m", "ten ordinary pages", env=env, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "xxgk-lint" in r.stdout + r.stderr and "Passed" in r.stdout + r.stderr
