"""The rule kinds.  Each kind declares its parameters (checked when rule files load), prepares
what it needs once, and checks a parsed Report — never the raw text of the file.

Kinds of this module (structure and tables):
  report_kind       what kind of report this is (pre-2019, unknown year)        [metadata]
  diagnostics       the parser's diagnostics of some kinds: sections and tables
                    missing or out of order, rows missing, cells not placed …   [structure, parse]
  equation          an equation over table cells, per column or per row         [arithmetic]
  cell_values       cells hold what the column requires (non-negative integers…)[format]
  blank_cells       blank cells where a number is due; unfilled tables          [format]
  unreadable_cells  cells that could not be separated or are in excess          [parse]
  label_wording     labels/titles that match the template only tolerantly      [structure]
Other modules may register more kinds with :func:`register`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable

from ..expr import ExprError, Missing, check, compile_expr
from ..findings import Finding
from ..i18n import table_en
from ..model import Report, Table, ValueKind


class KindError(Exception):
    """A rule's parameters do not fit its kind."""


@dataclass
class KindSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    prepare: Callable
    run: Callable
    doc: str = ""


KINDS: dict[str, KindSpec] = {}


def register(name: str, required=(), optional=(), prepare=None):
    def deco(fn):
        KINDS[name] = KindSpec(name, tuple(required), tuple(optional), prepare or (lambda rule: None), fn,
                               (fn.__doc__ or "").strip())
        return fn
    return deco


class _Safe(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fmt_num(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return str(int(v))
        return format(v.normalize(), "f")
    return str(v)


class Ctx:
    """What a rule needs while it runs: the report, its format, and a way to emit findings."""

    def __init__(self, report: Report, lang: str = "zh"):
        self.report = report
        self.fmt = report.format
        self.src = report.source
        self.lang = lang

    def section_name(self, offset: int) -> str | None:
        s = self.report.section_at(offset)
        return f"{s.numeral}、{s.title}" if s else None

    def emit(self, rule, span, args: dict | None = None, *, table=None, row=None, column=None,
             numbers=None, related=(), suggestion=None, group=None) -> Finding:
        start, end = span
        # quote the report's own characters (full-width punctuation, traditional script)
        args = _Safe({k: (self.src.quote(v, start) if isinstance(v, str) and not k.endswith("_en") else v)
                      for k, v in (args or {}).items()})
        msg = rule.message.format_map(args)
        args_en = english_args(args)
        msg_en = rule.message_en.format_map(args_en) if rule.message_en else None
        sug = suggestion
        if sug is None and rule.suggestion:
            sug = rule.suggestion.format_map(args)
        sug_en = rule.suggestion_en.format_map(args_en) if (suggestion is None and rule.suggestion_en) else None
        return Finding(rule.id, rule.category, rule.severity, msg, self.src.path,
                       self.src.location(start, end), rule.name, msg_en,
                       section=self.section_name(start), table=table, row=row, column=column,
                       numbers=dict(numbers or {}), basis=rule.basis, suggestion=sug,
                       related=[self.src.location(a, b) for a, b in related], span=(start, end),
                       suggestion_en=sug_en, group=group)


def english_args(args: dict) -> "_Safe":
    """The arguments of the English message: ``X_en`` replaces ``X`` where a kind gives it,
    table names become "Table 3"; everything else (numbers, the report's own words, the
    form's labels) stays as it is."""
    out = _Safe()
    for k, v in args.items():
        if k.endswith("_en"):
            out[k] = v
        elif k + "_en" in args:
            out[k] = args[k + "_en"]
        elif k == "table" and isinstance(v, str):
            out[k] = table_en(v)
        else:
            out[k] = v
    return out


def plain_row_name(spec, key: str) -> str | None:
    """A row's name for people: its label in the format; a row the format leaves unlabelled
    (表四's one row of numbers) has its short name if the format gives one, else none — the
    table and column say where such a cell is."""
    r = spec.row(key) if spec is not None else None
    if r is None:
        return key
    if r.label:
        return spec.row_display(key)
    return r.name or None


def _doc_start(ctx: Ctx) -> tuple[int, int]:
    md = ctx.report.metadata
    if md.title_span:
        return md.title_span
    return (0, 0)


# ---------------------------------------------------------------------------------------
@register("report_kind", optional=("when",))
def run_report_kind(rule, ctx: Ctx) -> Iterable[Finding]:
    """Says what kind of report this is when that changes which rules apply: `when: legacy`
    (a report on a year before 2019, checked against the 2008 条例), `when: unknown` (the
    report year could not be read) or `when: not-report` (not an annual report at all: a
    工作要点, a letter, a news page — nothing else is checked)."""
    when = rule.params.get("when", "legacy")
    r = ctx.report
    if when == "not-report":
        if r.kind == "not-report":
            yield ctx.emit(rule, _doc_start(ctx), {})
        return
    if r.kind == "not-report":
        return
    if when == "legacy" and r.template == "legacy":
        span = r.metadata.year_span or _doc_start(ctx)
        yield ctx.emit(rule, span, {"year": r.metadata.year, "reason": r.template_reason})
    elif when == "unknown" and r.metadata.year is None:
        yield ctx.emit(rule, _doc_start(ctx), {"reason": r.template_reason})


@register("diagnostics", required=("diagnostic",), optional=("problems", "problems_en", "per_table"))
def run_diagnostics(rule, ctx: Ctx):
    """Reports the parser's diagnostics of one kind (``diagnostic:``, or a list of kinds):
    what it found about the report's structure (a section missing or out of order, a table
    missing, a row of another format, cells that could not be placed) or the file as a whole
    (over a limit).  ``problems`` gives the text of ``{problem}`` for each diagnostic kind;
    ``per_table: true`` makes one finding per table, listing the rows (``{rows}``,
    ``{count}``) in the template's order."""
    want = rule.params["diagnostic"]
    want = set(want) if isinstance(want, list) else {want}
    problems = rule.params.get("problems") or {}
    problems_en = rule.params.get("problems_en") or {}
    diags = [d for d in ctx.report.diagnostics if d.kind in want]
    if not rule.params.get("per_table"):
        for d in sorted(diags, key=lambda d: d.span):
            args = {"detail": "", **d.args}
            args.setdefault("problem", str(problems.get(d.kind, "")).format_map(_Safe(args)))
            if d.kind in problems_en:
                args.setdefault("problem_en", str(problems_en[d.kind]).format_map(_Safe(args)))
            yield ctx.emit(rule, d.span, args, related=d.related, table=d.args.get("table"))
        return
    by_table: dict[str, list] = {}
    for d in diags:
        by_table.setdefault(d.args.get("table", ""), []).append(d)
    fmt = ctx.fmt
    for tkey, ds in by_table.items():
        spec = fmt.table(tkey) if fmt is not None else None
        order = {r.key: k for k, r in enumerate(spec.rows)} if spec is not None else {}
        ds.sort(key=lambda d: (order.get(d.args.get("row"), 999), d.span))
        names = []
        for d in ds:
            row = d.args.get("row")
            name = spec.row_display(row) if spec is not None and row else d.args.get("label", "")
            if name not in names:
                names.append(name)
        table = ctx.report.tables.get(tkey)
        span = min(d.span for d in ds) if table is None else table.span
        kinds = {d.kind for d in ds}
        problem = "；".join(str(problems[k]) for k in sorted(kinds) if k in problems)
        problem_en = "; ".join(str(problems_en[k]) for k in sorted(kinds) if k in problems_en)
        yield ctx.emit(rule, span, {"table": tkey, "name": spec.name if spec else "", "rows": "、".join(names),
                                    "count": len(names), "problem": problem,
                                    "rows_en": ", ".join(f"“{n}”" for n in names), "problem_en": problem_en or problem},
                       table=tkey, related=[d.span for d in ds if d.span != span])


# ---------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------
def _prepare_equation(rule):
    p = rule.params
    try:
        expr = compile_expr(str(p["assert"]))
    except ExprError as exc:
        raise KindError(str(exc)) from None
    if not expr.is_comparison:
        raise KindError(f"assert 必须是比较式（含 == 等），而不是“{p['assert']}”")
    if p.get("for_each", "column") not in ("column", "row"):
        raise KindError("for_each 只能是 column 或 row")
    if p.get("locate", "rhs") not in ("lhs", "rhs"):
        raise KindError("locate 只能是 lhs 或 rhs")
    _check_names(rule, expr)
    return expr


def _check_names(rule, expr):
    """Names in an expression must be rows (for_each: column) or columns (for_each: row) of
    the table in at least one format, so a typo fails when the rule loads."""
    from ..templates import load_formats
    tkey = rule.params["table"]
    known: set[str] = set()
    found_table = False
    for f in load_formats().values():
        t = f.table(tkey)
        if t is None:
            continue
        found_table = True
        if rule.params.get("for_each", "column") == "column":
            known |= {r.key for r in t.rows}
        else:
            known |= set(t.columns)
    if not found_table:
        raise KindError(f"没有名为“{tkey}”的表")
    unknown = [n for n in expr.names if n not in known]
    if unknown:
        raise KindError(f"表达式中的“{'、'.join(unknown)}”不是{tkey}的{'行' if rule.params.get('for_each', 'column') == 'column' else '列'}名")
    for k in ("columns", "rows"):
        if k in rule.params and not isinstance(rule.params[k], list):
            raise KindError(f"{k} 必须是列表")


def _term_text(spec, terms, for_each, lang="zh"):
    parts = []
    for name, v in terms:
        neg = name.startswith("-")
        n = name[1:] if neg else name
        shown = spec.short_name(n) if for_each == "column" else n
        if lang == "en":
            parts.append(("- " if neg else "") + f"“{shown}” {fmt_num(v)}")
        else:
            parts.append(("－" if neg else "") + f"{shown}{fmt_num(v)}")
    if lang == "en":
        return " + ".join(parts).replace("+ - ", "- ")
    return " + ".join(parts).replace("+ －", "－ ")


@register("equation", required=("table", "assert"), optional=("for_each", "columns", "rows", "locate", "fix"),
          prepare=_prepare_equation)
def run_equation(rule, ctx: Ctx):
    """An equation over table cells, written in the rule language (grammar/expr.lark) and
    checked for each column (names are rows) or each row (names are columns).  A group name
    (不予公开) is the sum of its rows.  Blank cells count as 0 and the message says so; when
    one whole side is blank, or a cell is missing, unreadable or a dash, the equation is not
    checked (other rules report those cells)."""
    from ..tablemath import Lookup
    fmt = ctx.fmt
    if fmt is None:
        return
    tkey = rule.params["table"]
    table: Table | None = ctx.report.tables.get(tkey)
    spec = fmt.table(tkey)
    if table is None or spec is None:
        return
    expr = rule.compiled
    for_each = rule.params.get("for_each", "column")
    if for_each == "column":
        keys = rule.params.get("columns") or spec.columns
    else:
        keys = rule.params.get("rows") or [r.key for r in spec.rows if not r.group or not r.label]
    left, op, right = expr.sides()
    for k in keys:
        look = Lookup(table, spec, column=k) if for_each == "column" else Lookup(table, spec, row=k)
        try:
            out = check(expr, look)
        except Missing:
            continue
        if out.holds:
            continue
        if any(c.kind == ValueKind.BLANK and c.implied is not None for c in look.cells):
            # a blank cell whose value the template's other equations fix: with that value the
            # equation holds, so the blank is the problem (F502 says what it must be), not a sum
            alt = Lookup(table, spec, column=k, implied=True) if for_each == "column" else \
                Lookup(table, spec, row=k, implied=True)
            try:
                if check(expr, alt).holds:
                    continue
            except Missing:
                pass
        lhs_cells = _cells_of(look, out.lhs_terms, table, spec, for_each, k)
        rhs_cells = _cells_of(look, out.rhs_terms, table, spec, for_each, k)
        if _all_blank(lhs_cells) or _all_blank(rhs_cells):
            continue
        diff = out.lhs - out.rhs
        where = rule.params.get("locate", "rhs")
        anchor_cells = [c for c in (rhs_cells if where == "rhs" else lhs_cells) if c.kind != ValueKind.BLANK] \
            or (rhs_cells if where == "rhs" else lhs_cells)
        anchor = anchor_cells[0]
        others = [c.span for c in look.cells if c is not anchor]
        fix_name = rule.params.get("fix") or (out.rhs_terms[0][0] if out.rhs_terms else "")
        fix_val = None
        for n, v in out.rhs_terms:
            if n == fix_name:
                fix_val = v + diff
        for n, v in out.lhs_terms:
            if n == fix_name and fix_val is None:
                fix_val = v - diff
        blanks = len(look.blanks)
        label = spec.column_display(k) if for_each == "column" else (plain_row_name(spec, k) or "")
        args = {
            "table": tkey, "column": label if for_each == "column" else "", "row": label if for_each == "row" else "",
            "lhs": fmt_num(out.lhs), "rhs": fmt_num(out.rhs), "diff": fmt_num(abs(diff)),
            "lhs_expr": _term_text(spec, out.lhs_terms, for_each),
            "rhs_expr": _term_text(spec, out.rhs_terms, for_each),
            "fix": fix_name, "fix_value": fmt_num(fix_val),
            "assumption": f"（其中{blanks}个空白单元格按0计）" if blanks else "",
            "lhs_expr_en": _term_text(spec, out.lhs_terms, for_each, "en"),
            "rhs_expr_en": _term_text(spec, out.rhs_terms, for_each, "en"),
            "fix_en": spec.short_name(fix_name) if for_each == "column" else fix_name,
            "assumption_en": (f" ({blanks} blank cell{'s' if blanks != 1 else ''} counted as 0)" if blanks else ""),
        }
        yield ctx.emit(rule, anchor.span, args, table=tkey,
                       row=(plain_row_name(spec, k) if for_each == "row" else None),
                       column=(label if for_each == "column" else None),
                       numbers={"lhs": out.lhs, "rhs": out.rhs, "diff": diff, "blank_as_zero": blanks},
                       related=others)


def _cells_of(look, terms, table, spec, for_each, k):
    """The cells behind a list of terms (groups expand to their rows)."""
    out = []
    names = [n.lstrip("-") for n, _v in terms]
    for c in look.cells:
        owner = c.row if for_each == "column" else c.column
        if owner in names or (for_each == "column" and _ancestor_in(spec, c.row, names)):
            out.append(c)
    return out


def _ancestor_in(spec, row_key, names) -> bool:
    r = spec.row(row_key)
    while r is not None and r.parent:
        if r.parent in names:
            return True
        r = spec.row(r.parent)
    return False


def _all_blank(cells) -> bool:
    return bool(cells) and all(c.kind == ValueKind.BLANK for c in cells)


# ---------------------------------------------------------------------------------------
def _prepare_cell_values(rule):
    t = rule.params.get("tables")
    if t is not None and not isinstance(t, list):
        raise KindError("tables 必须是列表")


@register("cell_values", optional=("tables",), prepare=_prepare_cell_values)
def run_cell_values(rule, ctx: Ctx):
    """Cells hold what their column requires: counts are non-negative whole numbers; amounts
    (表二 收费金额、采购总金额) may have decimals; 本年增/减 may carry 增/减.  Text, negative
    numbers and decimals in count cells are reported."""
    fmt = ctx.fmt
    if fmt is None:
        return
    for key, table in ctx.report.tables.items():
        if rule.params.get("tables") and key not in rule.params["tables"]:
            continue
        spec = fmt.table(key)
        if spec is None:
            continue
        for row in table.rows.values():
            for col, cell in row.cells.items():
                kind = spec.value_kinds.get(col, "count")
                problem = problem_en = None
                if cell.kind == ValueKind.TEXT:
                    problem, problem_en = "不是数字", "not a number"
                elif cell.kind in (ValueKind.NUMBER, ValueKind.ZERO):
                    v = cell.value
                    if kind == "count" and v != v.to_integral_value():
                        problem, problem_en = "件数不应有小数", "a count has no decimals"
                    elif kind in ("count", "amount") and v < 0:
                        problem, problem_en = "不应为负数", "must not be negative"
                    elif kind == "count" and cell.raw[:1] in "增减+":
                        problem, problem_en = "件数不应带“增/减”", "a count carries no “增/减”"
                if problem:
                    name = plain_row_name(spec, row.key)
                    col_name = spec.column_display(col)
                    yield ctx.emit(rule, cell.span, {"table": key, "row": name or "", "column": col_name,
                                                     "value": cell.raw, "problem": problem, "problem_en": problem_en,
                                                     "cell": _cell_zh(key, name, col_name),
                                                     "cell_en": _cell_en(key, name, col_name)},
                                   table=key, row=name, column=col_name)


@register("blank_cells", optional=("unfilled", "folded", "folded_en"))
def run_blank_cells(rule, ctx: Ctx):
    """Blank cells where a number is due, one finding per cell (``group``: the table, so the
    reporters fold them into one finding per table with the rule's ``folded`` message, unless
    --show-all); with `unfilled: true` instead one finding per table whose every cell is
    blank (a template that was published without being filled in)."""
    fmt = ctx.fmt
    if fmt is None:
        return
    unfilled_mode = bool(rule.params.get("unfilled", False))
    for key, table in ctx.report.tables.items():
        spec = fmt.table(key)
        if spec is None:
            continue
        cells = [c for c in table.all_cells() if c.kind != ValueKind.MISSING]
        all_blank = bool(cells) and all(c.kind == ValueKind.BLANK for c in cells)
        no_rows_with_cells = not cells and bool(table.rows)
        if unfilled_mode:
            if all_blank or no_rows_with_cells:
                yield ctx.emit(rule, table.span, {"table": key, "name": spec.name}, table=key)
            continue
        if all_blank or no_rows_with_cells:
            continue  # reported once by the unfilled rule
        for row in table.rows.values():
            name = plain_row_name(spec, row.key)
            for c in row.cells.values():
                if c.kind != ValueKind.BLANK:
                    continue
                col = spec.column_display(c.column)
                implied = implied_en = ""
                if c.implied is not None:   # the template's equations fix what the cell should hold
                    implied = f"（按{c.implied_by}，应为{fmt_num(c.implied)}）"
                    implied_en = f" (by “{c.implied_by}” it should be {fmt_num(c.implied)})"
                yield ctx.emit(rule, c.span, {"table": key, "row": name or "", "column": col,
                                              "cell": _cell_zh(key, name, col), "cell_en": _cell_en(key, name, col),
                                              "implied": implied, "implied_en": implied_en},
                               table=key, row=name, column=col, group=key,
                               numbers={"implied": c.implied} if c.implied is not None else None)


def _cell_zh(table: str, row: str | None, column: str) -> str:
    return f"{table}「{row}」行「{column}」列" if row else f"{table}「{column}」列"


def _cell_en(table: str, row: str | None, column: str) -> str:
    return f"{table_en(table)}, row “{row}”, column “{column}”" if row else f"{table_en(table)}, column “{column}”"


@register("unreadable_cells", optional=("reasons",))
def run_unreadable_cells(rule, ctx: Ctx):
    """Rows whose digits ran together and could not be separated in exactly one way that the
    template's equations allow, rows with fewer or more values than the template's columns.
    The checks that need those cells are skipped; nothing is guessed.  ``reasons`` selects
    which: ``ambiguous`` (several readings), ``extra`` (more values than columns), ``none``
    (no reading found within the splitter's limit), ``missing`` (fewer values), and
    ``impossible`` (every reading was tried and none satisfies the row's equations — which
    is itself certain: the published numbers are wrong)."""
    fmt = ctx.fmt
    if fmt is None:
        return
    reasons = set(rule.params.get("reasons") or ("ambiguous", "extra", "none", "missing"))
    for key, table in ctx.report.tables.items():
        spec = fmt.table(key)
        if spec is None:
            continue
        for row in table.rows.values():
            label = plain_row_name(spec, row.key)
            place = f"{key}「{label}」行" if label else key
            place_en = f"{table_en(key)}, row “{label}”" if label else table_en(key)
            if row.unreadable:
                why, raw, count = row.unreadable
                if why not in reasons:
                    continue
                n = len(row.cells)
                detail = {"ambiguous": f"可拆分为{count}种不同的数字组合，表内勾稽关系不能确定唯一一种",
                          "extra": f"有{count}个数值，多于模板的{n}列，无法确定哪些属于本行"}.get(
                    why, "无法拆分成与模板列数相符且满足表内勾稽关系的数字")
                detail_en = {"ambiguous": f"they split into {count} different sets of numbers and the table's "
                                          "own sums do not single one out",
                             "extra": f"there are {count} values for the {n} columns of the format"}.get(
                    why, "they cannot be split into as many numbers as the format has columns so that the sums hold")
                span = next(iter(row.cells.values())).span
                yield ctx.emit(rule, span, {"table": key, "row": label or "", "raw": raw, "detail": detail,
                                            "columns": n, "place": place, "place_en": place_en,
                                            "detail_en": detail_en}, table=key, row=label)
            elif "missing" in reasons:
                missing = [c for c in row.cells.values() if c.kind == ValueKind.MISSING]
                if missing and len(missing) < len(row.cells):
                    n, got = len(row.cells), len(row.cells) - len(missing)
                    yield ctx.emit(rule, missing[0].span, {
                        "table": key, "row": label or "", "raw": "", "place": place, "place_en": place_en,
                        "detail": f"只读到{got}个数值，模板有{n}列",
                        "detail_en": f"only {got} values were read for the {n} columns of the format",
                        "columns": n}, table=key, row=label)


@register("label_wording", optional=("qualities", "what"))
def run_label_wording(rule, ctx: Ctx):
    """Section titles and table row labels that matched the template only tolerantly (a typo
    such as 其他法律行政止公开, a variant wording) are reported with the template wording."""
    what = rule.params.get("what", "rows")
    qualities = set(rule.params.get("qualities", ["fuzzy"]))
    fmt = ctx.fmt
    if what == "sections":
        for s in ctx.report.sections:
            if s.key and s.quality in qualities and fmt is not None:
                sec = next((x for x in fmt.sections if x.key == s.key), None)
                if sec:
                    yield ctx.emit(rule, s.span, {"found": s.title, "expected": f"{s.numeral}、{sec.title}",
                                                  "what": "标题", "what_en": "Section title"})
        return
    for key, table in ctx.report.tables.items():
        for row in table.rows.values():
            for lm in row.labels:
                if lm.quality in qualities:
                    yield ctx.emit(rule, lm.span, {"found": " ".join(lm.text.split()), "expected": lm.expected or "",
                                                   "what": f"{key}行名", "table": key,
                                                   "what_en": f"Row label of {table_en(key)}"}, table=key,
                                   row=lm.expected)


@register("unused_suppression")
def run_unused_suppression(rule, ctx):
    """A suppression directive (``xxgk-lint: disable=…``) that suppressed nothing.  The
    findings are made by the suppression pass after all other rules ran
    (validator/suppress.py), so this kind itself yields nothing."""
    return ()
