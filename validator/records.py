"""``@record``: a dataclass that compiles no source code when its module is imported
(issue 15.4).

``dataclasses.dataclass`` writes out and compiles the source of ``__init__``, ``__repr__``,
``__eq__`` (and, frozen, ``__setattr__``, ``__delattr__``, ``__hash__``) for every class when
its module is imported: for the ~60 data classes a cold ``xxgk-lint check`` imports that was
~15 % of its instructions.  A record is made by ``dataclass`` with none of those methods (its
fields, ``fields()``, ``replace()``, ``asdict()``, ``__match_args__`` are dataclass's own), then:

* ``__repr__``, ``__eq__`` — and for ``frozen=True`` ``__setattr__``, ``__delattr__``,
  ``__hash__`` — are shared functions below that do what the generated ones do: the same text
  (``Name(a=1, b='x')``, fields with ``repr=True``, recursion shown as ``...``), equal only to an
  instance of the very same class whose fields with ``compare=True`` are equal, not hashable
  unless frozen (then the hash of those fields), assignment to a frozen record raising
  ``dataclasses.FrozenInstanceError``;
* ``__init__`` is the one written for the class in ``validator/_record_inits.py`` — generated
  by ``scripts/gen_record_inits.py`` from the fields, so its bytecode comes from the module's
  ``.pyc`` like any other code — when that function was generated from the fields the class
  has now (a fingerprint says); default values and factories are the fields' own, bound when
  the class is made.  A class without a current generated function (a record defined in a
  test, or a field changed and the script not run yet) gets :func:`_generic_init`, which does
  the same, more slowly; ``tests/core/test_records.py`` fails while the module is out of date.

A method the class defines itself is kept, as ``dataclass`` does.  Ordered classes or
``unsafe_hash`` stay plain dataclasses.
"""

from __future__ import annotations

import reprlib
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from operator import attrgetter

__all__ = ["record", "HAS_FACTORY", "fingerprint", "registered", "reduce_by_init", "pickle_by_init"]

_REFUSED = ("repr", "eq", "order", "unsafe_hash", "init")


from . import _record_inits as _generated
from ._record_inits import HAS_FACTORY   # the default of a parameter whose field has a default_factory

_REGISTRY: dict[str, type] = {}   # "module.QualName" -> record class (for the generator and the tests)


def registered() -> dict[str, type]:
    """Every record class made so far, by ``module.QualName``."""
    return dict(_REGISTRY)


def key_of(c) -> str:
    return f"{c.__module__}.{c.__qualname__}"


def fingerprint(c, frozen: bool, fs=None) -> str:
    """What the generated ``__init__`` of a class depends on: the order, names and kinds of its
    fields (init, keyword-only, default, factory), ``frozen`` and ``__post_init__``."""
    fs = fields(c) if fs is None else fs
    parts = [f"frozen={bool(frozen)}", f"post_init={hasattr(c, '__post_init__')}"]
    for f in fs:
        parts.append(f"{f.name}:{'i' if f.init else '-'}{'k' if f.kw_only is True else 'p'}"
                     f"{'d' if f.default is not MISSING else ''}{'f' if f.default_factory is not MISSING else ''}")
    return " ".join(parts)


def record(cls=None, /, *, frozen: bool = False, **options):
    """``@record`` or ``@record(frozen=True, slots=True, kw_only=True, …)``: ``@dataclass`` (any
    option but ``repr``, ``eq``, ``order``, ``unsafe_hash``, ``init``) without compiled methods."""
    for name in _REFUSED:
        if name in options:
            raise TypeError(f"record() does not take {name}=: use dataclass for such a class")
    if frozen and options.get("slots"):
        raise TypeError("record(): a frozen record cannot have slots (pickling would assign to it)")

    def wrap(c):
        own = dict(c.__dict__)
        c = dataclass(c, init=False, repr=False, eq=False, **options)
        fs = fields(c)
        c.__record_repr__ = tuple(f.name for f in fs if f.repr)
        c.__record_compare__ = tuple(f.name for f in fs if f.compare)
        c.__record_values__ = _getter(c.__record_compare__)
        init_names = tuple(f.name for f in fs if f.init)
        c.__record_init_names__ = frozenset(init_names)
        c.__record_init_order__ = init_names
        c.__record_args__ = _getter(init_names)
        if "__init__" not in own:
            c.__init__ = _init_for(c, fs, frozen)
        if "__repr__" not in own:
            c.__repr__ = _repr
        if "__eq__" not in own:
            c.__eq__ = _eq
            if "__hash__" not in own:
                # as dataclass(eq=True): mutable, so not hashable; frozen: the hash of the compared fields
                c.__hash__ = _hash if frozen else None
        if frozen:
            c.__record_hash__ = _getter(tuple(f.name for f in fs if (f.compare if f.hash is None else f.hash)))
            c.__setattr__ = _frozen_setattr
            c.__delattr__ = _frozen_delattr
        _REGISTRY[key_of(c)] = c
        return c

    return wrap if cls is None else wrap(cls)


# --------------------------------------------------------------------------------------
# __init__
# --------------------------------------------------------------------------------------
def _check_order(c, fs) -> None:
    seen_default = False
    for f in fs:
        if not f.init or f.kw_only is True:
            continue
        has = f.default is not MISSING or f.default_factory is not MISSING
        if seen_default and not has:
            raise TypeError(f"{c.__qualname__}: non-default argument {f.name!r} follows default argument")
        seen_default = seen_default or has


def _init_for(c, fs, frozen: bool):
    _check_order(c, fs)
    generated = _generated
    key = key_of(c)
    entry = generated.INITS.get(key)
    if entry is None or entry[0] != fingerprint(c, frozen, fs):
        return _generic_init(c, fs, frozen)
    fn = entry[1]
    # the fields' defaults and factories, bound to the generated function
    pos = [f for f in fs if f.init and f.kw_only is not True]
    kw = [f for f in fs if f.init and f.kw_only is True]
    fn.__defaults__ = tuple(_default(f) for f in pos if _has_default(f)) or None
    fn.__kwdefaults__ = {f.name: _default(f) for f in kw if _has_default(f)} or None
    g = fn.__globals__
    for f in fs:
        if f.default_factory is not MISSING:
            g[f"_F_{generated.ident(key)}_{f.name}"] = f.default_factory
        elif not f.init and f.default is not MISSING:
            g[f"_V_{generated.ident(key)}_{f.name}"] = f.default
    fn.__qualname__ = f"{c.__qualname__}.__init__"
    return fn


def _has_default(f) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING


def _default(f):
    return HAS_FACTORY if f.default_factory is not MISSING else f.default


def _generic_init(c, fs, frozen: bool):
    """``__init__`` for a class without a current generated one: the same arguments (positional
    or keyword; keyword-only fields by keyword only), defaults, factories and ``__post_init__``."""
    pos = [f for f in fs if f.init and f.kw_only is not True]
    kw = {f.name: f for f in fs if f.init and f.kw_only is True}
    by_name = {f.name: f for f in pos}
    post = hasattr(c, "__post_init__")
    setter = object.__setattr__ if frozen else setattr
    name = c.__qualname__

    def __init__(self, *args, **kwargs):
        if len(args) > len(pos):
            raise TypeError(f"{name}.__init__() takes {len(pos) + 1} positional arguments but {len(args) + 1} were given")
        values = {}
        for f, v in zip(pos, args):
            values[f.name] = v
        for k, v in kwargs.items():
            if k not in by_name and k not in kw:
                raise TypeError(f"{name}.__init__() got an unexpected keyword argument {k!r}")
            if k in values:
                raise TypeError(f"{name}.__init__() got multiple values for argument {k!r}")
            values[k] = v
        for f in fs:
            if f.init:
                if f.name in values:
                    v = values[f.name]
                elif f.default_factory is not MISSING:
                    v = f.default_factory()
                elif f.default is not MISSING:
                    v = f.default
                else:
                    raise TypeError(f"{name}.__init__() missing required argument: {f.name!r}")
            elif f.default_factory is not MISSING:
                v = f.default_factory()
            elif f.default is not MISSING:
                v = f.default
            else:
                continue
            setter(self, f.name, v)
        if post:
            self.__post_init__()

    __init__.__qualname__ = f"{name}.__init__"
    __init__.__signature__ = _signature(pos, list(kw.values()))
    return __init__


def _signature(pos, kw):
    """What ``inspect.signature`` shows of a generic ``__init__``: the dataclass's parameters."""
    from inspect import Parameter, Signature
    P = Parameter
    params = [P("self", P.POSITIONAL_OR_KEYWORD)]
    params += [P(f.name, P.POSITIONAL_OR_KEYWORD, default=_default(f) if _has_default(f) else P.empty) for f in pos]
    params += [P(f.name, P.KEYWORD_ONLY, default=_default(f) if _has_default(f) else P.empty) for f in kw]
    return Signature(params)


# --------------------------------------------------------------------------------------
# the shared methods
# --------------------------------------------------------------------------------------
@reprlib.recursive_repr()
def _repr(self):
    return (f"{self.__class__.__qualname__}("
            + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_repr__) + ")")


def _getter(names: tuple):
    """obj -> the tuple of its values of ``names`` (attrgetter: one C call)."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _eq(self, other):
    if other.__class__ is self.__class__:
        values = self.__class__.__record_values__
        return values(self) == values(other)
    return NotImplemented


def _hash(self):
    return hash(self.__class__.__record_hash__(self))


def reduce_by_init(self):
    """``__reduce__`` for a record that crosses a pipe often (findings and their places, from
    the worker processes): its ``__init__``'s arguments, in order, rather than the default
    pickle of a state dict.  Loading calls the class with them (one call that stores each field)
    instead of building a dict of the fields and copying it into the instance's dict key by key
    (each key interned again), and the pickle does not name every field.  Anything else in the
    instance's dict (an attribute set after it was made, a field with ``init=False``) follows
    as the state, as it would have.  A class opts in with ``__reduce__ = reduce_by_init`` (and,
    to be pickled without the ``__reduce_ex__`` look-ups, :func:`pickle_by_init`)."""
    cls = self.__class__
    d = self.__dict__
    names = cls.__record_init_order__
    if len(d) == len(names) and tuple(d) == names:
        # the dict holds the init fields in their order (as __init__ stored them): its values
        # are the arguments, taken in one C call instead of a look-up per field
        return cls, tuple(d.values())
    args = cls.__record_args__(self)
    if len(d) == len(args):
        return cls, args
    names = cls.__record_init_names__
    return cls, args, {k: v for k, v in d.items() if k not in names}


def pickle_by_init(cls) -> None:
    """Pickle ``cls`` (exactly that class) with :func:`reduce_by_init` through ``copyreg``'s
    table: the pickler then calls it directly, without looking up ``__reduce_ex__`` on each
    instance and going through ``object.__reduce_ex__`` to reach ``__reduce__`` (half the cost
    of pickling a finding).  ``copy.copy`` reads the same table and gets the same answer."""
    import copyreg
    copyreg.pickle(cls, reduce_by_init)


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")
