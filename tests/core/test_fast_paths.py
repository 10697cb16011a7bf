"""The shortcuts of the read → normalise → parse path (issue 15.4, "fast text") give exactly
what the longer way gives: each test compares a shortcut with the plain computation it
replaces, on the real corpus texts and on lines written to hit its edge cases."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from lark import Token, Tree

from tests.conftest import CORPUS, corpus_texts
from validator.parse import labels as lb
from validator.parse import lexer as lx
from validator.readers import textgrid as tg
from validator.source import SourceText


# lines that hit the edge cases: U+3000 and NBSP padding, tabs, a lone CR, trailing blanks,
# escaped pipes, literal &nbsp;, one space between words (one token) and two (two tokens)
ODD_LINES = [
    "", "   ", "\u3000\u3000一、总体情况", "项目  数量  金额", "a b c", "a  b", "a\u00a0b", "a\u3000b",
    "a \u3000b", "x\ty", " lead  trail  ", "a\rb", "| a | b |", "a \\| b | c", "&nbsp;| x |&nbsp;",
    "&NBSP; 12 &nbsp;", "\u3000\u3000", "本年新收  12   3", "中文 文字", "a \u2002 b", "end  ",
]


def odd_text() -> str:
    return "\n".join(ODD_LINES) + "\r\n" + "\r\n".join(ODD_LINES)


def _trim_by_characters(text: str, a: int, b: int) -> tuple[int, int]:
    """The padding trimmed one character at a time (what textgrid._trim always did)."""
    while True:
        while a < b and text[a] in tg.PAD:
            a += 1
        if b - a >= 6 and text[a:a + 6].lower() == "&nbsp;":
            a += 6
            continue
        break
    while True:
        while b > a and text[b - 1] in tg.PAD:
            b -= 1
        if b - a >= 6 and text[b - 6:b].lower() == "&nbsp;":
            b -= 6
            continue
        break
    return a, b


def test_trim_equals_trimming_character_by_character():
    texts = corpus_texts() + [odd_text(), "&nbsp;&nbsp; x &nbsp;", "\u3000&nbsp;\u3000", "&nbsp;"]
    for text in texts:
        for ln in tg._lines(text):
            assert tg._trim(text, ln.start, ln.end) == _trim_by_characters(text, ln.start, ln.end)
    rnd = random.Random(7)
    for _ in range(3000):
        s = "".join(rnd.choice([" ", "\u3000", "\u00a0", "&nbsp;", "&NbSp;", "a", "字", "&"]) for _ in range(rnd.randint(0, 8)))
        assert tg._trim(s, 0, len(s)) == _trim_by_characters(s, 0, len(s)), repr(s)


def test_line_trims_equal_trimming_each_line():
    """text_blocks trims every line once (_line_trims; _scan_lines, with a line without
    padding taken whole): what _trim gives for the whole line, None where that is empty (a
    blank line, also one of padding and literal &nbsp;)."""
    texts = corpus_texts() + [odd_text(), "&nbsp;\n x &nbsp;\n\u3000&nbsp;\r\n&NBSP;a", "", "\n\r\n \r",
                              "&nbsp;x&nbsp;\r\n&nbsp;\nx&nbsp;\r", "a\r\r\n\r"]
    for text in texts:
        lines = tg._lines(text)
        want = []
        for ln in lines:
            a, b = tg._trim(text, ln.start, ln.end)
            want.append((a, b) if b > a else None)
        assert tg._line_trims(text, lines) == want
        starts, ends, trims, _several = tg._scan_lines(text)
        assert trims == want
        assert (starts, ends) == ([ln.start for ln in lines], [ln.end for ln in lines])


def test_lines_split_like_searching_for_each_line_break():
    for text in corpus_texts() + [odd_text(), "", "\n", "a\r", "\r\n\r\n"]:
        lines = tg._lines(text)
        assert [text[ln.start:ln.end] for ln in lines] == [p[:-1] if p.endswith("\r") else p for p in text.split("\n")]
        assert [ln.no for ln in lines] == list(range(len(lines)))


def test_all_pipes_equals_pipes_of_every_line():
    for text in corpus_texts() + [odd_text(), "no pipe at all\nnone", "|\n|\n\\|x|"]:
        lines = tg._lines(text)
        assert tg._all_pipes(text, lines) == [tg._pipes(text, ln) for ln in lines]


def test_location_of_an_identity_map_equals_the_generic_lookup():
    """SourceText.from_original answers location() with one bisect; the answer is the one the
    per-character map (array form) gives, also at the ends and for empty spans."""
    rnd = random.Random(3)
    for _ in range(200):
        t = "".join(rnd.choice("ab\n中\r") for _ in range(rnd.randint(0, 40)))
        fast = SourceText.from_original(t)
        slow = SourceText(t, list(fast._lines[0:len(t) + 1]), list(fast._cols[0:len(t) + 1]))
        for _ in range(30):
            a = rnd.randint(-2, len(t) + 2)
            b = rnd.choice([None, a + rnd.randint(-2, 5)])
            assert fast.location(a, b) == slow.location(a, b)


def test_location_clamps_a_span_as_min_and_max_do():
    """SourceText.location clamps with comparisons: a span outside the text, reversed or open is
    answered for the span max(0, min(start, n)) … max(start, min(end, n)) — on both maps."""
    rnd = random.Random(17)
    for t in [""] + ["".join(rnd.choice("ab\n中\r") for _ in range(rnd.randint(1, 30))) for _ in range(60)]:
        fast = SourceText.from_original(t)
        slow = SourceText(t, list(fast._lines[0:len(t) + 1]), list(fast._cols[0:len(t) + 1]))
        n = len(t)
        for a in range(-3, n + 4):
            for b in (None, -5, a - 2, a - 1, a, a + 1, a + 3, n, n + 1, n + 9):
                start = max(0, min(a, n))
                end = start if b is None else max(start, min(b, n))
                for src in (fast, slow):
                    assert src.location(a, b) == src.location(start, end), (t, a, b)
                    assert src.location(a, b) == slow.location(start, end)


def test_quote_of_a_text_normalisation_left_alone_is_the_text():
    src = SourceText.from_original("一、总体情况")
    src.raw = src.text
    assert src.quote("总体", 2) == "总体"
    changed = SourceText.from_original("a,b")
    changed.raw = "a，b"
    assert changed.quote(",", 1) == "，"


def test_quote_of_a_piece_is_the_searched_quotation_with_or_without_a_changed_character():
    """SourceText.quote answers a piece without any of the characters normalisation put in
    place of others (looked for one by one in the piece) with the piece itself, and quotes a
    piece holding one — first, last or in between — from the text as written: the same as
    the search of every piece gives (a source without the changed characters known)."""
    from validator.normalize import normalize_source
    original = "（一）共受理申请（含网上申请）12件：自然人10件，法人2件；其他0件。\r\n二、结转：3件"
    src = normalize_source(SourceText.from_original(original))
    ref = normalize_source(SourceText.from_original(original))
    ref._changed = None            # every piece searched for
    assert src._changed is not None and len(src._changed[1]) > 2 and src.raw != src.text
    text = src.text
    pieces = {(text[a:b], a) for a in range(len(text)) for b in range(a + 1, min(len(text), a + 9) + 1)}
    pieces |= {("不在文中", 0), ("(含", 3), ("件,法", 20)}
    quoted_changed = 0
    for piece, near in sorted(pieces):
        got = src.quote(piece, near)
        assert got == ref.quote(piece, near), (piece, near)
        quoted_changed += got != piece
    assert quoted_changed      # some pieces are quoted with the characters as written


def _scan_reference(text: str, a: int, b: int) -> list[tuple[str, int, int, str]]:
    """The gap scanner as it classified every word before the named groups."""
    rx = re.compile(r"\s+|(?:[增减+]|(?<![\d.])-)?\d+(?:\.\d+)?(?:万元|亿元|元|件|个|条|项|次|%)?|[—–/]+|-+(?=\s|$|\d|\|)"
                    r"|不适用|[^\s\d|]+")
    out: list[list] = []
    sep = True
    for m in rx.finditer(text[a:b]):
        tok, s, e = m.group(0), a + m.start(), a + m.end()
        if tok.isspace():
            sep = True
            continue
        if tok[0].isdigit() or tok[0] in "增减+-" and len(tok) > 1 and tok[1].isdigit():
            out.append(["VALUE", s, e, tok])
        elif tok == "不适用" or set(tok) <= set("—–-/／"):
            out.append(["VALUE", s, e, tok])
        elif tok == "无":
            out.append(["VALUE", s, e, tok])
        elif out and out[-1][0] == "TEXT" and not sep:
            out[-1] = ["TEXT", out[-1][1], e, text[out[-1][1]:e]]
        else:
            out.append(["TEXT", s, e, tok])
        sep = False
    return [tuple(x) for x in out]


@pytest.mark.parametrize("gap", [
    "12 0 3", "增5 减3 +2 -4 5-3", "—— – / -- -", "不适用 无 无效 不适用于", "abc|def 12|3", "1.5万元 45503.48万元",
    "-12", "x-12", "12-", "２３ 45", "-/ ／", "²3", "增²",
])
def test_scan_values_classifies_like_before(gap):
    for a, b in ((0, len(gap)), (1, len(gap)), (0, max(0, len(gap) - 1))):
        got = [(t.type, t.start, t.end, t.text) for t in lx._scan_values(gap, a, b)]
        assert got == _scan_reference(gap, a, b)


def test_scan_values_ignores_what_is_before_the_gap():
    """A minus right after a digit outside the gap still starts a negative number inside it
    (the gap is scanned on its own, as before)."""
    text = "5-3"
    assert [(t.type, t.text) for t in lx._scan_values(text, 1, 3)] == [("VALUE", "-3")]


def test_subitem_cuts_equal_the_look_behind_pattern():
    def reference(line):
        cuts = [m.start() for m in lx._SUBITEM_RE.finditer(line)]
        return sorted(set([0] + [c for c in cuts if c > 0]))

    lines = [ln for t in corpus_texts() for ln in t.split("\n")]
    lines += ["甲。（一）乙；(2)丙！ 3.丁", "（一）。（二）", "。 1、x", "好。12.5亿元", "无标记的一行"]
    for line in lines:
        assert [0] + [m.start() + 1 for m in lx._SUBITEM_AFTER.finditer(line)] == reference(line)


def _prose_line_by_line(text, a, b, before_sections):
    """What _lex_prose gave when it searched each line for its cuts and tried the front-matter
    and sub-item patterns on every piece."""
    out = []
    line_start = a
    for line in text[a:b].split("\n"):
        s = line_start
        line_start = s + len(line) + 1
        if not line or line.isspace():
            continue
        cuts = [0] + [m.start() + 1 for m in lx._SUBITEM_AFTER.finditer(line)]
        for i, c in enumerate(cuts):
            ps = s + c
            pe = s + (cuts[i + 1] if i + 1 < len(cuts) else len(line))
            piece = text[ps:pe]
            body = piece.strip()
            if not body:
                continue
            ps += piece.find(body[0])
            piece = body
            pe = ps + len(piece)
            if before_sections and lx._FRONT_RE.match(piece) and len(piece) < 120:
                out.append(("FRONT", ps, pe, piece))
                continue
            m = lx._SUBITEM_RE.match(piece)
            if m and m.end() > 0:
                out.append(("SUBITEM", ps, ps + m.end(), piece[:m.end()].strip()))
                rest = piece[m.end():]
                if rest.strip():
                    r0 = ps + m.end() + (len(rest) - len(rest.lstrip()))
                    out.append(("TEXT", r0, pe, text[r0:pe]))
            else:
                out.append(("TEXT", ps, pe, piece))
    return out


def test_prose_tokens_equal_the_line_by_line_reading():
    """_lex_prose finds the sub-item cuts of a whole stretch in one search and tries the
    front-matter and sub-item patterns only on pieces that start as they must: the same
    tokens as searching line by line and trying both patterns everywhere."""
    texts = corpus_texts() + ["索引号：123\n发布机构 x\n  （一）甲。（二）乙；3.丙\n\u0663、阿拉伯数字", "。\n(1)\n1.5亿元。2、x"]
    rnd = random.Random(3)
    parts = ["。", "；", " ", "\t", "\n", "(", "（", "一", "）", ")", "1", "12", ".", "、", "x", "索引号", "发布机构：",
             "\u0661", "\u3000"]
    texts += ["".join(rnd.choice(parts) for _ in range(rnd.randint(0, 20))) for _ in range(20000)]
    for t in texts:
        for before in (True, False):
            a = rnd.randint(0, len(t))
            for x, y in ((0, len(t)), (a, rnd.randint(a, len(t)))):
                got = [(k.type, k.start, k.end, k.text) for k in lx._lex_prose(t, x, y, before)]
                assert got == _prose_line_by_line(t, x, y, before), (t, x, y, before)


def test_pipes_of_a_line_are_the_pipes_after_an_even_run_of_backslashes():
    """_pipes takes every pipe of a line without a backslash from the lengths of the pieces
    between them: the same offsets as looking at each pipe and the backslashes before it."""
    def reference(text, ln):
        out = []
        for i in range(ln.start, ln.end):
            if text[i] == "|":
                k = i - 1
                while k >= ln.start and text[k] == "\\":
                    k -= 1
                if (i - 1 - k) % 2 == 0:
                    out.append(i)
        return out

    rnd = random.Random(5)
    texts = corpus_texts() + [odd_text(), "|||\n a | b |\r\n\\|x|\\\\|y"]
    texts += ["".join(rnd.choice(["|", "||", "\\", " ", "a", "字", "\n", "\r"]) for _ in range(rnd.randint(0, 20)))
              for _ in range(5000)]
    for text in texts:
        for ln in tg._lines(text):
            assert tg._pipes(text, ln) == reference(text, ln), text


def test_row_period_tries_only_line_ends_and_finds_what_trying_every_period_finds():
    def reference(cells_per_line, empty_last):
        total = sum(cells_per_line)
        if total < 4 or max(cells_per_line, default=0) < 2:
            return None
        ends, last_cell_empty, k = set(), {}, 0
        for n, e in zip(cells_per_line, empty_last):
            k += n
            if n:
                ends.add(k)
                last_cell_empty[k] = e
        best = None
        for p in range(2, min(tg.MAX_ROW_CELLS, total) + 1):
            cuts = range(p, total, p)
            if len(cuts) < 2:
                break
            if any(c not in ends for c in cuts):
                continue
            padded = sum(1 for c in cuts if last_cell_empty[c])
            if padded * 2 >= len(cuts) and padded >= 2:
                share = padded / len(cuts)
                if best is None or share > best[0]:
                    best = (share, p)
        return best[1] if best else None

    rnd = random.Random(13)
    for _ in range(20000):
        n = rnd.randint(0, 30)
        cells = [rnd.choice([0, 1, 1, 1, 2, 3, 5]) for _ in range(n)]
        empty = [rnd.random() < 0.4 for _ in range(n)]
        assert tg.row_period(cells, empty) == reference(cells, empty), (cells, empty)
    for _ in range(300):     # wide tables: periods beyond MAX_ROW_CELLS are not tried
        cells, empty = [], []
        while sum(cells) < rnd.randint(50, 450):
            row = [rnd.choice([1, 1, 2]) for _ in range(rnd.randint(1, 4))]
            cells += row
            empty += [False] * (len(row) - 1) + [rnd.random() < 0.8]
        assert tg.row_period(cells, empty) == reference(cells, empty)


def test_shared_chars_counts_characters_with_multiplicity():
    rnd = random.Random(5)
    for _ in range(2000):
        a = "".join(rnd.choice("政府信息公开情况主动") for _ in range(rnd.randint(0, 12)))
        core = "".join(rnd.choice("政府信息公开情况依申请") for _ in range(rnd.randint(1, 10)))
        assert lb.shared_chars(a, core) == sum((Counter(a) & Counter(core)).values())


def test_titles_by_number_keep_the_title_order():
    from validator.templates import load_formats
    der = lb._derived(list(load_formats().values()))
    for num, group in der.titles_by_number.items():
        assert group == [t for t in der.titles if t[2] == num]
    assert set(der.table_cores_tuple) == der.table_cores


def test_a_typo_in_a_section_title_is_still_that_section():
    from validator.templates import load_formats
    fmts = list(load_formats().values())
    der = lb._derived(fmts)
    # glued inside one line of page text (only template titles are found there), one
    # character wrong: 主耍 for 主要
    text = "一、总体情况。正文五、存在的主耍问题及改进情况。其他文字四、另外的话"
    hs = lb.find_headings(text, fmts, der.table_cores)
    assert [(h.number, h.key, h.quality) for h in hs] == [(1, "总体情况", "exact"), (5, "问题改进", "fuzzy")]


def _lark_items(tree) -> list:
    """Lark's own parse tree as the model builder read it before the driver made the flat
    list itself: every inner rule hands its children up, a ``table_…`` rule is a table node."""
    out: list = []
    for c in tree.children:
        if isinstance(c, Tree):
            inner = _lark_items(c)
            if c.data.startswith("table_"):
                out.append(("table", inner))
            else:
                out.extend(inner)
        else:
            out.append(c)
    return out


def _shape(items) -> list:
    """Items comparable across two runs: a token by its type, place and value (a virtual
    token's value is made anew in each run, so is the list a token read as prose holds), a
    table node by its children."""
    from validator.parse.grammar import TableNode, Virtual
    out = []
    for it in items:
        if isinstance(it, (TableNode, tuple)):
            out.append(("table", _shape(it.children if isinstance(it, TableNode) else it[1])))
        else:
            v = it.value
            out.append((it.type, it.start_pos, it.end_pos,
                        (v.terminal, v.reason, v.at) if isinstance(v, Virtual) else
                        tuple(map(id, v)) if isinstance(v, list) else id(v)))
    return out


def test_the_drivers_reductions_give_the_items_lark_s_tree_gave(monkeypatch):
    """The driver shifts and reduces on Lark's table itself (grammar._Driver.shift), making
    the flat list of tokens and table nodes instead of Lark's tree: on every stream of the
    corpus (and streams out of order) the items, and the diagnostics, are those of feeding
    Lark's interactive parser and flattening its tree."""
    from validator.normalize import normalize
    from validator.parse import grammar as gr
    from validator.parse import parse

    class LarkDriver(gr._Driver):
        def shift(self, tok, end=False):
            return self.ip.feed_eof() if end else self.ip.feed_token(tok)

    streams = []
    real = gr.FormatGrammar.parse

    def kept(self, tokens):
        streams.append((self, list(tokens)))
        return real(self, tokens)

    monkeypatch.setattr(gr.FormatGrammar, "parse", kept)
    for text in corpus_texts():
        parse(normalize(SourceText.from_original(text)))
    monkeypatch.setattr(gr.FormatGrammar, "parse", real)
    assert len(streams) >= 10
    rnd = random.Random(7)
    for g, toks in list(streams):
        shuffled = list(toks)
        rnd.shuffle(shuffled)
        streams += [(g, shuffled), (g, toks[::-1]), (g, toks[: len(toks) // 2]), (g, [])]
    tables = 0
    for g, toks in streams:
        items, diags = gr._Driver(g, list(toks)).run()
        tree, lark_diags = LarkDriver(g, list(toks)).run()
        assert _shape(items) == _shape(_lark_items(tree))
        assert [(d.kind, d.span, d.args) for d in diags] == [(d.kind, d.span, d.args) for d in lark_diags]
        tables += sum(isinstance(it, gr.TableNode) for it in items)
    assert tables >= 10


def _tokens_by_pattern(s: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+(?: \S+)*", s.replace("\u3000", "  ").replace("\t", "  "))]


def test_aligned_tokens_of_a_line_equal_the_pattern_tokens():
    """A line with no blank inside but single spaces is one token without the pattern; its
    offsets still count U+3000 and tabs as two spaces."""
    lines = [ln for t in corpus_texts() + [odd_text()] for ln in t.split("\n")]
    lines += ["\u3000\u3000甲乙", "\t 甲 乙 ", " \u3000\t丙\u3000", "a\x1cb", "a\u2028b", "x\u00a0", "\u205f"]
    for ln in lines:
        assert tg._tokens(ln) == _tokens_by_pattern(ln), repr(ln)


def test_offset_map_of_compacting_equals_the_offset_of_every_kept_character():
    """_compact_with_map keeps runs; indexing it gives what a list of every kept character's
    offset gives (negative indices and IndexError included)."""
    texts = corpus_texts()
    samples = [t[k:k + 400] for t in texts for k in range(0, min(len(t), 4000), 400)]
    samples += ["", " ", "12 34", "一、 总体情况（1）", "a,b，c 5", "无soft"]
    for s in samples:
        for skip in (False, True):
            cs, cmap = lb._compact_with_map(s, skip_digits=skip)
            soft = lb._SOFT_DIGITS if skip else lb.SOFT
            want = [i for i, ch in enumerate(s) if ch not in soft]
            assert cs == "".join(s[i] for i in want)
            assert len(cmap) == len(want)
            assert [cmap[i] for i in range(len(want))] == want
            if want:
                assert cmap[-1] == want[-1]
            with pytest.raises(IndexError):
                cmap[len(want)]


def test_heading_patterns_written_for_speed_find_what_the_plain_ones_find():
    plain_any = re.compile(r"([一二三四五六七八九十]{1,3})[ \t]*、[ \t]*")
    plain_line = re.compile(r"(?m)^[ \t]*(?:#+[ \t]*)?([一二三四五六七八九十]{1,3})[ \t]*[、.][ \t]*(\S[^\n]{0,60})$")
    texts = corpus_texts() + ["一、甲\n二.乙\n\n  十一、丙", "\n三、x", "四、a\n五、b\n", "一二三四、x 十、", "## 六、y\r\n七、z"]
    for t in texts:
        assert [(m.span(), m.group(1)) for m in lb._HEAD_ANY.finditer(t)] == \
            [(m.span(), m.group(1)) for m in plain_any.finditer(t)]
        assert [(m.span(1), m.span(2)) for m in lb._line_heads(t)] == \
            [(m.span(1), m.span(2)) for m in plain_line.finditer(t)]


def test_numeral_commas_found_from_the_comma_equal_the_pattern_matches():
    """find_headings looks for 一、 from each 、 after a numeral (found in the reversed text)
    instead of searching the numeral class at every character: the same matches."""
    texts = corpus_texts() + ["一、甲", "一二三四、x", "十一 、 \t二、、三\t、", "、一、", "一、、二、 、",
                              "五五五五五、六六、", "一\n、", "x一、y二 、z三\t\t、 "]
    rnd = random.Random(7)
    texts += ["".join(rnd.choice("一二三十、 \tx\n") for _ in range(rnd.randint(0, 16))) for _ in range(20000)]
    for t in texts:
        assert [(m.span(), m.group(1)) for m in lb._numeral_commas(t)] == \
            [(m.span(), m.group(1)) for m in lb._HEAD_ANY.finditer(t)], t


def test_pinyin_debris_pattern_finds_what_the_look_behind_first_pattern_finds():
    from validator.prose import PINYIN_DEBRIS
    plain = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")
    texts = corpus_texts() + ["号(hào)码(mǎ) a(hào) (hào)开头 发(fā)布(bù)日(rì)期", "中((hào))"]
    for t in texts:
        assert [m.span() for m in PINYIN_DEBRIS.finditer(t)] == [m.span() for m in plain.finditer(t)]
        for a in (1, 2, 5):
            assert [m.span() for m in PINYIN_DEBRIS.finditer(t, a)] == [m.span() for m in plain.finditer(t, a)]


def test_mask_blanks_every_grid_character_but_line_breaks():
    from validator.parse.segment import _mask
    text = "甲乙\n| 1 | 2 |\n| 3 | 4 |\n丙丁\n"
    spans = [(3, 21), (0, 1), (10, 12)]
    masked = _mask(text, spans)
    assert len(masked) == len(text)
    for i, (a, b) in enumerate(zip(text, masked)):
        inside = any(s <= i < e for s, e in spans)
        assert b == (a if not inside or a == "\n" else " ")


def _splits_by_brute_force(tokens, n, eqs):
    """Every split of the tokens into n cells (digit runs cut anywhere without leading zeros,
    other tokens whole) that satisfies the equations (non-numbers leave theirs unchecked)."""
    from decimal import Decimal

    def cuts(tok):
        if not (tok.isdigit() and tok.isascii()):
            yield [tok]
            return
        for k in range(1, len(tok) + 1):
            head = tok[:k]
            if head != "0" and head[0] == "0":
                continue
            if k == len(tok):
                yield [head]
            else:
                for rest in cuts(tok[k:]):
                    yield [head] + rest

    def value(p):
        if p.isdigit() and p.isascii():
            return int(p)
        return Decimal(p) if re.fullmatch(r"\d+(\.\d+)?", p) else None

    out = []

    def rec(i, acc):
        if i == len(tokens):
            cells = [p for ps in acc for p in ps]
            if len(cells) != n:
                return
            vals = [value(p) for p in cells]
            for parts, total in eqs:
                vs = [vals[j] for j in parts]
                if vals[total] is None or any(v is None for v in vs):
                    continue
                if sum(vs) != vals[total]:
                    return
            out.append([list(ps) for ps in acc])
            return
        for ps in cuts(tokens[i]):
            rec(i + 1, acc + [ps])

    rec(0, [])
    return out


def test_splitting_into_the_most_cells_is_the_one_split_that_fits():
    """Digit runs one cell per digit (and other tokens whole) is the only split into that many
    cells: it is the answer when the equations hold, and no split is when they do not."""
    from validator.parse.splitter import split_run_together
    rnd = random.Random(11)
    rows = [(["0000000"], 7, [([0, 1, 2, 3, 4, 5], 6)]), (["1010002"], 7, [([0, 1, 2, 3, 4, 5], 6)]),
            (["1010003"], 7, [([0, 1, 2, 3, 4, 5], 6)]), (["12", "无", "3"], 4, [([0, 1], 3)]),
            (["1", "2.5", "34"], 4, [([0, 1, 2], 3)])]
    for _ in range(400):
        toks = [rnd.choice(["0", "1", "9", "00", "120", "5", "-", "无", "1.5"]) + "" for _ in range(rnd.randint(1, 3))]
        toks = ["".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 5))) if rnd.random() < .7 else t for t in toks]
        n = sum(len(t) if t.isdigit() else 1 for t in toks)
        eqs = rnd.choice([[], [([0], n - 1)] if n > 1 else [], [(list(range(n - 1)), n - 1)] if n > 1 else []])
        rows.append((toks, n, eqs))
    for toks, n, eqs in rows:
        want = _splits_by_brute_force(toks, n, eqs)
        got = split_run_together(toks, n, eqs)
        assert got.exhaustive and got.count == len(want) <= 1
        assert got.unique == (want[0] if want else None)


def test_grammar_tokens_carry_their_object_without_its_text():
    from validator.model import Paragraph
    from validator.parse.pieces import token
    para = Paragraph("一是加强公开。", (3, 10))
    t = token("PROSE", [para], 3, 10)
    assert t.type == "PROSE" and t.value == [para] and (t.start_pos, t.end_pos) == (3, 10)
    assert str(t) == ""      # no repr of the paragraphs made for the token's own text


def test_anchor_search_skipping_ahead_finds_the_plain_search_match():
    """_search looks for an anchor's word first and matches the pattern in the run of
    characters its start can take before it (else at the next occurrence of the word): the
    same match as a plain search, from any start, also where the word follows blanks, a
    number, a bracket or '#', and where it first comes without the '#' the pattern needs."""
    from validator.templates import load_formats
    patterns = [rx for f in load_formats().values() for t in f.tables for rx in t.anchor_patterns()]
    patterns.append(re.compile(r"(?:[(（]|(?<!\s))\s*本\s*列"))
    assert any(lx._search_plan(rx) is not None for rx in patterns)
    texts = corpus_texts() + [
        "甲 本年新收政府信息公开申请数量", "一、   本年新收 政 府信息公开申请", "三.\n本年度办理结果", "x  \n  ## 行政复议",
        "（本列数据", "本 本列数据", "     本年度办理结果", "一本年新收政府信息公开申请", "本年", "",
        # the word without the start the pattern requires, then with it (the next occurrence)
        "行政复议情况\n\n## 行政复议", "行政复议 行政复议\n# 行政复议", "  行政复议#行政复议", "#\n行政复议",
        "### 行政 复议", "本列 数据（本列数据", "##行政复议", "#  \n  行政复议 ## 行 政复议",
    ]
    rnd = random.Random(2)
    for t in texts:
        los = {0, len(t)} | {rnd.randint(0, len(t)) for _ in range(4)}
        for rx in patterns:
            for lo in los:
                a, b = lx._search(rx, t, lo), rx.search(t, lo)
                assert (a and a.span()) == (b and b.span()), (rx.pattern, lo, t[:60])


def test_a_pattern_of_another_shape_is_searched_as_it_is():
    assert lx._search_plan(re.compile(r"第\s*二")) is None            # a literal first: already fast
    assert lx._search_plan(re.compile(r".?本")) is None               # any character before the word
    assert lx._search_plan(re.compile(r"(?i)(?<!x)abc")) is None      # case-insensitive


def test_parse_value_remembers_answers_per_syntax():
    """The memo of parse_value answers as the parser does, and keeps syntaxes apart: a text
    that is "not applicable" in one format's words is text in another's."""
    from validator import model
    from validator.templates import value_syntax
    one = value_syntax({"negative": ["-"], "not_applicable": ["无"], "dashes": "—", "units": ["件"]})
    other = value_syntax({"negative": ["-"], "not_applicable": ["不适用"], "dashes": "—", "units": ["件"]})
    for raw in ["0", "12", " 1,234 ", "-5件", "无", "不适用", "—", "", "abc", "0.50"]:
        for syn in (one, other):
            assert model.parse_value(raw, syn) == model._parse_value(raw, syn)
            assert model.parse_value(raw, syn) == model._parse_value(raw, syn)    # from the memo
    assert model.parse_value("无", one)[0] == model.ValueKind.NA
    assert model.parse_value("无", other)[0] == model.ValueKind.TEXT


def test_shared_chars_bound_is_never_below_the_count():
    """The typo checks rule a candidate out by shared_chars_bound before counting exactly:
    only sound if the bound is never below shared_chars."""
    from validator.parse.labels import shared_chars, shared_chars_bound
    rnd = random.Random(11)
    for _ in range(5000):
        a = "".join(rnd.choice("甲乙丙丁ab") for _ in range(rnd.randint(0, 14)))
        core = "".join(rnd.choice("甲乙丙ab") for _ in range(rnd.randint(0, 14)))
        assert shared_chars_bound(a, core) >= shared_chars(a, core)


def test_stream_positions_point_at_the_characters_of_the_report():
    """make_stream writes PosMap's runs itself: every character of a stream is at its offset
    in the report text, an added line break where the character before it is."""
    from validator.model import Paragraph
    from validator.prose import make_stream
    texts = ["（一）主动公开方面一是甲。", "号(hào)码(mǎ)", "乙；", "", "  ", "1.办理情况二是丙", "丁(x)戊", "—3—",
             "三、存在的主要问题", "(hào)"]
    rnd = random.Random(5)
    for _ in range(300):
        paras, doc = [], ""
        for _k in range(rnd.randint(0, 6)):
            t = rnd.choice(texts)
            doc += " " * rnd.choice([0, 1, 5])
            paras.append(Paragraph(t, (len(doc), len(doc) + len(t)), rnd.choice([None, "（一）"])))
            doc += t
        st = make_stream(paras)
        offsets = st.pos.expand()
        assert len(offsets) == len(st.pos) == len(st.text)
        assert offsets == [st.pos[i] for i in range(len(st.text))]
        for i, ch in enumerate(st.text):
            if ch == "\n":
                assert offsets[i] == (offsets[i - 1] if i else 0)
            else:
                assert doc[offsets[i]] == ch


def test_the_year_from_the_text_is_worked_out_once():
    """parse() reads the year from the text once (text_year) and hands it to detect_year for
    the second look (with the tokens): the same answer as detect_year working it out."""
    from validator.parse.metadata import detect_year, text_year
    for text in corpus_texts() + ["", "2019年", "统计期限为2024年1月1日至12月31日", "2023年度政府信息公开"]:
        assert detect_year(text, [], text_year(text)) == detect_year(text, []) == text_year(text)


def _join_paras_per_character(paras):
    """metadata._join_paras as it was: a list of the document offset of every character."""
    out, idx, last = [], [], None
    for p in paras:
        if last is not None and last in "。;；!！?？:：":
            out.append("\n")
            idx.append(idx[-1])
            last = "\n"
        t = p.text
        if t:
            out.append(t)
            idx.extend(range(p.span[0], p.span[0] + len(t)))
            last = t[-1]
    idx.append(idx[-1] + 1 if idx else 0)
    return "".join(out), idx


def _strip_pinyin_per_character(s):
    out, idx, pos = [], [], 0
    for m in re.finditer(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)", s):
        out.append(s[pos:m.start()])
        idx.extend(range(pos, m.start()))
        pos = m.end()
    out.append(s[pos:])
    idx.extend(range(pos, len(s)))
    idx.append(len(s))
    return "".join(out), idx


def test_metadata_offset_maps_read_like_the_lists_of_every_character():
    """metadata._join_paras keeps runs (one a paragraph), _strip_pinyin a range when there is
    no pinyin: every index reads what the list of an offset per character held."""
    from validator.model import Paragraph
    from validator.normalize import normalize
    from validator.parse import metadata as md
    from validator.parse import parse
    groups = []
    for text in corpus_texts() + [odd_text()]:
        r = parse(normalize(SourceText.from_original(text)))
        paras = [p for p in r.front + r.preamble if p.text.strip()]
        groups += [paras[:14] + (r.sections[0].paragraphs[:2] if r.sections else []),
                   [p for s in r.sections for p in s.paragraphs]]
    groups += [[], [Paragraph("", (3, 3))], [Paragraph("甲。", (5, 7)), Paragraph("", (9, 9)), Paragraph("乙", (20, 21))],
               [Paragraph("统计期限：", (0, 5)), Paragraph("2023年", (9, 14))]]
    for paras in groups:
        text, idx = md._join_paras(paras)
        want_text, want = _join_paras_per_character(paras)
        assert text == want_text and len(idx) == len(want) and bool(idx)
        assert [idx[i] for i in range(len(want))] == want
        assert [idx[-k] for k in range(1, len(want) + 1)] == [want[-k] for k in range(1, len(want) + 1)]
        with pytest.raises(IndexError):
            idx[len(want)]
    for s in [p.text for paras in groups for p in paras] + ["号(hào)码", "(hào)号", "发(fā)布日(rì)期：", "x(ab)"]:
        clean, cmap = md._strip_pinyin(s)
        want_clean, want_map = _strip_pinyin_per_character(s)
        assert clean == want_clean and list(cmap) == want_map


def _implied_blanks_every_row(table, spec):
    """tablemath.implied_blanks as it was: every identity tried on every row."""
    from decimal import Decimal
    from validator.model import ValueKind
    for parts, total in spec.row_sums:
        for row in table.rows.values():
            cells = [row.cells.get(c) for c in parts + [total]]
            if any(c is None for c in cells):
                continue
            blanks = [c for c in cells if c.kind == ValueKind.BLANK]
            if len(blanks) != 1 or any(c.kind not in (ValueKind.NUMBER, ValueKind.ZERO, ValueKind.BLANK)
                                       for c in cells):
                continue
            b = blanks[0]
            known = sum((c.value for c in cells[:-1] if c is not b), Decimal(0))
            tot = cells[-1]
            if b is tot:
                value, how = known, "本行各列之和（%s）" % "＋".join(spec.column_display(c) for c in parts)
            else:
                value, how = tot.value - known, f"本行{spec.column_display(total)}减去其余各列"
            if value >= 0:
                b.implied, b.implied_by = value, how


def test_implied_blanks_looks_only_at_rows_with_a_blank_and_implies_the_same():
    """implied_blanks skips the rows without a blank cell (they have nothing to imply): the
    same values as trying every identity on every row, on the corpus and on tables with
    blanks written in (the corpus reports mostly write 0)."""
    import copy
    from validator.model import ValueKind
    from validator.normalize import normalize
    from validator.parse import parse
    from validator.tablemath import implied_blanks
    rnd = random.Random(3)
    seen = 0
    for text in corpus_texts():
        r = parse(normalize(SourceText.from_original(text)))
        for key, table in r.tables.items():
            spec = r.format.table(key) if r.format else None
            if spec is None:
                continue
            for trial in range(3):
                t = copy.deepcopy(table)
                for row in t.rows.values():
                    for c in row.cells.values():
                        c.implied = c.implied_by = None
                        if trial and c.kind in (ValueKind.NUMBER, ValueKind.ZERO) and rnd.random() < 0.2:
                            c.kind, c.value, c.raw = ValueKind.BLANK, None, ""
                mine, plain = copy.deepcopy(t), copy.deepcopy(t)
                implied_blanks(mine, spec)
                _implied_blanks_every_row(plain, spec)
                got = [(c.implied, c.implied_by) for c in mine.all_cells()]
                assert got == [(c.implied, c.implied_by) for c in plain.all_cells()]
                seen += sum(v is not None for v, _h in got)
    assert seen >= 10


def test_a_token_made_by_pieces_token_is_the_one_lark_s_constructor_makes():
    """pieces.token fills the slots of a Lark Token itself: every slot (whatever Lark's
    version has) holds what ``Token(type, "", start_pos=…, end_pos=…)`` then ``.value = …``
    gives, and the token is the same string."""
    from validator.parse.pieces import token
    value = ["a paragraph"]
    t = token("PROSE", value, 3, 9)
    ref = Token("PROSE", "", start_pos=3, end_pos=9)
    ref.value = value
    assert type(t) is Token and str(t) == str(ref) == ""
    slots = [s for c in Token.__mro__ for s in getattr(c, "__slots__", ())]
    assert "end_pos" in slots and "value" in slots
    assert all(getattr(t, s) == getattr(ref, s) for s in slots)
    assert t.value is value and t == ref and hash(t) == hash(ref)


def _pipe_row_cells_by_trimming(text: str, ln, pipes: list[int], leading: bool, trailing: bool) -> list:
    """A pipe row's cells as _pipe_row always made them: each cell's span trimmed by _trim."""
    cuts = pipes[1:] if leading else pipes
    cells, prev = [], (pipes[0] + 1 if leading else ln.start)
    for p in cuts:
        cells.append(tg._trim(text, prev, p))
        prev = p + 1
    if not trailing:
        cells.append(tg._trim(text, prev, ln.end))
    return [(x, y) if y > x else (min(x, ln.end), min(x, ln.end)) for x, y in cells]


def _pipe_texts(extra: list[str]):
    """The corpus texts, the odd text and the ``extra`` lines (joined by LF and by CRLF), each
    with its lines, every line's pipes and every line trimmed, as textgrid finds them."""
    for text in corpus_texts() + [odd_text(), "\n".join(extra), "\r\n".join(extra)]:
        lines = tg._lines(text)
        yield text, lines, tg._all_pipes(text, lines), tg._line_trims(text, lines)


def test_pipe_row_cells_from_one_split_equal_trimming_each_cell():
    """_pipe_row splits a line without a backslash or an & once (_split_cells) instead of
    trimming each cell's span: the same cells, empty ones where they are drawn."""
    extra = ["|", "||", "| |", "a |", "| a", "|a|b|", " | a |  | b | ", "a | b", "\u3000|\u3000x\u3000|\u200b|",
             "|\u00a0|\t|", "| 1 | 2 |\r", "x|", "|x", " || ", "| a | b | c", "a||b"]
    seen = 0
    for text, lines, pipes, trims in _pipe_texts(extra):
        for ln in lines:
            if not pipes[ln.no]:
                continue
            for open_left in (False, True):
                r = tg._pipe_row(text, ln, pipes[ln.no], open_left=open_left, span=trims[ln.no])
                assert r.cells == _pipe_row_cells_by_trimming(text, ln, pipes[ln.no], r.leading, r.trailing), repr(ln.text(text))
                seen += 1
    assert seen > 100


def _aligned_blocks_of_every_line(text, lines, free):
    """The space-aligned blocks as textgrid found them before the lines of several tokens were
    picked out: every free line tokenised, every line tried as a block's start, the checks in
    their first order (columns, values with the header row decided by its numbers, isolation)."""
    toks = [tg._tokens(ln.text(text)) if free[k] else None for k, ln in enumerate(lines)]
    out, i, n = [], 0, len(lines)
    while i < n:
        t = toks[i]
        if not t or len(t) < 2:
            i += 1
            continue
        k, members, j, blanks = len(t), [i], i + 1, 0
        while j < n:
            if free[j] and toks[j] is not None and not toks[j]:
                blanks += 1
                if blanks > 2:
                    break
                j += 1
                continue
            if toks[j] is None or len(toks[j]) != k:
                break
            members.append(j)
            blanks = 0
            j += 1
        rows = [toks[m] for m in members]
        if len(members) >= 2:
            cols = [(min(r[c][0] for r in rows), max(r[c][1] for r in rows)) for c in range(k)]
            cells = [[lines[m].text(text)[a:b] for a, b in toks[m]] for m in members]
            body = cells[1:] if not any(tg.is_number(c) for c in cells[0][1:]) else cells
            ok = all(cols[c][1] < cols[c + 1][0] for c in range(k - 1)) and bool(body) \
                and all(tg.is_number(c) or c.strip() in tg._DASHES for r in body for c in r[1:]) \
                and not any(tg.is_number(c) for c in cells[0][1:])
            for step in (1, 2, 3):
                q = members[-1] + step
                if not ok or q >= n:
                    break
                if toks[q] is None or len(toks[q]) >= 2:
                    ok = False
                elif toks[q]:
                    a, b = toks[q][0]
                    ok = not (step == 1 and a < cols[1][0] and b > cols[0][0])
                    break
            if ok:
                out.append((members, rows))
        i = members[-1] + 1
    return out


ALIGNED_TEXT = ("项目  数量  金额\n甲  1  2\n乙  3  4\n 合计\n\n丙  5  6\n丁  7  8\n  wrapped label\n"
                "项目  数量\n甲  1\n乙  2\n\n\n\n单行\n项目  数量\n甲  1\n乙  2\n      甲\n"
                "表\u3000数\n甲\u30001\n乙\u3000—\n\n名称\t数\n甲\t1\n乙\t2\n\u200b  x\n项目  数\n甲  1\n乙  2\n")


def test_aligned_blocks_from_the_lines_of_several_tokens_equal_those_of_every_line_tokenised():
    """_blocks tokenises only the lines _scan_lines picks out as maybe of several tokens
    (others are blank or one token), tries blocks only from those, and checks a block's
    header row first: the same blocks as trying every line with every free line tokenised."""
    texts = corpus_texts() + [odd_text(), ALIGNED_TEXT, ALIGNED_TEXT.replace("\n", "\r\n")]
    found = 0
    for text in texts:
        lines = tg._lines(text)
        starts, ends, _trims, several = tg._scan_lines(text)
        assert [ln.start for ln in lines] == starts and [ln.end for ln in lines] == ends
        for free in ([True] * len(lines), [k % 7 != 3 for k in range(len(lines))]):
            got = tg._blocks(text, starts, ends, free, several)
            assert got == _aligned_blocks_of_every_line(text, lines, free), repr(text[:80])
            found += len(got)
    assert found >= 4


def test_every_line_of_several_tokens_is_picked_out():
    """_scan_lines' ``several`` holds every line that _tokens cuts into two tokens or more
    (two spaces, U+3000, tabs, NBSP, a lone CR or other blanks inside, U+200B around)."""
    rnd = random.Random(11)
    alphabet = ["a", "字", " ", "  ", "\u3000", "\t", "\r", "\xa0", "\u2002", "\u200b", "\x0c", "1", "\x85", "\u205f"]
    texts = corpus_texts() + [odd_text(), ALIGNED_TEXT]
    for _ in range(300):
        texts.append("\n".join("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 7))) for _ in range(8)))
    picked = 0
    for text in texts:
        several = set(tg._scan_lines(text)[3])
        for ln in tg._lines(text):
            if len(tg._tokens(ln.text(text))) >= 2:
                assert ln.no in several, repr(ln.text(text))
                picked += 1
    assert picked > 200


def test_pipes_of_all_lines_from_one_split_equal_those_of_each_line():
    extra = "| a | b |\nx\\|y|z\n\n||||\nno pipe\n|\r\n a | b \r\n\\\\|x|"
    for text in corpus_texts() + [odd_text(), extra, "|", "\n|\n", "x"]:
        lines = tg._lines(text)
        pipes, piped = tg._line_pipes(text, [ln.start for ln in lines], [ln.end for ln in lines])
        assert pipes == [tg._pipes(text, ln) for ln in lines]
        assert piped == [ln.no for ln in lines if pipes[ln.no]]


def _ocpl_cells_by_trimming(text, lines, pipes):
    """Each line's cells as _ocpl_grid made them: each piece before a pipe trimmed (_trim),
    an empty one at its pipe."""
    out = []
    for ln in lines:
        prev, cells = ln.start, []
        for p in pipes[ln.no]:
            x, y = tg._trim(text, prev, p) if p != prev else (p, p)
            cells.append((x, y) if y > x else (p, p))
            prev = p + 1
        out.append(cells)
    return out


def test_one_cell_per_line_grids_and_pipe_grids_equal_the_plain_computation():
    """_ocpl_grid trims each cell inline and _pipe_run counts "text |" lines from the line's
    trimmed start and gives Grid its size: the cells (and Grid's own count of rows and
    columns) of the plain computation."""
    from validator.document import Grid
    extra = ["第二十条第(一)项 | ||||", "信息内容 |", "&nbsp;规章 |", "0 | |", "||||||", " x&nbsp; |", "| a |  | b |",
             "| 1 | 2 |", "|---|---|", "|", "| 3 |"]
    seen = 0
    for text, lines, pipes, trims in _pipe_texts(extra):
        body = [ln for ln in lines if pipes[ln.no]]
        for ln in body:
            if len(pipes[ln.no]) == 1:
                assert tg._text_before(pipes[ln.no], trims[ln.no]) == tg._ocpl_single(text, ln, pipes[ln.no]), \
                    repr(ln.text(text))
        if not body:
            continue
        g = tg._ocpl_grid(text, body, pipes)[0]
        want = [c for cells in _ocpl_cells_by_trimming(text, body, pipes) for c in cells]
        assert [(c.start, c.end) for c in g.cells] == want
        for first, grid, _used, _h in tg._pipe_run(text, body, pipes, False, trims) + [(0, g, [], None)]:
            plain = Grid(grid.start, grid.end, grid.cells, grid.origin)
            assert (grid.n_rows, grid.n_cols) == (plain.n_rows, plain.n_cols)
            seen += 1
    assert seen >= 10


def test_a_title_line_has_a_year_and_a_report():
    """_mark_closing tries the title pattern only on lines with a 年 and a 报: the pattern
    finds nothing in the others."""
    lines = [ln for t in corpus_texts() for ln in t.split("\n")]
    lines += ["2023年度报告", "某某区2023年政府信息公开工作年报", "2023 年 度工作报告", "年报", "2023年", "工作报告"]
    for ln in lines:
        if not ("年" in ln and "报" in ln):
            assert lx._TITLE_RE.search(ln) is None, ln
    assert any(lx._TITLE_RE.search(ln) for ln in lines)


def _piece_by_runs(seg, table) -> tuple:
    """A page-text table read as the segmenter read it when the lexer gave runs: consecutive
    VALUE/BLANK tokens one CELLS run, consecutive CAPTION/HEADER/TEXT one HEADS run; a run of
    row labels takes the CELLS run right after it; every other CELLS run is the unlabeled row's."""
    from validator.parse.segment import _label
    runs: list = []
    for t in table.data["toks"]:
        kind = {"VALUE": "CELLS", "BLANK": "CELLS", "CAPTION": "HEADS", "HEADER": "HEADS", "TEXT": "HEADS"}.get(t.type, t.type)
        if kind in ("CELLS", "HEADS") and runs and runs[-1][0] == kind:
            runs[-1][1].append(t)
        else:
            runs.append((kind, [t]))
    heads, rows, unlabeled = [], [], []
    k = 0
    while k < len(runs):
        kind, members = runs[k]
        if kind == "HEADS":
            heads.extend((t.type, _label(t)) for t in members)
        elif kind == "CELLS":
            unlabeled.extend(members)
        else:
            labels = []
            while k < len(runs) and runs[k][0] in ("ROWLABEL", "GROUPLABEL"):
                labels.append(runs[k][1][0])
                k += 1
            cells = runs[k][1] if k < len(runs) and runs[k][0] == "CELLS" else []
            if cells:
                k += 1
            for idx, lt in enumerate(labels):
                these = cells if idx == len(labels) - 1 else []
                rows.append((lt.data["spec"], [_label(lt)], (lt.start, these[-1].end if these else lt.end), these))
            continue
        k += 1
    return heads, rows, unlabeled


def test_the_flat_tokens_of_a_page_text_table_give_the_rows_the_runs_gave(monkeypatch):
    """The lexer hands a page-text table over as flat tokens; the segmenter reads the rows off
    them as it read them off the runs of cells and heading parts the lexer used to make."""
    from validator.lint import lint_path
    from validator.parse import segment as sg
    plain = sg.Segmenter._text_table
    checked = []

    def both(self, table):
        piece = plain(self, table)
        heads, rows, unlabeled = _piece_by_runs(self, table)
        assert [lm for _t, lm in heads if _t == "CAPTION"] == piece.captions
        assert [lm for _t, lm in heads if _t == "HEADER"] == piece.headers
        assert [lm for _t, lm in heads if _t not in ("CAPTION", "HEADER")] == piece.stray
        labeled = [r for r in piece.rows if r.labels]
        assert [(r.spec, r.labels, r.span, r.cells) for r in labeled] == rows
        got_unlabeled = [c for r in piece.rows if not r.labels for c in r.cells]
        assert got_unlabeled == unlabeled[len(unlabeled) - len(got_unlabeled):]
        checked.append(len(rows))
        return piece

    monkeypatch.setattr(sg.Segmenter, "_text_table", both)
    for p in sorted((CORPUS / "reports").glob("*.txt")):
        lint_path(str(p))
    assert len(checked) >= 5 and sum(checked) > 50


def test_subitem_marks_from_one_pattern_per_mark_equal_the_class_pattern():
    texts = corpus_texts() + [odd_text(), "甲。（一）乙；(2)丙!3.丁？ 4、戊;（十）己。12.5 不是。1.是", "。", "", "；(1)"]
    rnd = random.Random(11)
    for _ in range(500):
        texts.append("".join(rnd.choice(["。", "；", ";", "！", "!", "？", "?", " ", "\t", "(", "（", ")", "）", "一",
                                         "1", "12", ".", "、", "字", "\n"]) for _ in range(rnd.randint(0, 30))))
    for t in texts:
        for a, b in ((0, len(t)), (len(t) // 3, len(t) - len(t) // 4)):
            assert lx._subitem_marks(t, a, b) == [m.start() + 1 for m in lx._SUBITEM_AFTER.finditer(t, a, b)], repr(t)


def test_looks_traditional_counts_like_the_class_pattern():
    from validator import normalize as nz
    assert set(nz._TRAD_CHARS) == set(nz._TRAD_HINT.compiled().pattern[1:-1])
    texts = corpus_texts() + ["這個們來", "這個們來時", "這" * 5, "這" * 4 + "x" * 20000 + "這", "", "国这个"]
    for t in texts:
        assert nz.looks_traditional(t) == (len(nz._TRAD_HINT.findall(t[:20000])) >= 5)


def test_fold_width_counting_hints_equals_folding_then_looks_traditional():
    # normalize_source has looks_traditional from the pass that folds the width: the same
    # text, the same changed characters, the same answer as the two steps one after the other
    from validator import normalize as nz
    assert not set(nz._TRAD_CHARS) & (set(nz._FOLD_CHAR) | set(nz._FOLD_CHAR.values()))
    rnd = random.Random(5)
    texts = corpus_texts() + [odd_text(), "這個們來", "這個們來時", "這" * 5, "這" * 4 + "x" * 20000 + "這",
                              "這（１）個，們：來％時", "", "国这个", "（" * 3 + "這" * 6 + "⽉"]
    for t in list(texts):
        pieces = list(t) or ["x"]
        for _ in range(rnd.randrange(1, 9)):
            pieces[rnd.randrange(len(pieces))] = rnd.choice(nz._TRAD_CHARS + "（）：，１Ａ\u3000")
        texts += ["".join(pieces), "".join(pieces) * 5]
    for t in texts:
        changed, changed2 = set(), set()
        folded = nz.fold_width(t, changed)
        assert nz._fold_width(t, changed2, True) == (folded, nz.looks_traditional(folded)), repr(t[:40])
        assert changed2 == changed


def test_lines_and_trims_in_one_loop_equal_the_two_steps():
    texts = corpus_texts() + [odd_text(), "&nbsp;\n x &nbsp;\n\u3000&nbsp;\r\n&NBSP;a", "", "\n\r\n \r", "a\r", "&\n&amp;"]
    for text in texts:
        lines, trims = tg._lines_and_trims(text)
        assert lines == tg._lines(text)
        assert trims == tg._line_trims(text, tg._lines(text))


def test_search_year_from_the_year_mark_equals_the_plain_search():
    from validator.parse import metadata as md
    texts = corpus_texts() + [odd_text(), "", "年", "2024年", "2024 \u3000\t年度政府信息公开", "12024年1月1日至",
                              "x2024\n年", "２０２４年", "٢٠٢٤年1月1日到", "2024年年2023年度信息公开", "024年", "abc年2021 年"]
    rnd = random.Random(15)
    for _ in range(1000):
        texts.append("".join(rnd.choice(["2", "0", "1", "9", "年", " ", "\u3000", "\n", "度", "1月1日", "至", "起",
                                         "政府信息公开", "信息公开", "字", "-", "٣"]) for _ in range(rnd.randint(0, 25))))
    for t in texts:
        for rx in (md._PERIOD_START, md._YEAR_OF_REPORT, md._ANY_YEAR):
            got, want = md.search_year(rx, t), rx.search(t)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (t, rx)


def _find_by_compacting(matcher, text: str, start: int, end: int) -> list:
    """LabelMatcher.find as it was: the region compacted (soft characters and digits left out),
    the alternation of the cores searched there, each match mapped back."""
    cs, cmap = lb._compact_with_map(text[start:end], skip_digits=True)
    return matcher.find_compacted(text, start, end, cs, cmap)


def test_labels_found_in_the_text_itself_equal_those_found_in_the_compacted_text():
    from validator.parse.labels import LabelMatcher, _derived
    from validator.templates import load_formats
    formats = load_formats()
    rnd = random.Random(11)
    seen = 0
    for primary in ("2021", "2019"):
        fmt = formats[primary]
        der = _derived([fmt] + [f for f in formats.values() if f is not fmt])
        for matcher in der.matchers.values():
            assert matcher.spaced is not None       # the fast path is the one taken
            for text in corpus_texts():
                spans = [(0, len(text))] + [tuple(sorted(rnd.sample(range(len(text) + 1), 2))) for _ in range(3)]
                for a, b in spans:
                    got = matcher.find(text, a, b)
                    assert got == _find_by_compacting(matcher, text, a, b)
                    seen += len(got)
    assert seen > 1000
    # cores that are prefixes of others, soft characters and digits inside and around a label
    cores = ["ab", "abcd", "abce", "b", "bc", "x", "xy", "甲乙丙", "甲乙"]
    specs = [lb.LabelSpec("T", "row", f"k{i}", c, None, c) for i, c in enumerate(cores)]
    m = LabelMatcher(specs)
    assert m.spaced is not None
    alphabet = "abcdexy甲乙丙 \n,、（）12-|"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        a = rnd.randint(0, len(text))
        b = rnd.randint(a, len(text))
        assert m.find(text, a, b) == _find_by_compacting(m, text, a, b), (text, a, b)
    assert [(s, e) for s, e, _sp, _q in m.find("a 1b, c-d x", 0, 11)] == [(0, 9), (10, 11)]
    # a core with a character that compacting leaves out is never found there: no fast path
    odd = LabelMatcher([lb.LabelSpec("T", "row", "k", "a b", None, "a b")])
    assert odd.spaced is None and odd.find("a b", 0, 3) == _find_by_compacting(odd, "a b", 0, 3)


def test_front_keys_are_the_front_key_pattern_s_matches():
    """metadata._front_keys looks for the front-matter keys from the first key and colon only:
    the same matches as the pattern tried at every character, on every line and paragraph of
    the corpus and on lines with keys after white space, '-', '|', and keys without a colon."""
    from validator.parse import metadata as md
    texts = [ln for t in corpus_texts() for ln in t.split("\n")] + [t for t in corpus_texts()]
    texts += ["索引号：123 发布机构：某某局", "- 发布日期: 2024-01-02 | 文号：x", "时间：上午 名称：x",
              "  \u3000-\t索 引 号 ：1", "统计时间：2023年", "|来源:网", "-来源：x", "a-来源：x", "a -  来源：x",
              "文号 文号：1", "发布机构 某局 发布日期：2024", "：：来源：", "来源", "来源 ：", "x\n-\n发布时间\n：1", ""]
    rnd = random.Random(11)
    parts = [" ", "\u3000", "-", "|", "：", ":", "来源", "文", "号", "时间", "x", "发布日期", "\n"]
    texts += ["".join(rnd.choice(parts) for _ in range(rnd.randint(0, 12))) for _ in range(5000)]
    for s in texts:
        want = [(m.span(), m.span(1)) for m in md._META_KEY.finditer(s)] if ":" in s or "：" in s else []
        assert [(m.span(), m.span(1)) for m in md._front_keys(s)] == want, s


def _driver_facts_reference(driver, tokens):
    """What the grammar driver worked out from a token stream before it ran, as it did: where
    each terminal is, where each table ends, the sections and each table's rows out of order."""
    from validator.parse.grammar import _longest_increasing
    els = driver.els
    positions: dict = {}
    table_end_at: dict = {}
    groups: list = [[]]
    open_at = None
    for i, t in enumerate(tokens):
        positions.setdefault(t.type, []).append(i)
        el = els.get(t.type)
        if el is None:
            continue
        if el.kind == "section":
            groups[0].append(i)
        elif el.kind == "table":
            open_at = i
            groups.append([])
        elif el.kind == "table_end":
            if open_at is not None:
                table_end_at[open_at] = i
                open_at = None
        elif el.kind == "row" and len(groups) > 1:
            groups[-1].append(i)
    out: set = set()
    for idx in groups:
        ranks = [els[tokens[i].type].rank for i in idx]
        keep = _longest_increasing(ranks)
        out.update(i for k, i in enumerate(idx) if k not in keep)
    return positions, table_end_at, out, {tokens[j].type for j in out}


def test_the_grammar_driver_finds_what_is_out_of_order_as_before(monkeypatch):
    """The driver checks the order of the sections and of each table's rows in its one pass
    and works out where each terminal is only when a recovery asks: the same facts as
    collected before, on the token stream of every corpus report and on those streams
    shuffled (sections and rows out of order or twice, tables cut)."""
    from validator.lint import lint_path
    from validator.parse import grammar as gm
    streams = []
    plain = gm._Driver.__init__

    def keep(self, g, tokens):
        streams.append((g, list(tokens)))
        plain(self, g, tokens)

    monkeypatch.setattr(gm._Driver, "__init__", keep)
    for p in sorted((CORPUS / "reports").glob("*.txt")):
        lint_path(str(p))
    monkeypatch.setattr(gm._Driver, "__init__", plain)
    rnd = random.Random(15)
    cases = list(streams)
    for g, tokens in streams:
        for _ in range(6):
            shuffled = list(tokens)
            k = rnd.randint(0, len(shuffled))
            part = shuffled[k:k + rnd.randint(2, 12)]
            rnd.shuffle(part)
            shuffled[k:k + len(part)] = part
            if rnd.random() < 0.3 and shuffled:
                del shuffled[rnd.randrange(len(shuffled))]
            if rnd.random() < 0.3 and shuffled:      # a section or row written twice
                shuffled.insert(rnd.randint(0, len(shuffled)), rnd.choice(shuffled))
            cases.append((g, shuffled))
    disordered = 0
    for g, tokens in cases:
        d = gm._Driver(g, list(tokens))
        positions, table_end_at, out, elsewhere = _driver_facts_reference(d, tokens)
        assert d.table_end_at == table_end_at
        assert d.out_of_order_at == out
        assert d.elsewhere == elsewhere
        assert d.positions == positions
        disordered += bool(out)
    assert len(streams) >= 10 and disordered > 20


def test_blocks_and_source_map_from_the_lines_the_reader_split_equal_those_split_anew():
    """The text reader splits a text into lines once (split_lines) for its source map and for
    text_blocks: the same blocks, line starts and lines as each of them splitting it anew
    (also with directives, which text_blocks blanks: then it splits the blanked text)."""
    from validator.source import split_lines
    texts = corpus_texts() + [odd_text(), ALIGNED_TEXT, "", "\n", "a\r", "| a | b |\n|---|---|\n| 1 | 2 |",
                              "x |\n||\n1 |\n| xxgk-lint: disable=X\n甲 |", "a  b # xxgk-lint: disable\n1  2\n3  4"]
    for text in texts:
        split = split_lines(text)
        assert split == (text.split("\n"), [ln.start for ln in tg._lines(text)])
        for md in (False, True):
            assert tg.text_blocks(text, markdown=md, split=split) == tg.text_blocks(text, markdown=md)
        a, b = SourceText.from_original(text, split=split), SourceText.from_original(text)
        assert (a.original_lines, a._lines.starts, a._cols.starts) == (b.original_lines, b._lines.starts, b._cols.starts)


def test_directives_are_found_on_the_same_lines_after_one_look_at_the_whole_text():
    """find_directives looks for "xxgk-lint" in the joined lines before going line by line
    (most reports have no directive): the same directives as a look at every line."""
    from validator.suppress import DIRECTIVE_RE, find_directives
    texts = corpus_texts() + [
        "甲\n乙 <!-- xxgk-lint: disable=A301 -->\n丙",
        "# xxgk-lint: disable-next-line=F502,C101\n| a | b |\r\nxxgk-lint\n",
        "xxgk-\nlint: disable", "", "\n\n"]
    with_any = 0
    for text in texts:
        lines = text.split("\n")
        got = find_directives(lines)
        assert len(got) == sum(len(DIRECTIVE_RE.findall(ln)) for ln in lines if "xxgk-lint" in ln)
        assert [d.line for d in got] == sorted(d.line for d in got)
        with_any += bool(got)
    assert with_any == 2


def test_every_character_safe_text_escapes_is_unprintable():
    """safe_text returns a printable text as it is without searching it: sound only while no
    character of its escape class is printable (str.isprintable), checked over all of Unicode."""
    import sys

    from validator.reporters import safe
    pat = re.compile(f"[{safe._CLASS}]")
    unsafe = [c for c in map(chr, range(sys.maxunicode + 1)) if pat.match(c)]
    assert len(unsafe) > 2100 and not any(c.isprintable() for c in unsafe)
    for s in ("a\x1b[2Jb", "x\u202ey", "\ud800", "tab\there", "表三\u2028行", "plain 文本"):
        assert safe.safe_text(s) == pat.sub(safe._escape, s)
        assert safe.safe_text(s, keep="\t") == re.sub(f"(?![\t])[{safe._CLASS}]", safe._escape, s)
