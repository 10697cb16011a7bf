"""How much of a section's text is the same as in another report (last year's report of the
same issuer, or another issuer's report of the same year), and where.

Read from the model only: each section's paragraphs (joined as the text rules see them,
page numbers and pinyin debris dropped), with whitespace removed so a PDF's line breaks and
a web page's spacing do not hide a copy.  The template's own wording (section titles and
their variants, table names, captions, headers and row labels of ``report.format``) is
masked out: it is the same in every report and is neither counted nor matched.

Matching gives the blocks of :class:`difflib.SequenceMatcher` with ``autojunk`` off (its
automatic junk heuristic would drop the most common Chinese characters) on the two sections
that are at least ``min_match`` characters long: runs of that many equal characters count as
copied.  They are worked out from the maximal runs the two texts have in common, found from an
index of each section's short pieces (:func:`long_blocks`: ~3× less work than difflib's search
on real sections, the same blocks); texts too repetitive for that are aligned by difflib itself
(through cydifflib, a compiled port of the same algorithm with the same results).  The share
is the copied characters over the section's countable characters (not masked).  Many
comparisons (every section of every report of a year) are first screened with a set of
character 8-grams: a section whose 8-grams are not shared enough cannot reach the
threshold and is not aligned.  In a batch, which other issuers' reports are screened at all is
decided by an index of the 8-grams the reports share (validator/cross/peers.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import Match
from hashlib import blake2b

from ..memo import LRU
from ..prose import make_stream

try:   # the same SequenceMatcher, compiled (identical matching blocks, ~4x faster)
    from cydifflib import SequenceMatcher
except ImportError:  # pragma: no cover - declared dependency
    from difflib import SequenceMatcher

_WS = re.compile(r"\s+")
_NON_WS = re.compile(r"\S+")
MASK_A = "\x01"   # masked characters of the report under check
MASK_B = "\x02"   # … of the other report: never equal to MASK_A, so masks never match
SHINGLE = 8


@dataclass
class Unit:
    """One section of one report, ready to compare."""

    key: str                      # section key (or title for sections outside the template)
    title: str                    # "一、总体情况"
    heading: tuple[int, int]      # span of the heading in the report text
    text: str                     # compact text, template wording masked with MASK_A
    pos: list[int] | Offsets      # report offset of each character of text
    countable: int                # characters that are not masked
    _shingles: set | None = field(default=None, repr=False)
    _matcher: object = field(default=None, repr=False, compare=False)
    _ident: bytes | None = field(default=None, repr=False, compare=False)
    _anchors: tuple | None = field(default=None, repr=False, compare=False)

    def ident(self) -> bytes:
        """A digest of the text (BLAKE2b, 128 bits): two units with the same text have the
        same one, whatever report they come from — what the memo of comparisons is keyed by."""
        if self._ident is None:
            self._ident = blake2b(self.text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        return self._ident

    def matcher(self):
        """A SequenceMatcher whose second sequence is this unit's text as the *other* report's
        (its masks made MASK_B), made once: its index of the text's characters is what aligning
        the unit as the other report costs beyond the alignment itself, and a unit is the other
        report's in several comparisons of a batch (the first sequence is set for each).  Only
        texts too repetitive for :func:`common_runs` are aligned with it."""
        if self._matcher is None:
            self._matcher = SequenceMatcher(None, "", self.text.replace(MASK_A, MASK_B), autojunk=False)
        return self._matcher

    def anchors(self, g: int) -> tuple[str, dict]:
        """This unit's text as the other report's (masks made MASK_B) and the index of its
        `g`-character pieces (:func:`gram_index`), made once per unit like :meth:`matcher`."""
        got = self._anchors
        if got is None or got[0] != g:
            other = self.text.replace(MASK_A, MASK_B)
            got = self._anchors = (g, other, gram_index(other, g))
        return got[1], got[2]

    def shingles(self) -> set:
        """The distinct 8-grams of the text that hold no masked character (those of each run
        between masked characters)."""
        if self._shingles is None:
            self._shingles = shingles_of(self.text)
        return self._shingles

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Report offsets of text[a:b]."""
        pos = self.pos
        if not pos:
            return self.heading
        if isinstance(pos, Offsets):
            pos = pos.offsets()
        a = min(max(a, 0), len(pos) - 1)
        b = min(max(b - 1, a), len(pos) - 1)
        return (pos[a], pos[b] + 1)


def shingles_of(text: str) -> set:
    """The distinct 8-grams of `text` that hold no MASK_A character."""
    out: set = set()
    for run in text.split(MASK_A):
        if len(run) >= SHINGLE:
            out.update([run[i:i + SHINGLE] for i in range(len(run) - SHINGLE + 1)])
    return out


@dataclass
class Passage:
    a: tuple[int, int]            # offsets in the text of the report under check
    b: tuple[int, int]            # offsets in the text of the other report
    length: int
    text: str                     # the passage (compact)


@dataclass
class SectionSimilarity:
    unit: Unit
    other: Unit
    share: float                  # 0..1
    copied: int
    passages: list[Passage]


def boilerplate(fmt) -> list[str]:
    """The template's own wording in a format (compact, longest first)."""
    if fmt is None:
        return []
    from ..templates import split_numbering
    words: set[str] = set()
    for s in getattr(fmt, "sections", []):
        words.add(s.title)
        words.update(s.variants)
    for t in getattr(fmt, "tables", []):
        words.add(t.name)
        words.update(t.headers)
        words.update(t.captions)
        words.update(t.legacy_labels)
        for r in t.rows:
            if r.label:
                words.add(r.label)
                words.add(split_numbering(r.label)[1])
    out = {_WS.sub("", w) for w in words if w}
    return sorted((w for w in out if len(w) >= 2), key=len, reverse=True)


_NUMBERING = re.compile(r"\s*(?:[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}\s*[、.．])")
_PUNCT = re.compile(r"[\W_]+")


def _core(text: str) -> str:
    """A heading without its numbering, spaces and punctuation.  (The numbering is matched at
    the start only, then the rest filtered: what one pattern with both as alternatives did,
    without trying the anchored one at every character.)"""
    m = _NUMBERING.match(text)
    return _PUNCT.sub("", text[m.end():] if m else text)


def _core_within(text: str, most: int) -> str | None:
    """:func:`_core` of `text`, or None when that is longer than `most` characters, as seen
    for a long paragraph from the core of its first 2 × `most` characters (characters are
    dropped one by one, so that is the start of the whole core): a paragraph of the body is
    not filtered whole only to learn that it is no template label (whose core is at most
    `most` long)."""
    m = _NUMBERING.match(text)
    rest = text[m.end():] if m else text
    if len(rest) > 2 * most and len(_PUNCT.sub("", rest[:2 * most])) > most:
        return None
    return _PUNCT.sub("", rest)


_MASKS: dict[int, tuple] = {}   # id(format) -> (format, its boilerplate, their cores)
_MASKS_MAX = 16


def _masks(fmt) -> tuple[list[str], set[str]]:
    """boilerplate(fmt) and the cores (:func:`_core`) of its phrases, computed once per format
    object (a format is loaded once per process and not changed; a few are ever in use)."""
    got = _MASKS.get(id(fmt))
    if got is None or got[0] is not fmt:
        if len(_MASKS) >= _MASKS_MAX:
            _MASKS.clear()
        words = boilerplate(fmt)
        got = _MASKS[id(fmt)] = (fmt, words, {_core(w) for w in words})
    return got[1], got[2]


def _section_label(sec) -> str:
    return f"{sec.numeral}、{sec.title}" if getattr(sec, "numeral", None) else sec.title


def units(report, *, plain: bool = False) -> list[Unit]:
    """The sections of a report as comparable units (cached on the report).  `plain`: the
    template's wording is kept and only letters, digits and CJK characters are kept (two
    copies of one report are compared whatever punctuation and table rules each shows)."""
    cache_key = "_similarity_units_plain" if plain else "_similarity_units"
    cached = report.__dict__.get(cache_key)
    if cached is not None:
        return cached
    words, short = ([], set()) if plain or report.format is None else _masks(report.format)
    out: list[Unit] = []
    sig = report.signature
    # the sections' streams as the parser built them for the text rules (prose.build_prose:
    # the same paragraphs joined the same way), else joined here
    prose = getattr(report, "prose", None)
    built = getattr(prose, "sections", None) or []
    if len(built) != len(report.sections):
        built = [None] * len(report.sections)
    for sec, st in zip(report.sections, built):
        paras = list(sec.paragraphs)
        if sig is not None and sec is report.sections[-1]:
            paras = [p for p in paras if p.span[0] < sig.span[0]]
        if st is None or st.section is not sec:
            st = make_stream(paras, sec)
        if plain:
            offsets = st.pos.expand() if st.pos else range(len(st.text))
            chars: list[str] = []
            pos: list[int] | Offsets = []
            for i, ch in enumerate(st.text):
                if ch.isspace() or not ch.isalnum():
                    continue
                chars.append(ch)
                pos.append(offsets[i])
            text = "".join(chars)
        else:   # the non-white-space characters (str.split's white space is str.isspace's, \s's)
            text = "".join(st.text.split())
            pos = Offsets(st, len(text))
        if words and text:
            masked = None
            # a paragraph that is only a template label or title (a sub-heading) …
            if short:
                most = max(map(len, short))
                for para in paras:
                    core = _core_within(para.text, most)
                    if core and core in short:
                        if masked is None:
                            masked = list(text)
                        a, b = para.span
                        for k, p in enumerate(pos):
                            if a <= p < b:
                                masked[k] = MASK_A
            # … and the longer template phrases wherever they are quoted
            for w in words:
                if len(w) < 6:
                    continue
                start = text.find(w)
                if start >= 0 and masked is None:
                    masked = list(text)
                while start >= 0:
                    masked[start:start + len(w)] = MASK_A * len(w)
                    start = text.find(w, start + len(w))
            if masked is not None:
                text = "".join(masked)
        countable = len(text) - text.count(MASK_A)
        out.append(Unit(sec.key or sec.title, _section_label(sec), sec.span, text, pos, countable))
    report.__dict__[cache_key] = out
    return out


class Offsets:
    """The report offset of each character of a unit's text (its stream's characters that are
    not white space), worked out when first read — where a finding is placed: the index of
    other issuers' reports (peers.profile), which every checked report goes through, reads
    only the text.  Reads like a list."""

    __slots__ = ("_stream", "_n", "_list")

    def __init__(self, stream, n: int):
        self._stream = stream
        self._n = n
        self._list: list[int] | None = None

    def offsets(self) -> list[int]:
        """The offsets as a list (worked out on the first call)."""
        if self._list is None:
            st = self._stream
            offsets = st.pos.expand() if st.pos else range(len(st.text))
            pos: list[int] = []
            for m in _NON_WS.finditer(st.text):
                pos.extend(offsets[m.start():m.end()])
            self._list, self._stream = pos, None
        return self._list

    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0

    def __getitem__(self, i):
        return self.offsets()[i]

    def __iter__(self):
        return iter(self.offsets())

    def __eq__(self, other) -> bool:
        if isinstance(other, Offsets):
            other = other.offsets()
        return self.offsets() == other

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self.offsets())


def match_units(a: list[Unit], b: list[Unit]) -> list[tuple[Unit, Unit]]:
    """Sections of two reports that correspond: the same template section (key), else the
    same title."""
    by_key = {}
    for u in b:
        by_key.setdefault(u.key, u)
    return [(u, by_key[u.key]) for u in a if u.key in by_key]


# Comparing two section *texts* is a pure function of them.  Sections are often copied word for
# word — that is what copied_text looks for — so in a batch the same pair of texts comes back
# with other pairs of reports (a county's units that all copied one model section are each
# compared with every other issuer's).  What it gives is kept in bounded memos keyed by the
# texts' digests (:meth:`Unit.ident`), so an entry holds no text.
MEMO_SIZE = 8192
_CONTAINMENT = LRU(MEMO_SIZE)   # (u ident, v ident) -> containment
_ALIGNED = LRU(MEMO_SIZE)       # (u ident, v ident, min_match) -> the long matching blocks


def containment(u: Unit, v: Unit) -> float:
    """Share of u's 8-grams that v has (a cheap upper screen for the alignment)."""
    key = (u.ident(), v.ident())
    got = _CONTAINMENT.get(key)
    if got is not None:
        return got
    su = u.shingles()
    got = len(su & v.shingles()) / len(su) if su else 0.0
    _CONTAINMENT.put(key, got)
    return got


def aligned(u: Unit, v: Unit, min_match: int) -> tuple:
    """:func:`long_matches` of u's text against v's (as the other report's): (a, b, size)
    triples in order.  A pure function of the two texts, kept in a bounded memo."""
    key = (u.ident(), v.ident(), min_match)
    got = _ALIGNED.get(key)
    if got is None:
        got = tuple(long_blocks(u, v, min_match))
        _ALIGNED.put(key, got)
    return got


def long_blocks(u: Unit, v: Unit, min_match: int) -> list[tuple[int, int, int]]:
    """The blocks :func:`long_matches` gives for u's text against v's, found from the runs
    the two texts have in common (:func:`common_runs`, :func:`blocks_of_runs`): about 3× less
    work than difflib's search on the sections of real batches, the same blocks.  Texts so
    repetitive that their runs are too many to go through are aligned by difflib."""
    stride = anchor_stride(min_match)
    b, index = v.anchors(min_match - stride + 1)
    runs = common_runs(u.text, b, index, min_match, stride)
    if runs is not None:
        return blocks_of_runs(runs, len(u.text), len(b), min_match)
    sm = v.matcher()
    sm.set_seq1(u.text)
    return [(m.a, m.b, m.size) for m in long_matches(sm, min_match)]


ANCHOR_STRIDE = 6       # positions of a sampled for anchors (min_match 12: 7-character pieces)
MAX_RUNS = 256          # more runs than this in one pair: difflib aligns it (see long_blocks)
PLACES_PER_CHAR = 4     # … or more places of a's pieces in b than this many per character of both


def anchor_stride(min_match: int) -> int:
    return max(1, min(ANCHOR_STRIDE, min_match // 2))


def gram_index(text: str, g: int) -> dict:
    """hash of each `g`-character piece of `text` -> its position, or the list of its
    positions when it occurs more than once (most pieces of a section occur once; an int
    key and value keep the index about as small as difflib's index of characters)."""
    index: dict = {}
    for i in range(len(text) - g + 1):
        h = hash(text[i:i + g])
        got = index.get(h)
        if got is None:
            index[h] = i
        elif got.__class__ is int:
            index[h] = [got, i]
        else:
            got.append(i)
    return index


def common_runs(a: str, b: str, index: dict, min_match: int, stride: int) -> list | None:
    """Every maximal run of at least `min_match` equal characters of a and b — (i, j, size)
    with a[i:i+size] == b[j:j+size] and neither end extensible — or None when the texts are
    too repetitive to look for them this way (more candidate places than a few times their
    length, or more than MAX_RUNS runs).

    `index` is b's :func:`gram_index` of g = min_match − stride + 1 characters.  A run of
    min_match characters holds a whole g-piece that starts at a multiple of `stride` in a:
    only those pieces of a are looked up.  Each place of a piece in b is a candidate on the
    diagonal j − i; one that lies inside the last run found on its diagonal is that run again
    (the pieces of a are taken in order), any other is grown to its maximal run."""
    g = min_match - stride + 1
    la, lb = len(a), len(b)
    budget = PLACES_PER_CHAR * (la + lb) + 1000
    reach: dict[int, int] = {}          # diagonal -> end (in a) of the last run found on it
    runs = []
    get = index.get
    for i in range(0, la - g + 1, stride):
        piece = a[i:i + g]
        places = get(hash(piece))
        if places is None:
            continue
        if places.__class__ is int:
            places = (places,)
        budget -= len(places)
        if budget < 0:
            return None
        for j in places:
            if reach.get(j - i, -1) > i or b[j:j + g] != piece:   # the same run, or another piece's hash
                continue
            x, y = i, j                                    # grow to the left, 8 then 1 at a time
            while x >= 8 and y >= 8 and a[x - 8:x] == b[y - 8:y]:
                x -= 8
                y -= 8
            while x and y and a[x - 1] == b[y - 1]:
                x -= 1
                y -= 1
            e, f = i + g, j + g                           # and to the right
            while e + 16 <= la and f + 16 <= lb and a[e:e + 16] == b[f:f + 16]:
                e += 16
                f += 16
            while e < la and f < lb and a[e] == b[f]:
                e += 1
                f += 1
            reach[j - i] = e
            if e - x >= min_match:
                runs.append((x, y, e - x))
                if len(runs) > MAX_RUNS:
                    return None
    return runs


def blocks_of_runs(runs: list, la: int, lb: int, min_match: int) -> list[tuple[int, int, int]]:
    """:func:`long_matches` from the maximal common runs of the two texts: the longest match
    in a range of a and b is the longest part of a run inside it (any match of min_match or
    more lies in a run; the part of a run inside a range is a match), the earliest in a, then
    in b, among equally long ones, as difflib's find_longest_match gives it (no junk)."""
    def longest(alo: int, ahi: int, blo: int, bhi: int) -> tuple[int, int, int]:
        bi = bj = best = 0
        for i, j, size in runs:
            d = j - i
            s = i if i > alo else alo
            if blo - d > s:
                s = blo - d
            e = i + size
            if ahi < e:
                e = ahi
            if bhi - d < e:
                e = bhi - d
            n = e - s
            if n > best or (n == best and n and (s < bi or (s == bi and s + d < bj))):
                bi, bj, best = s, s + d, n
        return bi, bj, best
    return [tuple(m) for m in split_ranges(la, lb, min_match, longest)]


def compare(u: Unit, v: Unit, *, min_match: int = 12, passages: int = 3,
            screen: float | None = None) -> SectionSimilarity | None:
    """How much of u is found in v.  With ``screen``, sections whose 8-gram containment is
    below it are not aligned (None)."""
    if not u.countable or not v.countable:
        return None
    if screen is not None and containment(u, v) < screen:
        return None
    blocks = [Match(*m) for m in aligned(u, v, min_match)]
    copied = sum(m.size for m in blocks)
    blocks.sort(key=lambda m: -m.size)
    top = [Passage(u.span(m.a, m.a + m.size), v.span(m.b, m.b + m.size), m.size, u.text[m.a:m.a + m.size])
           for m in blocks[:passages]]
    return SectionSimilarity(u, v, copied / u.countable, copied, top)


def long_matches(sm, min_match: int) -> list:
    """The blocks of ``sm.get_matching_blocks()`` of at least `min_match` (≥ 1) characters, in
    the same order, found without aligning what lies between them any finer.

    get_matching_blocks takes the longest match of the whole range, then does the same on the
    ranges before and after it, down to single characters.  A range whose longest match is
    shorter than `min_match` (or that is shorter than that on either side) holds no block of
    `min_match`: its finer blocks are only ever dropped, so it is not split further.  Without
    junk (none is declared here, and autojunk is off) each block is the longest match of its
    range and so cannot be extended into the next one: get_matching_blocks joins no two
    blocks, and the blocks kept are the same."""
    if min_match < 1:
        return [m for m in sm.get_matching_blocks() if m.size >= min_match]
    return split_ranges(len(sm.a), len(sm.b), min_match, sm.find_longest_match)


def split_ranges(la: int, lb: int, min_match: int, longest) -> list:
    """get_matching_blocks' recursion kept to blocks of `min_match` or more: the longest match
    of a range (`longest(alo, ahi, blo, bhi)` -> (a, b, size)), then the same on the ranges
    before and after it; a range that cannot hold `min_match` is not split further."""
    out = []
    todo = [(0, la, 0, lb)]
    while todo:
        alo, ahi, blo, bhi = todo.pop()
        if ahi - alo < min_match or bhi - blo < min_match:
            continue
        m = longest(alo, ahi, blo, bhi)
        a, b, size = m
        if size < min_match:
            continue
        out.append(m)
        todo.append((alo, a, blo, b))
        todo.append((a + size, ahi, b + size, bhi))
    out.sort()
    return out


def screen_for(threshold: float, min_match: int = 12) -> float:
    """A containment below which no section can reach `threshold` (each copied run of n ≥
    min_match characters holds n − 7 of the 8-grams, at least (min_match − 7)/min_match of
    its length)."""
    return max(0.0, threshold * (min_match - SHINGLE + 1) / min_match * 0.9)


def settings_of(values: dict) -> dict:
    """Similarity settings from effective configuration values (None = the rule's own)."""
    return {"threshold": values.get("similarity-threshold"), "min_chars": values.get("similarity-min-chars")}
