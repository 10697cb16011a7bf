"""Shortcuts of the rules stage (issue 15.4) give what the long way gives:

* an equation is first decided with PlainValues (validator/tablemath.py: holds, failing), the full check with a
  Lookup runs only where it does not hold — the two agree on every key of every equation rule,
  on real reports, including where a value is missing;
* a finding quotes and translates only the arguments its texts show (kinds.emit) — its texts
  equal those of quoting and translating every argument;
* which rules check a report is worked out once per template and selection
  (RuleSet.for_one_report) — the cache tells templates, selections and rule lists apart;
* a pattern is looked for in the joined streams first (kinds.text.live) — only patterns that
  cannot match in any stream are dropped;
* a pattern rule with ``max`` stops a pattern's matches in a stream after ``max`` places when
  the stream keeps the text's order (kinds.text._in_order) — the same findings as collecting
  every match;
* a rule without a pattern of the timed engine runs without a timeout log (rules.can_time_out);
* a shipped pattern that is plain text is answered by ``in`` (SafePattern.literal);
* the first characters of a pattern are looked for only before the earliest found
  (saferegex._first_at);
* one Location stands for each span of a report; the model view holds nothing of its own, so what
  is cached on a report (the sections' comparable units) is shared by every rule and pair;
* the diagnostics of a kind are the report's, in its order, however many kinds a rule wants;
* a report whose text is as written (no raw text, or the raw text equal to it) has nothing to
  quote: emit keeps the arguments as given without asking SourceText.quote — the texts equal
  quoting every argument, on reports of both kinds;
* a finding's texts are planned once per rule texts (kinds._Texts: English arguments only for
  the names the English reads) and its sections named once per report — every field equals the
  long way's;
* the default item marker of numbering is tried only before a 是 that follows a numeral, and a
  shipped pattern with a fixed anchor (saferegex.fixed_anchor) or few first characters only at
  those characters — the matches are the engine's scan's;
* the prose is split into sentences by str.replace and str.split (textutil.sentences) — the
  pieces of a split at the class [。；;\n], on the corpus texts and texts of every stop.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import corpus_texts, equation_cases
from validator.expr import Missing, check
from validator.lint import Options, lint_path, run_rules
from validator.model import Cell, Row, Table, ValueKind
from validator.prose import Stream
from validator.rules import RuleSet, load_rules
from validator.rules import kinds as K
from validator.rules.kinds.text import live
from validator.saferegex import compile_safe
from validator.tablemath import Lookup, PlainValues
from validator.templates import load_formats

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REPORTS = sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))


def test_plain_values_decide_every_equation_as_the_full_check_does():
    compared = failing = missing = 0
    for report, rule, spec, table, keys in equation_cases():
        for_each = rule.params["for_each"]
        plain = PlainValues(table, spec)
        wants = []
        for k in keys:
            look = Lookup(table, spec, column=k) if for_each == "column" else Lookup(table, spec, row=k)
            try:
                want = check(rule.compiled, look).holds
            except Missing:
                want = Missing
            try:
                got = plain.holds(rule.compiled, for_each, k)
            except Missing:
                got = Missing
            assert got == want, (report.source.path, rule.id, k)
            wants.append(want)
            compared += 1
            failing += want is False
            missing += want is Missing
        # failing(): the keys where holds() answers False, in one call per equation and table
        assert PlainValues(table, spec).failing(rule.compiled, for_each, keys) == \
            [k for k, w in zip(keys, wants) if w is False], (report.source.path, rule.id)
    assert compared > 200 and failing > 0 and missing > 0


def _table(rows: dict[str, dict[str, tuple[ValueKind, str]]], key="表三") -> Table:
    t = Table(key, key, (0, 0))
    for rk, cells in rows.items():
        t.rows[rk] = Row(rk, [], {ck: Cell(raw, kind, Decimal(raw) if raw.strip("-").isdigit() else None, (0, 0), rk, ck)
                                  for ck, (kind, raw) in cells.items()}, (0, 0))
    return t


def test_plain_values_count_blanks_as_zero_and_sum_groups_only_when_complete():
    from validator.expr import compile_expr
    spec = load_formats()["2021"].table("表三")
    group = next(r for r in spec.rows if r.group and spec.children(r.key))
    kids = spec.children(group.key)
    col = spec.columns[0]
    n = (ValueKind.NUMBER, "2")
    blank = (ValueKind.BLANK, "")
    expr = compile_expr(f"{group.key} == {kids[0]} + {' + '.join(kids[1:]) or '0'}")
    full = _table({k: {col: (n if i else blank)} for i, k in enumerate(kids)})
    plain = PlainValues(full, spec)
    assert plain.holds(expr, "column", col) is check(expr, Lookup(full, spec, column=col)).holds is True
    partial = _table({k: {col: n} for k in kids[:-1]})     # a row of the group is not there
    with pytest.raises(Missing):
        PlainValues(partial, spec).holds(expr, "column", col)
    with pytest.raises(Missing):
        check(expr, Lookup(partial, spec, column=col))
    dash = _table({k: {col: ((ValueKind.NA, "—") if i == 0 else n)} for i, k in enumerate(kids)})
    with pytest.raises(Missing):
        PlainValues(dash, spec).holds(expr, "column", col)


def _reference_emit(self, rule, span, args=None, *, table=None, row=None, column=None, numbers=None,
                    related=(), suggestion=None, group=None):
    """Every argument quoted and translated (what emit did before it read only those shown)."""
    src = self._Ctx__src
    start, _end = span
    args = K._Safe({k: (src.quote(v, start) if isinstance(v, str) and not isinstance(v, K.Plain)
                        and not k.endswith("_en") else v) for k, v in (args or {}).items()})
    args_en = K.english_args(args)
    msg = rule.message.format_map(args)
    msg_en = rule.message_en.format_map(args_en) if rule.message_en else None
    sug = suggestion if suggestion is not None else (rule.suggestion.format_map(args) if rule.suggestion else None)
    sug_en = rule.suggestion_en.format_map(args_en) if (suggestion is None and rule.suggestion_en) else None
    return msg, msg_en, sug, sug_en


def _lint_corpus_with_emit(monkeypatch, emit) -> None:
    """Check the text reports and the HTML page of the corpus with ``emit`` as Ctx.emit."""
    monkeypatch.setattr(K.Ctx, "emit", emit)
    for p in REPORTS + sorted((CORPUS / "html").glob("*.html")):
        lint_path(str(p))


def test_a_finding_shows_the_same_texts_as_with_every_argument_quoted(monkeypatch):
    seen = []
    real = K.Ctx.emit

    def both(self, rule, span, args=None, **kw):
        f = real(self, rule, span, args, **kw)
        want = _reference_emit(self, rule, span, args, **kw)
        assert (f.message, f.message_en, f.suggestion, f.suggestion_en) == want, rule.id
        seen.append(rule.id)
        return f

    _lint_corpus_with_emit(monkeypatch, both)
    assert len(seen) > 100 and len(set(seen)) > 15


def test_the_arguments_a_text_shows():
    assert K.template_fields("表三「{column}」{lhs:,}，{{字面}}{a.b}{c[0]}") == {"column", "lhs", "a", "c"}
    shown = K._shown_args("{x}{y}", None, "{x} and {table}", None)
    assert set(shown) == {"x", "y", "x_en", "table", "table_en"}
    assert set(K._shown_args("{x}", "{s}", None, "{t}")) == {"x", "s", "t", "t_en"}


def test_the_rules_for_one_report_are_told_apart_by_template_selection_and_rule_list():
    rules = load_rules()
    rs = RuleSet(list(rules.rules))
    all_2021 = rs.for_one_report("2021", Options())
    assert all_2021 == tuple(r for r in rs.rules if not (r.emitted_by or r.relations) and r.applies_to("2021")
                             and r.enabled)
    legacy = rs.for_one_report("legacy", Options())
    assert legacy != all_2021 and all(r.applies_to("legacy") for r in legacy)
    only = rs.for_one_report("2021", Options(select=("A301",)))
    assert [r.id for r in only] == ["A301"]
    assert "A301" not in [r.id for r in rs.for_one_report("2021", Options(ignore=("A301",)))]
    assert rs.for_one_report("2021", Options()) is all_2021           # the same answer, kept
    rs.rules.remove(all_2021[0])                                       # the list changed: a new answer
    assert all_2021[0] not in rs.for_one_report("2021", Options())


def test_run_rules_with_a_selection_runs_only_the_selected_rules():
    report = lint_path(str(REPORTS[0])).report
    ids = {f.rule for f in run_rules(report, load_rules(), Options(select=("A301", "A302")))}
    assert ids <= {"A301", "A302"}


class _Shared:
    def __init__(self):
        self.shared = {}


def _stream(text):
    return Stream(text, None)


def test_a_pattern_is_dropped_only_when_no_stream_can_hold_its_literals():
    ctx = _Shared()
    streams = [_stream("本年度收到申请12件。"), _stream("甲"), _stream("乙方")]
    pats = [compile_safe(p) for p in ("收到申请", "甲乙", "乙方", r"\d+件", "未见")]
    kept = [p.pattern for p in live(ctx, streams, pats)]
    # "甲乙" ends one stream and starts the next: no stream holds it, and the joined text does not
    assert kept == ["收到申请", "乙方", r"\d+件"]
    assert live(ctx, streams[:1], pats) is pats           # one stream: looked for in it anyway


def test_a_fixed_text_is_shared_by_every_finding_and_a_template_is_still_filled():
    from validator.rules.kinds import _filled
    fixed = "这一部分应写本机关本年度的工作，不要照抄其他机关的报告"
    assert _filled(fixed, {}) is fixed
    assert _filled("{a}与{b}", {"a": "甲", "b": "乙"}) == "甲与乙"
    assert _filled("括号{{原样}}", {}) == "括号{原样}"        # escaped braces are still formatted


# -- shortcuts of session 6 ----------------------------------------------------------------
_PINYIN = "2016年政府信息公开工作年度报告\n一、概述\n" + "".join(
    f"第{i}号(hào)文件由高新区(qū)办公室办理。\n" for i in range(40))


def test_a_pattern_with_max_stops_after_max_places_with_the_same_findings(monkeypatch):
    from validator.lint import lint_source
    from validator.rules.kinds import text as T
    from validator.source import SourceText
    seen = []
    real = T.finditer

    def counting(pat, text):
        for m in real(pat, text):
            seen.append(pat.pattern)
            yield m

    monkeypatch.setattr(T, "finditer", counting)
    rules = RuleSet([r for r in load_rules().rules if r.id == "C408"])
    short = [(f.rule, f.line, f.col, f.message) for f in lint_source(SourceText.from_original(_PINYIN), Options(), rules).findings]
    stopped = len(seen)
    monkeypatch.setattr(T, "_in_order", lambda ctx, st: False)     # the long way: every match
    seen.clear()
    full = [(f.rule, f.line, f.col, f.message) for f in lint_source(SourceText.from_original(_PINYIN), Options(), rules).findings]
    assert short == full and len(full) == 1 and full[0][1] == 3
    assert stopped == 1 and len(seen) == 80


def test_a_stream_is_in_order_when_its_offsets_never_go_back():
    from validator.prose import PosMap
    from validator.rules.kinds.text import _in_order
    ctx = _Shared()
    assert _in_order(ctx, Stream("甲乙", None))
    pos = PosMap()
    pos.add_run(10, 3)
    pos.add_repeat()                 # a line break placed where the previous character is
    pos.add_run(20, 2)
    assert _in_order(ctx, Stream("甲乙丙\n丁戊", pos))
    back = PosMap()
    back.add_run(30, 2)
    back.add_run(5, 2)               # a run before the one before it
    assert not _in_order(ctx, Stream("甲乙丙丁", back))
    assert not _in_order(ctx, Stream("甲乙丙", [4, 2, 3]))
    assert _in_order(ctx, Stream("甲乙丙", [2, 2, 3]))


def test_only_a_rule_with_a_pattern_of_the_timed_engine_can_time_out():
    from dataclasses import replace

    from validator.rules import can_time_out
    shipped = load_rules().rules
    assert not any(can_time_out(r) for r in shipped if r.kind)
    timed = compile_safe(r"(?<=甲)乙")          # look-behind: not RE2, the timed engine
    assert timed.engine == "regex"
    rule = replace(next(r for r in shipped if r.kind == "pattern"), params={"patterns": [{"regex": timed}]})
    assert can_time_out(rule)


def test_a_plain_text_pattern_is_answered_by_in():
    from validator.rules.kinds.text import search
    from validator.saferegex import trusted_patterns
    with trusted_patterns():
        plain, regex, dotted = compile_safe("其中"), compile_safe("其(?:中|他)"), compile_safe("a.b")
    assert plain.literal == "其中" and regex.literal is None and dotted.literal is None
    assert compile_safe("其中").literal is None          # another rule directory's: its own engine
    for text in ("共收到申请12件，其中自然人10件", "其他", "", "其 中"):
        for pat in (plain, regex):
            assert search(pat, text) is (pat.search(text) is not None)


def test_the_first_characters_are_found_at_the_earliest():
    from validator.saferegex import _first_at
    first = frozenset("共合总")
    assert _first_at(first, "甲总乙合丙共", 0) == 1
    assert _first_at(first, "甲总乙合丙共", 2) == 3
    assert _first_at(first, "甲乙丙", 0) == -1
    assert _first_at(None, "甲乙丙", 2) == 2


def test_the_model_view_reads_the_model_and_hides_the_text():
    report = lint_path(str(REPORTS[0])).report
    view = K.ModelView(report)
    assert view.tables is report.tables
    assert view.metadata is report.metadata
    for name in ("text", "source", "document"):
        with pytest.raises(AttributeError):
            getattr(view, name)
    with pytest.raises(AttributeError):
        view.tables = {}


def test_the_model_views_properties_read_what_getattr_on_the_report_reads():
    """The view's fields are properties reading the model in C (not __getattr__): on real
    reports each gives the very object the report holds, the hidden names still raise, a
    name the model lacks still raises, and a view without a report raises AttributeError."""
    from dataclasses import fields
    from validator.model import Report
    shown = [f.name for f in fields(Report) if f.name not in K.ModelView.HIDDEN]
    assert {"metadata", "prose", "tables", "sections", "template", "kind"} <= set(shown)
    for path in REPORTS[:6]:
        report = lint_path(str(path)).report
        view = K.ModelView(report)
        for name in shown:
            assert isinstance(K.ModelView.__dict__[name], property)   # the fast path is the one taken
            assert getattr(view, name) is getattr(report, name), (path.name, name)
        for name in K.ModelView.HIDDEN:
            with pytest.raises(AttributeError):
                getattr(view, name)
        with pytest.raises(AttributeError, match="no attribute"):
            view.no_such_field
        assert view.section_at(0) is report.section_at(0)     # methods: through __getattr__
    empty = object.__new__(K.ModelView)
    for name in shown:
        with pytest.raises(AttributeError):
            getattr(empty, name)


def test_what_is_cached_on_a_report_through_a_view_is_cached_on_the_report():
    """The comparing rules see a report through a new ModelView for each pair; the sections'
    units (similarity.units) must be worked out once per report, not once per pair (a view
    with a dict of its own cached them in the view: the province batch's cross step took
    70 % more CPU)."""
    from validator.cross import similarity as sim
    report = lint_path(str(REPORTS[0])).report
    first = sim.units(K.ModelView(report))
    assert sim.units(K.ModelView(report)) is first
    assert sim.units(report) is first
    assert K.ModelView(report).__dict__ is report.__dict__


def test_findings_at_one_span_share_one_location_equal_to_the_source_map():
    rules = load_rules()
    for p in REPORTS:
        res = lint_path(str(p), Options(), rules)
        by_span = {}
        for f in res.findings:
            if f.span is None:
                continue
            assert f.location == res.report.source.location(*f.span)
            by_span.setdefault(f.span, []).append(f.location)
        if any(len(v) > 1 for v in by_span.values()):
            assert all(all(x is v[0] for x in v) for v in by_span.values())
            return
    raise AssertionError("no two findings at one span in the corpus")


def test_the_diagnostics_of_some_kinds_keep_the_report_order():
    from types import SimpleNamespace

    from validator.rules.kinds.structure import _diagnostics_of
    ds = [SimpleNamespace(kind=k, n=i) for i, k in enumerate("abcab")]
    ctx = SimpleNamespace(shared={}, report=SimpleNamespace(diagnostics=ds))
    assert [d.n for d in _diagnostics_of(ctx, ["b", "a"])] == [0, 1, 3, 4]
    assert [d.n for d in _diagnostics_of(ctx, ["c"])] == [2]
    assert _diagnostics_of(ctx, ["x"]) == []


def test_equal_decimals_show_the_same_number():
    assert K.fmt_num(Decimal("1.50")) == K.fmt_num(Decimal("1.5")) == "1.5"
    assert K.fmt_num(Decimal("2.0")) == K.fmt_num(Decimal("2")) == "2"
    assert K.fmt_num(Decimal("NaN")) == "NaN" and K.fmt_num(None) == "—" and K.fmt_num(3) == "3"


def test_the_english_arguments_made_for_the_names_read_are_those_of_translating_every_argument():
    # a name read with its X_en given, without it, an X_en read itself, a table, a part's numeral,
    # a name read but not given (shown as {name} either way), names the English does not read
    texts = K._texts("{table}{row}{section}{gone}", None,
                     "{table} {row} {row_en} {section} {gone} {value}", "{cell} {place_en}")
    quoted = K._Safe({"table": "表三", "row": "自然人", "row_en": "natural persons", "section": "三",
                      "value": "12", "cell": "表三「自然人」", "place_en": "Table 3", "zh_only": "甲"})
    made = texts.english_args(quoted)
    every = K.english_args(quoted)
    for template in ("{table} {row} {row_en} {section} {gone} {value}", "{cell} {place_en}"):
        assert template.format_map(made) == template.format_map(every)
    assert made["table"] == "Table 3" and made["row"] == "natural persons" and made["section"] == "3"
    assert "zh_only" not in made and "gone" not in made
    assert (texts.fill_msg, texts.fill_sug, texts.fill_msg_en, texts.english) == (True, False, True, True)
    plain = K._texts("没有参数的信息", None, None, None)
    assert not plain.fill_msg and not plain.english and plain.quote == plain.keep == ()


def _section_of(report, offset):
    s = report.section_at(offset)
    return f"{s.numeral}、{s.title}" if s else None


def test_a_finding_is_made_as_the_long_way_makes_it(monkeypatch):
    """emit (texts worked out once per rule, places looked up in the report's cache, section names
    made once per report, the Finding made with positional fields) gives every field the long way
    gives."""
    from validator.findings import Finding
    real = K.Ctx.emit
    seen = []

    def both(self, rule, span, args=None, *, table=None, row=None, column=None, numbers=None,
             related=(), suggestion=None, group=None):
        f = real(self, rule, span, args, table=table, row=row, column=column, numbers=numbers,
                 related=related, suggestion=suggestion, group=group)
        msg, msg_en, sug, sug_en = _reference_emit(self, rule, span, args, suggestion=suggestion)
        src = self._Ctx__src
        want = Finding(rule.id, rule.category, rule.severity, msg, src.path, src.location(*span), rule.name,
                       msg_en, section=_section_of(self._Ctx__report, span[0]), table=table, row=row, column=column,
                       numbers=dict(numbers or {}), basis=rule.basis, suggestion=sug,
                       related=[src.location(a, b) for a, b in related], span=tuple(span),
                       suggestion_en=sug_en, group=group)
        assert f.__dict__ == want.__dict__, rule.id
        seen.append(rule.id)
        return f

    _lint_corpus_with_emit(monkeypatch, both)
    assert len(seen) > 100 and len(set(seen)) > 15


def test_the_default_item_marker_is_tried_only_before_a_numeral_and_shi_and_finds_what_the_regex_finds():
    import random
    from validator.rules.kinds import structure as S
    pat = S._default_marker()
    rng = random.Random(15)
    alphabet = list("一二三四五六七八九十是，。；、:（( \n\t甲a")
    texts = ["一是甲，二是乙；三是丙", "是一是", "十一是", "一二三四是", "，，一是", "一是二是", "（一）是"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in REPORTS]
    for t in texts:
        assert [(m.span(), m.span("num")) for m in S._default_marker_matches(pat, t)] == \
            [(m.span(), m.span("num")) for m in pat.finditer(t)], t


def test_a_pattern_with_a_fixed_anchor_is_tried_only_there_and_finds_what_the_scan_finds():
    """SafePattern.finditer of a shipped pattern whose every match has one of a few characters at
    a fixed offset from its start (saferegex.fixed_anchor) tries it only there when they are
    few: the matches are those of the engine's own scan."""
    import random
    from validator.saferegex import _anchor_places, fixed_anchor, trusted_patterns
    assert fixed_anchor(r"\p{Han}(?P<gap>[ \t]+)(?P<unit>条|件)") == ((" ", "\t"), 1)
    assert fixed_anchor(r"(?:19|20)\d{2}年") == (("年",), 4)
    assert fixed_anchor(r"(?:ab|cd){2}e") == (("e",), 4)
    for varies in (r"(?:^|[,，])[一二]{1,3}是", r"a?b", r"(?:ab|c)?d", r"(?=x)y", r"\bx", r"(?:x|yz)w", r"x*y",
                   r"a|b", r"(?i)ab", r"(?P<n>.)(?P=n)b"):
        assert fixed_anchor(varies) is None, varies
    with trusted_patterns():
        pats = [compile_safe(p) for p in (r"\p{Han}(?P<gap>[ \t]+)(?P<unit>余件|条|件)(?:[,，。]|$)",
                                          r"(?P<a>\d)(?P<m>\[(?i:page)\])(?P<b>\d)", r"\d\d年(?:底|末)?",
                                          r"\p{Han}乙(?<=甲.乙)")]
    rng = random.Random(4)
    alphabet = list("甲乙条件余年底末12 \t，。[]page\n收到受理")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in REPORTS]
    for pat in pats:
        chars, offset = fixed_anchor(pat.pattern)
        for t in texts:
            want = [(m.span(), m.groups()) for m in pat._compiled.finditer(t)]
            assert [(m.span(), m.groups()) for m in pat._anchored(t, _anchor_places(chars, t, 10 ** 9), offset)] == want
            assert [(m.span(), m.groups()) for m in pat.finditer(t)] == want
    # the first characters of a pattern are an anchor at offset 0 (tried there when few)
    with trusted_patterns():
        firsts = [compile_safe(p) for p in (r"(?:收到|受理)(?P<n>\d+)件", r"[甲乙](?<=。甲)\d+", r"年(?:底|末)")]
    for pat in firsts:
        assert pat._first is not None
        for t in texts:
            want = [(m.span(), m.groups()) for m in pat._compiled.finditer(t)]
            assert [(m.span(), m.groups()) for m in pat._anchored(t, _anchor_places(pat._first, t, 10 ** 9), 0)] == want
            assert [(m.span(), m.groups()) for m in pat.finditer(t)] == want
    assert _anchor_places((" ", "\t"), "a b\tc d", 2) is None           # more than the limit: scanned
    assert _anchor_places((" ", "\t"), "a b\tc d", 3) == [1, 3, 5]


def test_a_report_as_written_quotes_nothing_and_a_changed_one_quotes(monkeypatch):
    """emit quotes only where normalisation changed the text; on the corpus (reports with and
    without full-width characters) and on a text with a traditional character, the texts equal
    those of quoting every argument."""
    from validator.source import SourceText
    real = K.Ctx.emit
    kinds = {True: 0, False: 0}

    def both(self, rule, span, args=None, **kw):
        f = real(self, rule, span, args, **kw)
        want = _reference_emit(self, rule, span, args, suggestion=kw.get("suggestion"))
        assert (f.message, f.message_en, f.suggestion, f.suggestion_en) == want, rule.id
        src = self._Ctx__src
        if args:
            kinds[src.raw is None or src.raw == src.text] += 1
        return f

    _lint_corpus_with_emit(monkeypatch, both)
    assert kinds[True] > 20 and kinds[False] > 20
    # a piece that the report writes otherwise comes back as written; one as written is itself
    import dataclasses
    rule = dataclasses.replace(load_rules().rules[0], message="找到“{found}”", message_en="found “{found}”",
                               suggestion=None, suggestion_en=None)
    report = lint_path(str(REPORTS[0])).report
    src = SourceText.from_original("甲：臺灣ab")
    src.raw, src.text = "甲：臺灣ab", "甲:台湾ab"
    changed = K.Ctx(_with_source(report, src))
    assert "臺灣" in changed.emit(rule, (2, 4), {"found": "台湾"}).message
    assert "台湾" in changed.emit(rule, (2, 4), {"found": K.Plain("台湾")}).message
    as_written = SourceText.from_original("甲:台湾ab")
    as_written.raw = as_written.text
    assert "台湾" in K.Ctx(_with_source(report, as_written)).emit(rule, (2, 4), {"found": "台湾"}).message


def _with_source(report, src):
    import copy
    r = copy.copy(report)
    r.source = src
    return r


def test_the_sentences_are_the_pieces_between_the_stops_as_a_regex_split_gives():
    import random
    import re
    from validator.textutil import sentences
    stops = re.compile("[。；;\n]")
    texts = corpus_texts() + ["", "。", "；;\n。", "甲。乙；丙;丁\n戊", "。。甲；；乙\n\n", "甲\r\n乙", "；甲", "甲;"]
    rnd = random.Random(15)
    texts += ["".join(rnd.choice("。；;\n甲乙 \r，") for _ in range(rnd.randint(0, 12))) for _ in range(2000)]
    for text in texts:
        assert sentences(text) == list(filter(None, stops.split(text)))


def test_a_column_or_row_without_a_non_zero_number_never_fails_an_equation():
    """run_equation decides only the columns (rows) that hold a non-zero number when the
    equation holds with every name 0: the others fail nowhere on real reports either."""
    from validator.expr import compile_expr
    from validator.rules.kinds.tables import _Census
    from validator.tablemath import holds_at_zero
    left_out = 0
    for report, rule, spec, table, keys in equation_cases():
        for_each = rule.params["for_each"]
        expr = rule.compiled
        assert holds_at_zero(expr), rule.id       # the shipped equations: sums, 0 == 0
        census = _Census(table)
        numbered = census.number_columns() if for_each == "column" else census.number_rows()
        kept = [k for k in keys if k in numbered]
        assert PlainValues(table, spec).failing(expr, for_each, kept) == \
            PlainValues(table, spec).failing(expr, for_each, keys), (report.source.path, rule.id)
        left_out += len(keys) - len(kept)
    assert left_out > 100
    # an equation that does not hold at zero is decided everywhere
    for text, want in (("本年新收 + 1 == 办理结果总计", False), ("本年新收 < 办理结果总计", False),
                       ("本年新收 <= 办理结果总计", True), ("本年新收 - 2 + 2 == 办理结果总计", True),
                       ("0 - 本年新收 == 办理结果总计", True), ("本年新收", False)):
        assert holds_at_zero(compile_expr(text)) is want, text


_TABLE4 = """
四、政府信息公开行政复议、行政诉讼情况
| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| 0 | {a} | 0 | 0 | {a} | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def test_a_quantity_the_tables_give_nothing_to_compare_with_is_not_looked_for(monkeypatch):
    """prose_numbers reads what the tables give each quantity once per run (text._table_side)
    and does not look for the phrases of a “none” (says_zero) whose total is not above 0: such
    a quantity has no finding whatever the prose says.  The findings equal the long way's
    (every quantity looked for) on the corpus and on a text made for it; a quantity with a
    pattern of the timed engine is looked for anyway."""
    from validator.lint import lint_source
    from validator.rules.kinds import text as T
    from validator.source import SourceText
    rules = RuleSet([r for r in load_rules().rules if r.kind == "prose_numbers" and not r.relations])
    assert {r.id for r in rules.rules} >= {"C301", "C303", "C304"}
    skipped = []
    real_matches, untimed = T._matches, T._untimed

    def matches(rule, ctx, skip=()):
        skipped.extend(skip)
        return real_matches(rule, ctx, skip)

    def findings(texts):
        return [[(f.rule, f.line, f.col, f.message, f.related) for f in
                 lint_source(SourceText.from_original(t), Options(), rules).findings] for t in texts]

    said = "2023年政府信息公开工作年度报告\n一、总体情况\n2023年，未发生因政府信息公开申请行政复议的情况。\n"
    texts = corpus_texts() + [said + _TABLE4.format(a=0), said + _TABLE4.format(a=2)]
    monkeypatch.setattr(T, "_matches", matches)
    short = findings(texts)
    assert len(skipped) > 10
    monkeypatch.setattr(T, "_untimed", lambda q: False)     # the long way: nothing skipped
    skipped.clear()
    assert findings(texts) == short and not skipped
    # the text made for it: a zero total says nothing against “未发生…行政复议”, a total of 2 does
    assert [f[0] for f in short[-2]] == [] and [f[0] for f in short[-1]] == ["C304"]
    # a pattern of the timed engine keeps its quantity looked for (its timeouts are reported)
    q = next(q for r in rules.rules for q in r.params["quantities"] if q["says_zero"] is not None)
    assert untimed(q)
    assert not untimed({**q, "not_followed": q["not_followed"] + [compile_safe(r"(?<=甲)乙")]})


def test_an_equation_names_the_term_to_fix_in_a_text_that_shows_it():
    """run_equation works out {fix_en} only for a rule whose texts show it (no shipped rule
    does): a rule that does shows the term's short name in English, as before."""
    from dataclasses import replace
    shipped = next(r for r in load_rules().rules if r.id == "A301")
    shows = replace(shipped, message="{fix}", message_en="{fix} / {fix_en}", suggestion=None, suggestion_en=None)
    seen = 0
    for p in REPORTS:
        res = lint_path(str(p), Options(), RuleSet([shows]))
        spec = res.report.format.table("表三") if res.report.format is not None else None
        for f in res.findings:
            assert f.message == "结转下年度"
            assert f.message_en == f"{spec.short_name('结转下年度')} / {spec.short_name('结转下年度')}"
            seen += 1
    assert seen >= 1


def test_blank_cells_get_english_arguments_only_where_a_text_reads_them():
    """F502 (cells, find: blank) makes a blank cell's English arguments ({cell_en},
    {implied_en}) only for an English output, or for a rule whose Chinese text names them: the
    Chinese findings are those of making every argument, and a Chinese text that names an
    English argument still shows it."""
    from dataclasses import replace
    shipped = next(r for r in load_rules().rules if r.id == "F502")
    reads_en = replace(shipped, message="{cell}|{cell_en}|{implied_en}", suggestion=None)
    seen = implied = 0
    for p in REPORTS:
        zh = lint_path(str(p), Options(english=False), RuleSet([shipped, reads_en])).findings
        both = lint_path(str(p), Options(english=True), RuleSet([shipped, reads_en])).findings
        assert [(f.rule, f.line, f.col, f.message) for f in zh] == [(f.rule, f.line, f.col, f.message) for f in both]
        assert all(f.message_en is None for f in zh) and all(f.message_en for f in both)
        for f, g in zip(zh, both):
            if f.message.count("|") == 2:           # the rule whose Chinese names the English
                cell, cell_en, implied_en = f.message.split("|")
                assert cell_en and cell_en in g.message_en and "“" in cell_en
                implied += bool(implied_en)
            seen += 1
    assert seen >= 50 and implied >= 1


# reports whose 表三 (one group) has one blank cell (it stays on its own), two (folded), and two
# of which a directive suppresses one (the group it leaves has one member)
_BLANKS = ("2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
           "| 一、本年新收政府信息公开申请数量 | 38 | 0 | 0 | 0 | | 0 | 38 |\n")
_BLANKS_MANY = _BLANKS.replace("| 38 | 0 | 0 | 0 | | 0 | 38 |", "| 38 | | 0 | 0 | | 0 | 38 |")
_BLANKS_SUPPRESSED = _BLANKS + ("# xxgk-lint: disable-next-line=F502\n"
                                "| 二、上年结转政府信息公开申请数量 | 1 | 0 | | 0 | 0 | 0 | 1 |\n")


def _checked_as_folded(tmp_path, english: bool):
    """(each report's findings from check_one folding them, the same from a run that made every
    text and place, folded and dropped as LiteResult.of does) as dicts."""
    from validator.runner import LiteResult, check_one
    rules = load_rules()
    paths = [str(p) for p in REPORTS]
    for i, text in enumerate((_BLANKS, _BLANKS_MANY, _BLANKS_SUPPRESSED)):
        (tmp_path / f"b{i}.txt").write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / f"b{i}.txt"))
    got, want = [], []
    for p in paths:
        opts = Options(english=english)
        lean = check_one((p, opts, False, False, False, True))
        whole = LiteResult.of(lint_path(p, Options(english=english), rules), False, related=False, fold=rules)
        got.append([f.to_dict() for f in lean.findings])
        want.append([f.to_dict() for f in whole.findings])
        assert not opts.fold and opts.related     # the caller's options are left as they were
        assert not any(f.__dict__.get("texts_later") for f in lean.findings)
    return got, want


@pytest.mark.parametrize("english", [False, True])
def test_a_run_that_folds_gives_the_findings_of_a_run_that_makes_every_text_and_place(tmp_path, english):
    got, want = _checked_as_folded(tmp_path, english)
    assert got == want
    flat = [d for fs in want for d in fs if d["rule"] == "F502"]
    assert [d["message"][:9] for d in flat[-3:]] == ["表三「一、本年新收", "表三有2个空白单元", "表三「一、本年新收"]


def test_a_run_that_folds_puts_off_the_texts_of_a_group_member_only(tmp_path):
    """Options.fold: the texts of a finding of a rule that folds, in a group, wait for the fold
    (with the arguments as they were given: a kind may change its dict afterwards); any other
    finding has its texts at once.  Options.related=False: no related place is made."""
    from validator.findings import made_texts
    p = tmp_path / "b.txt"
    p.write_text(_BLANKS_MANY, encoding="utf-8")
    report = lint_path(str(p)).report
    rules = load_rules()
    blank, eq = rules.by_id("F502"), rules.by_id("A301")
    ctx = K.Ctx(report, fold=True, related=False)
    args = {"cell": "表三「甲」行", "implied": ""}
    f = ctx.emit(blank, (0, 1), args, group="表三", related=[(0, 2)])
    args["cell"] = "别处"
    assert f.message is None and f.related == []
    assert made_texts(f).message == "表三「甲」行是空白：没有发生的应填0，不要留空" and "texts_later" not in f.__dict__
    assert made_texts(f).message.startswith("表三「甲」行")        # a second call changes nothing
    alone = ctx.emit(blank, (0, 1), args)                             # no group: nothing to fold
    assert alone.message.startswith("别处")
    other = ctx.emit(eq, (0, 1), {}, group="x")                      # a rule that never folds
    assert other.message is not None and not eq.folds and blank.folds
    kept = K.Ctx(report).emit(blank, (0, 1), args, group="表三", related=[(0, 2)])
    assert kept.message.startswith("别处") and len(kept.related) == 1
