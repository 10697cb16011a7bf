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
from collections.abc import Mapping
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


class _Heads:
    """The groups of a batch by the issuer of their first report, found for an issuer without
    trying every group: :meth:`Issuer.same_as` holds when the keys agree and one chain of
    units ends the other, so a group is filed under its head's whole chain and under every
    chain that ends it."""

    def __init__(self):
        self._whole: dict[tuple, list[int]] = {}
        self._ends: dict[tuple, list[int]] = {}

    def add(self, gi: int, head: Issuer) -> None:
        self._whole.setdefault((head.key, head.units), []).append(gi)
        for i in range(len(head.units) + 1):
            self._ends.setdefault((head.key, head.units[i:]), []).append(gi)

    def same(self, issuer: Issuer, groups: list[list[Entry]]) -> list[int]:
        """The groups whose head is the same issuer (Issuer.same_as), in the order they were added."""
        if not issuer.key:
            return []
        found = set(self._ends.get((issuer.key, issuer.units), ()))     # issuer's chain ends the head's
        for i in range(len(issuer.units) + 1):                           # the head's chain ends the issuer's
            found.update(self._whole.get((issuer.key, issuer.units[i:]), ()))
        return sorted(gi for gi in found if groups[gi][0].issuer.same_as(issuer))


class Peers(Mapping):
    """Other issuers' reports of each report's year: path -> one report of every other issuer
    that has a report of that year (the closest copy: same rendering, then same directory),
    sorted by path; only reports that have such peers are keys (in the order of the batch).

    Computed on demand: a batch of N reports of one year from N issuers has N × (N − 1) such
    pairs, and is never listed whole (the cross step asks :meth:`is_peer` of the pairs its
    index of shared text proposes, validator/cross/peers.py)."""

    def __init__(self, groups: list[list[Entry]], heads: _Heads, ordered: list[Entry]):
        self._groups = groups
        self._heads = heads
        self._group_of: dict[str, int] = {}
        self._group_years: list[set] = []
        self._years: dict[int, int] = {}                 # year -> groups with a report of it
        for gi, g in enumerate(groups):
            for e in g:
                self._group_of[e.path] = gi
            years = {e.year for e in g}
            self._group_years.append(years)
            for y in years:
                self._years[y] = self._years.get(y, 0) + 1
        self._entry = {e.path: e for e in ordered}
        self._own_of: dict[str, frozenset] = {}
        self._closest_of: dict[tuple, Entry | None] = {}
        self._paths = [e.path for e in ordered if self._has_peers(e)]
        self._keys = set(self._paths)

    def _own(self, e: Entry) -> frozenset:
        """The groups an entry is never compared with: its issuer's (as pair() grouped them)."""
        own = self._own_of.get(e.path)
        if own is None:
            own = self._own_of[e.path] = frozenset(self._heads.same(e.issuer, self._groups))
        return own

    def _has_peers(self, e: Entry) -> bool:
        own = sum(1 for gi in self._own(e) if e.year in self._group_years[gi])
        return self._years.get(e.year, 0) > own

    def _closest(self, e: Entry, gi: int) -> Entry | None:
        # the same for every report of the year in the same rendering and directory: found once
        # (is_peer asks it for each pair the index proposes, tens of thousands in a big batch)
        d = os.path.dirname(e.path)
        k = (gi, e.year, e.format, d)
        try:
            return self._closest_of[k]
        except KeyError:
            pass
        same_year = [x for x in self._groups[gi] if x.year == e.year]
        if len(same_year) < 2:
            best = same_year[0] if same_year else None
        else:
            best = min(same_year, key=lambda p: (e.format != p.format, d != os.path.dirname(p.path), p.path))
        self._closest_of[k] = best
        return best

    def entry(self, path: str) -> Entry:
        return self._entry[path]

    def is_peer(self, path: str, other: str) -> bool:
        """Whether `other` is the report `path` is compared with among its issuer's reports."""
        e, o = self._entry.get(path), self._entry.get(other)
        if e is None or o is None or path not in self._keys or other not in self._group_of:
            return False
        gi = self._group_of[other]
        if gi in self._own(e):
            return False
        best = self._closest(e, gi)
        return best is not None and best.path == other

    def __getitem__(self, path: str) -> list[Entry]:
        if path not in self._keys:
            raise KeyError(path)
        e = self._entry[path]
        own = self._own(e)
        others = [self._closest(e, gi) for gi in range(len(self._groups)) if gi not in own]
        return sorted((x for x in others if x is not None), key=lambda x: x.path)

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, path) -> bool:
        return path in self._keys


@dataclass
class Pairing:
    pairs: list[tuple[Entry, Entry]] = field(default_factory=list)      # (previous, this)
    copies: list[list[Entry]] = field(default_factory=list)             # same issuer and year
    peers: Mapping[str, list[Entry]] = field(default_factory=dict)      # path -> other issuers' reports of its year (Peers)
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


@dataclass
class Card:
    """What pairing needs of a report (small: it crosses a process boundary with the packed
    model, validator/cross/run.py: Packed): its own prose only when its issuer is unread."""

    path: str
    year: int | None
    issuer: str | None
    format: str | None
    template: str | None
    prose: tuple[str, str] | None = None    # (own prose, opening) when the issuer is unread


def card(report) -> Card:
    md = report.metadata
    prose = None if parse_issuer(md.issuer) is not None else (_own_prose(report), _opening(report))
    return Card(report.source.path, md.year, md.issuer, getattr(report.source, "format", None),
                report.template, prose)


def entries(reports) -> list[Entry]:
    """Entries of reports (model objects with .source.path, or their :class:`Card`; any
    iterable, read once, so the models may be loaded one at a time); issuers that could not be
    read are taken from the others' when the report's prose clearly names one of them."""
    out = []
    prose: dict[int, tuple[str, str]] = {}    # entry index -> (own prose, opening), issuer unread
    for r in reports:
        c = r if isinstance(r, Card) else card(r)
        iss = parse_issuer(c.issuer)
        if iss is None:
            prose[len(out)] = c.prose
        out.append(Entry(c.path, c.year, iss, "metadata" if iss else "", c.format, c.template))
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
    heads = _Heads()
    for e in entries_:
        if e.issuer is None or e.year is None:
            out.unpaired.append((e, "未能读出发布机关" if e.issuer is None else "未能读出报告年度"))
            continue
        same = heads.same(e.issuer, groups)
        if same:                       # the first group whose head is the same issuer
            groups[same[0]].append(e)
        else:
            groups.append([e])
            heads.add(len(groups) - 1, e.issuer)
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
    out.peers = Peers(groups, heads, [e for e in entries_ if e.issuer is not None and e.year is not None])
    out.pairs.sort(key=lambda pe: (pe[1].path, pe[0].path))
    return out
