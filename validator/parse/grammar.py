"""The statutory structure as a Lark grammar, generated from rules/formats/*.yaml, and an
error-tolerant LALR driver whose recoveries are the structure diagnostics.

The grammar of a format says what the 条例 and the national template fix: the six sections
in order, 表二/表三/表四 inside sections 二/三/四, every row of each table in the template's
order (row-group labels optional: many renderings leave them out).  Its terminals are
template elements — ``SEC3`` is the heading of section 三, ``T3_STATE_SECRET`` the row
1.属于国家秘密 of 表三 — and each token the segmenter gives carries its object (the heading,
the table piece, the row with its cells).  ``xxgk-lint grammar --template 2021`` prints it.

The driver feeds the tokens to Lark's interactive LALR parser (with its own shift/reduce step
over Lark's table, :meth:`_Driver.shift`: the model builder reads the parse as a flat list of
tokens and table nodes, so reductions make that list instead of Lark's tree).  Where a token
does not fit, it recovers the way a reader of the report would, and records why:

* an element the template requires is absent before this token (and does not come later):
  a *virtual* token stands in for it — ``section-missing``, ``table-missing``,
  ``row-missing`` (a missing table is one diagnostic, not one per row);
* the token's element comes later in the template but something before it comes later in
  the report: the token is *out of order* (``section-misplaced``, ``row-misplaced``) — a
  section is kept as a misplaced section of the report, a row is kept for its table;
* the token's element was already seen: ``section-repeated`` / ``row-repeated``;
* a row label of another format (a 2019 row in a 2021 table): ``row-other-format``; when
  it stands for a row group of this format (2019's single （六）其他处理 row for 2021's
  three), the group's rows are not missing;
* a row with values but no recognisable label: ``row-unplaced``.
The driver never rejects a report: every stream ends in a parse (the flat list) and a list of diagnostics.
"""

from __future__ import annotations

from dataclasses import field
from functools import lru_cache

from lark import Token
from lark.lexer import Lexer
from lark.parsers.lalr_analysis import Shift

from ..records import record
from ..templates import Format, TableSpec
from .pieces import token

NUMERALS = "一二三四五六七八九十"

# terminals of the report outside the template's elements
BODY = ("PROSE", "HEADING", "MISPLACED")
HEAD = ("FRONT", "TITLE")
CLOSING = ("SIGNATURE", "DATE")
OUT_OF_GRAMMAR = ("FOREIGN", "UNPLACED")   # never accepted: always a diagnostic


class TableNode:
    """A ``table_…`` rule of the parse: its tokens (and those of its inner rules) in order."""

    __slots__ = ("children",)

    def __init__(self, children: list):
        self.children = children


class _NoLexer(Lexer):
    """The tokens come from the segmenter; Lark's lexer is never used."""

    def __init__(self, lexer_conf):  # noqa: D401 - Lark's interface
        pass

    def lex(self, data):
        return iter(())


@record
class Virtual:
    """The value of a token the driver put in: an element that is absent (``missing``) or
    one that is present elsewhere in the report (``elsewhere``)."""

    terminal: str
    reason: str            # missing / elsewhere / replaced
    at: int                # offset in the text where it would be

    def __str__(self) -> str:
        return f"<{self.terminal}>"


@record
class Diagnostic:
    """What the parser found about the report's structure (rules/structure.yaml and
    rules/tables.yaml say which rule reports which kind)."""

    kind: str
    span: tuple[int, int]
    args: dict = field(default_factory=dict)
    related: list[tuple[int, int]] = field(default_factory=list)
    payload: object = None          # the token's object (a misplaced section, a row …)


@record
class Element:
    """One element of the generated report grammar: a section heading, a table's start or end,
    a row, a row group or a caption, with the terminal that stands for it and its rank."""

    terminal: str
    rank: int
    kind: str              # section / table / table_end / row / group / caption
    optional: bool
    table: str | None = None      # table key for table elements
    key: str | None = None        # section key / row key
    number: int | None = None     # section number
    title: str = ""


def _line(rule: str, comment: str) -> str:
    return f"{rule.ljust(46)}  // {comment}" if comment else rule


class FormatGrammar:
    """The generated grammar of one format and the facts the driver needs about its
    terminals (order in the template, optional or required, which table)."""

    def __init__(self, fmt: Format | None):
        self.fmt = fmt
        self.ordered = fmt is not None      # None: reports without a fixed format (pre-2019)
        self.elements: dict[str, Element] = {}
        self._row_terms: dict = {}
        self.text = self._generate()
        self._parser = None
        self._fresh = None
        self._accepts: dict[tuple, frozenset] = {}
        self._reductions: dict[int, tuple[int, str, bool]] | None = None

    # -- generation -------------------------------------------------------------------
    def _el(self, terminal, kind, optional, **kw) -> str:
        self.elements[terminal] = Element(terminal, len(self.elements), kind, optional, **kw)
        return terminal + ("?" if optional else "")

    def row_terminal(self, table: TableSpec, row_id: str) -> str:
        key = (table.key, row_id)
        t = self._row_terms.get(key)
        if t is None:
            t = self._row_terms[key] = f"{table.id.upper()}_{row_id.upper()}"
        return t

    def _generate(self) -> str:
        fmt = self.fmt
        if fmt is None:
            # reports under the 2008 条例 (and others without a fixed format): headings in any
            # order, each a section; the pre-2019 rules check what they must contain
            return "\n".join([
                "// Reports without a fixed national format (report years before 2019, 2008 条例第三十二条):",
                "// numbered headings in any order, each a section (xxgk-lint grammar --template legacy).",
                "",
                "start: head section* closing?",
                "head: (FRONT | TITLE | _body)*",
                "section: SEC _body*",
                "_body: PROSE | MISPLACED",
                "closing: SIGNATURE? DATE _body*",
                "",
                "%declare SEC HEADING " + " ".join(HEAD + BODY[:1] + BODY[2:] + CLOSING + OUT_OF_GRAMMAR)]) + "\n"
        tables = {t.section: t for t in fmt.tables}
        lines = [f"// Generated from rules/formats/{fmt.id}.yaml: {fmt.name}",
                 "// (xxgk-lint grammar --template %s). Terminals are template elements; the driver" % fmt.id,
                 "// in validator/parse/grammar.py turns what does not fit into structure diagnostics.",
                 ""]
        secs = " ".join(f"section_{s.number}" for s in fmt.sections)
        lines += ["start: head sections closing?",
                  "head: (FRONT | TITLE | _body)*",
                  f"sections: {secs}",
                  "_body: PROSE | HEADING | MISPLACED",
                  "closing: SIGNATURE? DATE _body*",
                  ""]
        rules: list[str] = []
        for s in fmt.sections:
            term = self._el(f"SEC{s.number}", "section", False, key=s.key, number=s.number, title=s.title)
            tab = tables.get(s.number)
            body = f"{term} _body*"
            if tab is not None:
                body += f" table_{tab.id} _body*"
            also = "; ".join(filter(None, [
                "、".join(s.variants) and "或" + "、".join(s.variants),
                s.words and "或含" + "+".join("/".join(g) for g in s.words)]))
            lines.append(_line(f"section_{s.number}: {body}",
                               f"{NUMERALS[s.number - 1]}、{s.title}" + (f" ({also})" if also else "")))
            if tab is not None:
                rules += self._table_rules(tab)
        lines.append("")
        lines += rules
        terms = " ".join(self.elements) + " " + " ".join(HEAD + BODY + CLOSING + OUT_OF_GRAMMAR)
        lines += ["", f"%declare {terms}"]
        return "\n".join(lines) + "\n"

    def _table_rules(self, tab: TableSpec) -> list[str]:
        tid = tab.id
        start = self._el(tid.upper(), "table", False, table=tab.key, title=tab.name)
        out: list[str] = []
        children: dict[str | None, list] = {}
        for r in tab.rows:
            children.setdefault(r.parent, []).append(r)
        sub_rules: list[str] = []

        def seq(parent) -> list[str]:
            parts = []
            for r in children.get(parent, []):
                if r.group and children.get(r.key):
                    g = self._el(self.row_terminal(tab, r.id), "group", True, table=tab.key, key=r.key,
                                 title=r.label or r.key)
                    slot = len(sub_rules)
                    sub_rules.append("")
                    inner = seq(r.key)
                    name = f"{tid}_{r.id}"
                    sub_rules[slot] = _line(f"{name}: {g} {' '.join(inner)}", r.label or "")
                    parts.append(name)
                else:
                    parts.append(self._el(self.row_terminal(tab, r.id), "row", False, table=tab.key, key=r.key,
                                          title=r.label or r.key))
            return parts

        if tab.captions:
            # 表二: blocks under the captions of 条例第二十条
            blocks = []
            for k, cap in enumerate(tab.captions, 1):
                c = self._el(f"{tid.upper()}_CAP{k}", "caption", True, table=tab.key, title=cap)
                rows = [self._el(self.row_terminal(tab, r.id), "row", False, table=tab.key, key=r.key,
                                 title=r.label or r.key) for r in tab.rows if r.block == cap]
                name = f"{tid}_block_{k}"
                sub_rules.append(_line(f"{name}: {c} {' '.join(rows)}", cap))
                blocks.append(name)
            body = blocks
        else:
            body = seq(None)
        end = self._el(f"{tid.upper()}_END", "table_end", False, table=tab.key)
        out.append(_line(f"table_{tid}: {start} {' '.join(body)} {end}", f"{tab.key} {tab.name}"))
        out += sub_rules
        return out

    # -- the parser -------------------------------------------------------------------
    def parser(self):
        if self._parser is None:
            from ..larkcache import lark
            name = f"report-{self.fmt.id}" if self.fmt is not None else "report-legacy"
            self._parser = lark(name, self.text, parser="lalr", lexer=_NoLexer,
                                maybe_placeholders=False)
        return self._parser

    def interactive(self):
        """A fresh interactive parser (a copy of one made once)."""
        if self._fresh is None:
            self._fresh = self.parser().parse_interactive("")
        # as InteractiveParser.copy, but sharing the lexer thread: no lexer runs here (the
        # tokens come from the segmenter) and accepts() copies it before it feeds anything
        f = self._fresh
        ps = f.parser_state      # (ParserState.copy(deepcopy_values=False), without copy.copy)
        state = type(ps)(ps.parse_conf, ps.lexer, list(ps.state_stack), list(ps.value_stack))
        return type(f)(f.parser, state, f.lexer_thread)

    def reductions(self, ip) -> dict[int, tuple[int, str, bool]]:
        """id(rule) -> (length of its expansion, its name, whether it makes a table node) for
        every rule the LALR table reduces by (read once per grammar: :meth:`_Driver.shift`
        looks rules up by identity — Lark's callbacks dict hashes a Rule in Python, twice a
        reduction)."""
        if self._reductions is None:
            out = {}
            for actions in ip.parser_state.parse_conf.states.values():
                for action, arg in actions.values():
                    if action is not Shift:
                        name = arg.origin.name
                        out[id(arg)] = (len(arg.expansion), name, name.startswith("table_"))
            self._reductions = out
        return self._reductions

    def accepts(self, ip) -> frozenset:
        """The terminals an interactive parser of this grammar accepts now (see
        :meth:`_Driver.expected`), remembered by its state stack."""
        key = tuple(ip.parser_state.state_stack)
        out = self._accepts.get(key)
        if out is None:
            if len(self._accepts) >= 4096:
                self._accepts.clear()
            out = self._accepts[key] = frozenset(t for t in ip.accepts() if t.isupper())
        return out

    def parse(self, tokens: list[Token]):
        """(items, diagnostics) for a token stream — items: the parse as a flat list of tokens
        and :class:`TableNode` s in document order; never raises on a misfit stream."""
        return _Driver(self, tokens).run()


@lru_cache(maxsize=8)
def _grammar_for(fmt_id: str, fmt_path: str) -> FormatGrammar:
    from ..templates import load_formats
    for f in load_formats().values():
        if f.id == fmt_id and f.path == fmt_path:
            return FormatGrammar(f)
    raise KeyError(fmt_id)


def grammar_for(fmt: Format) -> FormatGrammar:
    """The (cached) grammar of a format."""
    try:
        return _grammar_for(fmt.id, fmt.path)
    except KeyError:
        return FormatGrammar(fmt)


class _Driver:
    MAX_STEPS = 20000

    def __init__(self, g: FormatGrammar, tokens: list[Token]):
        self.g = g
        self.els = g.elements
        self.tokens = tokens
        self.diags: list[Diagnostic] = []
        self.seen: set[str] = set()            # terminals consumed (really, virtually or out of place)
        self.real: set[str] = set()            # terminals of tokens of the report consumed
        self.elsewhere: set[str] = set()       # terminals present out of place
        self.replaced: set[str] = set()        # groups a row of another format stands for
        # one pass over the element tokens: where each table ends, and the sections and each
        # table's rows with their ranks in order, or not (for _out_of_order)
        table_end_at: dict[int, int] = {}
        sections: list[int] = []
        rows: list[int] | None = None     # the rows of the last table started
        groups: list[list[int]] = []      # the sections, then each table's rows: when not in order
        sections_in_order = True
        section_rank = row_rank = -1
        open_at = None
        get = self.els.get
        for i, t in enumerate(tokens):
            el = get(t.type)
            if el is None:
                continue
            kind = el.kind
            if kind == "row":
                if rows is not None:
                    rows.append(i)
                    if el.rank <= row_rank and (not groups or groups[-1] is not rows):
                        groups.append(rows)
                    row_rank = el.rank
            elif kind == "section":
                sections.append(i)
                if el.rank <= section_rank:
                    sections_in_order = False
                section_rank = el.rank
            elif kind == "table":
                open_at = i
                rows = []
                row_rank = -1
            elif kind == "table_end":
                if open_at is not None:
                    table_end_at[open_at] = i
                    open_at = None
        if not sections_in_order:
            groups.insert(0, sections)
        self._positions: dict[str, list[int]] | None = None   # (see positions)
        self.table_end_at = table_end_at
        self.steps = 0
        self.out_of_order_at = self._out_of_order(groups) if groups else set()
        # elements present in the report, but out of the template's order
        if self.out_of_order_at:
            self.elsewhere.update(self.tokens[j].type for j in self.out_of_order_at)

    @property
    def positions(self) -> dict[str, list[int]]:
        """Where the tokens of each terminal are, in order — worked out when a recovery first
        asks (most tokens fit and most reports need it seldom or never).  Only element
        terminals are looked up, and their tokens keep their type (a recovery retypes only
        tokens of no element, as PROSE): the same positions as at the start."""
        if self._positions is None:
            positions: dict[str, list[int]] = {}
            for i, t in enumerate(self.tokens):
                at = positions.get(t.type)
                if at is None:
                    positions[t.type] = [i]
                else:
                    at.append(i)
            self._positions = positions
        return self._positions

    @positions.setter
    def positions(self, value: dict[str, list[int]]) -> None:
        self._positions = value

    def _out_of_order(self, groups: list[list[int]]) -> set[int]:
        """Sections, and the rows of each table, that are not in the template's order: the
        tokens outside a longest run in template order (the fewest tokens to call out of
        place), so one row written too early is one misplaced row, not all the others.
        ``groups``: the positions of the sections and of each table's rows that __init__, in
        its pass over the tokens, found not in order (the others' longest run is all of them)."""
        out: set[int] = set()
        els, tokens = self.els, self.tokens
        for idx in groups:
            ranks = [els[tokens[i].type].rank for i in idx]
            if all(a < b for a, b in zip(ranks, ranks[1:])):
                continue    # in order: the longest run is all of them
            keep = _longest_increasing(ranks)
            out.update(i for k, i in enumerate(idx) if k not in keep)
        return out

    # -- helpers ----------------------------------------------------------------------
    def expected(self, ip) -> set[str]:
        """The terminals the parser can shift now (Lark's choices() also lists lookaheads of
        reductions that would then fail: LALR merges states).  What the parser accepts depends
        only on its stack of LALR states (``accepts()`` tries each terminal on a copy, without
        callbacks), so it is worked out once per stack and grammar."""
        return set(self.g.accepts(ip))

    def later(self, terminal: str, i: int, until: int | None = None) -> bool:
        for p in self.positions.get(terminal, ()):
            if p > i and (until is None or p < until):
                return True
        return False

    def next_required(self, exp: set[str]) -> str | None:
        req = [t for t in exp if t in self.els and not self.els[t].optional]
        return min(req, key=lambda t: self.els[t].rank) if req else None

    def feed(self, ip, tok: Token) -> bool:
        """Feed a token if the parser can take it; else leave the parser as it was.  (LALR
        may reduce on a lookahead before it finds that the token does not fit: what it can
        take is tried on a copy once per stack of states, :meth:`FormatGrammar.accepts`.)"""
        typ = tok.type
        action = self.states[ip.parser_state.state_stack[-1]].get(typ)
        if action is None:
            return False        # not even among the state's choices (what accepts() tries)
        if not (action[0] is Shift and typ.isupper()) and typ not in self.g.accepts(ip):
            return False        # (a shift always succeeds: only a reduction may fail later)
        self.shift(tok)
        return True

    def shift(self, tok: Token, end: bool = False):
        """Lark's ``ParserState.feed_token`` on the interactive parser's stacks, step for step
        (reduce while the table says so, then shift the token; ``end``: the end of input, the
        value of ``start`` returned), except what a reduction makes: not Lark's tree but the
        flat list of the rule's tokens and table nodes (the inner rules' lists spliced in), a
        :class:`TableNode` for a ``table_…`` rule — what the model builder reads.  A token
        the table has no action for is left to Lark, which raises as it always did."""
        stack = self.state.state_stack
        values = self.state.value_stack
        states = self.states
        rules = self.rules
        end_state = self.end_state
        while True:
            try:
                action, arg = states[stack[-1]][tok.type]
            except KeyError:
                return self.state.feed_token(tok, end)     # raises UnexpectedToken
            if action is Shift:
                if end:
                    return self.state.feed_token(tok, end)  # never in an LALR table: Lark's assertion
                stack.append(arg)
                values.append(tok)
                return None
            size, name, table = rules[id(arg)]
            flat: list = []
            if size:
                for c in values[-size:]:
                    if c.__class__ is list:
                        flat += c
                    else:
                        flat.append(c)
                del stack[-size:]
                del values[-size:]
            stack.append(states[stack[-1]][name][1])
            values.append(TableNode(flat) if table else flat)
            if end and stack[-1] == end_state:
                return values[-1]

    def virtual(self, terminal: str, reason: str, at: int) -> Token:
        return token(terminal, Virtual(terminal, reason, at), at, at)

    def _span(self, tok: Token) -> tuple[int, int]:
        a = tok.start_pos if tok.start_pos is not None else 0
        b = tok.end_pos if tok.end_pos is not None else a
        return (a, b)

    def _missing(self, terminal: str, at: Token):
        el = self.els[terminal]
        a, _b = self._span(at)
        if el.kind == "section":
            self.diags.append(Diagnostic("section-missing", (a, a),
                                         {"number": el.number, "numeral": NUMERALS[el.number - 1],
                                          "title": el.title, "key": el.key}))
        elif el.kind == "table":
            tab = self.g.fmt.table(el.table)
            self.diags.append(Diagnostic("table-missing", (a, a), {"table": el.table, "name": el.title,
                                                                   "section": NUMERALS[tab.section - 1]}))
        elif el.kind == "row":
            self.diags.append(Diagnostic("row-missing", (a, a), {"table": el.table, "row": el.key,
                                                                 "label": el.title}))

    # -- the run ----------------------------------------------------------------------
    def start(self) -> None:
        """A fresh parser, and what :meth:`shift` reads of it."""
        self.ip = self.g.interactive()
        self.state = self.ip.parser_state
        conf = self.state.parse_conf
        self.states = conf.states
        self.end_state = conf.end_state
        self.rules = self.g.reductions(self.ip)

    def run(self):
        self.start()
        tokens, els, states, accepts = self.tokens, self.els, self.states, self.g.accepts
        ip, stack, values, seen, real = self.ip, self.state.state_stack, self.state.value_stack, self.seen, self.real
        limit = self.MAX_STEPS
        i = 0
        n = len(tokens)
        while i < n:
            # the first try of :meth:`step` here, without its calls: a token the parser takes
            # as it stands (most of them) is fed as :meth:`feed` feeds it — a shift pushed
            # right away (as :meth:`shift` pushes it), reductions first by :meth:`shift`;
            # anything else (a misfit to recover from, the step limit near) goes to step()
            tok = tokens[i]
            typ = tok.type
            action = states[stack[-1]].get(typ)
            if action is None or self.steps >= limit:
                i = self.step(i)
                continue
            shifts = action[0] is Shift and typ.isupper()
            if not shifts and typ not in accepts(ip):
                i = self.step(i)
                continue
            self.steps += 1
            if typ in els:
                seen.add(typ)
                real.add(typ)
            if shifts:
                stack.append(action[1])
                values.append(tok)
            else:
                self.shift(tok)
            i += 1
        self.finish()
        return self.tree, self.diags

    def step(self, i: int) -> int:
        tok = self.tokens[i]
        el = self.els.get(tok.type)
        for _ in range(400):
            self.steps += 1
            if self.steps > self.MAX_STEPS:
                return i + 1
            if self.feed(self.ip, tok):
                if el is not None:
                    self.seen.add(tok.type)
                    self.real.add(tok.type)
                return i + 1
            action = self.recover(i, tok)
            if action is not None:
                return action
        return i + 1

    def recover(self, i: int, tok: Token) -> int | None:
        """Handle a token that does not fit: returns the index to continue at, or None to
        try the token again (after virtual tokens were fed)."""
        exp = self.expected(self.ip)
        el = self.els.get(tok.type)
        span = self._span(tok)
        if tok.type == "FOREIGN":
            stands_for = getattr(tok.value, "stands_for", None)
            self.diags.append(Diagnostic("row-other-format", span, {"table": getattr(tok.value, "table", ""),
                                                                     "row": getattr(tok.value, "key", "")},
                                         payload=tok.value))
            if stands_for:
                self.replaced.add(stands_for)
            return i + 1
        if tok.type == "UNPLACED":
            self.diags.append(Diagnostic("row-unplaced", span, {"table": getattr(tok.value, "table", "")},
                                         payload=tok.value))
            return i + 1
        if el is None:
            # prose, headings, title, signature where the structure has no place for them:
            # read as prose where prose fits, else dropped with a note
            if tok.type != "PROSE" and "PROSE" in exp:
                value = tok.value if isinstance(tok.value, list) else [tok.value]
                self.tokens[i] = token("PROSE", value, tok.start_pos, tok.end_pos)
                if self.feed(self.ip, self.tokens[i]):
                    return i + 1
            self.diags.append(Diagnostic("unexpected", span, {"what": tok.type}, payload=tok.value))
            return i + 1
        if i in self.out_of_order_at:
            return self.out_of_order(i, tok, el, repeated=tok.type in self.real or self._in_order_elsewhere(i))
        if el.kind in ("group", "caption"):
            return i + 1   # an optional label out of its place is just a label
        nxt = self.next_required(exp)
        if nxt is None:
            self.diags.append(Diagnostic("unexpected", span, {"what": tok.type}, payload=tok.value))
            return i + 1
        ne = self.els[nxt]
        if el.rank > ne.rank:
            # something the template puts before this token is not here (yet)
            if el.kind == "row" and ne.kind in ("section", "table"):
                # a row of a table that has not started: not in a table at all
                self.diags.append(Diagnostic("unexpected", span, {"what": tok.type}, payload=tok.value))
                return i + 1
            if el.kind == "table" and nxt not in self.seen and self.later(nxt, i):
                return self.out_of_order(i, tok, el)
            self.insert(nxt, tok)
            return None
        # the token's place in the template is behind us
        return self.out_of_order(i, tok, el, repeated=tok.type in self.real)

    def _in_order_elsewhere(self, i: int) -> bool:
        t = self.tokens[i].type
        return any(p != i and p not in self.out_of_order_at for p in self.positions.get(t, ()))

    def insert(self, terminal: str, at: Token) -> None:
        el = self.els[terminal]
        if terminal in self.elsewhere:
            reason = "elsewhere"
        elif el.kind in ("row", "group") and self._group_replaced(el):
            reason = "replaced"
        else:
            reason = "missing"
            self._missing(terminal, at)
        a, _b = self._span(at)
        self.shift(self.virtual(terminal, reason, a))
        self.seen.add(terminal)
        if el.kind == "table":
            # a whole table stands in: its rows come with it, not one diagnostic each
            end = f"{terminal}_END"
            for _ in range(400):
                exp = self.expected(self.ip)
                if end in exp:
                    self.shift(self.virtual(end, reason, a))
                    break
                nxt = self.next_required(exp)
                if nxt is None:
                    break
                self.shift(self.virtual(nxt, "with-table", a))

    def _group_replaced(self, el: Element) -> bool:
        if self.g.fmt is None:
            return False
        tab = next((t for t in self.g.fmt.tables if t.key == el.table), None)
        if tab is None:
            return False
        r = tab.row(el.key)
        while r is not None and r.parent:
            if r.parent in self.replaced:
                return True
            r = tab.row(r.parent)
        return el.key in self.replaced

    def out_of_order(self, i: int, tok: Token, el: Element, repeated: bool = False) -> int:
        span = self._span(tok)
        if el.kind == "section":
            kind = "section-repeated" if repeated else "section-misplaced"
            self.diags.append(Diagnostic(kind, span, {"number": el.number, "numeral": NUMERALS[el.number - 1],
                                                      "title": el.title, "key": el.key}, payload=tok.value))
            self.elsewhere.add(tok.type)
            self.seen.add(tok.type)
            self.real.add(tok.type)
            mis = token("MISPLACED", tok.value, tok.start_pos, tok.end_pos)
            if not self.feed(self.ip, mis):
                return i + 1
            return i + 1
        if el.kind == "table":
            # the whole table is out of its place: kept for the model, skipped by the parser
            end = self.table_end_at.get(i, i)
            self.diags.append(Diagnostic("table-misplaced" if not repeated else "table-repeated", span,
                                         {"table": el.table, "name": el.title},
                                         payload=self.tokens[i:end + 1]))
            self.elsewhere.add(tok.type)
            self.seen.add(tok.type)
            self.real.add(tok.type)
            return end + 1
        if el.kind in ("row", "group"):
            kind = "row-repeated" if repeated else "row-misplaced"
            if el.kind == "group":   # a group label out of place is just a label
                return i + 1
            self.diags.append(Diagnostic(kind, span, {"table": el.table, "row": el.key, "label": el.title},
                                         payload=tok.value))
            self.elsewhere.add(tok.type)
            self.seen.add(tok.type)
            self.real.add(tok.type)
            return i + 1
        return i + 1

    def finish(self) -> None:
        last = self.tokens[-1] if self.tokens else Token("PROSE", "", start_pos=0, end_pos=0)
        end_at = Token("PROSE", "", start_pos=last.end_pos or 0, end_pos=last.end_pos or 0)
        for _ in range(400):
            exp = self.expected(self.ip)
            if "$END" in exp:
                break
            nxt = self.next_required(exp)
            if nxt is None:
                break
            self.insert(nxt, end_at)
        self.tree = self.shift(Token("$END", "", 0, 1, 1), end=True)   # as Lark's feed_eof makes it


def expected_terminals(ip) -> set[str]:  # pragma: no cover - debugging aid
    return {t for t in ip.choices() if t.isupper()}


def _longest_increasing(ranks: list[int]) -> set[int]:
    """Positions of a longest strictly increasing subsequence of ranks (patience sorting)."""
    import bisect
    tails: list[int] = []      # rank at the end of the best run of each length
    tails_at: list[int] = []   # its position
    prev: list[int] = [-1] * len(ranks)
    for k, r in enumerate(ranks):
        j = bisect.bisect_left(tails, r)
        if j == len(tails):
            tails.append(r)
            tails_at.append(k)
        else:
            tails[j] = r
            tails_at[j] = k
        prev[k] = tails_at[j - 1] if j > 0 else -1
    out: set[int] = set()
    k = tails_at[-1] if tails_at else -1
    while k >= 0:
        out.add(k)
        k = prev[k]
    return out
