"""Golden findings of the core structure/table rules on every corpus text report.  A change
must be deliberate: regenerate with `python scripts/update_golden.py` and review the diff."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("update_golden", ROOT / "scripts" / "update_golden.py")
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


@pytest.mark.parametrize("path", golden.corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_core_findings_match_the_golden_file(path):
    want = json.loads((ROOT / "tests" / "golden" / f"{path.parent.name}__{path.stem}.json").read_text(encoding="utf-8"))
    assert golden.snapshot(path) == want
