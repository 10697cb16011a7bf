"""Rule kinds beyond the tables: the text of the report (issue 4).

Kinds of this module (all data-driven: the words, patterns and limits are in the YAML):
  pattern            regular expressions over the text or the prose (debris, placeholders)  [format/content]
  legacy_coverage    the six items of old 第三十二条 in a pre-2019 report                  [structure]
  title_wording      the title names the year and says 政府信息公开工作年度报告            [metadata]
  period             the statistical period is stated and is 1月1日–12月31日 of the year   [metadata]
  plan_year          plans ("…年，我们将采取以下措施") point at the next year              [metadata]
  deadline           publication/signing date within the 条例 deadline                     [metadata]
  required_mentions  a section (or the report) mentions each of several things             [content]
  section_not_empty  a section says something (not empty, not just “无”)                   [content]
  template_version   labels of the other format (2019 labels in a 2021 report, …)          [structure]
  text_vs_table      a number in the prose for the same quantity as a table cell agrees    [consistency]
  enumeration        一是、二是… do not skip or repeat                                      [format]
  attachments        an announced attachment is there                                      [content]
  section_numbering  section numbers 一、二、… of a pre-2019 report do not skip or repeat    [structure]

User-supplied regular expressions are compiled with :func:`validator.saferegex.compile_safe`.
Rules read the model only: paragraph texts (joined into "prose streams" that keep every
character's offset), titles, metadata, tables and cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..textutil import cn_to_int
from ..model import ValueKind
from ..saferegex import PatternError, PatternTimeout, compile_safe
from ..i18n import table_en
from .kinds import KindError, fmt_num, register

CN = "一二三四五六七八九十"


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _compile(p, what="regex"):
    try:
        return compile_safe(p)
    except PatternError as exc:
        raise KindError(f"{what}: {exc}") from None


def _gspan(pat, m, name):
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


def _group(pat, m, name):
    sp = _gspan(pat, m, name)
    return None if sp is None else m.group(0)[sp[0] - m.start():sp[1] - m.start()]


def _finditer(pat, text):
    try:
        yield from pat.finditer(text)
    except PatternTimeout:
        return


@dataclass
class Stream:
    """Paragraph texts joined into one string; `pos[i]` is the offset in the report text of
    character i (a line break inside a sentence — PDF layout — is dropped)."""

    text: str
    pos: list
    section: object = None

    def span(self, a: int, b: int) -> tuple[int, int]:
        if self.pos is None:  # the report text itself
            return (a, b)
        if not self.pos:
            return (0, 0)
        a = min(max(a, 0), len(self.pos) - 1)
        b = min(max(b - 1, a), len(self.pos) - 1)
        return (self.pos[a], self.pos[b] + 1)


PINYIN_DEBRIS = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")
_PAGE_NO = re.compile(r"^\s*(?:-\s*\d{1,3}\s*-|第\s*\d+\s*页.*|\d{1,3})\s*$")
_SENT_END = "。;；!！?？:："


def make_stream(paras, section=None) -> Stream:
    out: list[str] = []
    pos: list[int] = []
    for p in paras:
        t = p.text
        if not t.strip() or _PAGE_NO.match(t):
            continue
        if out:
            last = out[-1][-1]
            if last in _SENT_END or p.marker or re.match(r"\s*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)", t):
                out.append("\n")
                pos.append(pos[-1])
        base = p.span[0]
        keep = 0
        if "(" in t:
            for m in PINYIN_DEBRIS.finditer(t):
                if m.start() > keep:
                    out.append(t[keep:m.start()])
                    pos.extend(range(base + keep, base + m.start()))
                keep = m.end()
        if keep < len(t):
            out.append(t[keep:])
            pos.extend(range(base + keep, base + len(t)))
    return Stream("".join(out), pos, section)


def strip_pinyin(s: str) -> str:
    return PINYIN_DEBRIS.sub("", s)


def prose_streams(report, scope="prose", sections=None) -> list[Stream]:
    """The report's prose, one stream per part: preamble (with front matter) and each
    section body (with its heading).  Built once per report and scope (many rules ask)."""
    cache = report.__dict__.setdefault("_prose_streams", {})
    key = (scope, tuple(sections) if sections else None)
    if key not in cache:
        cache[key] = _prose_streams(report, scope, sections)
    return cache[key]


def _prose_streams(report, scope="prose", sections=None) -> list[Stream]:
    if scope == "text":
        t = report.text
        return [Stream(t, None)]
    out = []
    if scope in ("prose", "preamble") and not sections:
        pre = sorted(list(report.front) + list(report.preamble), key=lambda p: p.span[0])
        out.append(make_stream(pre))
    if scope == "preamble":
        return out
    for s in report.sections:
        if sections and s.key not in sections and s.title not in sections:
            continue
        paras = list(s.paragraphs)
        if scope == "prose" and report.signature is not None and s is report.sections[-1]:
            paras = [p for p in paras if p.span[0] < report.signature.span[0]]
        out.append(make_stream(paras, s))
    return out


def _num(s: str):
    try:
        return Decimal(s.replace(",", "").replace(" ", ""))
    except Exception:  # noqa: BLE001
        return None


def _line_of(text: str, a: int, b: int) -> str:
    s = text.rfind("\n", 0, a) + 1
    e = text.find("\n", b)
    e = len(text) if e < 0 else e
    return text[s:e]


def _excerpt(text: str, a: int, b: int, width: int = 8) -> str:
    s = max(0, a - width)
    e = min(len(text), b + width)
    return (("…" if s > 0 else "") + text[s:e].replace("\n", " ").strip() + ("…" if e < len(text) else ""))


def _iso(d) -> str:
    return f"{d[0]}-{d[1]:02d}-{d[2]:02d}"


def _item_en(item: str) -> str:
    """（三） → (3)"""
    n = cn_to_int(item.strip("（）() ")) if item else None
    return f"({n})" if n else item


def _list_en(zh_list: str) -> str:
    return ", ".join(f"“{x}”" for x in zh_list.split("、") if x)


def issuer_kind(ctx) -> tuple[str | None, str]:
    """('government' | 'department' | None, how it was known)."""
    k = getattr(ctx, "issuer_kind", None)
    if k in ("department", "government"):
        return k, "option"
    name = (ctx.report.metadata.issuer or "").strip()
    if not name:
        return None, ""
    name = re.sub(r"\s+", "", name)
    if re.search(r"开发区|高新区|新区|实验区|园区|保税区|示范区|管委会|管理委员会", name) and not name.endswith("人民政府"):
        return None, ""  # a development zone's committee: neither clearly (use --issuer-kind)
    if re.search(r"(局|委员会|委|厅|办公室|办公厅|中心|院|所|队|站|部|署|办|公司|集团|银行|学校|医院)$", name):
        return "department", "name"
    if re.search(r"人民政府$", name) or re.search(r"(省|自治区|市|州|盟|县|区|旗|镇|乡|街道)$", name):
        return "government", "name"
    return None, ""


# ---------------------------------------------------------------------------------------
# pattern
# ---------------------------------------------------------------------------------------
def _prepare_pattern(rule):
    p = rule.params
    pats = p["patterns"]
    if not isinstance(pats, list) or not pats:
        raise KindError("patterns 必须是非空列表")
    out = []
    for i, e in enumerate(pats):
        if isinstance(e, str):
            e = {"regex": e}
        if not isinstance(e, dict) or "regex" not in e:
            raise KindError(f"patterns 第{i + 1}项需要 regex")
        unless = [_compile(u, "unless") for u in (e.get("unless") or [])]
        out.append((_compile(e["regex"]), str(e.get("detail", "")), unless, e.get("at"), str(e.get("detail_en", ""))))
    scope = p.get("scope", "text")
    if scope not in ("text", "prose", "preamble", "sections"):
        raise KindError("scope 只能是 text、prose、preamble 或 sections")
    return out


@register("pattern", required=("patterns",), optional=("scope", "sections", "merge", "max"),
          prepare=_prepare_pattern)
def run_pattern(rule, ctx):
    """Regular expressions over the report text (`scope: text`, default) or its prose
    (`prose`: paragraphs and headings, tables left out; `sections: [key…]` to limit).  Each
    pattern has `regex`, optional `detail` (text for {detail}; may use {match} and named
    groups), `unless` (regexes: no finding when one matches the line) and `at` (a named
    group to place the finding on).  `merge: true` reports a run of adjacent matches once;
    `max` caps the findings per file (the last one says how many more)."""
    p = rule.params
    streams = prose_streams(ctx.report, p.get("scope", "text"), p.get("sections"))
    found = []
    for st in streams:
        for pat, detail, unless, at, detail_en in rule.compiled:
            for m in _finditer(pat, st.text):
                a, b = m.span()
                if a == b:
                    continue
                line = _line_of(st.text, a, b)
                if any(u.search(line) for u in unless):
                    continue
                gd = {}
                if pat.engine == "re2":
                    gd = {k: m.group(i) for k, i in pat._compiled.groupindex.items()}
                else:
                    gd = m.groupdict()
                loc = (a, b)
                if at and _gspan(pat, m, at):
                    loc = _gspan(pat, m, at)
                args = {k: (v or "") for k, v in gd.items()}
                args.update(match=m.group(0).strip(), context=_excerpt(st.text, a, b))
                args["detail"] = detail.format_map(_SafeArgs(args)) if detail else ""
                args["detail_en"] = detail_en.format_map(_SafeArgs(args)) if detail_en else args["detail"]
                found.append((st.span(*loc), args))
    found.sort(key=lambda x: x[0])
    if p.get("merge"):
        merged = []
        for span, args in found:
            if merged and span[0] - merged[-1][0][1] <= 3 and ctx.report.text[merged[-1][0][1]:span[0]].strip() == "":
                merged[-1] = ((merged[-1][0][0], span[1]), merged[-1][1], merged[-1][2] + 1)
            else:
                merged.append((span, args, 1))
        found = [(s, dict(a, count=n)) for s, a, n in merged]
    cap = p.get("max")
    seen = set()
    n = 0
    for span, args in found:
        if span in seen:
            continue
        seen.add(span)
        n += 1
        if cap and n > int(cap):
            break
        args.setdefault("count", 1)
        yield ctx.emit(rule, span, args)


class _SafeArgs(dict):
    def __missing__(self, key):
        return ""


# ---------------------------------------------------------------------------------------
# legacy_coverage
# ---------------------------------------------------------------------------------------
def _prepare_legacy(rule):
    items = rule.params["items"]
    if not isinstance(items, list) or not items:
        raise KindError("items 必须是非空列表")
    out = []
    for it in items:
        if not isinstance(it, dict) or "name" not in it or "all" not in it and "any" not in it:
            raise KindError("items 的每项需要 name 和 any（或 all）")
        anys = [_compile(x, "any") for x in it.get("any", [])]
        alls = [[_compile(y, "all") for y in grp] for grp in it.get("all", [])]
        titles = [_compile(x, "titles") for x in it.get("titles", [])]
        out.append((it.get("item", ""), it["name"], titles, anys, alls, it.get("name_en") or it["name"]))
    ex = [_compile(x, "ignore") for x in rule.params.get("ignore", [])]
    return out, ex


@register("legacy_coverage", required=("items",), optional=("ignore",), prepare=_prepare_legacy)
def run_legacy_coverage(rule, ctx):
    """Each listed content item is covered: a section titled for it (`titles`), or words that
    clearly report it anywhere in the text (`any`: one of these; `all`: one of each group).
    Sentences matching `ignore` (the preamble's list of parts, “本报告由…组成”) do not count.
    One finding per missing item."""
    items, ignore = rule.compiled
    r = ctx.report
    sents = []
    for st in prose_streams(r, "prose"):
        for m in re.finditer(r"[^。；;\n]+", st.text):
            s = m.group(0)
            if any(i.search(s) for i in ignore):
                continue
            sents.append(s)
    body = "。".join(sents)
    titles = [strip_pinyin(s.title) for s in r.sections]
    where = r.metadata.title_span or (r.sections[0].span if r.sections else (0, 0))
    for item, name, tpats, anys, alls, name_en in items:
        if any(t.search(title) for t in tpats for title in titles):
            continue
        if anys and any(a.search(body) for a in anys):
            continue
        if alls and all(any(a.search(body) for a in grp) for grp in alls):
            continue
        yield ctx.emit(rule, where, {"item": item, "name": name, "year": r.metadata.year or "?", "name_en": name_en,
                                     "item_en": _item_en(item)})


# ---------------------------------------------------------------------------------------
# title_wording
# ---------------------------------------------------------------------------------------
def _prepare_title(rule):
    p = rule.params
    wrong = []
    for w in p.get("wrong", []):
        wrong.append((_compile(w["regex"]), w.get("detail", ""), w.get("detail_en", "")))
    return _compile(p["required"]), wrong


@register("title_wording", required=("required",), optional=("wrong", "check"), prepare=_prepare_title)
def run_title_wording(rule, ctx):
    """The title (title line, front matter 标题/名称, or the name the preamble gives the
    report) says `required` (政府信息公开工作年度报告) and, with `check: year`, names the
    report year.  `wrong` lists known wrong wordings with their explanation."""
    md = ctx.report.metadata
    if not md.title:
        return
    req, wrong = rule.compiled
    title = re.sub(r"\s+", "", re.sub(r"^#+", "", md.title))
    span = md.title_span or (0, 0)
    if rule.params.get("check") == "year":
        if not re.search(r"(?:19|20)\d{2}年", title):
            yield ctx.emit(rule, span, {"title": title, "detail": "没有写明报告年度",
                                        "detail_en": " does not name the report year", "year": md.year or ""})
        return
    if req.search(title):
        return
    detail = detail_en = ""
    for pat, d, d_en in wrong:
        m = pat.search(title)
        if m:
            detail = d.format_map(_SafeArgs(found=m.group(0)))
            detail_en = d_en.format_map(_SafeArgs(found=m.group(0)))
            break
    yield ctx.emit(rule, span, {"title": title, "detail": detail, "detail_en": detail_en, "year": md.year or ""})


# ---------------------------------------------------------------------------------------
# period
# ---------------------------------------------------------------------------------------
_DATE_IN = re.compile(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD_WORD = re.compile(r"统计(?:期限|时限|时间|周期|期间|区间)|数据统计(?:期|时段)")


@register("period", optional=("check",))
def run_period(rule, ctx):
    """The statistical period (统计期限…) — `check: stated`: it is stated; `check: dates`
    (default): when stated, it runs from 1月1日 to 12月31日 of the report year, and is not left
    blank (“统计期限自至”)."""
    r = ctx.report
    md = r.metadata
    check = rule.params.get("check", "dates")
    year = md.year
    if check == "stated":
        # only when the beginning of the report is there (not an excerpt starting at 二、)
        if not r.preamble and not (r.sections and r.sections[0].number == 1):
            return
        if md.period is None and year is not None:
            # a period may also be given as "…年1月1日至12月31日" without the word 统计期限
            head = "\n".join(p.text for p in (r.preamble + r.front)[:12])
            if re.search(r"1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|-|—)\s*(?:\d{4}\s*年\s*)?12\s*月\s*31\s*日", head):
                return
            span = md.title_span or (r.preamble[0].span if r.preamble else (0, 0))
            yield ctx.emit(rule, span, {"year": year, "detail": "报告没有说明数据的统计期限",
                                        "detail_en": "the report does not state the period its figures cover"})
        return
    if md.period is None or md.period_span is None or year is None:
        return
    text = md.period
    span = md.period_span
    dates = [(m.group(1), int(m.group(2)), int(m.group(3))) for m in _DATE_IN.finditer(text)]
    if not dates:
        after = _PERIOD_WORD.sub("", text, count=1)[:20]
        # left blank: only the frame of a period (“自至”, “为  年 月 日至 年 月 日”)
        if re.fullmatch(r"[\s自为是从起至到止年月日度\-—~～:：]*", after) and re.search(r"自|至|到|为", after):
            yield ctx.emit(rule, span, {"year": year, "found": text.strip(),
                                        "detail": f"没有填写起止日期，应为{year}年1月1日至{year}年12月31日",
                                        "detail_en": f"the dates are left blank; it should be 1 January to 31 December {year}"})
        return
    if len(dates) < 2:
        if re.search(r"(?:至|到)\s*(?:止|$|[,，。])", text):
            yield ctx.emit(rule, span, {"year": year, "found": text.strip(),
                                        "detail": f"只写了起始日期，没有截止日期（应为{year}年12月31日）",
                                        "detail_en": f"only the start date is given, the end date (31 December {year}) is missing"})
        return
    (y1, m1, d1), (y2, m2, d2) = dates[0], dates[1]
    y1 = int(y1) if y1 else year
    y2 = int(y2) if y2 else y1
    problems, problems_en = [], []
    if (y1, m1, d1) != (year, 1, 1):
        problems.append(f"起始日期为{y1}年{m1}月{d1}日")
        problems_en.append(f"it starts on {y1}-{m1:02d}-{d1:02d}")
    if (y2, m2, d2) != (year, 12, 31):
        problems.append(f"截止日期为{y2}年{m2}月{d2}日")
        problems_en.append(f"it ends on {y2}-{m2:02d}-{d2:02d}")
    if problems:
        yield ctx.emit(rule, span, {"year": year, "found": text.strip(),
                                    "detail": "，".join(problems) + f"，应为{year}年1月1日至{year}年12月31日",
                                    "detail_en": " and ".join(problems_en) + f"; it should be 1 January to 31 December {year}"})


# ---------------------------------------------------------------------------------------
# plan_year
# ---------------------------------------------------------------------------------------
def _prepare_plan(rule):
    pats = [_compile(x) for x in rule.params["patterns"]]
    for p in pats:
        if p.engine == "re2" and "year" not in p._compiled.groupindex:
            raise KindError(f"正则表达式“{p.pattern}”需要命名组 (?P<year>…)")
    return pats


@register("plan_year", required=("patterns",), optional=("offset",), prepare=_prepare_plan)
def run_plan_year(rule, ctx):
    """Plans for the coming year name the right year: each pattern has a named group `year`
    and marks a plan (“2016年，我们将采取以下措施”); that year must be the report year plus
    `offset` (default 1).  Only a plan naming the report year itself is reported (a plan for
    an earlier year is more likely a quotation)."""
    year = ctx.report.metadata.year
    if year is None:
        return
    want = year + int(rule.params.get("offset", 1))
    for st in prose_streams(ctx.report, "prose"):
        for pat in rule.compiled:
            for m in _finditer(pat, st.text):
                ys = _group(pat, m, "year")
                if not ys or int(ys) != year:
                    continue
                ysp = _gspan(pat, m, "year")
                yield ctx.emit(rule, st.span(ysp[0], m.end()), {
                    "found": m.group(0).strip(), "year": year, "expected": want,
                    "context": _excerpt(st.text, m.start(), m.end())})


# ---------------------------------------------------------------------------------------
# deadline
# ---------------------------------------------------------------------------------------
def _prepare_deadline(rule):
    dl = rule.params["deadlines"]
    for k in dl:
        if k not in ("government", "department", "legacy"):
            raise KindError("deadlines 的键只能是 government、department、legacy")
        if not re.fullmatch(r"\d{1,2}-\d{1,2}", str(dl[k])):
            raise KindError(f"deadlines.{k} 应写成 月-日，如 3-31")
    return {k: tuple(int(x) for x in str(v).split("-")) for k, v in dl.items()}


_PUB_KEYS = ("发布日期", "发布时间", "时间", "生成日期", "成文日期", "发文日期")


@register("deadline", required=("deadlines",), optional=("check",), prepare=_prepare_deadline)
def run_deadline(rule, ctx):
    """The report was published (front matter 发布日期/发布时间) — or, failing that, signed —
    by the deadline of the year after the report year: `deadlines` per issuer kind
    (government / department / legacy for pre-2019 reports), as 月-日.  The issuer kind comes
    from --issuer-kind or the issuer's name; when unknown, only a date later than every
    deadline is reported.  With `check: early` instead: a signing date before the report
    year has ended (the year of the date is probably wrong)."""
    r = ctx.report
    md = r.metadata
    if md.year is None:
        return
    date, span, how, how_en = None, None, "", ""
    if rule.params.get("check") == "early":
        # a signing date before the report year has ended: the year is probably wrong
        if md.date and md.date_span and md.date <= (md.year, 12, 31):
            d = md.date
            yield ctx.emit(rule, md.date_span, {"how": "落款日期", "date": f"{d[0]}年{d[1]}月{d[2]}日",
                                                "year": md.year, "due": "", "who": "", "how_en": "the date signed",
                                                "date_en": _iso(d)})
        return
    for key in _PUB_KEYS:
        if key in md.front and md.front[key][0]:
            m = re.match(r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})", md.front[key][0])
            if m:
                date, span, how = tuple(int(x) for x in m.groups()), md.front[key][1], f"页面标注的{key}"
                how_en = f"the date shown on the page (“{key}”)"
                break
    if date is None and md.date:
        date, span, how, how_en = md.date, md.date_span, "落款日期", "the date signed"
    if date is None:
        return
    dl = rule.compiled
    if r.template == "legacy":
        kind, known = "legacy", "name"
        limit = dl.get("legacy")
        who = "2019年以前的报告适用2008年《条例》第三十一条"
        who_en = "reports before 2019 fall under Article 31 of the 2008 Regulations"
    else:
        kind, known = issuer_kind(ctx)
        if kind is None:
            limit = max(dl.get("government", (3, 31)), dl.get("department", (1, 31)))
            who = "未能判断发布机关是人民政府还是部门，按较晚的期限"
            who_en = "whether the issuer is a government or a department is unknown; the later deadline applies"
        else:
            limit = dl.get(kind)
            who = {"government": "发布机关为县级以上地方人民政府", "department": "发布机关为县级以上人民政府部门"}[kind]
            who_en = {"government": "the issuer is a local people's government",
                      "department": "the issuer is a government department"}[kind]
            if known == "name":
                who += f"，按名称“{md.issuer}”判断，可用 --issuer-kind 指定"
                who_en += f", judged from its name “{md.issuer}” (see --issuer-kind)"
    if limit is None:
        return
    due = (md.year + 1, limit[0], limit[1])
    if date <= due:
        return
    if date[0] < md.year + 1 and date < (md.year, 12, 31):
        return
    yield ctx.emit(rule, span, {"how": how, "date": f"{date[0]}年{date[1]}月{date[2]}日",
                                "due": f"{due[0]}年{due[1]}月{due[2]}日", "who": who, "year": md.year,
                                "how_en": how_en, "date_en": _iso(date), "due_en": _iso(due), "who_en": who_en},
                   numbers={"year": md.year})


# ---------------------------------------------------------------------------------------
# required_mentions
# ---------------------------------------------------------------------------------------
def _prepare_mentions(rule):
    groups = rule.params["groups"]
    if not isinstance(groups, list) or not groups:
        raise KindError("groups 必须是非空列表")
    out = []
    for g in groups:
        if not isinstance(g, dict) or "name" not in g or "any" not in g:
            raise KindError("groups 的每项需要 name 和 any")
        out.append((g["name"], [_compile(x, "any") for x in g["any"]], g.get("name_en") or g["name"]))
    if rule.params.get("when") not in (None, "government", "department"):
        raise KindError("when 只能是 government 或 department")
    return out


@register("required_mentions", required=("groups",), optional=("sections", "when", "need", "with_following", "requires"),
          prepare=_prepare_mentions)
def run_required_mentions(rule, ctx):
    """The listed sections (`sections: [key…]`; default the whole report) mention each group
    (one of its `any` words).  One finding listing what is missing.  `when: government`
    limits the rule to reports of 人民政府 (from --issuer-kind or the issuer's name).  A
    listed section that is absent is left to the section rules.  `with_following: true`
    counts sections that are not in the format and follow a listed one as part of it;
    `requires: [key…]` skips reports lacking those sections (an excerpt)."""
    r = ctx.report
    req = rule.params.get("requires")
    if req and not any(s.key in req for s in r.sections):
        return
    when = rule.params.get("when")
    if when:
        kind, _how = issuer_kind(ctx)
        if kind != when:
            return
    secs = rule.params.get("sections")
    if secs:
        present = []
        for i, s in enumerate(r.sections):
            if s.key in secs:
                present.append(s)
                if rule.params.get("with_following"):
                    # sections of the report's own (not the format's) that follow, such as
                    # 二、工作机制保障 … after 一、总体情况, are part of it
                    for t in r.sections[i + 1:]:
                        if t.key is not None:
                            break
                        present.append(t)
        if not present:
            return
        text = "\n".join(s.title + "\n" + "\n".join(st.text for st in prose_streams(r, "prose", [s.key]))
                         for s in present)
        span = present[0].span
        where = "、".join(f"{s.numeral}、{s.title}" for s in present)
    else:
        text = "\n".join(st.text for st in prose_streams(r, "prose"))
        span = r.metadata.title_span or (r.sections[0].span if r.sections else (0, 0))
        where = "报告"
    text = re.sub(r"\s+", "", text)
    missing = [(name, en) for name, pats, en in rule.compiled if not any(p.search(text) for p in pats)]
    need = int(rule.params.get("need", 1))
    if len(missing) >= need:
        yield ctx.emit(rule, span, {"where": where, "missing": "、".join(n for n, _e in missing), "count": len(missing),
                                    "issuer": r.metadata.issuer or "未署名",
                                    "where_en": "the report" if where == "报告" else f"“{where}”",
                                    "missing_en": ", ".join(e for _n, e in missing),
                                    "issuer_en": f"“{r.metadata.issuer}”" if r.metadata.issuer else "unsigned"})


@register("section_not_empty", required=("sections",), optional=("min_chars", "empty"))
def run_section_not_empty(rule, ctx):
    """The listed sections say something: not empty, not only “无/暂无”, at least
    `min_chars` characters (default 10)."""
    empty = set(rule.params.get("empty", ["无", "暂无", "无。", "暂无。", "没有", "无相关情况"]))
    mn = int(rule.params.get("min_chars", 10))
    for s in ctx.report.sections:
        if s.key not in rule.params["sections"]:
            continue
        body = re.sub(r"\s+", "", s.body)
        if s.tables:
            continue
        if not body or body in empty or body.rstrip("。.") in empty or len(body) < mn:
            yield ctx.emit(rule, s.span, {"section": f"{s.numeral}、{s.title}",
                                          "found": body or "（空白）", "found_en": f"“{body}”" if body else "nothing"})


# ---------------------------------------------------------------------------------------
# template_version
# ---------------------------------------------------------------------------------------
@register("template_version", optional=("single_rows",))
def run_template_version(rule, ctx):
    """Labels of the other format in a table — 2019 labels (本年新制作数量, 对外公开总数量,
    其他对外管理服务事项, 第二十条第（九）项 …) in a report for 2021 or later, 2021 labels in a
    2019/2020 report — and a row the other format splits (`single_rows`: a single
    （六）其他处理 row where the format has three).  One finding per table, listing them."""
    r = ctx.report
    fmt = ctx.fmt
    if fmt is None:
        return
    single = rule.params.get("single_rows", ["其他处理"])
    for key, table in r.tables.items():
        spec = fmt.table(key)
        found = []
        single_en = []
        spans = []
        for lm in list(table.captions) + list(table.headers) + list(table.stray):
            if lm.quality == "legacy" or (lm.format and lm.format != fmt.id and lm.key):
                label = " ".join(lm.text.split())
                if label not in found:
                    found.append(label)
                spans.append(lm.span)
        # a row label in the other format's wording (规范性文件 for 行政规范性文件) alone is a
        # wording matter, not a table of the other format; it is listed only with other evidence
        row_words = [(" ".join(lm.text.split()), lm.span) for row in table.rows.values()
                     for lm in row.labels if lm.quality == "legacy"]
        if spec is not None:
            for rk in single:
                rs = spec.row(rk)
                row = table.rows.get(rk)
                if rs is not None and rs.group and row is not None and row.cells and \
                        any(c.kind != ValueKind.MISSING for c in row.cells.values()):
                    kids = [spec.row(k).label for k in spec.children(rk) if spec.row(k)]
                    found.append(f"单行“{rs.label}”（本格式分为{len(kids)}行）")
                    single_en.append(f"a single row “{rs.label}” (this format has {len(kids)} rows)")
                    spans.append(row.labels[0].span if row.labels else row.span)
        if not found:
            continue
        for label, sp in row_words:
            if label not in found:
                found.append(label)
            spans.append(sp)
        other = "2019年（国办公开办函〔2019〕60号）" if fmt.id == "2021" else "2021年（国办公开办函〔2021〕30号）"
        this = "2021年（国办公开办函〔2021〕30号）" if fmt.id == "2021" else "2019年（国办公开办函〔2019〕60号）"
        spans.sort()
        single_zh = {f for f in found if f.startswith("单行“")}
        labels_en = ", ".join([f"“{x}”" for x in found if x not in single_zh] + single_en)
        yield ctx.emit(rule, spans[0], {"table": key, "labels": "、".join(found), "count": len(found),
                                        "year": r.metadata.year or "", "other": other, "this": this,
                                        "labels_en": labels_en,
                                        "other_en": "2019 (“国办公开办函〔2019〕60号”)" if fmt.id == "2021" else "2021 (“国办公开办函〔2021〕30号”)",
                                        "this_en": "2021 (“国办公开办函〔2021〕30号”)" if fmt.id == "2021" else "2019 (“国办公开办函〔2019〕60号”)"},
                       table=key, related=spans[1:])


# ---------------------------------------------------------------------------------------
# text_vs_table
# ---------------------------------------------------------------------------------------
def _prepare_tvt(rule):
    out = []
    for q in rule.params["quantities"]:
        if not isinstance(q, dict) or "phrases" not in q or "cells" not in q or "name" not in q:
            raise KindError("quantities 的每项需要 name、phrases 和 cells")
        pats = [_compile(x, "phrases") for x in q["phrases"]]
        for p in pats:
            if p.engine == "re2" and "n" not in p._compiled.groupindex:
                raise KindError(f"短语“{p.pattern}”需要命名组 (?P<n>…) 标出数字")
        alts = q["cells"]
        if not isinstance(alts, list) or not alts:
            raise KindError("cells 必须是非空列表")
        parsed = []
        for alt in alts:
            terms = alt if isinstance(alt, list) else [alt]
            ts = []
            for t in terms:
                m = re.fullmatch(r"\s*(表[二三四])\s*[.·]\s*([^.·]+?)\s*[.·]\s*([^.·]+?)\s*", str(t))
                if not m:
                    raise KindError(f"单元格“{t}”应写成 表三.行.列")
                ts.append(m.groups())
            parsed.append(ts)
        sent = [_compile(x, "sentence") for x in q.get("sentence", [])]
        before = [_compile(x, "not_after") for x in q.get("not_after", [])]
        out.append((q["name"], pats, parsed, sent, before, q.get("name_en") or q["name"]))
    return out


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


@register("text_vs_table", required=("quantities",), optional=("sections",), prepare=_prepare_tvt)
def run_text_vs_table(rule, ctx):
    """A number the prose gives for a quantity that is also a table cell agrees with it.
    Each quantity has `phrases` (regexes with a named group `n`, the number), `cells`
    (alternatives: a cell “表三.本年新收.总计” or a list of cells to add up; the text agrees
    when it equals any alternative) and optional `sentence` (regexes the whole sentence must
    match, e.g. 信息公开, so that a general 行政复议 count is not taken) and `not_after`
    (regexes that must not occur in the sentence before the phrase: 其中, 代表…, a part of
    the whole).  Conservative: only
    phrases that clearly name the quantity; the finding names both places."""
    r = ctx.report
    fmt = ctx.fmt
    if fmt is None or not r.tables:
        return
    seen = set()
    for st in prose_streams(r, "prose", rule.params.get("sections")):
        for name, pats, alts, sent, before, name_en in rule.compiled:
            for pat in pats:
                for m in _finditer(pat, st.text):
                    ns = _group(pat, m, "n")
                    nsp = _gspan(pat, m, "n")
                    if ns is None or nsp is None:
                        continue
                    val = _num(ns)
                    if val is None:
                        continue
                    # the sentence around the phrase
                    a = max(st.text.rfind(ch, 0, m.start()) for ch in "。；;\n") + 1
                    ends = [k for k in (st.text.find(ch, m.end()) for ch in "。；;\n") if k >= 0]
                    b = min(ends) if ends else len(st.text)
                    sentence = st.text[a:b]
                    if sent and not all(s.search(sentence) for s in sent):
                        continue
                    if before and any(x.search(st.text[a:m.start()]) for x in before):
                        continue
                    values = []
                    ok_alt = False
                    for terms in alts:
                        total = Decimal(0)
                        good = True
                        these = []
                        for tkey, row, col in terms:
                            table = r.tables.get(tkey)
                            spec = fmt.table(tkey)
                            if table is None:
                                good = False
                                break
                            v, c = _cell_value(table, spec, row, col)
                            if v is None:
                                good = False
                                break
                            total += v
                            these.append(c)
                        if not good:
                            continue
                        ok_alt = True
                        values.append((total, terms, these))
                    if not ok_alt:
                        continue
                    if any(v == val for v, _t, _c in values):
                        continue
                    tv, terms, these = values[0]
                    key = (name, nsp[0] + 0)
                    if key in seen:
                        continue
                    seen.add(key)
                    spec = fmt.table(terms[0][0])
                    def _where(t, rw, cl, en=False):
                        sp = fmt.table(t)
                        rs = sp.row(rw) if sp else None
                        col = sp.column_display(cl) if sp else cl
                        if en:
                            row_en = f", row “{sp.row_display(rw)}”" if rs is not None and rs.label else ""
                            return f"{table_en(t)}{row_en}, “{col}”"
                        row_txt = f"「{sp.row_display(rw)}」" if rs is not None and rs.label else ""
                        return f"{t}{row_txt}{col}"
                    desc = " + ".join(f"{_where(t, rw, cl)}{fmt_num(c.value) if c.is_number else '（空白，按本行合计）'}"
                                      for (t, rw, cl), c in zip(terms, these))
                    desc_en = " + ".join(f"{_where(t, rw, cl, True)} "
                                         f"{fmt_num(c.value) if c.is_number else '(blank: the sum of its row)'}"
                                         for (t, rw, cl), c in zip(terms, these))
                    yield ctx.emit(rule, st.span(*nsp), {
                        "name": name, "text_value": fmt_num(val), "table_value": fmt_num(tv),
                        "cells": desc, "found": m.group(0).strip(), "table": terms[0][0],
                        "name_en": name_en, "cells_en": desc_en},
                        table=terms[0][0], numbers={"text": val, "table": tv},
                        related=[c.span for c in these])


# ---------------------------------------------------------------------------------------
# enumeration
# ---------------------------------------------------------------------------------------
def _prepare_enum(rule):
    return _compile(rule.params.get("marker", r"(?:^|[。；;，,：:\s(（、])(?P<num>[一二三四五六七八九十]{1,3})是"))


@register("enumeration", optional=("marker",), prepare=_prepare_enum)
def run_enumeration(rule, ctx):
    """Enumerations 一是、二是、三是… in each section: a number is not skipped (一是 … 三是)
    nor repeated (三是 … 三是); a list may restart at 一是 or nest inside another item.  The
    marker regex (named group `num`, a Chinese numeral) can be changed with `marker`."""
    pat = rule.compiled
    for st in prose_streams(ctx.report, "prose"):
        stack: list[int] = []
        for m in _finditer(pat, st.text):
            sp = _gspan(pat, m, "num")
            if sp is None:
                continue
            n = cn_to_int(st.text[sp[0]:sp[1]])
            if n is None:
                continue
            word = st.text[sp[0]:sp[1]] + "是"
            span = st.span(sp[0], sp[1] + 1)
            if n == 1:
                stack.append(1)
                continue
            hit = next((i for i in range(len(stack) - 1, -1, -1) if stack[i] == n - 1), None)
            if hit is not None:
                del stack[hit + 1:]
                stack[hit] = n
                continue
            if not stack:
                prev = "、".join(CN[k - 1] + "是" for k in range(1, min(n, 10)))
                yield ctx.emit(rule, span, {"found": word, "problem": f"前面没有{prev}",
                                            "problem_en": f"comes without {_list_en(prev)} before it",
                                            "expected": "一是", "context": _excerpt(st.text, sp[0], sp[1] + 1, 12)})
                stack.append(n)
                continue
            top = stack[-1]
            if n == top:
                yield ctx.emit(rule, span, {"found": word, "problem": f"与前面的“{word}”重复",
                                            "problem_en": f"repeats the “{word}” before it",
                                            "expected": (CN[n] + "是") if n < 10 else "",
                                            "context": _excerpt(st.text, sp[0], sp[1] + 1, 12)})
            elif n > top + 1:
                skipped = "、".join(CN[k - 1] + "是" for k in range(top + 1, min(n, 11)))
                yield ctx.emit(rule, span, {"found": word, "problem": f"跳过了{skipped}（上一项是“{CN[top - 1]}是”）",
                                            "problem_en": f"skips {_list_en(skipped)} (the item before is “{CN[top - 1]}是”)",
                                            "expected": CN[top] + "是" if top < 10 else "",
                                            "context": _excerpt(st.text, sp[0], sp[1] + 1, 12)})
                stack[-1] = n
            # n < top without a matching list: an unrelated count, left alone


# ---------------------------------------------------------------------------------------
# attachments
# ---------------------------------------------------------------------------------------
def _prepare_attach(rule):
    return _compile(rule.params.get("announce", r"附\s*件\s*\d*\s*[:：]\s*(?P<name>[^\n]{0,60})"))


@register("attachments", optional=("announce", "min_chars"), prepare=_prepare_attach)
def run_attachments(rule, ctx):
    """An attachment announced (“附件：…统计表”) is in the text: after the announcement (and
    the signature) there is content — at least `min_chars` characters (default 40) other than
    further “附件：” lines, or a table.  Otherwise the announcement is reported, with the empty
    “附件：” line as a second place."""
    r = ctx.report
    text = r.text
    pat = rule.compiled
    mn = int(rule.params.get("min_chars", 40))
    hits = list(_finditer(pat, text))
    if not hits:
        return
    first = hits[0]
    name = (_group(pat, first, "name") or "").strip()
    # content after the first announcement: everything that is not an 附件 line, a signature,
    # a date or page debris
    tail_start = first.end()
    tables_after = any(t.span[0] >= tail_start for t in r.tables.values())
    if tables_after:
        return
    rest = text[tail_start:]
    rest_lines = []
    for line in rest.split("\n"):
        s = line.strip()
        if not s or re.match(r"附\s*件\s*\d*\s*[:：]?\s*$", s) or re.match(r"^[\d〇零一二三四五六七八九十]{4}\s*年.*日$", s):
            continue
        if r.metadata.issuer and s == r.metadata.issuer.strip():
            continue
        if name and s == name:
            continue
        rest_lines.append(s)
    content = "".join(rest_lines)
    if len(re.sub(r"\s", "", content)) >= mn:
        return
    if re.search(r"\.(?:docx?|pdf|xlsx?|wps|et|ofd|zip|rar)\b", name, re.I):
        return  # a download link, not an attachment to be printed with the text
    related = [(h.start(), h.end()) for h in hits[1:]]
    if not name:
        if len(hits) > 1:
            return
        name = "（未写名称）"
    yield ctx.emit(rule, (first.start(), first.end()), {"name": name, "name_en": "(no name)" if name == "（未写名称）" else name},
                   related=related)


# ---------------------------------------------------------------------------------------
# section_numbering
# ---------------------------------------------------------------------------------------
@register("section_numbering")
def run_section_numbering(rule, ctx):
    """Section numbers 一、二、三… follow each other: none repeated, none skipped (for reports
    not checked against a statutory format; those are checked by the section-order rule)."""
    secs = ctx.report.sections
    text = ctx.report.text
    # only when every heading starts a line (in one-line page text only the headings with
    # a template title are found, so gaps there mean nothing)
    if not secs or any(text[text.rfind("\n", 0, s.span[0]) + 1:s.span[0]].strip(" \t#") for s in secs):
        return
    prev = None
    seen = {}
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
