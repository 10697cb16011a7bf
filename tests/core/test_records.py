"""``@record`` (validator/records.py) behaves as ``@dataclass`` — same ``__init__``, same repr
text, same equality, not hashable, own methods kept — without compiling a ``__repr__`` and an
``__eq__`` per class (issue 15.4); the data classes of the pipeline are records."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from validator.records import record


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


@pytest.mark.parametrize("option", ["repr", "eq", "order", "frozen", "unsafe_hash"])
def test_options_that_make_another_kind_of_class_are_refused(option):
    with pytest.raises(TypeError):
        record(**{option: True})


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
