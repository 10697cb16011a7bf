"""What the page shows, built from the one engine (validator.lint.lint_bytes).

No rule is implemented here: this module runs the CLI's pipeline and turns its Result into
a plain JSON-able *view model* for the page (lines of the report, the three tables as grids
from the model and the template, each finding tied to the cell or line it concerns), the
JSON document of ``-o json`` and the printable HTML record.  It runs in a worker process
(see worker.py), so it returns only plain data.
"""

from __future__ import annotations

import hashlib
import time
from bisect import bisect_right

from ..findings import CATEGORY_ZH, SEVERITY_RANK, SEVERITY_ZH, _num

NUMBER_NAMES = {"lhs": "等式左边", "rhs": "等式右边", "diff": "相差", "blank_as_zero": "空白按0计",
                "text": "正文", "table": "表格", "year": "年度"}
TEMPLATE_ZH = {"2019": "2019年格式（国办公开办函〔2019〕60号）", "2021": "2021年格式（国办公开办函〔2021〕30号）",
               "legacy": "2019年以前的报告（按2008年条例检查）"}
FORMAT_ZH = {"text": "纯文本", "html": "网页（HTML）", "markdown": "Markdown", "pdf": "PDF", "docx": "Word（DOCX）"}
ISSUER_OPTIONS = {"auto": None, "department": "department", "government": "government"}
TEMPLATE_OPTIONS = {"auto": None, "2019": "2019", "2021": "2021"}

_RULES = None


def _rules():
    global _RULES
    if _RULES is None:
        from ..rules import load_rules
        _RULES = load_rules(())
    return _RULES


def warm() -> None:
    """Import the pipeline and load the rules (a worker calls this when it starts)."""
    from .. import lint  # noqa: F401
    from . import printable  # noqa: F401
    from ..reporters import json_out  # noqa: F401
    import importlib
    for mod in ("pdf", "docx", "html", "markdown"):   # readers import their libraries lazily
        try:
            importlib.import_module(f"validator.readers.{mod}")
        except Exception:  # pragma: no cover - a missing reader is reported on upload
            pass
    for lib in ("pypdfium2", "docx", "bs4"):
        try:
            importlib.import_module(lib)
        except Exception:  # pragma: no cover
            pass
    _rules()
    check(b"2021\xe5\xb9\xb4", "warm.txt")


def check(data: bytes, name: str, template: str = "auto", issuer_kind: str = "auto",
          previous: bytes | None = None, previous_name: str | None = None) -> dict:
    """Lint one upload (with `previous`: last year's report, compared with it); returns
    {"ok": True, "view", "document", "print_html" (the record to download, stylesheet
    inline), "print_page" (the same record for the page to open, its stylesheet linked)} or
    {"ok": False, "error"}."""
    from ..lint import Options, lint_bytes
    from ..readers import ReadError
    from ..reporters.json_out import document
    from .printable import render_printable

    t0 = time.perf_counter()
    opts = Options(template=TEMPLATE_OPTIONS.get(template), issuer_kind=ISSUER_OPTIONS.get(issuer_kind))
    try:
        res = lint_bytes(data, name, opts, _rules())
    except ReadError as exc:
        from ..limits import caused_by_memory
        if caused_by_memory(exc):   # the worker's memory limit, not the file's fault alone
            raise MemoryError from None
        return {"ok": False, "error": f"无法读取文件：{exc}"}
    prev_res = None
    if previous:
        from .cross_view import compare_previous
        try:
            prev_res = compare_previous(res, previous, previous_name or "上一年度报告", opts, _rules())
        except ReadError as exc:
            return {"ok": False, "error": f"无法读取上一年度的报告：{exc}"}
    elapsed = time.perf_counter() - t0
    from ..reporters.fold import fold
    res.findings = fold(res.findings, _rules())   # as the CLI shows them: blank cells once per table
    view = build_view(res, data, template, issuer_kind)
    if prev_res is not None:
        from .cross_view import previous_view
        view["previous"] = previous_view(res, prev_res, previous, view, build_view=build_view,
                                         format_names=FORMAT_ZH, rules=_rules())
    view["file"]["elapsed_ms"] = round(elapsed * 1000)
    doc = document([res])
    return {"ok": True, "view": view, "document": doc, "print_html": render_printable(view),
            "print_page": render_printable(view, linked=True)}


# ---------------------------------------------------------------------------------------
def _side_names(rule) -> tuple[set[str], set[str]]:
    """Names on the left and right of an equation rule (for marking the two sides)."""
    comp = getattr(rule, "compiled", None) if rule is not None else None
    if comp is None or not hasattr(comp, "sides"):
        return set(), set()
    try:
        left, _op, right = comp.sides()
    except Exception:  # pragma: no cover - defensive: only display depends on it
        return set(), set()

    def names(tree):
        if tree is None:
            return set()
        if not hasattr(tree, "scan_values"):
            return {str(tree).lstrip("-")}
        return {str(v).lstrip("-") for v in tree.scan_values(lambda v: getattr(v, "type", "") == "NAME")}

    return names(left), names(right)


def _ancestors(spec, key: str) -> list[str]:
    out = []
    seen = set()
    r = spec.row(key) if spec else None
    while r is not None and r.parent and r.parent not in seen:
        seen.add(r.parent)
        out.append(r.parent)
        r = spec.row(r.parent)
    return out


def _row_name(spec, rspec, key: str) -> str:
    """A row's name on the page: its label in the format; for a row the format leaves
    unlabelled, its short name in the format, else — the only row of its table, as 表四's —
    what its numbers are (件数 when every column counts cases), else the table's name."""
    if rspec is None:
        return key
    if rspec.label:
        return rspec.label
    from ..rules.kinds import plain_row_name
    name = plain_row_name(spec, key)
    if name:
        return name
    cols = rspec.columns or spec.columns
    kinds = {spec.value_kinds.get(c, "count") for c in cols}
    if len(spec.rows) == 1 and kinds == {"count"}:
        return "件数"
    if len(spec.rows) == 1 and kinds == {"amount"}:
        return "金额"
    return spec.name


def _col_header(spec, cols: list[str]) -> list[dict]:
    return [{"key": c, "label": spec.column_display(c) if spec else c} for c in cols]


def build_view(res, data: bytes, template_choice: str = "auto", issuer_choice: str = "auto") -> dict:
    report = res.report
    src = res.source
    text = src.text if src is not None else ""
    fmt = report.format if report is not None else None
    rules = _rules()

    # ---- pieces of the normalised text: lines, cut further where the model says a title,
    # heading, paragraph or table begins or ends (one-line page text becomes paragraphs) ----
    line_starts = [0]
    i = text.find("\n")
    while i >= 0:
        line_starts.append(i + 1)
        i = text.find("\n", i + 1)
    starts, ends = _pieces(text, line_starts, report)

    def line_index(offset: int) -> int:
        """index of the piece holding offset"""
        return max(0, bisect_right(starts, offset) - 1)

    table_ranges = []  # (first piece, last piece, table key)
    if report is not None:
        for key, tab in report.tables.items():
            a, b = tab.span
            table_ranges.append((line_index(a), line_index(max(a, b - 1)), key))
    table_ranges.sort()

    # ---- cells ------------------------------------------------------------------------
    cells = []               # (span, cell id, table key, row key, column key, Cell)
    tables_view = []
    row_label_targets = []   # (label span, row-header id, table key, row key)
    if report is not None:
        for ti, (key, tab) in enumerate(report.tables.items()):
            spec = fmt.table(key) if fmt is not None else None
            tid = f"t{ti}"
            grids = []
            spec_rows = spec.rows if spec is not None else []
            known = {r.key for r in spec_rows}
            blocks: list[tuple[str | None, list]] = []
            for r in spec_rows:
                if not blocks or blocks[-1][0] != r.block:
                    blocks.append((r.block, []))
                blocks[-1][1].append(r)
            extra_rows = [k for k in tab.rows if k not in known]
            if extra_rows:
                blocks.append(("报告中的其他行（统一格式中没有）" if spec_rows else None, []))
            ri = 0
            for bi, (caption, rows) in enumerate(blocks):
                if spec is not None and rows:
                    cols = []
                    for r in rows:
                        for c in (r.columns or spec.columns):
                            if c not in cols:
                                cols.append(c)
                else:
                    cols = sorted({c for k in extra_rows for c in tab.rows[k].cells})
                grid_rows = []
                iter_rows = [(r.key, r) for r in rows] if rows else [(k, None) for k in extra_rows]
                for rkey, rspec in iter_rows:
                    mrow = tab.rows.get(rkey)
                    depth = len(_ancestors(spec, rkey)) if spec else 0
                    label = _row_name(spec, rspec, rkey)
                    rid = f"{tid}-r{ri}"
                    ri += 1
                    if mrow is not None and mrow.labels:
                        for lm in mrow.labels:
                            row_label_targets.append((tuple(lm.span), rid + "-h", key, rkey))
                    gcells = []
                    for ci, c in enumerate(cols):
                        allowed = (rspec is None or not rspec.columns or c in rspec.columns)
                        cell = mrow.cells.get(c) if mrow is not None else None
                        cid = f"{rid}-c{ci}"
                        if cell is not None:
                            cells.append((tuple(cell.span), cid, key, rkey, c, cell))
                            gcells.append({"id": cid, "raw": cell.raw, "kind": cell.kind.value,
                                           "column": c, "note": cell.note})
                        elif not allowed:
                            gcells.append({"id": cid, "raw": "", "kind": "none", "column": c})
                        elif rspec is not None and rspec.group and mrow is None:
                            gcells.append({"id": cid, "raw": "", "kind": "group", "column": c})
                        else:
                            gcells.append({"id": cid, "raw": "", "kind": "missing", "column": c})
                    grid_rows.append({"id": rid, "key": rkey, "label": label, "depth": depth,
                                      "labelled": bool(rspec is not None and rspec.label),
                                      "group": bool(rspec is not None and rspec.group),
                                      "present": mrow is not None,
                                      "unreadable": getattr(mrow, "unreadable", None) if mrow else None,
                                      "cells": gcells})
                grids.append({"caption": caption, "columns": _col_header(spec, cols), "rows": grid_rows})
            tables_view.append({"id": tid, "key": key, "name": tab.name, "span": list(tab.span),
                                "grids": grids, "line": src.location(*tab.span).line if src else None})

    cell_by_span: dict[tuple[int, int], list] = {}
    for span, cid, tkey, rkey, ckey, cell in cells:
        cell_by_span.setdefault(span, []).append((cid, tkey, rkey, ckey, cell))
    cell_by_loc: dict = {}
    for span, cid, tkey, rkey, ckey, cell in cells:
        cell_by_loc.setdefault(src.location(*span), []).append((cid, tkey, rkey, ckey, cell))
    sorted_cells = sorted(cells, key=lambda c: c[0])

    def cell_at(start: int, end: int):
        hit = cell_by_span.get((start, end))
        if hit:
            return hit[0]
        for span, cid, tkey, rkey, ckey, cell in sorted_cells:
            a, b = span
            if a <= start and end <= max(b, a) and (start < b or a == b == start):
                return (cid, tkey, rkey, ckey, cell)
        return None

    # offsets by (line, column) for related locations that are not cells (built when needed)
    loc_offset: dict = {}

    def offset_of(loc) -> int | None:
        if not loc_offset and src is not None and len(text) < 1_000_000:
            for off in range(len(text)):
                loc_offset.setdefault(src.line_col(off), off)
            loc_offset[None] = -1
        return loc_offset.get((loc.line, loc.column))

    # ---- findings -----------------------------------------------------------------------
    findings_view = []
    line_marks: dict[int, list] = {}       # line index -> [(start, end, finding id, severity)]
    cell_marks: dict[str, list] = {}       # cell id -> [(finding id, role, severity)]
    for n, f in enumerate(res.findings):
        fid = f"f{n}"
        rule = rules.by_id(f.rule)
        targets = []
        primary = None
        table_key = f.table
        if f.span is not None:
            start, end = f.span
            if f.cells:   # a folded finding (the blank cells of a table): every cell is its place
                for m in f.cells:
                    mh = cell_at(*m.span) if m.span is not None else None
                    if mh is not None:
                        cell_marks.setdefault(mh[0], []).append((fid, "anchor", f.severity))
                        targets.append({"id": mh[0], "role": "cell"})
                if targets:
                    primary = targets[0]["id"]
            hit = cell_at(start, end) if primary is None else None
            if hit is not None:
                cid, tkey, rkey, ckey, _cell = hit
                primary = cid
                table_key = table_key or tkey
                cell_marks.setdefault(cid, []).append((fid, "anchor", f.severity))
            elif primary is None:
                for span, rid, tkey, rkey in row_label_targets:
                    if span[0] <= start < max(span[1], span[0] + 1):
                        primary = rid
                        cell_marks.setdefault(rid, []).append((fid, "anchor", f.severity))
                        table_key = table_key or tkey
                        break
            li = line_index(start)
            le = line_index(max(start, end - 1))
            whole_table = None
            if primary is None and f.table and not f.row and not f.column and not f.cells:
                # about a whole table (e.g. "表二没有填写任何数字"): the grid is the place
                whole_table = next((t["id"] for t in tables_view if t["key"] == f.table
                                    and t["span"][0] <= start < max(t["span"][1], t["span"][0] + 1)), None)
            if whole_table is not None:
                primary = f"table-{whole_table}"
            elif not (f.cells and primary is not None):
                for k in range(li, min(le, li + 20) + 1):
                    line_marks.setdefault(k, []).append((start, end, fid, f.severity))
            if primary is None:
                primary = f"ln{li}"
        else:
            primary = "doc-top"
        # the two sides of an equation, or the other places the finding refers to
        lnames, rnames = _side_names(rule) if rule is not None and rule.kind == "equation" else (set(), set())
        for_each = rule.params.get("for_each", "column") if rule is not None else "column"
        spec = fmt.table(table_key) if (fmt is not None and table_key) else None
        for loc in f.related:
            if getattr(loc, "path", None):
                continue  # a place in another file (last year's report): validator/web/cross_view.py
            hits = cell_by_loc.get(loc)
            off = None if hits else offset_of(loc)
            if off is not None:
                h = cell_at(off, off + 1) or cell_at(off, off)
                hits = [h] if h else None
                if not hits:
                    li = line_index(off)
                    line_marks.setdefault(li, []).append((off, off, fid, "related"))
                    targets.append({"id": f"ln{li}", "role": "related"})
                    continue
            for cid, tkey, rkey, ckey, _cell in hits or []:
                owner = rkey if for_each == "column" else ckey
                owners = {owner, *(_ancestors(spec, rkey) if (spec and for_each == "column") else [])}
                role = "lhs" if owners & lnames else ("rhs" if owners & rnames else "related")
                cell_marks.setdefault(cid, []).append((fid, role, f.severity))
                targets.append({"id": cid, "role": role})
        # the anchor's own side
        anchor_side = None
        if primary and primary.startswith("t") and f.span is not None and (lnames or rnames):
            hit = cell_at(*f.span)
            if hit is not None:
                _cid, _t, rkey, ckey, _c = hit
                owner = rkey if for_each == "column" else ckey
                owners = {owner, *(_ancestors(spec, rkey) if (spec and for_each == "column") else [])}
                anchor_side = "lhs" if owners & lnames else ("rhs" if owners & rnames else None)
        loc = f.location
        where = []
        if loc.page and not (loc.where and f"第{loc.page}页" in loc.where):
            where.append(f"第{loc.page}页")
        if loc.where and loc.where not in where:
            where.append(loc.where)
        if not loc.where and src is not None and src.format in ("text", "markdown", "html"):
            where.append(f"第{loc.line}行第{loc.column}列")
        place = " · ".join(x for x in (f.table, f.row and f"「{f.row}」行", f.column and f"「{f.column}」列") if x)
        numbers = [{"key": k, "label": NUMBER_NAMES.get(k, k), "value": _num(v)} for k, v in f.numbers.items()
                   if not (k == "blank_as_zero" and not v)]
        findings_view.append({
            "id": fid, "rule": f.rule, "name": f.name, "severity": f.severity,
            "severity_zh": SEVERITY_ZH.get(f.severity, f.severity),
            "category": f.category, "category_zh": CATEGORY_ZH.get(f.category, f.category),
            "message": f.message, "suggestion": f.suggestion, "basis": f.basis,
            "numbers": numbers, "section": f.section, "table": f.table, "row": f.row, "column": f.column,
            "place": place, "where": " · ".join(where), "line": loc.line, "page": loc.page,
            "target": primary, "anchor_side": anchor_side, "related": targets,
        })

    # ---- lines outside the tables -------------------------------------------------------
    heading_lines = {}
    if report is not None:
        for s in report.sections:
            heading_lines[line_index(s.span[0])] = f"{s.numeral}、{s.title}"
    title_line = None
    if report is not None and report.metadata.title_span:
        ta, tb = report.metadata.title_span
        k = line_index(ta)
        a, b = starts[k], ends[k]
        if (tb - ta) >= 0.6 * max(1, len(text[a:b].strip())):   # the piece is the title, not a sentence quoting it
            title_line = k
    blocks_view = []
    tr = iter(table_ranges)
    cur = next(tr, None)
    li = 0
    nlines = len(starts)
    last_page = None
    while li < nlines:
        if cur is not None and li == cur[0]:
            raw = []
            for k in range(cur[0], cur[1] + 1):
                raw.append(_line_view(k, starts, ends, text, src, line_marks))
            tv = next(t for t in tables_view if t["key"] == cur[2])
            blocks_view.append({"type": "table", "table": tv["id"], "raw": raw})
            li = max(li, cur[1]) + 1
            cur = next(tr, None)
            while cur is not None and cur[0] < li:   # another table on the same lines: its grid too
                tv = next(t for t in tables_view if t["key"] == cur[2])
                blocks_view.append({"type": "table", "table": tv["id"], "raw": []})
                li = max(li, cur[1] + 1)
                cur = next(tr, None)
            continue
        a, b = starts[li], ends[li]
        if li not in line_marks and (b - a == 0 or not text[a:b].strip()):
            li += 1
            continue
        lv = _line_view(li, starts, ends, text, src, line_marks)
        if lv["text"].strip() or lv["marks"]:
            page = lv.get("page")
            if page and page != last_page:
                blocks_view.append({"type": "page", "page": page})
                last_page = page
            kind = "heading" if li in heading_lines else ("title" if li == title_line else "line")
            lv["type"] = kind
            blocks_view.append(lv)
        li += 1

    marks_out = {cid: [{"finding": a, "role": b, "severity": c} for a, b, c in v] for cid, v in cell_marks.items()}
    summary = {s: sum(1 for f in findings_view if f["severity"] == s) for s in ("error", "warning", "info")}
    md = report.metadata if report is not None else None
    return {
        "file": {
            "name": res.path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "format": src.format if src else None, "format_zh": FORMAT_ZH.get(src.format, src.format) if src else None,
            "encoding": src.encoding if src else None,
            "template": report.template if report else None,
            "template_zh": TEMPLATE_ZH.get(report.template, "未能判断") if report else "未能判断",
            "template_reason": report.template_reason if report else "",
            "template_choice": template_choice, "issuer_choice": issuer_choice,
            "year": md.year if md else None, "issuer": md.issuer if md else None,
            "title": md.title if md else None,
            "checked_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "summary": {**summary, "total": len(findings_view)},
        "blocks": blocks_view,
        "tables": tables_view,
        "findings": sorted(findings_view, key=lambda f: (-SEVERITY_RANK.get(f["severity"], 0), int(f["id"][1:]))),
        "cell_marks": marks_out,
    }


def _pieces(text: str, line_starts: list[int], report) -> tuple[list[int], list[int]]:
    """Where the page's text blocks start and end: every line, and inside a line where the
    model puts a title, a section heading (its end too), a paragraph or a table (start and
    end).  Reports published as one line of page text thus show as their paragraphs."""
    n = len(text)
    cuts = set(line_starts)
    if report is not None:
        paras = list(report.front) + list(report.preamble)
        if report.signature is not None:
            paras.append(report.signature)
        for sec in report.sections:
            cuts.update(sec.span)
            paras.extend(sec.paragraphs)
        for p in paras:
            cuts.add(p.span[0])
        for tab in report.tables.values():
            cuts.update(tab.span)
        ts = report.metadata.title_span
        if ts and ts[0] in cuts:   # a title at the start of a line or paragraph ends its own block
            cuts.add(ts[1])
    starts = sorted(c for c in cuts if 0 <= c < n) or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    ends = []
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else n
        if b > a and text[b - 1] == "\n":
            b -= 1
        ends.append(b)
    return starts, ends


def _line_view(k: int, starts, ends, text: str, src, line_marks) -> dict:
    a, b = starts[k], ends[k]
    loc = src.location(a) if src is not None else None
    segs = _segments(text, a, b, line_marks.get(k, []))
    marks = sorted({fid for _s, _e, fid, _sev in line_marks.get(k, [])}, key=lambda x: int(x[1:]))
    return {"id": f"ln{k}", "text": text[a:b], "segments": segs, "marks": marks,
            "line": loc.line if loc else k + 1, "column": loc.column if loc else 1,
            "line_start": a == 0 or text[a - 1] == "\n",
            "page": loc.page if loc else None}


def _segments(text: str, a: int, b: int, marks: list) -> list:
    """Split line text[a:b] into runs, each with the findings whose span covers it."""
    cuts = {a, b}
    for s, e, _fid, _sev in marks:
        if e > s:
            cuts.add(min(max(s, a), b))
            cuts.add(min(max(e, a), b))
    cuts = sorted(cuts)
    out = []
    for x, y in zip(cuts, cuts[1:]):
        if y <= x:
            continue
        fs = [(fid, sev) for s, e, fid, sev in marks if e > s and s < y and e > x and sev != "related"]
        worst = max((SEVERITY_RANK.get(sev, 0) for _f, sev in fs), default=None)
        out.append({"text": text[x:y], "findings": [fid for fid, _ in fs],
                    "severity": next((s for s, r in SEVERITY_RANK.items() if r == worst), None) if fs else None})
    return out
