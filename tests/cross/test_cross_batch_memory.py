"""A batch's cross step holds each report packed (compressed pickle) and only a few live
models at a time: memory stays bounded whatever the number of files, findings unchanged."""

from __future__ import annotations

import pickle
from pathlib import Path

from validator.cross import run as cross_run
from validator.lint import Options
from validator.runner import check_one

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _batch():
    files = sorted(str(p) for p in (CORPUS / "reports").glob("*.txt"))
    return [check_one((f, Options(), True)) for f in files]


def _findings_after_cross(results) -> list:
    cross_run.cross_check(results, lambda p: _options(p), peers=True, jobs=1)
    return [(r.path, [f.to_dict() for f in r.findings]) for r in results]


_RULES = None


def _options(path):
    global _RULES
    from validator.rules import load_rules
    if _RULES is None:
        _RULES = load_rules()
    return Options(), {}, _RULES


def test_a_worker_sends_the_model_packed_and_small():
    res = _batch()
    packed = [(r.path, r.cross) for r in res if r.cross is not None]
    assert len(packed) == len(res) and all(isinstance(p, cross_run.Packed) for _path, p in packed)
    for path, p in packed:
        assert len(pickle.dumps(p)) < 60_000        # a live model is ~0.5 MB
        m = p.load()
        assert m.source.path == path and (m.template in (None, "legacy") or m.format is not None)


def test_findings_are_the_same_with_few_models_kept_as_with_all(monkeypatch):
    monkeypatch.setattr(cross_run._Models, "KEEP", 1000)
    everything = _findings_after_cross(_batch())
    monkeypatch.setattr(cross_run._Models, "KEEP", 2)
    few = _findings_after_cross(_batch())
    assert few == everything
    assert any(f["rule"].startswith("Y") for _p, fs in everything for f in fs)   # the cross rules ran


def test_the_8_gram_profiles_are_let_go_once_the_index_of_peers_is_built():
    res = _batch()
    assert all(r.cross.sections is not None for r in res)
    _findings_after_cross(res)
    assert all(r.cross.sections is None for r in res)
    assert all(r.cross.load().source.path == r.path for r in res)      # the models themselves stay
