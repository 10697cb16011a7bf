"""Shared fixtures.  Real reports from ../shared/corpus are copied into tests/corpus so the
suite runs on a clean clone; `corpus` gives their paths."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"


# A province's own rule (an equation over 表三), for tests of rule loading and extra rule dirs.
PROVINCE_RULE = """\
- id: Z901
  name: my-balance
  kind: equation
  table: 表三
  for_each: column
  assert: 本年新收 + 上年结转 == 办理结果总计 + 结转下年度
  category: arithmetic
  severity: warning
  message: "{column}: {lhs} != {rhs}"
"""


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


def corpus_file(rel: str) -> Path:
    p = CORPUS / rel
    assert p.exists(), f"missing corpus file {rel}"
    return p


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> Path:
    """One wheel of this checkout for the whole session, built from a copy of the sources so
    the build never writes into the working tree (or races another build there)."""
    import shutil
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "tests", "artifacts", "build", "dist", "*.egg-info", "__pycache__",
        ".hypothesis", ".pytest_cache", "benchmarks"))
    out = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
                   check=True, capture_output=True)
    return next(out.glob("xxgk_lint-*.whl"))
