#!/usr/bin/env python3
"""Write every test rendering of every corpus report with 2019/2021 tables into OUTDIR, so the
renderings can be inspected and measured outside the test suite (issue 10).

    python scripts/render_corpus.py OUTDIR [--mutate] [--variants] [--report STEM …]
                                           [--rendering NAME …] [--source FILE …]

The reports are those of tests/renderings/reports.yaml (cells the tool cannot read from a
copy are supplied there); --source adds any other report file (its unreadable rows are left
out and listed in the manifest).  --mutate also writes each rendering with one 表三 and one
表四 value changed (tests/renderings/render.py: mutate, seed 0); --variants also writes each
report with section titles in real-world variant wording.

OUTDIR gets the files, ``manifest.tsv`` (file, source report, rendering, variant, changed
cells, supplied cells, rows left out) and ``expected.json`` (per file: the table findings
that the table rules give on the cells the file was written from), which
scripts/measure_tables.py uses to count false and missed errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MANIFEST_FIELDS = ("file", "source", "rendering", "variant", "changed_cells", "supplied_cells", "dropped_rows")


def _changes_text(changes: list[dict]) -> str:
    return "; ".join(f"{c['table']}/{c['row']}/{c['column']}: {c['old']}→{c['new']}" for c in changes)


def _jobs(args):
    """(source label, ReportData) for every report to render."""
    from tests.renderings import render as R
    from tests.renderings import truth as T
    for rel in T.report_ids():
        if args.report and Path(rel).stem not in args.report and rel not in args.report:
            continue
        yield rel, T.load(rel)
    for path in args.source or ():
        from validator.lint import lint_path
        res = lint_path(path)
        if res.report is None or res.report.template not in ("2019", "2021") or not res.report.tables:
            print(f"{path}: 没有2019/2021年格式的表格，跳过", file=sys.stderr)
            continue
        yield path, R.report_data(res.report, source=path)


def main(argv: list[str] | None = None) -> int:
    from tests.renderings import render as R
    from tests.renderings import truth as T
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--mutate", action="store_true", help="also write each rendering with two values changed")
    ap.add_argument("--variants", action="store_true", help="also write each report with variant section titles")
    ap.add_argument("--report", action="append", help="only this corpus report (file stem), repeatable")
    ap.add_argument("--rendering", action="append", choices=R.RENDERINGS, help="only this rendering, repeatable")
    ap.add_argument("--source", action="append", help="another report file to render, repeatable")
    args = ap.parse_args(argv)
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    renderings = args.rendering or list(R.RENDERINGS)
    rows, expected = [], {}
    for source, data in _jobs(args):
        stem = Path(source).stem
        variants = [("plain", data, [])]
        if args.mutate:
            m, changes = R.mutate(data, seed=0)
            variants.append(("mutated", m, changes))
        if args.variants:
            for i in range(len(R.VARIANT_TITLES)):
                v, _ch = R.with_variant_titles(data, i)
                variants.append((f"titles{i}", v, []))
        for name, d, changes in variants:
            want = T.expected_findings(d)
            for rendering in renderings:
                file = R.write(d, rendering, out, f"{stem}__{rendering}" + ("" if name == "plain" else f"__{name}"))
                rows.append({"file": file.name, "source": source, "rendering": rendering, "variant": name,
                             "changed_cells": _changes_text(changes),
                             "supplied_cells": str(len(d.supplied)),
                             "dropped_rows": "; ".join(f"{t}/{r}" for t, r in d.dropped)})
                expected[file.name] = {"table_findings": [list(k[:4]) + [dict(k[4])] for k in want]}
    with open(out / "manifest.tsv", "w", encoding="utf-8") as fh:
        fh.write("\t".join(MANIFEST_FIELDS) + "\n")
        for r in rows:
            fh.write("\t".join(r[f].replace("\t", " ") for f in MANIFEST_FIELDS) + "\n")
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(rows)} files written to {out} (manifest.tsv, expected.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
