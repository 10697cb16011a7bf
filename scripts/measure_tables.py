#!/usr/bin/env python3
"""How often the table checks ran, per format and rendering, and the arithmetic errors found
(issue 10).

    python scripts/measure_tables.py PATH… [--json] [--files]

PATH is a report file or a directory (searched recursively).  Every file is checked
in-process (validator.lint.lint_path).  Files are grouped by format (2019 / 2021, from the
report) and by rendering: the ``rendering`` column of a ``manifest.tsv`` next to the file
(scripts/render_corpus.py writes one), otherwise the file extension.

Per group:

* ``ran`` — reports on which the table equations were evaluated: 表三 and 表四 found, no
  P002 (cells unreadable) and no S202 (rows missing) on them, and every equation of the
  table rules (A301–A303 per column and per row present, A401–A403) had the cells it needs
  (none missing, unreadable or text);
* ``equations`` — the share of single equations (one column or row each) that could be
  evaluated, over all reports of the group;
* ``arith errors`` — error findings of the arithmetic category;
* with an ``expected.json`` next to the files (render_corpus.py): ``false`` — arithmetic
  errors the cells the file was written from do not give; ``missed`` — those they give and
  the reading did not.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SKIP_SUFFIXES = {".tsv", ".json", ".yaml", ".yml", ".py"}
EQ_TABLES = ("表三", "表四")


def _files(paths):
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() not in SKIP_SUFFIXES)
        else:
            yield p


def _sidecars(directory: Path, cache: dict):
    if directory not in cache:
        manifest, expected = {}, {}
        m = directory / "manifest.tsv"
        if m.exists():
            with open(m, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh, delimiter="\t"):
                    manifest[row["file"]] = row
        e = directory / "expected.json"
        if e.exists():
            expected = json.loads(e.read_text(encoding="utf-8"))
        cache[directory] = (manifest, expected)
    return cache[directory]


def _key(rule, table, row, column, numbers) -> tuple:
    return (rule, table or "", row or "", column or "", tuple(sorted((k, str(v)) for k, v in numbers.items())))


def _finding_key(f) -> tuple:
    from decimal import Decimal
    nums = {k: (str(int(v)) if v == v.to_integral_value() else format(v.normalize(), "f"))
            if isinstance(v, Decimal) else str(v) for k, v in (f.numbers or {}).items()}
    return _key(f.rule, f.table, f.row, f.column, nums)


def equations(report, rules) -> tuple[int, int]:
    """(evaluated, total) single equations of the equation rules on 表三/表四."""
    from validator.expr import Missing, check
    from validator.tablemath import Lookup
    fmt = report.format
    ok = total = 0
    for rule in rules.rules:
        if rule.kind != "equation" or rule.relations or rule.params.get("table") not in EQ_TABLES:
            continue
        if not rule.applies_to(report.template):
            continue
        tkey = rule.params["table"]
        spec = fmt.table(tkey) if fmt is not None else None
        if spec is None:
            continue
        table = report.tables.get(tkey)
        for_each = rule.params.get("for_each", "column")
        keys = (rule.params.get("columns") or spec.columns) if for_each == "column" else \
            (rule.params.get("rows") or [r.key for r in spec.rows if not r.group or not r.label])
        for k in keys:
            if for_each == "row" and table is not None and k not in table.rows:
                continue   # a row the report does not have: S202 (or C201) says so, not this count
            total += 1
            if table is None:
                continue
            look = Lookup(table, spec, column=k) if for_each == "column" else Lookup(table, spec, row=k)
            try:
                check(rule.compiled, look)
            except Missing:
                continue
            ok += 1
    return ok, total


def measure_file(path: Path, rules, sidecars: dict) -> dict:
    from validator.lint import lint_path
    from validator.readers import ReadError
    manifest, expected = _sidecars(path.parent, sidecars)
    row = manifest.get(path.name, {})
    rec = {"file": str(path), "rendering": row.get("rendering") or (path.suffix.lower().lstrip(".") or "none"),
           "variant": row.get("variant", ""), "format": "other", "found": False, "ran": False,
           "equations": [0, 0], "arith_errors": 0, "false": None, "missed": None, "error": None}
    try:
        res = lint_path(str(path), rules=rules)
    except ReadError as exc:
        rec["error"] = str(exc)
        return rec
    rep = res.report
    if rep is None or rep.template not in ("2019", "2021"):
        return rec
    rec["format"] = rep.template
    rec["found"] = all(t in rep.tables for t in EQ_TABLES)
    ok, total = equations(rep, rules)
    rec["equations"] = [ok, total]
    unread = any(f.rule in ("P002", "S202") and f.table in EQ_TABLES for f in res.findings)
    rec["ran"] = rec["found"] and not unread and total > 0 and ok == total
    arith = [f for f in res.findings if f.category == "arithmetic" and f.severity == "error"]
    rec["arith_errors"] = len(arith)
    want = expected.get(path.name)
    if want is not None:
        arith_ids = {r.id for r in rules.rules if r.category == "arithmetic" and r.severity == "error"}
        exp = Counter(_key(*k[:4], k[4]) for k in want["table_findings"] if k[0] in arith_ids)
        got = Counter(_finding_key(f) for f in arith)
        rec["false"] = sum((got - exp).values())
        rec["missed"] = sum((exp - got).values())
    return rec


def summarise(records: list[dict]) -> list[dict]:
    groups: dict = defaultdict(list)
    for r in records:
        groups[(r["format"], r["rendering"])].append(r)
    out = []
    for (fmt, rendering), rs in sorted(groups.items()):
        ok = sum(r["equations"][0] for r in rs)
        total = sum(r["equations"][1] for r in rs)
        known = [r for r in rs if r["false"] is not None]
        out.append({"format": fmt, "rendering": rendering, "files": len(rs),
                    "found": sum(r["found"] for r in rs), "ran": sum(r["ran"] for r in rs),
                    "ran_pct": round(100 * sum(r["ran"] for r in rs) / len(rs), 1),
                    "equations_pct": round(100 * ok / total, 1) if total else 0.0,
                    "arith_errors": sum(r["arith_errors"] for r in rs),
                    "false": sum(r["false"] for r in known) if known else None,
                    "missed": sum(r["missed"] for r in known) if known else None})
    return out


def _table(summary: list[dict]) -> str:
    head = ("format", "rendering", "files", "ran", "ran %", "equations %", "arith errors", "false", "missed")
    rows = [(s["format"], s["rendering"], s["files"], s["ran"], s["ran_pct"], s["equations_pct"],
             s["arith_errors"], "—" if s["false"] is None else s["false"],
             "—" if s["missed"] is None else s["missed"]) for s in summary]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) if i < 2 else str(x).rjust(w) for i, (x, w) in enumerate(zip(r, widths)))
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--json", action="store_true", help="print JSON (summary and, with --files, every file)")
    ap.add_argument("--files", action="store_true", help="also list every file")
    args = ap.parse_args(argv)
    from validator.rules import load_rules
    rules = load_rules(())
    sidecars: dict = {}
    records = [measure_file(p, rules, sidecars) for p in _files(args.paths)]
    summary = summarise(records)
    if args.json:
        doc = {"summary": summary}
        if args.files:
            doc["files"] = records
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return 0
    print(_table(summary))
    if args.files:
        for r in records:
            print(f"{r['file']}\t{r['format']}\t{r['rendering']}\t{'ran' if r['ran'] else 'not run'}\t"
                  f"{r['equations'][0]}/{r['equations'][1]}\t{r['arith_errors']}" + (f"\t{r['error']}" if r["error"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
