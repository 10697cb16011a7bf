"""The batch step compares a report with other issuers' reports of the year only where the
index of shared 8-grams (validator/cross/peers.py) says a section can pass the screen: the
findings are those of comparing every pair, as the straightforward loop did.

The batch is made of real corpus reports: each is given several distinct issuers (other place
names), and in each copy every character of the prose is replaced with a probability q
(0 … 0.5), so that the share of 8-grams two copies have in common ranges from all of them to
almost none — on both sides of the screen of copied-from-other-issuer (Y202)."""

from __future__ import annotations

import os
import pickle
import random
import re
from pathlib import Path

import pytest

from validator.cross import peers as peers_mod
from validator.cross import run as cross_run
from validator.cross import similarity as sim
from validator.cross.pairing import Entry, _closeness, entries, pair
from validator.findings import Finding
from validator.lint import Options
from validator.rules import load_rules
from validator.runner import check_one

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
BASES = ["010_hongzequ_2024.txt", "011_huaian_2024.txt", "013_shanghai_kewei_2024.txt"]
ISSUERS = {"010_hongzequ_2024.txt": "淮安市洪泽区人民政府", "011_huaian_2024.txt": "淮安市人民政府",
           "013_shanghai_kewei_2024.txt": "上海市科委"}
UNREAD = "006_pingtan_2024.txt"     # a report of the year whose issuer is not read (not paired)
QS = [0.0, 0.03, 0.1, 0.16, 0.19, 0.23, 0.3, 0.5]
PLACES = "安平和兴宁远东西南北新昌华阳城山河泉林湖清江永丰德"
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_OTHER = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def _garble(text: str, q: float, rnd: random.Random) -> str:
    """Each CJK character of the prose lines (not titles, headings or tables) replaced with
    probability q."""
    out = []
    for i, line in enumerate(text.split("\n")):
        if i > 3 and q and len(_CJK.findall(line)) >= 12 and not _HEADING.match(line) and "|" not in line:
            line = _CJK.sub(lambda m: rnd.choice(_OTHER) if rnd.random() < q else m.group(0), line)
        out.append(line)
    return "\n".join(out)


def _batch(tmp_path: Path) -> list[str]:
    rnd = random.Random(15)
    paths = []
    n = 0
    for base in BASES:
        text = (CORPUS / base).read_text(encoding="utf-8")
        issuer = ISSUERS[base]
        assert issuer in text
        for q in QS:
            place = PLACES[n % len(PLACES)] + PLACES[(n // len(PLACES) + 3 * n + 1) % len(PLACES)] + "县"
            mine = text.replace(issuer, place + "人民政府" if issuer.endswith("人民政府") else place)
            p = tmp_path / f"{base[:-4]}_{int(q * 100):02d}.txt"
            p.write_text(_garble(mine, q, rnd), encoding="utf-8")
            paths.append(str(p))
            n += 1
    p = tmp_path / UNREAD
    p.write_text((CORPUS / UNREAD).read_text(encoding="utf-8"), encoding="utf-8")
    return paths + [str(p)]


_RULES = None


def _options(_path):
    global _RULES
    if _RULES is None:
        _RULES = load_rules()
    return Options(), {}, _RULES


def _old_peers(ents: list[Entry]) -> dict[str, list[Entry]]:
    """Other issuers' reports of each report's year, as pairing.pair listed them before the
    index: one of every other issuer, every pair."""
    groups: list[list[Entry]] = []
    for e in ents:
        if e.issuer is None or e.year is None:
            continue
        for g in groups:
            if g[0].issuer.same_as(e.issuer):
                g.append(e)
                break
        else:
            groups.append([e])
    out = {}
    for e in ents:
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
            out[e.path] = sorted(others, key=lambda x: x.path)
    return out


def _checked(paths):
    """Each file checked on its own, as the command line's workers send it back (a fresh copy
    each time: the batch step adds to the results)."""
    global _CHECKED
    if _CHECKED is None or _CHECKED[0] != paths:
        _CHECKED = (paths, pickle.dumps([check_one((p, Options(), True)) for p in paths]))
    return pickle.loads(_CHECKED[1])


_CHECKED = None


def _reference(paths):
    """Per path, the peer findings of comparing every pair (the loop before the index), and
    the pairs of which a section passes the screen."""
    results = _checked(paths)
    models = {r.path: r.cross.load() for r in results}
    ents = entries(models[p] for p in paths)
    opts, values, rules = _options(None)
    found: dict[str, list[Finding]] = {}
    screened, all_pairs = set(), 0
    screen = sim.screen_for(0.5, 12)
    for path, others in _old_peers(ents).items():
        mine = []
        for o in others:
            all_pairs += 1
            mine += cross_run.check_pair(models[path], models[o.path], rules, opts, cross_run.settings_of(values), "peer")[0]
            for u, v in sim.match_units(sim.units(models[path]), sim.units(models[o.path])):
                if u.countable >= 100 and v.countable and sim.containment(u, v) >= screen:
                    screened.add((path, o.path))
        mine.sort(key=Finding.sort_key)
        found[path] = [f.to_dict() for f in mine]
    return found, screened, all_pairs


def _indexed(paths, jobs=1):
    results = _checked(paths)
    cross_run.cross_check(results, _options, peers=True, jobs=jobs)
    return {r.path: [f.to_dict() for f in r.findings if f.rule == "Y202"] for r in results}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    paths = _batch(tmp_path_factory.mktemp("peers"))
    return paths, _reference(paths)


def test_the_batch_has_pairs_on_both_sides_of_the_screen(batch):
    paths, (found, screened, all_pairs) = batch
    with_findings = {(p, f["related"][-1]["path"]) for p, fs in found.items() for f in fs}
    assert len(found) == len(paths) - 1 and all_pairs == (len(paths) - 1) * (len(paths) - 2)
    assert with_findings and with_findings < screened          # screened pairs without a finding too
    assert len(screened) < all_pairs / 2                       # and many pairs no section of which passes


@pytest.mark.parametrize("jobs", [1, 2])
def test_findings_with_the_index_are_those_of_comparing_every_pair(batch, jobs):
    paths, (found, _screened, _n) = batch
    assert _indexed(paths, jobs) == {p: found.get(p, []) for p in paths}


def test_every_pair_a_section_of_which_passes_the_screen_is_proposed(batch):
    paths, (_found, screened, _n) = batch
    results = _checked(paths)
    grouping = pair(entries(r.cross.card for r in results))
    sections = {r.path: r.cross.sections for r in results}
    proposed = cross_run._peer_pairs(grouping.peers, sections, _options)
    got = {(p, o) for p, os_ in proposed.items() for o in os_}
    assert screened <= got
    assert len(got) < (len(paths) - 1) * (len(paths) - 2)     # the index leaves pairs out


def test_losing_one_proposed_pair_would_be_seen(batch, monkeypatch):
    """The comparison above fails when the index misses a pair that has findings."""
    paths, (found, _screened, _n) = batch
    real = peers_mod.candidates
    victim = next((p, f["related"][-1]["path"]) for p, fs in found.items() for f in fs)

    def lossy(reports, is_peer, stats=None, **kw):
        out = real(reports, is_peer, stats, **kw)
        out[victim[0]].discard(victim[1])
        return out

    monkeypatch.setattr(peers_mod, "candidates", lossy)
    assert _indexed(paths) != {p: found.get(p, []) for p in paths}


def test_years_indexed_in_forked_processes_propose_the_same_pairs(batch, monkeypatch):
    paths, _ref = batch
    results = _checked(paths)
    grouping = pair(entries(r.cross.card for r in results))
    is_peer = grouping.peers.is_peer
    from validator.cross.peers import specs
    opts, values, rules = _options(None)
    # the batch's reports spread over three years (each year is indexed on its own)
    reports = {}
    for i, r in enumerate(results):
        e = grouping.peers.entry(r.path) if r.path in grouping.peers else None
        reports[r.path] = (2022 + i % 3, r.cross.sections, specs(rules, opts, values, e.template if e else None))
    one = peers_mod.candidates(reports, is_peer, jobs=1)
    monkeypatch.setattr(peers_mod, "MIN_PARALLEL", 0)
    here = []
    real = peers_mod._one_year
    monkeypatch.setattr(peers_mod, "_one_year", lambda *a: here.append(os.getpid()) or real(*a))
    two = peers_mod.candidates(reports, is_peer, jobs=2)
    assert one and two == one
    assert here == []             # no year was indexed in this process: all in the forked ones


def test_peers_listed_on_demand_are_those_of_the_old_loop(batch):
    paths, _ref = batch
    models = [r.cross.load() for r in _checked(paths)]
    more = sorted(str(p) for p in CORPUS.glob("*.txt"))       # real issuers: same issuer, other years
    models += [check_one((p, Options(), True)).cross.load() for p in more]
    ents = entries(models)
    old = _old_peers(ents)
    new = pair(ents).peers
    assert list(new) == list(old)
    for path, others in old.items():
        assert [e.path for e in new[path]] == [e.path for e in others]
        for e in ents:
            assert new.is_peer(path, e.path) == (e in others)


def test_wording_every_report_shares_is_looked_up_only_where_it_passes_the_screen():
    """A phrase all N reports share (not template wording) is rarest-last: a section it is a
    small part of finds no candidate through it; a section mostly made of it finds all."""
    phrase = list(range(1000, 1040))                             # 40 8-grams every report holds
    reports = {}
    for i in range(60):
        own = list(range(10_000 * (i + 1), 10_000 * (i + 1) + 400))   # this report's own 8-grams
        small = peers_mod.Section("总体情况", 600, True, 440, peers_mod.array("I", own + phrase))
        mostly = peers_mod.Section("其他", 120, True, 60, peers_mod.array("I", own[:20] + phrase))
        reports[f"r{i:02d}"] = (2024, [small, mostly], [peers_mod.Spec(sim.screen_for(0.5, 12), 100, frozenset())])
    stats: dict = {}
    got = peers_mod.candidates(reports, lambda p, o: True, stats)
    # 其他: 40 of 60 8-grams shared with every report (containment 0.67): all pairs proposed
    assert all(len(v) == 59 for v in got.values())
    assert stats["proposed"] == 60 * 59
    # 总体情况: 40 of 440 (0.09, below the screen 0.19): the shared 8-grams are not looked up
    reports = {p: (y, [s for s in secs if s.key == "总体情况"], sp) for p, (y, secs, sp) in reports.items()}
    stats = {}
    got = peers_mod.candidates(reports, lambda p, o: True, stats)
    assert all(not v for v in got.values())
    assert stats == {"looked_up": 0, "verified": 0, "proposed": 0}


def test_grouping_by_issuer_is_that_of_trying_every_group():
    """pair() finds an issuer's group through its chain of units (not by trying every group):
    the same groups, copies and peers as the old loop, also where same_as is not transitive
    (洪泽区 is both 淮安市洪泽区 and 宿迁市洪泽区, which are not the same)."""
    from validator.cross.issuer import parse_issuer
    names = ["淮安市洪泽区人民政府", "洪泽区人民政府", "宿迁市洪泽区", "洪泽区", "淮安市人民政府", "江苏省淮安市洪泽区",
             "洪泽区财政局", "淮安市洪泽区财政局", "财政局", "淮安市财政局", "平潭综合实验区", "平潭综合实验区地方税务局",
             "上海市科委", "科委", "宿迁市洪泽区人民政府", "江苏省宿迁市洪泽区"]
    ents = [Entry(f"d{i % 3}/f{i:02d}.txt", 2023 + i % 2, parse_issuer(n), "metadata", "text" if i % 4 else "pdf", "2021")
            for i, n in enumerate(names * 2)]
    old_groups: list[list[Entry]] = []
    for e in ents:
        for g in old_groups:
            if g[0].issuer.same_as(e.issuer):
                g.append(e)
                break
        else:
            old_groups.append([e])
    got = pair(ents)
    assert [[e.path for e in g] for g in got.peers._groups] == [[e.path for e in g] for g in old_groups]
    old = _old_peers(ents)
    assert list(got.peers) == list(old)
    for path, others in old.items():
        assert [e.path for e in got.peers[path]] == [e.path for e in others]
        for e in ents:
            assert got.peers.is_peer(path, e.path) == (e in others)


def _brute_force(reports, is_peer):
    """What the index must propose, pair by pair: a section u of `p` (one a spec wants)
    passes against the first section v of its key of `o` when they share at least
    _needed(u.n, screen) − (u.n − len(u.hashes)) hashes (containment ≥ the screen, hash
    collisions inside u allowed for)."""
    out = {}
    for p, (y, secs, sps) in reports.items():
        mine = out.setdefault(p, set())
        for o, (oy, osecs, _sp) in reports.items():
            if o == p or oy != y or not is_peer(p, o):
                continue
            firsts = {s.key: s for s in osecs if s.first}
            for u in secs:
                screens = [sp.screen for sp in sps if sp.wants(u.key, u.countable)]
                v = firsts.get(u.key)
                if not screens or v is None:
                    continue
                if not u.n:
                    if min(screens) <= 0:
                        mine.add(o)
                    continue
                need = peers_mod._needed(u.n, min(screens)) - (u.n - len(u.hashes))
                if need <= 0 or len(set(u.hashes) & set(v.hashes)) >= need:
                    mine.add(o)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_sections_copied_word_for_word_are_indexed_once_and_propose_what_each_would(seed):
    """Sections with the same key and hashes are one group of the index (indexed and probed
    once): the pairs proposed are exactly those of trying every pair — with copies of one
    section in many reports, a report with two sections of a key, sections a spec does not
    want, hash collisions inside a section (n above the hashes) and pairs that are not peers."""
    rnd = random.Random(seed)
    pool = list(range(1, 5000))
    models = {key: [rnd.sample(pool, rnd.randint(40, 300)) for _ in range(4)] for key in ("甲", "乙", "丙")}
    reports = {}
    for i in range(40):
        secs, seen = [], set()
        for key in rnd.sample(list(models), rnd.randint(1, 3)) + (["乙"] if rnd.random() < 0.2 else []):
            base = rnd.choice(models[key])
            if rnd.random() < 0.5:          # an edited copy: some 8-grams replaced
                base = [h if rnd.random() > rnd.choice([0.05, 0.3, 0.8]) else rnd.choice(pool) for h in base]
            hs = list(dict.fromkeys(base))
            n = len(hs) + (rnd.randint(1, 5) if rnd.random() < 0.1 else 0)
            secs.append(peers_mod.Section(key, rnd.choice([50, 150, 600]), key not in seen, n, peers_mod.array("I", hs)))
            seen.add(key)
        spec = [peers_mod.Spec(rnd.choice([0.1875, 0.5]), 100, frozenset()),
                peers_mod.Spec(0.3, 100, frozenset({"丙"}))][: rnd.randint(1, 2)]
        reports[f"r{i:02d}"] = (2020 + i % 2, secs, spec)
    # 8-grams only two reports hold, one of them in its second section of a key (the counting
    # of shared 8-grams takes a report's sections of a key together)
    own = peers_mod.array("I", range(10_000, 10_200))
    spec = [peers_mod.Spec(0.1875, 100, frozenset())]
    reports["r90"] = (2020, [peers_mod.Section("乙", 600, True, 200, own)], spec)
    reports["r91"] = (2020, [peers_mod.Section("乙", 600, True, 200, peers_mod.array("I", models["乙"][0])),
                             peers_mod.Section("乙", 600, False, 200, own)], spec)

    def is_peer(p, o):
        return (int(p[1:]) + int(o[1:])) % 7 != 0

    got = peers_mod.candidates(reports, is_peer)
    want = _brute_force(reports, is_peer)
    assert {p: v for p, v in got.items() if v} == {p: v for p, v in want.items() if v}
    assert sum(map(len, want.values())) > 50 and "r90" in want["r91"]


def _hashed_otherwise(packed, hashing):
    """The packed model as another version made it: its 8-grams hashed another way (here:
    every hash changed), ``hashing`` that version's (None: a model packed before the hashing
    had a version), through pickle as audit --cross stores it."""
    packed.sections = [peers_mod.Section(s.key, s.countable, s.first, s.n,
                                         peers_mod.array("I", (h ^ 0x5A5A5A5A for h in s.hashes)))
                       for s in packed.sections]
    if hashing is None:
        del packed.hashing
    else:
        packed.hashing = hashing
    return pickle.loads(pickle.dumps(packed))


@pytest.mark.parametrize("hashing", [None, 1])
def test_models_whose_8_grams_were_hashed_otherwise_are_profiled_again(batch, hashing):
    """A model stored by audit --cross with an earlier version hashes 8-grams otherwise: the
    batch step profiles it again from the model (peers.HASHING), and the findings are the
    same; had it used the stored hashes, pairs would be lost."""
    paths, (found, _screened, _n) = batch
    results = _checked(paths)
    for r in results[::2]:
        r.cross = _hashed_otherwise(r.cross, hashing)
        assert not r.cross.profiled()
    cross_run.cross_check(results, _options, peers=True)
    got = {r.path: [f.to_dict() for f in r.findings if f.rule == "Y202"] for r in results}
    assert got == {p: found.get(p, []) for p in paths}
    results = _checked(paths)
    for r in results[::2]:
        r.cross = _hashed_otherwise(r.cross, peers_mod.HASHING)   # (as if they were this version's)
    cross_run.cross_check(results, _options, peers=True)
    assert {r.path: [f.to_dict() for f in r.findings if f.rule == "Y202"] for r in results} != got
