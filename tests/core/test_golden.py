"""Golden findings of every rule on every corpus file in every rendering it has (text,
Markdown, HTML, PDF, DOCX), on the test renderer's renderings of two reports, and of the
rules comparing two reports on the corpus's pairs of consecutive years.  A change must be
deliberate: regenerate with `python scripts/update_golden.py` and review the diff."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("update_golden", ROOT / "scripts" / "update_golden.py")
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)
CASES = golden.cases()


@pytest.mark.parametrize("name,make", CASES, ids=[n[:-5] for n, _m in CASES])
def test_findings_match_the_golden_file(name, make):
    want = json.loads((ROOT / "tests" / "golden" / name).read_text(encoding="utf-8"))
    assert make() == want


def test_every_golden_file_is_a_case():
    names = {n for n, _m in CASES}
    assert {p.name for p in (ROOT / "tests" / "golden").glob("*.json")} == names
    kinds = {Path(n).suffixes[-2] if n.startswith("rendered__") else n.split("__")[0] for n in names}
    assert {"reports", "seeds", "html", "pdf", "docx", "pair", ".md", ".html", ".docx"} <= kinds
