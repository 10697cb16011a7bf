"""Which other issuers' reports of the year are worth comparing with a report (``peer``
pairs of the batch step of `xxgk-lint check`), found without comparing every pair.

A report is compared with one report of every other issuer of its year (pairing.py), but a
section is aligned with the other report's section only when their character 8-grams
(shingles) pass the screen of the rule (similarity.screen_for: the share of the section's
8-grams found in the other section, its *containment*).  A pair none of whose sections
passes the screen has no finding.  So the batch step aligns only the pairs this module
proposes, and the set it proposes is exact — every pair of which a section passes the
screen is in it (no sampling, no MinHash):

* Each report's sections are read once (:func:`profile`, when the report is checked: the
  packed model carries them): the section key, its countable characters, and its 8-grams
  as CRC-32s (a compact array, 4 bytes an 8-gram).
* For each year and section key, 8-grams held by a single report are found with a
  counting table (they cannot join two reports), and an inverted index maps each 8-gram held
  by two or more reports to the reports' sections that hold it.
* Prefix filtering (the set-similarity-join technique): a section u with n 8-grams reaches
  containment t against v only if v holds at least k = ⌈t·n⌉ of them, so v holds one of
  *any* n − k + 1 of u's 8-grams.  Those are taken rarest first (8-grams of no other report,
  then the fewest reports): wording every report shares comes last and is looked up only
  when u is mostly made of it — and then u does pass the screen against all those reports.
* A proposed pair is kept when the prefix alone shows enough shared 8-grams, else after
  counting all of them (hash sets).

Hashes may collide; the bounds allow for it (a collision inside u's own 8-grams shrinks
its hash set by as much as it can shrink the shared part), so a collision can only add a
pair, never lose one.  A pair kept here is then compared by the rules themselves
(validator/cross/run.py: check_pair), with the exact screen and alignment: the findings
are those of comparing every pair.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from itertools import chain
from zlib import crc32
from dataclasses import dataclass

from . import similarity as sim

_TABLE_BITS = 23          # the counting table: 8 MB, one byte per slot
_MASK = (1 << _TABLE_BITS) - 1


@dataclass(frozen=True)
class Spec:
    """What a peer rule needs of a section before it aligns it (its similarity settings)."""

    screen: float                 # containment below which the section is not aligned
    min_chars: int
    sections: frozenset           # only these section keys (empty: all)

    def wants(self, key: str, countable: int) -> bool:
        return countable >= self.min_chars and (not self.sections or key in self.sections)


def specs(rules, opts, values: dict, template) -> list[Spec] | None:
    """The specs of the peer rules run for a report (as check_pair selects them); None when a
    selected peer rule is not one this module can bound (then every peer pair is compared)."""
    from ..rules import is_selected
    from ..rules.kinds.cross import similarity_settings
    out = []
    for rule in rules.rules:
        if rule.emitted_by == "cross" or "peer" not in rule.relations:
            continue
        if not rule.applies_to(template) or not is_selected(rule, opts):
            continue
        if rule.kind != "copied_text" or rule.params.get("unit") != "section":
            return None
        cfg = similarity_settings(rule, sim.settings_of(values))
        out.append(Spec(sim.screen_for(cfg["threshold"], cfg["min_match"]), cfg["min_chars"],
                        frozenset(rule.params.get("sections") or ())))
    return out


@dataclass
class Section:
    """A section of a report as the index sees it."""

    key: str
    countable: int
    first: bool                   # the report's first section with this key (what match_units pairs with)
    n: int                        # distinct 8-grams (strings)
    hashes: array                 # their CRC-32s ('I'), at most n distinct ones


def profile(report) -> list[Section]:
    """The sections of a report for the index (similarity.units, read once per batch, in the
    process that read the report: CRC-32 is the same in every process, unlike hash())."""
    out = []
    seen = set()
    for u in sim.units(report):
        first = u.key not in seen
        seen.add(u.key)
        if not u.countable:
            continue
        sh = sim.shingles_of(u.text)   # (not cached on the unit: the report's own cache keeps no sets)
        out.append(Section(u.key, u.countable, first, len(sh), array("I", set(map(crc32, map(str.encode, sh))))))
    return out


def _needed(n: int, screen: float) -> int:
    """The fewest shared 8-grams with which containment (shared / n) reaches `screen`."""
    if screen <= 0:
        return 0
    k = max(0, math.floor(screen * n) - 2)
    while k / n < screen:
        k += 1
    return k


def candidates(reports: dict[str, tuple[int, list[Section], list[Spec] | None]], is_peer,
               stats: dict | None = None, jobs: int = 1) -> dict[str, set[str]]:
    """path -> the paths of the other reports whose comparison can give a finding.

    ``reports``: path -> (year, sections, specs); ``is_peer(path, other)``: whether the batch
    compares `path` with `other` (pairing.Peers.is_peer).  ``stats`` (optional) counts the
    work: ``looked_up`` (sections found through the index), ``verified`` (pairs whose shared
    8-grams were counted), ``proposed`` (pairs kept).  ``jobs`` > 1: the years (independent
    of each other) are indexed in that many forked processes, which inherit ``reports``; only
    the proposed paths come back (the same sets as in one process)."""
    out: dict[str, set[str]] = {}
    by_year: dict[int, list[str]] = {}
    for path, (year, _secs, _specs) in reports.items():
        by_year.setdefault(year, []).append(path)
    years = [paths for paths in by_year.values() if len(paths) >= 2]
    done = 0
    if jobs > 1 and stats is None and len(years) > 1 and sum(len(p) for p in years) >= MIN_PARALLEL:
        for part in _forked_years(years, reports, is_peer, jobs):
            for p, found in part.items():
                out.setdefault(p, set()).update(found)
            done += 1
    for paths in years[done:]:         # (all of them unless forked processes did them)
        _one_year(paths, reports, is_peer, out, stats if stats is not None else {})
    if stats is not None:
        stats["proposed"] = sum(len(v) for v in out.values())
    return out


MIN_PARALLEL = 200   # fewer reports with peers than this are indexed in this process


def _one_year(paths: list[str], reports, is_peer, out: dict[str, set[str]], stats: dict) -> None:
    everyone = [p for p in paths if reports[p][2] is None]
    for p in everyone:             # a rule this module cannot bound: compare with every peer
        out.setdefault(p, set()).update(o for o in paths if o != p and is_peer(p, o))
    _year(paths, reports, is_peer, out, stats)


# what the forked processes read (set just before they start)
_YEARS: list = []


def _year_in_child(i: int) -> dict[str, set[str]]:
    years, reports, is_peer = _YEARS
    out: dict[str, set[str]] = {}
    _one_year(years[i], reports, is_peer, out, {})
    return out


def _forked_years(years: list, reports, is_peer, jobs: int):
    """The proposed paths of each year in order, computed in forked processes, as far as they
    deliver (a process that cannot start or dies: the caller does the rest)."""
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ..limits import die_with_parent
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return
    order = sorted(range(len(years)), key=lambda i: -len(years[i]))   # the biggest years first
    _YEARS[:] = [years, reports, is_peer]
    outer = gc.get_freeze_count() > 0      # frozen by the caller (run.cross_check): it unfreezes
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=die_with_parent) as pool:
            results = dict(zip(order, pool.map(_year_in_child, order)))
    except Exception:  # noqa: BLE001 - a process that died (BrokenProcessPool), or could not start
        return
    finally:
        if not outer:
            gc.unfreeze()
        _YEARS[:] = []
    for i in range(len(years)):
        yield results[i]


def _year(paths: list[str], reports, is_peer, out: dict[str, set[str]], stats: dict) -> None:
    # 1. which 8-grams more than one report of the year holds (per section key): a counting
    #    table of 2^23 one-byte slots (0, 1, 2 = "two or more"); a slot two reports' different
    #    8-grams share only makes an 8-gram look shared (more lookups, never fewer)
    table = bytearray(1 << _TABLE_BITS)
    mask = _MASK
    salt: dict[str, int] = {}
    for p in paths:
        own: dict[str, set] = {}
        for s in reports[p][1]:
            if s.key in own:
                own[s.key].update(s.hashes)
            else:
                own[s.key] = set(s.hashes)
        for key, hs in own.items():
            k = salt.setdefault(key, crc32(key.encode("utf-8")) & mask)
            for h in hs:
                i = (h & mask) ^ k
                if table[i] < 2:
                    table[i] += 1
    # 2. the index: section key -> 8-gram hash -> the sections (first of their key) holding it
    index: dict[str, dict[int, list[int]]] = {}
    firsts: dict[str, list[int]] = {}          # key -> ids of the sections that can be aligned with
    sections: list[tuple[str, Section]] = []   # id -> (path, section)
    for p in paths:
        for s in reports[p][1]:
            if not s.first:
                continue
            sid = len(sections)
            sections.append((p, s))
            firsts.setdefault(s.key, []).append(sid)
            post = index.setdefault(s.key, {})
            k = salt[s.key]
            for h in s.hashes:
                if table[(h & mask) ^ k] > 1:
                    lst = post.get(h)
                    if lst is None:
                        post[h] = [sid]
                    else:
                        lst.append(sid)
    del table
    # 8-grams that run together (a copied passage) have the same list of sections: each list
    # is kept once, and an 8-gram refers to it by number, so a prefix of many 8-grams of one
    # passage reads the passage's sections once, not once per 8-gram
    lists: list[tuple[int, ...]] = []
    numbers: dict[tuple[int, ...], int] = {}
    df: dict[str, dict[int, int]] = {}
    for key, post in index.items():
        counts = df[key] = {}
        for h, lst in post.items():
            t = tuple(lst)
            i = numbers.get(t)
            if i is None:
                i = numbers[t] = len(lists)
                lists.append(t)
            post[h] = i
            counts[h] = len(t)
    del numbers
    # 3. probe every section a peer rule would align, with the prefix of its rarest 8-grams
    peer_cache: dict[tuple[str, str], bool] = {}

    def peer(p: str, o: str) -> bool:
        r = peer_cache.get((p, o))
        if r is None:
            r = peer_cache[(p, o)] = is_peer(p, o)
        return r

    def every(p: str, key: str, mine: set) -> None:
        for sid in firsts.get(key, ()):
            o = sections[sid][0]
            if o != p and o not in mine and peer(p, o):
                mine.add(o)

    looked_up = verified = 0
    for p in paths:
        _y, secs, sps = reports[p]
        if not sps:
            continue
        mine = out.setdefault(p, set())
        for s in secs:
            screens = [sp.screen for sp in sps if sp.wants(s.key, s.countable)]
            if not screens:
                continue
            screen = min(screens)
            if not s.n:                # no 8-gram: containment 0, below any positive screen
                if screen <= 0:
                    every(p, s.key, mine)
                continue
            k = _needed(s.n, screen)
            m = len(s.hashes)
            need = k - (s.n - m)       # shared hashes a pair needs (collisions inside u allowed for)
            if need <= 0:              # the screen lets everything through
                every(p, s.key, mine)
                continue
            post = index.get(s.key)
            if not post:
                continue
            counts = df[s.key]
            shared = [h for h in s.hashes if h in counts]
            # the prefix: n − k + 1 of the hashes, those held by this report only first
            # (they find nothing), then the shared ones held by the fewest sections
            take = s.n - k + 1 - (m - len(shared))
            if take <= 0:
                continue
            rest = 0                   # shared hashes after the prefix
            if take < len(shared):
                shared.sort(key=counts.__getitem__)
                rest = len(shared) - take
                del shared[take:]
            # how many of the prefix's hashes each section holds (through the lists)
            held: dict[int, int] = {}
            for i, c in Counter(map(post.__getitem__, shared)).items():
                for sid in lists[i]:
                    held[sid] = held.get(sid, 0) + c
            looked_up += len(held)
            mine_set = None
            for sid, c in held.items():
                o, v = sections[sid]
                if o == p or o in mine or c + rest < need or len(v.hashes) < need or not peer(p, o):
                    continue
                if c < need:           # the prefix alone does not decide: count them all
                    if mine_set is None:
                        mine_set = set(s.hashes)
                    verified += 1
                    if len(mine_set.intersection(v.hashes)) < need:
                        continue
                mine.add(o)
    stats["looked_up"] = stats.get("looked_up", 0) + looked_up
    stats["verified"] = stats.get("verified", 0) + verified
