"""Kinds of the report's structure (rules/structure.yaml, parts of tables.yaml, limits.yaml,
legacy.yaml, content.yaml):

  diagnostics  what the parser found: sections and tables missing or out of order, rows of
               another format, cells that could not be placed, not a report, a pre-2019
               report, year unknown, a file over a limit
  labels       section titles, row labels and table labels that match the format only in
               some way (a typo, the other format's wording)
  numbering    numbering that skips or repeats: 一是、二是… in the prose, section numbers
"""

from __future__ import annotations

from ...model import DIAGNOSTIC_KINDS, ValueKind
from ..schema import Bool, Choice, ListOf, MapOf, Param, Regex, Template
from ...i18n import table_en
from ...saferegex import PatternTimeout
from ...textutil import cn_to_int
from . import CN, _Safe, list_en, register
from .text import group_span

_DIAG = Choice(*DIAGNOSTIC_KINDS)
_DIAG_KEY = Choice(*DIAGNOSTIC_KINDS, label="诊断种类（同 diagnostic）", label_en="a diagnostic kind (as for diagnostic)")


# ---------------------------------------------------------------------------------------
# diagnostics
# ---------------------------------------------------------------------------------------
@register("diagnostics", "structure", params=[
    Param("diagnostic", ListOf(_DIAG, min_len=1, single_ok=True), required=True,
          doc="报告哪一种（或哪几种）诊断", doc_en="the diagnostic kind(s) to report"),
    Param("problems", MapOf(_DIAG_KEY, Template()), default={},
          doc="每种诊断的 {problem} 文字", doc_en="the text of {problem} for each diagnostic kind"),
    Param("problems_en", MapOf(_DIAG_KEY, Template()), default={},
          doc="同上，英文", doc_en="the same in English"),
    Param("per_table", Bool(), default=False,
          doc="每张表一条，列出各行（{rows}、{count}）", doc_en="one finding per table listing the rows ({rows}, {count})"),
], doc="""报告解析器对报告结构的诊断：缺少或顺序不对的部分和表格、另一种格式的行、无法归位的单元格、
不是年度报告、2019年以前的报告、年度不明、文件超过限制等。诊断的种类见参数 diagnostic 的可选值。""",
   doc_en="""Reports the parser's diagnostics of the given kind(s): what it found about the report's
structure (a section missing or out of order, a table missing, a row of another format, cells
that could not be placed) or about the report or file as a whole (not an annual report, a
pre-2019 report, year unknown, over a limit).  ``problems`` gives the text of ``{problem}`` for
each kind; ``per_table: true`` makes one finding per table, listing the rows in the format's
order.  The arguments of each diagnostic (``{table}``, ``{row}``, ``{year}`` …) are placeholders.""")
def run_diagnostics(rule, ctx):
    p = rule.params
    problems = p["problems"]
    problems_en = p["problems_en"]
    diags = _diagnostics_of(ctx, p["diagnostic"])
    if not p["per_table"]:
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
        order = {r.key: i for i, r in enumerate(spec.rows)} if spec is not None else {}
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


def _diagnostics_of(ctx, kinds) -> list:
    """The report's diagnostics of these kinds, in the report's order.  The report's
    diagnostics are grouped by kind once per report (a dozen rules each want a kind or two)."""
    by_kind = ctx.shared.get("diagnostics by kind")
    if by_kind is None:
        by_kind = {}
        for i, d in enumerate(ctx.report.diagnostics):
            by_kind.setdefault(d.kind, []).append((i, d))
        ctx.shared["diagnostics by kind"] = by_kind
    found = [x for k in set(kinds) for x in by_kind.get(k, ())]
    if len(kinds) > 1:
        found.sort(key=lambda x: x[0])
    return [d for _i, d in found]


# ---------------------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------------------
QUALITIES = ("exact", "short", "variant", "legacy", "fuzzy", "other-format")


@register("labels", "structure", params=[
    Param("of", Choice("rows", "sections", "tables"), default="rows",
          doc="rows：表格行名；sections：部分标题；tables：每张表的表头、说明和行名（每表一条）",
          doc_en="rows: table row labels; sections: section titles; tables: every label of a table, one finding per table"),
    Param("match", ListOf(Choice(*QUALITIES), min_len=1), default=["fuzzy"],
          doc="报告哪些匹配方式：fuzzy（错字等近似）、variant（其他写法）、legacy/other-format（另一种格式的写法）……",
          doc_en="which ways of matching to report: fuzzy (a typo), variant, legacy / other-format (the other format's wording) …"),
    Param("split_rows", Bool(), default=True,
          doc="of: tables 时，另一种格式中是一行、本格式分为几行的行（如2019年格式的“（六）其他处理”）写成一行也报告",
          doc_en="with of: tables, also report a single row where this format has several (2019's single （六）其他处理 row)"),
], doc="""标题和标签与统一格式的写法不完全一致：部分标题、表格行名有错字或其他写法（of: sections / rows），
或表格用了另一种格式（2019年/2021年）的写法（of: tables，每张表一条，列出找到的写法；一个旧写法也报告）。""",
   doc_en="""Labels that match the format only in some way.  ``of: sections`` / ``rows``: section titles or
row labels matched only tolerantly (``match``: fuzzy for a typo such as 其他法律行政止公开, variant …),
one finding each with the format's wording.  ``of: tables``: labels of the other format in a table
(2019 labels in a report for 2021 or later, and the reverse) — captions, headers, row labels,
and (``split_rows``) a single row where this format has several — one finding per table listing
them; a single old label is enough.""")
def run_labels(rule, ctx):
    p = rule.params
    qualities = set(p["match"])
    fmt = ctx.fmt
    if p["of"] == "sections":
        if fmt is None:
            return
        for s in ctx.report.sections:
            if s.key and s.quality in qualities:
                sec = fmt.section_by_key(s.key)
                if sec:
                    yield ctx.emit(rule, s.span, {"found": s.title, "expected": f"{s.numeral}、{sec.title}",
                                                  "what": "标题", "what_en": "Section title"})
        return
    if p["of"] == "rows":
        for key, table in ctx.report.tables.items():
            for row in table.rows.values():
                for lm in row.labels:
                    if lm.quality in qualities:
                        yield ctx.emit(rule, lm.span, {"found": " ".join(lm.text.split()), "expected": lm.expected or "",
                                                       "what": f"{key}行名", "table": key,
                                                       "what_en": f"Row label of {table_en(key)}"}, table=key, row=lm.expected)
        return
    yield from _other_format_tables(rule, ctx, qualities)


def _is_other(lm, fmt, qualities) -> bool:
    if lm.quality in qualities:
        return True
    return "other-format" in qualities and bool(lm.format) and lm.format != fmt.id and bool(lm.key)


_SPLIT: dict = {}


def _split_in_other_format(spec, fmt) -> list:
    """Group rows of this format that another format has as one row (2019's single
    （六）其他处理 for 2021's three rows) — read from the formats, not written in code; once
    per table spec and format (the formats do not change while they are loaded)."""
    key = (id(spec), id(fmt))
    hit = _SPLIT.get(key)
    if hit is not None and hit[0] is spec and hit[1] is fmt:
        return hit[2]
    out = _split_rows(spec, fmt)
    if len(_SPLIT) > 64:
        _SPLIT.clear()
    _SPLIT[key] = (spec, fmt, out)
    return out


def _split_rows(spec, fmt) -> list:
    from ...templates import load_formats
    out = []
    for rs in spec.rows:
        if not rs.group or not spec.children(rs.key):
            continue
        for other in load_formats().values():
            if other.id == fmt.id:
                continue
            ot = other.table(spec.key)
            ors = ot.row(rs.key) if ot is not None else None
            if ors is not None and not ors.group and ors.columns:
                out.append(rs)
                break
    return out


def _other_format_tables(rule, ctx, qualities):
    fmt = ctx.fmt
    if fmt is None:
        return
    r = ctx.report
    for key, table in r.tables.items():
        spec = fmt.table(key)
        found: list[str] = []
        spans = []
        for lm in list(table.captions) + list(table.headers) + list(table.stray):
            if _is_other(lm, fmt, qualities):
                label = " ".join(lm.text.split())
                if label not in found:
                    found.append(label)
                spans.append(lm.span)
        for row in table.rows.values():
            for lm in row.labels:
                if lm.quality in qualities:
                    label = " ".join(lm.text.split())
                    if label not in found:
                        found.append(label)
                    spans.append(lm.span)
        single_en = []
        if spec is not None and rule.params["split_rows"]:
            for rs in _split_in_other_format(spec, fmt):
                row = table.rows.get(rs.key)
                if row is not None and row.cells and any(c.kind != ValueKind.MISSING for c in row.cells.values()):
                    kids = spec.children(rs.key)
                    found.append(f"单行“{rs.label}”（本格式分为{len(kids)}行）")
                    single_en.append(f"a single row “{rs.label}” (this format has {len(kids)} rows)")
                    spans.append(row.labels[0].span if row.labels else row.span)
        if not found:
            continue
        others = [f for f in _formats() if f.id != fmt.id]
        other = others[0] if others else None
        this = f"{fmt.id}年（{fmt.basis}）"
        other_txt = f"{other.id}年（{other.basis}）" if other is not None else "另一种"
        spans.sort()
        labels_en = ", ".join([f"“{x}”" for x in found if not x.startswith("单行“")] + single_en)
        yield ctx.emit(rule, spans[0], {"table": key, "labels": "、".join(found), "count": len(found),
                                        "year": r.metadata.year or "", "other": other_txt, "this": this,
                                        "labels_en": labels_en,
                                        "other_en": f"{other.id} (“{other.basis}”)" if other is not None else "the other",
                                        "this_en": f"{fmt.id} (“{fmt.basis}”)"},
                       table=key, related=spans[1:])


def _formats():
    from ...templates import load_formats
    return list(load_formats().values())


# ---------------------------------------------------------------------------------------
# numbering
# ---------------------------------------------------------------------------------------
_ITEM_MARKER = r"(?:^|[。；;，,：:\s(（、])(?P<num>[一二三四五六七八九十]{1,3})是"


@register("numbering", "structure", params=[
    Param("of", Choice("items", "sections"), default="items",
          doc="items：正文中的“一是、二是……”；sections：部分编号“一、二、……”（不按统一格式检查的报告）",
          doc_en="items: 一是、二是… in the prose; sections: the section numbers 一、二、… (reports not checked against a format)"),
    Param("marker", Regex(groups=("num",)), default=None,
          doc="of: items 时列举序号的正则表达式（命名组 num 为中文数字）",
          doc_en="with of: items, the regex of an item marker (named group num: a Chinese numeral)"),
], doc="""编号不跳号、不重复。of: items —— 正文中的“一是、二是、三是……”：每个部分、每个小标题（如
“（三）政府信息管理情况”）下重新开始，新的一组可以从“一是”重新开始或嵌在某一项之中；
of: sections —— 部分编号“一、二、三……”（仅当每个部分标题独占一行时检查）。""",
   doc_en="""Numbering does not skip or repeat.  ``of: items``: enumerations 一是、二是、三是… in the prose; a
list restarts in each section and under each sub-heading (“（三）政府信息管理情况” followed by
一是 is a heading and the list's first item), and a new list may restart at 一是 or nest inside an
item.  ``of: sections``: the section numbers 一、二、三… (only when every heading starts a line).""")
def run_numbering(rule, ctx):
    if rule.params["of"] == "sections":
        yield from _section_numbers(rule, ctx)
        return
    own = rule.params["marker"]
    pat = own or _default_marker()
    for st in ctx.report.prose.streams("prose"):
        stack: list[int] = []
        heads = list(st.heads)
        try:
            matches = list(pat.finditer(st.text)) if own else _default_marker_matches(pat, st.text)
        except PatternTimeout:
            matches = []
        for m in matches:
            sp = group_span(pat, m, "num")
            if sp is None:
                continue
            while heads and heads[0] <= sp[0]:
                heads.pop(0)
                stack = []          # a sub-heading: a new list begins
            n = cn_to_int(st.text[sp[0]:sp[1]])
            if n is None:
                continue
            if n == 1:
                stack.append(1)
                continue
            hit = next((i for i in range(len(stack) - 1, -1, -1) if stack[i] == n - 1), None)
            if hit is not None:
                del stack[hit + 1:]
                stack[hit] = n
                continue
            word = st.text[sp[0]:sp[1]] + "是"
            span = st.span(sp[0], sp[1] + 1)
            ctx_text = st.excerpt(sp[0], sp[1] + 1, 12)
            if not stack:
                prev = "、".join(CN[k - 1] + "是" for k in range(1, min(n, 10)))
                yield ctx.emit(rule, span, {"found": word, "problem": f"前面没有{prev}",
                                            "problem_en": f"comes without {list_en(prev)} before it",
                                            "expected": "一是", "context": ctx_text})
                stack.append(n)
                continue
            top = stack[-1]
            if n == top:
                yield ctx.emit(rule, span, {"found": word, "problem": f"与前面的“{word}”重复",
                                            "problem_en": f"repeats the “{word}” before it",
                                            "expected": (CN[n] + "是") if n < 10 else "", "context": ctx_text})
            elif n > top + 1:
                skipped = "、".join(CN[k - 1] + "是" for k in range(top + 1, min(n, 11)))
                yield ctx.emit(rule, span, {"found": word, "problem": f"跳过了{skipped}（上一项是“{CN[top - 1]}是”）",
                                            "problem_en": f"skips {list_en(skipped)} (the item before is “{CN[top - 1]}是”)",
                                            "expected": CN[top] + "是" if top < 10 else "", "context": ctx_text})
                stack[-1] = n
            # n < top without a matching list: an unrelated count, left alone


_MARKER_CACHE: list = []


def _default_marker():
    if not _MARKER_CACHE:
        from ...saferegex import compile_safe, trusted_patterns
        with trusted_patterns():
            _MARKER_CACHE.append(compile_safe(_ITEM_MARKER))
    return _MARKER_CACHE[0]


_NUMERALS = frozenset("一二三四五六七八九十")


def _default_marker_matches(pat, text: str) -> list:
    """``list(pat.finditer(text))`` for the default marker (:data:`_ITEM_MARKER`), trying the
    pattern only before a 是 that follows a numeral.  A match is a separator or the start, one
    to three numerals and 是, so its 是 — the first 是 after its start — is one to four
    characters after its start: where no 是 follows a numeral nothing can match.  The engine's
    own scan tries the pattern at every character of every stream (~5 % of the rules stage);
    most 是 follow no numeral, and at the others a match is tried at the four places before."""
    match = pat._compiled.match
    out = []
    pos = 0
    q = text.find("是", 1)
    while q >= 0:
        if text[q - 1] in _NUMERALS:
            for s in range(max(pos, q - 4), q):
                m = match(text, s)
                if m is not None:
                    out.append(m)
                    pos = m.end()
                    break
        q = text.find("是", max(q + 1, pos))
    return out


def _section_numbers(rule, ctx):
    secs = ctx.report.sections
    if not secs or not all(s.own_line for s in secs):
        return
    prev = None
    seen: dict = {}
    for s in secs:
        if s.number in seen:
            yield ctx.emit(rule, s.span, {"numeral": s.numeral, "title": s.title,
                                          "problem": f"编号“{s.numeral}、”重复使用（前面已有“{s.numeral}、{seen[s.number].title}”）",
                                          "problem_en": f"the number “{s.numeral}、” is used twice (“{s.numeral}、{seen[s.number].title}” comes before)"})
        elif prev is not None and s.number > prev.number + 1:
            skipped = "、".join(CN[k - 1] for k in range(prev.number + 1, min(s.number, 11)))
            yield ctx.emit(rule, s.span, {"numeral": s.numeral, "title": s.title,
                                          "problem": f"前一部分是“{prev.numeral}、”，跳过了“{skipped}、”",
                                          "problem_en": f"the part before is “{prev.numeral}、”; “{skipped}、” is skipped"})
        seen.setdefault(s.number, s)
        prev = s
