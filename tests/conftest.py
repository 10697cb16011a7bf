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


def corpus_texts() -> list[str]:
    """The decoded text of every .txt and .md file of tests/corpus (what the fast-path tests
    compare each fast path with its plain computation on)."""
    from validator.readers.text import decode
    out = []
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix in (".txt", ".md") and p.is_file():
            out.append(decode(p.read_bytes())[0])
    assert len(out) >= 10
    return out


def reports_with_tables() -> list:
    """The report models of the corpus's text reports and seeds that have a format and tables."""
    from validator.lint import lint_path
    out = []
    for p in sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt")):
        res = lint_path(str(p))
        if res.report is not None and res.report.tables and res.report.format is not None:
            out.append(res.report)
    assert len(out) >= 5
    return out


def equation_cases():
    """(report, rule, spec, table, keys) for every equation rule of one report and every corpus report
    with the rule's table: what the equation fast paths are compared with the full check on."""
    from validator.rules import load_rules
    rules = [r for r in load_rules().rules if r.kind == "equation" and not r.relations]
    assert len(rules) >= 5
    for report in reports_with_tables():
        for rule in rules:
            p = rule.params
            spec = report.format.table(p["table"])
            table = report.tables.get(p["table"])
            if spec is None or table is None:
                continue
            yield report, rule, spec, table, (spec.columns if p["for_each"] == "column" else [r.key for r in spec.rows])


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
