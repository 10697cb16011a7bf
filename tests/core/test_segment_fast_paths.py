"""The segmenting stage's fast paths (issue 15, eleventh round) against the plain computations
they replace, on the corpus and on edge cases."""

from __future__ import annotations

import random

from tests.conftest import CORPUS, corpus_texts
from validator.parse import labels as lb
from validator.parse import lexer as lx
from validator.parse import mapper as mp
from validator.parse import segment as sg
from validator.parse.pieces import Tok


# -- gaps of ASCII digits and blanks: no pattern ------------------------------------------------
def _gap_cases() -> list[tuple[str, int, int]]:
    cases = []
    for text in corpus_texts():
        # every stretch between two Chinese characters: the gaps of page-text tables are among them
        start = None
        for i, ch in enumerate(text):
            han = "\u4e00" <= ch <= "\u9fff"
            if han:
                if start is not None and i > start:
                    cases.append((text, start, i))
                start = i + 1
    edge = ["0", " 0 ", "12 3\n45", "\t\n", "", "1 2.5 3", "1-2", "-1 2", "１２ 3", "²3 4", "3²", "0 0 0\u3000 7",
            "12万元 3", "1 | 2", "无 1", "0\x1c1", "0\u20281", "45 ", "  7  7 7"]
    cases += [(e, 0, len(e)) for e in edge]
    cases += [("x" + e + "y", 1, 1 + len(e)) for e in edge]
    cases += [("5" + e + "-", 1, 1 + len(e)) for e in edge]
    rnd = random.Random(7)
    for _ in range(3000):
        s = "".join(rnd.choice(["0", "1", "23", " ", "  ", "\n", "\t", "\u3000", ".", "-", "万元", "x", "|", "２"])
                    for _ in range(rnd.randint(0, 12)))
        cases.append((s, 0, len(s)))
    return cases


def test_digit_gaps_scan_like_the_word_pattern():
    """_scan_values reads a gap of ASCII digit runs between blanks (or only blanks) without the
    pattern: the same tokens as the pattern's word-by-word reading."""
    fast = 0
    for text, a, b in _gap_cases():
        words = text[a:b].split()
        joined = "".join(words)
        fast += joined.isdigit() and joined.isascii() or not words
        got = [(t.type, t.start, t.end, t.text, t.data) for t in lx._scan_values(text, a, b)]
        assert got == [(t.type, t.start, t.end, t.text, t.data) for t in lx._scan_words(text, a, b)], (text[a:b],)
    assert fast > 500


# -- one pass over a grid row's cells ---------------------------------------------------------
def _row_facts_reference(row, r):
    distinct, seen = [], set()
    for i in row:
        if i is not None and id(i) not in seen:
            seen.add(id(i))
            distinct.append(i)
    votes: dict = {}
    for i in distinct:
        for _s, _e, sp, _q in i.hits:
            w = 3 if sp.kind in ("row", "group") else (2 if sp.kind == "caption" else 1)
            votes[sp.table] = votes.get(sp.table, 0) + w
    tkey = max(votes, key=lambda k: votes[k]) if votes else None
    has_values = any(i.cls in ("value", "multi") for i in distinct if i.cell.row == r)
    all_blank = bool(distinct) and all(i.cls == "blank" for i in distinct if i.cell.row == r)
    kinds = {h[2].kind for i in distinct for h in i.hits}
    row_hits = [(i, h) for i in distinct for h in i.hits if h[2].kind in ("row", "group")]
    return distinct, tkey, has_values, all_blank, kinds, row_hits


def test_row_facts_equal_one_question_at_a_time(monkeypatch):
    """map_grid asks its questions of a grid row in one pass (_row_facts): the same answers as
    one comprehension per question, on every row of every grid of the corpus."""
    from validator.lint import lint_path
    plain = mp._row_facts
    rows = []

    def both(row, r):
        got = plain(row, r)
        want = _row_facts_reference(row, r)
        assert got[0] == want[0] and got[1:4] == want[1:4] and got[4] == want[4]
        assert [(id(i), h) for i, h in got[5]] == [(id(i), h) for i, h in want[5]]
        rows.append(got[1])
        return got

    monkeypatch.setattr(mp, "_row_facts", both)
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix in (".txt", ".html", ".docx", ".pdf"):
            lint_path(str(p))
    assert len(rows) > 60 and any(rows) and None in rows


class _Cell:
    def __init__(self, row):
        self.row = row


class _Spec:
    def __init__(self, kind, table):
        self.kind, self.table = kind, table


def _info(row, cls, hits=()):
    i = mp.CellInfo.__new__(mp.CellInfo)
    i.cell, i.cls, i.hits = _Cell(row), cls, list(hits)
    return i


def test_row_facts_on_merged_cells_ties_and_empty_rows():
    above = _info(0, "text", [(0, 1, _Spec("group", "表三"), "exact")])
    cap = _info(1, "text", [(0, 1, _Spec("caption", "表二"), "exact"), (2, 3, _Spec("header", "表二"), "exact")])
    tie = _info(1, "text", [(0, 1, _Spec("row", "表四"), "exact")])
    blank, value = _info(1, "blank"), _info(1, "multi")
    cases = [[], [None], [None, None], [above, above, blank], [above, value], [cap, tie], [tie, cap],
             [blank, blank], [above], [cap, cap, blank, value, None, tie]]
    for row in cases:
        got, want = mp._row_facts(row, 1), _row_facts_reference(row, 1)
        assert got[:5] == want[:5] and got[5] == want[5], row


# -- headings: the 、 after numerals found once ---------------------------------------------------
def test_headings_share_the_commas_of_one_search():
    texts = corpus_texts() + ["一、总体情况\n二 、x\n三.y\n、一、", "", "、", "十一、 a\n"]
    for text in texts:
        rev = text[::-1]
        commas = lb._comma_positions(text, rev)
        assert commas == [i for i in range(len(text)) if text[i] == "、"
                          and text[:i].rstrip(" \t")[-1:] in set("一二三四五六七八九十")]
        assert [m.span() for m in lb._numeral_commas(text, rev, commas)] == [m.span() for m in lb._numeral_commas(text)]
        assert [(m.span(1), m.span(2)) for m in lb._line_heads(text, rev, commas)] == \
            [(m.span(1), m.span(2)) for m in lb._HEAD_AT_LINE.finditer(text)]


# -- paragraphs of bare values: ruled out by their first character ------------------------------
def test_a_paragraph_the_first_character_rules_out_is_not_only_values():
    texts = [ln for t in corpus_texts() for ln in t.split("\n")]
    texts += ["", " 1", "\u30001 2", "增3", "减 3", "+1", "-", "—", "–", "/", "无", "无 无", "１ ２", "٣ 4", "²",
              "a 1", "1 a", "|1", " |", "\n1"]
    ruled_out = 0
    for text in texts:
        c = text[:1]
        if not (c in sg._VALUE_FIRST or c.isdigit() or c.isspace()):
            ruled_out += 1
            assert sg._ONLY_VALUES.fullmatch(text) is None, text
    assert ruled_out > 100


# -- the grid's matrix of cell readings, made in one go ------------------------------------------
def _grids():
    from validator.readers import read_path
    from validator.templates import report_words
    out = []
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix in (".txt", ".html", ".docx", ".pdf") and p.is_file():
            doc = read_path(str(p), None, report_words())
            out.extend((doc.text, g) for g in doc.grids())
    return out


def test_info_matrix_puts_each_reading_where_the_grid_matrix_puts_its_cell():
    """map_grid reads each cell once and puts its reading in every place the cell covers: the
    places grid.matrix() gives the cell (a later cell over an earlier one)."""
    from validator.document import Grid, GridCell
    from validator.parse.labels import _derived
    from validator.templates import load_formats
    formats = load_formats()
    fmt = formats["2021"]
    der = _derived([fmt] + [f for f in formats.values() if f is not fmt])
    grids = _grids()
    assert len(grids) >= 3

    def cell(r, c, rs=1, cs=1, at=0):
        return GridCell(r, c, at, at + 2, rs, cs)

    shared = cell(0, 0)
    text = "甲乙 1 丙丁 0 戊己" * 3
    grids += [(text, Grid(0, 30, [cell(0, 0, 2, 2), cell(1, 1, at=4), cell(2, 0, 1, 5, at=6)], "pipe", 3, 3)),
              (text, Grid(0, 30, [cell(0, 0), cell(3, 3, 2, 2, at=2), cell(1, 4, at=8)], "pipe", 4, 4)),
              (text, Grid(0, 30, [shared, cell(0, 1, at=2), shared], "pipe", 1, 2)),
              (text, Grid(0, 30, [], "pipe", 0, 0))]
    for text, grid in grids:
        got = mp.Mapper(text, fmt, der.matchers)._info_matrix(grid)
        want = grid.matrix()
        assert len(got) == len(want)
        readings: dict = {}
        for row_got, row_want in zip(got, want):
            assert len(row_got) == len(row_want)
            for x, c in zip(row_got, row_want):
                assert (x is None) == (c is None) and (x is None or x.cell is c)
                if c is not None:       # one reading per cell, shared by the places it covers
                    assert readings.setdefault(id(c), x) is x


# -- a grid's column map remembered per spec, header words and columns -----------------------------
def _colmap_fresh(real, mapper, piece, spec, header_rows, columns):
    """The column map worked out anew: with nothing remembered (mapper._COLMAPS empty, as
    before the first grid); the remembered maps are put back afterwards."""
    kept = dict(mp._COLMAPS)
    mp._COLMAPS.clear()
    try:
        return real(mapper, piece, spec, header_rows, columns, None)
    finally:
        mp._COLMAPS.clear()
        mp._COLMAPS.update(kept)


def test_column_maps_remembered_equal_those_worked_out_for_each_header(monkeypatch):
    """The map of template columns to grid columns is remembered by the spec, the header's
    words by grid column and the columns: for every grid of the corpus (read twice, the second
    time from the memo) and for one header moved a column to the right (the same words at
    other grid columns), it is the map worked out from that header."""
    from validator.document import Grid, GridCell
    from validator.parse.labels import _derived
    from validator.templates import load_formats
    formats = load_formats()
    calls = []
    real = mp.Mapper._colmap

    def checked(self, piece, spec, header_rows, columns, known=None):
        got = real(self, piece, spec, header_rows, columns, known)
        assert got == _colmap_fresh(real, self, piece, spec, header_rows, columns)
        calls.append(got)
        return got

    monkeypatch.setattr(mp.Mapper, "_colmap", checked)
    mp._COLMAPS.clear()
    grids = _grids()
    for fmt in formats.values():
        der = _derived([fmt] + [f for f in formats.values() if f is not fmt])
        for _ in range(2):
            for text, grid in grids:
                mp.Mapper(text, fmt, der.matchers).map_grid(grid)
    assert sum(1 for c in calls if c) >= 10
    # one header, then the same header a column to the right (no cell in the first column: the
    # same words, at other grid columns), then the same header asked for fewer columns
    fmt = formats["2021"]
    der = _derived([fmt] + [f for f in formats.values() if f is not fmt])
    spec = fmt.table("表三")
    columns = list(spec.columns)
    heads = [spec.header_path(c)[-1] for c in columns]
    text = "|".join(heads)
    for shift, cols in ((0, columns), (1, columns), (0, columns[1:]), (0, columns)):
        cells, pos = [], 0
        for k, w in enumerate(heads):
            cells.append(GridCell(0, k + shift, pos, pos + len(w)))
            pos += len(w) + 1
        m = mp.Mapper(text, fmt, der.matchers)
        m._matrix_rows = m._info_matrix(Grid(0, len(text), cells, "pipe", 1, len(heads) + shift))
        got = real(m, None, spec, [0], cols, {})
        assert got == _colmap_fresh(real, m, None, spec, [0], cols)
        assert got is not None and got[cols[0]] == columns.index(cols[0]) + shift


# -- a row's grammar token from a plan per format ------------------------------------------------
def _row_token_reference(rp, spec, grammar):
    """The row token as _row_token worked it out for every row."""
    sp = rp.spec
    if sp is None:
        return "UNPLACED", None
    rs = spec.row(sp.key)
    if rs is None:
        return "FOREIGN", None
    if rs.group and spec.children(rs.key) and rp.has_values:
        return "FOREIGN", rs.key
    term = grammar.row_terminal(spec, rs.id)
    return ("FOREIGN" if term not in grammar.elements else term), None


def test_row_tokens_from_plans_equal_the_row_by_row_reading():
    from validator.parse.build import report_grammar
    from validator.parse.pieces import RowPiece
    from validator.templates import all_label_specs, load_formats
    formats = list(load_formats().values())
    specs = [sp for group in all_label_specs(formats).values() for sp in group]
    class Fewer:
        """A grammar without every other row terminal of its format's (a format whose grammar
        leaves rows out)."""

        def __init__(self, g):
            self.g = g
            self.elements = {e for k, e in enumerate(sorted(g.elements)) if k % 2}

        def row_terminal(self, table, row_id):
            return self.g.row_terminal(table, row_id)

    seen = set()
    for fmt, grammar in [(f, report_grammar(f)) for f in formats] + [(f, Fewer(report_grammar(f))) for f in formats]:
        segmenter = sg.Segmenter.__new__(sg.Segmenter)
        for spec in fmt.tables:
            for sp in specs + [None]:
                for values in (False, True):
                    for _ in range(2):      # worked out, then from the plan
                        cells = [Tok("VALUE" if values else "BLANK", 0, 1, "1" if values else "")]
                        rp = RowPiece(sp, [], (0, 1), cells=cells)
                        tok = segmenter._row_token(rp, spec, grammar)
                        ref = RowPiece(sp, [], (0, 1), cells=list(cells))
                        want = _row_token_reference(ref, spec, grammar)
                        assert (tok.type, getattr(rp, "stands_for", None)) == want
                        assert rp.table == spec.key and tok.value is rp
                        seen.add(want[0] if want[0] in ("FOREIGN", "UNPLACED") else "row")
                        seen.add("group" if want[1] else "plain")
    assert seen == {"FOREIGN", "UNPLACED", "row", "group", "plain"}


# -- a heading's window compacted only as far as a title reaches -----------------------------------
def test_headings_from_a_short_compacted_window_equal_those_from_the_whole_window():
    from validator.parse.labels import _derived
    from validator.templates import load_formats
    formats = load_formats()
    texts = corpus_texts()
    rnd = random.Random(13)
    soft = [" ", "\u3000", "，", "、", "（", "）", "\n", "-", "：", "”"]
    for fmt in formats.values():
        for sec in fmt.sections:
            for title in [sec.title] + list(sec.variants):
                for _ in range(40):
                    # titles with soft characters, typos and text after them, under their number and others
                    chars = list(title)
                    if chars and rnd.random() < 0.5:
                        chars[rnd.randrange(len(chars))] = rnd.choice("的法情况之")
                    spaced = "".join(ch + "".join(rnd.choice(soft) for _ in range(rnd.choice([0, 0, 1, 2])))
                                     for ch in chars)
                    num = "一二三四五六七八九十"[rnd.choice([sec.number - 1, rnd.randrange(10)]) % 10]
                    after = rnd.choice(["后文说明情况。", title[-3:] + "情况。", title[-1] * 3, ""])
                    texts.append(f"前文。{num}、{spaced}{'，' * rnd.randint(0, 12)}{after}\n")
    for fmt in formats.values():
        # the longest titles with a character put in (read from a prefix one longer than the
        # title) and eight soft characters early on: the short window keeps too few characters
        der = _derived([fmt] + [f for f in formats.values() if f is not fmt])
        longest = max(len(t[0]) for t in der.titles)
        for sec in fmt.sections:
            for title in [sec.title] + list(sec.variants):
                core = lb.compact(title)
                if len(core) == longest:
                    typo = core[:len(core) // 2] + "的" + core[len(core) // 2:]
                    spaced = "".join(ch + ("  " if k < 4 else "") for k, ch in enumerate(typo))
                    num = "一二三四五六七八九十"[sec.number - 1]
                    texts += [f"前文。{num}、{spaced}后文说明情况。\n", f"{num}、{spaced}\n"]
    for fmt in formats.values():
        order = [fmt] + [f for f in formats.values() if f is not fmt]
        der = _derived(order)
        reach = der.title_reach
        assert reach > 10
        got = [lb.find_headings(t, order, der.table_cores) for t in texts]
        try:
            der.title_reach = 10 ** 6       # the whole window compacted, every time
            want = [lb.find_headings(t, order, der.table_cores) for t in texts]
        finally:
            der.title_reach = reach
        assert got == want
        assert sum(map(len, got)) > 100


# -- the cells of a pipe gap ---------------------------------------------------------------------
def _pipe_gap_reference(text, a, b):
    """_lex_gap as it read the cells between pipes before (text without page numbers and
    separator rows, as _lex_gap leaves it)."""
    seg = text[a:b]
    out = []
    pieces = seg.split("|")
    off = a
    for i, piece in enumerate(pieces):
        p_start = off
        off += len(piece) + 1
        is_last = i == len(pieces) - 1
        stripped = piece.strip()
        if i == 0 or is_last:
            if stripped:
                out.extend(lx._scan_values(text, p_start, p_start + len(piece)))
            continue
        if not stripped:
            if "\n" in piece:
                continue
            out.append(Tok("BLANK", p_start, p_start + len(piece), piece))
            continue
        lead = len(piece) - len(piece.lstrip())
        cs = p_start + lead
        ce = cs + len(stripped)
        if stripped.isdigit() and stripped.isascii():
            out.append(Tok("VALUE", cs, ce, stripped))
        elif lx._VALUE_RE.fullmatch(stripped.replace(" ", "")) or lx._looks_value_cell(stripped):
            out.extend(lx._scan_values(text, cs, ce))
        else:
            out.append(Tok("TEXT", cs, ce, stripped))
    return out


def test_pipe_gaps_read_like_before():
    rnd = random.Random(17)
    cases = []
    for text in corpus_texts():
        for line in text.split("\n"):
            if line.count("|") >= 2:
                cases.append(line)
    cases += ["|", "||", " | ", "a|", "|b", " 1 | 2 |\n| 3 ", "\u3000|\u30001\u3000|", "x | | y", " |\n| ",
              "无 | 1 2 | 3.5万元 | - | 其他 |"]
    for _ in range(3000):
        cases.append("".join(rnd.choice(["|", " | ", "0", "12", " ", "\n", "\t", "\u3000", "无", "其他", "-", "1.5"])
                             for _ in range(rnd.randint(1, 14))))
    for case in cases:
        if "|" not in case or "-" in case or "—" in case or "－" in case or "页" in case:
            continue    # (only the cells: page numbers and separator rows are taken out first)
        text = "x" + case + "y"
        got = [(t.type, t.start, t.end, t.text) for t in lx._lex_gap(text, 1, 1 + len(case))]
        want = [(t.type, t.start, t.end, t.text) for t in _pipe_gap_reference(text, 1, 1 + len(case))]
        assert got == want, case


# -- a table's tokens: merged and filtered only where something can be merged or was emptied ---
def test_table_tokens_need_merging_only_after_a_header_word_read_as_text(monkeypatch):
    """lex_table joins adjacent TEXT tokens (_merge_text) only when it has read a header word
    as text, and _fuzzy_labels leaves out emptied tokens only when it has absorbed some: on the
    corpus, read with either format, every token list _fuzzy_labels is given is one that
    _merge_text leaves as it is, with no empty TEXT in it."""
    from validator.templates import load_formats

    given = []
    fuzzy = lx._fuzzy_labels

    def spy(toks, table, text, seen=None):
        given.append((list(toks), text))
        return fuzzy(toks, table, text, seen)

    monkeypatch.setattr(lx, "_fuzzy_labels", spy)
    formats = load_formats()
    texts = corpus_texts()
    for primary in ("2021", "2019"):
        fmt = formats[primary]
        order = [fmt] + [f for f in formats.values() if f is not fmt]
        for text in texts:
            lx.lex_document(text, order, fmt)
    assert len(given) > 20

    def key(toks):
        return [(t.type, t.start, t.end, t.text) for t in toks]

    merged = 0
    for toks, text in given:
        assert key(lx._merge_text(toks, text)) == key(toks)
        assert not any(t.type == "TEXT" and not t.text for t in toks)
        merged += any(a.type == b.type == "TEXT" for a, b in zip(toks, toks[1:]))
    assert merged     # (TEXT next to TEXT, a separator between: there are such lists to look at)


# -- page numbers and Markdown separators blanked in a gap: blanks split one way only -------------
_PAGE_NO_AS_WRITTEN = r"(?m)^[ \t]*[-—－]?[ \t]*\d{1,3}[ \t]*[-—－][ \t]*$|^[ \t]*第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?[ \t]*$"
_MD_SEP_AS_WRITTEN = r"(?m)^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$"


def test_page_number_and_separator_lines_are_blanked_as_the_ambiguous_patterns_blanked_them():
    """_PAGE_NO and _MD_SEP (runs of blanks taken one way, possessively) blank the same
    stretches as the patterns they replace, whose runs of blanks could be split between two
    repeats (quadratic on the indented blank lines of pdftotext gaps): on the text of every
    corpus report, every line of it, and random lines of blanks, dashes, pipes, digits."""
    import re
    old_page, old_sep = re.compile(_PAGE_NO_AS_WRITTEN), re.compile(_MD_SEP_AS_WRITTEN)
    texts = corpus_texts()
    texts += [ln for t in corpus_texts() for ln in t.split("\n")]
    texts += ["- 3 -", " —12－ ", "  7 -  ", "-3-\n", "第 2 页 共 9 页", "第\n2\n页", "|---|:--:|", " | -- | -- | ",
              "----  ----", "|--", "--|", "| --- |\n|---", "- -", "1234-", "12-\t", "\u3000-3-", " -3- \r"]
    rnd = random.Random(15)
    for _ in range(4000):
        texts.append("".join(rnd.choice([" ", "  ", "\t", "\n", "-", "--", "—", "－", "|", ":", "1", "23", "4567",
                                         "第", "页", "共", "x", "\u3000"]) for _ in range(rnd.randint(0, 16))))
    blanked = 0
    for t in texts:
        for new, old in ((lx._PAGE_NO, old_page), (lx._MD_SEP, old_sep)):
            got = [m.span() for m in new.finditer(t)]
            assert got == [m.span() for m in old.finditer(t)], (t, new)
            assert new.sub(lx._blank_match, t) == old.sub(lx._blank_match, t)
            blanked += bool(got)
    assert blanked > 100


def _needs_python_3_11(pattern: str, flags: int) -> bool:
    """Whether ``pattern`` uses what only Python 3.11's ``re`` parses: a possessive repeat or an
    atomic group (read from the parsed pattern, not its text: ``\\+`` is a plus sign).  On
    Python 3.10 itself: whether its ``re`` refuses the pattern."""
    import sys
    if sys.version_info < (3, 11):
        import re
        try:
            re.compile(pattern, flags)
        except re.error:
            return True
        return False
    from re import _constants, _parser

    def walk(items) -> bool:
        for op, av in items:
            if op in (_constants.POSSESSIVE_REPEAT, _constants.ATOMIC_GROUP):
                return True
            for x in av if isinstance(av, (list, tuple)) else (av,):
                if isinstance(x, _parser.SubPattern) and walk(x):
                    return True
                if isinstance(x, (list, tuple)) and any(isinstance(y, _parser.SubPattern) and walk(y) for y in x):
                    return True
        return False
    return walk(_parser.parse(pattern, flags))


def test_the_package_s_own_patterns_compile_on_python_3_10():
    """pyproject says Python ≥ 3.10, whose ``re`` has no possessive quantifiers (``*+``) or
    atomic groups (``(?>…)``): no pattern of the package's modules may use them (a pattern
    written with them is a compile error at its first use there)."""
    import importlib
    import pkgutil
    import re

    import validator
    from validator.lazyre import LazyPattern

    assert _needs_python_3_11(r"a[ \t]*+b", 0) and _needs_python_3_11(r"(?:x|(?>y+))", 0)
    assert not _needs_python_3_11(r"\(\?>|[*+?}]\+", 0)
    seen, bad = 0, []
    for info in pkgutil.walk_packages(validator.__path__, "validator."):
        if info.name.endswith("__main__"):
            continue                                  # (runs the command line)
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, LazyPattern):
                text, flags = value._args
            elif isinstance(value, re.Pattern):
                text, flags = value.pattern, value.flags
            else:
                continue
            if not isinstance(text, str):
                continue
            seen += 1
            if _needs_python_3_11(text, flags & ~re.UNICODE):
                bad.append(f"{info.name}.{name}")
    assert seen > 100 and bad == []


def test_label_trie_patterns_for_python_3_10_parse_there_and_find_the_same():
    """The label matchers' trie patterns are built when the formats are read, not written in a
    module (the test above does not see them).  On Python 3.10 (no possessive ``*+``) the runs
    between a label's characters are greedy: that pattern must parse there (a possessive
    spacer failed there for every report with a format) and find what the possessive one
    finds, at the same places and with the same core."""
    import re

    from validator.templates import load_formats

    formats = load_formats()
    texts = corpus_texts()
    seen = 0
    for primary in formats.values():
        der = lb._derived([primary] + [f for f in formats.values() if f is not primary])
        for matcher in der.matchers.values():
            cores = [(core, matcher._reading[core]) for core in matcher.by_core]
            greedy, g_read = lb._spaced_pattern(cores, possessive=False)
            assert not _needs_python_3_11(greedy.pattern, greedy.flags & ~re.UNICODE)
            if lb._POSSESSIVE:
                assert _needs_python_3_11(matcher.spaced.pattern, matcher.spaced.flags & ~re.UNICODE)
            for text in texts:
                got = [(m.span(), g_read[m.lastindex]) for m in greedy.finditer(text)]
                want = [(m.span(), matcher.spaced_reading[m.lastindex]) for m in matcher.spaced.finditer(text)]
                assert got == want
                seen += len(got)
    assert seen > 1000


# run in a fresh interpreter, without the stored patterns, building patterns as on Python 3.10:
# every pattern `re` holds after checking every file of tests/corpus (all readers, formats and
# renderings there)
_COMPILED_WHILE_CHECKING = r"""
import json, re, sys
from pathlib import Path
from validator.lint import Options, lint_path
import validator.parse.labels as lb
lb._POSSESSIVE = False          # the patterns as they are built on Python 3.10
for p in sorted(Path(sys.argv[1]).rglob("*")):
    if p.is_file() and p.suffix in (".txt", ".md", ".html", ".htm", ".pdf", ".docx"):
        lint_path(str(p), Options())
print(json.dumps([[k[1], k[2]] for k in re._cache if k[0] is str]))
"""


def test_every_pattern_compiled_while_checking_the_corpus_parses_on_python_3_10(corpus):
    """Patterns built while checking (from the formats, the rules, a report's own words) are
    not in any module for the test above to find: after a check of every corpus file, none of
    the patterns `re` compiled may need Python 3.11 (a possessive spacer in the label trie made
    every report with a format fail on 3.10; it is possessive only where ``re`` has ``*+``)."""
    import json
    import os
    import re
    import subprocess
    import sys
    env = dict(os.environ, XXGK_LINT_NO_CACHE="1")
    r = subprocess.run([sys.executable, "-c", _COMPILED_WHILE_CHECKING, str(corpus)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    patterns = json.loads(r.stdout.splitlines()[-1])
    bad = [p for p, flags in patterns if _needs_python_3_11(p, flags & ~re.UNICODE)]
    assert len(patterns) > 150 and bad == [], bad[:5]
