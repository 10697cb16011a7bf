"""Metadata of a report from its parsed parts: the report year and the format it calls for,
title, issuing body, signing date, statistical period and front-matter fields.  Nothing here
reports problems; the metadata rules do."""

from __future__ import annotations

import re

from ..i18n import Msg, msg
from ..model import DateFact, Diagnostic, Period, Report
from ..textutil import cn_to_int
from ..templates import Format, format_for_year, issuer_words
from . import lexer as lx
from .labels import OffsetMap
from ..lazyre import later

_YEAR_IN_TITLE = later(r"(19\d{2}|20\d{2})\s*年\s*度?")
_PERIOD = later(r"(?:统计(?:期限|时限|时间|周期|期)|数据统计|时间段|所列数据)[^。]{0,40}?(?:自|为|是|从)?\s*"
                     r"(\d{4}|[ \t]*)\s*年\s*(\d{1,2})?\s*月?\s*(\d{1,2})?\s*日?\s*(?:起)?\s*(?:至|到|-|—)\s*"
                     r"(\d{4})?\s*年?\s*(\d{1,2})?\s*月?\s*(\d{1,2})?\s*日?")
_ANY_PERIOD = later(r"统计(?:期限|时限|时间|周期)")
_BLANKS = later(r"\s+")
_HASHES = later(r"^#+")
_TITLE_KEY = later(r"\s*-?\s*(?:标题|名称)\s*[:：]\s*")


_PERIOD_START = later(r"(\d{4})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-)")
_YEAR_OF_REPORT = later(r"(20\d{2}|19\d{2})\s*年\s*度?\s*(?:政府信息公开|政务公开|信息公开)")
_ANY_YEAR = later(r"(20\d{2}|19\d{2})\s*年")


def detect_year(text: str, tokens: list, from_text: tuple | None = None
                ) -> tuple[int | None, tuple[int, int] | None, str | None]:
    """The report year from the title, else the preamble (统计期限…), else the text's start.
    ``from_text``: what :func:`text_year` gives for this text, when already known."""
    for t in tokens:
        if t.type == "TITLE":
            para = t.value
            m = _YEAR_IN_TITLE.search(para.text)
            if m:
                a = para.span[0]
                return int(m.group(1)), (a + m.start(1), a + m.end(1)), "title"
    return from_text if from_text is not None else text_year(text)


def search_year(rx, text: str):
    """``rx.search(text)`` for a pattern that starts with a year: four characters (digits),
    blanks (``\\s*``), then 年 — found from the 年 instead.  The engine's search for a pattern
    that starts with a digit tries every position of the text (a few thousand characters,
    three patterns a report); a match has its 年 right after the blanks after its four
    digits, so it can only start four characters before the blanks that end at a 年 (digits
    are not blanks), and matches that start earlier have an earlier 年.  So the first 年 at
    which the pattern matches, from there, is the first match."""
    q = text.find("年")
    while q >= 0:
        p = q
        while p > 0 and text[p - 1].isspace():     # (str.isspace is what \s is in a str pattern)
            p -= 1
        if p >= 4:
            m = rx.match(text, p - 4)
            if m is not None:
                return m
        q = text.find("年", q + 1)
    return None


def text_year(text: str) -> tuple[int | None, tuple[int, int] | None, str | None]:
    """The report year from the start of the text (the 统计期限, the report naming its
    year, any year): :func:`detect_year` without a title."""
    head = text[:3000]
    m = search_year(_PERIOD_START, head)
    if m:
        return int(m.group(1)), (m.start(1), m.end(1)), "period"
    m = search_year(_YEAR_OF_REPORT, head)
    if m:
        return int(m.group(1)), (m.start(1), m.end(1)), "preamble"
    m = search_year(_ANY_YEAR, head)
    if m:
        return int(m.group(1)), (m.start(1), m.end(1)), "text"
    return None, None, None


def choose_format(year: int | None, override: str | None, formats: dict[str, Format]) -> tuple[str | None, Format | None, str]:
    """The format to read a report with, and why (a :class:`~validator.i18n.Msg`: --verbose,
    extract and the page show it in the user's language)."""
    if override and override != "auto":
        f = formats.get(override)
        return override, f, Msg(f"--template {override}")
    if year is None:
        return None, formats.get("2021"), Msg("未能识别报告年度，按2021年格式识别表格",
                                              "report year not recognised; tables read as the 2021 format")
    if year < 2019:
        return "legacy", None, msg("报告年度{y}年早于2019年（适用2008年《条例》）",
                                   "report year {y} is before 2019 (the 2008 Regulations apply)", y=year)
    f = format_for_year(year, formats)
    if f is None:
        return None, formats.get("2021"), msg("报告年度{y}年无对应格式", "no format for the report year {y}", y=year)
    return f.id, f, msg("报告年度{y}年 → {f}年格式", "report year {y} → the {f} format", y=year, f=f.id)



def fill_metadata(report: Report) -> None:
    """Report year (already read), title, issuing body, signing/publication date,
    statistical period and front-matter fields, from the title, front matter, preamble and
    signature.  Nothing here reports problems; the metadata rules do."""
    md = report.metadata
    text = report.source.text
    pre = [p for p in report.front + report.preamble if p.text.strip()]
    pre.sort(key=lambda p: p.span[0])
    # front matter: "索引号: … 发布日期: …" (several per line, "- " list prefixes,
    # pinyin debris such as 发(fā)布日期 from a copied page)
    for p in pre[:14]:
        clean, cmap = _strip_pinyin(p.text)
        keys = _front_keys(clean)
        for i, m in enumerate(keys):
            key = _BLANKS.sub("", m.group(1))
            vstart = m.end()
            vend = keys[i + 1].start() if i + 1 < len(keys) else len(clean)
            raw = clean[vstart:vend]
            if key in _META_DATE_KEYS:
                dm = _META_DATE.match(raw)
                if not dm:
                    if key != "时间":
                        md.front.setdefault(key, ("", (p.span[0] + cmap[vstart], p.span[0] + cmap[vstart])))
                    continue
                a, b = vstart + dm.start(1), vstart + dm.end(1)
            else:
                lead = len(raw) - len(raw.lstrip())
                a = vstart + lead
                val = raw.strip()
                cut = re.search(r"\s{2,}|\s(?=[^\s]*[:：])", val) if len(val) > 40 else None
                b = a + (cut.start() if cut else len(val))
                if len(val) > 80 and not cut:
                    continue
            val = clean[a:b].strip()
            span = (p.span[0] + cmap[a], p.span[0] + cmap[max(a, b - 1)] + (1 if b > a else 0))
            md.front.setdefault(key, (val, span))
    # statistical period, possibly wrapped over several lines (PDF layout)
    head, hmap = _join_paras(pre[:14] + (report.sections[0].paragraphs[:2] if report.sections else []))
    m = _ANY_PERIOD.search(head)
    if m:
        seg_end = len(head)
        for stop in ("。", "\n", ",电子", ";"):
            k = head.find(stop, m.start())
            if 0 <= k < seg_end:
                seg_end = k
        seg_end = min(seg_end, m.start() + 60)
        md.period = head[m.start():seg_end]
        md.period_span = (hmap[m.start()], hmap[max(m.start(), seg_end - 1)] + 1)
    # title: a title line; else the front matter (标题/名称); else a title at the start of
    # the first paragraph (page text: breadcrumbs, then the title, then the body); else
    # the report naming itself in the preamble (“编制了《…年度报告》”)
    if md.title is not None and md.title_span is not None:
        km = _TITLE_KEY.match(md.title)
        if km:  # a front-matter line "- 标题: …" read as the title line
            md.title = md.title[km.end():].strip()
            md.title_span = (md.title_span[0] + km.end(), md.title_span[1])
    if md.title is None:
        for key in ("标题", "名称"):
            if key in md.front and _TITLE_WORDS.search(md.front[key][0]):
                md.title, md.title_span = md.front[key][0], md.front[key][1]
                break
    if md.title is None:
        short = [p for p in pre[:4] if len(p.text.strip()) <= 40]
        for i in range(len(short)):
            if not re.search(r"(?:19|20)\d{2}", short[i].text):
                continue
            joined = "".join(q.text.strip() for q in short[i:i + 3])
            if _TITLE_AT.match(joined) and i + 1 < len(short):
                for j in range(i + 1, min(i + 3, len(short)) + 1):
                    part = "".join(q.text.strip() for q in short[i:j])
                    if _TITLE_AT.fullmatch(part):
                        md.title = part
                        md.title_span = (short[i].span[0], short[j - 1].span[1])
                        break
            if md.title:
                break
    if md.title is None and pre:
        first = pre[0] if not _META_KEY.match(pre[0].text) else None
        for p in [q for q in pre[:3] if q is not first] if first is None else [first]:
            m = _TITLE_IN_LINE.search(p.text[:300])
            if m:
                md.title = m.group(1)
                md.title_span = (p.span[0] + m.start(1), p.span[0] + m.end(1))
                break
    if md.title is None:
        for p in pre[:3]:
            m = _SELF_NAMED.search(p.text[:600])
            if m:
                g = "t1" if m.group("t1") else "t2"
                md.title = m.group(g)
                md.title_span = (p.span[0] + m.start(g), p.span[0] + m.end(g))
                break
    if md.title is None and pre:
        # a title line without a year (“政府信息公开工作年度报告”), reported by the title rule
        t = pre[0].text.strip()
        if len(t) <= 40 and re.search(r"(?:年度报告|工作报告|年报)$", re.sub(r"[\s()（）]", "", t)) \
                and not re.search(r"\d", t) and "。" not in t:
            md.title, md.title_span = t, pre[0].span
    # issuing body and date: the signature; else an org line + date line near the end
    # (possibly followed by an empty "附件：" or page debris); else the preamble
    if md.date is None or md.issuer is None:
        tail = _last_paragraphs(report, 8)
        for i in range(len(tail) - 1, -1, -1):
            dm = lx._DATE_LINE.match(tail[i].text)
            if not dm:
                continue
            if md.date is None:
                d = _date_tuple(dm)
                if d:
                    md.date, md.date_span = d, tail[i].span
            if md.issuer is None and i > 0:
                prev = tail[i - 1].text.strip()
                if len(prev) <= 40 and lx.signs_as_issuer(prev) and "。" not in prev:
                    md.issuer, md.issuer_span = prev, tail[i - 1].span
            break
    if md.date is None:
        for p in pre[:4]:
            dm = lx._DATE_LINE.match(p.text.strip().strip("()（）"))
            if dm and _date_tuple(dm):
                md.date, md.date_span = _date_tuple(dm), p.span
                break
    if md.issuer is None and md.title:
        # the body named in the title, before the year or between the year and 政府信息公开
        t0 = md.title
        m = re.match(r"\s*(?:#+\s*)?([^\s\d:：]{2,30}?)\s*(?:19|20)\d{2}\s*年", t0) or \
            re.match(r"\s*(?:#+\s*)?(?:19|20)\d{2}\s*年\s*度?\s*([^\s\d:：]{2,20}?)\s*(?:政府信息公开|信息公开|政务公开)", t0)
        name = m.group(1) if m else ""
        if name.endswith("政府") and t0[m.end(1):].lstrip().startswith("信息公开"):
            name = name[:-2]
        if len(name) >= 2 and not re.search(r"关于|印发|通知", name) and md.title_span:
            md.issuer = name
            raw_t = text[md.title_span[0]:md.title_span[1]]
            k = raw_t.find(name)
            md.issuer_span = ((md.title_span[0] + k, md.title_span[0] + k + len(name)) if k >= 0
                              else md.title_span)
    if md.issuer is None and md.title_span is not None:
        # the line just above the title ("淮安市人民政府" / "2024 年政府信息公开工作年度报告")
        for p in pre[:3]:
            t = p.text.strip()
            if p.span[1] <= md.title_span[0] and len(t) <= 30 and lx.signs_as_issuer(t) \
                    and not re.search(r"[\d:：]", t):
                md.issuer, md.issuer_span = t, p.span
    if md.issuer is None:
        for key in ("发布机构", "发文机关", "发文单位", "所属机构"):
            if key in md.front and md.front[key][0] and md.front[key][0] not in ("无", "-"):
                md.issuer, md.issuer_span = md.front[key]
                break
    typed_facts(report, head, hmap)
    report_diagnostics(report)


# ---------------------------------------------------------------------------------------
# typed facts: the period as dates, signing and publication dates, the issuer's kind.  The
# rules compare these; none of them reads the text or a date again.
# ---------------------------------------------------------------------------------------
_DATE_IN = later(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD_WORD = later(r"统计(?:期限|时限|时间|周期|期间|区间)|数据统计(?:期|时段)")
_PERIOD_BLANK = later(r"[\s自为是从起至到止年月日度\-—~～:：]*")
_UNWORDED_PERIOD = later(r"(?:(\d{4})\s*年\s*)?1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|-|—)\s*(?:(\d{4})\s*年\s*)?"
                              r"12\s*月\s*31\s*日")
#: where a publication date is written in the front matter of a copied page, by preference
PUBLICATION_KEYS = ("发布日期", "发布时间", "时间", "生成日期", "成文日期", "发文日期")
_FRONT_DATE = later(r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})")


def _real(y: int, m: int, d: int) -> tuple[int, int, int] | None:
    import calendar
    if 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]:
        return (y, m, d)
    return None


def _iso(value: str) -> tuple[int, int, int] | None:
    m = _FRONT_DATE.search(value or "")
    return _real(*(int(x) for x in m.groups())) if m else None


def read_period(text: str, span, year: int | None, worded: bool = True) -> Period:
    """The statistical period as written: its dates (a missing year is the report year for
    the start, the start's year for the end), or that only its frame is written."""
    p = Period(text, span, worded=worded)
    dates = [(m.group(1), int(m.group(2)), int(m.group(3))) for m in _DATE_IN.finditer(text)]
    if not dates:
        after = _PERIOD_WORD.sub("", text, count=1)[:20]
        p.blank = bool(_PERIOD_BLANK.fullmatch(after) and re.search(r"自|至|到|为", after))
        return p
    y1, m1, d1 = dates[0]
    y1 = int(y1) if y1 else year
    if y1 is not None:
        p.start = (y1, m1, d1)
    if len(dates) < 2:
        p.open_end = bool(re.search(r"(?:至|到)\s*(?:止|$|[,，。])", text))
        return p
    y2, m2, d2 = dates[1]
    y2 = int(y2) if y2 else y1
    if y2 is not None:
        p.end = (y2, m2, d2)
    return p


def issuer_kind_of(name: str | None) -> str | None:
    """'government' | 'department' | None (a development zone's committee is neither clearly),
    from the end of the name, by the words of ``issuers`` in rules/formats/common.yaml (the
    --issuer-kind option overrides it)."""
    name = _BLANKS.sub("", name or "")
    if not name:
        return None
    w = issuer_words()
    if any(z in name for z in w.undecided) and not name.endswith(w.undecided_unless):
        return None
    if name.endswith(w.department):
        return "department"
    if name.endswith(w.government):
        return "government"
    return None


def typed_facts(report: Report, head: str = "", hmap=None) -> None:
    md = report.metadata
    if md.title:
        md.title_clean = _BLANKS.sub("", _HASHES.sub("", md.title))
    # the statistical period
    if md.period is not None and md.period_span is not None:
        md.statistical_period = read_period(md.period, md.period_span, md.year)
    elif head:
        m = _UNWORDED_PERIOD.search(head[:3000])
        if m and hmap:
            span = (hmap[m.start()], hmap[max(m.start(), m.end() - 1)] + 1)
            md.statistical_period = read_period(m.group(0), span, md.year, worded=False)
    # dates: signed, published (front matter of a copied page, page metadata), file created
    if md.date and _real(*md.date):
        md.signed = DateFact(md.date, md.date_span, "落款日期", "the date signed", "signature")
    for key in PUBLICATION_KEYS:
        if key in md.front and md.front[key][0]:
            d = _iso(md.front[key][0])
            if d:
                md.dates.append(DateFact(d, md.front[key][1], "发布日期", "the publication date", "front-matter"))
                break
    meta = getattr(report.document, "meta", None) or {}
    for key, how, how_en, src in (("published", "发布日期", "the publication date", "page-meta"),
                                  ("created", "文件生成日期", "the file's creation date", "file-meta")):
        val = meta.get(key)
        if not val:
            continue
        text, span = (val if isinstance(val, tuple) else (val, None))
        d = _iso(str(text))
        if d and not any(f.date == d and f.how == how for f in md.dates):
            md.dates.append(DateFact(d, span, how, how_en, src))
    md.published = next((f for f in md.dates if f.how == "发布日期"), None)
    md.issuer_kind = issuer_kind_of(md.issuer)
    md.issuer_kind_how = "name" if md.issuer_kind else ""


def report_diagnostics(report: Report) -> None:
    """What kind of report this is, as diagnostics (rules/structure.yaml says which rule
    reports which): not an annual report, a report on a year before 2019, year unknown."""
    md = report.metadata
    start = md.title_span or (0, 0)
    if report.kind == "not-report":
        report.diagnostics.append(Diagnostic("not-report", start, {}))
        return
    if report.template == "legacy":
        report.diagnostics.append(Diagnostic("legacy-report", md.year_span or start,
                                             {"year": md.year, "reason": report.template_reason}))
    elif md.year is None:
        report.diagnostics.append(Diagnostic("year-unknown", start, {"reason": report.template_reason}))

def _last_paragraphs(report: Report, n: int) -> list:
    paras = list(report.preamble) if not report.sections else list(report.sections[-1].paragraphs)
    return paras[-n:]


_META_KEYS = ("索引号", "发布机构", "发布日期", "成文日期", "生成日期", "公开方式", "公开范围", "主题分类", "文号",
              "发文字号", "信息来源", "来源", "发文机关", "发文单位", "发文日期", "标题", "名称", "分类", "时效",
              "关键词", "有效性", "发布时间", "时间", "所属机构", "体裁分类", "组配分类", "服务对象")
_KEY_WORDS = "|".join(r"\s?".join(k) for k in sorted(_META_KEYS, key=len, reverse=True))
_META_KEY = later(r"(?:^|(?<=[\s|]))-?\s*(%s)\s*[:：]" % _KEY_WORDS)
# a key and its colon, wherever they are: the engine skips ahead to a key's first character
# (_META_KEY, which starts with a look-behind, is tried at every character)
_KEY_AND_COLON = later(r"(?:%s)\s*[:：]" % _KEY_WORDS)
_META_DATE_KEYS = ("发布日期", "成文日期", "生成日期", "发文日期", "发布时间", "时间")
_META_DATE = later(r"\s*((?:19|20)\d{2}\s*(?:年|-|/|\.)\s*\d{1,2}\s*(?:月|-|/|\.)\s*\d{1,2}\s*日?)")
_PINYIN = later(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)")
_TITLE_WORDS = later(r"(?:19|20)\d{2}\s*年.*(?:报告|年报)")
_TITLE_AT = later(r"[^\s。，,；;:：]{0,40}?(?:19|20)\d{2}\s*年\s*度?[^。，,；;]{0,40}?(?:年度报告|工作报告|年报)")
_TITLE_IN_LINE = later(r"(?:^|\s)((?:(?!当前位置)[^\s。，,；;:：])*?(?:19|20)\d{2}\s*年\s*度?[^\s。，,；;:：]{0,40}?(?:年度报告|工作报告|年报))(?=\s|$|[,，。])")
_SELF_NAMED = later(r"《(?P<t1>[^》]{0,40}(?:19|20)\d{2}\s*年[^》]{0,30}(?:年度报告|工作报告|年报))》"
                         r"|(?:编制|公布|发布)了?(?P<t2>[^\s,，。《》]{0,30}?(?:19|20)\d{2}\s*年\s*度?[^\s,，。《》]{0,30}?(?:年度报告|工作报告))")


def _front_keys(clean: str) -> list:
    """``list(_META_KEY.finditer(clean))``, looked for only from where it can start.  Each of
    its matches is a key and a colon (a match of _KEY_AND_COLON) after a '-' and white space:
    none before the first key and colon, less that white space and '-' (a key is no white
    space: a later key's white space cannot reach back over the first key).  A paragraph
    without a key and a colon (most: body text with a colon) is not scanned at every
    character."""
    if ":" not in clean and "：" not in clean:
        return []
    first = _KEY_AND_COLON.search(clean)
    if first is None:
        return []
    at = first.start()
    while at and clean[at - 1].isspace():     # (str.isspace is the pattern's \s)
        at -= 1
    if at and clean[at - 1] == "-":
        at -= 1
    # (with a start position, ^ matches only at 0 and the look-behind sees clean[at - 1])
    return list(_META_KEY.finditer(clean, at))


def _strip_pinyin(s: str) -> tuple[str, list[int] | range]:
    """Text without pinyin debris “号(hào)”, with a map back to the offsets of s (a range
    when there is none, as in nearly every paragraph: no list of an integer per character)."""
    out, idx, pos = [], [], 0
    for m in _PINYIN.finditer(s):
        out.append(s[pos:m.start()])
        idx.extend(range(pos, m.start()))
        pos = m.end()
    if not pos:
        return s, range(len(s) + 1)
    out.append(s[pos:])
    idx.extend(range(pos, len(s)))
    idx.append(len(s))
    return "".join(out), idx


def _join_paras(paras) -> tuple[str, OffsetMap]:
    """Paragraph texts joined into one string (a line break inside a sentence is dropped),
    with the offset in the document of every character (a line break added: that of the
    character before it; one past the end: the last one's + 1)."""
    out: list[str] = []
    idx = OffsetMap([], [], 0)   # runs, one a paragraph: two characters are looked up, once a report
    starts, bases = idx.starts, idx.bases
    n = 0
    last_offset = None   # the document offset of the last character added
    last = None  # the last character added (slices instead of a loop per character)
    for p in paras:
        if last is not None and last in "。;；!！?？:：":
            out.append("\n")
            starts.append(n)
            bases.append(last_offset)
            n += 1
            last = "\n"
        t = p.text
        if t:
            out.append(t)
            starts.append(n)
            bases.append(p.span[0])
            n += len(t)
            last_offset = p.span[0] + len(t) - 1
            last = t[-1]
    starts.append(n)
    bases.append(last_offset + 1 if last_offset is not None else 0)
    idx.n = n + 1
    return "".join(out), idx


def _date_tuple(m) -> tuple[int, int, int] | None:
    def num(s):
        if s.isdigit():
            return int(s)
        if len(s) == 4:  # 二〇一九
            d = {c: i for i, c in enumerate("〇一二三四五六七八九")}
            d["零"] = 0
            return int("".join(str(d.get(c, 0)) for c in s))
        return cn_to_int(s)
    try:
        y, mo, d = num(m.group(1)), num(m.group(2)), num(m.group(3))
    except (TypeError, ValueError):
        return None
    if not y or not mo or not d or not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return y, mo, d
