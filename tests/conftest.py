"""Shared fixtures.  Real reports from ../shared/corpus are copied into tests/corpus so the
suite runs on a clean clone; `corpus` gives their paths."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


def corpus_file(rel: str) -> Path:
    p = CORPUS / rel
    assert p.exists(), f"missing corpus file {rel}"
    return p
