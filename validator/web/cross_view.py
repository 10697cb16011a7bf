"""Last year's report on the page (issue 14): the upload is compared with it by the same
pair rules as `xxgk-lint check --previous` (validator/cross/run.py), and the page shows the
previous report's tables with the cells the cross-year findings name, next to this year's.
"""

from __future__ import annotations

from ..findings import Finding


def compare_previous(res, data: bytes, name: str, opts, rules):
    """Lint last year's report and add the pair findings to `res` (this year's result).
    Returns (previous result, pair context).  Raises readers.ReadError."""
    from ..cross.run import check_pair
    from ..lint import lint_bytes
    prev = lint_bytes(data, name, opts, rules)
    if res.report is None or prev.report is None:
        return prev, None
    found, ctx = check_pair(res.report, prev.report, rules, opts)
    res.findings.extend(found)
    res.findings.sort(key=Finding.sort_key)
    return prev, ctx


def _prefixed(node, prefix: str):
    """A copy of a view fragment with every element id prefixed (the two reports' tables
    are on one page)."""
    if isinstance(node, dict):
        return {k: (prefix + v if k == "id" and isinstance(v, str) else _prefixed(v, prefix)) for k, v in node.items()}
    if isinstance(node, list):
        return [_prefixed(x, prefix) for x in node]
    return node


def previous_view(res, compared, data: bytes, view: dict, *, build_view, format_names: dict, rules) -> dict:
    """The previous report's part of the view model (its tables by `build_view`, the
    engine's); also ties this year's findings to the previous report's cells they name
    (`elsewhere`, `related`, `cell_marks`)."""
    prev, ctx = compared
    pv = build_view(prev, data)
    tables = _prefixed(pv["tables"], "p")
    ids = {}
    for t in tables:
        for g in t["grids"]:
            for r in g["rows"]:
                for c in r["cells"]:
                    ids[(t["key"], r["key"], c["column"])] = c["id"]
    by_loc = {}
    if prev.report is not None:
        src = prev.source
        for tkey, tab in prev.report.tables.items():
            for row in tab.rows.values():
                for ckey, cell in row.cells.items():
                    loc = src.location(*cell.span)
                    by_loc.setdefault((loc.line, loc.column, loc.page), (tkey, row.key, ckey))
    entries = {f["id"]: f for f in view["findings"]}
    marked_tables = set()
    count = 0
    for n, f in enumerate(res.findings):
        fv = entries.get(f"f{n}")
        if fv is None:
            continue
        elsewhere = []
        for r in f.related:
            if getattr(r, "path", None) != prev.path:
                continue
            key = by_loc.get((r.line, r.column, r.page))
            cid = ids.get(key) if key else None
            if cid:
                view["cell_marks"].setdefault(cid, []).append({"finding": fv["id"], "role": "related",
                                                               "severity": f.severity})
                fv["related"].append({"id": cid, "role": "related"})
                marked_tables.add(key[0])
            where = r.where or f"第{r.line}行第{r.column}列"
            elsewhere.append({"id": cid, "label": r.label or "", "where": where})
        if elsewhere:
            fv["elsewhere"] = elsewhere
            count += 1
    checked = []
    if ctx is not None:
        by_rule: dict = {}
        for c in ctx.checked:
            by_rule.setdefault(c["rule"], []).append(c)
        for rid, cs in sorted(by_rule.items()):
            ok = sum(1 for c in cs if c["holds"])
            rule = rules.by_id(rid)
            what = (rule.params.get("what") or rule.name) if rule is not None else rid
            checked.append({"rule": rid, "count": len(cs), "holds": ok, "what": what})
    md = prev.report.metadata if prev.report is not None else None
    src = prev.source
    return {
        "name": prev.path, "year": md.year if md else None, "issuer": md.issuer if md else None,
        "format_zh": format_names.get(src.format, src.format) if src else None,
        "tables": [t for t in tables if t["key"] in marked_tables] or tables,
        "findings": count, "checked": checked,
    }
