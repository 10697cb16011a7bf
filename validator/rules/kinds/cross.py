"""Kinds that compare two reports (rules/cross.yaml).  They run only through
:func:`validator.cross.check_pair`, with a :class:`PairCtx`: last year's report of the same
issuer (``previous``), another issuer's report of the same year (``peer``) or another copy of
the same report (``copy``).  In a single-file check they yield nothing.

  copied_text     text largely the same as another report's: sections (a share of their
                  characters) or sentences carried over with last year's year left in them
  compare_copies  two copies of one report: template cells or sections that differ

The equation kind (tables.py) and the prose_numbers kind (text.py) also compare two reports
when their parameters say so (本年·/上年· names, ``change``).  What a comparison could not make
is reported by the cross core (rule Y100, ``emitted_by: cross``; :func:`unchecked`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ...findings import RelatedLocation
from ...i18n import Msg
from ..schema import Bool, Choice, Int, ListOf, Num, Param, SectionKey, Template, regexes
from . import Ctx, KindError, ModelView, fmt_num, register
from .text import search


class PairCtx(Ctx):
    """A rule's view of two reports: ``report`` (the one checked; findings are in its file)
    and ``other`` (last year's report, another issuer's report of the year, or another copy)."""

    def __init__(self, report, other, relation: str = "previous", lang: str = "zh", settings: dict | None = None,
                 issuer_kind: str | None = None):
        super().__init__(report, lang, issuer_kind)
        self.other = ModelView(other)
        self.__other = other
        self.relation = relation            # "previous" | "peer" | "copy"
        self.settings = dict(settings or {})
        self.skipped: list[dict] = []       # comparisons that could not be made (Y100)
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
        return self.__other.source.path

    def other_name(self) -> str:
        """How messages name the other report: "2023年度报告" or "淮安市人民政府2024年度报告"
        (worked out once: every finding of the pair names it, and keeps it)."""
        name = self.__dict__.get("_other_name")
        if name is None:
            y = f"{self.other_year}年度报告" if self.other_year else "另一份报告"
            name = (self.other.metadata.issuer or "另一发布机关") + y if self.relation == "peer" else y
            self.__dict__["_other_name"] = name
        return name

    def other_loc(self, span, label: str | None = None) -> RelatedLocation:
        loc = self.__other.source.location(*span)
        return RelatedLocation(loc.line, loc.column, loc.end_line, loc.end_column, loc.page, loc.where,
                               path=self.other_path, label=label)

    def cell_records(self, which: str = "this") -> list[dict]:
        """validator.extract.template_cells of this report or the other."""
        from ...extract import template_cells
        return template_cells(self.__other if which == "other" else object.__getattribute__(self.report, "_r"))

    def emit(self, rule, span, args=None, *, related=(), **kw):
        own = [r for r in related if not isinstance(r, RelatedLocation)]
        elsewhere = [r for r in related if isinstance(r, RelatedLocation)]
        f = super().emit(rule, span, args, related=own, **kw)
        f.related.extend(elsewhere)
        return f


def _short(text: str, n: int = 40) -> str:
    t = text.replace("\x01", "…").replace("\x02", "…")
    return t if len(t) <= n else t[:n] + "…"


# ---------------------------------------------------------------------------------------
# copied_text
# ---------------------------------------------------------------------------------------
def _prepare_copied(rule):
    p = rule.params
    if p["unit"] == "year-sentence" and p["against"] != "previous":
        raise KindError("against", Msg("unit: year-sentence 只能与上一年度的报告比较（against: previous）",
                                       "unit: year-sentence compares only with the previous year's report (against: previous)"))
    rule.relations = (p["against"],)
    return None


def similarity_settings(rule, settings: dict) -> dict:
    p = rule.params
    return {"threshold": float(settings.get("threshold") or p["threshold"]),
            "min_chars": int(settings.get("min_chars") or p["min_chars"]),
            "min_match": int(p["min_match"]),
            "passages": int(settings.get("passages") or p["passages"])}


@register("copied_text", "cross", params=[
    Param("against", Choice("previous", "peer"), default="previous",
          doc="previous：上一年度的报告；peer：同一年度其他发布机关的报告", doc_en="previous: last year's report; peer: other issuers' reports of the year"),
    Param("unit", Choice("section", "year-sentence"), default="section",
          doc="section：每一部分文字相同的比例；year-sentence：照抄上一年度、年份没有改的句子",
          doc_en="section: the share of each section found in the other report; year-sentence: sentences copied with last year's year left in"),
    Param("threshold", Num(0, 1, min_open=True), default=0.5, doc="相同比例达到多少时报告（0到1）", doc_en="the share that is reported (0–1)"),
    Param("min_chars", Int(1, 1000000), default=100, doc="一部分至少有多少字才比较", doc_en="a section needs this many characters"),
    Param("min_match", Int(1, 1000), default=12, doc="至少连续多少字相同才算", doc_en="runs of at least this many equal characters count"),
    Param("passages", Int(1, 50), default=3, doc="列出几段相同的文字", doc_en="how many copied passages are listed"),
    Param("sections", ListOf(SectionKey()), default=[], doc="只比较这些部分", doc_en="only these sections"),
    Param("exclude", regexes(), default=[], doc="unit: year-sentence 时不报告的句子（较上年、同比……）",
          doc_en="with unit: year-sentence, sentences not reported (较上年, 同比 …)"),
    Param("window", Int(4, 200), default=14, doc="unit: year-sentence 时年份之后比较多少字", doc_en="characters after the year compared"),
    Param("folded", Template(), default=None,
          doc="against: peer 时，一部分与几份报告都相同，合为一条的信息（{section}、{count}、{share}、{other}、{copied}、{total}、{others}）；"
              "不写则每份报告一条",
          doc_en="with against: peer, the message of one finding per section folding the reports it is the same as "
                 "({section}, {count}, {share}, {other}, {copied}, {total}, {others}); without it, one finding per report"),
    Param("folded_en", Template(), default=None, doc="同上，英文", doc_en="the same in English"),
], prepare=_prepare_copied, two_reports="yes", doc="""与另一份报告文字大量相同：unit: section —— 某一部分与上一年度报告（against: previous）或同年度其他
发布机关报告（peer）同一部分相同文字的比例达到 threshold（不计统一格式本身的文字）；unit: year-sentence —— 句子连同
上一年度的年份一起照抄了上一年度的报告（年份没有改）。""",
   doc_en="""Text largely the same as another report's.  ``unit: section``: a section whose characters (the
template's own wording excluded) are found, in runs of at least ``min_match``, in the same section
of last year's report (``against: previous``) or another issuer's of the year (``peer``) reaching
``threshold`` (configurable: ``similarity-threshold``); the finding is on the longest passage,
the next ones and their places in the other report are related.  ``unit: year-sentence``: a
sentence naming last year's year that is, with that year, a copy of a sentence of last year's
report (the year was not changed).""")
def run_copied_text(rule, ctx):
    if not isinstance(ctx, PairCtx) or ctx.relation not in rule.relations:
        return
    if rule.params["unit"] == "year-sentence":
        yield from _stale_years(rule, ctx)
        return
    from ...cross import similarity as sim
    cfg = similarity_settings(rule, ctx.settings)
    only = rule.params["sections"]
    screen = sim.screen_for(cfg["threshold"], cfg["min_match"]) if ctx.relation == "peer" else None
    # a section the same as several other issuers' reports: one finding each, folded into one
    # per section by the reporters (validator/reporters/fold.py) unless --show-all
    fold = ctx.relation == "peer" and rule.folds
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
        f = ctx.emit(rule, top.a, {
            "section": u.title, "share": fmt_num(share), "copied": res.copied, "total": u.countable,
            "other": ctx.other_name(), "other_file": ctx.other_path, "other_section": v.title,
            "passage": _short(top.text), "length": top.length, "passages": len(res.passages),
            "threshold": fmt_num(Decimal(cfg["threshold"] * 100).quantize(Decimal(1), ROUND_HALF_UP)),
        }, numbers={"share": share, "copied": res.copied, "total": u.countable, "longest": top.length},
            related=related, group=u.key if fold else None)
        f.other = ctx.other_name()
        yield f


def _years(text: str):
    """(start, end, year) of every “2023年” in text.  A year starts at a “19” or a “20”: the
    next of each is found by str.find (each search goes on from where the last one stopped),
    and a year found is not searched again for another."""
    n = len(text)
    end = max(n - 3, 0)          # a year starts before n - 4: a 年 follows it
    starts = ("19", "20")
    nxt = [text.find(w, 0, end) for w in starts]
    i = 0
    while True:
        for k, w in enumerate(starts):
            if 0 <= nxt[k] < i:
                nxt[k] = text.find(w, i, end)
        found = [x for x in nxt if x >= 0]
        if not found:
            return
        i = min(found)
        if text[i:i + 4].isdigit() and (i == 0 or not text[i - 1].isdigit()) \
                and not (i + 4 < n and text[i + 4].isdigit()):
            j = i + 4
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "年":
                yield i, j + 1, int(text[i:i + 4])
                i = j + 1
                continue
        i += 1


def _stale_years(rule, ctx):
    year, prev_year = ctx.year, ctx.other_year
    if not year or not prev_year or prev_year != year - 1:
        return
    window = rule.params["window"]
    prev_streams = ctx.other.prose.streams("prose")
    prev_text = "".join(st.compact() for st in prev_streams)
    per = ctx.report.metadata.statistical_period
    period = per.span if per is not None else None
    seen = set()
    for st in ctx.report.prose.streams("prose"):
        for a0, b0, y in _years(st.text):
            if y != prev_year:
                continue
            a, b = st.sentence(a0, b0)
            sentence = st.text[a:b]
            if any(search(x, sentence) for x in rule.params["exclude"]):
                continue
            span = st.span(a0, b0)
            if period and period[0] <= span[0] < period[1]:
                continue
            piece = "".join(st.text[a0:min(b, b0 + window * 2)].split())
            if len(piece) < window or piece not in prev_text:
                continue
            if (id(st), a, b) in seen:
                continue
            seen.add((id(st), a, b))
            where_prev = None
            word = st.text[a0:b0]
            for ps in prev_streams:
                k = ps.text.find(word)
                while k >= 0:
                    if "".join(ps.text[k:k + len(piece) * 2].split()).startswith(piece):
                        where_prev = ps.span(k, k + len(word))
                        break
                    k = ps.text.find(word, k + 1)
                if where_prev:
                    break
            related = [ctx.other_loc(where_prev, f"{prev_year}年度报告中的同一句")] if where_prev else []
            yield ctx.emit(rule, span, {"found": word, "sentence": st.excerpt(a0, min(b, b0 + 20), 6),
                                        "year": year, "prev_year": prev_year, "prev_file": ctx.other_path},
                           related=related)


# ---------------------------------------------------------------------------------------
# compare_copies (`xxgk-lint compare A B`)
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


@register("compare_copies", "cross", params=[
    Param("of", Choice("cells", "sections"), required=True,
          doc="cells：统计表的每个单元格；sections：每一部分的文字", doc_en="cells: every template cell; sections: each section's text"),
    Param("places", Int(1, 50), default=3, doc="of: sections 时列出几处不同", doc_en="with of: sections, how many differences are listed"),
    Param("unreadable", Bool(), default=True, doc="of: cells 时，无法读出的单元格列为未核对（Y100）",
          doc_en="with of: cells, list cells that could not be read as not compared (Y100)"),
], relations=("copy",), doc="""同一报告的两个版本（网页与PDF附件、草稿与发布稿）：of: cells —— 统计表中数字或文字不同的单元格
（只有一个版本有的表为一条）；of: sections —— 文字不同的部分（只比较文字、数字，不比较标点、空白和表格线），
记在第一处不同，并列出其后几处及其在另一版本中的位置。""",
   doc_en="""Two copies of one report (a web page and its PDF attachment, a draft and the published page).
``of: cells``: every template cell that holds a different number or text in the other copy (a table
only one copy has is one finding); a cell that could not be read in either is listed as not compared
(Y100).  ``of: sections``: each section whose text differs (letters, digits and characters only),
on the first difference, with the next ones (``places``) and their places in the other copy.""")
def run_compare_copies(rule, ctx):
    if not isinstance(ctx, PairCtx) or ctx.relation != "copy":
        return
    if rule.params["of"] == "cells":
        yield from _copy_cells(rule, ctx)
    else:
        yield from _copy_sections(rule, ctx)


def _copy_cells(rule, ctx):
    mine = {(r["table"], r["row"], r["column"]): r for r in ctx.cell_records("this")}
    theirs = {(r["table"], r["row"], r["column"]): r for r in ctx.cell_records("other")}
    for t in sorted({k[0] for k in mine} ^ {k[0] for k in theirs}):
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
            if rule.params["unreadable"]:
                whose = "本文件" if a["kind"] == "unreadable" else f"另一版本（{ctx.other_path}）"
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


def _copy_sections(rule, ctx):
    import difflib
    from ...cross.similarity import units
    places = rule.params["places"]
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


# ---------------------------------------------------------------------------------------
# what the cross core emits: comparisons that could not be made (rule Y100)
# ---------------------------------------------------------------------------------------
def unchecked(rule, ctx: PairCtx):
    """What the cross-report rules could not compare and why (a cell of last year's report
    that could not be read, a table one report does not have, reports that are not of
    consecutive years): one finding per rule and report, on this year's cell or table."""
    groups: dict = {}
    for s in ctx.skipped:
        key = (s["rule"].id if s.get("rule") is not None else "", s["side"])
        groups.setdefault(key, []).append(s)
    for (_rid, side), items in sorted(groups.items(), key=lambda kv: kv[0]):
        first = items[0]
        whose = f"{ctx.other_year}年度报告" if side == "上年" else f"本报告（{ctx.year}年度）"
        if side == "上年" and not ctx.other_year:
            whose = "上一年度报告"
        if side == "copy":
            whose = ""
        details, details_en = [], []
        for s in items:
            if s["why"] not in details:
                details.append(s["why"])
                details_en.append(s.get("why_en") or s["why"])
        span = first.get("span") or ctx.report.metadata.title_span or (0, 0)
        related = []
        other_table = ctx.other.tables.get(first.get("table") or "")
        if side == "上年" and other_table is not None:
            related.append(ctx.other_loc(other_table.span, f"{whose} {first.get('table')}"))
        yield ctx.emit(rule, span, {"what": first["what"], "whose": whose, "detail": "；".join(details),
                                    "count": len(items), "prev_file": ctx.other_path,
                                    "year": ctx.year or "", "prev_year": ctx.other_year or "",
                                    "what_en": first.get("what_en") or first["what"],
                                    "detail_en": "; ".join(details_en)},
                       related=related)
