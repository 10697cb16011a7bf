"""The prose view of a report, built once by the parser (validator/parse/) and read by the
rules: the report's paragraphs joined into streams that keep, for every character, its
offset in the report text — so a finding in the prose is placed in the user's file.

* one stream for the part before the first section (front matter and preamble) and one per
  section (the signature and what follows it are left out);
* a line break inside a sentence (PDF layout, wrapped page text) is dropped, pinyin debris
  of copied pages (“号(hào)”) is left out, page numbers are skipped;
* a sub-heading is a line of its own: “（三）政府信息管理情况一是…” is the heading
  “（三）政府信息管理情况” and the item “一是…”; “（一）主动公开方面⏎一是甲。” stays two lines.
  Each stream lists where its sub-headings start (``heads``): a list such as 一是、二是…
  restarts under each of them;
* ``whole``: every character of the document as read, tables included (identity offsets),
  for patterns about the characters themselves (markup debris, mojibake, page-break marks);
* ``attachments``: the attachments the report announces (“附件：…统计表”) and what of them
  follows the announcement.

Nothing here reports a problem; the rules do.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import field

from .lazyre import later
from .records import record

# “号(hào)”: a bracket right after a Chinese character (the bracket is matched first and the
# character looked back at, so the regex engine can skip ahead to the next bracket)
PINYIN_DEBRIS = later(r"\((?<=[\u4e00-\u9fff]\()[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")
_PAGE_NO = later(r"^\s*(?:-\s*\d{1,3}\s*-|第\s*\d+\s*页.*|\d{1,3})\s*$")
_SENT_END = "。;；!！?？:："
# a sub-heading: （一）… or 一、… (Chinese numerals) at the start of a paragraph (a numbered
# paragraph: it starts a line of the stream)
_SUBHEAD = later(r"\s*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)\s*")
# any item marker a heading may start with: （一） 一、 （1） 1.
_ANY_MARK = later(r"\s*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|[(（]\d{1,2}[)）]|\d{1,2}[.．、](?!\d))\s*")
# the first item of a list, right after a heading that has no punctuation of its own
_FIRST_ITEM = later(r"[一二三四五六七八九十]{1,3}是")
_SENTENCE_PUNCT = later(r"[。；;：:！!？?]")
MAX_HEADING = 30
# what a page number, a sub-heading or an item marker can start with besides a digit (\d:
# str.isdecimal), after white space (\s: str.isspace)
_MARK_FIRST = frozenset("-第(（一二三四五六七八九十")


class PosMap:
    """The offset in the report text of each character of a stream, kept as runs of
    consecutive offsets (a stream is a few hundred runs, not one integer per character:
    a 3 MB report stays small).  Reads like a list: ``pos[i]``, ``len(pos)``."""

    __slots__ = ("starts", "bases", "n")

    def __init__(self):
        self.starts: list[int] = []   # stream offset where a run starts
        self.bases: list[int] = []    # report offset of that character
        self.n = 0

    def add_run(self, doc_start: int, length: int) -> None:
        if length <= 0:
            return
        if not (self.starts and self.bases[-1] + (self.n - self.starts[-1]) == doc_start):
            self.starts.append(self.n)
            self.bases.append(doc_start)
        self.n += length

    def add_repeat(self) -> None:
        """One character placed where the previous one is (a line break the stream adds)."""
        prev = self[self.n - 1] if self.n else 0
        self.starts.append(self.n)
        self.bases.append(prev)
        self.n += 1

    def __len__(self) -> int:
        return self.n

    def expand(self) -> list[int]:
        """Every offset, as a list (``list(pos)`` without a bisect per character)."""
        out: list[int] = []
        starts, bases = self.starts, self.bases
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else self.n
            out.extend(range(bases[k], bases[k] + e - s))
        return out

    def __getitem__(self, i: int) -> int:
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        k = bisect.bisect_right(self.starts, i) - 1
        return self.bases[k] + i - self.starts[k]


@record
class Stream:
    """Paragraph texts joined into one string; ``pos[i]`` is the offset in the report text of
    character i (``pos`` None: the report text itself)."""

    text: str
    pos: list | None
    section: object = None
    heads: tuple[int, ...] = ()        # offsets in ``text`` where a sub-heading starts

    def span(self, a: int, b: int) -> tuple[int, int]:
        if self.pos is None:
            return (a, b)
        if not self.pos:
            return (0, 0)
        a = min(max(a, 0), len(self.pos) - 1)
        b = min(max(b - 1, a), len(self.pos) - 1)
        return (self.pos[a], self.pos[b] + 1)

    def line_of(self, a: int, b: int) -> str:
        s = self.text.rfind("\n", 0, a) + 1
        e = self.text.find("\n", b)
        return self.text[s:len(self.text) if e < 0 else e]

    def excerpt(self, a: int, b: int, width: int = 8) -> str:
        s = max(0, a - width)
        e = min(len(self.text), b + width)
        return (("…" if s > 0 else "") + self.text[s:e].replace("\n", " ").strip()
                + ("…" if e < len(self.text) else ""))

    def sentence(self, a: int, b: int, stops: str = "。；;\n!！?？") -> tuple[int, int]:
        """Bounds of the sentence around text[a:b]: after the last stop before ``a``, up to the
        first at or after ``b``.  Each stop is looked for only between ``a`` (or ``b``) and the
        nearest found so far: a stop the text does not use (！, ？ …) is not looked for through
        the whole stream each time."""
        text = self.text
        last = -1
        for ch in stops:
            k = text.rfind(ch, last + 1, a)
            if k >= 0:
                last = k
        first = len(text)
        for ch in stops:
            k = text.find(ch, b, first)
            if k >= 0:
                first = k
        return last + 1, first

    def compact(self) -> str:
        """The text without white space (for “does it mention …” questions)."""
        return "".join(self.text.split())


@record
class Attachment:
    """An attachment the report announces (“附件：某某统计表”) and what follows it."""

    name: str
    span: tuple[int, int]                    # the announcement
    content_chars: int                       # characters after it that are not 附件 lines, dates, the issuer
    has_table: bool                          # a table follows the announcement
    link: bool                               # the name is a file to download (.docx, .pdf …)
    more: list[tuple[int, int]] = field(default_factory=list)   # further 附件 lines


@record
class Prose:
    """The prose view of a report that text rules read: preamble, each section, the whole, attachments."""

    preamble: Stream
    sections: list[Stream]
    whole: Stream
    attachments: list[Attachment] = field(default_factory=list)

    def streams(self, scope: str = "prose", sections=None) -> list[Stream]:
        """``text``: the whole document; ``prose``: preamble and sections; ``preamble``;
        ``sections``: the sections only.  ``sections`` limits to those keys (or titles)."""
        if scope == "text":
            return [self.whole]
        out: list[Stream] = []
        if scope in ("prose", "preamble") and not sections:
            out.append(self.preamble)
        if scope == "preamble":
            return out
        for st in self.sections:
            s = st.section
            if sections and s.key not in sections and s.title not in sections:
                continue
            out.append(st)
        return out


def make_stream(paras, section=None) -> Stream:
    """Join paragraphs into a stream (see module doc)."""
    out: list[str] = []
    pos = PosMap()
    # the runs of ``pos`` are added here (PosMap.add_run and add_repeat written out: they were
    # a few calls a paragraph); n is the stream's length so far
    starts, bases = pos.starts, pos.bases
    n = 0
    heads: list[int] = []
    after_heading = False
    for p in paras:
        t = p.text
        if not t or t.isspace():
            continue
        # a page number, a sub-heading, any item marker: each starts (after white space)
        # with a digit or one of _MARK_FIRST — most paragraphs start otherwise, and none of
        # the three is tried on them
        c = t[0]
        if c.isspace():
            c = t.lstrip()[0]
        if c in _MARK_FIRST or c.isdecimal():
            if _PAGE_NO.match(t):
                continue
            sub = _SUBHEAD.match(t)
            mark = sub or _ANY_MARK.match(t)
        else:
            sub = mark = None
        if out:
            last = out[-1][-1] if out[-1] else "\n"
            if after_heading or last in _SENT_END or p.marker or sub is not None:
                out.append("\n")           # placed where the previous character is
                bases.append(bases[-1] + n - 1 - starts[-1] if n else 0)
                starts.append(n)
                n += 1
        base = p.span[0]
        split_at = None
        after_heading = False
        if sub is not None:       # （三）… / 三、…: a sub-heading, under which a list restarts
            heads.append(n + (len(t) - len(t.lstrip())))
        if mark is not None:      # any heading: “（三）政府信息管理情况一是…”, “1.主动公开方面一是…”
            rest = t[mark.end():]
            item = _FIRST_ITEM.search(rest, 0, MAX_HEADING + 3)
            if item is not None and item.start() > 0 and not _SENTENCE_PUNCT.search(rest, 0, item.start()) \
                    and rest[item.start() - 1] not in "，,、":
                split_at = mark.end() + item.start()
            elif len(rest.strip()) <= MAX_HEADING and not _SENTENCE_PUNCT.search(rest.strip()[:-1] or " "):
                after_heading = True                           # “（一）主动公开方面” on its own line
        if split_at is None and t.find("(") < 0:
            # a paragraph of one piece without a bracket (most): no pinyin to leave out
            out.append(t)
            if not (starts and bases[-1] + n - starts[-1] == base):
                starts.append(n)
                bases.append(base)
            n += len(t)
            continue
        pieces = ((0, len(t)),) if split_at is None else ((0, split_at), (split_at, len(t)))
        for k, (a, b) in enumerate(pieces):
            if k:
                out.append("\n")
                bases.append(bases[-1] + n - 1 - starts[-1] if n else 0)
                starts.append(n)
                n += 1
            keep = a
            if t.find("(", a, b) >= 0:
                for m in PINYIN_DEBRIS.finditer(t, a, b):
                    ms = m.start()
                    if ms > keep:
                        out.append(t[keep:ms])
                        # a run of its own unless it goes on from the last one
                        if not (starts and bases[-1] + n - starts[-1] == base + keep):
                            starts.append(n)
                            bases.append(base + keep)
                        n += ms - keep
                    keep = m.end()
            if keep < b:
                out.append(t[keep:b])
                if not (starts and bases[-1] + n - starts[-1] == base + keep):
                    starts.append(n)
                    bases.append(base + keep)
                n += b - keep
    pos.n = n
    return Stream("".join(out), pos, section, tuple(heads))


def strip_pinyin(s: str) -> str:
    return PINYIN_DEBRIS.sub("", s)


# ---------------------------------------------------------------------------------------
# attachments
# ---------------------------------------------------------------------------------------
_ANNOUNCE = later(r"附\s*件\s*\d*\s*[:：]\s*([^\n]{0,60})")
_EMPTY_ANNOUNCE = later(r"附\s*件\s*\d*\s*[:：]?\s*$")
_DATE_ONLY = later(r"^[\d〇零一二三四五六七八九十]{4}\s*年.*日$")
_LINK = later(r"\.(?:docx?|pdf|xlsx?|wps|et|ofd|zip|rar)\b", re.I)


def _attachments(report, text: str) -> list[Attachment]:
    hits = list(_ANNOUNCE.finditer(text))
    if not hits:
        return []
    first = hits[0]
    name = first.group(1).strip()
    tail_start = first.end()
    has_table = any(t.span[0] >= tail_start for t in report.tables.values())
    issuer = (report.metadata.issuer or "").strip()
    rest = []
    for line in text[tail_start:].split("\n"):
        s = line.strip()
        if not s or _EMPTY_ANNOUNCE.match(s) or _DATE_ONLY.match(s):
            continue
        if (issuer and s == issuer) or (name and s == name):
            continue
        rest.append(s)
    chars = len("".join("".join(rest).split()))
    return [Attachment(name, (first.start(), first.end()), chars, has_table, bool(_LINK.search(name)),
                       [(h.start(), h.end()) for h in hits[1:]])]


# ---------------------------------------------------------------------------------------
def build_prose(report) -> Prose:
    """The prose view of a parsed report (called once by validator/parse/build.py)."""
    text = report.source.text
    pre = sorted(list(report.front) + list(report.preamble), key=lambda p: p.span[0])
    preamble = make_stream(pre)
    sig = report.signature
    sections = []
    for s in report.sections:
        paras = list(s.paragraphs)
        if sig is not None and s is report.sections[-1]:
            paras = [p for p in paras if p.span[0] < sig.span[0]]
        sections.append(make_stream(paras, s))
    # does each section heading start its own line (page text of one long line finds only
    # the headings with a template title, so a gap in its numbering means nothing)
    for s in report.sections:
        a = s.span[0]
        s.own_line = not text[text.rfind("\n", 0, a) + 1:a].strip(" \t#")
    return Prose(preamble, sections, Stream(text, None), _attachments(report, text))
