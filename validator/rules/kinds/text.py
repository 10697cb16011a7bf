"""Kinds of the report's text (rules/content.yaml, metadata.yaml, legacy.yaml, cross.yaml).
They read the prose view (validator/prose.py) and the typed metadata, never the file's
text; regular expressions are compiled by validator/saferegex.py (RE2, or a timed engine).

  pattern        regular expressions over the prose or the document's characters
  content        what a part must contain: the title, sections, the whole report or an
                 attachment mentions each of several things, or says at least so much
  prose_numbers  a number the prose gives against the table cells of the same quantity
                 (equal, a rate, “none”, a change from last year)
  prose_sum      a total in a sentence and its parts listed after it add up
"""

from __future__ import annotations

from bisect import bisect_right
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter

from ...model import ValueKind
from ...prose import strip_pinyin
from ...saferegex import PatternTimeout, _absent
from ...textutil import sentences
from ..schema import (Bool, CellRef, Choice, Int, ListOf, Obj, Param, Regex, SectionKey, Str, Template,
                      group_names, regexes)
from ...i18n import Msg, msg, table_en
from . import CN, KindError, SafeArgs, fmt_num, register


# ---------------------------------------------------------------------------------------
# helpers (shared with the cross kinds)
# ---------------------------------------------------------------------------------------
def group_span(pat, m, name):
    """Span of a named group (works for RE2 and the fallback engine)."""
    if pat.engine == "re2":
        idx = pat._compiled.groupindex.get(name)
        if idx is None:
            return None
        s = m.span(idx)
    else:
        try:
            s = m.span(name)
        except (IndexError, KeyError):
            return None
    return None if s[0] < 0 else s


def group(pat, m, name):
    sp = group_span(pat, m, name)
    return None if sp is None else m.group(0)[sp[0] - m.start():sp[1] - m.start()]


def groups(pat, m) -> dict:
    if pat.engine == "re2":
        return {k: m.group(i) for k, i in pat._compiled.groupindex.items()}
    return m.groupdict()


def finditer(pat, text):
    """The matches of a rule's pattern; those found before a timeout of the timed engine."""
    if pat.engine != "regex":      # RE2 and the shipped patterns do not time out
        return pat.finditer(text)
    return _until_timeout(pat, text)


def _until_timeout(pat, text):
    try:
        yield from pat.finditer(text)
    except PatternTimeout:
        return


def search(pat, text) -> bool:
    if pat.literal is not None:      # plain text: found where the text holds it
        return pat.literal in text
    try:
        return pat.search(text) is not None
    except PatternTimeout:
        return False


def num(s: str):
    try:
        return Decimal(s.replace(",", "").replace(" ", ""))
    except (InvalidOperation, AttributeError, ValueError):
        return None


def cells_sum(report, refs):
    total = Decimal(0)
    cells = []
    for tkey, row, col in refs:
        table = report.tables.get(tkey)
        c = table.cell(row, col) if table is not None else None
        if c is None or not c.is_number:
            return None, cells
        total += c.value
        cells.append(c)
    return total, cells


def cell_label(fmt, ref) -> str:
    tkey, row, col = ref
    spec = fmt.table(tkey) if fmt is not None else None
    if spec is None:
        return f"{tkey}「{row}」{col}"
    return f"{tkey}「{spec.short_name(row) if spec.row(row) else row}」{spec.column_display(col)}"


def quote(text: str, sent_start: int, a: int, b: int, limit: int = 60) -> str:
    if a - sent_start <= 12:
        a = sent_start
    q = " ".join(text[a:b].split())
    if len(q) > limit:
        q = q[:limit // 2] + "……" + q[-(limit // 2):]
    return ("…" if a > sent_start else "") + q


def _item_en(item: str) -> str:
    """（三） → (3)"""
    core = item.strip("（）() ") if item else ""
    n = CN.index(core) + 1 if len(core) == 1 and core in CN else None
    return f"({n})" if n else item


def live(ctx, streams, items, key_of=None) -> list:
    """Those of ``items`` (patterns, or entries whose pattern ``key_of`` gives) whose pattern
    can match in one of ``streams``: its required literals are in the streams' texts joined by
    NUL (each stream is part of the joined text, so a literal missing there is missing from
    every stream).  One look per pattern instead of one per pattern and stream; the joined
    text is made once per report and streams.  (SafePattern.may_match written out: a call
    less per pattern, and the key made by ``map`` in C, not by a generator.)"""
    if len(streams) < 2:
        return items
    key = ("joined streams", *map(id, streams))
    joined = ctx.shared.get(key)
    if joined is None:
        joined = ctx.shared[key] = "\x00".join(st.text for st in streams)
    if key_of is None:
        return [x for x in items if not _absent(x._checks, joined)]
    return [x for x in items if not _absent(key_of(x)._checks, joined)]


_regex_of = itemgetter("regex")


def _in_order(ctx, st) -> bool:
    """Does the stream keep the order of the report text (its offsets never go back)?  Then
    matches that come in order in the stream have their report spans in the same order."""
    if st.pos is None:
        return True
    key = ("in order", id(st))
    kept = ctx.shared.get(key)
    if kept is not None and kept[0] is st:
        return kept[1]
    pos = st.pos
    starts, bases = getattr(pos, "starts", None), getattr(pos, "bases", None)
    if starts is not None and bases is not None:   # runs of consecutive offsets (a PosMap)
        hit = all(bases[k] >= bases[k - 1] + starts[k] - starts[k - 1] - 1 for k in range(1, len(starts)))
    else:
        seq = list(pos)
        hit = all(x <= y for x, y in zip(seq, seq[1:]))
    ctx.shared[key] = (st, hit)     # the stream kept with its answer: an id is not reused then
    return hit


def _prose_sentences(ctx) -> list[str]:
    """Every sentence of the prose (preamble and sections), split once per report and
    shared by the rules that read it."""
    cached = ctx.shared.get("prose_sentences")
    if cached is None:
        cached = []
        for st in ctx.report.prose.streams("prose"):
            cached += sentences(st.text)
        ctx.shared["prose_sentences"] = cached
    return cached


def _compact_body(sents: list[str]) -> str:
    """The sentences without white space, joined by 。 — as ``"。".join("".join(s.split())
    for s in sents)``, in two calls instead of two a sentence: a sentence holds no 。 (it
    is a stop), so white space taken out of the joined text is white space taken out of
    each sentence, and 。 stays where it joins them."""
    return "".join("。".join(sents).split())


def _ignored(sents: list[str], ignore) -> set[int]:
    """Indices of the sentences one of the ``ignore`` patterns matches.  A pattern is
    searched for only in the sentences that hold its first required literal, found by one
    scan of the sentences joined by 。 (a literal found across a join only adds a sentence
    to search) instead of a search a sentence.  With a pattern of the timed engine, every
    sentence in turn as before: the order of its searches decides its timeouts."""
    if any(pat.engine == "regex" for pat in ignore):
        return {k for k, s in enumerate(sents) if any(search(i, s) for i in ignore)}
    joined = "。".join(sents)
    starts = list(accumulate((len(s) + 1 for s in sents), initial=0))
    out: set[int] = set()
    for pat in ignore:
        places = pat.places(joined)
        todo = range(len(sents)) if places is None else sorted({bisect_right(starts, q) - 1 for q in places})
        for k in todo:
            if k not in out and search(pat, sents[k]):
                out.add(k)
    return out


# ---------------------------------------------------------------------------------------
# pattern
# ---------------------------------------------------------------------------------------
_PATTERN = Obj([
    Param("regex", Regex(), required=True, doc="正则表达式", doc_en="the regular expression"),
    Param("detail", Template(min_len=0), default="", doc="{detail} 的文字（可用 {match} 和命名组）",
          doc_en="the text of {detail} (may use {match} and named groups)"),
    Param("detail_en", Template(min_len=0), default="", doc="同上，英文", doc_en="the same in English"),
    Param("unless", regexes(), default=[], doc="所在行匹配其中之一时不报告", doc_en="no finding when one matches the line"),
    Param("at", Str(one_line=True, max_len=40), default=None, doc="问题记在哪个命名组上", doc_en="the named group to place the finding on"),
], shorthand="regex")


def _prepare_pattern(rule):
    for i, e in enumerate(rule.params["patterns"]):
        if e["at"] is not None and e["at"] not in group_names(e["regex"]):
            g = sorted(group_names(e["regex"]))
            names = Msg("、".join(g) or "（没有命名组）", ", ".join(g) or "(no named group)")
            raise KindError(f"patterns[{i + 1}].at", msg("的值“{v}”不是正则表达式中的命名组；可用：{n}",
                                                         'value "{v}" is not a named group of the regular expression; '
                                                         "available: {n}", v=e["at"], n=names))
        if rule.params["year_group"] and rule.params["year_group"] not in group_names(e["regex"]):
            raise KindError(f"patterns[{i + 1}].regex", msg("需要命名组 (?P<{g}>…)（year_group）", "needs the named group (?P<{g}>…) (year_group)",
                                                            g=rule.params["year_group"]))
    if rule.params["sections"] and rule.params["scope"] not in ("prose", "sections"):
        raise KindError("sections", Msg("只能与 scope: prose 或 sections 一起使用", "goes only with scope: prose or sections"))
    return None


@register("pattern", "text", params=[
    Param("patterns", ListOf(_PATTERN, min_len=1, max_len=200), required=True,
          doc="正则表达式（或含 regex、detail、unless、at 的映射）的列表", doc_en="regexes, or mappings with regex, detail, unless, at"),
    Param("scope", Choice("text", "prose", "preamble", "sections"), default="text",
          doc="text：文件的全部文字（含表格）；prose：前言和各部分正文；preamble：前言；sections：各部分正文",
          doc_en="text: every character of the document (tables included); prose: preamble and sections; preamble; sections"),
    Param("sections", ListOf(SectionKey()), default=[], doc="只看这些部分", doc_en="only these sections"),
    Param("merge", Bool(), default=False, doc="相邻的匹配合并为一条（{count}）", doc_en="a run of adjacent matches is one finding ({count})"),
    Param("max", Int(1, 10000), default=None, doc="每个文件最多报告几处", doc_en="at most this many findings per file"),
    Param("year_group", Str(one_line=True, max_len=40), default=None,
          doc="命名组中的年份等于报告年度加 year_offset 时才报告（{year}、{next_year}）",
          doc_en="report a match only when this named group's year is the report year plus year_offset"),
    Param("year_offset", Int(-50, 50), default=0, doc="见 year_group", doc_en="see year_group"),
], prepare=_prepare_pattern, doc="""正则表达式匹配：文件的文字（scope: text，含表格，用于网页代码、分页标记、乱码等）或正文
（prose，不含表格）。每个表达式可有 detail（{detail} 的文字）、unless（所在行匹配时不报告）、at（问题记在哪个命名组）。
merge 合并相邻的匹配，max 限制每个文件的数量；year_group 只报告年份等于报告年度（加 year_offset）的匹配
（如“2016年，我们将采取以下措施”出现在2016年度报告中）。""",
   doc_en="""Regular expressions over the document's characters (``scope: text``, tables included: markup,
page-break marks, mojibake) or its prose (``prose``: preamble and sections, tables left out;
``sections: [key…]`` to limit).  Each pattern has ``regex``, optional ``detail`` (text for
{detail}; may use {match} and named groups), ``unless`` (no finding when one matches the line)
and ``at`` (a named group to place the finding on).  ``merge: true`` reports a run of adjacent
matches once; ``max`` caps the findings per file.  ``year_group``: only matches whose named group
holds the report year plus ``year_offset`` (a plan “2016年，我们将…” in a 2016 report).""")
def run_pattern(rule, ctx):
    p = rule.params
    md = ctx.report.metadata
    yg = p["year_group"]
    if yg and md.year is None:
        return
    streams = ctx.report.prose.streams(p["scope"], p["sections"] or None)
    entries = live(ctx, streams, p["patterns"], _regex_of)
    # every match's place first; the arguments of a finding only for the matches reported
    # (a page of pinyin gives hundreds of matches of which `max` keeps one)
    found = []
    cap = p["max"]
    # with `max` (and no merging) only the first `max` places are reported: the matches of
    # one pattern in one stream come in order, so after `max` different places the rest of
    # that pattern's matches there cannot be among them (a page of pinyin: hundreds of
    # matches, one reported).  Not for the timed engine, whose later timeout must count.
    # Which patterns may stop early is worked out once a run, not once a stream.
    stoppable = None
    if cap is not None and not p["merge"]:
        stoppable = [e["regex"].engine != "regex" and all(u.engine != "regex" for u in e["unless"]) for e in entries]
    for st in streams:
        ordered = stoppable is not None and _in_order(ctx, st)
        for k, e in enumerate(entries):
            pat = e["regex"]
            stop = cap if ordered and stoppable[k] else None
            last = None
            for m in finditer(pat, st.text):
                a, b = m.span()
                if a == b:
                    continue
                if e["unless"] and any(search(u, st.line_of(a, b)) for u in e["unless"]):
                    continue
                if yg:
                    y = groups(pat, m).get(yg)
                    if not y or not y.isdecimal() or int(y) != md.year + p["year_offset"]:
                        continue
                loc = (a, b)
                if e["at"] and group_span(pat, m, e["at"]):
                    loc = group_span(pat, m, e["at"])
                span = st.span(*loc)
                found.append((span, st, loc, e, m))
                if stop is not None and span != last:
                    last = span
                    stop -= 1
                    if not stop:
                        break
    found.sort(key=lambda x: x[0])
    if p["merge"]:
        merged = []
        for span, st, loc, e, m in found:
            if merged and merged[-1][1] is st and loc[0] - merged[-1][2][1] <= 3 \
                    and not st.text[merged[-1][2][1]:loc[0]].strip():
                prev = merged[-1]
                merged[-1] = ((prev[0][0], span[1]), st, (prev[2][0], loc[1]), prev[3], prev[4], prev[5] + 1)
            else:
                merged.append((span, st, loc, e, m, 1))
    else:
        merged = [(span, st, loc, e, m, None) for span, st, loc, e, m in found]
    seen = set()
    n = 0
    for span, st, _loc, e, m, count in merged:
        if span in seen:
            continue
        seen.add(span)
        n += 1
        if cap and n > cap:
            break
        args = _match_args(e, m, st, md)
        if count is not None:
            args["count"] = count
        args.setdefault("count", 1)
        yield ctx.emit(rule, span, args)


def _match_args(e, m, st, md) -> dict:
    """The arguments of a pattern's finding: its named groups, the match, its context, the
    report year, the pattern's detail."""
    pat = e["regex"]
    a, b = m.span()
    args = {k: (v or "") for k, v in groups(pat, m).items()}
    args.update(match=m.group(0).strip(), context=st.excerpt(a, b))
    if md.year is not None:
        args.update(year=md.year, next_year=md.year + 1)
    args["detail"] = e["detail"].format_map(SafeArgs(args)) if e["detail"] else ""
    args["detail_en"] = e["detail_en"].format_map(SafeArgs(args)) if e["detail_en"] else args["detail"]
    return args


# ---------------------------------------------------------------------------------------
# content
# ---------------------------------------------------------------------------------------
_GROUP = Obj([
    Param("name", Str(one_line=True, max_len=80), required=True, doc="这一项的名称（{missing}）", doc_en="its name ({missing})"),
    Param("name_en", Str(one_line=True, max_len=160), default=None, doc="英文名称", doc_en="its English name"),
    Param("item", Str(one_line=True, max_len=20), default="", doc="编号（{item}），如（一）", doc_en="its number ({item})"),
    Param("any", regexes(), default=[], doc="出现其中之一即算写到", doc_en="covered when one of these occurs"),
    Param("all", ListOf(regexes(min_len=1)), default=[], doc="每一组都出现才算写到", doc_en="covered when each group has a match"),
    Param("titles", regexes(), default=[], doc="有标题匹配其中之一的部分即算写到", doc_en="covered by a section whose title matches"),
])
_HINT = Obj([
    Param("regex", Regex(), required=True, doc="正则表达式", doc_en="regex"),
    Param("detail", Template(min_len=0), default="", doc="匹配时 {detail} 的文字（{found}）", doc_en="{detail} when it matches ({found})"),
    Param("detail_en", Template(min_len=0), default="", doc="同上，英文", doc_en="the same in English"),
])
_EMPTY = ["无", "暂无", "无。", "暂无。", "没有", "无相关情况"]


def _prepare_content(rule):
    p = rule.params
    if not p["groups"] and p["min_chars"] is None:
        raise KindError("groups", Msg("缺少：content 需要 groups（要写到的内容）或 min_chars（至少多少字）",
                                      "missing: content needs groups (what must be written) or min_chars (at least how many characters)"))
    if p["groups"] and p["min_chars"] is not None:
        raise KindError("min_chars", Msg("与 groups 只能用其一（一条规则检查一件事）", "and groups exclude each other (one rule checks one thing)"))
    for i, g in enumerate(p["groups"]):
        if not (g["any"] or g["all"] or g["titles"]):
            raise KindError(f"groups[{i + 1}]", Msg("需要 any、all 或 titles", "needs any, all or titles"))
    if p["part"] in ("sections",) and not p["sections"]:
        raise KindError("sections", Msg("缺少：part: sections 需要列出部分（如 [总体情况]）",
                                        'missing: part: sections needs the parts listed (such as ["总体情况"])'))
    if p["part"] == "attachments" and p["groups"]:
        raise KindError("groups", Msg("part: attachments 只检查附件的字数（min_chars）",
                                      "part: attachments checks only the attachments' length (min_chars)"))
    if p["part"] == "title" and p["min_chars"] is not None:
        raise KindError("min_chars", Msg("part: title 检查标题写到的内容（groups）", "part: title checks what the title says (groups)"))
    return None


@register("content", "text", params=[
    Param("part", Choice("report", "sections", "title", "attachments"), default="report",
          doc="检查哪一部分：report（全文正文）、sections（列出的部分）、title（标题）、attachments（报告所附的附件）",
          doc_en="which part: report (all prose), sections (those listed), title, attachments (announced attachments)"),
    Param("sections", ListOf(SectionKey()), default=[], doc="part: sections 时的部分", doc_en="the sections, with part: sections"),
    Param("groups", ListOf(_GROUP, max_len=100), default=[],
          doc="要写到的内容，每项有 name 和 any（或 all、titles）", doc_en="what must be mentioned: name and any (or all, titles)"),
    Param("report", Choice("together", "each"), default="together",
          doc="together：缺少的各项合为一条（{missing}、{count}）；each：每缺一项一条（{item}、{name}）",
          doc_en="together: one finding listing what is missing; each: one finding per missing item"),
    Param("need", Int(1, 100), default=1, doc="缺少至少几项才报告", doc_en="report when at least this many are missing"),
    Param("ignore", regexes(), default=[], doc="匹配的句子不算（如前言中列出各部分的句子）",
          doc_en="sentences that do not count (the preamble's list of parts)"),
    Param("hints", ListOf(_HINT), default=[], doc="part: title 时已知的错误写法及说明（{detail}）",
          doc_en="with part: title, known wrong wordings and what to say ({detail})"),
    Param("when", Choice("government", "department"), default=None,
          doc="只检查人民政府（或部门）的报告（按 --issuer-kind 或发布机关名称）",
          doc_en="only reports of people's governments (or departments): --issuer-kind or the issuer's name"),
    Param("requires", ListOf(SectionKey()), default=[], doc="报告没有这些部分时不检查（节选）",
          doc_en="skip reports without these sections (an excerpt)"),
    Param("with_following", Bool(), default=False, doc="列出的部分之后、不属于统一格式的部分算作它的一部分",
          doc_en="sections not of the format that follow a listed one count as part of it"),
    Param("min_chars", Int(1, 100000), default=None, doc="至少多少字（不含空白）；空白或只写“无”的也报告",
          doc_en="at least this many characters (no white space); empty or just “无” is reported too"),
    Param("empty", ListOf(Str(one_line=True, max_len=40)), default=_EMPTY, doc="视为没有内容的写法",
          doc_en="texts that count as saying nothing"),
], prepare=_prepare_content, doc="""一部分应有的内容：标题（part: title）、列出的部分（sections）、全文（report）写到了
每一项（groups：any 其中之一、all 每组之一、titles 有这样标题的部分），或至少有 min_chars 个字、不只是“无”
（部分正文，或报告所附的附件：附件只有名称、正文后没有内容）。when 只用于人民政府（或部门）的报告。""",
   doc_en="""What a part of the report must contain.  The title (``part: title``), the listed sections
(``sections``) or the whole prose (``report``) mentions each of ``groups`` (``any``: one of these;
``all``: one of each group; ``titles``: a section titled so) — one finding listing what is missing,
or one per missing item (``report: each``); or the part says at least ``min_chars`` characters and
not just “无” (a section's text; or ``attachments``: an attachment announced by “附件：…” whose
content does not follow).  ``when: government`` limits the rule to reports of 人民政府.""")
def run_content(rule, ctx):
    p = rule.params
    r = ctx.report
    if p["requires"] and not any(s.key in p["requires"] for s in r.sections):
        return
    if p["when"]:
        kind, _how = ctx.kind_of_issuer()
        if kind != p["when"]:
            return
    part = p["part"]
    if part == "title":
        yield from _title(rule, ctx)
    elif part == "attachments":
        yield from _attachments(rule, ctx)
    elif p["min_chars"] is not None:
        yield from _not_empty(rule, ctx)
    elif part == "sections":
        yield from _sections_mention(rule, ctx)
    else:
        yield from _report_mentions(rule, ctx)


def _covered(g, text: str, titles: list[str]) -> bool:
    if g["titles"] and any(search(t, title) for t in g["titles"] for title in titles):
        return True
    if g["any"] and any(search(a, text) for a in g["any"]):
        return True
    return bool(g["all"]) and all(any(search(a, text) for a in grp) for grp in g["all"])


def _missing(rule, text, titles=()):
    return [g for g in rule.params["groups"] if not _covered(g, text, list(titles))]


def _emit_missing(rule, ctx, span, missing, where, where_en):
    p = rule.params
    r = ctx.report
    if p["report"] == "each":
        for g in missing:
            yield ctx.emit(rule, span, {"item": g["item"], "name": g["name"], "name_en": g["name_en"] or g["name"],
                                        "item_en": _item_en(g["item"]), "year": r.metadata.year or "?"})
        return
    if len(missing) >= p["need"]:
        yield ctx.emit(rule, span, {"where": where, "missing": "、".join(g["name"] for g in missing),
                                    "count": len(missing), "issuer": r.metadata.issuer or "未署名",
                                    "where_en": where_en, "missing_en": ", ".join(g["name_en"] or g["name"] for g in missing),
                                    "issuer_en": f"“{r.metadata.issuer}”" if r.metadata.issuer else "unsigned",
                                    "year": r.metadata.year or ""})


def _title(rule, ctx):
    md = ctx.report.metadata
    if not md.title_clean:
        return
    missing = _missing(rule, md.title_clean)
    if not missing:
        return
    detail = detail_en = ""
    for h in rule.params["hints"]:
        m = None
        try:
            m = h["regex"].search(md.title_clean)
        except PatternTimeout:
            pass
        if m:
            detail = h["detail"].format_map(SafeArgs(found=m.group(0)))
            detail_en = h["detail_en"].format_map(SafeArgs(found=m.group(0)))
            break
    span = md.title_span or (0, 0)
    yield ctx.emit(rule, span, {"title": md.title_clean, "detail": detail, "detail_en": detail_en, "year": md.year or "",
                                "missing": "、".join(g["name"] for g in missing),
                                "missing_en": ", ".join(g["name_en"] or g["name"] for g in missing)})


def _report_mentions(rule, ctx):
    r = ctx.report
    ignore = rule.params["ignore"]
    # the body is shared by the rules with the same ignore patterns (patterns that cannot
    # time out only: a timeout is counted for the rule that ran into it)
    bodies = ctx.shared.setdefault("report_bodies", {})
    key = tuple(i.pattern for i in ignore) if all(i.engine != "regex" for i in ignore) else None
    body = bodies.get(key) if key is not None else None
    if body is None:
        sents = _prose_sentences(ctx)
        if ignore:
            skip = _ignored(sents, ignore)
            if skip:
                sents = [s for k, s in enumerate(sents) if k not in skip]
        body = _compact_body(sents)
        if key is not None:
            bodies[key] = body
    titles = [strip_pinyin(s.title) for s in r.sections]
    missing = _missing(rule, body, titles)
    if not missing:
        return
    span = r.metadata.title_span or (r.sections[0].span if r.sections else (0, 0))
    yield from _emit_missing(rule, ctx, span, missing, "报告", "the report")


def _sections_mention(rule, ctx):
    r = ctx.report
    keys = rule.params["sections"]
    present = []
    for i, s in enumerate(r.sections):
        if s.key in keys:
            present.append(s)
            if rule.params["with_following"]:
                # sections of the report's own (not the format's) that follow, such as
                # 二、工作机制保障 … after 一、总体情况, are part of it
                for t in r.sections[i + 1:]:
                    if t.key is not None:
                        break
                    present.append(t)
    if not present:
        return  # a listed section that is absent is left to the section rules
    streams = {id(st.section): st for st in r.prose.streams("sections")}
    text = "".join("".join(s.title.split()) + (streams[id(s)].compact() if id(s) in streams else "")
                   for s in present)
    missing = _missing(rule, text, [s.title for s in present])
    if not missing:
        return
    where = "、".join(f"{s.numeral}、{s.title}" for s in present)
    yield from _emit_missing(rule, ctx, present[0].span, missing, where, f"“{where}”")


def _not_empty(rule, ctx):
    p = rule.params
    empty = set(p["empty"])
    for s in ctx.report.sections:
        if s.key not in p["sections"] or s.tables:
            continue
        body = "".join("".join(x.text.split()) for x in s.paragraphs)
        if not body or body in empty or body.rstrip("。.") in empty or len(body) < p["min_chars"]:
            yield ctx.emit(rule, s.span, {"section": f"{s.numeral}、{s.title}", "found": body or "（空白）",
                                          "found_en": f"“{body}”" if body else "nothing"})


def _attachments(rule, ctx):
    atts = ctx.report.prose.attachments
    mn = rule.params["min_chars"] or 1
    for a in atts:
        if a.has_table or a.content_chars >= mn or a.link:
            continue
        name = a.name
        if not name:
            if a.more:
                continue
            name = "（未写名称）"
        yield ctx.emit(rule, a.span, {"name": name, "name_en": "(no name)" if name == "（未写名称）" else name},
                       related=a.more)


# ---------------------------------------------------------------------------------------
# prose_numbers
# ---------------------------------------------------------------------------------------
_CELLS = ListOf(CellRef(), min_len=1, single_ok=True)
_QUANTITY = Obj([
    Param("name", Str(one_line=True, max_len=80), required=True, doc="这个量的名称（{name}）", doc_en="its name ({name})"),
    Param("name_en", Str(one_line=True, max_len=160), default=None, doc="英文名称", doc_en="English name"),
    Param("phrases", regexes(min_len=1), required=True,
          doc="正文中的说法（命名组 n：数；p：百分数；dir：增减用语）", doc_en="phrases (named groups n: number, p: percentage, dir)"),
    Param("sentence", regexes(), default=[], doc="所在句子必须都匹配", doc_en="the sentence must match each"),
    Param("not_after", regexes(), default=[], doc="句中说法之前不能有（如“其中”）", doc_en="must not occur before the phrase in its sentence"),
    Param("not_followed", regexes(), default=[], doc="说法之后（同一分句）不能有", doc_en="must not follow the phrase in its clause"),
    Param("sections", ListOf(SectionKey()), default=[], doc="只看这些部分", doc_en="only these sections"),
    Param("in_sections", ListOf(SectionKey()), default=[], doc="在这些部分中不要求 sentence", doc_en="sentence is not required in these sections"),
    Param("equals", ListOf(_CELLS, min_len=1), default=None,
          doc="应等于的单元格（几种算法之一：一格或几格之和）", doc_en="alternatives the number must equal (a cell or a sum of cells)"),
    Param("rate", Obj([Param("numerator", _CELLS, required=True, doc="分子", doc_en="numerator"),
                       Param("denominators", ListOf(_CELLS, min_len=1), required=True, doc="分母（几种算法）",
                             doc_en="denominators (alternatives)")]), default=None,
          doc="百分数应为 分子/分母", doc_en="the percentage must be numerator / denominator"),
    Param("says_zero", _CELLS, default=None, doc="说法表示这些单元格之和为0", doc_en="the statement says these cells add up to 0"),
    Param("change", _CELLS, default=None, doc="与上一年度相比的增减（两份报告中这些单元格）",
          doc_en="a change from last year (these cells in both reports)"),
    Param("up", ListOf(Str(one_line=True, max_len=10)), default=["增长", "增加", "上升", "提高"], doc="表示增加的用语", doc_en="words for up"),
    Param("down", ListOf(Str(one_line=True, max_len=10)), default=["下降", "减少", "降低"], doc="表示减少的用语", doc_en="words for down"),
])
_CHECKS = {"equals": ("n",), "rate": ("p",), "says_zero": (), "change": ("n", "p", "dir")}


def _prepare_numbers(rule):
    checks = set()
    for i, q in enumerate(rule.params["quantities"]):
        which = [k for k in _CHECKS if q[k] is not None]
        if len(which) != 1:
            raise KindError(f"quantities[{i + 1}]", Msg("需要且只能有 equals、rate、says_zero、change 之一",
                                                        "needs exactly one of equals, rate, says_zero, change"))
        c = which[0]
        checks.add(c)
        for j, pat in enumerate(q["phrases"]):
            need = [g for g in _CHECKS[c] if g not in group_names(pat)]
            if need:
                raise KindError(f"quantities[{i + 1}].phrases[{j + 1}]",
                                "需要命名组 " + "、".join(f"(?P<{g}>…)" for g in need))
    if "change" in checks:
        if checks != {"change"}:
            raise KindError("quantities", Msg("change（与上一年度比较）不能与其他比较写在同一条规则中",
                                              "change (against the previous year) cannot share a rule with other comparisons"))
        rule.relations = ("previous",)
    return None


@register("prose_numbers", "text", params=[
    Param("quantities", ListOf(_QUANTITY, min_len=1, max_len=100), required=True,
          doc="正文中的量：name、phrases，以及 equals、rate、says_zero 或 change 之一", doc_en="quantities: name, phrases and one of equals, rate, says_zero, change"),
    Param("sections", ListOf(SectionKey()), default=[], doc="只看这些部分", doc_en="only these sections"),
], prepare=_prepare_numbers, two_reports="by-parameters", doc="""正文中的数与统计表中同一个量的单元格一致：equals —— 数等于单元格（或几格之和；几种算法中
有一种相等即可）；rate —— 百分数（如办结率）等于分子/分母（按所写精度四舍五入或截断）；says_zero —— “均已办结”
“未发生行政复议”等说法与表中数字不矛盾；change —— “同比增长12%”与本年和上一年度报告的单元格一致（对比两份报告时）。
只比较明确指同一口径的说法（sentence、not_after、not_followed）；单元格不是数字时不比较。""",
   doc_en="""A number the prose gives for a quantity that is also in the tables agrees with them.  Each
quantity has ``phrases`` (regexes with named groups) and one comparison: ``equals`` (the number
equals a cell or a sum of cells, any of the alternatives), ``rate`` (“办结率100%” equals numerator /
denominator, rounded or truncated to its own precision), ``says_zero`` (“所有申请均已办结”, “未发生
行政复议” while the cells say otherwise), ``change`` (“同比增长12%” against this and last year's
cells; run when two reports are compared).  Conservative: ``sentence``, ``not_after`` and
``not_followed`` keep to phrases that clearly name the quantity; a cell that is not a number gives
no finding.""")
def run_prose_numbers(rule, ctx):
    if rule.relations:
        yield from _changes(rule, ctx)
        return
    seen_equal: set = set()
    seen_zero: set = set()
    # what the tables give a quantity to compare with is read once per run (when a phrase of
    # it is first found), not once per phrase found.  A “none” (says_zero) whose total is not
    # above 0 has no finding whatever the prose says, and is common (no reconsideration,
    # nothing carried over): its total is read first, and its phrases are not looked for.
    # (A rate or an equals quantity nearly always has its cells: reading them before any
    # phrase is found costs more than it saves.)
    sides: dict = {}

    def side(q):
        k = id(q)
        if k not in sides:
            sides[k] = _table_side(ctx, q)
        return sides[k]

    skip = {id(q) for q in rule.params["quantities"]
            if q["says_zero"] is not None and side(q) is None and _untimed(q)}
    for q, st, pat, m, sb in _matches(rule, ctx, skip):
        if q["equals"] is not None:
            yield from _equals(rule, ctx, q, st, pat, m, side(q), seen_equal)
        elif q["rate"] is not None:
            yield from _rate(rule, ctx, q, st, pat, m, side(q))
        elif q["says_zero"] is not None:
            yield from _zero(rule, ctx, q, st, pat, m, sb, side(q), seen_zero)


def _table_side(ctx, q):
    """What the tables give a quantity to compare a phrase with — equals: the alternatives'
    (value, cells, cells read); rate: (numerator, its cells, [(denominator, its cells, refs)]);
    says_zero: (total, cells) — or None when that is nothing to compare with: no alternative
    with a value, no numerator or no denominator that is not 0, a total missing or not above 0
    (then :func:`_equals`, :func:`_rate` and :func:`_zero` return without a finding)."""
    r = ctx.report
    if q["equals"] is not None:
        fmt = ctx.fmt
        if fmt is None or not r.tables:
            return None
        values = []
        for terms in q["equals"]:
            total = Decimal(0)
            these = []
            for tkey, row, col in terms:
                table = r.tables.get(tkey)
                if table is None:
                    break
                v, c = _cell_value(table, fmt.table(tkey), row, col)
                if v is None:
                    break
                total += v
                these.append(c)
            else:
                values.append((total, terms, these))
        return values or None
    if q["rate"] is not None:
        rate = q["rate"]
        numer, ncells = cells_sum(r, rate["numerator"])
        if numer is None:
            return None
        alts = []
        for refs in rate["denominators"]:
            den, dcells = cells_sum(r, refs)
            if den is None or den == 0:
                continue
            alts.append((den, dcells, refs))
        return (numer, ncells, alts) if alts else None
    if q["says_zero"] is not None:
        total, cells = cells_sum(r, q["says_zero"])
        return None if total is None or total <= 0 else (total, cells)
    return None


def _untimed(q) -> bool:
    """Are all the quantity's patterns of engines that cannot time out?  (Only then may its
    phrases go unsearched: a timeout of the timed engine is reported as it happens.)"""
    return all(pat.engine != "regex" for k in ("phrases", "sentence", "not_after", "not_followed") for pat in q[k])


def _matches(rule, ctx, skip=()):
    """(quantity, stream, pattern, match, sentence bounds) for every phrase of every quantity
    (but those whose id is in ``skip``)."""
    default = rule.params["sections"] or None
    prose = ctx.report.prose
    by_sections: dict = {}      # the streams of the quantities' sections, made once per rule run
    for q in rule.params["quantities"]:
        if skip and id(q) in skip:
            continue
        secs = q["sections"] or default
        key = tuple(secs) if secs else None
        streams = by_sections.get(key)
        if streams is None:
            streams = by_sections[key] = prose.streams("prose", secs)
        phrases = live(ctx, streams, q["phrases"])
        for st in streams:
            for pat in phrases:
                for m in finditer(pat, st.text):
                    a, b = st.sentence(m.start(), m.end())
                    sentence = st.text[a:b]
                    if q["sentence"] and not all(search(s, sentence) for s in q["sentence"]) \
                            and not (q["in_sections"] and st.section is not None and st.section.key in q["in_sections"]):
                        continue
                    if q["not_after"] and any(search(x, st.text[a:m.start()]) for x in q["not_after"]):
                        continue
                    yield q, st, pat, m, (a, b)


def _cell_value(table, spec, row, col):
    """Value of a cell; a blank 总计 is the sum of its row when every other cell is a number
    or blank (a row left with only 自然人 filled in)."""
    c = table.cell(row, col)
    if c is None:
        return None, None
    if c.is_number:
        return c.value, c
    if c.kind == ValueKind.BLANK and spec is not None:
        for parts, total in spec.row_sums:
            if total == col:
                vals = [table.cell(row, p) for p in parts]
                if vals and all(v is not None and (v.is_number or v.kind == ValueKind.BLANK) for v in vals) \
                        and any(v.is_number for v in vals):
                    return sum((v.value for v in vals if v.is_number), Decimal(0)), c
    return None, c


def _equals(rule, ctx, q, st, pat, m, values, seen):
    """``values``: the quantity's alternatives (:func:`_table_side`)."""
    if not values:
        return
    fmt = ctx.fmt
    nsp = group_span(pat, m, "n")
    val = num(group(pat, m, "n") or "")
    if nsp is None or val is None:
        return
    if any(v == val for v, _t, _c in values):
        return
    key = (q["name"], nsp[0], id(st))
    if key in seen:
        return
    seen.add(key)
    tv, terms, these = values[0]

    def where(t, rw, cl, en=False):
        sp = fmt.table(t)
        rs = sp.row(rw) if sp else None
        col = sp.column_display(cl) if sp else cl
        if en:
            row_en = f", row “{sp.row_display(rw)}”" if rs is not None and rs.label else ""
            return f"{table_en(t)}{row_en}, “{col}”"
        row_txt = f"「{sp.row_display(rw)}」" if rs is not None and rs.label else ""
        return f"{t}{row_txt}{col}"

    desc = " + ".join(f"{where(t, rw, cl)}{fmt_num(c.value) if c.is_number else '（空白，按本行合计）'}"
                      for (t, rw, cl), c in zip(terms, these))
    desc_en = " + ".join(f"{where(t, rw, cl, True)} {fmt_num(c.value) if c.is_number else '(blank: the sum of its row)'}"
                         for (t, rw, cl), c in zip(terms, these))
    yield ctx.emit(rule, st.span(*nsp), {
        "name": q["name"], "name_en": q["name_en"] or q["name"], "text_value": fmt_num(val), "table_value": fmt_num(tv),
        "cells": desc, "cells_en": desc_en, "found": m.group(0).strip(), "table": terms[0][0]},
        table=terms[0][0], numbers={"text": val, "table": tv}, related=[c.span for c in these])


def percent_ok(stated: Decimal, ratio: Decimal) -> bool:
    """Is `stated` (a percentage as written) the ratio rounded (half up) or truncated to the
    precision it is written with?"""
    exp = stated.as_tuple().exponent
    qz = Decimal(1).scaleb(exp) if isinstance(exp, int) and exp < 0 else Decimal(1)
    pct = ratio * 100
    return stated in (pct.quantize(qz, ROUND_HALF_UP), pct.quantize(qz, ROUND_FLOOR))


def _rate(rule, ctx, q, st, pat, m, table_side):
    """``table_side``: the quantity's numerator and denominators (:func:`_table_side`)."""
    if table_side is None:
        return
    p = num(group(pat, m, "p") or "")
    if p is None:
        return
    rate = q["rate"]
    numer, ncells, alts = table_side
    if any(percent_ok(p, numer / den) for den, _c, _r in alts):
        return
    den, dcells, refs = alts[0]
    pct = (numer / den * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    cells_txt = "、".join(f"{cell_label(ctx.fmt, ref)}{fmt_num(c.value)}" for ref, c in
                          list(zip(rate["numerator"], ncells)) + list(zip(refs, dcells)))
    psp = group_span(pat, m, "p") or (m.start(), m.end())
    yield ctx.emit(rule, st.span(*psp), {
        "name": q["name"], "found": m.group(0).strip(), "stated": fmt_num(p), "computed": fmt_num(pct),
        "numerator": fmt_num(numer), "denominator": fmt_num(den), "cells": cells_txt},
        numbers={"stated": p, "computed": pct}, related=[c.span for c in ncells + dcells],
        table=rate["numerator"][0][0])


def _zero(rule, ctx, q, st, pat, m, sb, table_side, seen):
    """``table_side``: the quantity's total and cells (:func:`_table_side`)."""
    a, b = sb
    tail = st.text[m.end():b]
    clause_end = min([k for k in (tail.find(ch) for ch in "，,、") if k >= 0] or [len(tail)])
    if any(search(x, tail[:clause_end]) for x in q["not_followed"]):
        return
    if table_side is None:
        return
    total, cells = table_side
    span = st.span(m.start(), m.end())
    if any(n == q["name"] and sp[0] < span[1] and span[0] < sp[1] for n, sp in seen):
        return  # two phrases of one statement
    seen.add((q["name"], span))
    cells_txt = "、".join(f"{cell_label(ctx.fmt, ref)}{fmt_num(c.value)}" for ref, c in zip(q["says_zero"], cells))
    yield ctx.emit(rule, span, {"name": q["name"], "found": m.group(0).strip(), "value": fmt_num(total),
                                "cells": cells_txt},
                   numbers={"table": total}, related=[c.span for c in cells], table=q["says_zero"][0][0])


def _changes(rule, ctx):
    other = getattr(ctx, "other", None)
    if other is None:
        return
    for q, st, pat, m, _sb in _matches(rule, ctx):
        n = num(group(pat, m, "n") or "")
        p = num(group(pat, m, "p") or "")
        d = group(pat, m, "dir") or ""
        if n is None or p is None:
            continue
        this_v, this_cells = cells_sum(ctx.report, q["change"])
        prev_v, prev_cells = cells_sum(other, q["change"])
        if this_v is None or prev_v is None or this_v != n or prev_v == 0:
            continue
        sign = 1 if any(w in d for w in q["up"]) else (-1 if any(w in d for w in q["down"]) else 0)
        if sign == 0:
            continue
        ratio = (this_v - prev_v) / prev_v
        if percent_ok(sign * p, ratio):
            continue
        pct = (ratio * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        related = [c.span for c in this_cells] + [
            ctx.other_loc(c.span, f"{ctx.other_year}年度报告 {cell_label(other.format, ref)} {fmt_num(c.value)}")
            for c, ref in zip(prev_cells, q["change"])]
        psp = group_span(pat, m, "p") or (m.start(), m.end())
        yield ctx.emit(rule, st.span(*psp), {
            "name": q["name"], "found": m.group(0).strip(), "stated": fmt_num(p), "direction": d,
            "this_value": fmt_num(this_v), "prev_value": fmt_num(prev_v), "computed": fmt_num(pct),
            "prev_year": ctx.other_year or "上一", "year": ctx.year or ""},
            numbers={"stated": sign * p, "computed": pct, "this": this_v, "previous": prev_v}, related=related)


# ---------------------------------------------------------------------------------------
# prose_sum
# ---------------------------------------------------------------------------------------
def _prepare_sum(rule):
    for i, t in enumerate(rule.params["totals"]):
        need = [g for g in ("n", "unit") if g not in group_names(t)]
        if need:
            raise KindError(f"totals[{i + 1}]", msg("需要命名组 {g}", "needs the named groups {h}",
                                                    g="、".join(f"(?P<{g}>…)" for g in need), h=", ".join(f"(?P<{g}>…)" for g in need)))
    return None


@lru_cache(maxsize=8)
def _default(pattern: str):
    """A built-in pattern of the kind (written here, so trusted), compiled once per run."""
    from ...saferegex import compile_safe, trusted_patterns
    with trusted_patterns():
        return compile_safe(pattern)


@register("prose_sum", "text", params=[
    Param("totals", regexes(min_len=1), required=True, doc="总数的说法（命名组 n、unit）", doc_en="totals (named groups n, unit)"),
    Param("part", Regex(groups=("n", "unit")), default=None, doc="每一分项中的数", doc_en="a part's number"),
    Param("parts_start", Regex(), default=None, doc="分项紧接在总数之后的开头（其中、包括）", doc_en="how the list of parts starts (其中/包括)"),
    Param("stop", regexes(), default=[], doc="到此为止的分句（办结、同比……）", doc_en="a clause that ends the list"),
    Param("hedges", regexes(), default=[], doc="表示约数或不全的用语（等、主要、约……）", doc_en="words that make the list approximate or partial"),
    Param("complete", regexes(), default=[], doc="表示分项已全的用语（其他、其余……）", doc_en="words that make the list complete"),
    Param("min_parts", Int(2, 100), default=2, doc="至少几个分项", doc_en="at least this many parts"),
], prepare=_prepare_sum, doc="""一句话中的总数与紧接其后列出的分项相加一致（“共受理510件，其中自然人申请198件、
法人或其他组织申请142件、其他137件”）。分项之和大于总数时总是报告；小于总数时只在分项明显已全（有“其他”“其余”）
且没有“等”“主要”“约”之类的用语时报告。""",
   doc_en="""A total stated in a sentence and its parts listed right after it add up (“共受理510件，其中自然人
申请198件、法人或其他组织申请142件、其他137件”).  Parts that add up to more than the total are always
reported; parts that add up to less only when the list is clearly the whole (``complete``) and no
``hedges`` say it is approximate or partial.  The finding is on the total, each part a related place.""")
def run_prose_sum(rule, ctx):
    p = rule.params
    part = p["part"] or _default(r"(?P<n>\d+)\s*(?P<unit>件|条|个|次|项|家|期|场|份|人次|人)")
    start = p["parts_start"] or _default(r"^[,，:：\s]*(?:其中|包括)[,，:：\s]*")
    seen = set()
    streams = ctx.report.prose.streams("prose")
    totals = live(ctx, streams, p["totals"])
    # most totals are followed by no 其中/包括 at all: the literals the start of the parts
    # needs, looked for after the total, rule them out before their sentence is worked out
    # (not with the timed engine, whose searches count their timeouts)
    needs = start._checks if start.engine != "regex" else ()
    for st in streams:
        for tpat in totals:
            for m in finditer(tpat, st.text):
                if needs and _absent(needs, st.text, m.end()):
                    continue
                nsp = group_span(tpat, m, "n")
                unit = group(tpat, m, "unit")
                total = num(group(tpat, m, "n") or "")
                if nsp is None or total is None or not unit or (id(st), nsp) in seen:
                    continue
                a, b = st.sentence(m.start(), m.end())
                after = st.text[m.end():b]
                # an approximate total (“2000余件”) is no total
                tail3 = st.text[nsp[1]:nsp[1] + 3].lstrip()
                if tail3[:1] in ("余", "多") or tail3[:2] == "左右" or after.lstrip()[:1] in ("余", "多"):
                    continue
                ps = None
                try:
                    ps = start.search(after) if after else None
                except PatternTimeout:
                    pass
                if ps is None or ps.start() != 0:
                    continue
                rest_start = m.end() + ps.end()
                parts = []
                complete = hedged = False
                pos = rest_start
                seg_start = rest_start
                for seg in _clauses(st.text, rest_start, b):
                    stext = st.text[seg[0]:seg[1]]
                    if any(search(s, stext) for s in p["stop"]):
                        break
                    nums = list(finditer(part, stext))
                    if len(nums) != 1 or group(part, nums[0], "unit") != unit:
                        break
                    pm = nums[0]
                    psp = group_span(part, pm, "n")
                    v = num(group(part, pm, "n") or "")
                    if v is None or psp is None:
                        break
                    if any(search(h, stext) for h in p["hedges"]):
                        hedged = True
                    if any(search(x, stext) for x in p["complete"]):
                        complete = True
                    parts.append((v, st.span(seg[0] + psp[0], seg[0] + psp[1])))
                    pos = seg[1]
                    seg_start = pos
                _ = seg_start
                if len(parts) < p["min_parts"]:
                    continue
                if any(search(h, st.text[a:pos]) for h in p["hedges"]):
                    hedged = True
                s = sum((v for v, _sp in parts), Decimal(0))
                if s == total or hedged or (s < total and not complete):
                    continue
                seen.add((id(st), nsp))
                yield ctx.emit(rule, st.span(*nsp), {
                    "total": fmt_num(total), "sum": fmt_num(s), "diff": fmt_num(abs(total - s)), "unit": unit,
                    "parts": " + ".join(fmt_num(v) for v, _sp in parts), "count": len(parts),
                    "sentence": quote(st.text, a, m.start(), pos),
                    "relation": "多" if s > total else "少"},
                    numbers={"total": total, "sum": s, "diff": s - total}, related=[sp for _v, sp in parts])


def _clauses(text: str, a: int, b: int):
    """(start, end) of the runs of text[a:b] between 、，,；; (as the regex [^、，,；;]+ did)."""
    i = a
    while i < b:
        while i < b and text[i] in "、，,；;":
            i += 1
        j = i
        while j < b and text[j] not in "、，,；;":
            j += 1
        if j > i:
            yield (i, j)
        i = j
