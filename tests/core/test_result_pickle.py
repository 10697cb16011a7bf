"""What the main process pays for each checked file (issue 15):

* a finding and its places cross the workers' pipes as their ``__init__``'s arguments
  (records.reduce_by_init), not as a dict of fields: what comes back equals what the default
  pickle gives back — the same class, the same fields in the same order, the same attributes set
  after the finding was made — on the findings of the real corpus (folded ones too) and on
  edge cases (a frozen place with an extra attribute, a subclass, a field with ``init=False``);
* a record whose dict holds its ``__init__`` fields in order gives the dict's values as the
  arguments (one C call); a dict in another order, or with more in it, takes the field-by-field
  way — and the pickler reaches reduce_by_init through ``copyreg``'s table for findings and
  places (records.pickle_by_init), as ``copy.copy`` does;
* a rule is looked up by id once per id and rule list (RuleSet.by_id): the answer is the
  scan's for every id, name, lower-case id and unknown code, and a changed rule list is seen;
* check freezes the results before the collector is on again for the output (cli._resume_gc)
  and thaws them when done, leaving a caller's freeze alone.
"""

from __future__ import annotations

import copy
import copyreg
import pickle
from dataclasses import field
from decimal import Decimal
from pathlib import Path

import pytest

from validator.findings import Finding, RelatedLocation
from validator.lint import lint_path
from validator.records import record, reduce_by_init
from validator.reporters.fold import fold
from validator.rules import RuleSet, load_rules
from validator.source import Location

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REPORTS = sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))


def _plain(obj):
    """What the default pickle gives back: a new instance whose dict is the old one's, field by
    field (recursively for the records inside, which take the same route)."""
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    if isinstance(obj, tuple):
        return tuple(_plain(x) for x in obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (Finding, Location)):
        new = copyreg.__newobj__(type(obj))       # what object.__reduce_ex__(2) names
        new.__dict__.update({k: _plain(v) for k, v in vars(obj).items()})
        return new
    return obj


def _same(a, b) -> None:
    """Equal, and of the same classes with the same attributes in the same order, all the way down."""
    assert type(a) is type(b)
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        assert list(vars(a)) == list(vars(b))
        for k in vars(a):
            _same(vars(a)[k], vars(b)[k])
    else:
        assert a == b


def _round_trip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _corpus_findings():
    out = []
    rules = load_rules()
    for p in REPORTS:
        res = lint_path(str(p))
        out.extend(res.findings)
        out.extend(f for f in fold(list(res.findings), rules) if f.cells)   # folded ones too
    assert len(out) > 50
    return out


def test_corpus_findings_come_back_as_the_default_pickle_gives_them():
    found = _corpus_findings()
    assert any(f.cells for f in found) and any(f.related for f in found) and any(f.numbers for f in found)
    for f in found:
        _same(_round_trip(f), _plain(f))
        _same(_round_trip(f), f)


def test_one_pickle_keeps_shared_places_shared():
    loc = Location(3, 4, 3, 9)
    a = Finding("A101", "structure", "error", "m", "p.txt", loc)
    b = Finding("A102", "structure", "error", "n", "p.txt", loc, related=[loc])
    a2, b2 = _round_trip([a, b])
    assert a2.location is b2.location is b2.related[0]


def test_attributes_set_after_the_finding_was_made_come_back():
    f = Finding("A101", "content", "warning", "m", "p.txt", Location(1, 2, page=3, where="第3页"),
                numbers={"lhs": Decimal("1.5")}, related=[RelatedLocation(7, 1, path="上年.txt", label="x")])
    f.excerpt = "原文一行"
    f.span = None
    g = _round_trip(f)
    _same(g, _plain(f))
    assert g.excerpt == "原文一行"
    assert reduce_by_init(f)[2] == {"excerpt": "原文一行"}
    assert len(reduce_by_init(Finding("A101", "content", "warning", "m", "p.txt", Location(1, 1)))) == 2


def test_a_frozen_place_with_an_extra_attribute_and_a_subclass():
    loc = Location(1, 2)
    object.__setattr__(loc, "note", "n")
    back = _round_trip(loc)
    _same(back, _plain(loc))
    assert back.note == "n" and hash(back) == hash(Location(1, 2))
    rel = RelatedLocation(5, 6, 5, 8, None, "表三", "b.txt", "label")
    _same(_round_trip(rel), _plain(rel))
    assert type(_round_trip(rel)) is RelatedLocation


def test_the_arguments_are_the_fields_in_order_whatever_order_the_dict_has():
    from validator.records import pickle_by_init  # noqa: F401 - the tables it fills
    for cls in (Finding, Location, RelatedLocation):
        assert copyreg.dispatch_table[cls] is reduce_by_init
    f = Finding("A101", "content", "warning", "m", "p.txt", Location(1, 2), section="一、总体情况")
    fields = Finding.__record_args__(f)
    assert reduce_by_init(f) == (Finding, fields)
    del f.message                 # the dict's order changes: message comes last
    f.message = "m"
    assert list(vars(f))[-1] == "message"
    assert reduce_by_init(f) == (Finding, fields)
    _same(_round_trip(f), Finding(*fields))     # made again by __init__: the fields in order
    loc = Location(3, 4, 3, 9, 2, "第2页")
    assert reduce_by_init(loc) == (Location, (3, 4, 3, 9, 2, "第2页"))
    g = copy.copy(f)
    assert type(g) is Finding and vars(g) == vars(f) and g.location is f.location
    for found in _corpus_findings():
        assert reduce_by_init(found)[1] == type(found).__record_args__(found)


@record
class _WithHidden:
    a: int
    b: list = field(default_factory=list)
    hidden: int = field(default=0, init=False)

    __reduce__ = reduce_by_init


def test_a_field_outside_init_comes_back_as_state():
    x = _WithHidden(1, [2])
    x.hidden = 5
    y = _round_trip(x)
    assert (y.a, y.b, y.hidden) == (1, [2], 5)
    assert list(vars(y)) == list(vars(x))


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_by_id_answers_as_the_scan(rules):
    codes = [r.id for r in rules.rules] + [r.name for r in rules.rules] + [r.id.lower() for r in rules.rules]
    codes += ["Z999", "", "no-such-rule", rules.rules[0].name.upper()]
    for code in codes + codes:   # the second time from what was kept
        assert rules.by_id(code) is rules._scan(code)


def test_by_id_sees_a_changed_rule_list(rules):
    rs = RuleSet(list(rules.rules))
    first = rs.rules[0]
    assert rs.by_id(first.id) is first
    rs.rules.remove(first)
    assert rs.by_id(first.id) is None
    rs.rules.append(first)
    assert rs.by_id(first.id) is first
    other = rs.rules[0]
    rs.rules[0] = first          # the same length, another rule in front
    assert rs.by_id(first.name) is first and rs.by_id(other.id) is rs._scan(other.id)


@pytest.mark.parametrize("outer", [False, True])
def test_check_freezes_the_results_for_its_output_only(outer, capsys):
    """check freezes what it holds once the files are checked (the output's allocations need not
    walk every result) and thaws it when done — not a freeze of a caller's, which stays."""
    import gc

    from validator.cli import main
    seen = []
    real_freeze = gc.freeze

    def spy():
        seen.append(gc.isenabled())
        real_freeze()
    if outer:
        gc.freeze()
    before = gc.get_freeze_count()
    gc.freeze, saved = spy, gc.freeze
    try:
        main(["check", "-o", "concise", "--exit-zero", "--no-cross", str(REPORTS[0]), str(REPORTS[1])])
    finally:
        gc.freeze = saved
        after = gc.get_freeze_count()
        if outer:
            gc.unfreeze()
    assert gc.isenabled()
    assert seen == ([] if outer else [False])        # once, before the collector is on again
    assert (after > 0) if outer else (after == before == 0)
    assert capsys.readouterr().out.strip()
