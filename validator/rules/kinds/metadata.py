"""Kinds of the report's dates (rules/metadata.yaml).  The parser reads the dates once into
typed metadata (validator/parse/metadata.py: the statistical period as dates, the signing
date, the publication date from the front matter of a copied page, the page's metadata or
the file's); the kind compares them and never reads a date from the text.

  dates   the statistical period is stated and is the report year; the report is published
          by the deadline; no date is impossible
"""

from __future__ import annotations

from ...i18n import Msg
from ..schema import Choice, Int, MonthDay, Obj, Param
from . import KindError, Plain, iso, register

_DEADLINES = Obj([
    Param("government", MonthDay(), default=None, doc="县级以上地方人民政府", doc_en="people's governments"),
    Param("department", MonthDay(), default=None, doc="县级以上人民政府部门", doc_en="government departments"),
    Param("legacy", MonthDay(), default=None, doc="2019年以前的年度报告（2008年《条例》）", doc_en="reports on years before 2019"),
])
WHO = {"government": "发布机关为县级以上地方人民政府", "department": "发布机关为县级以上人民政府部门"}
WHO_EN = {"government": "the issuer is a local people's government", "department": "the issuer is a government department"}


def _prepare_dates(rule):
    p = rule.params
    if p["check"] == "deadline":
        dl = p["deadlines"]
        if dl is None or not any(dl.values()):
            raise KindError("deadlines", Msg("缺少：check: deadline 需要 deadlines（如 {government: 3-31, department: 1-31}）",
                                             "missing: check: deadline needs deadlines (such as {government: 3-31, department: 1-31})"))
    elif p["deadlines"] is not None:
        raise KindError("deadlines", Msg("只用于 check: deadline", "is only for check: deadline"))
    return None


def _d(date) -> str:
    return Plain(f"{date[0]}年{date[1]}月{date[2]}日")


@register("dates", "metadata", params=[
    Param("check", Choice("period-stated", "period", "deadline", "impossible"), required=True,
          doc="period-stated：说明了统计期限；period：统计期限是报告年度的1月1日至12月31日；"
              "deadline：在期限前公布；impossible：日期不可能（落款或发布早于统计期限结束、发布早于落款、落款年份远离报告年度）",
          doc_en="period-stated: the statistical period is stated; period: it is 1 Jan – 31 Dec of the report year; "
                 "deadline: published by the deadline; impossible: a date that cannot be (signed or published before the "
                 "period ended, published before signed, signed years after)"),
    Param("deadlines", _DEADLINES, default=None,
          doc="check: deadline 时各类发布机关公布上一年度报告的期限（月-日）",
          doc_en="with check: deadline, the deadline (month-day) for each kind of issuer"),
    Param("max_years_after", Int(1, 20), default=2,
          doc="check: impossible 时落款年份最多比报告年度晚几年", doc_en="with check: impossible, how many years after the report year a signing date may be"),
], prepare=_prepare_dates, doc="""报告的日期（由解析器读出一次：统计期限、落款日期、发布日期——转载页面的“发布日期/发布时间”、
网页元数据或文件信息中的日期）。check: period-stated —— 说明了统计期限；period —— 统计期限为报告年度的1月1日至12月31日、
没有空着；deadline —— 发布日期（没有时为落款日期）不晚于 deadlines 中该类发布机关的期限（发布机关类别按 --issuer-kind
或名称判断，无法判断时按最晚的期限）；impossible —— 落款或发布早于统计期限结束、发布早于落款、落款年份比报告年度晚
max_years_after 年以上。""",
   doc_en="""The report's dates, read once by the parser (the statistical period, the signing date, the
publication date from a copied page's 发布日期/发布时间, the page's metadata or the file's).
``check: period-stated``: the period is stated; ``period``: it is 1 January – 31 December of the
report year and not left blank; ``deadline``: the publication date (else the signing date, else
the file's creation date) is not after the deadline of ``deadlines`` for the issuer's kind
(``--issuer-kind`` or the issuer's name; the latest deadline when unknown) — the same finding
whatever rendering carries the date; ``impossible``: signed or published before the period ended,
published before signed, signed more than ``max_years_after`` years after the report year.""")
def run_dates(rule, ctx):
    yield from _CHECKS[rule.params["check"]](rule, ctx)


def _period_stated(rule, ctx):
    r = ctx.report
    md = r.metadata
    # only when the beginning of the report is there (not an excerpt starting at 二、)
    if not r.preamble and not (r.sections and r.sections[0].number == 1):
        return
    if md.statistical_period is None and md.year is not None:
        span = md.title_span or (r.preamble[0].span if r.preamble else (0, 0))
        yield ctx.emit(rule, span, {"year": md.year, "detail": "报告没有说明数据的统计期限",
                                    "detail_en": "the report does not state the period its figures cover"})


def _period(rule, ctx):
    md = ctx.report.metadata
    per = md.statistical_period
    year = md.year
    if per is None or year is None or not per.worded:
        return
    found = per.text.strip()
    if per.start is None and per.end is None:
        if per.blank:
            yield ctx.emit(rule, per.span, {"year": year, "found": found,
                                            "detail": f"没有填写起止日期，应为{year}年1月1日至{year}年12月31日",
                                            "detail_en": f"the dates are left blank; it should be 1 January to 31 December {year}"})
        return
    if per.end is None:
        if per.open_end:
            yield ctx.emit(rule, per.span, {"year": year, "found": found,
                                            "detail": f"只写了起始日期，没有截止日期（应为{year}年12月31日）",
                                            "detail_en": f"only the start date is given, the end date (31 December {year}) is missing"})
        return
    problems, problems_en = [], []
    if per.start != (year, 1, 1):
        problems.append(f"起始日期为{_d(per.start)}")
        problems_en.append(f"it starts on {iso(per.start)}")
    if per.end != (year, 12, 31):
        problems.append(f"截止日期为{_d(per.end)}")
        problems_en.append(f"it ends on {iso(per.end)}")
    if problems:
        yield ctx.emit(rule, per.span, {"year": year, "found": found,
                                        "detail": "，".join(problems) + f"，应为{year}年1月1日至{year}年12月31日",
                                        "detail_en": " and ".join(problems_en) + f"; it should be 1 January to 31 December {year}"})


def _publication(md):
    """The date the deadline is checked on: published, else signed, else the file's creation."""
    if md.published is not None:
        return md.published
    if md.signed is not None:
        return md.signed
    return next((f for f in md.dates if f.origin == "file-meta"), None)


def _deadline(rule, ctx):
    r = ctx.report
    md = r.metadata
    if md.year is None:
        return
    fact = _publication(md)
    if fact is None:
        return
    dl = {k: v for k, v in rule.params["deadlines"].items() if v is not None}
    if r.template == "legacy":
        limit = dl.get("legacy")
        who = "2019年以前的报告适用2008年《条例》第三十一条"
        who_en = "reports before 2019 fall under Article 31 of the 2008 Regulations"
    else:
        kind, how = ctx.kind_of_issuer()
        if kind is None or kind not in dl:
            known = [v for k, v in dl.items() if k in WHO]
            limit = max(known) if known else None
            who = "未能判断发布机关是人民政府还是部门，按较晚的期限"
            who_en = "whether the issuer is a government or a department is unknown; the later deadline applies"
        else:
            limit = dl[kind]
            who, who_en = WHO[kind], WHO_EN[kind]
            if how == "name":
                who += f"，按名称“{md.issuer}”判断，可用 --issuer-kind 指定"
                who_en += f", judged from its name “{md.issuer}” (see --issuer-kind)"
    if limit is None:
        return
    date = fact.date
    due = (md.year + 1, limit[0], limit[1])
    if date <= due or date <= (md.year, 12, 31):
        return  # in time; or a date inside the report year, which check: impossible reports
    span = fact.span or md.title_span or (0, 0)
    yield ctx.emit(rule, span, {"how": fact.how, "date": _d(date), "due": _d(due), "who": who, "year": md.year,
                                "how_en": fact.how_en, "date_en": iso(date), "due_en": iso(due), "who_en": who_en},
                   numbers={"year": md.year})


def _impossible(rule, ctx):
    md = ctx.report.metadata
    year = md.year
    if year is None:
        return
    per = md.statistical_period
    end = per.end if per is not None and per.end is not None and per.worded else (year, 12, 31)
    end_text = f"统计期限的截止日期{_d(end)}" if end != (year, 12, 31) else f"{year}年度结束"
    end_en = f"the end of the statistical period ({iso(end)})" if end != (year, 12, 31) else f"the end of {year}"
    found = []
    if md.signed is not None and md.signed.date <= end:
        found.append((md.signed, f"早于{end_text}：年度报告在报告年度结束后落款，年份可能写错了",
                      f"it is before {end_en}; a report is signed after its year, so the year is probably wrong"))
    if md.published is not None and md.published.date <= end:
        found.append((md.published, f"早于{end_text}：报告不可能在统计期限结束前发布，日期可能写错了",
                      f"it is before {end_en}; a report cannot be published before its period ends"))
    if md.signed is not None and md.published is not None and md.published.date < md.signed.date \
            and md.published.date > end:
        found.append((md.published, f"早于落款日期{_d(md.signed.date)}：发布不可能早于落款，其中一个日期写错了",
                      f"it is before the date signed ({iso(md.signed.date)}); one of the two dates is wrong"))
    if md.signed is not None and md.signed.date[0] > year + rule.params["max_years_after"]:
        found.append((md.signed, f"比报告年度晚{md.signed.date[0] - year}年：年份可能写错了",
                      f"it is {md.signed.date[0] - year} years after the report year; the year is probably wrong"))
    for fact, problem, problem_en in found:
        span = fact.span or md.title_span or (0, 0)
        yield ctx.emit(rule, span, {"how": fact.how, "date": _d(fact.date), "year": year, "problem": problem,
                                    "how_en": fact.how_en, "date_en": iso(fact.date), "problem_en": problem_en})


_CHECKS = {"period-stated": _period_stated, "period": _period, "deadline": _deadline, "impossible": _impossible}
