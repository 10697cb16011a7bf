"""Memos: those that belong to an object (a format's value syntax, a set of label matchers, a
table spec: what is worked out from it once, kept for as long as the process runs), and a
bounded one that lets the least recently used entries go (:class:`LRU`)."""

from __future__ import annotations

from collections import OrderedDict


def memo_of(store: dict, obj, limit: int = 8) -> dict:
    """The memo of ``obj`` in ``store`` (a module's dict), made empty on first use.  Found by
    ``id(obj)``; the object is kept with its memo, so its id cannot be taken by another object
    while the memo exists.  ``store`` is emptied when it holds ``limit`` objects (a process
    uses a few formats; tests and rule directories make more)."""
    entry = store.get(id(obj))
    if entry is None or entry[0] is not obj:
        if len(store) >= limit:
            store.clear()
        entry = store[id(obj)] = (obj, {})
    return entry[1]


class LRU:
    """A dict of at most ``size`` entries; putting one more lets the least recently used go
    (``functools.lru_cache`` where the value is not a pure function of hashable arguments:
    the comparisons of two section texts, the report models a batch keeps unpacked)."""

    def __init__(self, size: int):
        self.size = size
        self._d: OrderedDict = OrderedDict()

    def get(self, key):
        got = self._d.get(key)
        if got is not None:
            try:
                self._d.move_to_end(key)
            except KeyError:     # let go meanwhile by another thread's put: still a right answer
                pass
        return got

    def put(self, key, value) -> None:
        self._d[key] = value
        if len(self._d) > self.size:
            self._d.popitem(last=False)

    def clear(self) -> None:
        self._d.clear()
