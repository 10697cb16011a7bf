"""The small custom lexer: normalised text → line/cell tokens for the Lark grammar.

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

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..templates import Format, LabelSpec, TableSpec, all_label_specs

from ..textutil import CN_NUM, SOFT, VALUE_PUNCT, cn_to_int, compact, _SOFT_DEL  # noqa: F401


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
    matches = shared_chars(a, core)
    if length and 2.0 * matches / length <= floor:
        return None
    return difflib.SequenceMatcher(None, a, core).ratio()


def shared_chars(a: str, core: str) -> int:
    """Characters of a that core has too, with multiplicity (difflib's quick_ratio count).
    It can only grow when a grows, so the count for a long prefix bounds its prefixes."""
    counts = _char_counts(core)
    avail: dict = {}
    matches = 0
    for ch in a:
        numb = avail[ch] if ch in avail else counts.get(ch, 0)
        avail[ch] = numb - 1
        if numb > 0:
            matches += 1
    return matches


@dataclass
class Tok:
    """A token with offsets into the normalised text and the facts the model needs."""

    type: str
    start: int
    end: int
    text: str
    data: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# section headings
# --------------------------------------------------------------------------------------
_HEAD_AT_LINE = re.compile(r"(?m)^[ \t]*(?:#+[ \t]*)?([一二三四五六七八九十]{1,3})[ \t]*[、.][ \t]*(\S[^\n]{0,60})$")
_HEAD_ANY = re.compile(r"([一二三四五六七八九十]{1,3})[ \t]*、[ \t]*")


@dataclass
class Heading:
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
    titles = _derived(formats).titles
    found: dict[int, Heading] = {}
    # 1. template titles anywhere (one-line page text keeps them glued to the text around);
    #    a title under another number is still that section (reported by the order rule)
    for m in _HEAD_ANY.finditer(text):
        num = cn_to_int(m.group(1))
        if num is None:
            continue
        window = text[m.end(): m.end() + 80]
        cw = window.translate(_SOFT_DEL)   # the map back is computed only for a hit
        hit = None
        for core, key, number, kind, _t in titles:
            if cw.startswith(core) and (hit is None or (number == num and hit[2] != num)):
                hit = (core, key, number, kind, len(core))
                if number == num:
                    break
        if hit is None:
            # a typo in a template title (行政法复议): close to the same-numbered title
            # (only a ratio ≥ 0.9 is used: smaller ones are not computed)
            best = (0.0, None)
            for core, key, number, kind, _t in titles:
                if number != num or len(cw) < len(core) - 2:
                    continue
                lb = len(core)
                most = shared_chars(cw[:lb + 2], core)  # bounds the count of every prefix below
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
        cmap = _compact_with_map(window)[1]
        end = m.end() + cmap[min(ln, len(cmap)) - 1] + 1
        while end < len(text) and text[end] in "）)：:":
            end += 1
        found[m.start(1)] = Heading(num, m.group(1), m.start(1), end, text[m.end():end], key, kind)
    # 2. other headings at the start of a line (pre-2019 reports, renamed sections)
    for m in _HEAD_AT_LINE.finditer(text):
        start = m.start(1)
        if start in found:
            continue
        num = cn_to_int(m.group(1))
        title = m.group(2).strip()
        ct = compact(title)
        if num is None or not ct:
            continue
        if title.endswith("|") or any(ct.startswith(c) for c in table_cores):
            continue  # a table row label such as 一、本年新收…
        if len(ct) > 40 and ("。" in title[:-1] or len(ct) > 60):
            # a long line: keep only the heading part up to the first full stop
            cut = re.search(r"[。：:]", title)
            if not cut or cut.start() > 30:
                continue
            title = title[:cut.start()]
        # fuzzy match with template titles (typos such as 行政法复议)
        key, quality = None, "other"
        best = 0.0
        ctitle = compact(title)
        for core, k, number, _kind, _t in titles:
            if number != num:
                continue
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


_SOFT_DIGITS = frozenset(SOFT | set("0123456789"))
_SOFT_DIGITS_DEL = str.maketrans({c: None for c in _SOFT_DIGITS})


def _compact_with_map(s: str, skip_digits: bool = False) -> tuple[str, list[int]]:
    """s without the soft characters (and ASCII digits), and for each character kept its
    offset in s."""
    drop = _SOFT_DIGITS if skip_digits else SOFT
    out = s.translate(_SOFT_DIGITS_DEL if skip_digits else _SOFT_DEL)
    if len(out) == len(s):
        return out, list(range(len(s)))
    return out, [i for i, ch in enumerate(s) if ch not in drop]


# --------------------------------------------------------------------------------------
# table regions
# --------------------------------------------------------------------------------------
_PAGE_NO = re.compile(r"(?m)^[ \t]*[-—－]?[ \t]*\d{1,3}[ \t]*[-—－][ \t]*$|^[ \t]*第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?[ \t]*$")
_MD_SEP = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_VALUE_RE = re.compile(r"[增减+\-]?\d+(?:\.\d+)?(?:万元|亿元|元|件|个|条|项|次|%)?|[—–\-/]+|不适用|无")
_DIGITS = re.compile(r"\d+")


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

    def find(self, text: str, start: int, end: int) -> list[tuple[int, int, LabelSpec, str]]:
        """Label occurrences in text[start:end] as (start, end, spec, quality).

        Digits are skipped like whitespace: pdftotext puts a row's values in the middle of
        its wrapped label ("5.要求行政机关确认或重新出 / 1 0 0 … / 具已获取信息"); the values
        inside a label's span are given back to the row by lex_table."""
        if self.regex is None:
            return []
        seg = text[start:end]
        cs, cmap = _compact_with_map(seg, skip_digits=True)
        out = []
        for m in self.regex.finditer(cs):
            core = m.group(0)
            s = start + cmap[m.start()]
            e = start + cmap[m.end() - 1] + 1
            cands = self.by_core[core]
            chosen = None
            for sp in cands:
                ns = _numbering_start(text, s, sp.numbering, start)
                if sp.requires_numbering(core) and ns is None:
                    continue
                chosen = (ns if ns is not None else s, sp)
                break
            if chosen is None:
                continue
            s2, sp = chosen
            if s2 == s and s > start and text[s - 1] in "(（":
                s2 = s - 1  # an opening bracket that belongs to the label
            # swallow closing brackets that belong to the label
            while e < end and text[e] in ")）”\"":
                e += 1
            quality = "exact" if core == sp.core else ("short" if core in sp.short_cores else "variant")
            if core in sp.legacy_cores:
                quality = "legacy"
            out.append((s2, e, sp, quality))
        return out


_NUM_PREFIX = re.compile(r"[(（]?\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*[)）]?\s*[、.．]?\s*$")


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


@dataclass
class Region:
    table: TableSpec
    start: int
    end: int


def lex_table(text: str, region: Region, matcher: LabelMatcher, table: TableSpec) -> list[Tok]:
    """Tokens of one table region: CAPTION, HEADER, ROWLABEL, GROUPLABEL, TEXT and CELLS (a run
    of VALUE/BLANK cells)."""
    start, end = region.start, region.end
    labels = matcher.find(text, start, end)
    # drop overlapping matches (keep the earlier / longer)
    kept = []
    last_end = start
    for s, e, sp, q in sorted(labels, key=lambda x: (x[0], -(x[1] - x[0]))):
        if s < last_end:
            continue
        kept.append((s, e, sp, q))
        last_end = e
    end = _prose_after(text, start, end, [(a, b) for a, b, _s, _q in kept])
    region.end = end
    kept = [k for k in kept if k[0] < end]
    toks: list[Tok] = [Tok("TABLE_START", start, start, "", {"table": table.key})]
    pos = start
    header_rows = _header_row_spans(text, start, end)
    seen_row = False
    for s, e, sp, q in kept:
        if s > pos:
            toks.extend(_lex_gap(text, pos, s, table, after_label=_after_label(toks)))
        kind = sp.kind
        if kind in ("row", "group") and any(a <= s < b for a, b in header_rows):
            kind = "header"  # a label word inside a header row of a Markdown table
        if kind in ("row", "group"):
            seen_row = True
        elif kind == "header" and seen_row and table.key == "表三":
            # below the header block a header word (其他, 总计…) is part of some other text
            toks.append(Tok("TEXT", s, e, text[s:e]))
            pos = e
            continue
        ttype = {"caption": "CAPTION", "header": "HEADER", "row": "ROWLABEL", "group": "GROUPLABEL"}[kind]
        toks.append(Tok(ttype, s, e, text[s:e], {"spec": sp, "quality": q}))
        if kind in ("row", "group") and any(ch.isdigit() for ch in text[s + 2:e]):
            # values that a PDF layout put inside the wrapped label belong to this row
            toks.extend(t for t in _scan_values(text, s + 2, e) if t.type == "VALUE" and t.text[0].isdigit())
        pos = e
    if pos < end:
        toks.extend(_lex_gap(text, pos, end, table, after_label=_after_label(toks)))
    toks = _cells(_fuzzy_labels(_merge_text(toks, text), table, text))
    toks.append(Tok("TABLE_END", end, end, ""))
    return toks


_RUNS = {"VALUE": ("CELLS", "cells"), "BLANK": ("CELLS", "cells"),
         "CAPTION": ("HEADS", "heads"), "HEADER": ("HEADS", "heads"), "TEXT": ("HEADS", "heads")}


def _cells(toks: list[Tok]) -> list[Tok]:
    """A run of VALUE/BLANK tokens becomes one CELLS token (its cells in data["cells"]), a
    run of captions, header words and stray text one HEADS token (data["heads"]): the grammar
    sees a table as heading parts and rows (labels + cells), and the parser handles a few
    dozen tokens instead of hundreds."""
    out: list[Tok] = []
    for t in toks:
        run_type = _RUNS.get(t.type)
        if run_type is None:
            out.append(t)
            continue
        kind, key = run_type
        if out and out[-1].type == kind:
            run = out[-1]
            run.data[key].append(t)
            run.end = t.end
        else:
            out.append(Tok(kind, t.start, t.end, "", {key: [t]}))
    return out


def _merge_text(toks: list[Tok], text: str) -> list[Tok]:
    """Adjacent TEXT tokens with no separator between them are one piece of text."""
    out: list[Tok] = []
    for t in toks:
        if (t.type == "TEXT" and out and out[-1].type == "TEXT"
                and not any(c in " \t\n|" for c in text[out[-1].end:t.start])):
            prev = out[-1]
            out[-1] = Tok("TEXT", prev.start, t.end, text[prev.start:t.end])
        else:
            out.append(t)
    return out


def _after_label(toks: list[Tok]) -> bool:
    return bool(toks) and toks[-1].type in ("ROWLABEL", "GROUPLABEL", "HEADER", "CAPTION")


def _header_row_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Markdown rows whose cells are all text (≥3 cells): header rows, never data rows."""
    spans = []
    for m in re.finditer(r"(?m)^[ \t]*\|([^\n]*)\|[ \t]*$", text[start:end]):
        cells = [c.strip() for c in m.group(1).split("|")]
        if len(cells) >= 3 and all(c and not _VALUE_RE.fullmatch(c.replace(" ", "")) for c in cells):
            spans.append((start + m.start(), start + m.end()))
    return spans


def _lex_gap(text: str, a: int, b: int, table: TableSpec, after_label: bool) -> list[Tok]:
    """Values, blanks and stray text between two labels."""
    seg = text[a:b]
    # page-number lines and Markdown separator rows are layout, not content
    for rx in (_PAGE_NO, _MD_SEP):
        seg = rx.sub(lambda m: " " * len(m.group(0)), seg)
    text = text[:a] + seg + text[b:] if seg != text[a:b] else text
    out: list[Tok] = []
    if "|" in seg:
        pieces = seg.split("|")
        off = a
        for i, piece in enumerate(pieces):
            p_start = off
            off += len(piece) + 1
            is_last = i == len(pieces) - 1
            stripped = piece.strip()
            if i == 0:
                # the rest of the label's own cell, or text before the first pipe
                if stripped:
                    out.extend(_scan_values(text, p_start, p_start + len(piece)))
                continue
            if is_last:
                if stripped:
                    out.extend(_scan_values(text, p_start, p_start + len(piece)))
                continue
            if not stripped:
                if "\n" in piece:
                    continue  # seam between two pipe-terminated lines
                out.append(Tok("BLANK", p_start, p_start + len(piece), piece))
                continue
            lead = len(piece) - len(piece.lstrip())
            cs = p_start + lead
            ce = cs + len(stripped)
            if _VALUE_RE.fullmatch(stripped.replace(" ", "")) or _looks_value_cell(stripped):
                out.extend(_scan_values(text, cs, ce))
            else:
                out.append(Tok("TEXT", cs, ce, stripped))
        return out
    return _scan_values(text, a, b)


def _looks_value_cell(s: str) -> bool:
    # "45503.48万元", "0 0 0" (several values in one cell)
    return all(_VALUE_RE.fullmatch(p) for p in s.split())


_SCAN = re.compile(r"\s+|(?:[增减+]|(?<![\d.])-)?\d+(?:\.\d+)?(?:万元|亿元|元|件|个|条|项|次|%)?|[—–/]+|-+(?=\s|$|\d|\|)"
                   r"|不适用|[^\s\d|]+")


def _scan_values(text: str, a: int, b: int) -> list[Tok]:
    out: list[Tok] = []
    sep = True  # was there a separator before the current token
    seg = text[a:b]
    for m in _SCAN.finditer(seg):
        tok = m.group(0)
        s = a + m.start()
        e = a + m.end()
        if tok.isspace():
            sep = True
            continue
        if tok[0].isdigit() or tok[0] in "增减+-" and len(tok) > 1 and tok[1].isdigit():
            out.append(Tok("VALUE", s, e, tok, {"sep_before": sep}))
        elif tok in ("不适用",) or set(tok) <= VALUE_PUNCT:
            out.append(Tok("VALUE", s, e, tok, {"sep_before": sep}))
        else:
            # text; a lone "无" stands for a value
            if tok == "无":
                out.append(Tok("VALUE", s, e, tok, {"sep_before": sep}))
            elif out and out[-1].type == "TEXT" and not sep:
                prev = out[-1]
                out[-1] = Tok("TEXT", prev.start, e, text[prev.start:e])
            else:
                out.append(Tok("TEXT", s, e, tok))
        sep = False
    return out


def _fuzzy_labels(toks: list[Tok], table: TableSpec, text: str) -> list[Tok]:
    """TEXT followed by values, in the row part of a table, that resembles a row label not
    yet seen becomes that row label (quality "fuzzy"): typos such as 其他法律行政止公开 are
    recognised (and reported by the label rule).  Up to four consecutive TEXT pieces are
    joined first, since PDF layouts wrap a label over several lines around other text."""
    seen = {t.data["spec"].key for t in toks if t.type in ("ROWLABEL", "GROUPLABEL")}
    candidates = [sp for sp in table.labels if sp.kind in ("row", "group") and sp.key not in seen]
    if not candidates:
        return toks
    out = list(toks)
    strip_num = re.compile(r"^[(（]?[一二三四五六七八九十\d]{1,2}[)）]?[、.]?")
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
    return [t for t in out if not (t.type == "TEXT" and not t.text)]


# --------------------------------------------------------------------------------------
# the whole document
# --------------------------------------------------------------------------------------
_FRONT_KEYS = ("索引号", "发布机构", "发布日期", "成文日期", "生成日期", "公开方式", "公开范围", "主题分类", "文号",
               "信息来源", "来源", "发文机关", "当前位置", "标题", "分类", "时效", "关键词", "浏览次数", "字号", "打印",
               "有效性", "发布时间", "所属机构", "体裁分类", "组配分类", "服务对象")
_FRONT_RE = re.compile(r"^\s*(?:%s)\s*[:：]?" % "|".join(_FRONT_KEYS))
_TITLE_RE = re.compile(r"[^\s。，,；;]{0,50}?\d{4}\s*年\s*度?[^\s。，,；;]{0,40}?(?:年度报告|工作报告|年报)")
_SUBITEM_RE = re.compile(r"(?m)(?:^|(?<=[。；;！!？?]))[ \t]*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[(（]\d{1,2}[)）]|\d{1,2}[.、](?!\d))")
_DATE_LINE = re.compile(r"^\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$")
_ORG_RE = re.compile(r"(人民政府|政府办公室|办公厅|委员会|管理委员会|局|厅|委|办|中心|院|部|署|政府|区|县|街道办事处|镇|乡)\s*$")


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


_PROSE_LINE = re.compile(r"(?m)^[^|\n]*$")
_PROSE_MARK = re.compile(r"[。！？]|^\s*[(（][一二三四五六七八九十]{1,2}[)）]")


def _prose_after(text: str, start: int, end: int, label_spans: list[tuple[int, int]]) -> int:
    """End of a table region: the first line of running prose (a line with no cell
    separator, no table label, at least 12 Chinese characters and sentence punctuation or a
    sub-item marker) after the table's first line.  Prose that wraps ("（一）主要问题" /
    "市科委 2024 年根据…") must not lend its numbers to the table."""
    last_label = max((a for a, _b in label_spans), default=start)
    first_nl = text.find("\n", max(start, last_label))
    if first_nl < 0 or first_nl >= end:
        return end
    for m in _PROSE_LINE.finditer(text, first_nl + 1, end):
        ls, le = m.start(), m.end()
        if any(a < le and b > ls for a, b in label_spans):
            continue
        line = m.group(0)
        cjk = sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff")
        if (cjk >= 12 and _PROSE_MARK.search(line)) or (cjk >= 4 and re.match(r"\s*[(（][一二三四五六七八九十]{1,2}[)）]", line)):
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
        hits = [m.start() for m in (rx.search(text, lo) for rx in tab.anchor_patterns()) if m]
        if hits:
            return min(hits)
    return None


class _Derived:
    """What the lexer derives from a list of formats (label index, matchers, title index):
    built once per list of format objects instead of twice per report."""

    __slots__ = ("formats", "label_specs", "table_cores", "matchers", "titles")

    def __init__(self, formats: list[Format]):
        self.formats = tuple(formats)   # kept alive, so the id() key cannot be reused
        self.label_specs = all_label_specs(list(formats))
        self.table_cores = {sp.core for specs in self.label_specs.values() for sp in specs
                            if sp.kind in ("row", "group")}
        self.matchers = {k: LabelMatcher(v) for k, v in self.label_specs.items()}
        self.titles = _title_index(list(formats))


_DERIVED: dict[tuple, _Derived] = {}


def _derived(formats: list[Format]) -> _Derived:
    key = tuple(id(f) for f in formats)
    d = _DERIVED.get(key)
    if d is None or len(d.formats) != len(formats) or any(a is not b for a, b in zip(d.formats, formats)):
        if len(_DERIVED) > 64:
            _DERIVED.clear()
        d = _DERIVED[key] = _Derived(formats)
    return d


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
            toks.extend(lex_table(text, r, matchers[r.table.key], r.table))
            pos = r.end
    if pos < len(text):
        toks.extend(_lex_prose(text, pos, len(text), before_sections=not headings))
    return _text_runs(_mark_closing(toks, text))


def _text_runs(toks: list[Tok]) -> list[Tok]:
    """Consecutive prose lines outside tables become one TEXTS token (the lines in
    data["texts"]); the model still gets one paragraph per line.  PDF text has a line per
    visual line, and the parser then handles a few tokens instead of hundreds."""
    out: list[Tok] = []
    in_table = False
    for t in toks:
        if t.type == "TABLE_START":
            in_table = True
        elif t.type == "TABLE_END":
            in_table = False
        if t.type == "TEXT" and not in_table:
            if out and out[-1].type == "TEXTS":
                run = out[-1]
                run.data["texts"].append(t)
                run.end = t.end
            else:
                out.append(Tok("TEXTS", t.start, t.end, "", {"texts": [t]}))
        else:
            out.append(t)
    return out


def _lex_prose(text: str, a: int, b: int, before_sections: bool) -> list[Tok]:
    """Paragraph tokens: one per line, and inside long lines one per sub-item （一）/1."""
    out: list[Tok] = []
    line_start = a
    for line in text[a:b].split("\n"):
        s = line_start
        e = s + len(line)
        line_start = e + 1
        if not line.strip():
            continue
        # split long lines at sub-item markers
        cuts = [m.start() for m in _SUBITEM_RE.finditer(line) if m.start() > 0 or True]
        cuts = sorted(set([0] + [c for c in cuts if c > 0]))
        for i, c in enumerate(cuts):
            ps = s + c
            pe = s + (cuts[i + 1] if i + 1 < len(cuts) else len(line))
            piece = text[ps:pe]
            if not piece.strip():
                continue
            lead = len(piece) - len(piece.lstrip())
            ps += lead
            piece = piece.strip()
            pe = ps + len(piece)
            if before_sections and _FRONT_RE.match(piece) and len(piece) < 120:
                out.append(Tok("FRONT", ps, pe, piece))
            else:
                m = _SUBITEM_RE.match(piece)
                if m and m.end() > 0:
                    out.append(Tok("SUBITEM", ps, ps + m.end(), piece[:m.end()].strip()))
                    rest = piece[m.end():]
                    if rest.strip():
                        r0 = ps + m.end() + (len(rest) - len(rest.lstrip()))
                        out.append(Tok("TEXT", r0, pe, text[r0:pe]))
                else:
                    out.append(Tok("TEXT", ps, pe, piece))
    return out


def _mark_closing(toks: list[Tok], text: str) -> list[Tok]:
    """The signature at the end: an issuing body line followed by a date line."""
    n = len(toks)
    if n >= 1 and toks[-1].type == "TEXT" and _DATE_LINE.match(toks[-1].text):
        toks[-1] = Tok("DATE", toks[-1].start, toks[-1].end, toks[-1].text)
        if n >= 2 and toks[-2].type == "TEXT" and len(toks[-2].text) <= 40 and _ORG_RE.search(toks[-2].text) \
                and "。" not in toks[-2].text:
            toks[-2] = Tok("SIGNATURE", toks[-2].start, toks[-2].end, toks[-2].text)
    # the title: first prose token that names a year and 报告, before the first section
    for i, t in enumerate(toks):
        if t.type == "SECTION":
            break
        if t.type in ("TEXT", "FRONT"):
            m = _TITLE_RE.search(t.text)
            if m and t.type == "TEXT" and m.start() < 60 and len(t.text) <= 80:
                toks[i] = Tok("TITLE", t.start, t.end, t.text)
                break
    return toks
