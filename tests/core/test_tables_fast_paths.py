"""Fast paths of the table rules (validator/tablemath.py, rules/kinds/tables.py) give what the
plain computation gives:

* PlainValues.outcome — an equation's values, terms and cells read through the sides the
  screen (PlainValues.failing) already looked up — equals check() with a Lookup and that
  Lookup's cells and blanks, on every key of every equation rule of the corpus reports and on
  made-up tables (blanks, dashes, missing cells and rows, groups, subtraction, constants);
  so do PlainValues.holds and .failing, whose sides are kept between tables of the same
  format and rows (PlainValues._skeleton) and whose row sums are added without telling kinds of
  terms apart (PlainValues._failing_sums);
* F501, F502 and P002 read a table's cells from one census made by the first of them
  (tables._Census: the values to look at, a zero only with 增/减; the blank cells by row; the
  rows with a missing cell) — the same findings in the same order as each looking at every
  cell;
* the names shown before each term's value are made once per format table and terms — the
  same texts as naming each term every time;
* the cells behind an equation's terms are picked by a set of rows worked out once per format
  table and names (tables._owners) — the same cells as walking each cell's parents;
* an equation finding works out only the arguments its texts show — its texts equal those
  of working out every argument.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import equation_cases
from validator.expr import Missing, check, compile_expr
from validator.model import Cell, Row, Table, ValueKind
from validator.rules import load_rules
from validator.rules.kinds import tables as T
from validator.tablemath import Lookup, PlainValues
from validator.templates import load_formats

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REPORTS = sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))




def _plain_way(expr, table, spec, for_each, key):
    """check() with a Lookup, and the Lookup's cells and blanks (or Missing)."""
    look = Lookup(table, spec, column=key) if for_each == "column" else Lookup(table, spec, row=key)
    try:
        out = check(expr, look)
    except Missing:
        return Missing
    return out, look.cells, look.blanks


def _fast_way(plain, expr, for_each, key):
    try:
        return plain.outcome(expr, for_each, key)
    except Missing:
        return Missing


def _same(fast, slow, where):
    if slow is Missing or fast is Missing:
        assert fast is slow, where
        return
    (fo, fc, fb), (so, sc, sb) = fast, slow
    assert (fo.holds, fo.lhs, fo.rhs, fo.lhs_terms, fo.rhs_terms, fo.op) == \
        (so.holds, so.lhs, so.rhs, so.lhs_terms, so.rhs_terms, so.op), where
    # the same Decimals (1.50 stays 1.50), not only equal ones
    assert [str(v) for v in (fo.lhs, fo.rhs)] == [str(v) for v in (so.lhs, so.rhs)], where
    assert [str(v) for _n, v in fo.lhs_terms + fo.rhs_terms] == [str(v) for _n, v in so.lhs_terms + so.rhs_terms], where
    assert [id(c) for c in fc] == [id(c) for c in sc], where
    assert [id(c) for c in fb] == [id(c) for c in sb], where


def test_an_equation_read_through_the_screens_sides_is_the_lookups_on_the_corpus():
    compared = failing = missing = with_blanks = 0
    for report, rule, spec, table, keys in equation_cases():
        for_each = rule.params["for_each"]
        plain = PlainValues(table, spec)
        for k in keys:
            slow = _plain_way(rule.compiled, table, spec, for_each, k)
            fast = _fast_way(plain, rule.compiled, for_each, k)
            _same(fast, slow, (report.source.path, rule.id, k))
            compared += 1
            missing += slow is Missing
            if slow is not Missing:
                failing += not slow[0].holds
                with_blanks += bool(slow[2])
    assert compared > 200 and failing > 0 and missing > 0 and with_blanks > 0


def _cell(rk, ck, kind, raw):
    value = Decimal(raw.lstrip("增减")) if kind in (ValueKind.NUMBER, ValueKind.ZERO) else None
    return Cell(raw, kind, value, (0, 0), rk, ck)


def _table(rows, key="表三") -> Table:
    t = Table(key, key, (0, 0))
    for rk, cells in rows.items():
        t.rows[rk] = Row(rk, [], {ck: _cell(rk, ck, kind, raw) for ck, (kind, raw) in cells.items()}, (0, 0))
    return t


N, Z, B, D = ValueKind.NUMBER, ValueKind.ZERO, ValueKind.BLANK, ValueKind.NA


def test_an_equation_read_through_the_screens_sides_is_the_lookups_on_made_up_tables():
    spec = load_formats()["2021"].table("表三")
    groups = [r.key for r in spec.rows if r.group and spec.children(r.key)]
    nested = next(g for g in groups if any(spec.children(c) for c in spec.children(g)))
    leaves = [r.key for r in spec.rows if not spec.children(r.key)]
    cols = spec.columns
    # every row of the format, its cells numbers, zeros, blanks, decimals, a dash and a missing cell
    kinds = [(N, "3"), (Z, "0"), (B, ""), (N, "1.50"), (N, "12"), (N, "7")]
    full = {rk: {c: kinds[(i + j) % len(kinds)] for j, c in enumerate(cols)} for i, rk in enumerate(leaves)}
    dashed = {rk: dict(cells) for rk, cells in full.items()}
    dashed[leaves[3]][cols[1]] = (D, "—")
    dashed[leaves[4]][cols[2]] = (ValueKind.MISSING, "")
    del dashed[leaves[5]][cols[3]]
    inner = [k for k in spec.children(nested) if not spec.children(k)] or \
        [k2 for k in spec.children(nested) for k2 in spec.children(k)]
    dashed[inner[-1]][cols[4]] = (D, "—")                       # a dash inside a (nested) group
    dashed[spec.children(groups[-1])[-1]][cols[5]] = (ValueKind.TEXT, "无")
    for g in groups:                                            # and in a group inside a group
        if g != nested and g in spec.children(nested):
            dashed[spec.children(g)[0]][cols[0]] = (D, "-")
            break
    partial = {rk: cells for rk, cells in full.items() if rk != spec.children(nested)[0]}
    no_group_rows = {rk: cells for rk, cells in full.items() if rk not in spec.children(groups[0])}
    exprs_col = [
        f"{leaves[0]} + {leaves[1]} == {leaves[2]}",
        f"{leaves[0]} - ({leaves[1]} - {leaves[2]}) == {nested}",
        f"{' + '.join(groups)} == {leaves[-1]} + 2",     # 办理结果: its groups have no rows of their own
        f"{' + '.join(g for g in groups if g != nested)} == {leaves[-1]} + 2",
        f"{leaves[2]} - {groups[-1]} - 1.5 >= {groups[1]}",
        f"{leaves[3]} + {leaves[4]} + {leaves[5]}",
        f"{groups[0]} == {groups[0]}",
    ]
    exprs_row = [
        f"{' + '.join(cols[:-1])} == {cols[-1]}",
        f"{cols[0]} - ({cols[1]} - {cols[2]}) != {cols[3]} + 0.5",
        f"{cols[1]} + {cols[2]}",
    ]
    compared = missing = 0
    for rows in (full, dashed, partial, no_group_rows, {}):
        table = _table(rows)
        plain = PlainValues(table, spec)
        for source in exprs_col + exprs_row:
            expr = compile_expr(source)
            for_each = "column" if source in exprs_col else "row"
            keys = cols + ["无此列"] if for_each == "column" else [r.key for r in spec.rows] + ["无此行"]
            wants = []
            for k in keys:
                slow = _plain_way(expr, table, spec, for_each, k)
                _same(_fast_way(plain, expr, for_each, k), slow, (source, k))
                try:
                    held = plain.holds(expr, for_each, k)
                except Missing:
                    held = Missing
                assert held == (Missing if slow is Missing else slow[0].holds), (source, k)
                wants.append(held)
                compared += 1
                missing += slow is Missing
            assert plain.failing(expr, for_each, keys) == [k for k, w in zip(keys, wants) if w is False], source
    assert compared > 300 and 0 < missing < compared


def test_a_wrong_fast_read_is_caught():
    """The comparison above notices a cell read out of order or a term misnamed."""
    spec = load_formats()["2021"].table("表三")
    cols = spec.columns
    table = _table({"本年新收": {c: (N, str(i)) for i, c in enumerate(cols)}})
    expr = compile_expr(f"{cols[0]} - {cols[1]} == {cols[2]}")
    fast = PlainValues(table, spec).outcome(expr, "row", "本年新收")
    slow = _plain_way(expr, table, spec, "row", "本年新收")
    _same(fast, slow, "as is")
    out, cells, blanks = fast
    with pytest.raises(AssertionError):
        _same((out, cells[::-1], blanks), slow, "reversed")
    out.lhs_terms[1] = (out.lhs_terms[1][0].lstrip("-"), out.lhs_terms[1][1])
    with pytest.raises(AssertionError):
        _same((out, cells, blanks), slow, "misnamed")


def _cells_of_walking(cells, terms, spec, for_each):
    """The cells behind the terms, each cell's parents walked (the plain way)."""
    names = [n.lstrip("-") for n, _v in terms]
    out = []
    for c in cells:
        owner = c.row if for_each == "column" else c.column
        if owner in names or (for_each == "column" and T._ancestor_in(spec, c.row, names)):
            out.append(c)
    return out


def test_the_cells_behind_the_terms_are_those_of_walking_each_cells_parents():
    for fmt in load_formats().values():
        for spec in fmt.tables:
            rows = [r.key for r in spec.rows]
            cells = [_cell(rk, ck, N, "1") for rk in rows + ["无此行"] for ck in spec.columns]
            for i in range(len(rows)):
                for names in ([rows[i]], rows[i:i + 3], ["-" + rows[i], "无此行"], []):
                    terms = [(n, Decimal(1)) for n in names]
                    for for_each in ("column", "row"):
                        assert T._cells_of(cells, terms, spec, for_each) == \
                            _cells_of_walking(cells, terms, spec, for_each), (spec.key, names, for_each)
            cols = spec.columns
            terms = [(c, Decimal(1)) for c in cols[:2]] + [("-" + cols[-1], Decimal(1))]
            assert T._cells_of(cells, terms, spec, "row") == _cells_of_walking(cells, terms, spec, "row")


class _Everything(tuple):
    def __contains__(self, _name):
        return True


def test_an_equation_finding_is_the_same_with_every_argument_worked_out(monkeypatch):
    """Working out the {rhs_expr} or {fix_value} that the texts of A302 do not show changes
    nothing of a finding (Ctx.emit reads only the arguments the texts show)."""
    from validator.lint import lint_source
    from validator.source import SourceText
    rules = load_rules()
    texts = [p.read_text(encoding="utf-8") for p in REPORTS]
    # and the failing examples of the equation rules (the corpus has few unbalanced tables)
    texts += [ex["text"] for r in rules.rules if r.kind == "equation" and not r.relations
              for ex in r.examples if ex["expect"] == "fail"]

    def findings():
        return [[(f.to_dict("zh"), f.to_dict("en"))
                 for f in lint_source(SourceText.from_original(t, path="r.txt"), rules=rules).findings] for t in texts]

    shown_only = findings()
    from validator.rules.kinds import Ctx
    monkeypatch.setattr(Ctx, "shown_args", lambda self, rule: _Everything())
    every = findings()
    assert {zh["rule"] for fs in shown_only for zh, _en in fs} >= {"A301", "A302", "A303", "A401"}
    assert shown_only == every


def _values_every_cell(rule, ctx, key, table, spec):
    """F501 the plain way: every number's value looked at, zeros too."""
    value_kinds = spec.value_kinds
    for row in table.rows.values():
        for col, cell in row.cells.items():
            kind = cell.kind
            if kind in (ValueKind.NUMBER, ValueKind.ZERO):
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
            elif kind == ValueKind.TEXT:
                problem, problem_en = "不是数字", "not a number"
            else:
                continue
            name = T.plain_row_name(spec, row.key)
            col_name = spec.column_display(col)
            yield ctx.emit(rule, cell.span, {"table": key, "row": name or "", "column": col_name,
                                             "value": cell.raw, "problem": problem, "problem_en": problem_en,
                                             "cell": T._cell_zh(key, name, col_name),
                                             "cell_en": T._cell_en(key, name, col_name)},
                           table=key, row=name, column=col_name)


ODD_VALUES = """2019年政府信息公开工作年度报告
二、主动公开政府信息情况
| 第二十条第（一）项 | | | |
| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
| 规章 | 增0 | +0 | 0 |
| 规范性文件 | 减3 | -2 | 1.5 |
| 第二十条第（八）项 | | |
| 信息内容 | 上一年项目数量 | 本年增/减 |
| 行政事业性收费 | 3 | 增0 |
| 第二十条第（十）项 | | | |
| 信息内容 | 采购项目数量 | 采购总金额 |
| 政府集中采购 | 0 | -0.5 |
三、收到和处理政府信息公开申请情况
| 一、本年新收政府信息公开申请数量 | 增0 | 0.0 | 减0 | -1 | 2.5 | 无 | 0 |
| 二、上年结转政府信息公开申请数量 | +0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def test_a_zero_is_looked_at_only_for_its_sign_word_and_the_values_found_are_every_cells():
    from validator.lint import lint_source
    from validator.rules.kinds import Ctx
    from validator.source import SourceText
    rules = load_rules()
    rule = next(r for r in rules.rules if r.id == "F501")
    texts = [p.read_text(encoding="utf-8") for p in REPORTS] + [ODD_VALUES] + \
        [ex["text"] for ex in rule.examples]
    found = zero_signed = 0
    for text in texts:
        report = lint_source(SourceText.from_original(text, path="r.txt"), rules=rules).report
        if report is None or report.format is None:
            continue
        for key, table, spec in Ctx(report).tables_with_spec():
            fast = [(f.location, f.message, f.message_en) for f in T._values(rule, Ctx(report), key, table, spec)]
            slow = [(f.location, f.message, f.message_en)
                    for f in _values_every_cell(rule, Ctx(report), key, table, spec)]
            assert fast == slow, (key, text[:40])
            found += len(fast)
            zero_signed += sum(1 for c in table.all_cells()
                               if c.kind == ValueKind.ZERO and c.raw[:1] in "增减+")
    assert found > 5 and zero_signed >= 2


def _term_texts_each_time(spec, terms, for_each, prev_label=None):
    """tables._term_texts the plain way: each term's name worked out for every finding."""
    from validator.rules.kinds import fmt_num
    zh, en = [], []
    for name, v in terms:
        neg = name.startswith("-")
        n = name[1:] if neg else name
        side, dot, bare = n.partition("·")
        if not dot:
            bare, side = n, ""
        shown = spec.short_name(bare) if for_each == "column" else bare
        shown_v = fmt_num(v)
        prev = side == T.SIDE_PREV and prev_label
        zh.append(("－" if neg else "") + (f"{prev_label}的{shown}" if prev else shown) + shown_v)
        en.append(("- " if neg else "") + f"“{shown} of last year's report” {shown_v}" if prev else
                  ("- " if neg else "") + f"“{shown}” {shown_v}")
    return " + ".join(zh).replace("+ －", "－ "), " + ".join(en).replace("+ - ", "- ")


def test_the_terms_shown_are_those_of_naming_each_term_every_time():
    compared = 0
    for fmt in load_formats().values():
        for spec in fmt.tables:
            rows = [r.key for r in spec.rows]
            cols = list(spec.columns)
            for names, for_each in ((rows, "column"), (cols, "row")):
                for i in range(0, len(names), 3):
                    picked = names[i:i + 4]
                    variants = [picked, ["-" + n for n in picked], [f"本年·{n}" for n in picked],
                                [f"-上年·{n}" for n in picked], ["无此名", "-无此名"], []]
                    for k, variant in enumerate(variants):
                        terms = [(n, Decimal(j) / (k + 1)) for j, n in enumerate(variant)]
                        for prev in (None, "2022年度报告", "上一年度报告"):
                            assert T._term_texts(spec, terms, for_each, prev) == \
                                _term_texts_each_time(spec, terms, for_each, prev), (variant, prev)
                            compared += 1
    assert compared > 100


def _missing_cells_listed(rule, ctx, key, table, spec):
    """P002's rows with some cells missing, the plain way: each row's missing cells listed."""
    if "missing" not in rule.params["reasons"]:
        return
    for row in table.rows.values():
        if row.unreadable:
            continue
        missing = [c for c in row.cells.values() if c.kind == ValueKind.MISSING]
        if missing and len(missing) < len(row.cells):
            label, place, place_en = T._place(spec, key, row)
            n, got = len(row.cells), len(row.cells) - len(missing)
            yield ctx.emit(rule, missing[0].span, {
                "table": key, "row": label or "", "raw": "", "place": place, "place_en": place_en,
                "detail": f"只读到{got}个数值，模板有{n}列",
                "detail_en": f"only {got} values were read for the {n} columns of the format",
                "columns": n}, table=key, row=label)


SHORT_ROWS = """2023年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
| 一、本年新收政府信息公开申请数量 | 20 | 2 | 0 | 0 | 1 | 0 | 23 |
| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 |
| （一）予以公开 | 10 | 1 | 0 | 0 | 0 | 0 | 11 |
| 四、结转下年度继续办理 | 1 |
四、政府信息公开行政复议、行政诉讼情况
| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| 2 | 1 | 0 | 0 | 3 | 1 | 0 | 0 | 1 | 2 | 0 | 0 |
"""


def test_a_row_with_every_cell_is_passed_over_and_the_rows_short_of_cells_are_those_listed():
    from validator.lint import lint_source
    from validator.rules.kinds import Ctx
    from validator.source import SourceText
    rules = load_rules()
    rule = next(r for r in rules.rules if r.id == "P002")
    texts = [p.read_text(encoding="utf-8") for p in REPORTS] + [SHORT_ROWS]
    found = 0
    for text in texts:
        report = lint_source(SourceText.from_original(text, path="r.txt"), rules=rules).report
        if report is None or report.format is None:
            continue
        for key, table, spec in Ctx(report).tables_with_spec():
            fast = [(f.location, f.message, f.message_en) for f in T._unreadable(rule, Ctx(report), key, table, spec)
                    if "只读到" in f.message]
            slow = [(f.location, f.message, f.message_en)
                    for f in _missing_cells_listed(rule, Ctx(report), key, table, spec)]
            assert fast == slow, key
            found += len(fast)
    assert found >= 1


def _blank_every_cell(rule, ctx, key, table, spec):
    """F502 the plain way: every cell of the table looked at."""
    if T._unfilled(table):
        return
    for row in table.rows.values():
        name = None
        for c in row.cells.values():
            if c.kind != ValueKind.BLANK:
                continue
            if name is None:
                name = T.plain_row_name(spec, row.key)
            col = spec.column_display(c.column)
            implied = implied_en = ""
            if c.implied is not None:
                implied = f"（按{c.implied_by}，应为{T.fmt_num(c.implied)}）"
                implied_en = f" (by “{c.implied_by}” it should be {T.fmt_num(c.implied)})"
            yield ctx.emit(rule, c.span, {"table": key, "row": name or "", "column": col,
                                          "cell": T._cell_zh(key, name, col), "cell_en": T._cell_en(key, name, col),
                                          "implied": implied, "implied_en": implied_en},
                           table=key, row=name, column=col, group=key,
                           numbers={"implied": c.implied} if c.implied is not None else None)


def test_the_cells_rules_find_in_one_pass_what_each_finds_looking_at_every_cell():
    """F501, F502 and P002 read the table's cells from one census (tables._Census): the same
    findings, in the same order, as each looking at every cell — with the census made first
    by any of them."""
    from validator.lint import lint_source
    from validator.rules.kinds import Ctx
    from validator.source import SourceText
    rules = load_rules()
    by_id = {r.id: r for r in rules.rules}
    plain = {"F501": _values_every_cell, "F502": _blank_every_cell, "P002": _missing_cells_listed}
    fast = {"F501": T._values, "F502": T._blank,
            "P002": lambda *a: (f for f in T._unreadable(*a) if "只读到" in f.message)}
    texts = [p.read_text(encoding="utf-8") for p in REPORTS] + [ODD_VALUES, SHORT_ROWS] + \
        [ex["text"] for rid in plain for ex in by_id[rid].examples]
    found = {rid: 0 for rid in plain}
    for text in texts:
        report = lint_source(SourceText.from_original(text, path="r.txt"), rules=rules).report
        if report is None or report.format is None:
            continue
        for order in (("F501", "F502", "P002"), ("P002", "F502", "F501"), ("F502", "P002", "F501")):
            ctx = Ctx(report)                # one census for the three, made by the first
            for key, table, spec in Ctx(report).tables_with_spec():
                for rid in order:
                    got = [(f.location, f.message, f.message_en, f.numbers)
                           for f in fast[rid](by_id[rid], ctx, key, table, spec)]
                    want = [(f.location, f.message, f.message_en, f.numbers)
                            for f in plain[rid](by_id[rid], Ctx(report), key, table, spec)]
                    assert got == want, (rid, key, text[:30])
                    found[rid] += len(got)
    assert all(found.values()), found
