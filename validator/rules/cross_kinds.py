"""Rule kinds across reports and across the parts of one report (issue 14).

Kinds that compare two reports (they run only through :func:`validator.cross.check_pair`,
with a :class:`PairCtx`; in a single-file check they yield nothing):
  year_over_year   an equation over this year's and last year's cells        [consistency]
                   (表三 上年结转 = 上年 结转下年度; 表二 现行有效件数)
  cross_unchecked  what a cross-year rule could not compare, and why        [consistency]
  copied_text      sections whose text is largely the same as another       [content]
                   report's (last year's, or another issuer's of the year)
  stale_year       a sentence copied from last year's report with last      [metadata]
                   year's year left in it
  prose_change     “同比增长12%” in the text against this and last year's   [consistency]
                   table cells

Kinds of one report (numbers in the prose against each other and the tables):
  prose_sum        “共受理510件，其中…198件、…142件、…137件”: the parts add up     [consistency]
  prose_ratio      “办结率100%” against the cells it is computed from              [consistency]
  prose_statement  “所有申请均已办结” / “未发生行政复议” while the table has some   [consistency]

All read the model only: section paragraphs (as prose streams), metadata and table cells.
Conservative: a sentence that is not clearly about the quantity gives no finding, and a
cell that cannot be read is never guessed.
"""

from __future__ import annotations

from ..i18n import table_en

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ..expr import ExprError, Missing, check, compile_expr
from ..findings import RelatedLocation
from ..model import ValueKind
from .content_kinds import _compile, _excerpt, _finditer, _group, _gspan, _num, prose_streams
from .kinds import Ctx, KindError, fmt_num, register

PAIR_KINDS: set[str] = set()     # kinds that need two reports
LATE_KINDS: set[str] = set()     # pair kinds that run after the others (they read ctx.skipped)

SIDE_THIS, SIDE_PREV = "本年", "上年"


class PairCtx(Ctx):
    """A rule's view of two reports: `report` (the one checked; findings are in its file)
    and `other` (last year's report, or another issuer's report of the same year)."""

    def __init__(self, report, other, relation: str = "previous", lang: str = "zh", settings: dict | None = None):
        super().__init__(report, lang)
        self.other = other
        self.relation = relation            # "previous" | "peer"
        self.settings = dict(settings or {})
        self.skipped: list[dict] = []       # comparisons that could not be made (cross_unchecked)
        self.stats: list = []               # what was measured (similarity shares), for --verbose
        self.checked: list[dict] = []       # comparisons made: rule, key, lhs, rhs, holds

    @property
    def year(self):
        return self.report.metadata.year

    @property
    def other_year(self):
        return self.other.metadata.year

    @property
    def other_path(self) -> str:
        return self.other.source.path

    def other_name(self) -> str:
        """How messages name the other report: "2023年度报告" or "淮安市人民政府2024年度报告"."""
        y = f"{self.other_year}年度报告" if self.other_year else "另一份报告"
        if self.relation == "peer":
            return (self.other.metadata.issuer or "另一发布机关") + y
        return y

    def other_loc(self, span, label: str | None = None) -> RelatedLocation:
        loc = self.other.source.location(*span)
        return RelatedLocation(loc.line, loc.column, loc.end_line, loc.end_column, loc.page, loc.where,
                               path=self.other_path, label=label)

    def emit(self, rule, span, args=None, *, related=(), **kw):
        own = [r for r in related if not isinstance(r, RelatedLocation)]
        elsewhere = [r for r in related if isinstance(r, RelatedLocation)]
        f = super().emit(rule, span, args, related=own, **kw)
        f.related.extend(elsewhere)
        return f


def pair_kind(name: str, relations=("previous",), late: bool = False, **kw):
    """Register a kind that compares two reports (see module doc)."""
    def deco(fn):
        def run(rule, ctx):
            if not isinstance(ctx, PairCtx) or ctx.relation not in relations:
                return ()
            return fn(rule, ctx)
        run.__doc__ = fn.__doc__
        register(name, **kw)(run)
        PAIR_KINDS.add(name)
        if late:
            LATE_KINDS.add(name)
        return fn
    return deco


# ---------------------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------------------
_CELL_REF = re.compile(r"\s*(表[二三四])\s*[.·]\s*([^.·]+?)\s*[.·]\s*([^.·]+?)\s*")


def _cell_refs(v, what: str) -> list[tuple[str, str, str]]:
    """Cells written 表三.行.列; each must be a cell of the table in some format, so a typo
    fails when the rule loads instead of never matching."""
    from ..templates import load_formats
    items = v if isinstance(v, list) else [v]
    out = []
    for t in items:
        m = _CELL_REF.fullmatch(str(t))
        if not m:
            raise KindError(f"{what}：单元格“{t}”应写成 表三.行.列")
        tkey, row, col = m.groups()
        specs = [f.table(tkey) for f in load_formats().values() if f.table(tkey) is not None]
        if not specs:
            raise KindError(f"{what}：没有名为“{tkey}”的表")
        if not any(s.row(row) is not None for s in specs):
            raise KindError(f"{what}：“{row}”不是{tkey}的行名")
        if not any(col in s.columns for s in specs):
            raise KindError(f"{what}：“{col}”不是{tkey}的列名")
        out.append((tkey, row, col))
    return out


def _cell_number(report, ref):
    """(value, cell) of a template cell; value None when it is not a number (blank counts
    as nothing known: these rules never assume a blank is 0)."""
    tkey, row, col = ref
    table = report.tables.get(tkey)
    if table is None:
        return None, None
    c = table.cell(row, col)
    if c is None or not c.is_number:
        return None, c
    return c.value, c


def _cells_sum(report, refs):
    total = Decimal(0)
    cells = []
    for ref in refs:
        v, c = _cell_number(report, ref)
        if v is None:
            return None, cells
        total += v
        cells.append(c)
    return total, cells


def _cell_label(fmt, ref) -> str:
    tkey, row, col = ref
    spec = fmt.table(tkey) if fmt is not None else None
    if spec is None:
        return f"{tkey}「{row}」{col}"
    return f"{tkey}「{spec.short_name(row) if spec.row(row) else row}」{spec.column_display(col)}"


def _quote(text: str, sent_start: int, a: int, b: int, limit: int = 60) -> str:
    """text[a:b] as a quotation: from the sentence start when that is near, shortened in the
    middle when long."""
    if a - sent_start <= 12:
        a = sent_start
    q = " ".join(text[a:b].split())
    if len(q) > limit:
        q = q[:limit // 2] + "……" + q[-(limit // 2):]
    return ("…" if a > sent_start else "") + q


def _sentence_bounds(text: str, a: int, b: int, stops: str = "。；;\n!！?？") -> tuple[int, int]:
    s = max(text.rfind(ch, 0, a) for ch in stops) + 1
    ends = [k for k in (text.find(ch, b) for ch in stops) if k >= 0]
    return s, (min(ends) if ends else len(text))


# ---------------------------------------------------------------------------------------
# year_over_year
# ---------------------------------------------------------------------------------------
def _prepare_yoy(rule):
    p = rule.params
    try:
        expr = compile_expr(str(p["assert"]))
    except ExprError as exc:
        raise KindError(str(exc)) from None
    if not expr.is_comparison:
        raise KindError(f"assert 必须是比较式（含 == 等），而不是“{p['assert']}”")
    for_each = p.get("for_each", "column")
    if for_each not in ("column", "row"):
        raise KindError("for_each 只能是 column 或 row")
    from ..templates import load_formats
    tkey = p["table"]
    known: set[str] = set()
    found = False
    for f in load_formats().values():
        t = f.table(tkey)
        if t is None:
            continue
        found = True
        known |= {r.key for r in t.rows} if for_each == "column" else set(t.columns)
    if not found:
        raise KindError(f"没有名为“{tkey}”的表")
    sides = set()
    for n in expr.names:
        side, dot, name = n.partition("·")
        if not dot or side not in (SIDE_THIS, SIDE_PREV):
            raise KindError(f"表达式中的“{n}”应写成 本年·名称 或 上年·名称")
        if name not in known:
            raise KindError(f"表达式中的“{name}”不是{tkey}的{'行' if for_each == 'column' else '列'}名")
        sides.add(side)
    if sides != {SIDE_THIS, SIDE_PREV}:
        raise KindError("表达式应同时引用本年和上年的单元格")
    for k in ("columns", "rows"):
        if k in p and not isinstance(p[k], list):
            raise KindError(f"{k} 必须是列表")
    return expr


def _why_not(cell, table_present: bool, what: str, lang: str = "zh") -> str:
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


@pair_kind("year_over_year", required=("table", "assert"), optional=("for_each", "columns", "rows", "what", "what_en"),
           prepare=_prepare_yoy)
def run_year_over_year(rule, ctx: PairCtx):
    """An equation between this year's and last year's report, for each column (names are
    rows) or each row (names are columns) of one table: names are written 本年·行 / 上年·行,
    e.g. ``本年·上年结转 == 上年·结转下年度``.  The finding is on this year's first cell,
    with the other cells of both reports as related places.  A cell that is missing,
    unreadable or not a number on either side is not guessed: the comparison is listed as
    not made (rule kind ``cross_unchecked``).  Blank cells count as 0 and the message says
    so; when every cell of one side is blank nothing is reported."""
    from ..tablemath import Lookup
    p = rule.params
    tkey = p["table"]
    what = p.get("what") or rule.name
    what_en = p.get("what_en") or what
    for_each = p.get("for_each", "column")
    reps = {SIDE_THIS: ctx.report, SIDE_PREV: ctx.other}
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
    keys = p.get("columns" if for_each == "column" else "rows") or (
        spec.columns if for_each == "column" else [r.key for r in spec.rows if r.label and not r.group])
    names = {s: [n.partition("·")[2] for n in rule.compiled.names if n.startswith(s + "·")]
             for s in (SIDE_THIS, SIDE_PREV)}
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
            where_en_ = (f"“{specs[side].short_name(row) if for_each == 'column' else row}” "
                         f"“{specs[side].column_display(col) if for_each == 'column' else col}”")
            ctx.skipped.append({"rule": rule, "what": what, "what_en": what_en, "side": side, "key": label,
                                "table": tkey, "why": f"{where_zh}{_why_not(cell, True, tkey)}",
                                "why_en": f"{where_en_}: {_why_not(cell, True, tkey, 'en')}",
                                "span": this_cell.span if this_cell is not None and this_cell.span != (0, 0)
                                else tables[SIDE_THIS].span})
            continue
        ctx.checked.append({"rule": rule.id, "key": k, "lhs": out.lhs, "rhs": out.rhs, "holds": out.holds})
        if out.holds:
            continue
        this_cells = looks[SIDE_THIS].cells
        prev_cells = looks[SIDE_PREV].cells
        if (this_cells and all(c.kind == ValueKind.BLANK for c in this_cells)) or \
                (prev_cells and all(c.kind == ValueKind.BLANK for c in prev_cells)):
            continue
        anchor = next((c for c in this_cells if c.kind != ValueKind.BLANK), this_cells[0] if this_cells else None)
        if anchor is None:
            continue
        blanks = len(looks[SIDE_THIS].blanks) + len(looks[SIDE_PREV].blanks)
        label = spec.column_display(k) if for_each == "column" else spec.row_display(k)

        def terms_text(terms):
            parts = []
            for name, v in terms:
                neg = name.startswith("-")
                side, _d, n = name.lstrip("-").partition("·")
                shown = spec.short_name(n) if for_each == "column" else n
                if side == SIDE_PREV:
                    shown = f"{ctx.other_year or '上一'}年度报告的{shown}"
                parts.append(("－" if neg else "") + f"{shown}{fmt_num(v)}")
            return " + ".join(parts).replace("+ －", "－ ")

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
            "lhs_expr": terms_text(out.lhs_terms), "rhs_expr": terms_text(out.rhs_terms),
            "year": ctx.year or "", "prev_year": ctx.other_year or "上一", "prev_file": ctx.other_path,
            "assumption": f"（其中{blanks}个空白单元格按0计）" if blanks else "",
        }, table=tkey, row=(label if for_each == "row" else None), column=(label if for_each == "column" else None),
            numbers={"lhs": out.lhs, "rhs": out.rhs, "diff": diff, "blank_as_zero": blanks}, related=related)


# ---------------------------------------------------------------------------------------
# cross_unchecked
# ---------------------------------------------------------------------------------------
@pair_kind("cross_unchecked", relations=("previous", "copy"), late=True)
def run_cross_unchecked(rule, ctx: PairCtx):
    """What the cross-year rules could not compare and why (a cell of last year's report
    that could not be read, a table that one report does not have, reports that are not of
    consecutive years): one finding per rule and report, on this year's cell or table."""
    groups: dict = {}
    for s in ctx.skipped:
        key = (s["rule"].id if s.get("rule") is not None else "", s["side"])
        groups.setdefault(key, []).append(s)
    for (_rid, side), items in sorted(groups.items(), key=lambda kv: kv[0]):
        first = items[0]
        whose = f"{ctx.other_year}年度报告" if side == SIDE_PREV else f"本报告（{ctx.year}年度）"
        if side == SIDE_PREV and not ctx.other_year:
            whose = "上一年度报告"
        if side == "copy":
            whose = ""
        details, details_en = [], []
        for s in items:
            d = s["why"]
            if d not in details:
                details.append(d)
                details_en.append(s.get("why_en") or d)
        span = first.get("span") or ctx.report.metadata.title_span or (0, 0)
        related = []
        other_table = ctx.other.tables.get(first.get("table") or "")
        if side == SIDE_PREV and other_table is not None:
            related.append(ctx.other_loc(other_table.span, f"{whose} {first.get('table')}"))
        yield ctx.emit(rule, span, {"what": first["what"], "whose": whose, "detail": "；".join(details),
                                    "what_en": first.get("what_en") or first["what"],
                                    "detail_en": "; ".join(details_en),
                                    "count": len(items), "prev_file": ctx.other_path,
                                    "year": ctx.year or "", "prev_year": ctx.other_year or ""},
                       related=related)


# ---------------------------------------------------------------------------------------
# copied_text
# ---------------------------------------------------------------------------------------
def _prepare_copied(rule):
    p = rule.params
    if p.get("against", "previous") not in ("previous", "peer"):
        raise KindError("against 只能是 previous（上一年度的报告）或 peer（同一年度其他发布机关的报告）")
    for k in ("threshold",):
        if k in p:
            try:
                v = float(p[k])
            except (TypeError, ValueError):
                raise KindError(f"{k} 应为0到1之间的数") from None
            if not 0 < v <= 1:
                raise KindError(f"{k} 应为0到1之间的数")
    for k in ("min_chars", "min_match", "passages"):
        if k in p and (not isinstance(p[k], int) or p[k] < 1):
            raise KindError(f"{k} 应为正整数")
    if "sections" in p and not isinstance(p["sections"], list):
        raise KindError("sections 必须是列表")


def similarity_settings(rule, settings: dict) -> dict:
    p = rule.params
    return {"threshold": float(settings.get("threshold") or p.get("threshold", 0.5)),
            "min_chars": int(settings.get("min_chars") or p.get("min_chars", 100)),
            "min_match": int(p.get("min_match", 12)),
            "passages": int(settings.get("passages") or p.get("passages", 3))}


def _short(text: str, n: int = 40) -> str:
    t = text.replace("\x01", "…").replace("\x02", "…")
    return t if len(t) <= n else t[:n] + "…"


@pair_kind("copied_text", relations=("previous", "peer"), optional=("against", "threshold", "min_chars", "min_match",
                                                                   "passages", "sections"), prepare=_prepare_copied)
def run_copied_text(rule, ctx: PairCtx):
    """A section whose text is largely the same as the same section of another report:
    `against: previous` (last year's report of the same issuer) or `peer` (another issuer's
    report of the same year, when a directory is checked).  The template's own wording is
    excluded; the share is of the section's other characters found in runs of at least
    `min_match` (12) equal characters.  Reported when the share reaches `threshold` (0.5;
    configurable: ``similarity-threshold`` in the config file, ``--similarity-threshold``)
    and the section has at least `min_chars` (100) such characters; the finding is on the
    longest copied passage, with the next ones and their places in the other report as
    related places."""
    from ..cross import similarity as sim
    if rule.params.get("against", "previous") != ctx.relation:
        return
    cfg = similarity_settings(rule, ctx.settings)
    only = rule.params.get("sections")
    screen = sim.screen_for(cfg["threshold"], cfg["min_match"]) if ctx.relation == "peer" else None
    for u, v in sim.match_units(sim.units(ctx.report), sim.units(ctx.other)):
        if only and u.key not in only:
            continue
        if u.countable < cfg["min_chars"]:
            continue
        res = sim.compare(u, v, min_match=cfg["min_match"], passages=cfg["passages"], screen=screen)
        if res is None:
            continue
        ctx.stats.append(res)
        if res.share < cfg["threshold"] or not res.passages:
            continue
        top = res.passages[0]
        related = []
        for i, ps in enumerate(res.passages):
            if i:
                related.append(ps.a)
            related.append(ctx.other_loc(ps.b, f"{ctx.other_name()} {v.title}：“{_short(ps.text, 24)}”（{ps.length}字）"))
        share = Decimal(res.share * 100).quantize(Decimal(1), ROUND_HALF_UP)
        yield ctx.emit(rule, top.a, {
            "section": u.title, "share": fmt_num(share), "copied": res.copied, "total": u.countable,
            "other": ctx.other_name(), "other_file": ctx.other_path, "other_section": v.title,
            "passage": _short(top.text), "length": top.length, "passages": len(res.passages),
            "threshold": fmt_num(Decimal(cfg["threshold"] * 100).quantize(Decimal(1), ROUND_HALF_UP)),
        }, numbers={"share": share, "copied": res.copied, "total": u.countable, "longest": top.length},
            related=related)


# ---------------------------------------------------------------------------------------
# stale_year
# ---------------------------------------------------------------------------------------
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def _prepare_stale(rule):
    return [_compile(x, "exclude") for x in rule.params.get("exclude", [])]


@pair_kind("stale_year", optional=("exclude", "window"), prepare=_prepare_stale)
def run_stale_year(rule, ctx: PairCtx):
    """A sentence of this year's report that names last year's year (“2023年，我区…” in a
    2024 report) and is, with that year, a copy of a sentence of last year's report: the
    text was carried over and its year not changed.  Sentences matching `exclude` (comparisons
    with last year: 较上年、同比、结转 …) are not reported, nor the statistical period (rule
    period-wrong) or a plan naming the report year (rule plan-year), which have their own
    rules.  The finding names the sentence in both reports."""
    year, prev_year = ctx.year, ctx.other_year
    if not year or not prev_year or prev_year != year - 1:
        return
    window = int(rule.params.get("window", 14))
    prev_text = "".join("".join(st.text.split()) for st in prose_streams(ctx.other, "prose"))
    prev_streams = prose_streams(ctx.other, "prose")
    period = ctx.report.metadata.period_span
    seen = set()
    for st in prose_streams(ctx.report, "prose"):
        for m in _YEAR.finditer(st.text):
            if int(m.group(1)) != prev_year:
                continue
            a, b = _sentence_bounds(st.text, m.start(), m.end())
            sentence = st.text[a:b]
            if any(x.search(sentence) for x in rule.compiled):
                continue
            span = st.span(m.start(), m.end())
            if period and period[0] <= span[0] < period[1]:
                continue
            # the year and what follows it in the sentence, compact
            piece = "".join(st.text[m.start():min(b, m.end() + window * 2)].split())
            if len(piece) < window or piece not in prev_text:
                continue
            if (a, b) in seen:
                continue
            seen.add((a, b))
            where_prev = None
            for ps in prev_streams:
                k = ps.text.find(st.text[m.start():m.end()])
                while k >= 0:
                    if "".join(ps.text[k:k + len(piece) * 2].split()).startswith(piece):
                        where_prev = ps.span(k, k + (m.end() - m.start()))
                        break
                    k = ps.text.find(st.text[m.start():m.end()], k + 1)
                if where_prev:
                    break
            related = [ctx.other_loc(where_prev, f"{prev_year}年度报告中的同一句")] if where_prev else []
            yield ctx.emit(rule, span, {"found": m.group(0), "sentence": _excerpt(st.text, m.start(), min(b, m.end() + 20), 6),
                                        "year": year, "prev_year": prev_year, "prev_file": ctx.other_path},
                           related=related)


# ---------------------------------------------------------------------------------------
# prose_change (同比)
# ---------------------------------------------------------------------------------------
def _prepare_quantities(rule, need=("n",), extra=()):
    out = []
    for q in rule.params["quantities"]:
        if not isinstance(q, dict) or "name" not in q or "phrases" not in q:
            raise KindError("quantities 的每项需要 name 和 phrases")
        pats = [_compile(x, "phrases") for x in q["phrases"]]
        for p in pats:
            if p.engine == "re2":
                for g in need:
                    if g not in p._compiled.groupindex:
                        raise KindError(f"短语“{p.pattern}”需要命名组 (?P<{g}>…)")
        item = {"name": q["name"], "phrases": pats,
                "sentence": [_compile(x, "sentence") for x in q.get("sentence", [])],
                "not_after": [_compile(x, "not_after") for x in q.get("not_after", [])],
                "sections": q.get("sections")}
        for k in extra:
            if k in q:
                if k in ("cells", "numerator", "says_zero"):
                    item[k] = _cell_refs(q[k], k)
                elif k == "not_followed":
                    item[k] = [_compile(x, k) for x in q[k]]
                elif k == "denominators":
                    if not isinstance(q[k], list) or not q[k]:
                        raise KindError("denominators 必须是非空列表")
                    item[k] = [_cell_refs(d, k) for d in q[k]]
                else:
                    item[k] = q[k]
        out.append(item)
    return out


def _matches(rule_items, report, default_sections=None):
    """(item, stream, match, sentence bounds) for every phrase of every quantity."""
    for item in rule_items:
        secs = item.get("sections") or default_sections
        for st in prose_streams(report, "prose", secs):
            for pat in item["phrases"]:
                for m in _finditer(pat, st.text):
                    a, b = _sentence_bounds(st.text, m.start(), m.end())
                    sentence = st.text[a:b]
                    if item["sentence"] and not all(s.search(sentence) for s in item["sentence"]) \
                            and not (item.get("in_sections") and st.section is not None
                                     and st.section.key in item["in_sections"]):
                        continue
                    if item["not_after"] and any(x.search(st.text[a:m.start()]) for x in item["not_after"]):
                        continue
                    yield item, st, pat, m, (a, b)


def _percent_ok(stated: Decimal, ratio: Decimal) -> bool:
    """Is `stated` (a percentage as written) the ratio rounded (half up) or truncated to the
    precision it is written with?"""
    exp = stated.as_tuple().exponent
    q = Decimal(1).scaleb(exp) if exp < 0 else Decimal(1)
    pct = ratio * 100
    return stated in (pct.quantize(q, ROUND_HALF_UP), pct.quantize(q, ROUND_FLOOR))


@pair_kind("prose_change", required=("quantities",),
           prepare=lambda r: _prepare_quantities(r, ("n", "p", "dir"), ("cells", "up", "down")))
def run_prose_change(rule, ctx: PairCtx):
    """“收到申请95件，同比增长12%”: a change from last year stated in the text, checked
    against this year's and last year's table cells for the quantity.  Each quantity has
    `phrases` (named groups `n`: this year's number, `p`: the percentage, `dir`: the
    direction word), `cells` (the table cells of the quantity), `up`/`down` (direction
    words).  Only when `n` equals this year's cell (the sentence is about that quantity)
    and last year's cell is readable and not 0."""
    for item, st, pat, m, _sb in _matches(rule.compiled, ctx.report):
        n = _num(_group(pat, m, "n") or "")
        p = _num(_group(pat, m, "p") or "")
        d = _group(pat, m, "dir") or ""
        if n is None or p is None or "cells" not in item:
            continue
        this_v, this_cells = _cells_sum(ctx.report, item["cells"])
        prev_v, prev_cells = _cells_sum(ctx.other, item["cells"])
        if this_v is None or prev_v is None or this_v != n or prev_v == 0:
            continue
        sign = 1 if any(w in d for w in item.get("up", ["增长", "增加", "上升", "提高"])) else (
            -1 if any(w in d for w in item.get("down", ["下降", "减少", "降低"])) else 0)
        if sign == 0:
            continue
        ratio = (this_v - prev_v) / prev_v
        if _percent_ok(sign * p, ratio):
            continue
        pct = (ratio * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        related = [c.span for c in this_cells] + [
            ctx.other_loc(c.span, f"{ctx.other_year}年度报告 {_cell_label(ctx.other.format, ref)} {fmt_num(c.value)}")
            for c, ref in zip(prev_cells, item["cells"])]
        psp = _gspan(pat, m, "p") or (m.start(), m.end())
        yield ctx.emit(rule, st.span(*psp), {
            "name": item["name"], "found": m.group(0).strip(), "stated": fmt_num(p), "direction": d,
            "this_value": fmt_num(this_v), "prev_value": fmt_num(prev_v), "computed": fmt_num(pct),
            "prev_year": ctx.other_year or "上一", "year": ctx.year or ""},
            numbers={"stated": sign * p, "computed": pct, "this": this_v, "previous": prev_v}, related=related)


# ---------------------------------------------------------------------------------------
# prose_sum
# ---------------------------------------------------------------------------------------
def _prepare_sum(rule):
    p = rule.params
    total = [_compile(x, "totals") for x in p["totals"]]
    for t in total:
        if t.engine == "re2" and not {"n", "unit"} <= set(t._compiled.groupindex):
            raise KindError(f"totals 的正则“{t.pattern}”需要命名组 (?P<n>…) 和 (?P<unit>…)")
    part = _compile(p.get("part", r"(?P<n>\d+)\s*(?P<unit>件|条|个|次|项|家|期|场|份|人次|人)"), "part")
    return {"totals": total, "part": part,
            "parts_start": _compile(p.get("parts_start", r"^[,，:：\s]*(?:其中|包括)[,，:：\s]*"), "parts_start"),
            "stop": [_compile(x, "stop") for x in p.get("stop", [])],
            "hedges": [_compile(x, "hedges") for x in p.get("hedges", [])],
            "complete": [_compile(x, "complete") for x in p.get("complete", [])],
            "min_parts": int(p.get("min_parts", 2))}


@register("prose_sum", required=("totals",), optional=("part", "parts_start", "stop", "hedges", "complete", "min_parts"),
          prepare=_prepare_sum)
def run_prose_sum(rule, ctx):
    """A total stated in a sentence and its parts listed right after it (“共受理510件，其中
    自然人申请198件、法人或其他组织申请142件、其他137件”) add up.  `totals`: regexes with
    named groups `n` and `unit`; the list must start right after the total (`parts_start`,
    其中/包括) and runs over the clauses (、，；) that each hold one number in the same unit;
    it ends at a clause matching `stop` (办结、同比、占 …) or without such a number.  Parts
    that add up to more than the total are always reported; parts that add up to less only
    when the list is clearly the whole (a clause matches `complete`: 其他、其余 …), never
    when `hedges` (等、主要、约、余 …) say it is approximate or partial.  The finding is on
    the total, with each part as a related place."""
    c = rule.compiled
    seen = set()
    for st in prose_streams(ctx.report, "prose"):
        for tpat in c["totals"]:
            for m in _finditer(tpat, st.text):
                nsp = _gspan(tpat, m, "n")
                unit = _group(tpat, m, "unit")
                total = _num(_group(tpat, m, "n") or "")
                if nsp is None or total is None or not unit or nsp in seen:
                    continue
                a, b = _sentence_bounds(st.text, m.start(), m.end())
                after = st.text[m.end():b]
                # an approximate total (“2000余件”) is no total
                if re.match(r"\s*(?:余|多|左右)", st.text[nsp[1]:nsp[1] + 3]) or re.match(r"^\s*(?:余|多)", after):
                    continue
                ps = c["parts_start"].search(after) if after else None
                if ps is None or ps.start() != 0:
                    continue
                rest_start = m.end() + ps.end()
                parts = []
                complete = False
                hedged = False
                pos = rest_start
                for seg in re.finditer(r"[^、，,；;]+", st.text[rest_start:b]):
                    stext = seg.group(0)
                    if any(s.search(stext) for s in c["stop"]):
                        break
                    nums = list(_finditer(c["part"], stext))
                    if len(nums) != 1 or _group(c["part"], nums[0], "unit") != unit:
                        break
                    pm = nums[0]
                    psp = _gspan(c["part"], pm, "n")
                    v = _num(_group(c["part"], pm, "n") or "")
                    if v is None:
                        break
                    if any(h.search(stext) for h in c["hedges"]):
                        hedged = True
                    if any(x.search(stext) for x in c["complete"]):
                        complete = True
                    base = rest_start + seg.start()
                    parts.append((v, st.span(base + psp[0], base + psp[1])))
                    pos = rest_start + seg.end()
                if len(parts) < c["min_parts"]:
                    continue
                if any(h.search(st.text[a:pos]) for h in c["hedges"]):
                    hedged = True
                s = sum((v for v, _sp in parts), Decimal(0))
                if s == total or hedged or (s < total and not complete):
                    continue
                seen.add(nsp)
                yield ctx.emit(rule, st.span(*nsp), {
                    "total": fmt_num(total), "sum": fmt_num(s), "diff": fmt_num(abs(total - s)), "unit": unit,
                    "parts": " + ".join(fmt_num(v) for v, _sp in parts), "count": len(parts),
                    "sentence": _quote(st.text, a, m.start(), pos),
                    "relation": "多" if s > total else "少"},
                    numbers={"total": total, "sum": s, "diff": s - total}, related=[sp for _v, sp in parts])


# ---------------------------------------------------------------------------------------
# prose_ratio
# ---------------------------------------------------------------------------------------
@register("prose_ratio", required=("quantities",),
          prepare=lambda r: _prepare_quantities(r, ("p",), ("numerator", "denominators", "in_sections")))
def run_prose_ratio(rule, ctx):
    """A rate stated in the text (“办结率100%”) against the table cells it is computed from:
    each quantity has `phrases` (named group `p`, the percentage), `numerator` (cells) and
    `denominators` (alternatives, each a list of cells to add up; the text agrees when it
    equals any of them, rounded or truncated to its own precision).  Optional `sentence`
    and `not_after` as for text_vs_table.  A cell that is not a number: no finding."""
    for item, st, pat, m, _sb in _matches(rule.compiled, ctx.report):
        p = _num(_group(pat, m, "p") or "")
        if p is None or "numerator" not in item or "denominators" not in item:
            continue
        num, ncells = _cells_sum(ctx.report, item["numerator"])
        if num is None:
            continue
        alts = []
        for refs in item["denominators"]:
            den, dcells = _cells_sum(ctx.report, refs)
            if den is None or den == 0:
                continue
            alts.append((den, dcells, refs))
        if not alts:
            continue
        if any(_percent_ok(p, num / den) for den, _c, _r in alts):
            continue
        den, dcells, refs = alts[0]
        pct = (num / den * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        cells_txt = "、".join(f"{_cell_label(ctx.fmt, r)}{fmt_num(c.value)}" for r, c in
                              list(zip(item["numerator"], ncells)) + list(zip(refs, dcells)))
        psp = _gspan(pat, m, "p") or (m.start(), m.end())
        yield ctx.emit(rule, st.span(*psp), {
            "name": item["name"], "found": m.group(0).strip(), "stated": fmt_num(p), "computed": fmt_num(pct),
            "numerator": fmt_num(num), "denominator": fmt_num(den), "cells": cells_txt},
            numbers={"stated": p, "computed": pct}, related=[c.span for c in ncells + dcells],
            table=item["numerator"][0][0])


# ---------------------------------------------------------------------------------------
# prose_statement
# ---------------------------------------------------------------------------------------
@register("prose_statement", required=("quantities",),
          prepare=lambda r: _prepare_quantities(r, (), ("says_zero", "not_followed", "in_sections")))
def run_prose_statement(rule, ctx):
    """A statement in the text that some quantity is nil or that everything was done
    (“所有申请均已办结”, “未发生行政复议”) while the table says otherwise: each quantity has
    `phrases`, `says_zero` (cells whose sum the statement says is 0), optional `sentence`
    (regexes the sentence must match; or the phrase is in one of `in_sections`),
    `not_after` and `not_followed` (regexes that must not follow the phrase within its
    clause: “未发生行政复议被纠错” is another claim).  Reported when the cells are numbers
    and add up to more than 0, with the statement and the cells."""
    seen = set()
    for item, st, pat, m, (a, b) in _matches(rule.compiled, ctx.report):
        if "says_zero" not in item:
            continue
        tail = st.text[m.end():b]
        clause_end = min([k for k in (tail.find(ch) for ch in "，,、") if k >= 0] or [len(tail)])
        if any(x.search(tail[:clause_end]) for x in item.get("not_followed") or []):
            continue
        total, cells = _cells_sum(ctx.report, item["says_zero"])
        if total is None or total <= 0:
            continue
        span = st.span(m.start(), m.end())
        if any(n == item["name"] and sp[0] < span[1] and span[0] < sp[1] for n, sp in seen):
            continue  # two phrases of one statement
        seen.add((item["name"], span))
        cells_txt = "、".join(f"{_cell_label(ctx.fmt, r)}{fmt_num(c.value)}" for r, c in zip(item["says_zero"], cells))
        yield ctx.emit(rule, span, {"name": item["name"], "found": m.group(0).strip(), "value": fmt_num(total),
                                    "cells": cells_txt},
                       numbers={"table": total}, related=[c.span for c in cells], table=item["says_zero"][0][0])


# ---------------------------------------------------------------------------------------
# copy_cells / copy_sections (`xxgk-lint compare A B`)
# ---------------------------------------------------------------------------------------
def _same_cell(a: dict, b: dict) -> bool:
    if a["kind"] in ("number", "zero") and b["kind"] in ("number", "zero"):
        return a["value"] == b["value"]
    if a["kind"] != b["kind"]:
        return False
    return "".join(a["raw"].split()) == "".join(b["raw"].split())


def _shown(rec: dict) -> str:
    k = rec["kind"]
    if k in ("number", "zero"):
        return fmt_num(rec["value"])
    if k == "blank":
        return "空白"
    if k == "missing":
        return "没有这一格"
    return f"“{rec['raw']}”"


def _other_label(ctx) -> str:
    return f"另一版本（{ctx.other_path}）"


@pair_kind("copy_cells", relations=("copy",))
def run_copy_cells(rule, ctx: PairCtx):
    """Two copies of one report (a web page and its PDF attachment, a DOCX draft and the
    published page): every template cell (validator.extract.template_cells) that holds a
    different number or text in the other copy, on this copy's cell with the other's as a
    related place.  A table that only one copy has is one finding.  A cell that could not
    be read in either copy is listed as not compared (rule kind cross_unchecked)."""
    from ..extract import template_cells
    mine = {(r["table"], r["row"], r["column"]): r for r in template_cells(ctx.report)}
    theirs = {(r["table"], r["row"], r["column"]): r for r in template_cells(ctx.other)}
    my_tables = {k[0] for k in mine}
    their_tables = {k[0] for k in theirs}
    fmt = ctx.fmt or ctx.other.format
    for t in sorted(my_tables ^ their_tables):
        here = ctx.report.tables.get(t)
        there = ctx.other.tables.get(t)
        span = here.span if here is not None else (ctx.report.metadata.title_span or (0, 0))
        related = [ctx.other_loc(there.span, f"另一版本 {t}")] if there is not None else []
        yield ctx.emit(rule, span, {"table": t, "row": "", "column": "", "where": t,
                                    "mine": "有这张表" if here is not None else "没有这张表",
                                    "theirs": "有" if there is not None else "没有", "other_file": ctx.other_path},
                       table=t, related=related)
    for key, a in mine.items():
        b = theirs.get(key)
        if b is None:
            continue
        t, row, col = key
        if "unreadable" in (a["kind"], b["kind"]):
            whose = "本文件" if a["kind"] == "unreadable" else _other_label(ctx)
            raw = a["raw"] if a["kind"] == "unreadable" else b["raw"]
            cell = ctx.report.tables[t].cell(row, col)
            ctx.skipped.append({"rule": rule, "what": "两个版本的统计表", "side": "copy", "table": t,
                                "why": f"{whose}{t}「{a['row_label']}」{a['column_label']}"
                                       f"{'（连写数字“' + raw + '”无法逐格拆分）' if raw else '无法读出'}",
                                "span": cell.span if cell is not None else ctx.report.tables[t].span})
            continue
        if _same_cell(a, b):
            continue
        here = ctx.report.tables[t].cell(row, col)
        there = ctx.other.tables[t].cell(row, col)
        span = here.span if here is not None and a["kind"] != "missing" else ctx.report.tables[t].span
        ospan = there.span if there is not None and b["kind"] != "missing" else ctx.other.tables[t].span
        where = f"{t}「{a['row_label']}」{a['column_label']}"
        yield ctx.emit(rule, span, {"table": t, "row": a["row_label"], "column": a["column_label"], "where": where,
                                    "mine": _shown(a), "theirs": _shown(b), "other_file": ctx.other_path},
                       table=t, row=a["row_label"], column=a["column_label"],
                       numbers={k: v for k, v in (("this", a["value"]), ("other", b["value"])) if v is not None},
                       related=[ctx.other_loc(ospan, f"另一版本 {where} {_shown(b)}")])


@pair_kind("copy_sections", relations=("copy",), optional=("places",))
def run_copy_sections(rule, ctx: PairCtx):
    """Two copies of one report: each section whose text differs (letters, digits and
    characters only — punctuation, spacing, line breaks and table rules are not compared),
    or that only one copy has.  One finding per section, on the first difference, with the
    next differences (up to `places`, 3) and their places in the other copy."""
    import difflib
    from ..cross.similarity import units
    places = int(rule.params.get("places", 3))
    mine = units(ctx.report, plain=True)
    theirs = {u.key: u for u in units(ctx.other, plain=True)}
    seen = set()
    for u in mine:
        seen.add(u.key)
        v = theirs.get(u.key)
        if v is None:
            yield ctx.emit(rule, u.heading, {"section": u.title, "detail": "另一版本没有这一部分",
                                             "other_file": ctx.other_path})
            continue
        if u.text == v.text:
            continue
        sm = difflib.SequenceMatcher(None, u.text, v.text, autojunk=False)
        ops = [op for op in sm.get_opcodes() if op[0] != "equal"]
        if not ops:
            continue
        same = sum(n for _a, _b, n in sm.get_matching_blocks())
        share = Decimal(same * 100 / max(len(u.text), len(v.text), 1)).quantize(Decimal(1), ROUND_HALF_UP)
        first = ops[0]

        def piece(text, a, b):
            s = text[max(0, a - 6):b + 6]
            return ("…" if a > 6 else "") + (_short(s, 30) if s else "") + ("…" if b + 6 < len(text) else "")

        def span_of(unit, a, b):
            if a < b:
                return unit.span(a, b)
            if unit.pos:
                k = min(a, len(unit.pos) - 1)
                return (unit.pos[k], unit.pos[k])
            return unit.heading

        related = []
        for i, (_tag, a1, a2, b1, b2) in enumerate(ops[:places]):
            if i:
                related.append(span_of(u, a1, a2))
            related.append(ctx.other_loc(span_of(v, b1, b2), f"另一版本 {v.title}：“{piece(v.text, b1, b2)}”"))
        detail = (f"共{len(ops)}处不同（相同{fmt_num(share)}%）；第一处本文件为“{piece(u.text, first[1], first[2])}”，"
                  f"另一版本为“{piece(v.text, first[3], first[4])}”")
        yield ctx.emit(rule, span_of(u, first[1], first[2]), {"section": u.title, "detail": detail,
                                                             "other_file": ctx.other_path},
                       numbers={"differences": len(ops), "same": share}, related=related)
    for key, v in theirs.items():
        if key in seen:
            continue
        span = ctx.report.metadata.title_span or (0, 0)
        yield ctx.emit(rule, span, {"section": v.title, "detail": "本文件没有这一部分", "other_file": ctx.other_path},
                       related=[ctx.other_loc(v.heading, f"另一版本 {v.title}")])
