"""Shortcuts of the rules stage in making a finding's place and texts (issue 15, eighth round)
give what the long way gives:

* SourceText.quote answers a piece found nowhere near from the characters the text lacks (one
  look per character and report) and remembers pieces found nowhere — the quotes equal those
  of the two searches (near, then the whole text) on real reports and on edge cases;
* SourceText.location writes a Location's fields into a new instance directly — equal to the
  record made by its ``__init__``, the same fields in the same order, frozen, hashable;
* the model view reads its report from its slot (no call per attribute), and a view without a
  report says so instead of recursing;
* a shipped pattern the ``regex`` module runs is tried at its anchors where they are up to
  one in 32 characters — the matches are the engine's scan's;
* Stream.sentence looks for each stop only up to the nearest found so far — the bounds are
  those of looking for every stop through the whole stream;
* SafePattern.search and finditer check the required literals themselves, and from a position
  without copying the rest of the text — as _absent on text[pos:] answers;
* the cells kind (find: values) works out only what a number's column asks — the findings are
  those of checking each problem in turn;
* prose_numbers makes the streams of a list of sections once per rule run, not once per
  quantity — the phrases' matches are the same.
"""

from __future__ import annotations

import pickle
import random
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from validator.lint import lint_path
from validator.rules import kinds as K
from validator.source import Location, SourceText

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REPORTS = sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))


def _quote_long_way(src: SourceText, text: str, near: int = 0) -> str:
    """SourceText.quote as it was: the occurrence in the window around ``near``, else the first
    in the whole text, else the piece itself."""
    if src.raw is None or not text or src.raw == src.text:
        return text
    lo = max(0, near - 400)
    i = src.text.find(text, lo, near + 400 + len(text))
    if i < 0:
        i = src.text.find(text)
        if i < 0:
            return text
    return src.raw[i:i + len(text)]


def _sources() -> list[SourceText]:
    out = []
    for p in REPORTS:
        src = lint_path(str(p)).source
        if src is not None and src.raw is not None and src.raw != src.text:
            out.append(src)
    assert len(out) >= 3, "the corpus has reports whose normalisation changed characters"
    return out


def test_quotes_equal_the_two_searches_on_real_reports():
    rnd = random.Random(8)
    labels = ["表三「自然人」行「总计」列", "表三", "自然人", "其他需要报告的事项", "（一）", "(一)", ",", "，", "開", "开",
              "政府信息公开", "收费", "「", "」", "年度报告", "2019", "x", "\x00"]
    for src in _sources():
        t = src.text
        pieces = list(labels)
        for _ in range(150):
            a = rnd.randrange(len(t))
            pieces.append(t[a:a + rnd.randint(1, 12)])
        for _ in range(3):          # asked again: from what quote() remembered of the text
            for piece in pieces:
                near = rnd.randrange(len(t) + 1)
                assert src.quote(piece, near) == _quote_long_way(src, piece, near), (piece, near)


def test_the_changed_characters_normalisation_records_cover_every_change():
    """normalize() records the characters the text has in place of others (quote() gives back
    a piece with none of them as it is): on real reports, with CR line ends and with
    traditional script (whose changes are not recorded), each quote is the long way's."""
    from validator.normalize import normalize_source
    texts = [p.read_text(encoding="utf-8") for p in REPORTS[:12]]
    texts += [texts[0].replace("\n", "\r\n"), texts[1].replace("\n", "\r"), "這個們來時國為與說對會學，（一）\r\n開"]
    recorded = 0
    for t in texts:
        src = normalize_source(SourceText.from_original(t))
        raw = src.raw
        differing = {b for a, b in zip(raw, src.text) if a != b}
        if src._changed is not None:
            recorded += 1
            assert src._changed[0] is raw and differing <= src._changed[1]
        rnd = random.Random(len(t))
        for _ in range(300):
            a = rnd.randrange(len(t))
            piece, near = src.text[a:a + rnd.randint(1, 10)], rnd.randrange(len(t) + 1)
            assert src.quote(piece, near) == _quote_long_way(src, piece, near), (piece, near)
    assert recorded >= 12
    # raw set again (a packed model's): the record is not raw's, so the pieces are looked for
    src = normalize_source(SourceText.from_original("甲，乙"))
    src.raw = "甲,丙"
    assert src.quote("乙", 2) == "丙" and src.quote("甲", 0) == "甲"


def test_quotes_equal_the_two_searches_on_edge_cases():
    src = SourceText.from_original("甲,乙(丙):丁\n" + "空" * 900 + "戊,己")
    src.raw = "甲，乙（丙）：丁\n" + "空" * 900 + "戊，己"
    for piece in ["甲,乙", "戊,己", ",", "(丙)", "乙(丙):丁", "庚", "甲,庚", "戊,", ",己", "空,", "丁\n空", "己", "甲"]:
        for near in (0, 5, 450, 905, 911, 2000):
            for _ in range(2):
                assert src.quote(piece, near) == _quote_long_way(src, piece, near), (piece, near)
    # a piece found nowhere is remembered as such; its characters are remembered either way
    assert src.quote("甲,庚", 0) == "甲,庚"
    assert src._holds["甲,庚"] is False and src._holds["庚"] is False and src._holds["甲"] is True
    # every character there but not the piece: the whole text is searched (and the answer kept)
    assert src.quote("乙甲", 0) == "乙甲" and src._holds["乙甲"] is False
    assert src.quote("", 3) == ""
    same = SourceText.from_original("a,b")
    same.raw = same.text
    assert same.quote(",", 1) == ","


def test_a_location_of_the_source_map_is_the_record_its_init_makes():
    rnd = random.Random(9)
    for p in REPORTS[:6]:
        src = lint_path(str(p)).source
        n = len(src.text)
        for _ in range(100):
            a = rnd.randint(-2, n + 2)
            loc = src.location(a, rnd.choice([None, a + rnd.randint(-2, 30)]))
            ref = Location(loc.line, loc.column, loc.end_line, loc.end_column, loc.page, loc.where)
            assert type(loc) is Location
            assert loc == ref and hash(loc) == hash(ref) and repr(loc) == repr(ref)
            assert list(vars(loc).items()) == list(vars(ref).items())
            assert pickle.loads(pickle.dumps(loc)) == loc
    with pytest.raises(FrozenInstanceError):
        loc.line = 3
    # a map that is not the identity (a reader's source map) makes the same records
    t = "ab\n中c"
    fast = SourceText.from_original(t)
    slow = SourceText(t, list(fast._lines[0:len(t) + 1]), list(fast._cols[0:len(t) + 1]))
    for a in range(-1, len(t) + 2):
        for b in (None, a, a + 1, a + 3):
            x, y = fast.location(a, b), slow.location(a, b)
            assert x == y and list(vars(x).items()) == list(vars(y).items())


def test_a_model_view_reads_its_slot_and_without_a_report_raises_attribute_error():
    report = lint_path(str(REPORTS[0])).report
    view = K.ModelView(report)
    assert view.sections is report.sections
    with pytest.raises(AttributeError):
        view.source
    with pytest.raises(AttributeError, match="no attribute"):
        view.no_such_attribute
    empty = object.__new__(K.ModelView)
    with pytest.raises(AttributeError):
        empty.tables                    # not a RecursionError


def test_a_pattern_of_the_regex_module_is_tried_at_more_anchors_and_finds_what_the_scan_finds(monkeypatch):
    from validator import saferegex as S
    with S.trusted_patterns():
        pat = S.compile_safe(r"\p{Han}(?P<gap>[ \t]+)(?P<unit>余件|条|件)(?:[,，。]|$)")
    assert pat._compiled.__class__ is not S._RE_PATTERN        # \p{Han}: the `regex` module's
    tried = []
    real = S.SafePattern._anchored      # with its `re` sieve: tried only where that matches

    def spy(self, text, places, offset, sieve=None, width=0):
        tried.append(len(places))
        return real(self, text, places, offset, sieve, width)

    monkeypatch.setattr(S.SafePattern, "_anchored", spy)
    rnd = random.Random(10)
    for _ in range(300):
        # about one space in 40 characters: more than one in 256, fewer than one in 32
        t = "".join(rnd.choice("甲乙丙丁戊己庚辛壬癸条件余，。") if rnd.random() > 0.025 else " " for _ in range(400))
        want = [(m.span(), m.groups()) for m in pat._compiled.finditer(t)]
        assert [(m.span(), m.groups()) for m in pat.finditer(t)] == want
    assert tried and max(tried) > 400 >> S._FEW_ANCHORS


def _sentence_long_way(text: str, a: int, b: int, stops: str = "。；;\n!！?？") -> tuple[int, int]:
    """Stream.sentence as it was: every stop looked for through the whole stream."""
    s = max(text.rfind(ch, 0, a) for ch in stops) + 1
    ends = [k for k in (text.find(ch, b) for ch in stops) if k >= 0]
    return s, (min(ends) if ends else len(text))


def test_a_sentence_is_bounded_where_looking_for_every_stop_everywhere_bounds_it():
    from validator.prose import Stream
    rnd = random.Random(11)
    streams = []
    for p in REPORTS[:8]:
        report = lint_path(str(p)).report
        streams += report.prose.streams("prose")
    streams += [Stream(t, None) for t in ("", "。", "甲", "甲。乙；丙\n丁!戊？", "!!??；；")]
    for _ in range(300):
        streams.append(Stream("".join(rnd.choice("甲乙。；;\n!！?？ ") for _ in range(rnd.randint(0, 30))), None))
    for st in streams:
        t = st.text
        n = len(t)
        for _ in range(40):
            a = rnd.randint(-3, n + 3)
            b = rnd.randint(a - 2, n + 3)
            assert st.sentence(a, b) == _sentence_long_way(t, a, b), (t, a, b)
            assert st.sentence(a, b, "。") == _sentence_long_way(t, a, b, "。")


def _patterns(value, out):
    from validator.saferegex import SafePattern
    if isinstance(value, SafePattern):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _patterns(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _patterns(v, out)
    return out


def test_every_shipped_pattern_finds_on_the_streams_what_its_engine_finds():
    """SafePattern.finditer (required literals written out, first characters, anchors with the
    limits of either engine) against the compiled pattern's own scan, on the corpus reports'
    streams and whole texts."""
    from validator.rules import load_rules
    pats = []
    for rule in load_rules().rules:
        _patterns(rule.params, pats)
    pats = [p for p in pats if p.engine == "trusted"]
    assert len(pats) > 50
    texts = []
    for p in REPORTS[:10]:
        report = lint_path(str(p)).report
        texts += [st.text for st in report.prose.streams("prose")] + [report.prose.whole.text]
    for pat in pats:
        for t in texts:
            assert [(m.span(), m.groups()) for m in pat.finditer(t)] == \
                   [(m.span(), m.groups()) for m in pat._compiled.finditer(t)], pat.pattern


def test_required_literals_from_a_position_are_looked_for_as_in_the_text_from_there():
    from validator.saferegex import _absent
    rnd = random.Random(12)
    for _ in range(3000):
        t = "".join(rnd.choice("甲乙丙ab") for _ in range(rnd.randint(0, 12)))
        req = tuple(tuple("".join(rnd.choice("甲乙丙ab") for _ in range(rnd.randint(0, 2)))
                          for _ in range(rnd.randint(1, 3))) for _ in range(rnd.randint(0, 3)))
        pos = rnd.randint(-14, 14)
        want = any(not any(a in t[pos:] for a in alts) for alts in req)
        assert _absent(req, t, pos) is want, (req, t, pos)
    from validator.saferegex import SafePattern
    pat = SafePattern("收到(?:申请|来信)\\s*(?P<n>\\d+)\\s*件", "trusted")
    for text in ("收到申请 5 件", "本年度没有相关内容。", "收到来信3件，收到申请 12 件"):
        for pos in (0, 1, 3, 8, 30):
            want = pat._compiled.search(text, pos)
            got = pat.search(text, pos)
            assert (got and got.span()) == (want and want.span()), (text, pos)


def _values_long_way(rule, ctx, key, table, spec):
    """kinds.tables._values as it was: every number checked for each problem in turn."""
    from validator.model import ValueKind
    from validator.rules.kinds import plain_row_name
    from validator.rules.kinds.tables import _cell_en, _cell_zh
    for row in table.rows.values():
        for col, cell in row.cells.items():
            problem = problem_en = None
            kind = cell.kind
            if kind == ValueKind.TEXT:
                problem, problem_en = "不是数字", "not a number"
            elif kind in (ValueKind.NUMBER, ValueKind.ZERO):
                kind = spec.value_kinds.get(col, "count")
                v = cell.value
                if kind == "count" and v != v.to_integral_value():
                    problem, problem_en = "件数不应有小数", "a count has no decimals"
                elif kind in ("count", "amount") and v < 0:
                    problem, problem_en = "不应为负数", "must not be negative"
                elif kind == "count" and cell.raw[:1] in "增减+":
                    problem, problem_en = "件数不应带“增/减”", "a count carries no “增/减”"
            if problem:
                name = plain_row_name(spec, row.key)
                col_name = spec.column_display(col)
                yield ctx.emit(rule, cell.span, {"table": key, "row": name or "", "column": col_name,
                                                 "value": cell.raw, "problem": problem, "problem_en": problem_en,
                                                 "cell": _cell_zh(key, name, col_name),
                                                 "cell_en": _cell_en(key, name, col_name)},
                               table=key, row=name, column=col_name)


def test_cell_values_are_reported_as_checking_each_problem_in_turn_reports_them():
    import copy
    from decimal import Decimal
    from validator.model import ValueKind
    from validator.rules import load_rules
    from validator.rules.kinds.tables import _values
    rule = next(r for r in load_rules().rules if r.kind == "cells" and r.params["find"] == "values")
    odd = [("12", ValueKind.NUMBER, Decimal(12)), ("1.5", ValueKind.NUMBER, Decimal("1.5")),
           ("-3", ValueKind.NUMBER, Decimal(-3)), ("增2", ValueKind.NUMBER, Decimal(2)), ("+0", ValueKind.ZERO, Decimal(0)),
           ("-0", ValueKind.ZERO, Decimal("-0")), ("2.0", ValueKind.NUMBER, Decimal("2.0")), ("约", ValueKind.TEXT, None),
           ("", ValueKind.BLANK, None), ("—", ValueKind.NA, None), ("-1.25", ValueKind.NUMBER, Decimal("-1.25"))]
    compared = 0
    rnd = random.Random(13)
    for p in REPORTS:
        report = lint_path(str(p)).report
        if report is None or report.format is None or not report.tables:
            continue
        report = copy.deepcopy(report)
        # some cells made odd, in every kind of column (count, amount, signed …)
        for table in report.tables.values():
            for row in table.rows.values():
                for cell in row.cells.values():
                    if rnd.random() < 0.3:
                        cell.raw, cell.kind, cell.value = rnd.choice(odd)
        ctx_a, ctx_b = K.Ctx(report), K.Ctx(report)
        for key, table, spec in ctx_a.tables_with_spec():
            new = [f.to_dict() for f in _values(rule, ctx_a, key, table, spec)]
            old = [f.to_dict() for f in _values_long_way(rule, ctx_b, key, table, spec)]
            assert new == old
            compared += len(old)
    assert compared > 50


def test_the_phrases_of_quantities_are_matched_as_with_the_streams_made_for_each_quantity():
    from validator.rules import load_rules
    from validator.rules.kinds.text import _matches, finditer, live, search

    def long_way(rule, ctx):
        default = rule.params["sections"] or None
        for q in rule.params["quantities"]:
            streams = ctx.report.prose.streams("prose", q["sections"] or default)
            for st in streams:
                for pat in live(ctx, streams, q["phrases"]):
                    for m in finditer(pat, st.text):
                        a, b = st.sentence(m.start(), m.end())
                        sentence = st.text[a:b]
                        if q["sentence"] and not all(search(s, sentence) for s in q["sentence"]) \
                                and not (q["in_sections"] and st.section is not None and st.section.key in q["in_sections"]):
                            continue
                        if q["not_after"] and any(search(x, st.text[a:m.start()]) for x in q["not_after"]):
                            continue
                        yield q, st, pat, m, (a, b)

    rules = [r for r in load_rules().rules if r.kind == "prose_numbers"]
    assert rules
    found = 0
    for p in REPORTS:
        report = lint_path(str(p)).report
        if report is None:
            continue
        for rule in rules:
            new = [(q["name"], id(st), pat.pattern, m.span(), sb) for q, st, pat, m, sb in _matches(rule, K.Ctx(report))]
            old = [(q["name"], id(st), pat.pattern, m.span(), sb) for q, st, pat, m, sb in long_way(rule, K.Ctx(report))]
            assert new == old
            found += len(old)
    assert found > 20


def test_a_source_packed_before_quotes_were_remembered_still_quotes():
    """A model packed by an earlier version (kept in an audit database) has no ``_holds``:
    quoting from it works as from a new one."""
    src = SourceText.from_original("全角，文字。", path="x")
    src.raw = "全角,文字."
    old = pickle.loads(pickle.dumps(src))
    del old._holds
    assert [old.quote(t, 2) for t in ("，文字", "不在", "，文字")] == [",文字", "不在", ",文字"]
