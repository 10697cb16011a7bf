"""Ground truth for the rendering tests: which corpus reports are rendered, the cells each
rendering is written from, and the findings the table rules give on exactly those cells.

The expected findings are computed once per report from its cells, not from any rendering:
the cells are put into a report model directly (no reader, no parser) and the project's own
table rules run on it.  A rendering agrees when the tool, reading the rendering, finds the
same cells and gives the same table findings (rule, table, row, column, numbers).  If the
rules change (say a blank total becomes F502 instead of A301), the expectation follows.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from tests.renderings import render as R

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus"
REPORTS_FILE = HERE / "reports.yaml"

#: the rule kinds that read the tables: equations, blank/odd/unreadable cells, missing rows
TABLE_RULE_KINDS = ("equation", "cells")


@lru_cache(maxsize=1)
def entries() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(REPORTS_FILE.read_text(encoding="utf-8"))["reports"])


def report_ids() -> list[str]:
    return [e["source"] for e in entries()]


def entry(rel: str) -> dict:
    return next(e for e in entries() if e["source"] == rel)


@lru_cache(maxsize=None)
def lint_corpus(rel: str):
    from validator.lint import lint_path
    return lint_path(str(CORPUS / rel))


def source_cells(rel: str) -> dict:
    """(table, row, column) → template_cells record, as the tool reads the corpus file."""
    from validator.extract import template_cells
    return {(c["table"], c["row"], c["column"]): c for c in template_cells(lint_corpus(rel).report)}


def supplement(rel: str) -> dict:
    """Cells the tool cannot read from the source today: from its twin copy, then the values
    in reports.yaml (see there)."""
    e = entry(rel)
    out = {}
    own = source_cells(rel)
    if e.get("twin") and any(r["kind"] in ("missing", "unreadable") for r in own.values()):
        for key, rec in source_cells(e["twin"]).items():
            if rec["kind"] in ("missing", "unreadable"):
                continue
            if key in own and own[key]["kind"] in ("missing", "unreadable"):
                out[key] = (rec["raw"].strip(), f"read from the twin copy {e['twin']}")
    fmt = lint_corpus(rel).report.format
    for table, rows in (e.get("cells") or {}).items():
        spec = fmt.table(table)
        for row, d in rows.items():
            cols = spec.row(row).columns
            assert len(d["values"]) == len(cols), f"{rel} {table} {row}: {len(cols)} values expected"
            for col, v in zip(cols, d["values"]):
                out[(table, row, col)] = (str(v), d["how"])
    return out


@lru_cache(maxsize=None)
def load(rel: str) -> R.ReportData:
    return R.report_data(lint_corpus(rel).report, supplement(rel), source=rel)


# ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def table_rules():
    from validator.rules import RuleSet, load_rules
    return RuleSet([r for r in load_rules(()).rules if r.kind in TABLE_RULE_KINDS])


def table_rule_ids() -> set[str]:
    return {r.id for r in table_rules().rules}


def truth_report(data: R.ReportData):
    """A report model holding exactly the cells of ``data`` (every row the rendering has, all
    its columns, each cell's kind and value from its text as the model classifies it)."""
    from validator.model import Cell, LabelMatch, Metadata, Report, Row, Table, parse_value
    from validator.source import SourceText
    from validator.tablemath import implied_blanks
    fmt = data.format
    tables = {}
    for spec in fmt.tables:
        rows = {}
        for rspec in spec.rows:
            cells = {}
            for col in rspec.columns:
                text = data.cells.get((spec.key, rspec.key, col))
                if text is None:
                    continue
                kind, value, unit = parse_value(text)
                cells[col] = Cell(text, kind, value, (0, 0), rspec.key, col, unit)
            if cells:
                labels = ([LabelMatch(rspec.label, (0, 0), rspec.key, rspec.label, "exact", fmt.id)]
                          if rspec.label else [])
                rows[rspec.key] = Row(rspec.key, labels, cells, (0, 0))
        if rows:
            tables[spec.key] = Table(spec.key, spec.name, (0, 0), rows)
            implied_blanks(tables[spec.key], spec)   # what the template's equations fix, as parse does
    src = SourceText.from_original("", path="<truth>")
    return Report(src, Metadata(year=data.year), data.template, "ground truth", tables=tables, format=fmt)


def _plain(v):
    from decimal import Decimal
    if isinstance(v, Decimal):
        return str(int(v)) if v == v.to_integral_value() else format(v.normalize(), "f")
    return str(v)


def finding_key(f) -> tuple:
    """What must agree across renderings: rule, table, row, column and the numbers."""
    nums = tuple(sorted((k, _plain(v)) for k, v in (f.numbers or {}).items()))
    return (f.rule, f.table or "", f.row or "", f.column or "", nums)


def expected_findings(data: R.ReportData) -> list[tuple]:
    from validator.lint import Options, run_rules
    return sorted(finding_key(f) for f in run_rules(truth_report(data), table_rules(), Options()))


def table_findings(result) -> list[tuple]:
    ids = table_rule_ids()
    return sorted(finding_key(f) for f in result.findings if f.rule in ids)


def expected_cells(data: R.ReportData) -> list[tuple]:
    """(table, row, column, kind, value) of every cell the rendering was written from, plus
    the template cells it does not have (kind missing), in the template's order — the same
    records ``template_cells`` gives."""
    from validator.extract import _number
    from validator.model import parse_value
    out = []
    for spec in data.format.tables:
        if spec.key not in data.tables():
            continue
        for rspec in spec.rows:
            if rspec.group and not rspec.columns:
                continue
            for col in rspec.columns:
                text = data.cells.get((spec.key, rspec.key, col))
                if text is None:
                    out.append((spec.key, rspec.key, col, "missing", None))
                else:
                    kind, value, _u = parse_value(text)
                    out.append((spec.key, rspec.key, col, kind.value, _number(value)))
    return out


def read_cells(result) -> list[tuple]:
    from validator.extract import template_cells
    if result.report is None:
        return []
    return [(c["table"], c["row"], c["column"], c["kind"], c["value"]) for c in template_cells(result.report)]
