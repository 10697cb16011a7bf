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
  as CRC-32s (a compact array, 4 bytes an 8-gram; :func:`hashed`).
* Sections of a year with the same key and the same 8-grams (a section copied word for word
  into several reports) are one group: counted, indexed and probed once.
* For each year and section key, 8-grams held by a single report are found with a
  counting table (they cannot join two reports), and an inverted index maps each 8-gram held
  by two or more reports to the groups of sections that hold it.
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


# What the hashes of :func:`profile` are: the CRC-32 of each 8-gram's UTF-16-LE encoding (see
# :func:`hashed`).  A profile is compared only with profiles of the same definition: a packed
# model made by a version with another one (a model stored by `audit --cross`) is profiled again
# (validator/cross/run.py).  Change it whenever the definition changes.
HASHING = 2


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
        n, hashes = hashed(u.text)
        out.append(Section(u.key, u.countable, first, n, hashes))
    return out


def hashed(text: str) -> tuple[int, array]:
    """(n, hashes) of the distinct 8-grams of `text` that hold no masked character
    (similarity.shingles_of): their number, and their CRC-32s, distinct, in the order the
    text first has them (equal texts have equal arrays: the index groups such sections).

    No 8-gram string is made: each run between masked characters is encoded once, and an
    8-gram is the 16 bytes of its UTF-16-LE encoding at twice its offset — when every
    character of the run is one UTF-16 unit (up to U+FFFF, lone surrogates included:
    ``surrogatepass``), as in nearly every report.  Those bytes stand for exactly one 8-gram,
    so the set of them counts the distinct 8-grams (n).  An 8-gram with a character beyond
    U+FFFF is its UTF-32-LE encoding instead (32 bytes: never equal to another's 16)."""
    grams: list = []
    width = 2 * sim.SHINGLE
    for run in text.split(sim.MASK_A):
        size = len(run)
        if size < sim.SHINGLE:
            continue
        b = run.encode("utf-16-le", "surrogatepass")
        if len(b) == 2 * size:
            grams += [b[i:i + width] for i in range(0, len(b) - width + 2, 2)]
        else:                           # characters beyond U+FFFF (two UTF-16 units each)
            for i in range(size - sim.SHINGLE + 1):
                g = run[i:i + sim.SHINGLE]
                e = g.encode("utf-16-le", "surrogatepass")
                grams.append(e if len(e) == width else g.encode("utf-32-le", "surrogatepass"))
    hashes = dict.fromkeys(map(crc32, grams))
    # as many distinct hashes as 8-grams: the 8-grams are distinct (equal ones hash equal), so
    # they are not put in a set to be counted (a section that repeats none of its 8-grams)
    n = len(grams) if len(hashes) == len(grams) else len(set(grams))
    return n, array("I", hashes)


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


_EVERY = object()   # what a probe finds when the screen lets every section through


def _year(paths: list[str], reports, is_peer, out: dict[str, set[str]], stats: dict) -> None:
    # 0. sections of the same key with the same 8-gram hashes — a section copied word for word
    #    into several reports, a report given twice — are one group: counted, indexed and
    #    probed once (found by their hashes' bytes: equal texts give equal arrays, hashed()).
    group_of: dict[tuple[str, bytes], int] = {}
    groups: list[Section] = []           # group -> one of its sections (key, n, hashes)
    members: list[list[str]] = []        # group -> the reports whose first section of the key it is
    gids: dict[str, list[int]] = {}      # path -> the group of each of its sections
    firsts: dict[str, list[str]] = {}    # key -> the reports that have a section of it
    for p in paths:
        mine = gids[p] = []
        for s in reports[p][1]:
            g = group_of.setdefault((s.key, s.hashes.tobytes()), len(groups))
            if g == len(groups):
                groups.append(s)
                members.append([])
            mine.append(g)
            if s.first:
                members[g].append(p)
                firsts.setdefault(s.key, []).append(p)
    del group_of
    # 1. which 8-grams more than one report of the year holds (per section key): a counting
    #    table of 2^23 one-byte slots (0, 1, 2 = "two or more"); a slot two reports' different
    #    8-grams share only makes an 8-gram look shared (more lookups, never fewer).  A report
    #    counts the union of its sections of a key once: the one section's group (a group of
    #    two or more such reports is shared whole), or the union of its several sections
    table = bytearray(1 << _TABLE_BITS)
    mask = _MASK
    salt: dict[str, int] = {}
    times: dict[int, int] = {}           # group -> reports whose only section of its key it is
    several: list[tuple[str, set]] = []  # (key, the union) of a report's several sections of a key
    for p in paths:
        own: dict[str, list[int]] = {}
        for s, g in zip(reports[p][1], gids[p]):
            gs = own.get(s.key)
            if gs is None:
                own[s.key] = [g]
            elif g not in gs:
                gs.append(g)
        for key, gs in own.items():
            if len(gs) == 1:
                times[gs[0]] = times.get(gs[0], 0) + 1
            else:
                several.append((key, set().union(*(groups[g].hashes for g in gs))))
    counted = [(groups[g].key, groups[g].hashes, c) for g, c in times.items()]
    counted += [(key, hs, 1) for key, hs in several]
    del times, several
    for key, hs, c in counted:
        k = salt.get(key)
        if k is None:
            k = salt[key] = crc32(key.encode("utf-8")) & mask
        if c > 1:
            for h in hs:
                table[(h & mask) ^ k] = 2
        else:
            for h in hs:
                i = (h & mask) ^ k
                if table[i] < 2:
                    table[i] += 1
    del counted
    # 2. the index: section key -> 8-gram hash -> the groups (of first sections) holding it
    index: dict[str, dict[int, list[int]]] = {}
    for g, s in enumerate(groups):
        if not members[g]:
            continue
        post = index.setdefault(s.key, {})
        k = salt[s.key]
        for h in s.hashes:
            if table[(h & mask) ^ k] > 1:
                lst = post.get(h)
                if lst is None:
                    post[h] = [g]
                else:
                    lst.append(g)
    del table
    # 8-grams that run together (a copied passage) have the same list of groups: each list
    # is kept once, and an 8-gram refers to it by number, so a prefix of many 8-grams of one
    # passage reads the passage's groups once, not once per 8-gram; an 8-gram's frequency
    # (what the prefix is ordered by) is the number of reports whose sections hold it
    lists: list[tuple[int, ...]] = []
    numbers: dict[tuple[int, ...], int] = {}
    df: dict[str, dict[int, int]] = {}
    sizes = [len(r) for r in members]
    for key, post in index.items():
        counts = df[key] = {}
        for h, lst in post.items():
            t = tuple(lst)
            i = numbers.get(t)
            if i is None:
                i = numbers[t] = len(lists)
                lists.append(t)
            post[h] = i
            counts[h] = sum(map(sizes.__getitem__, t))
    del numbers
    looked_up = verified = 0

    def passing(s: Section, screen: float):
        """The groups whose section can pass the screen against `s` (or _EVERY)."""
        nonlocal looked_up, verified
        if not s.n:                    # no 8-gram: containment 0, below any positive screen
            return _EVERY if screen <= 0 else ()
        k = _needed(s.n, screen)
        m = len(s.hashes)
        need = k - (s.n - m)           # shared hashes a pair needs (collisions inside u allowed for)
        if need <= 0:                  # the screen lets everything through
            return _EVERY
        post = index.get(s.key)
        if not post:
            return ()
        counts = df[s.key]
        shared = [h for h in s.hashes if h in counts]
        # the prefix: n − k + 1 of the hashes, those held by this report only first
        # (they find nothing), then the shared ones held by the fewest reports
        take = s.n - k + 1 - (m - len(shared))
        if take <= 0:
            return ()
        rest = 0                       # shared hashes after the prefix
        if take < len(shared):
            shared.sort(key=counts.__getitem__)
            rest = len(shared) - take
            del shared[take:]
        # how many of the prefix's hashes each group holds (through the lists)
        held: dict[int, int] = {}
        for i, c in Counter(map(post.__getitem__, shared)).items():
            for g in lists[i]:
                held[g] = held.get(g, 0) + c
        looked_up += len(held)
        found = []
        mine_set = None
        for g, c in held.items():
            v = groups[g]
            if c + rest < need or len(v.hashes) < need:
                continue
            if c < need:               # the prefix alone does not decide: count them all
                if mine_set is None:
                    mine_set = set(s.hashes)
                verified += 1
                if len(mine_set.intersection(v.hashes)) < need:
                    continue
            found.append(g)
        return found

    # 3. probe every section a peer rule would align, with the prefix of its rarest 8-grams
    #    (once per group, section count and screen), then keep the reports of the groups
    #    found that the batch compares with this one
    found_for: dict[tuple[int, int, float], object] = {}
    for p in paths:
        _y, secs, sps = reports[p]
        if not sps:
            continue
        mine = out.setdefault(p, set())
        not_peers: set[str] = {p}      # reports `p` is not compared with (is_peer is asked once)
        for s, g in zip(secs, gids[p]):
            screens = [sp.screen for sp in sps if sp.wants(s.key, s.countable)]
            if not screens:
                continue
            screen = min(screens)
            found = found_for.get((g, s.n, screen))
            if found is None:
                found = found_for[(g, s.n, screen)] = passing(s, screen)
            if found is _EVERY:
                found = [firsts.get(s.key, ())]
            else:
                found = [members[v] for v in found]
            for reports_of in found:
                for o in reports_of:
                    if o not in mine and o not in not_peers:
                        if is_peer(p, o):
                            mine.add(o)
                        else:
                            not_peers.add(o)
    stats["looked_up"] = stats.get("looked_up", 0) + looked_up
    stats["verified"] = stats.get("verified", 0) + verified
