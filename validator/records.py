"""``@record``: a dataclass whose ``__repr__`` and ``__eq__`` are two shared functions instead
of source code generated for each class (issue 15.4).

``dataclasses.dataclass`` writes out and compiles the source of ``__init__``, ``__repr__`` and
``__eq__`` for every class when its module is imported; for the data classes a cold
``xxgk-lint check`` imports that compiling is ~15 % of its instructions, two thirds of it
for ``__repr__`` and ``__eq__``.  A record gets its
``__init__`` from ``dataclass`` as before; its ``__repr__`` and ``__eq__`` are the functions
below, which do what the generated ones do — the same text (``Name(a=1, b='x')``, fields with
``repr=True``, recursion shown as ``...``), equal only to an instance of the very same class
whose fields with ``compare=True`` are equal, not hashable (``__hash__`` is None) — reading
the field names kept on the class.  A method the class defines itself is kept, as
``dataclass`` does.  Frozen, ordered or hashed classes stay plain dataclasses.
``dataclasses.fields``, ``replace``, ``asdict`` work on records as on any dataclass.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, fields

__all__ = ["record"]


def record(cls=None, /, **options):
    """``@record`` or ``@record(kw_only=True, …)``: ``@dataclass`` (any option but ``repr``,
    ``eq``, ``order``, ``frozen``, ``unsafe_hash``) with the shared ``__repr__``/``__eq__``."""
    for name in ("repr", "eq", "order", "frozen", "unsafe_hash"):
        if name in options:
            raise TypeError(f"record() does not take {name}=: use dataclass for such a class")

    def wrap(c):
        own = dict(c.__dict__)
        c = dataclass(c, repr=False, eq=False, **options)
        fs = fields(c)
        c.__record_repr__ = tuple(f.name for f in fs if f.repr)
        c.__record_compare__ = tuple(f.name for f in fs if f.compare)
        if "__repr__" not in own:
            c.__repr__ = _repr
        if "__eq__" not in own:
            c.__eq__ = _eq
            if "__hash__" not in own:
                c.__hash__ = None          # as dataclass(eq=True): mutable, so not hashable
        return c

    return wrap if cls is None else wrap(cls)


@reprlib.recursive_repr()
def _repr(self):
    return (f"{self.__class__.__qualname__}("
            + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_repr__) + ")")


def _eq(self, other):
    if other.__class__ is self.__class__:
        names = self.__record_compare__
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
    return NotImplemented
