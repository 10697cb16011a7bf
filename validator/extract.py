"""The template cells a report was read into, as plain records (``xxgk-lint extract``, audits,
comparisons of two copies of one report).

One record per (table, row, column) of the format that the report's tables have, in the
template's order: canonical keys, what the cell holds (value kind, number, raw text) and
where it is in the user's file.  Rows and columns the report does not have are records of
kind ``missing``, so two copies of a report can be compared cell by cell.

The format is the one the parser mapped the tables with (``report.format``): also a report
whose year could not be read (an unfilled template) has its cells, of kind ``blank``.
"""

from __future__ import annotations

from decimal import Decimal

from .model import Report

FIELDS = ("table", "row", "column", "row_label", "column_label", "kind", "value", "raw", "note",
          "line", "col", "page", "where")


def _number(v: Decimal | None):
    if v is None:
        return None
    if v == v.to_integral_value():
        return int(v)
    return float(v)


_LAYOUT: dict = {}


def _layout(fmt) -> list:
    """[(table key, [(row key, row label, [(column key, column label)])])] of a format, worked
    out once per format (the labels are the template's, the same for every report)."""
    got = _LAYOUT.get(id(fmt))
    if got is not None and got[0] is fmt:
        return got[1]
    tables = []
    for spec in fmt.tables:
        rows = []
        for rspec in spec.rows:
            if rspec.group and not rspec.columns:
                continue
            rows.append((rspec.key, spec.row_display(rspec.key),
                         [(col, spec.column_display(col)) for col in rspec.columns]))
        tables.append((spec.key, rows))
    _LAYOUT[id(fmt)] = (fmt, tables)
    return tables


def template_cells(report: Report) -> list[dict]:
    """Every template cell of every table the report has (see module doc)."""
    fmt = report.format
    out: list[dict] = []
    if fmt is None or getattr(fmt, "id", None) not in ("2019", "2021") or report.template == "legacy":
        return out
    src = report.source
    for tkey, rows in _layout(fmt):
        table = report.tables.get(tkey)
        if table is None:
            continue
        for rkey, row_label, cols in rows:
            row = table.rows.get(rkey)
            for col, col_label in cols:
                cell = row.cells.get(col) if row is not None else None
                rec = {"table": tkey, "row": rkey, "column": col,
                       "row_label": row_label, "column_label": col_label,
                       "kind": "missing", "value": None, "raw": "", "note": None,
                       "line": None, "col": None, "page": None, "where": None}
                if cell is not None:
                    loc = src.location(*cell.span)
                    rec.update(kind=cell.kind.value, value=_number(cell.value), raw=cell.raw, note=cell.note,
                               line=loc.line, col=loc.column, page=loc.page, where=loc.where)
                out.append(rec)
    return out
