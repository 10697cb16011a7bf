"""Which checked reports belong together: the same issuer's reports of consecutive years
(last year's report is checked against this year's), copies of one report (same issuer,
same year), and other issuers' reports of the same year (for copied text).

Issuer and year come from the model (``report.metadata.issuer``, ``.year``).  When a
report's issuer could not be read, it is taken from the issuers of the *other* reports of
the same run that its own prose (preamble and 一、总体情况) names — clearly more often than
any other — and the listing says so; nothing is made up from the text alone.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from .issuer import Issuer, mentions, parse_issuer


@dataclass
class Entry:
    path: str
    year: int | None
    issuer: Issuer | None
    issuer_from: str            # "metadata" | "prose" | ""
    format: str | None          # text / pdf / html …
    template: str | None


@dataclass
class Pairing:
    pairs: list[tuple[Entry, Entry]] = field(default_factory=list)      # (previous, this)
    copies: list[list[Entry]] = field(default_factory=list)             # same issuer and year
    peers: dict[str, list[Entry]] = field(default_factory=dict)         # path -> other issuers' reports of its year
    unpaired: list[tuple[Entry, str]] = field(default_factory=list)     # (entry, why)


def _own_prose(report) -> str:
    paras = list(report.front) + list(report.preamble)
    if report.sections:
        paras += list(report.sections[0].paragraphs)
    return "\n".join(p.text for p in paras)


def _opening(report) -> str:
    """The head of the first sentence of the preamble and of 一、总体情况 (where a report
    names itself: “2024年，平潭综合实验区坚持…”, “本报告由淮安市人民政府办公室编制”)."""
    out = []
    for paras in (list(report.preamble), list(report.sections[0].paragraphs) if report.sections else []):
        body = "".join(p.text for p in paras[:3])
        first = re.split(r"[。；;!！?？]", body, maxsplit=1)[0]
        out.append(first[:40])
    return "\n".join(out)


def entries(reports) -> list[Entry]:
    """Entries of reports (model objects with .source.path; any iterable, read once, so the
    models may be loaded one at a time); issuers that could not be read are taken from the
    others' when the report's prose clearly names one of them."""
    out = []
    prose: dict[int, tuple[str, str]] = {}    # entry index -> (own prose, opening), issuer unread
    for r in reports:
        md = r.metadata
        iss = parse_issuer(md.issuer)
        if iss is None:
            prose[len(out)] = (_own_prose(r), _opening(r))
        out.append(Entry(r.source.path, md.year, iss, "metadata" if iss else "",
                         getattr(r.source, "format", None), r.template))
    known: dict[str, Issuer] = {}
    for e in out:
        if e.issuer is not None:
            known.setdefault(e.issuer.key, e.issuer)
    for i, e in enumerate(out):
        if e.issuer is not None or not known:
            continue
        text, opening = prose[i]
        counts = sorted(((mentions(text, iss), key) for key, iss in known.items()), reverse=True)
        best, key = counts[0]
        second = counts[1][0] if len(counts) > 1 else 0
        # named clearly more often than any other issuer, or named once, by no other, as the
        # subject of the report's opening sentence (“2024年，平潭综合实验区坚持…”)
        if (best >= 2 and best >= 2 * second) or (best == 1 and second == 0 and
                                                  mentions(opening, known[key]) == 1):
            e.issuer = known[key]
            e.issuer_from = "prose"
    return out


def _closeness(a: Entry, b: Entry):
    """Prefer the copy in the same rendering, then in the same directory."""
    return (a.format != b.format, os.path.dirname(a.path) != os.path.dirname(b.path), b.path)


def pair(entries_: list[Entry]) -> Pairing:
    out = Pairing()
    groups: list[list[Entry]] = []
    for e in entries_:
        if e.issuer is None or e.year is None:
            out.unpaired.append((e, "未能读出发布机关" if e.issuer is None else "未能读出报告年度"))
            continue
        for g in groups:
            if g[0].issuer.same_as(e.issuer):
                g.append(e)
                break
        else:
            groups.append([e])
    for g in groups:
        by_year: dict[int, list[Entry]] = {}
        for e in g:
            by_year.setdefault(e.year, []).append(e)
        for y, es in sorted(by_year.items()):
            if len(es) > 1:
                out.copies.append(sorted(es, key=lambda e: e.path))
            prev = by_year.get(y - 1)
            if not prev:
                continue
            for e in sorted(es, key=lambda e: e.path):
                best = min(prev, key=lambda p: _closeness(e, p))
                out.pairs.append((best, e))
    for e in entries_:
        if e.issuer is None or e.year is None:
            continue
        others = []
        for g in groups:
            if g[0].issuer.same_as(e.issuer):
                continue
            same_year = [x for x in g if x.year == e.year]
            if same_year:
                others.append(min(same_year, key=lambda p: _closeness(e, p)))
        if others:
            out.peers[e.path] = sorted(others, key=lambda x: x.path)
    out.pairs.sort(key=lambda pe: (pe[1].path, pe[0].path))
    return out
