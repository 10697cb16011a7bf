"""Memos that belong to an object (a format's value syntax, a set of label matchers, a table
spec): what is worked out from it once, kept for as long as the process runs."""

from __future__ import annotations


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
