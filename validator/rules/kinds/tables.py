"""Kinds of the statistical tables (rules/tables.yaml, cross.yaml):

  equation   an equation over table cells, per column or per row — of one report, or between
             this year's and last year's report (names 本年·行 / 上年·行)
  cells      cells that hold what their column does not allow, blank cells, unfilled tables,
             cells that could not be read
"""

from __future__ import annotations

from decimal import Decimal

from ...expr import Missing, check
from ...model import ValueKind
from ...i18n import Msg, msg, table_en
from ...tablemath import Lookup, PlainValues, holds_at_zero
from ..schema import Choice, Expr, ListOf, Param, Str, TableKey, Template
from . import KindError, fmt_num, plain_row_name, register

SIDE_THIS, SIDE_PREV = "本年", "上年"


# ---------------------------------------------------------------------------------------
# equation
# ---------------------------------------------------------------------------------------
def _prepare_equation(rule):
    """Names must be rows (for_each: column) or columns (for_each: row) of the table in some
    format; names written 本年·… / 上年·… make it an equation between two reports."""
    from ...templates import load_formats
    p = rule.params
    expr = p["assert"]
    tkey = p["table"]
    for_each = p["for_each"]
    known: set[str] = set()
    for f in load_formats().values():
        t = f.table(tkey)
        if t is not None:
            known |= {r.key for r in t.rows} if for_each == "column" else set(t.columns)
    sides = set()
    unknown = []
    for n in expr.names:
        side, dot, name = n.partition("·")
        if dot:
            if side not in (SIDE_THIS, SIDE_PREV):
                raise KindError("assert", msg("中的“{n}”应写成 本年·名称 或 上年·名称", 'has "{n}", which should be written 本年·name or 上年·name', n=n))
            sides.add(side)
        else:
            name = n
            sides.add("")
        if name not in known:
            unknown.append(name)
    what = "行" if for_each == "column" else "列"
    if unknown:
        raise KindError("assert", msg("中的“{u}”不是{t}的{w}名", 'has "{v}", not a {x} name of "{t}"', u="、".join(unknown[:5]),
                                      v='", "'.join(unknown[:5]), t=tkey, w=what, x={"行": "row", "列": "column"}.get(what, what)))
    if sides & {SIDE_THIS, SIDE_PREV}:
        if sides != {SIDE_THIS, SIDE_PREV}:
            raise KindError("assert", Msg("应同时引用本年和上年的单元格（本年·名称、上年·名称），不能与不带前缀的名称混用",
                                          "should refer to this year's and last year's cells (本年·name, 上年·name), not mix them "
                                          "with names without a prefix"))
        rule.relations = ("previous",)
    keys = p["columns"] if for_each == "column" else p["rows"]
    pool: set[str] = set()
    for f in load_formats().values():
        t = f.table(tkey)
        if t is not None:
            pool |= set(t.columns) if for_each == "column" else {r.key for r in t.rows}
    bad = [k for k in keys if k not in pool]
    if bad:
        raise KindError("columns" if for_each == "column" else "rows",
                        f"中的“{'、'.join(bad[:5])}”不是{tkey}的{'列' if for_each == 'column' else '行'}名")
    names = [n.partition("·")[2] or n for n in expr.names]
    if p["fix"] is not None and p["fix"] not in names:
        raise KindError("fix", msg("的值“{v}”不是等式中的名称；可用：{a}", 'value "{v}" is not a name in the equation; available: {b}',
                                   v=p["fix"], a="、".join(names), b=", ".join(names)))
    return expr


def _term_texts(spec, terms, for_each, prev_label=None) -> tuple[str, str]:
    """The terms of one side of an equation as shown in a message, in Chinese and in English
    (one pass for both); with ``prev_label``, last year's terms (a year-over-year equation)
    are named as that report's."""
    zh, en = [], []
    for (pre_zh, pre_en), (_name, v) in zip(_term_names(spec, tuple(n for n, _v in terms), for_each, prev_label),
                                            terms):
        shown_v = fmt_num(v)
        zh.append(pre_zh + shown_v)
        en.append(pre_en + shown_v)
    return " + ".join(zh).replace("+ －", "－ "), " + ".join(en).replace("+ - ", "- ")


_TERM_NAMES: dict = {}


def _term_names(spec, names: tuple, for_each, prev_label) -> list:
    """What :func:`_term_texts` shows before each term's value, in Chinese and in English —
    the same for every finding of an equation, so made once per format table and terms."""
    key = (id(spec), names, for_each, prev_label)
    hit = _TERM_NAMES.get(key)
    if hit is not None and hit[0] is spec:
        return hit[1]
    out = []
    for name in names:
        neg = name.startswith("-")
        n = name[1:] if neg else name
        side, dot, bare = n.partition("·")
        if not dot:
            bare, side = n, ""
        shown = spec.short_name(bare) if for_each == "column" else bare
        prev = side == SIDE_PREV and prev_label
        out.append((("－" if neg else "") + (f"{prev_label}的{shown}" if prev else shown),
                    ("- " if neg else "") + (f"“{shown} of last year's report” " if prev else f"“{shown}” ")))
    if len(_TERM_NAMES) > 4096:     # rule directories' equations, years of reports: kept bounded
        _TERM_NAMES.clear()
    _TERM_NAMES[key] = (spec, out)
    return out


@register("equation", "tables", params=[
    Param("table", TableKey(), required=True, doc="哪张表", doc_en="the table"),
    Param("assert", Expr(), required=True,
          doc="等式（名称是行或列的键；行组为其各行之和；跨年度写 本年·名称 / 上年·名称）",
          doc_en="the equation (names are row or column keys; a row group is the sum of its rows; 本年·/上年· across years)"),
    Param("for_each", Choice("column", "row"), default="column",
          doc="column：对每一列检查（名称是行）；row：对每一行检查（名称是列）",
          doc_en="column: checked for each column (names are rows); row: for each row (names are columns)"),
    Param("columns", ListOf(Str(one_line=True, max_len=60)), default=[],
          doc="只检查这些列（默认全部）", doc_en="only these columns (default: all)"),
    Param("rows", ListOf(Str(one_line=True, max_len=60)), default=[],
          doc="只检查这些行（默认全部）", doc_en="only these rows (default: all)"),
    Param("locate", Choice("rhs", "lhs"), default="rhs",
          doc="问题记在等式哪一边的第一个单元格", doc_en="which side's first cell the finding is on"),
    Param("fix", Str(one_line=True, max_len=60), default=None,
          doc="{fix_value} 算的是哪个名称应有的值（默认右边第一项）",
          doc_en="the name whose value {fix_value} gives (default: the first on the right)"),
    Param("what", Str(one_line=True, max_len=80), default=None,
          doc="跨年度：无法核对时（Y100）怎样称呼这项核对", doc_en="across years: how Y100 names this comparison"),
    Param("what_en", Str(one_line=True, max_len=160), default=None, doc="同上，英文", doc_en="the same in English"),
], prepare=_prepare_equation, two_reports="by-parameters", doc="""统计表单元格之间的等式，对每一列（名称为行）或每一行（名称为列）检查；
行组（如“不予公开”）为其各行之和。空白单元格按0计并在信息中说明；一边全为空白、单元格缺失、无法读出或为“—”时不检查
（由其他规则报告这些单元格）。名称写成“本年·行”“上年·行”时，是本年度报告与上一年度报告之间的等式（如
本年·上年结转 == 上年·结转下年度），只在对比两份报告时运行；无法核对的项由 Y100 说明原因。""",
   doc_en="""An equation over table cells in the rule language (grammar/expr.lark), checked for each column
(names are rows) or each row (names are columns); a row group is the sum of its rows.  Blank cells
count as 0 and the message says so; when one whole side is blank, or a cell is missing,
unreadable or a dash, the equation is not checked (other rules report those cells).  Names
written 本年·name / 上年·name make it an equation between this year's and last year's report
(本年·上年结转 == 上年·结转下年度), run when two reports are compared; what cannot be compared is
listed by Y100.""")
def run_equation(rule, ctx):
    if rule.relations:
        yield from _run_year_over_year(rule, ctx)
        return
    fmt = ctx.fmt
    if fmt is None:
        return
    p = rule.params
    tkey = p["table"]
    table = ctx.report.tables.get(tkey)
    spec = fmt.table(tkey)
    if table is None or spec is None:
        return
    expr = rule.compiled
    for_each = p["for_each"]
    if for_each == "column":
        keys = p["columns"] or spec.columns
    else:
        keys = p["rows"] or _checked_rows(spec)
    # most equations hold: decide that first without collecting terms and cells (the same
    # values and sums as check() with a Lookup); the terms and cells are read only where it
    # does not hold (PlainValues.outcome: what check() with a Lookup gives)
    plain = ctx.shared.get(("plain_values", tkey))
    if plain is None or plain.table is not table:
        plain = ctx.shared[("plain_values", tkey)] = PlainValues(table, spec)
    if holds_at_zero(expr):
        # a column (row) without a non-zero number holds the equation: every value read there
        # is 0 (a zero, a blank) or not a number (then the key is not decided): only the
        # others are worth reading (most of 表三's columns and rows are zeros)
        census = _census(ctx, table)
        with_numbers = census.number_columns() if for_each == "column" else census.number_rows()
        keys = [k for k in keys if k in with_numbers]
    # the arguments the rule's texts show in this check (Ctx.emit reads no other)
    shown = ctx.shown_args(rule)
    for k in plain.failing(expr, for_each, keys):
        # the terms and cells of the failing key, as check() with a Lookup gives them
        try:
            out, cells, blank_cells = plain.outcome(expr, for_each, k)
        except Missing:
            continue
        if out.holds:
            continue
        if any(c.implied is not None for c in blank_cells):   # the blank cells among those read
            # a blank cell whose value the template's other equations fix: with that value the
            # equation holds, so the blank is the problem (F502 says what it must be), not a sum
            alt = Lookup(table, spec, column=k, implied=True) if for_each == "column" else \
                Lookup(table, spec, row=k, implied=True)
            try:
                if check(expr, alt).holds:
                    continue
            except Missing:
                pass
        lhs_cells = _cells_of(cells, out.lhs_terms, spec, for_each)
        rhs_cells = _cells_of(cells, out.rhs_terms, spec, for_each)
        if _all_blank(lhs_cells) or _all_blank(rhs_cells):
            continue
        diff = out.lhs - out.rhs
        where = p["locate"]
        side_cells = rhs_cells if where == "rhs" else lhs_cells
        anchor = next((c for c in side_cells if c.kind != _BLANK), None) or \
            (side_cells[0] if side_cells else cells[0])
        others = [c.span for c in cells if c is not anchor]
        fix_name = p["fix"] or (out.rhs_terms[0][0] if out.rhs_terms else "")
        blanks = len(blank_cells)
        row_name = plain_row_name(spec, k) if for_each == "row" else None
        label = spec.column_display(k) if for_each == "column" else (row_name or "")
        args = {
            "table": tkey, "column": label if for_each == "column" else "", "row": label if for_each == "row" else "",
            "lhs": fmt_num(out.lhs), "rhs": fmt_num(out.rhs), "diff": fmt_num(abs(diff)),
            "fix": fix_name,
            "assumption": f"（其中{blanks}个空白单元格按0计）" if blanks else "",
            "assumption_en": (f" ({blanks} blank cell{'s' if blanks != 1 else ''} counted as 0)" if blanks else ""),
        }
        # only what the rule's texts show is worked out (Ctx.emit reads no other argument):
        # A302 and A303 show no right-hand terms, only A301 the value {fix} should have, none
        # of the shipped rules {fix} itself
        if "fix_en" in shown:
            args["fix_en"] = spec.short_name(fix_name) if for_each == "column" else fix_name
        if "lhs_expr" in shown or "lhs_expr_en" in shown:
            args["lhs_expr"], args["lhs_expr_en"] = _term_texts(spec, out.lhs_terms, for_each)
        if "rhs_expr" in shown or "rhs_expr_en" in shown:
            args["rhs_expr"], args["rhs_expr_en"] = _term_texts(spec, out.rhs_terms, for_each)
        if "fix_value" in shown or "fix_value_en" in shown:
            fix_val = None
            for n, v in out.rhs_terms:
                if n == fix_name:
                    fix_val = v + diff
            for n, v in out.lhs_terms:
                if n == fix_name and fix_val is None:
                    fix_val = v - diff
            args["fix_value"] = fmt_num(fix_val)
        yield ctx.emit(rule, anchor.span, args, table=tkey,
                       row=row_name, column=(label if for_each == "column" else None),
                       numbers={"lhs": out.lhs, "rhs": out.rhs, "diff": diff, "blank_as_zero": blanks},
                       related=others)


_CHECKED_ROWS: dict = {}


def _checked_rows(spec) -> list[str]:
    """The rows an equation for_each row checks by default (all but a labelled group's
    heading), once per format table."""
    hit = _CHECKED_ROWS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = _CHECKED_ROWS[id(spec)] = (spec, [r.key for r in spec.rows if not r.group or not r.label])
    return hit[1]


def _cells_of(cells, terms, spec, for_each):
    """The cells behind a list of terms (groups expand to their rows): of ``cells``, those
    whose row (for_each column) or column (for_each row) is a term's name or, for_each
    column, a row under a term's group."""
    names = tuple(n.lstrip("-") for n, _v in terms)
    if for_each != "column":
        return [c for c in cells if c.column in names]
    owners = _owners(spec, names)
    return [c for c in cells if c.row in owners]


_OWNERS: dict = {}


def _owners(spec, names: tuple) -> frozenset:
    """The row keys that are one of ``names`` or have an ancestor among them (_ancestor_in),
    once per format table and list of names instead of walking every cell's parents."""
    key = (id(spec), names)
    hit = _OWNERS.get(key)
    if hit is None or hit[0] is not spec:
        found = set(names)
        found.update(r.key for r in spec.rows if _ancestor_in(spec, r.key, names))
        hit = _OWNERS[key] = (spec, frozenset(found))
    return hit[1]


def _ancestor_in(spec, row_key, names) -> bool:
    r = spec.row(row_key)
    while r is not None and r.parent:
        if r.parent in names:
            return True
        r = spec.row(r.parent)
    return False


def _all_blank(cells) -> bool:
    return bool(cells) and all(c.kind == _BLANK for c in cells)


def why_not(cell, table_present: bool, what: str, lang: str = "zh") -> str:
    en = lang == "en"
    if not table_present:
        return f"there is no {table_en(what)}" if en else f"没有{what}"
    if cell is None or cell.kind == ValueKind.MISSING:
        return "the cell is not there" if en else "没有这一格"
    if cell.kind == ValueKind.UNREADABLE:
        if en:
            return f"the run-together digits “{cell.raw}” cannot be split" if cell.raw else "the cell cannot be read"
        return f"连写数字“{cell.raw}”无法逐格拆分" if cell.raw else "这一格无法读出"
    if cell.kind == ValueKind.NA:
        return f"it holds “{cell.raw}”" if en else f"填的是“{cell.raw}”"
    if cell.kind == ValueKind.TEXT:
        return f"it holds text, not a number (“{cell.raw}”)" if en else f"填的不是数字（“{cell.raw}”）"
    return "it cannot be read" if en else "无法读出"


def _run_year_over_year(rule, ctx):
    """The equation between this year's report and last year's (a PairCtx)."""
    other = getattr(ctx, "other", None)
    if other is None:
        return
    p = rule.params
    tkey = p["table"]
    what = p["what"] or rule.name
    what_en = p["what_en"] or what
    for_each = p["for_each"]
    reps = {SIDE_THIS: ctx.report, SIDE_PREV: other}
    tables = {s: r.tables.get(tkey) for s, r in reps.items()}
    specs = {s: (r.format.table(tkey) if r.format is not None else None) for s, r in reps.items()}
    if specs[SIDE_THIS] is None or tables[SIDE_THIS] is None:
        return  # this report has no such table: the structure rules say so
    spec = specs[SIDE_THIS]
    for side in (SIDE_PREV, SIDE_THIS):
        if tables[side] is None or specs[side] is None:
            rep = reps[side]
            why = (f"按2008年《条例》编制，没有统一格式的{tkey}" if rep.template == "legacy"
                   else f"没有读到{tkey}")
            why_en = (f"it follows the 2008 Regulations and has no {table_en(tkey)} of the uniform format"
                      if rep.template == "legacy" else f"no {table_en(tkey)} was read")
            ctx.skipped.append({"rule": rule, "what": what, "what_en": what_en, "side": side, "why": why,
                                "why_en": why_en, "table": tkey,
                                "span": (tables[SIDE_THIS].span if tables[SIDE_THIS] is not None else None)})
            return
    keys = (p["columns"] if for_each == "column" else p["rows"]) or (
        spec.columns if for_each == "column" else [r.key for r in spec.rows if r.label and not r.group])
    names = {s: [n.partition("·")[2] for n in rule.compiled.names if n.startswith(s + "·")]
             for s in (SIDE_THIS, SIDE_PREV)}
    prev_label = f"{ctx.other_year or '上一'}年度报告"
    for k in keys:
        looks = {}
        for s in (SIDE_THIS, SIDE_PREV):
            kw = {"column": k} if for_each == "column" else {"row": k}
            looks[s] = Lookup(tables[s], specs[s], **kw)
        failed = {}

        def resolve(name, _looks=looks, _failed=failed):
            side, _dot, n = name.partition("·")
            try:
                return _looks[side](n)
            except Missing:
                _failed[side] = n
                raise

        try:
            out = check(rule.compiled, resolve)
        except Missing:
            side, n = next(iter(failed.items()))
            row, col = (n, k) if for_each == "column" else (k, n)
            cell = tables[side].cell(row, col)
            this_cell = next((tables[SIDE_THIS].cell(*((x, k) if for_each == "column" else (k, x)))
                              for x in names[SIDE_THIS]), None)
            label = spec.column_display(k) if for_each == "column" else spec.row_display(k)
            where_zh = (f"「{specs[side].short_name(row) if for_each == 'column' else row}」"
                        f"{specs[side].column_display(col) if for_each == 'column' else col}")
            where_en = (f"“{specs[side].short_name(row) if for_each == 'column' else row}” "
                        f"“{specs[side].column_display(col) if for_each == 'column' else col}”")
            ctx.skipped.append({"rule": rule, "what": what, "what_en": what_en, "side": side, "key": label,
                                "table": tkey, "why": f"{where_zh}{why_not(cell, True, tkey)}",
                                "why_en": f"{where_en}: {why_not(cell, True, tkey, 'en')}",
                                "span": this_cell.span if this_cell is not None and this_cell.span != (0, 0)
                                else tables[SIDE_THIS].span})
            continue
        ctx.checked.append({"rule": rule.id, "key": k, "lhs": out.lhs, "rhs": out.rhs, "holds": out.holds})
        if out.holds:
            continue
        this_cells = looks[SIDE_THIS].cells
        prev_cells = looks[SIDE_PREV].cells
        if _all_blank(this_cells) or _all_blank(prev_cells):
            continue
        anchor = next((c for c in this_cells if c.kind != _BLANK), this_cells[0] if this_cells else None)
        if anchor is None:
            continue
        blanks = len(looks[SIDE_THIS].blanks) + len(looks[SIDE_PREV].blanks)
        label = spec.column_display(k) if for_each == "column" else spec.row_display(k)
        prev_spec = specs[SIDE_PREV]
        related = [c.span for c in this_cells if c is not anchor]
        for c in prev_cells:
            lab = (f"{ctx.other_year}年度报告 {tkey}「{prev_spec.short_name(c.row) if for_each == 'column' else prev_spec.row_display(c.row)}」"
                   f"{prev_spec.column_display(c.column)} {c.raw or '空白'}")
            related.append(ctx.other_loc(c.span, lab))
        diff = out.lhs - out.rhs
        yield ctx.emit(rule, anchor.span, {
            "table": tkey, "column": label if for_each == "column" else "", "row": label if for_each == "row" else "",
            "lhs": fmt_num(out.lhs), "rhs": fmt_num(out.rhs), "diff": fmt_num(abs(diff)),
            "lhs_expr": _term_texts(spec, out.lhs_terms, for_each, prev_label)[0],
            "rhs_expr": _term_texts(spec, out.rhs_terms, for_each, prev_label)[0],
            "year": ctx.year or "", "prev_year": ctx.other_year or "上一", "prev_file": ctx.other_path,
            "assumption": f"（其中{blanks}个空白单元格按0计）" if blanks else "",
        }, table=tkey, row=(label if for_each == "row" else None), column=(label if for_each == "column" else None),
            numbers={"lhs": out.lhs, "rhs": out.rhs, "diff": diff, "blank_as_zero": blanks}, related=related)


# ---------------------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------------------
REASONS = ("ambiguous", "extra", "none", "missing", "impossible")


@register("cells", "tables", params=[
    Param("find", Choice("values", "blank", "unfilled", "unreadable"), required=True,
          doc="values：列不允许的值（文字、负数、件数带小数或“增/减”）；blank：应填数字而空白的单元格（每格一条，输出时每张表合为一条）；"
              "unfilled：整张表未填写；unreadable：无法读出的单元格",
          doc_en="values: values the column does not allow (text, negative numbers, decimals or 增/减 in counts); "
                 "blank: blank cells where a number is due (one per cell, folded per table by the reporters); unfilled: a whole table left blank; "
                 "unreadable: cells that could not be read"),
    Param("tables", ListOf(TableKey()), default=[], doc="只检查这些表（默认全部）", doc_en="only these tables (default: all)"),
    Param("folded", Template(), default=None,
          doc="find: blank 时，同一张表的空白单元格合为一条的信息（{table}、{count}、{where}、{implied}）；不写则每格一条",
          doc_en="with find: blank, the message of one finding per table folding its blank cells ({table}, {count}, {where})"),
    Param("folded_en", Template(), default=None, doc="同上，英文", doc_en="the same in English"),
    Param("reasons", ListOf(Choice(*REASONS), min_len=1), default=["ambiguous", "extra", "none", "missing"],
          doc="find: unreadable 时报告哪些原因：ambiguous（可拆成几种）、extra（数值多于列数）、none（拆不出）、"
              "missing（数值少于列数）、impossible（任何拆法都不满足表内勾稽，数字本身有误）",
          doc_en="with find: unreadable, which reasons: ambiguous, extra, none, missing, impossible (every split "
                 "breaks the row's equations: the published digits are wrong)"),
], doc="""统计表的单元格：find: values —— 单元格的值不符合该列要求（件数应为非负整数；收费金额等可有小数；
“本年增/减”可带增减）；blank —— 应填数字而空白（每格一条，输出时按 folded 每张表合为一条；表内等式能确定的值一并给出）；
unfilled —— 整张表都没有填写；unreadable —— 连写的数字无法唯一拆分、数值多于或少于列数（依赖这些单元格的
检查不进行，绝不猜测）。""",
   doc_en="""Table cells.  ``find: values``: a value its column does not allow (counts are non-negative whole
numbers; amounts may have decimals; 本年增/减 may carry 增/减).  ``blank``: blank cells where a number
is due, one finding per cell (with the value the table's equations fix, if they do), folded by
the reporters into one per table with the ``folded`` message unless --show-all.  ``unfilled``: a table whose every cell is blank.  ``unreadable``: rows whose digits ran
together and split in no or several ways, rows with more or fewer values than columns
(``reasons``); the checks that need those cells are skipped, nothing is guessed.""")
def run_cells(rule, ctx):
    p = rule.params
    only = set(p["tables"])
    for key, table, spec in ctx.tables_with_spec():
        if only and key not in only:
            continue
        yield from _FIND[p["find"]](rule, ctx, key, table, spec)


def _cell_zh(table: str, row: str | None, column: str) -> str:
    return f"{table}「{row}」行「{column}」列" if row else f"{table}「{column}」列"


def _cell_en(table: str, row: str | None, column: str) -> str:
    return f"{table_en(table)}, row “{row}”, column “{column}”" if row else f"{table_en(table)}, column “{column}”"


# ValueKind's members as names of the module: ``ValueKind.BLANK`` is a lookup through the
# enum's class each time (slower than the comparison it is for, in loops over every cell)
_NUMBER, _ZERO, _BLANK = ValueKind.NUMBER, ValueKind.ZERO, ValueKind.BLANK
_MISSING = ValueKind.MISSING
_TEXT = ValueKind.TEXT


class _Census:
    """What the cells rules look for in a table, found in one pass over its cells instead of
    one pass per rule (most cells are zeros and numbers none of them reports): the cells
    whose value F501 looks at (numbers, text, a zero written with 增/减/+) with their column
    keys, the blank cells of each row that has some (F502), the keys of the rows with a
    missing cell (P002) — each in the table's order; and, when an equation asks, the rows and
    columns that hold a non-zero number (:func:`run_equation`)."""

    __slots__ = ("valued", "blank_rows", "missing_rows", "_number_rows", "_number_columns")

    def __init__(self, table):
        valued = self.valued = []
        blank_rows = self.blank_rows = []
        missing_rows = self.missing_rows = set()
        for row in table.rows.values():
            blanks = None
            for col, cell in row.cells.items():
                kind = cell.kind
                if kind == _ZERO:
                    if cell.raw[:1] in "增减+":
                        valued.append((col, cell, row))
                elif kind == _NUMBER or kind == _TEXT:
                    valued.append((col, cell, row))
                elif kind == _BLANK:
                    if blanks is None:
                        blanks = []
                        blank_rows.append((row, blanks))
                    blanks.append(cell)
                elif kind == _MISSING:
                    missing_rows.add(row.key)
        self._number_rows = self._number_columns = None

    def number_rows(self) -> set:
        """The keys of the rows with a non-zero number (NUMBER: the census keeps each such cell)."""
        found = self._number_rows
        if found is None:
            found = self._number_rows = {row.key for _col, cell, row in self.valued if cell.kind == _NUMBER}
        return found

    def number_columns(self) -> set:
        """The keys of the columns with a non-zero number in some row."""
        found = self._number_columns
        if found is None:
            found = self._number_columns = {col for col, cell, _row in self.valued if cell.kind == _NUMBER}
        return found


def _per_table(ctx, name: str, table, make):
    """``make(table)`` once per table and report, kept in ``ctx.shared`` (several rules ask)."""
    key = (name, id(table))
    kept = ctx.shared.get(key)
    if kept is None or kept[0] is not table:
        kept = ctx.shared[key] = (table, make(table))
    return kept[1]


def _census(ctx, table) -> _Census:
    """:class:`_Census` once per table and report (F501, F502 and P002 all ask)."""
    return _per_table(ctx, "census", table, _Census)


def _values(rule, ctx, key, table, spec):
    # only what the column's kind asks is worked out (a count: whole, not negative, no 增/减;
    # an amount: not negative; any other kind: nothing), of the cells the census leaves (a
    # zero without 增/减 is whole and not negative: nothing to say of it)
    value_kinds = spec.value_kinds
    for col, cell, row in _census(ctx, table).valued:
        kind = cell.kind
        if kind == _ZERO:
            # 0 (what ZERO holds) is whole and not negative: of a count with 增/减 only
            # that is left to say, of an amount nothing
            if value_kinds.get(col, "count") != "count":
                continue
            problem, problem_en = "件数不应带“增/减”", "a count carries no “增/减”"
        elif kind == _NUMBER:
            of = value_kinds.get(col, "count")
            if of == "count":
                v = cell.value
                if v != v.to_integral_value():
                    problem, problem_en = "件数不应有小数", "a count has no decimals"
                elif v < 0:
                    problem, problem_en = "不应为负数", "must not be negative"
                elif cell.raw[:1] in "增减+":
                    problem, problem_en = "件数不应带“增/减”", "a count carries no “增/减”"
                else:
                    continue
            elif of == "amount" and cell.value < 0:
                problem, problem_en = "不应为负数", "must not be negative"
            else:
                continue
        elif kind == _TEXT:
            problem, problem_en = "不是数字", "not a number"
        else:
            continue
        name = plain_row_name(spec, row.key)
        col_name = spec.column_display(col)
        yield ctx.emit(rule, cell.span, {"table": key, "row": name or "", "column": col_name,
                                         "value": cell.raw, "problem": problem, "problem_en": problem_en,
                                         "cell": _cell_zh(key, name, col_name),
                                         "cell_en": _cell_en(key, name, col_name)},
                       table=key, row=name, column=col_name)


def _unfilled(table) -> bool:
    """Is every cell of the table that is there blank (and one there), or none there at all?"""
    blank = False
    for c in table.all_cells():
        if c.kind == _MISSING:
            continue
        if c.kind != _BLANK:
            return False
        blank = True
    return blank or bool(table.rows)


def _unfilled_once(ctx, table) -> bool:
    """:func:`_unfilled` once per table and report (the blank and the unfilled rules both ask)."""
    return _per_table(ctx, "unfilled", table, _unfilled)


def _table_unfilled(rule, ctx, key, table, spec):
    if _unfilled_once(ctx, table):
        yield ctx.emit(rule, table.span, {"table": key, "name": spec.name}, table=key)


def _blank(rule, ctx, key, table, spec):
    if _unfilled_once(ctx, table):
        return  # reported once by the unfilled rule
    # the English arguments only where the texts shown in this check read them
    shown = ctx.shown_args(rule)
    english = "cell_en" in shown or "implied_en" in shown
    for row, blanks in _census(ctx, table).blank_rows:
        name = plain_row_name(spec, row.key)
        for c in blanks:
            col = spec.column_display(c.column)
            implied = ""
            args = {"table": key, "row": name or "", "column": col, "cell": _cell_zh(key, name, col)}
            if c.implied is not None:   # the template's equations fix what the cell should hold
                implied = f"（按{c.implied_by}，应为{fmt_num(c.implied)}）"
            args["implied"] = implied
            if english:
                args["cell_en"] = _cell_en(key, name, col)
                args["implied_en"] = ("" if c.implied is None else
                                      f" (by “{c.implied_by}” it should be {fmt_num(c.implied)})")
            yield ctx.emit(rule, c.span, args, table=key, row=name, column=col, group=key,
                           numbers={"implied": c.implied} if c.implied is not None else None)


def _place(spec, key, row) -> tuple:
    label = plain_row_name(spec, row.key)
    place = f"{key}「{label}」行" if label else key
    place_en = f"{table_en(key)}, row “{label}”" if label else table_en(key)
    return label, place, place_en


def _unreadable(rule, ctx, key, table, spec):
    reasons = set(rule.params["reasons"])
    want_missing = "missing" in reasons
    missing_rows = _census(ctx, table).missing_rows if want_missing else None
    for row in table.rows.values():
        if row.unreadable:
            why, raw, count = row.unreadable
            if why not in reasons:
                continue
            label, place, place_en = _place(spec, key, row)
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
        elif want_missing:
            if row.key not in missing_rows:     # most rows have every cell
                continue
            missing = [c for c in row.cells.values() if c.kind == _MISSING]
            if missing and len(missing) < len(row.cells):
                label, place, place_en = _place(spec, key, row)
                n, got = len(row.cells), len(row.cells) - len(missing)
                yield ctx.emit(rule, missing[0].span, {
                    "table": key, "row": label or "", "raw": "", "place": place, "place_en": place_en,
                    "detail": f"只读到{got}个数值，模板有{n}列",
                    "detail_en": f"only {got} values were read for the {n} columns of the format",
                    "columns": n}, table=key, row=label)


_FIND = {"values": _values, "blank": _blank, "unfilled": _table_unfilled, "unreadable": _unreadable}
_ = Decimal
