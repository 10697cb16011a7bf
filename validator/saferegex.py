"""Regular expressions from rule files, made safe: a pattern written by a province's staff
must not be able to hang a run.

Patterns are compiled with RE2 (google-re2, linear time, no catastrophic backtracking).  A
pattern RE2 cannot take (look-around, back-references) falls back to the `regex` module,
whose matching functions take a timeout; a timeout is reported, never waited out.
"""

from __future__ import annotations

import contextlib
import contextvars
import re as _re
from dataclasses import dataclass

try:  # linear-time engine
    import re2 as _re2
except ImportError:  # pragma: no cover - declared dependency
    _re2 = None
import regex as _regex

TIMEOUT_S = 0.25

# Patterns of the rules shipped with xxgk-lint (reviewed, and fuzzed with the rest of the
# suite) may run on the `regex` module without a timeout, which costs ~20× less per call than
# the RE2 wrapper; patterns from any other rule directory — a province's own rules — always
# get RE2 or the timed engine.  The shipped patterns are written in RE2 syntax; the only
# construct the `regex` module spells differently, \x{HHHH}, is translated.
_TRUSTED = contextvars.ContextVar("xxgk_trusted_patterns", default=False)
_HEX_BRACE = _re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")


@contextlib.contextmanager
def trusted_patterns():
    """Compile the shipped rules' patterns (used by the rule loader for rules/ only)."""
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


class PatternError(Exception):
    """The pattern does not compile (message says why)."""


class PatternTimeout(Exception):
    """Matching took longer than the limit (fallback engine only)."""


@dataclass
class SafePattern:
    pattern: str
    engine: str
    _compiled: object

    def finditer(self, text: str):
        if self.engine in ("re2", "trusted"):
            yield from self._compiled.finditer(text)
            return
        try:
            yield from self._compiled.finditer(text, timeout=TIMEOUT_S)
        except TimeoutError:
            raise PatternTimeout(f"正则表达式“{self.pattern}”匹配超时") from None

    def search(self, text: str, pos: int = 0):
        if self.engine in ("re2", "trusted"):
            return self._compiled.search(text, pos)
        try:
            return self._compiled.search(text, pos, timeout=TIMEOUT_S)
        except TimeoutError:
            raise PatternTimeout(f"正则表达式“{self.pattern}”匹配超时") from None


def compile_safe(pattern: str) -> SafePattern:
    if not isinstance(pattern, str) or not pattern:
        raise PatternError("正则表达式必须是非空文本")
    if _TRUSTED.get():
        translated = _HEX_BRACE.sub(lambda m: "\\U%08x" % int(m.group(1), 16), pattern)
        try:
            return SafePattern(pattern, "trusted", _regex.compile(translated, _regex.V0))
        except _regex.error as exc:
            raise PatternError(f"正则表达式“{pattern}”有误：{exc}") from None
    if _re2 is not None:
        try:
            opts = _re2.Options()
            opts.max_mem = 8 << 20
            opts.log_errors = False
            return SafePattern(pattern, "re2", _re2.compile(pattern, options=opts))
        except Exception:  # noqa: BLE001 - RE2 rejects look-around etc.; try the fallback
            pass
    try:
        return SafePattern(pattern, "regex", _regex.compile(pattern))
    except _regex.error as exc:
        raise PatternError(f"正则表达式“{pattern}”有误：{exc}") from None
