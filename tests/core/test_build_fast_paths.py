"""The model builder's shortcuts (validator/parse/build.py, issue 15 "fast text") build exactly
the model the plain computations build: each test parses the real corpus texts (and variants
of them written to hit the shortcuts' edge cases) once with the shortcut and once with the
computation it replaces, and compares the whole models."""

from __future__ import annotations

import random
import re

import pytest

from tests.conftest import corpus_texts
from validator.model import ValueKind
from validator.normalize import normalize
from validator.parse import build as B
from validator.parse.pieces import RowPiece, Tok
from validator.source import SourceText
from validator.templates import load_formats


def variants(text: str, rnd: random.Random) -> list[str]:
    """The text, the text again (the builder's memos now warm), the text further on (the same
    rows at other offsets), and copies with some digits of its tables made blank, other digits
    or run together with the next cell (rows that split one way, several ways or no way)."""
    out = [text, text, "前言\n\n" + text]
    for _ in range(3):
        chars = list(text)
        for i, ch in enumerate(chars):
            if ch.isdigit() and rnd.random() < 0.08:
                chars[i] = rnd.choice(["", "", " ", str(rnd.randint(0, 9)), ch + ch])
        out.append("".join(chars))
    # a pipe cell left empty (a blank cell)
    out.append(re.sub(r"\|\s*0\s*\|", "|  |", text))
    return out


def model_of(text: str) -> str:
    from validator.parse import parse
    r = parse(normalize(SourceText.from_original(text)))
    return repr((r.tables, [(d.kind, d.span, d.args) for d in r.diagnostics], r.sections))


class _Everything(set):
    def __contains__(self, item) -> bool:   # every table "has a blank cell"
        return True


def _resolve_jointly_with_lookups(self, table, spec):
    """_Model._resolve_jointly as it was: each equation decided by expr.check with a Lookup."""
    from itertools import product
    from validator.expr import Missing, check
    from validator.model import Cell
    from validator.tablemath import Lookup
    ambiguous = getattr(self, "_ambiguous", None)
    if not ambiguous:
        return
    mine = {id(r) for r in table.rows.values()}
    amb = [a for a in ambiguous if id(a[0]) in mine]
    if not amb or not spec.column_equations:
        return
    eqs = spec.equations()
    total = 1
    for *_x, cands in amb:
        total *= len(cands)
    if total > 5000:
        return
    good = []
    for combo in product(*[cands for *_x, cands in amb]):
        for (row, columns, values, _c), pieces in zip(amb, combo):
            self._assign_split(row, columns, values, pieces, "")
        ok, checked = True, 0
        for col in spec.columns:
            for e in eqs:
                try:
                    res = check(e, Lookup(table, spec, column=col))
                except Missing:
                    continue
                checked += 1
                if not res.holds:
                    ok = False
                    break
            if not ok:
                break
        if ok and checked:
            good.append(combo)
            if len(good) > 1:
                break
    if len(good) == 1:
        for (row, columns, values, _c), pieces in zip(amb, good[0]):
            self._assign_split(row, columns, values, pieces, "按本行合计及本列勾稽关系")
            self._note_blanks(table, row)
    else:
        for row, columns, values, cands in amb:
            raw = " ".join(t.text for t in values)
            row.unreadable = ("ambiguous", raw, len(cands))
            span = (values[0].start, values[-1].end)
            row.cells.clear()
            for col in columns:
                row.cells[col] = Cell(raw, ValueKind.UNREADABLE, None, span, row.key, col)


def plain(monkeypatch):
    """The builder without its shortcuts: rows of cells in order read by _fill_row every time,
    implied_blanks called for every table, the ambiguous rows decided with Lookups."""
    monkeypatch.setattr(B, "_PLANS", {})
    monkeypatch.setattr(B._Model, "_plan", lambda self, columns, toks, spec: None)
    monkeypatch.setattr(B._Model, "_resolve_jointly", _resolve_jointly_with_lookups)
    init = B._Model.__init__

    def every_table(self, *a, **kw):
        init(self, *a, **kw)
        self._blank_tables = _Everything()
    monkeypatch.setattr(B._Model, "__init__", every_table)


def test_the_builder_s_shortcuts_build_the_model_the_plain_way_builds():
    rnd = random.Random(15)
    texts = [v for t in corpus_texts() for v in variants(t, rnd)]
    fast = [model_of(t) for t in texts]
    with pytest.MonkeyPatch.context() as mp:
        plain(mp)
        slow = [model_of(t) for t in texts]
    assert len(fast) == len(slow)
    for i, (a, b) in enumerate(zip(fast, slow)):
        assert a == b, i
    # the variants did reach the shortcuts' edge cases (a row's missing cells: the test below)
    joined = "".join(fast)
    for what in ("按本行合计关系唯一拆分", "按本行合计及本列勾稽关系", "'ambiguous'", "implied=Decimal",
                 "kind=<ValueKind.BLANK"):
        assert what in joined, what


def _rows(fmt_id: str = "2021"):
    fmt = load_formats()[fmt_id]
    spec = fmt.table("表三")
    return fmt, spec


def _toks(*items, at: int = 100) -> list[Tok]:
    """Tokens in order from (type, text) pairs, one space apart, starting at ``at``."""
    out, pos = [], at
    for typ, text in items:
        out.append(Tok(typ, pos, pos + len(text), text))
        pos += len(text) + 1
    return out


@pytest.mark.parametrize("items", [
    [("VALUE", "0000000")], [("VALUE", "1000001")], [("VALUE", "640020470")],
    [("VALUE", "270020130")],                  # two ways: unreadable, kept for the column equations
    [("VALUE", "1000002")],                    # no way
    [("VALUE", "23"), ("VALUE", "0"), ("VALUE", "00"), ("VALUE", "0"), ("VALUE", "023")],
    [("VALUE", "1")] * 7, [("VALUE", "1")] * 9,            # more numbers than columns
    [("VALUE", "1")] * 7 + [("TEXT", "注")],               # more tokens, the extra one not a number
    [("BLANK", "")] * 7, [("BLANK", "")] * 3 + [("VALUE", "5")],
    [("VALUE", "5"), ("BLANK", "")],           # fewer tokens, not all numbers: the rest missing
    [("VALUE", "—"), ("VALUE", "12")], [("TEXT", "无"), ("VALUE", "3")], [("VALUE", "1.5万")],
])
def test_a_row_read_by_its_plan_is_the_row_fill_row_reads(items):
    """A row of cells in order read from its plan (made once per table, row and token texts,
    then only placed at the tokens' offsets) has the cells, unreadable mark, extra values and
    diagnostics _fill_row gives it — the first time, again, and at other offsets."""
    fmt, spec = _rows()
    rspec = next(r for r in spec.rows if r.key == "本年新收")
    lspec = next(sp for sp in spec.labels if sp.key == rspec.key)
    for at in (100, 100, 7, 5000):
        toks = _toks(*items, at=at)
        got, want = [], []
        for out, patch in ((got, False), (want, True)):
            from validator.model import Metadata, Report, Table
            with pytest.MonkeyPatch.context() as mp:
                r = Report(SourceText.from_original("x" * 6000), Metadata(), "2021", "", format=fmt)
                m = B._Model(r, fmt)
                m._ambiguous = []
                if patch:
                    mp.setattr(B, "_PLANS", {})
                    m._plan = lambda columns, toks, spec: None
                table = Table("表三", spec.name, (0, 1))
                rp = RowPiece(lspec, [], (at - 5, toks[-1].end), cells=list(toks))
                row = m._row(table, spec, rp)
                out.append(repr((row, r.diagnostics, [(a[0].key, a[2]) for a in m._ambiguous],
                                 "表三" in m._blank_tables or None)))
        assert got == want, items
    sig = ("本年新收", *items)
    assert sig in B.memo_of(B._PLANS, spec)     # the fast side did go through the memo


# -- the grammar's driver ---------------------------------------------------------------------
def _streams():
    """The token streams of the corpus texts (and of the variants above), and each shuffled,
    reversed, cut in half, with a row moved ahead and empty: streams in order and out of it."""
    from validator.parse import grammar as gr
    from validator.parse import parse
    streams = []
    real = gr.FormatGrammar.parse

    def kept(self, tokens):
        streams.append((self, list(tokens)))
        return real(self, tokens)

    rnd = random.Random(21)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gr.FormatGrammar, "parse", kept)
        for text in corpus_texts():
            for v in variants(text, rnd)[2:5]:
                parse(normalize(SourceText.from_original(v)))
    assert len(streams) >= 30
    for g, toks in list(streams):
        shuffled = list(toks)
        rnd.shuffle(shuffled)
        moved = list(toks)
        rows = [i for i, t in enumerate(moved) if g.elements.get(t.type) is not None
                and g.elements[t.type].kind == "row"]
        if len(rows) > 3:
            moved.insert(rows[1], moved.pop(rows[-2]))
        streams += [(g, shuffled), (g, toks[::-1]), (g, toks[: len(toks) // 2]), (g, moved), (g, [])]
    return streams


def _run(g, toks):
    from validator.parse import grammar as gr
    from tests.core.test_fast_paths import _shape
    d = gr._Driver(g, list(toks))
    items, diags = d.run()
    return _shape(items), [(x.kind, x.span, x.args) for x in diags], sorted(d.out_of_order_at)


def test_the_driver_s_shortcuts_parse_as_the_plain_driver_parses():
    """The driver's shortcuts — a token the parser shifts fed without asking what the stack
    accepts, a token the parser takes fed inline by run() rather than by step() and feed(),
    one pass over the tokens for their positions, the tables' ends and the runs in template
    order, a run already in order not searched for its longest increasing part, a
    fresh parser that shares the lexer thread — give the items, diagnostics and out-of-order
    tokens the plain driver gives, on streams in order and out of it."""
    from copy import copy
    from validator.parse import grammar as gr

    class Plain(gr._Driver):
        def __init__(self, g, tokens):
            super().__init__(g, tokens)
            self.positions = {}
            for i, t in enumerate(tokens):
                self.positions.setdefault(t.type, []).append(i)
            self.table_end_at = {}
            open_at = None
            for i, t in enumerate(tokens):
                el = self.els.get(t.type)
                if el is not None and el.kind == "table":
                    open_at = i
                elif el is not None and el.kind == "table_end" and open_at is not None:
                    self.table_end_at[open_at] = i
                    open_at = None
            self.out_of_order_at = set()
            groups = [[]]
            for i, t in enumerate(self.tokens):
                el = self.els.get(t.type)
                if el is None:
                    continue
                if el.kind == "section":
                    groups[0].append(i)
                elif el.kind == "table":
                    groups.append([])
                elif el.kind == "row" and len(groups) > 1:
                    groups[-1].append(i)
            for idx in groups:
                keep = gr._longest_increasing([self.els[self.tokens[i].type].rank for i in idx])
                self.out_of_order_at.update(i for k, i in enumerate(idx) if k not in keep)
            self.elsewhere = {self.tokens[j].type for j in self.out_of_order_at}

        def feed(self, ip, tok):
            if tok.type not in self.g.accepts(ip):
                return False
            self.shift(tok)
            return True

        def run(self):     # every token through step() and feed(), none fed inline
            self.start()
            i = 0
            while i < len(self.tokens):
                i = self.step(i)
            self.finish()
            return self.tree, self.diags

    def plain_run(g, toks):
        from tests.core.test_fast_paths import _shape
        real = g.interactive
        g.interactive = lambda: copy(g._fresh) if g._fresh is not None else real()
        try:
            d = Plain(g, list(toks))
            items, diags = d.run()
        finally:
            del g.interactive
        return _shape(items), [(x.kind, x.span, x.args) for x in diags], sorted(d.out_of_order_at)

    out_of_order = 0
    for g, toks in _streams():
        got = _run(g, toks)
        assert got == plain_run(g, toks)
        out_of_order += len(got[2])
    assert out_of_order >= 20


def test_feeding_a_token_the_stack_cannot_take_leaves_the_parser_as_it_was():
    """A token the state has no action for, or whose type names a rule (the table's GOTO
    entries: never a token's), is refused as accepts() refuses it; a fresh parser is a
    parser of its own (feeding it leaves the next fresh one at the start)."""
    from validator.parse import grammar as gr
    from validator.parse.pieces import token
    g = gr.grammar_for(load_formats()["2021"])
    d = gr._Driver(g, [])
    d.ip = g.interactive()
    d.state = d.ip.parser_state
    d.states, d.rules = d.state.parse_conf.states, g.reductions(d.ip)
    d.end_state = d.state.parse_conf.end_state
    start = list(d.state.state_stack)
    rule_names = {k for acts in d.states.values() for k in acts if not k.isupper()}
    assert rule_names
    for typ in sorted(rule_names) + ["T3_R1", "SEC2", "NOSUCH"]:
        tok = token(typ, None, 0, 0)
        assert d.feed(d.ip, tok) is (typ in g.accepts(d.ip)) is False
        assert d.state.state_stack == start and d.state.value_stack == []
    assert d.feed(d.ip, token("TITLE", None, 0, 1)) is True
    assert d.state.state_stack != start
    again = g.interactive()
    assert again.parser_state.state_stack == start and again.parser_state.value_stack == []
    assert again.parser_state.state_stack is not d.state.state_stack
    assert g.accepts(again) == frozenset(t for t in again.accepts() if t.isupper())
