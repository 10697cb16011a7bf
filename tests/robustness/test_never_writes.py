"""The checker never writes to the files it checks (issue 6): every corpus file keeps its
bytes and its modification time after a run over all of them, in every output format."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .conftest import cli

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _snapshot(files):
    out = {}
    for p in files:
        st = os.stat(p)
        out[p] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns)
    return out


def test_corpus_files_unchanged_after_a_run(tmp_path):
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) >= 20
    before = _snapshot(files)
    listing_before = sorted(str(p) for p in CORPUS.rglob("*"))
    for fmt in ("json", "concise"):
        r = cli("check", "-o", fmt, "--exit-zero", *[p for p in files if p.name != "MANIFEST.tsv"],
                timeout=600, cwd=tmp_path)
        assert r.returncode in (0, 2), r.stderr[-2000:]
        assert b"Traceback" not in r.stderr
    assert _snapshot(files) == before
    # and nothing was created next to them (caches, backups, lock files)
    assert sorted(str(p) for p in CORPUS.rglob("*")) == listing_before
