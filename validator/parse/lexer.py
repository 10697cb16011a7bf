"""The line lexer: the text outside grids → headings, paragraphs, front matter, title, closing,
and the tables of page text that has no grid, read by their labels.

Reports arrive as one-paragraph-per-line text, as one giant line (CMS page text with the
tables run together), as pdftotext layout, as one-cell-per-line pipe text and as Markdown
pipe tables.  The lexer does not guess the rendering up front; it works from anchors that
every rendering keeps:

* section headings ``一、总体情况`` … (template titles are found even inside a long line;
  other headings only at the start of a line);
* inside the table regions, the template's own labels (captions, header labels, row labels),
  found ignoring whitespace and punctuation, and the values between them, split on the
  separators the rendering has (``|``, runs of spaces, line breaks).

Tokens carry offsets into the normalised text; the source map turns them into positions in
the original file.
"""

from __future__ import annotations

import re

from ..records import record
from ..templates import Format, TableSpec, signature_words
from ..textutil import VALUE_PUNCT, compact  # noqa: F401  (compact: used by segment through lx)
from .labels import _VALUE_RE, Heading, LabelMatcher, _derived, find_headings, ratio_if_above  # noqa: F401
from .pieces import Tok
from ..lazyre import later

# --------------------------------------------------------------------------------------
# table regions
# --------------------------------------------------------------------------------------
# Page-number lines and Markdown separator rows (blanked in a gap).  A run of blanks is
# written so that it can be split between two repeats in one way only (a run is followed by
# something that is not a blank, or by the end of the line): the same matches — a match of
# _MD_SEP or of _PAGE_NO's first alternative is a whole line (^ … $, nothing in them takes a
# line break), so only which lines match counts, and those are the same — without the engine
# trying every split of a run at every line start ("[ \t]*[-—－]?[ \t]*": quadratic in the
# run, and a pdftotext gap has lines of dozens of blanks).  (No possessive quantifiers: they
# need Python 3.11, and the project runs on 3.10.)
_PAGE_NO = later(r"(?m)^[ \t]*(?:[-—－][ \t]*)?\d{1,3}[ \t]*[-—－][ \t]*$"
                 r"|^[ \t]*第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?[ \t]*$")
_MD_SEP = later(r"(?m)^[ \t]*(?:\|[ \t]*)?:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*(?:\|[ \t]*)?$")
_DIGITS = later(r"\d+")


@record
class Region:
    """The stretch of text (start, end) where a template table was found."""

    table: TableSpec
    start: int
    end: int


def lex_table(text: str, region: Region, matcher: LabelMatcher, table: TableSpec) -> Tok:
    """The tokens of one table region, as one TABLE token (data["toks"]): CAPTION, HEADER,
    ROWLABEL, GROUPLABEL, TEXT, VALUE and BLANK in text order (the segmenter reads the rows
    off that order: a run of row labels, then the run of cells after it)."""
    start, end = region.start, region.end
    labels = matcher.find(text, start, end)
    # drop overlapping matches (keep the earlier / longer)
    kept = []
    last_end = start
    labels.sort(key=_earlier_longer)
    for hit in labels:
        if hit[0] < last_end:
            continue
        kept.append(hit)
        last_end = hit[1]
    end = _prose_after(text, start, end, [(a, b) for a, b, _s, _q in kept])
    if end < region.end:
        kept = [k for k in kept if k[0] < end]     # (all of them start before the region's end)
    region.end = end
    toks: list[Tok] = []
    pos = start
    header_rows = _header_row_spans(text, start, end)
    seen_row = False
    seen: set[str] = set()      # the keys of the row labels (_fuzzy_labels looks for the others)
    is_t3 = table.key == "表三"
    header_text = False         # was a header word read as text (see _merge_text)
    for s, e, sp, q in kept:
        if s > pos:
            toks.extend(_gap_tokens(text, pos, s))
        kind = sp.kind
        row = kind == "row" or kind == "group"
        if row:
            if header_rows and any(a <= s < b for a, b in header_rows):
                kind = "header"  # a label word inside a header row of a Markdown table
                row = False
            else:
                seen_row = True
                seen.add(sp.key)
        if kind == "header" and seen_row and is_t3:
            # below the header block a header word (其他, 总计…) is part of some other text
            toks.append(Tok("TEXT", s, e, text[s:e]))
            header_text = True
            pos = e
            continue
        toks.append(Tok(_LABEL_TOKEN[kind], s, e, text[s:e], {"spec": sp, "quality": q}))
        if row and any(map(str.isdigit, text[s + 2:e])):
            # values that a PDF layout put inside the wrapped label belong to this row
            toks.extend(t for t in _scan_values(text, s + 2, e) if t.type == "VALUE" and t.text[0].isdigit())
        pos = e
    if pos < end:
        toks.extend(_gap_tokens(text, pos, end))
    if header_text:
        toks = _merge_text(toks, text)
    toks = _fuzzy_labels(toks, table, text, seen)
    return Tok("TABLE", start, end, "", {"table": table.key, "toks": toks})


def _earlier_longer(hit: tuple) -> tuple[int, int]:
    return hit[0], hit[0] - hit[1]


_LABEL_TOKEN = {"caption": "CAPTION", "header": "HEADER", "row": "ROWLABEL", "group": "GROUPLABEL"}


def _merge_text(toks: list[Tok], text: str) -> list[Tok]:
    """Adjacent TEXT tokens with no separator between them are one piece of text.

    Only a header word that lex_table reads as text can be such a neighbour: the text of one
    gap is never next to another TEXT of that gap without a separator (_scan_words joins such
    words, and the cells between pipes have a pipe between them), and the tokens of two gaps
    have the label between them in the text — so lex_table merges only when it has read a
    header word as text."""
    out: list[Tok] = []
    for t in toks:
        if (t.type == "TEXT" and out and out[-1].type == "TEXT"
                and not any(c in " \t\n|" for c in text[out[-1].end:t.start])):
            prev = out[-1]
            out[-1] = Tok("TEXT", prev.start, t.end, text[prev.start:t.end])
        else:
            out.append(t)
    return out


_PIPE_ROW = later(r"(?m)^[ \t]*\|([^\n]*)\|[ \t]*$")


def _header_row_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Markdown rows whose cells are all text (≥3 cells): header rows, never data rows."""
    spans = []
    if text.find("|", start, end) < 0:
        return spans
    for m in _PIPE_ROW.finditer(text[start:end]):
        cells = [c.strip() for c in m.group(1).split("|")]
        if len(cells) >= 3 and all(c and not _VALUE_RE.fullmatch(c.replace(" ", "")) for c in cells):
            spans.append((start + m.start(), start + m.end()))
    return spans


# The tokens of a gap depend on nothing but the gap's text (they are found in it, at offsets
# from its start): the same gaps come again and again — a row's values written together
# ("0000000"), " 0 | 0 | 0 ", a separator — within a report and across reports.  Remembered
# for gaps of at most _GAP_MEMO_TEXT characters, at most _GAP_MEMO_SIZE of them.
_GAP_MEMO: dict[str, tuple] = {}
_GAP_MEMO_SIZE = 4096
_GAP_MEMO_TEXT = 120


def _gap_tokens(text: str, a: int, b: int) -> list[Tok]:
    """:func:`_lex_gap`, remembered by the gap's text."""
    if b - a > _GAP_MEMO_TEXT:
        return _lex_gap(text, a, b)
    gap = text[a:b]
    known = _GAP_MEMO.get(gap)
    if known is None:
        toks = _lex_gap(text, a, b)
        if len(_GAP_MEMO) >= _GAP_MEMO_SIZE:
            _GAP_MEMO.clear()
        _GAP_MEMO[gap] = tuple((t.type, t.start - a, t.end - a, t.text) for t in toks)
        return toks
    return [Tok(kind, a + s, a + e, tok) for kind, s, e, tok in known]


def _lex_gap(text: str, a: int, b: int) -> list[Tok]:
    """Values, blanks and stray text between two labels (only text[a:b] is read)."""
    seg = orig = text[a:b]
    # page-number lines and Markdown separator rows are layout, not content (each pattern
    # needs a character most gaps do not have: tried only when it is there)
    if "-" in seg or "—" in seg or "－" in seg or "页" in seg:
        seg = _PAGE_NO.sub(_blank_match, seg)
    if "--" in seg:
        seg = _MD_SEP.sub(_blank_match, seg)
    text = text[:a] + seg + text[b:] if seg != orig else text
    out: list[Tok] = []
    if "|" in seg:
        pieces = seg.split("|")
        last = len(pieces) - 1
        off = a
        for i, piece in enumerate(pieces):
            p_start = off
            off += len(piece) + 1
            stripped = piece.strip()
            if not stripped:
                # nothing before the first pipe or after the last; a seam between two
                # pipe-terminated lines; else an empty cell
                if 0 < i < last and "\n" not in piece:
                    out.append(Tok("BLANK", p_start, p_start + len(piece), piece))
                continue
            if i == 0 or i == last:
                # the rest of the label's own cell or text before the first pipe; what follows
                # the last pipe
                out.extend(_scan_values(text, p_start, p_start + len(piece)))
                continue
            cs = p_start + piece.find(stripped[0])     # (after the blanks in front)
            ce = cs + len(stripped)
            if stripped.isdigit() and stripped.isascii():
                out.append(Tok("VALUE", cs, ce, stripped))     # what _scan_values makes of a number
            elif _VALUE_RE.fullmatch(stripped.replace(" ", "")) or _looks_value_cell(stripped):
                out.extend(_scan_values(text, cs, ce))
            else:
                out.append(Tok("TEXT", cs, ce, stripped))
        return out
    return _scan_values(text, a, b)


def _blank_match(m) -> str:
    return " " * len(m.group(0))


def _looks_value_cell(s: str) -> bool:
    # "45503.48万元", "0 0 0" (several values in one cell)
    return all(_VALUE_RE.fullmatch(p) for p in s.split())


# a gap's words: blanks, numbers (with 增/减 or a sign, a unit), dashes, 不适用 — all values —
# and other text (the named group says which, so no word is classified twice)
_SCAN = later(r"(?P<blank>\s+)|(?P<value>(?:[增减+]|(?<![\d.])-)?\d+(?:\.\d+)?(?:万元|亿元|元|件|个|条|项|次|%)?"
              r"|[—–/]+|-+(?=\s|$|\d|\|)|不适用)|[^\s\d|]+")


def _scan_values(text: str, a: int, b: int) -> list[Tok]:
    seg = text[a:b]
    words = seg.split()
    joined = "".join(words)
    if joined.isdigit() and joined.isascii() or not words:
        # (most gaps: numbers of ASCII digits between blanks, or only blanks) each word is one
        # match of the value pattern, a whole run of digits with a blank or the gap's end on
        # either side (no sign, decimal point or unit to take): a VALUE each, found by a plain
        # search from the end of the one before — the first place it occurs after blanks
        out = []
        pos = 0
        for w in words:
            s = seg.find(w, pos)
            pos = s + len(w)
            out.append(Tok("VALUE", a + s, a + pos, w))
        return out
    return _scan_words(text, a, b)


def _scan_words(text: str, a: int, b: int) -> list[Tok]:
    """:func:`_scan_values` word by word (the pattern's named group says what each word is)."""
    out: list[Tok] = []
    sep = True  # was there a separator before the current token
    for m in _SCAN.finditer(text[a:b]):
        kind = m.lastgroup
        if kind == "blank":
            sep = True
            continue
        tok = m.group()
        s, e = m.span()
        s += a
        e += a
        if kind == "value" or tok[0].isdigit() or tok[0] in "增减+-" and len(tok) > 1 and tok[1].isdigit() \
                or tok == "无" or tok[0] in VALUE_PUNCT and set(tok) <= VALUE_PUNCT:
            # (a lone "无" stands for a value; other text that is digits or dashes, too)
            out.append(Tok("VALUE", s, e, tok))
        elif out and not sep and out[-1].type == "TEXT":
            prev = out[-1]
            out[-1] = Tok("TEXT", prev.start, e, text[prev.start:e])
        else:
            out.append(Tok("TEXT", s, e, tok))
        sep = False
    return out


_LABEL_NUMBERING = later(r"^[(（]?[一二三四五六七八九十\d]{1,2}[)）]?[、.]?")


def _fuzzy_labels(toks: list[Tok], table: TableSpec, text: str, seen: set[str] | None = None) -> list[Tok]:
    """TEXT followed by values, in the row part of a table, that resembles a row label not
    yet seen becomes that row label (quality "fuzzy"): typos such as 其他法律行政止公开 are
    recognised (and reported by the label rule).  Up to four consecutive TEXT pieces are
    joined first, since PDF layouts wrap a label over several lines around other text.
    ``seen``: the keys of the row labels among toks, when known."""
    if seen is None:
        seen = {t.data["spec"].key for t in toks if t.type in ("ROWLABEL", "GROUPLABEL")}
    candidates = [sp for sp in table.labels if sp.kind in ("row", "group") and sp.key not in seen]
    if not candidates:
        return toks
    out = list(toks)
    absorbed = False            # (only then are there emptied tokens to leave out)
    strip_num = _LABEL_NUMBERING
    for i, t in enumerate(out):
        if t.type != "TEXT" or not candidates:
            continue
        nxt = out[i + 1] if i + 1 < len(out) else None
        if nxt is None or nxt.type not in ("VALUE", "BLANK"):
            continue
        best, best_sp, first = 0.0, None, i
        j = i
        joined = ""
        while j >= 0 and out[j].type == "TEXT" and i - j < 4:
            joined = out[j].text + joined
            core = compact(strip_num.sub("", joined))
            if len(core) >= 3:
                for sp in candidates:
                    r = ratio_if_above(core, sp.core, max(best, 0.75 - 1e-9))  # only ≥ 0.75 is used
                    if r is not None and r > best:
                        best, best_sp, first = r, sp, j
            j -= 1
        if best_sp is None or best < 0.75:
            continue
        start = out[first].start
        absorbed = True
        for k in range(first, i):
            out[k] = Tok("TEXT", out[k].start, out[k].start, "")  # absorbed into the label
        prev = out[first - 1] if first > 0 else None
        num = best_sp.numbering
        if (num and num.isdigit() and text[start:start + 1] in ".、" and prev is not None
                and prev.type == "VALUE" and prev.end == start and prev.text.endswith(num)):
            # the numbering digit was read as the end of the previous value (…00000002.)
            start = prev.end - len(num)
            if len(prev.text) > len(num):
                out[first - 1] = Tok("VALUE", prev.start, start, prev.text[:-len(num)], prev.data)
            else:
                out[first - 1] = Tok("TEXT", prev.start, prev.start, "")
        out[i] = Tok("ROWLABEL" if best_sp.kind == "row" else "GROUPLABEL", start, t.end, text[start:t.end],
                     {"spec": best_sp, "quality": "fuzzy" if first == i else "layout",
                      "ratio": round(best, 2)})
        candidates.remove(best_sp)
    if not absorbed:
        return out
    return [t for t in out if not (t.type == "TEXT" and not t.text)]


# --------------------------------------------------------------------------------------
# the whole document
# --------------------------------------------------------------------------------------
_FRONT_KEYS = ("索引号", "发布机构", "发布日期", "成文日期", "生成日期", "公开方式", "公开范围", "主题分类", "文号",
               "信息来源", "来源", "发文机关", "当前位置", "标题", "分类", "时效", "关键词", "浏览次数", "字号", "打印",
               "有效性", "发布时间", "所属机构", "体裁分类", "组配分类", "服务对象")
_FRONT_RE = later(r"^\s*(?:%s)\s*[:：]?" % "|".join(_FRONT_KEYS))
_TITLE_RE = later(r"[^\s。，,；;]{0,50}?\d{4}\s*年\s*度?[^\s。，,；;]{0,40}?(?:年度报告|工作报告|年报)")
_SUBITEM_RE = later(r"(?m)(?:^|(?<=[。；;！!？?]))[ \t]*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[(（]\d{1,2}[)）]|\d{1,2}[.、](?!\d))")
# a sub-item inside a line: right after the end of a sentence (its match starts at that mark;
# searching for the marks first is much faster than trying the look-behind everywhere)
_SUBITEM_AFTER = later(r"[。；;！!？?][ \t]*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[(（]\d{1,2}[)）]|\d{1,2}[.、](?!\d))")
# the same, one pattern for each mark: a pattern that starts with a literal is searched for
# with a plain scan for that character, one that starts with a class of characters tests every
# character against the class (3× slower); a text has two or three of the seven marks
_SUBITEM_AFTER_MARK = {ch: later(re.escape(ch) + r"[ \t]*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[(（]\d{1,2}[)）]|\d{1,2}[.、](?!\d))")
                       for ch in "。；;！!？?"}


def _subitem_marks(text: str, a: int, b: int) -> list[int]:
    """``[m.start() + 1 for m in _SUBITEM_AFTER.finditer(text, a, b)]``, from the patterns of the
    marks that text[a:b] has.  A match holds one mark, at its start, so no match of one mark
    overlaps one of another: the matches of all of them, in order, are the same."""
    out: list[int] = []
    patterns = 0
    for ch, rx in _SUBITEM_AFTER_MARK.items():
        if text.find(ch, a, b) >= 0:
            out.extend(m.start() + 1 for m in rx.finditer(text, a, b))
            patterns += 1
    if patterns > 1:
        out.sort()
    return out
_DATE_LINE = later(r"^\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$")


def find_table_regions(text: str, headings: list[Heading], tables: list[TableSpec],
                       matchers: dict[str, LabelMatcher]) -> list[Region]:
    """Where each template table is: from its first anchor to the next section heading
    (or the next table's anchor)."""
    bounds = [h.start for h in headings] + [len(text)]
    regions: list[Region] = []
    taken_until = 0
    for tab in tables:
        anchor = _find_anchor(text, tab, matchers[tab.key], taken_until, headings)
        if anchor is None:
            continue
        nxt = min([b for b in bounds if b > anchor] or [len(text)])
        regions.append(Region(tab, anchor, nxt))
        taken_until = anchor + 1
    # make regions disjoint and ordered
    regions.sort(key=lambda r: r.start)
    for i in range(len(regions) - 1):
        if regions[i].end > regions[i + 1].start:
            regions[i].end = regions[i + 1].start
    return regions


_ITEM_AT_START = later(r"\s*[(（][一二三四五六七八九十]{1,2}[)）]")


def _prose_after(text: str, start: int, end: int, label_spans: list[tuple[int, int]]) -> int:
    """End of a table region: the first line of running prose (a line with no cell
    separator, no table label, at least 12 Chinese characters and sentence punctuation or a
    sub-item marker) after the table's first line.  Prose that wraps ("（一）主要问题" /
    "市科委 2024 年根据…") must not lend its numbers to the table."""
    last_label = max((a for a, _b in label_spans), default=start)
    first_nl = text.find("\n", max(start, last_label))
    if first_nl < 0 or first_nl >= end:
        return end
    # the lines after it, up to the region's end.  The cheap tests first: most lines of a
    # table have a cell separator, or neither a full stop nor a sub-item marker, and then
    # neither the labels nor the Chinese characters of the line are looked at.  (Plain
    # string tests: the patterns they replace, "(?m)^[^|\n]*$" for a line and "[。！？]|^…"
    # for its marks, start with no character to skip ahead to — the engine tried them at
    # every position.)
    line_start = first_nl + 1
    for line in text[line_start:end].split("\n"):
        ls, le = line_start, line_start + len(line)
        line_start = le + 1
        if "|" in line:
            continue
        stop = "。" in line or "！" in line or "？" in line
        item = _ITEM_AT_START.match(line)
        if not stop and item is None:
            continue
        if any(a < le and b > ls for a, b in label_spans):
            continue
        cjk = sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff")
        # (a line with a sub-item marker and 12 Chinese characters has 4 of them)
        if (cjk >= 12 and stop) or (cjk >= 4 and item):
            return ls
    return end


def _find_anchor(text: str, tab: TableSpec, matcher: LabelMatcher, floor: int,
                 headings: list[Heading]) -> int | None:
    """First offset where the table visibly starts."""
    # prefer searching inside the template section of this table
    sec_start = None
    for h in headings:
        if h.key == tab.section_key:
            sec_start = h.end
            break
    search_from = sec_start if sec_start is not None else floor
    for lo in ([search_from, floor] if sec_start is not None else [floor]):
        hits = [m.start() for m in (_search(rx, text, lo) for rx in tab.anchor_patterns()) if m]
        if hits:
            return min(hits)
    return None


# --------------------------------------------------------------------------------------
# searching a pattern that starts with optional parts (an anchor "(?:三|(?<!\s))\s*本\s*年…")
# --------------------------------------------------------------------------------------
_ALL_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())   # every blank (≤ U+3000)
_PLANS: dict[int, tuple] = {}


def _search(rx, text: str, lo: int):
    r"""``rx.search(text, lo)``, skipping ahead when the pattern allows it.

    A pattern whose optional start (a bracket, a number, blanks, a look-behind) comes before a
    literal word gives the regex engine nothing to skip ahead with: it tries every position,
    and a table that is not in the text costs a scan of all of it per pattern.  Here the word
    (the first literal and the literals and blanks right after it: ``本\s*年\s*新…``) is
    searched first, which the engine does fast; the first match of the pattern cannot start
    before the run of characters the optional start can consume right before that word (the
    word's first character is not one of them), so the pattern is matched at each position of
    that run, and only when it matches at none of them (a pattern whose start is not optional:
    ``#+\s*行\s*政…``) the next occurrence of the word is looked for — the same match, found
    without trying the pattern at every position."""
    plan = _PLANS.get(id(rx))
    if plan is None or plan[0] is not rx:
        if len(_PLANS) > 256:
            _PLANS.clear()
        plan = _PLANS[id(rx)] = (rx, _search_plan(rx))
    how = plan[1]
    if how is None:
        return rx.search(text, lo)
    word, before = how
    pos = lo
    while True:
        w = word.search(text, pos)
        if w is None:
            return None
        at = w.start()
        start = at
        while start > lo and text[start - 1] in before:   # (text[lo:q].rstrip(before), uncopied)
            start -= 1
        # a match that starts in this run takes this occurrence of the word; when none does
        # (a word without the start the pattern requires: 行政复议 in prose for "#+\s*行政复议"),
        # the first match is at a later occurrence — found from there, not by the engine's
        # search trying the pattern at every position up to it
        for q in range(start, at + 1):
            m = rx.match(text, q)
            if m is not None:
                return m
        pos = at + 1


def _search_plan(rx) -> tuple | None:
    """(regex of the word, characters the optional start can consume) for :func:`_search`, or
    None when the pattern is not of that shape (then it is searched as it is)."""
    if not isinstance(rx.pattern, str) or rx.pattern[:1] not in ("(", "["):
        return None           # starts with its word (the engine skips ahead by itself), or opaque
    try:
        from re import _parser as sre
    except ImportError:       # Python 3.10
        try:
            import sre_parse as sre  # type: ignore[no-redef]
        except ImportError:  # pragma: no cover
            return None
    try:
        items = list(sre.parse(rx.pattern, rx.flags))
    except Exception:  # noqa: BLE001 - a pattern given compiled only, or another version's parser
        return None
    if rx.flags & re.IGNORECASE:
        return None
    chars: set[str] = set()

    def consumable(seq) -> bool:
        """Add what seq can consume to chars; False when that is not a plain set."""
        for op, av in seq:
            if op is sre.LITERAL:
                chars.add(chr(av))
            elif op is sre.IN:
                for iop, iav in av:
                    if iop is sre.LITERAL:
                        chars.add(chr(iav))
                    elif iop is sre.RANGE and iav[1] - iav[0] <= 256:
                        chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
                    elif iop is sre.CATEGORY and iav is sre.CATEGORY_SPACE:
                        chars.update(_ALL_SPACES)
                    else:
                        return False
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                if not consumable(av[2]):
                    return False
            elif op is sre.SUBPATTERN:
                if not consumable(av[-1]):
                    return False
            elif op is sre.BRANCH:
                if not all(consumable(b) for b in av[1]):
                    return False
            elif op not in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
                return False
        return True

    for k, (op, av) in enumerate(items):
        if op is not sre.LITERAL:
            continue
        if k == 0 or not consumable(items[:k]) or chr(av) in chars:
            return None
        word = [re.escape(chr(av))]
        for op2, av2 in items[k + 1:]:
            if op2 is sre.LITERAL:
                word.append(re.escape(chr(av2)))
            elif op2 is sre.MAX_REPEAT and av2[:2] == (0, sre.MAXREPEAT) \
                    and list(av2[2]) == [(sre.IN, [(sre.CATEGORY, sre.CATEGORY_SPACE)])]:
                word.append(r"\s*")
            else:
                break
        return re.compile("".join(word), rx.flags), "".join(sorted(chars))
    return None


def lex_document(text: str, formats: list[Format], primary: Format | None) -> list[Tok]:
    """The token stream of a whole report."""
    der = _derived(formats)
    table_cores = der.table_cores
    headings = find_headings(text, formats, table_cores)
    regions: list[Region] = []
    if primary is not None:
        matchers = der.matchers
        regions = find_table_regions(text, headings, primary.tables, matchers)
        # headings inside a table region are row labels, not sections (一、本年新收… at line start)
        headings = [h for h in headings
                    if not any(r.start < h.start < r.end and h.key is None for r in regions)]
    else:
        matchers = {}
    toks: list[Tok] = []
    events = [(h.start, "H", h) for h in headings] + [(r.start, "T", r) for r in regions]
    events.sort(key=lambda x: x[0])
    pos = 0
    first_heading = headings[0].start if headings else len(text)
    for at, kind, obj in events:
        if at < pos:
            continue
        if at > pos:
            toks.extend(_lex_prose(text, pos, at, before_sections=at <= first_heading and pos == 0))
        if kind == "H":
            h: Heading = obj
            toks.append(Tok("SECTION", h.start, h.end, text[h.start:h.end],
                            {"heading": h}))
            pos = h.end
        else:
            r: Region = obj
            toks.append(lex_table(text, r, matchers[r.table.key], r.table))
            pos = r.end
    if pos < len(text):
        toks.extend(_lex_prose(text, pos, len(text), before_sections=not headings))
    return _mark_closing(toks, text)


def _lex_prose(text: str, a: int, b: int, before_sections: bool) -> list[Tok]:
    """Paragraph tokens: one per line, and inside long lines one per sub-item （一）/1."""
    out: list[Tok] = []
    # where long lines are split: sub-item markers after the end of a sentence, found in one
    # search of the stretch (a match never spans a line: no pattern element takes a line
    # break, and the look-ahead sees a line break where a line ends) instead of one per line
    marks = _subitem_marks(text, a, b)
    k = 0
    n_marks = len(marks)
    line_start = a
    for line in text[a:b].split("\n"):
        s = line_start
        e = s + len(line)
        line_start = e + 1
        if not line or line.isspace():
            while k < n_marks and marks[k] < e:
                k += 1
            continue
        if k < n_marks and marks[k] < e:
            cuts = [s]
            while k < n_marks and marks[k] < e:
                cuts.append(marks[k])
                k += 1
            cuts.append(e)
            pieces = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
        else:
            pieces = [(s, e)]
        for ps, pe in pieces:
            piece = line if len(pieces) == 1 else text[ps:pe]
            body = piece.strip()
            if not body:
                continue
            # the blanks before the text (its first character is none: found at their end)
            ps += piece.find(body[0])
            piece = body
            pe = ps + len(piece)
            # (_FRONT_RE and _SUBITEM_RE at the start of a stripped piece: its \s* and [ \t]*
            # take nothing, so a front key, or a bracket or digit first, must be there)
            if before_sections and len(piece) < 120 and piece.startswith(_FRONT_KEYS):
                out.append(Tok("FRONT", ps, pe, piece))
            else:
                c = piece[0]
                m = _SUBITEM_RE.match(piece) if c in "(（" or c.isdecimal() else None
                if m and m.end() > 0:
                    out.append(Tok("SUBITEM", ps, ps + m.end(), piece[:m.end()].strip()))
                    rest = piece[m.end():]
                    if rest.strip():
                        r0 = ps + m.end() + (len(rest) - len(rest.lstrip()))
                        out.append(Tok("TEXT", r0, pe, text[r0:pe]))
                else:
                    out.append(Tok("TEXT", ps, pe, piece))
    return out


def signs_as_issuer(line: str) -> bool:
    """Does a line end like an issuer's name in a signature (``signature`` in
    rules/formats/common.yaml)?"""
    return line.rstrip().endswith(signature_words())


def _mark_closing(toks: list[Tok], text: str) -> list[Tok]:
    """The signature at the end: an issuing body line followed by a date line."""
    n = len(toks)
    if n >= 1 and toks[-1].type == "TEXT" and _DATE_LINE.match(toks[-1].text):
        toks[-1] = Tok("DATE", toks[-1].start, toks[-1].end, toks[-1].text)
        if n >= 2 and toks[-2].type == "TEXT" and len(toks[-2].text) <= 40 \
                and signs_as_issuer(toks[-2].text) \
                and "。" not in toks[-2].text:
            toks[-2] = Tok("SIGNATURE", toks[-2].start, toks[-2].end, toks[-2].text)
    # the title: first prose token that names a year and 报告, before the first section
    for i, t in enumerate(toks):
        if t.type == "SECTION":
            break
        # (the pattern needs a 年 and a 报: most lines without them are ruled out at once,
        # instead of by a search that tries every start with up to 50 characters each)
        if t.type == "TEXT" and len(t.text) <= 80 and "年" in t.text and "报" in t.text:
            m = _TITLE_RE.search(t.text)
            if m and m.start() < 60:
                toks[i] = Tok("TITLE", t.start, t.end, t.text)
                break
    return toks

