"""File facts outside the report text (``Document.meta``): publication date, title, issuer.

Keys and values (see validator/document.py): ``published``, ``created``, ``modified`` —
ISO dates ``YYYY-MM-DD``; ``title``; ``issuer``.  Each value is ``(text, span)``: the span
in ``source.text`` where the fact is visible in the report text, else None.

HTML pages of government sites carry the facts in ``<meta>`` elements (the national
政府网站网页设计规范 prescribes ``ArticleTitle``, ``PubDate``, ``ContentSource``,
``SiteName``; other CMSs write ``publishdate``, ``firstpublishedtime``,
``article:published_time`` …) and in the visible line under the title
("发布时间：2020-01-21 10:26 来源：平潭综合实验区管委会").  DOCX files carry their core
properties (created, modified).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

# a date in any of the forms pages write: 2020-01-21, 2020/1/21, 2020.01.21, 2020年1月21日,
# 2020-01-21-10:26:00 (gov.cn), 20200121 (compact, only where nothing else can be meant)
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)(?:\s*日)?")
_COMPACT = re.compile(r"^\s*((?:19|20)\d{2})(\d{2})(\d{2})(?:\D|$)")

# "发布日期：…", "发布时间：…" (also 公开/发表), the date right after the label
PUBLISHED_LABEL = re.compile(r"(?:发布|公开|发表|发文)(?:日期|时间)\s*[:：]?\s*(?=[12]\d{3})")
# "来源：…" / "发布机构：…": the body that published the page
ISSUER_LABEL = re.compile(r"(?:信息来源|来源|发布机构|发布单位)\s*[:：]\s*"
                          r"([^\s:：|｜【】\[\]()（）<>]{2,40}?)(?=\s|$|[|｜【\[(（]|发布|时间|日期|浏览|点击|访问|字号|作者|编辑)")

# <meta> names (lower case) → key, in order of preference within each key
META_NAMES = {
    "published": ("pubdate", "publishdate", "publish_date", "publishtime", "pubtime", "firstpublishedtime",
                  "releasedate", "article:published_time", "og:article:published_time", "dc.date.issued",
                  "dcterms.issued", "dc.date", "date"),
    "modified": ("lastmodifiedtime", "article:modified_time", "og:updated_time", "dc.date.modified",
                 "dcterms.modified"),
    "title": ("articletitle", "og:title", "dc.title", "dcterms.title", "title"),
    "issuer": ("contentsource", "source", "dc.publisher", "dcterms.publisher"),
    "site": ("sitename", "og:site_name"),
}


def iso_date(text: str, compact: bool = False) -> str | None:
    """The first real calendar date in ``text`` as ``YYYY-MM-DD`` (None if there is none)."""
    if not text:
        return None
    m = _DATE.search(text)
    if m is None and compact:
        m = _COMPACT.match(text)
    if m is None:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12) or not (1 <= d <= calendar.monthrange(y, mo)[1]):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def date_span(text: str, start: int) -> tuple[str, tuple[int, int]] | None:
    """The date written at ``text[start:]`` (ISO, span of its characters)."""
    m = _DATE.match(text, start)
    if m is None:
        return None
    iso = iso_date(m.group(0))
    return (iso, (m.start(), m.end())) if iso else None


def published_in(text: str, lo: int = 0, hi: int | None = None) -> tuple[str, tuple[int, int]] | None:
    """A "发布日期：…" line in text[lo:hi]: (ISO date, span of the date)."""
    for m in PUBLISHED_LABEL.finditer(text, lo, len(text) if hi is None else hi):
        found = date_span(text, m.end())
        if found:
            return found
    return None


def issuer_in(text: str) -> str | None:
    m = ISSUER_LABEL.search(text)
    return m.group(1) if m else None


def iso_of_datetime(value) -> str | None:
    """A datetime/date (DOCX core properties) as ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return None


_TITLE_SEPARATORS = re.compile(r"\s+[-_|—–－]+\s+|\s*[_|｜—–－]{1,2}\s*")


def clean_title(title: str) -> str:
    """A page ``<title>`` without the site name around it ("报告 - 某某政府网")."""
    t = " ".join(title.split())
    parts = [p for p in _TITLE_SEPARATORS.split(t) if p.strip()]
    if len(parts) <= 1:
        return t
    named = [p for p in parts if "报告" in p or "年报" in p]
    return (named or parts)[0].strip()


def find_span(text: str, value: str, last: bool = False) -> tuple[int, int] | None:
    """Where ``value`` is written in the report text (first or last occurrence)."""
    if not value:
        return None
    i = text.rfind(value) if last else text.find(value)
    return (i, i + len(value)) if i >= 0 else None
