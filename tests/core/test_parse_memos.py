"""The parser's memos of pure functions of a short text, and its other shortcuts (issue 15.4,
"fast text"): each test compares the shortcut with the computation it stands for, on the real
corpus texts, and checks that a memo keeps apart what it must (the same text at another
offset, another row width, other equations, other label matchers) and hands out nothing that
a caller could change for the next caller."""

from __future__ import annotations

import random

from tests.conftest import CORPUS
from validator.document import Grid
from validator.parse import lexer as lx
from validator.parse import mapper as mp
from validator.parse import splitter as spl
from validator.parse.labels import _derived
from validator.readers import read_path
from validator.templates import load_formats, report_words

T3_ROW = [([0, 1, 2, 3, 4, 5], 6)]


def corpus_documents():
    out = []
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix in (".txt", ".md") and p.is_file():
            out.append(read_path(str(p), None, report_words()))
    assert len(out) >= 10
    return out


def _formats(primary: str = "2021"):
    formats = load_formats()
    fmt = formats[primary]
    return fmt, [fmt] + [f for f in formats.values() if f is not fmt]


# -- run-together digits ---------------------------------------------------------------------
def test_remembered_split_equals_the_search():
    rnd = random.Random(5)
    rows = [(["0000000"], 7, T3_ROW), (["270020130"], 7, T3_ROW), (["640020470"], 7, T3_ROW),
            (["23", "0", "00", "0", "023"], 7, T3_ROW), (["26480430"], 3, [([0, 1], 2)]), (["12"], 3, []),
            (["1" * 300], 7, T3_ROW), (["12"] * 100, 1000, [])]
    for _ in range(300):
        n = rnd.randint(1, 9)
        toks = ["".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 6))) for _ in range(rnd.randint(1, 3))]
        rows.append((toks, n, rnd.choice([[], [(list(range(n - 1)), n - 1)] if n > 1 else []])))
    for toks, n, eqs in rows:
        for _ in range(2):          # worked out, then remembered
            got, want = spl.split_run_together(toks, n, eqs), spl._split(list(toks), n, eqs)
            assert (got.unique, got.count, got.candidates, got.exhaustive) == \
                   (want.unique, want.count, want.candidates, want.exhaustive), (toks, n, eqs)


def test_remembered_split_tells_rows_of_another_width_or_other_equations_apart():
    assert spl.split_run_together(["1000002"], 7, []).unique == [list("1000002")]
    assert spl.split_run_together(["1000002"], 7, T3_ROW).count == 0            # 1 ≠ 2
    assert spl.split_run_together(["1000002"], 6, []).unique == [["10", "0", "0", "0", "0", "2"]]
    assert spl.split_run_together(["1000002"], 6, [([0], 5)]).count == 0        # 10 ≠ 2


def test_a_caller_changing_its_split_does_not_change_the_next_answer():
    first = spl.split_run_together(["640020470"], 7, T3_ROW)
    first.unique[0].append("99")
    first.unique.clear()
    again = spl.split_run_together(["640020470"], 7, T3_ROW)
    assert again.unique == [["64", "0", "0", "2", "0", "4", "70"]]
    amb = spl.split_run_together(["270020130"], 7, T3_ROW)
    assert amb.count == 2 and len(amb.candidates) == 2
    amb.candidates[0][0].clear()
    assert spl.split_run_together(["270020130"], 7, T3_ROW).candidates == spl._split(["270020130"], 7, T3_ROW).candidates


# -- the gaps between the labels of page-text tables --------------------------------------------
def _gaps(text: str, fmt, der):
    """Every gap lex_table reads in a text's table regions (the text between its labels)."""
    headings = lx.find_headings(text, der.formats, der.table_cores)
    out = []
    for region in lx.find_table_regions(text, headings, fmt.tables, der.matchers):
        pos = region.start
        for s, e, _sp, _q in sorted(der.matchers[region.table.key].find(text, region.start, region.end)):
            if s > pos:
                out.append((pos, s))
            pos = max(pos, e)
        if pos < region.end:
            out.append((pos, region.end))
    return out


def test_remembered_gap_tokens_equal_the_gap_lexer_at_every_offset():
    fmt, formats = _formats()
    der = _derived(formats)
    seen = 0
    for doc in corpus_documents():
        text = doc.text
        for a, b in _gaps(text, fmt, der):
            for _ in range(2):       # worked out, then remembered
                got = [(t.type, t.start, t.end, t.text, t.data) for t in lx._gap_tokens(text, a, b)]
                assert got == [(t.type, t.start, t.end, t.text, t.data) for t in lx._lex_gap(text, a, b)]
            seen += 1
    assert seen > 100
    # the same gap text at another offset: tokens at that offset
    for text in ("表 0000000 x", "表格 0000000 x"):
        a = text.index("0")
        toks = lx._gap_tokens(text, a - 1, a + 8)
        assert [(t.start, t.end, t.text) for t in toks] == [(a, a + 7, "0000000")]
    # tokens handed out are new objects (a caller may change one), sharing no dict (a gap's
    # tokens have none)
    one, two = lx._gap_tokens("x 12 | 3 y", 1, 9), lx._gap_tokens("x 12 | 3 y", 1, 9)
    assert all(p is not q and p.data is None and q.data is None for p, q in zip(one, two))


# -- grid cells --------------------------------------------------------------------------------
def test_remembered_cell_readings_equal_classifying_and_spotting_each_cell():
    seen = 0
    for primary in ("2021", "2019"):
        fmt, formats = _formats(primary)
        der = _derived(formats)
        for doc in corpus_documents():
            grids = list(doc.grids(fragments=True))
            for grid in grids:
                m = mp.Mapper(doc.text, fmt, der.matchers)
                for _ in range(2):      # worked out, then remembered
                    for cell in grid.cells:
                        info = m._info(cell)
                        text = doc.text[cell.start:cell.end]
                        cls = mp.classify(text)
                        assert (info.text, info.cls) == (text, cls)
                        assert info.hits == (m._hits(cell.start, cell.end) if cls == "text" else [])
                        seen += 1
    assert seen > 500


def test_the_same_cell_text_elsewhere_has_its_labels_there():
    fmt, formats = _formats()
    der = _derived(formats)
    label = "1.属于国家秘密"
    text = f"{label} | {label}"
    m = mp.Mapper(text, fmt, der.matchers)
    from validator.document import GridCell
    first, second = m._info(GridCell(0, 0, 0, len(label))), m._info(GridCell(0, 1, len(label) + 3, len(text)))
    assert first.hits and [(s + len(label) + 3, e + len(label) + 3) for s, e, _sp, _q in first.hits] == \
           [(s, e) for s, e, _sp, _q in second.hits]


def test_cell_readings_are_kept_per_set_of_label_matchers():
    """Another list of formats has other matchers: a cell text read with one is not taken as
    read with the other."""
    fmt21, formats21 = _formats("2021")
    only21 = _derived([fmt21])
    both = _derived(formats21)
    assert mp._reading_memo(only21.matchers) is not mp._reading_memo(both.matchers)
    assert mp._reading_memo(both.matchers) is mp._reading_memo(both.matchers)


def test_row_equations_worked_out_once_per_table_equal_the_plain_computation():
    def plain(spec, columns):
        idx = {c: i for i, c in enumerate(columns)}
        return [(list(idx[p] for p in parts), idx[total]) for parts, total in spec.row_sums
                if total in idx and all(p in idx for p in parts)]

    import dataclasses
    for fmt in load_formats().values():
        for spec in fmt.tables:
            for row in spec.rows:
                for columns in (row.columns, row.columns[:-1], list(reversed(row.columns))):
                    for _ in range(2):
                        got = spl._equations(spec, columns)
                        assert [(list(p), t) for p, t in got] == plain(spec, columns)
            if spec.row_sums:
                # another table with the same columns but no row equations: not its answer
                other = dataclasses.replace(spec, row_sums=[])
                assert spl._equations(spec, spec.columns) and spl._equations(other, spec.columns) == ()


def test_offset_of_a_kept_character_equals_the_compacting_map():
    from validator.parse import labels as lb
    texts = [doc.text[:400] for doc in corpus_documents()]
    rnd = random.Random(3)
    for _ in range(500):
        texts.append("".join(rnd.choice(["一", "、", " ", "（", "）", "情况", "\n", "1", "：", "·"]) for _ in range(rnd.randint(1, 12))))
    for t in texts:
        cmap = lb._compact_with_map(t)[1]
        for k in list(range(len(cmap))) + [-1]:
            if len(cmap):
                assert lb._kept_offset(t, k) == cmap[k], (t, k)


def _prose_after_reference(text, start, end, label_spans):
    """The end of a table region as it was looked for: every line's labels and Chinese
    characters first, then the patterns."""
    import re
    last_label = max((a for a, _b in label_spans), default=start)
    first_nl = text.find("\n", max(start, last_label))
    if first_nl < 0 or first_nl >= end:
        return end
    for m in re.compile(r"(?m)^[^|\n]*$").finditer(text, first_nl + 1, end):
        ls, le = m.start(), m.end()
        if any(a < le and b > ls for a, b in label_spans):
            continue
        line = m.group(0)
        cjk = sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff")
        if (cjk >= 12 and re.search(r"[。！？]|^\s*[(（][一二三四五六七八九十]{1,2}[)）]", line)) or \
                (cjk >= 4 and re.match(r"\s*[(（][一二三四五六七八九十]{1,2}[)）]", line)):
            return ls
    return end


def test_table_region_ends_where_it_ended_before():
    fmt, formats = _formats()
    der = _derived(formats)
    texts = [doc.text for doc in corpus_documents()]
    texts.append("本年新收政府信息公开申请数量\n1 2 3\n（一）主要问题\n市科委 2024 年根据要求开展了很多工作。\n")
    seen = 0
    for text in texts:
        headings = lx.find_headings(text, der.formats, der.table_cores)
        for region in lx.find_table_regions(text, headings, fmt.tables, der.matchers):
            spans = [(s, e) for s, e, _sp, _q in der.matchers[region.table.key].find(text, region.start, region.end)]
            for lo in (region.start, max(region.start, len(text) // 3)):
                assert lx._prose_after(text, lo, region.end, spans) == _prose_after_reference(text, lo, region.end, spans)
                assert lx._prose_after(text, lo, region.end, []) == _prose_after_reference(text, lo, region.end, [])
                seen += 1
    assert seen > 20


def test_a_numbered_paragraph_is_one_that_starts_with_a_sub_heading():
    import re
    from validator import prose
    numbered = re.compile(r"\s*(?:[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)")
    lines = [ln for doc in corpus_documents() for ln in doc.text.split("\n")]
    lines += ["（一）甲", "(十一)乙", "  三、丙", "十一、", "一是", "（1）", "1.", "", "（一二三四）"]
    for ln in lines:
        assert (prose._SUBHEAD.match(ln) is not None) == (numbered.match(ln) is not None)


def test_a_pipe_cell_of_digits_is_the_value_the_gap_scanner_makes_of_it():
    for cell in ["0", "705", "0012", "１２", "²", "12 3", "1.5", "-3", "12件"]:
        text = f"| {cell} |"
        a, b = 0, len(text)
        got = [(t.type, t.start, t.end, t.text) for t in lx._lex_gap(text, a, b)]
        want = [(t.type, t.start, t.end, t.text) for t in lx._scan_values(text, 2, 2 + len(cell))] \
            if (lx._VALUE_RE.fullmatch(cell.replace(" ", "")) or lx._looks_value_cell(cell)) else [("TEXT", 2, 2 + len(cell), cell)]
        assert got == want, cell


def test_the_value_memo_a_caller_reads_first_is_parse_values_own():
    from validator import model
    from validator.templates import value_syntax
    syn = value_syntax({"negative": ["-"], "not_applicable": ["无"], "dashes": "—", "units": ["件"]})
    memo = model.value_memo(syn)
    assert model.value_memo(syn) is memo
    model.parse_value("12件", syn)
    assert memo["12件"] == model._parse_value("12件", syn)
    other = value_syntax({"negative": ["-"], "not_applicable": ["不适用"], "dashes": "—", "units": ["件"]})
    assert model.value_memo(other) is not memo


def test_a_memo_belongs_to_its_object_and_the_store_stays_bounded():
    from validator.memo import memo_of
    store: dict = {}
    a, b = object(), object()
    memo_of(store, a)["x"] = 1
    assert memo_of(store, a) == {"x": 1} and memo_of(store, b) == {}
    # a stale entry under the same id (the object it was made for is not this one) is not used
    store[id(b)] = (object(), {"stale": True})
    assert memo_of(store, b) == {}
    others = [object() for _ in range(3)]
    for o in others:
        memo_of(store, o, limit=3)
    assert len(store) <= 3
