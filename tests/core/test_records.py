"""``@record`` (validator/records.py) behaves as ``@dataclass`` — same ``__init__``, same repr
text, same equality, not hashable unless frozen, frozen ones refuse assignment, own methods
kept — without compiling any method per class (issue 15.4); the data classes of the pipeline
are records, and their ``__init__`` is the one generated in validator/_record_inits.py."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from pathlib import Path

from validator.records import record

ROOT = Path(__file__).resolve().parents[2]


@record(frozen=True)
class _Frozen:
    n: int
    s: str = ""


def _pair(**options):
    def body():
        class Point:
            """A point."""
            x: int
            y: int = 0
            tags: list = field(default_factory=list)
            secret: str = field(default="s", repr=False, compare=False)
        return Point
    return dataclass(body(), **options), record(body(), **options)


@pytest.mark.parametrize("options", [{}, {"slots": True}, {"kw_only": True}])
def test_a_record_reads_compares_and_prints_like_a_dataclass(options):
    D, R = _pair(**options)
    args = dict(x=1, y=2, tags=["a"], secret="p")
    d, r = D(**args), R(**args)
    assert repr(r) == repr(d) == "_pair.<locals>.body.<locals>.Point(x=1, y=2, tags=['a'])"
    assert r == R(**{**args, "secret": "other"})           # compare=False is not compared
    assert r != R(**{**args, "y": 3})
    assert r != d and (r == d) is False                     # another class: never equal
    assert r.__eq__(1) is NotImplemented
    assert R.__hash__ is None and D.__hash__ is None
    with pytest.raises(TypeError):
        hash(r)
    assert [f.name for f in dataclasses.fields(r)] == ["x", "y", "tags", "secret"]
    assert dataclasses.replace(r, y=5).y == 5 and dataclasses.asdict(r)["tags"] == ["a"]


def test_methods_a_record_defines_itself_are_kept_and_recursion_is_shown():
    @record
    class Node:
        name: str
        children: list = field(default_factory=list)

        def __eq__(self, other):
            return isinstance(other, Node) and self.name == other.name

        __hash__ = object.__hash__

    a = Node("a")
    a.children.append(a)
    assert repr(a) == "test_methods_a_record_defines_itself_are_kept_and_recursion_is_shown.<locals>.Node(" \
                      "name='a', children=[...])"
    assert a == Node("a", [1]) and hash(a) == object.__hash__(a)


def test_a_record_subclass_compares_its_own_fields():
    @record
    class Base:
        a: int

    @record
    class Sub(Base):
        b: int = 0

    class Plain(Base):
        pass

    assert Sub(1, 2) != Sub(1, 3) and Sub(1, 2) == Sub(1, 2)
    assert Sub(1, 2) != Base(1)
    assert Plain(1) == Plain(1) and Plain(1) != Base(1)
    assert repr(Sub(1, 2)).endswith("Sub(a=1, b=2)")


@pytest.mark.parametrize("option", ["repr", "eq", "order", "unsafe_hash", "init"])
def test_options_that_make_another_kind_of_class_are_refused(option):
    with pytest.raises(TypeError):
        record(**{option: True})


def test_a_frozen_record_hashes_refuses_assignment_and_pickles_like_a_frozen_dataclass():
    D, R = _pair(frozen=True)
    args = dict(x=1, y=2, tags=("a",), secret="p")
    d, r = D(**args), R(**args)
    assert repr(r) == repr(d)
    assert hash(r) == hash(d) == hash((1, 2, ("a",)))        # the compared fields
    assert r == R(**{**args, "secret": "q"}) and {r: 1}[R(**args)] == 1
    for obj in (d, r):
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.x = 5
        with pytest.raises(dataclasses.FrozenInstanceError):
            del obj.y
    here = _Frozen(1, "a")
    assert pickle.loads(pickle.dumps(here)) == here and copy.deepcopy(here) == here
    assert dataclasses.replace(r, x=7).x == 7
    with pytest.raises(TypeError):
        record(frozen=True, slots=True)


def _signature(cls):
    import inspect
    sig = inspect.signature(cls)
    return [(p.name, p.kind, "<factory>" if repr(p.default) == "<factory>" else p.default) for p in sig.parameters.values()]


@pytest.mark.parametrize("options", [{}, {"slots": True}, {"kw_only": True}, {"frozen": True}])
def test_the_generic_init_takes_the_arguments_a_dataclass_takes(options):
    D, R = _pair(**options)
    assert R.__init__.__module__ == "validator.records"      # a class of a test: no generated __init__
    assert _signature(R) == _signature(D) or options.get("kw_only")   # (a generic init takes **kwargs)
    calls = [dict(x=1), dict(x=1, y=2), dict(x=1, tags=[3]), dict(x=1, secret="z")]
    if not options.get("kw_only"):
        calls += [(1,), (1, 2), (1, 2, [3]), (1, 2, [3], "z")]
    for c in calls:
        a, k = ((c, {}) if isinstance(c, tuple) else ((), c))
        d, r = D(*a, **k), R(*a, **k)
        assert [getattr(r, f.name) for f in dataclasses.fields(r)] == [getattr(d, f.name) for f in dataclasses.fields(d)]
    assert R(x=1).tags is not R(x=1).tags                    # a fresh list from the factory each time
    for bad in ((), (1, 2, [], "s", 5)):
        with pytest.raises(TypeError):
            R(*bad)
    with pytest.raises(TypeError):
        R(1, x=2) if not options.get("kw_only") else R(x=1, nope=2)
    with pytest.raises(TypeError):
        R(x=1, nope=2)


def test_a_record_with_a_default_before_a_required_field_is_refused_as_dataclass_refuses_it():
    class Bad:
        a: int = 0
        b: int
    with pytest.raises(TypeError):
        record(Bad)


def _records():
    import importlib.util
    spec = importlib.util.spec_from_file_location("gen_record_inits", ROOT / "scripts" / "gen_record_inits.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def test_the_generated_inits_are_current():
    gen = _records()
    assert (ROOT / "validator" / "_record_inits.py").read_text(encoding="utf-8") == gen.source(), \
        "validator/_record_inits.py is out of date: run python scripts/gen_record_inits.py"


def test_every_record_class_of_the_package_uses_its_generated_init_which_a_dataclass_would_match():
    from validator import _record_inits
    from validator.records import registered
    gen = _records()
    found = gen.all_records()
    assert len(found) >= 60
    for key, (cls, frozen) in found.items():
        assert cls.__init__ is _record_inits.INITS[key][1], key
        twin = dataclasses.make_dataclass(cls.__name__, [(f.name, f.type, f) for f in dataclasses.fields(cls)],
                                          frozen=frozen, kw_only=False)
        if not any(f.kw_only is True for f in dataclasses.fields(cls)):
            assert _signature(cls) == _signature(twin), key
    assert registered()


def test_a_generated_init_fills_defaults_factories_and_post_init():
    from validator.document import Grid, GridCell
    from validator.model import Cell
    from validator.source import Location
    g = Grid(0, 10, [GridCell(0, 0, 0, 1), GridCell(1, 1, 2, 3, rowspan=2)], "pipe")
    assert (g.n_rows, g.n_cols) == (3, 2)                    # set by Grid.__post_init__
    assert g.joined_rows == [] and g.joined_rows is not Grid(0, 1, [], "x").joined_rows
    assert GridCell(0, 0, 0, 1).rowspan == 1
    loc = Location(3, 4)
    assert (loc.end_line, loc.where) == (None, None) and hash(loc) == hash(Location(3, 4))
    with pytest.raises(dataclasses.FrozenInstanceError):
        loc.line = 1
    with pytest.raises(TypeError):
        Cell()


def test_the_pipeline_data_classes_are_records():
    from validator.document import Document, Grid
    from validator.findings import Finding
    from validator.lint import Options, Result
    from validator.model import Cell, Report, Section
    from validator.rules import Rule
    for cls in (Document, Grid, Finding, Options, Result, Cell, Report, Section, Rule):
        assert dataclasses.is_dataclass(cls)
        assert cls.__repr__.__module__ == "validator.records", cls
    opts = Options(lang="en", select=("A301",))
    assert pickle.loads(pickle.dumps(opts)) == opts     # what crosses to the worker processes
    assert repr(opts).startswith("Options(template=None, issuer_kind=None, input_format=None, lang='en'")


def test_every_record_class_of_the_package_has_a_docstring_of_its_own():
    # without one, dataclass() writes "Name(...)" from inspect.signature at import, which for a
    # record (no generated __init__ yet) parses object.__init__'s text signature with tokenize:
    # ~3 ms of every start, and a wrong "Name()" as the class's documentation
    gen = _records()
    missing = [key for key, (cls, _f) in gen.all_records().items()
               if not (cls.__dict__.get("__doc__") or "").strip() or cls.__dict__["__doc__"].startswith(cls.__name__ + "(")]
    assert missing == []
