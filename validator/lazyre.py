"""Regular expressions compiled when first used (issue 15.4).

``re.compile`` at import costs 0.1–0.5 ms a pattern (its compiler is Python code); a cold
``xxgk-lint check`` of a text report never uses many of the patterns its modules define
(argparse messages to translate, English place names, rule-file validation, HTML sniffing
…).  ``later(pattern, flags)`` stands for ``re.compile(pattern, flags)`` and compiles on the
first use; from then on its matching methods are the compiled pattern's own (no extra call).
"""

from __future__ import annotations

import re

__all__ = ["later"]

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """``re.compile(pattern, flags)`` on first use; then the compiled pattern's methods."""

    __slots__ = ("_args", "_compiled") + _METHODS

    def __init__(self, pattern, flags: int = 0):
        self._args = (pattern, flags)

    def compiled(self) -> re.Pattern:
        try:
            return self._compiled
        except AttributeError:
            c = self._compiled = re.compile(*self._args)
            for name in _METHODS:
                setattr(self, name, getattr(c, name))
            return c

    def __getattr__(self, name):      # only for what is not set yet (or not a method above)
        if name.startswith("__") or name in ("_args", "_compiled"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self):
        return f"later({self._args[0]!r}, {self._args[1]!r})"


def later(pattern, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
