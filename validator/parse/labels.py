"""Label spotting: where the template's own words are in a text — section titles (exact,
listed variants, freely worded with the section's words, or a typo close to the title) and
table labels (captions, column headers, row-group and row labels of every format, found
ignoring whitespace, punctuation and the digits a layout put inside a wrapped label)."""

from __future__ import annotations

import difflib
import re
import sys
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

from ..records import record
from ..templates import Format, LabelSpec, all_label_specs
from ..textutil import CN_NUM, SOFT, SOFT_RUNS, cn_to_int, compact
from ..lazyre import later

# --------------------------------------------------------------------------------------
# fuzzy label matching (difflib), with exact upper bounds first
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _char_counts(core: str) -> dict:
    counts: dict = {}
    for ch in core:
        counts[ch] = counts.get(ch, 0) + 1
    return counts


def ratio_if_above(a: str, core: str, floor: float) -> float | None:
    """``difflib.SequenceMatcher(None, a, core).ratio()`` when it can be above ``floor``,
    else None.  The two cheap upper bounds of difflib itself (real_quick_ratio: lengths;
    quick_ratio: shared characters) are tried first, computed exactly as difflib does, so a
    candidate is skipped only when its ratio cannot exceed ``floor`` — the same results
    with a fraction of the work (the fuzzy matching was the lexer's biggest cost)."""
    la, lb = len(a), len(core)
    length = la + lb
    if length and 2.0 * min(la, lb) / length <= floor:
        return None
    if length and 2.0 * shared_chars_bound(a, core) / length <= floor:
        return None     # (the bound is ≥ the count: the count would rule it out too)
    matches = shared_chars(a, core)
    if length and 2.0 * matches / length <= floor:
        return None
    return difflib.SequenceMatcher(None, a, core).ratio()


@lru_cache(maxsize=4096)
def _char_set(core: str) -> frozenset:
    return frozenset(core)


def shared_chars_bound(a: str, core: str) -> int:
    """An upper bound of :func:`shared_chars` at C speed: the characters of a that core has
    at all (not limited to how often core has them).  Where even this bound rules a
    candidate out, the exact count (a loop in Python) is not needed."""
    return sum(map(_char_set(core).__contains__, a))


def shared_chars(a: str, core: str) -> int:
    """Characters of a that core has too, with multiplicity (difflib's quick_ratio count).
    It can only grow when a grows, so the count for a long prefix bounds its prefixes."""
    avail = dict(_char_counts(core))     # what core still has to give
    matches = 0
    for ch in a:
        numb = avail.get(ch)
        if numb:
            avail[ch] = numb - 1
            matches += 1
    return matches


# --------------------------------------------------------------------------------------
# section headings
# --------------------------------------------------------------------------------------
_HEAD_AT_LINE = later(r"(?m)^[ \t]*(?:#+[ \t]*)?([一二三四五六七八九十]{1,3})[ \t]*[、.][ \t]*(\S[^\n]{0,60})$")
# the same after a line break (a literal first character lets the regex engine skip ahead;
# a match never spans a line, so these and a match at the text's start are all the matches)
_HEAD_AFTER_NL = later(r"(?m)\n[ \t]*(?:#+[ \t]*)?([一二三四五六七八九十]{1,3})[ \t]*[、.][ \t]*(\S[^\n]{0,60})$")
# a numeral (one to three) and 、 — written numeral by numeral so that the regex engine skips
# ahead to the next numeral instead of trying every position
_HEAD_ANY = later(r"([一二三四五六七八九十][一二三四五六七八九十]?[一二三四五六七八九十]?)[ \t]*、[ \t]*")


# a 、 right after a numeral (blanks between), in the text read backwards: a pattern that
# starts with a literal, which the engine skips ahead to
_COMMA_NUMERAL_REVERSED = later(r"、[ \t]*[一二三四五六七八九十]")


def _comma_positions(text: str, reversed_text: str) -> list[int]:
    """Where each 、 that follows a numeral (blanks between) is, in order: found in the reversed
    text (see :func:`_numeral_commas`); :func:`find_headings` needs them twice."""
    last = len(text) - 1
    commas = [last - m.start() for m in _COMMA_NUMERAL_REVERSED.finditer(reversed_text)]
    commas.reverse()
    return commas


def _numeral_commas(text: str, reversed_text: str | None = None, commas: list[int] | None = None) -> list:
    """``_HEAD_ANY.finditer(text)``, found from the 、 instead.  The engine's search for a
    pattern that starts with a class of characters tests every character of the text against
    it (~50 instructions each, ~5,000 characters a report); the 、 that follow a numeral are
    found in the reversed text by a pattern that starts with the 、 (a plain scan for one
    character), and only those few are looked at.  A match ends with its 、 (and the blanks
    after it) and starts where the numerals right before it start — at most three of them
    (with a fourth in front the match starts one later) and not before the end of the
    previous match: the same match, found from its 、."""
    if commas is None:
        commas = _comma_positions(text, text[::-1] if reversed_text is None else reversed_text)
    out = []
    pos = 0             # the end of the previous match: no match starts before it
    for q in commas:
        r = q
        while r > pos and text[r - 1] in " \t":
            r -= 1
        p = r
        while p > pos and r - p < 3 and text[p - 1] in CN_NUM:
            p -= 1
        if p < r:
            m = _HEAD_ANY.match(text, p)
            if m is not None:       # (always: the numerals, blanks and 、 are there)
                out.append(m)
                pos = m.end()
    return out


@record
class Heading:
    """A section heading found in the text (一、…): its number, where it is, its title and how
    well the title matches the template's."""

    number: int
    numeral: str
    start: int       # offset of the numeral
    end: int         # end of the heading title
    title: str
    key: str | None  # template section key when the title is a template title
    quality: str     # exact / variant / fuzzy / other


def _title_index(formats: list[Format]):
    idx = []
    for fmt in formats:
        for sec in fmt.sections:
            for kind, t in [("exact", sec.title)] + [("variant", v) for v in sec.variants]:
                idx.append((compact(t), sec.key, sec.number, kind, t))
    idx.sort(key=lambda x: -len(x[0]))
    return idx


def find_headings(text: str, formats: list[Format], table_cores: set[str]) -> list[Heading]:
    der = _derived(formats)
    titles = der.titles
    by_first = der.titles_by_first
    cores = der.table_cores_tuple if table_cores is der.table_cores else tuple(table_cores)
    reach = der.title_reach
    found: dict[int, Heading] = {}
    # 1. template titles anywhere (one-line page text keeps them glued to the text around);
    #    a title under another number is still that section (reported by the order rule)
    rev = text[::-1]    # (both searches below look backwards for a numeral's 、 or .)
    commas = _comma_positions(text, rev)
    for m in _numeral_commas(text, rev, commas):
        num = cn_to_int(m.group(1))
        if num is None:
            continue
        window = text[m.end(): m.end() + 80]
        # the window compacted (the map back is computed only for a hit) — as far as a title
        # can reach: only its first ``reach`` characters are read, or its length when it is
        # shorter than that; deleting the soft characters costs by the character, and the
        # characters a short prefix keeps are the first ones the whole window keeps
        cw = SOFT_RUNS.sub("", window[:reach + 8])
        if len(cw) < reach and len(window) > reach + 8:
            cw = SOFT_RUNS.sub("", window)
        hit = None
        # only titles starting with the window's first character can match (same order)
        for core, key, number, kind, _t in (titles if by_first is None else by_first.get(cw[:1], ())):
            if cw.startswith(core) and (hit is None or (number == num and hit[2] != num)):
                hit = (core, key, number, kind, len(core))
                if number == num:
                    break
        if hit is None:
            # a typo in a template title (行政法复议): close to the same-numbered title
            # (only a ratio ≥ 0.9 is used: smaller ones are not computed)
            best = (0.0, None)
            group = der.titles_by_number.get(num, ())
            if group:
                # one count for all the titles of this number first: the characters of the
                # window (as far as the longest title reaches) that any of them has bound
                # every title's count below (see shared_chars_bound); a window of prose
                # (most matches) is ruled out by it
                chars, shortest, longest = der.title_chars[num]
                most = sum(map(chars.__contains__, cw[:longest + 2]))
                if most + shortest and 2.0 * most / (most + shortest) <= 0.9 - 1e-9:
                    group = ()
            for core, key, number, kind, _t in group:
                if len(cw) < len(core) - 2:
                    continue
                lb = len(core)
                head = cw[:lb + 2]
                most = shared_chars_bound(head, core)   # ≥ the exact count below: rules out most
                if most + lb and 2.0 * most / (most + lb) <= 0.9 - 1e-9:
                    continue
                most = shared_chars(head, core)  # bounds the count of every prefix below
                if most + lb and 2.0 * most / (most + lb) <= 0.9 - 1e-9:
                    continue    # no prefix below can reach 0.9 (2·min(most, la)/(la+lb) ≤ this)
                for ln in (lb - 1, lb, lb + 1, lb + 2):
                    la = len(cw[:ln])
                    floor = max(best[0], 0.9 - 1e-9)
                    if la + lb and 2.0 * min(most, la) / (la + lb) <= floor:
                        continue
                    r = ratio_if_above(cw[:ln], core, floor)
                    if r is not None and r > best[0]:
                        best = (r, (core, key, number, "fuzzy", ln))
            if best[0] >= 0.9:
                hit = best[1]
        if hit is None:
            continue
        core, key, number, kind, ln = hit
        end = m.end() + _kept_offset(window, min(ln, len(cw)) - 1) + 1
        while end < len(text) and text[end] in "）)：:":
            end += 1
        found[m.start(1)] = Heading(num, m.group(1), m.start(1), end, text[m.end():end], key, kind)
    # 2. other headings at the start of a line (pre-2019 reports, renamed sections)
    for m in _line_heads(text, rev, commas):
        start = m.start(1)
        if start in found:
            continue
        num = cn_to_int(m.group(1))
        title = m.group(2).strip()
        ct = compact(title)
        if num is None or not ct:
            continue
        if title.endswith("|") or ct.startswith(cores):
            continue  # a table row label such as 一、本年新收…
        cut_title = False
        if len(ct) > 40 and ("。" in title[:-1] or len(ct) > 60):
            # a long line: keep only the heading part up to the first full stop
            cut = re.search(r"[。：:]", title)
            if not cut or cut.start() > 30:
                continue
            title = title[:cut.start()]
            cut_title = True
        # fuzzy match with template titles (typos such as 行政法复议)
        key, quality = None, "other"
        best = 0.0
        ctitle = compact(title) if cut_title else ct
        for core, k, number, _kind, _t in der.titles_by_number.get(num, ()):
            r = ratio_if_above(ctitle[:len(core) + 4], core, max(best, 0.8 - 1e-9))  # only ≥ 0.8 is used
            if r is not None and r > best:
                best, key = r, k
        if best >= 0.8:
            quality = "fuzzy"
        else:
            key = None
            # a freely worded title of the section with this number ("五、存在的主要问题及
            # 整改措施"): the section's word groups (rules/formats/*.yaml) all occur
            # (under another number only when exactly one section's words occur: a renumbered
            # report is still read, and the order rule reports the numbering)
            for fmt in formats[:1]:
                sec = fmt.section(num)
                if sec is not None and sec.words_match(ctitle):
                    key, quality = sec.key, "words"
                else:
                    hits = [s for s in fmt.sections if s.words_match(ctitle)]
                    if len(hits) == 1 and len(ctitle) <= 24:
                        key, quality = hits[0].key, "words"
        end = m.start(2) + len(title)
        found[start] = Heading(num, m.group(1), start, end, title, key, quality)
    # a freely worded title names a section only when no heading names it in the template's
    # own words (a narrative "三、主动公开工作情况" before the table part's "一、主动公开政府信息情况")
    strong = {h.key for h in found.values() if h.key and h.quality != "words"}
    for k, h in found.items():
        if h.quality == "words" and h.key in strong:
            found[k] = Heading(h.number, h.numeral, h.start, h.end, h.title, None, "other")
    return [found[k] for k in sorted(found)]


_DOT_NUMERAL_REVERSED = later(r"\.[ \t]*[一二三四五六七八九十]")


def _line_heads(text: str, reversed_text: str | None = None, commas: list[int] | None = None) -> list:
    """``_HEAD_AT_LINE.finditer(text)``: the match on the first line and those after a line
    break.  A match never spans a line and needs a numeral with 、 or . after it (blanks
    between), so _HEAD_AFTER_NL is matched only at the line breaks before such places, found
    in the reversed text by patterns that start with a literal (``reversed_text``: text[::-1]
    when known) — not at every line break: a match tried there counts the blanks that indent
    the line (pdftotext layout, grids blanked) first, character by character."""
    first = _HEAD_AT_LINE.match(text)
    out = [first] if first is not None else []
    rev = text[::-1] if reversed_text is None else reversed_text
    last = len(text) - 1
    if commas is None:
        commas = _comma_positions(text, rev)
    # (``commas``: the 、 after a numeral, which find_headings has found already)
    places = commas + [last - m.start() for m in _DOT_NUMERAL_REVERSED.finditer(rev)]
    breaks = set()
    rfind = text.rfind
    for q in places:
        nl = rfind("\n", 0, q)
        if nl >= 0:
            breaks.add(nl)
    for nl in sorted(breaks):
        m = _HEAD_AFTER_NL.match(text, nl)
        if m is not None:
            out.append(m)
    return out


_SOFT_DIGITS = frozenset(SOFT | set("0123456789"))
_KEPT = later("[^%s]+" % "".join(re.escape(c) for c in sorted(SOFT)))
_LEFT_OUT = later("([%s]+)" % "".join(re.escape(c) for c in sorted(SOFT)))
_LEFT_OUT_DIGITS = later("([%s]+)" % "".join(re.escape(c) for c in sorted(_SOFT_DIGITS)))


class OffsetMap:
    """For each character of a compacted string, its offset in the string it was made from;
    kept as runs of consecutive offsets (a table region is a few hundred runs, not one
    integer per character).  Reads like a list: ``cmap[i]``, ``len(cmap)``."""

    __slots__ = ("starts", "bases", "n")

    def __init__(self, starts: list[int], bases: list[int], n: int):
        self.starts = starts    # compacted offset where a run starts
        self.bases = bases      # its offset in the original string
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        k = bisect_right(self.starts, i) - 1
        return self.bases[k] + i - self.starts[k]


def _kept_offset(s: str, k: int) -> int:
    """The offset in s of its k-th character that is not soft: ``_compact_with_map(s)[1][k]``
    without mapping the rest of s (a heading needs where its title ends, nothing more)."""
    if k < 0:
        return _compact_with_map(s)[1][k]
    n = 0
    for m in _KEPT.finditer(s):
        a, b = m.span()
        if k < n + b - a:
            return a + k - n
        n += b - a
    raise IndexError(k)


def _compact_with_map(s: str, skip_digits: bool = False) -> tuple[str, OffsetMap]:
    """s without the soft characters (and ASCII digits), and for each character kept its
    offset in s."""
    # one split at the runs to leave out (a capturing pattern: the pieces kept and left out
    # alternate, and only the first and the last kept piece can be empty); their lengths
    # summed up say where each kept piece starts in s and in the compacted string — a table
    # region has hundreds of runs, so no Python loop over them, and no match object for each
    parts = (_LEFT_OUT_DIGITS if skip_digits else _LEFT_OUT).split(s)
    if len(parts) == 1:
        return s, OffsetMap([0], [0], len(s))       # nothing to leave out
    lens = list(map(len, parts))
    kept_lens = lens[0::2]
    bases = list(accumulate(lens, initial=0))[0::2]
    if not kept_lens[-1]:
        kept_lens.pop()
        bases.pop()
    if kept_lens and not kept_lens[0]:
        del kept_lens[0]
        del bases[0]
    starts = list(accumulate(kept_lens, initial=0))
    n = starts.pop()
    return "".join(parts[0::2]), OffsetMap(starts, bases, n)


# what a value cell holds: a number (with 增/减 or a sign, a unit), a dash, 不适用, 无
_VALUE_RE = later(r"[增减+\-]?\d+(?:\.\d+)?(?:万元|亿元|元|件|个|条|项|次|%)?|[—–\-/]+|不适用|无")


class LabelMatcher:
    """Finds the labels of one table (union of the formats) in a region of text."""

    def __init__(self, specs: list[LabelSpec]):
        self.specs = specs
        alts = []
        self.by_core: dict[str, list[LabelSpec]] = {}
        for sp in specs:
            for core in sp.cores():
                self.by_core.setdefault(core, []).append(sp)
        for core in sorted(self.by_core, key=len, reverse=True):
            alts.append(re.escape(core))
        self.regex = re.compile("|".join(alts)) if alts else None
        # what find_compacted needs of each (core, spec) but the text: worked out once
        # (spec, its numbering, whether the core needs the numbering in front, the quality)
        self._reading: dict[str, list[tuple]] = {
            core: [(sp, sp.numbering, sp.requires_numbering(core), _quality(core, sp)) for sp in cands]
            for core, cands in self.by_core.items()}
        # the same search on the text as it is (see find): the pattern and, for each of its
        # groups, the reading of the core whose match ends with that group
        self.spaced, self.spaced_reading = _spaced_pattern(
            [(core, self._reading[core]) for core in self.by_core])

    def find(self, text: str, start: int, end: int) -> list[tuple[int, int, LabelSpec, str]]:
        """Label occurrences in text[start:end] as (start, end, spec, quality).

        Digits are skipped like whitespace: pdftotext puts a row's values in the middle of
        its wrapped label ("5.要求行政机关确认或重新出 / 1 0 0 … / 具已获取信息"); the values
        inside a label's span are given back to the row by lex_table."""
        if self.regex is None:
            return []
        # ``self.regex`` over the compacted text, mapped back (find_compacted), finds what
        # ``self.spaced`` finds in the text itself: the cores with soft characters and digits
        # allowed between their characters (a match starts and ends with a core's character,
        # as the compacted match mapped back does; see _spaced_pattern) — without compacting
        # the region and mapping each match back
        if self.spaced is None:
            cs, cmap = _compact_with_map(text[start:end], skip_digits=True)
            return self.find_compacted(text, start, end, cs, cmap)
        out = []
        reading = self.spaced_reading       # (each match read as find_compacted reads it)
        for m in self.spaced.finditer(text, start, end):
            s, e = m.span()
            found = _read_match(text, start, end, s, e, reading[m.lastindex])
            if found is not None:
                out.append(found)
        return out

    def find_compacted(self, text: str, start: int, end: int, cs: str, cmap: OffsetMap
                       ) -> list[tuple[int, int, LabelSpec, str]]:
        """:meth:`find` given ``_compact_with_map(text[start:end], skip_digits=True)`` (several
        matchers looking at one cell compact it once)."""
        if self.regex is None:
            return []
        out = []
        reading = self._reading
        # cmap[i] (OffsetMap.__getitem__) written out: two lookups a match
        runs, bases = cmap.starts, cmap.bases
        for m in self.regex.finditer(cs):
            core = m.group(0)
            i = m.start()
            k = bisect_right(runs, i) - 1
            s = start + bases[k] + i - runs[k]
            i = m.end() - 1
            k = bisect_right(runs, i, k) - 1
            e = start + bases[k] + i - runs[k] + 1
            found = _read_match(text, start, end, s, e, reading[core])
            if found is not None:
                out.append(found)
        return out


def _read_match(text: str, start: int, end: int, s: int, e: int, candidates) -> tuple | None:
    """A core found at text[s:e] (in the region start..end) read as a label: the first of its
    candidates ((spec, numbering, numbering required, quality)) whose numbering requirement
    holds, its span widened to the numbering in front, an opening bracket before it and the
    closing brackets after it; None if no candidate's requirement holds."""
    for sp, numbering, required, quality in candidates:
        ns = _numbering_start(text, s, numbering, start) if numbering else None
        if required and ns is None:
            continue
        s2 = ns if ns is not None else s
        break
    else:
        return None
    if s2 == s and s > start and text[s - 1] in "(（":
        s2 = s - 1  # an opening bracket that belongs to the label
    # swallow closing brackets that belong to the label
    while e < end and text[e] in ")）”\"":
        e += 1
    return (s2, e, sp, quality)


# A run of soft characters and digits between two characters of a core: possessive where re
# has it (Python 3.11+; a greedy run is 2.5x slower to search here, as it keeps what it could
# give back).  Python 3.10's re has no ``*+``: there the run is greedy, with the same matches
# (what follows a run is a core's character, never one of these, so nothing it gives back
# can match there).
_SOFT_DIGITS_CLASS = "[%s]" % "".join(re.escape(c) for c in sorted(_SOFT_DIGITS))
_POSSESSIVE = sys.version_info >= (3, 11)


def _spaced_pattern(cores: list[tuple[str, object]], possessive: bool | None = None):
    """A pattern that finds in a text what the alternation of ``cores`` (longest first) finds
    in the text compacted with the digits (``_compact_with_map(…, skip_digits=True)``), at the
    same places mapped back: (pattern, {group number: what goes with the core it found}), or
    (None, None) when a core has a character the compacting takes out (it cannot be found
    there; here it could) or there are none.

    The cores as a trie, soft characters and ASCII digits allowed between two characters
    (possessive, or greedy on Python 3.10: see _POSSESSIVE) but not
    before the first nor after the last — a compacted match mapped back starts at its first
    character and ends after its last.  At each node the longer cores are tried first and the
    node's own core last, so the match at a place is the longest core there, as with the
    alternation sorted longest first (two cores of one length cannot both match at one place).
    Each core ends with an empty group of its own; the one that took part in the match is the
    match's last group (``m.lastindex``).  Matches are searched from the end of the previous
    one, there as in the compacted text (no core starts with a soft character)."""
    if not cores or any(not core or any(c in _SOFT_DIGITS for c in core) for core, _r in cores):
        return None, None
    if possessive is None:
        possessive = _POSSESSIVE
    spacer = _SOFT_DIGITS_CLASS + ("*+" if possessive else "*")
    trie: dict = {}
    for core, reading in cores:
        node = trie
        for ch in core:
            node = node.setdefault(ch, {})
        node[None] = reading
    groups: dict[int, object] = {}

    def alternatives(node: dict) -> str:
        alts = []
        for ch, child in node.items():
            if ch is None:
                continue
            # (groups are numbered in the order they open: the longer cores' first)
            more = spacer + alternatives(child) if len(child) > (None in child) else ""
            own = ""
            if None in child:
                groups[len(groups) + 1] = child[None]
                own = "()"
            if not more:
                alts.append(re.escape(ch) + own)
            else:
                alts.append(re.escape(ch) + ("(?:%s|%s)" % (more, own) if own else more))
        return alts[0] if len(alts) == 1 else "(?:%s)" % "|".join(alts)

    return re.compile(alternatives(trie)), groups


def _quality(core: str, sp: LabelSpec) -> str:
    """How a core names its label: exact / short / variant / legacy."""
    if core in sp.legacy_cores:
        return "legacy"
    return "exact" if core == sp.core else ("short" if core in sp.short_cores else "variant")


_NUM_PREFIX = later(r"[(（]?\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*[)）]?\s*[、.．]?\s*$")


def _numbering_start(text: str, pos: int, numbering: str | None, floor: int) -> int | None:
    """If text before pos ends with the expected numbering (一、 / （一） / 1.), its start."""
    if not numbering:
        return None
    i = pos
    while i > floor and text[i - 1] in " \t\n":
        i -= 1
    while i > floor and text[i - 1] in "、.．)）":
        i -= 1
    while i > floor and text[i - 1] in " \t\n":
        i -= 1
    j = i - len(numbering)
    if j < floor or text[j:i] != numbering:
        return None
    if numbering.isdigit():
        # a digit numbering glued to a preceding digit run (…00000002.其他…) is still the
        # numbering when a dot or 、 follows it; only its own digits are taken
        if i == pos or text[i] not in ".、．" and j > floor and text[j - 1].isdigit():
            return None
        return j
    if j > floor and text[j - 1] in "(（":
        j -= 1
    return j


class _Derived:
    """What the lexer derives from a list of formats (label index, matchers, title index):
    built once per list of format objects instead of twice per report."""

    __slots__ = ("formats", "label_specs", "table_cores", "table_cores_tuple", "matchers", "titles",
                 "titles_by_first", "titles_by_number", "title_chars", "title_reach")

    def __init__(self, formats: list[Format]):
        self.formats = tuple(formats)   # kept alive, so the id() key cannot be reused
        self.label_specs = all_label_specs(list(formats))
        self.table_cores = {sp.core for specs in self.label_specs.values() for sp in specs
                            if sp.kind in ("row", "group")}
        self.table_cores_tuple = tuple(self.table_cores)     # for str.startswith
        self.matchers = {k: LabelMatcher(v) for k, v in self.label_specs.items()}
        self.titles = _title_index(list(formats))
        # how far into a heading's compacted window find_headings reads: the longest title
        # and the two characters more that a typo may take (cw[:len(core) + 2])
        self.title_reach = max((len(t[0]) for t in self.titles), default=0) + 2
        self.titles_by_number: dict[int, list] = {}     # in the order of ``titles``
        for t in self.titles:
            self.titles_by_number.setdefault(t[2], []).append(t)
        # per number: the characters of its titles, the shortest and the longest title
        self.title_chars: dict[int, tuple[frozenset, int, int]] = {
            num: (frozenset("".join(t[0] for t in group)), min(len(t[0]) for t in group),
                  max(len(t[0]) for t in group))
            for num, group in self.titles_by_number.items()}
        self.titles_by_first: dict[str, list] | None = {}
        for t in self.titles:
            if not t[0]:          # an empty title matches anywhere: no index then
                self.titles_by_first = None
                break
            self.titles_by_first.setdefault(t[0][0], []).append(t)


_DERIVED: dict[tuple, _Derived] = {}


def _derived(formats: list[Format]) -> _Derived:
    key = tuple(id(f) for f in formats)
    d = _DERIVED.get(key)
    if d is None or len(d.formats) != len(formats) or any(a is not b for a, b in zip(d.formats, formats)):
        if len(_DERIVED) > 64:
            _DERIVED.clear()
        d = _DERIVED[key] = _Derived(formats)
    return d


