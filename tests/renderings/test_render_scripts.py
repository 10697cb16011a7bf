"""scripts/render_corpus.py writes renderings with a manifest and the expected findings;
scripts/measure_tables.py reads them back and counts where the table checks ran."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("rc")
    rc = _script("render_corpus").main([str(out), "--report", "011_huaian_2024", "--rendering", "html_spans",
                                        "--rendering", "pipe_repeated", "--mutate"])
    assert rc == 0
    return out


def test_render_corpus_writes_files_manifest_and_expected_findings(rendered):
    with open(rendered / "manifest.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert {(r["rendering"], r["variant"]) for r in rows} == {
        ("html_spans", "plain"), ("pipe_repeated", "plain"), ("html_spans", "mutated"), ("pipe_repeated", "mutated")}
    assert all((rendered / r["file"]).is_file() and r["source"] == "reports/011_huaian_2024.txt" for r in rows)
    mutated = [r for r in rows if r["variant"] == "mutated"]
    assert all(r["changed_cells"].count("→") == 2 and "表三/" in r["changed_cells"] and "表四/" in r["changed_cells"]
               for r in mutated)
    expected = json.loads((rendered / "expected.json").read_text(encoding="utf-8"))
    assert set(expected) == {r["file"] for r in rows}
    # huaian 2024 balances; the changed copy has arithmetic errors in both tables
    plain = expected[next(r["file"] for r in rows if r["variant"] == "plain")]["table_findings"]
    changed = expected[mutated[0]["file"]]["table_findings"]
    assert not [k for k in plain if k[0].startswith("A")]
    assert {k[1] for k in changed if k[0].startswith("A")} == {"表三", "表四"}


def test_measure_tables_groups_by_rendering_and_counts_false_errors(rendered, capsys):
    assert _script("measure_tables").main([str(rendered), "--json"]) == 0
    summary = {s["rendering"]: s for s in json.loads(capsys.readouterr().out)["summary"]}
    assert set(summary) == {"html_spans", "pipe_repeated"}
    html = summary["html_spans"]
    assert (html["format"], html["files"], html["ran"], html["equations_pct"]) == ("2021", 2, 2, 100.0)
    assert html["false"] == 0 and html["missed"] == 0 and html["arith_errors"] >= 2
    assert summary["pipe_repeated"]["files"] == 2


def test_measure_tables_without_a_manifest_groups_by_extension(capsys):
    files = [str(ROOT / "tests/corpus/reports/011_huaian_2024.txt"), str(ROOT / "tests/corpus/html/pingtan_2019.html")]
    assert _script("measure_tables").main(files) == 0
    out = capsys.readouterr().out
    assert "rendering" in out.splitlines()[0]
    lines = {tuple(ln.split()[:2]): ln.split() for ln in out.splitlines()[2:]}
    assert lines[("2021", "txt")][2:4] == ["1", "1"] and lines[("2019", "html")][2:4] == ["1", "1"]
