"""Regular expressions from rule files, made safe: a pattern written by a province's staff
must not be able to hang a run or exhaust its memory.

Patterns are compiled with RE2 (google-re2, linear time, no catastrophic backtracking, its
program size capped).  A pattern RE2 cannot take (look-around, back-references, or too big
for it) falls back to the `regex` module only if it compiles small there: that engine writes
out the required copies of a counted repetition, so ``(?:(?:a{1000}){1000}){1000}`` would
take gigabytes; :func:`expanded_size` measures that before compiling and a pattern over
``MAX_FALLBACK_SIZE`` is refused with a message.  The fallback's matching functions take a
timeout; a timeout is counted in the :class:`TimeoutLog` of the rule being run (the rule
runner turns it into a finding for that rule and file, P092), never waited out and never
silent.  After ``TimeoutLog.BUDGET`` timeouts in one rule and file, further matches of that
rule's fallback patterns are not attempted (each would cost the timeout again).
"""

from __future__ import annotations

import contextlib
import contextvars
import re as _re

import regex as _regex   # RE2 (linear-time engine, for rules of other directories) is imported when needed

from .i18n import Msg, msg

TIMEOUT_S = 0.25
MAX_FALLBACK_SIZE = 50_000      # elements the fallback engine would write out
MAX_PATTERN_CHARS = 20_000

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


def _shown(pattern: str) -> str:
    """A pattern in a message: one line, at most 60 characters."""
    from .yamlload import quote
    return quote(pattern)


class TimeoutLog:
    """The fallback-engine timeouts of one rule on one file; as a context manager, the log
    the code inside the block counts its timeouts in (see :func:`timeout_log`)."""

    BUDGET = 4          # timeouts (of TIMEOUT_S each) before the rule's patterns are skipped

    def __init__(self):
        self.count = 0
        self.skipped = 0
        self.patterns: list[str] = []

    def exhausted(self) -> bool:
        return self.count >= self.BUDGET

    def timed_out(self, pattern: str) -> None:
        self.count += 1
        if pattern not in self.patterns:
            self.patterns.append(pattern)

    def __enter__(self) -> "TimeoutLog":
        self._token = _TIMEOUTS.set(self)
        return self

    def __exit__(self, *exc) -> None:
        _TIMEOUTS.reset(self._token)


_TIMEOUTS: contextvars.ContextVar[TimeoutLog | None] = contextvars.ContextVar("xxgk_regex_timeouts", default=None)


def timeout_log() -> TimeoutLog:
    """Count the fallback-engine timeouts of the code inside the ``with`` block (one rule,
    one file): ``with timeout_log() as log: …``."""
    return TimeoutLog()


def _timed_out(pattern: str) -> PatternTimeout:
    log = _TIMEOUTS.get()
    if log is not None:
        log.timed_out(pattern)
    return PatternTimeout(msg("正则表达式“{p}”匹配超时", 'regular expression "{p}" timed out', p=_shown(pattern)))


def _skip(pattern: str) -> None:
    """After the budget of timeouts, the rule's slow patterns are not run again on this file."""
    log = _TIMEOUTS.get()
    if log is not None and log.exhausted():
        log.skipped += 1
        raise PatternTimeout(msg("正则表达式“{p}”多次超时，本文件不再匹配",
                                 'regular expression "{p}" timed out repeatedly and is not run again on this file', p=_shown(pattern)))


class SafePattern:
    """A compiled pattern and its engine ("trusted", "re2" or the timed "regex").  Rules kept
    between runs (validator/startcache.py) hold patterns that were compiled and checked when
    their file was loaded; such a pattern is compiled again only when first used, and only
    on a text that holds the literals every match contains (:func:`required_literals`).  A
    shipped pattern whose matches have one of a few characters at a fixed offset from their
    start (its first characters, or :func:`fixed_anchor`) is tried only at those characters
    when the text has few of them, instead of being scanned for at every character."""

    __slots__ = ("pattern", "engine", "_pattern", "_required", "_checks", "_first", "literal", "_plan")

    def __init__(self, pattern: str, engine: str, compiled=None):
        self.pattern = pattern
        self.engine = engine
        self._pattern = compiled
        self._required = required_literals(pattern)
        self._checks = check_order(self._required)
        self._first = first_chars(pattern)
        self.literal = _literal(pattern, engine)
        self._plan = None           # how it is run (_make_plan), worked out when first needed

    @property
    def _compiled(self):
        c = self._pattern
        if c is None:
            c = self._pattern = _compile_engine(self.pattern, self.engine)
        return c

    def __getstate__(self):
        return (self.pattern, self.engine, self._required, self._first, self._checks)

    def __setstate__(self, state):
        self.pattern, self.engine = state[0], state[1]
        self._required = state[2] if len(state) > 2 else required_literals(self.pattern)
        self._first = state[3] if len(state) > 3 else first_chars(self.pattern)
        self._checks = state[4] if len(state) > 4 else check_order(self._required)
        self._pattern = None
        self.literal = _literal(self.pattern, self.engine)
        self._plan = None

    def __eq__(self, other):
        return isinstance(other, SafePattern) and (self.pattern, self.engine) == (other.pattern, other.engine)

    def __hash__(self):
        return hash((self.pattern, self.engine))

    def __repr__(self):
        return f"SafePattern(pattern={self.pattern!r}, engine={self.engine!r})"

    def may_match(self, text: str) -> bool:
        """Does ``text`` hold the literals every match contains (False: it cannot match)?"""
        return not _absent(self._checks, text)

    def places(self, text: str) -> list[int] | None:
        """Where in ``text`` one of the alternatives of the pattern's first required literal
        starts (unordered, a place may repeat): a match lies over one of them — the
        pattern's own literals, checked again, so any text the engine is run on is one
        these places are in.  None when the pattern requires no literal."""
        if not self._required:
            return None
        out: list[int] = []
        find = text.find
        for a in self._required[0]:
            if not a:
                return None
            i = find(a)
            while i >= 0:
                out.append(i)
                i = find(a, i + 1)
        return out

    def finditer(self, text: str):
        """The matches in ``text``, an iterator.  RE2 and the shipped patterns cannot time
        out: their engine's own iterator (or none, when a required literal is missing); the
        timed engine raises :class:`PatternTimeout` while it is iterated."""
        if self.engine == "regex":
            return self._timed_finditer(text)
        # _absent(self._checks, text) written out: most calls end here (a rule's patterns
        # are run on every stream of every report, and most streams lack their words)
        for alts in self._checks:
            for a in alts:
                if a in text:
                    break
            else:
                return iter(())
        start = _first_at(self._first, text, 0)
        if start < 0:
            return iter(())
        plan = self._plan
        if plan is None:
            if self.engine != "trusted":
                return self._compiled.finditer(text, start)
            plan = self._plan = self._make_plan()
        how, sieve, width, texts, anchor, latin = plan
        if latin is not None:
            # every match starts with one of a class of Latin-1 characters ([À-ÿ]): which of
            # them the text holds, in two passes in C instead of a test of the class at every
            # character by the engine's scan
            held = text.encode("latin-1", "ignore").translate(None, latin)
            if not held:
                return iter(())
            places = _anchor_places(tuple(set(held.decode("latin-1"))), text, len(text) >> _FEW_FIRST)
            if places is not None:
                return self._anchored(text, places, 0)
        if how == _NEAR:
            # no first characters (“(?:^|，|共|全部)办结…”), but texts a match holds near
            # its start: where they are few, the pattern is tried only near them
            if texts is not None:
                places = _anchor_places(texts[0], text, len(text) >> texts[3])
                if places is not None:
                    return self._near(text, places, texts[1], texts[2], sieve, width)
            if anchor is not None:
                # a pattern the `regex` module runs (\p{Han} …) scans several times slower than
                # one of `re`: tried at its anchors where they are up to eight times as many
                places = _anchor_places(anchor[0], text, len(text) >> anchor[2])
                if places is not None:
                    return self._anchored(text, places, anchor[1], sieve, width)
        elif how == _FIRST:
            # the characters every match starts with are an anchor at offset 0: few of them
            # (one in 64 characters), and the pattern is tried only there — or only at the
            # texts every match starts with, when they are longer (“(?:19|20)\d{2}年”: 19 and
            # 20, not every 1 and 2)
            places = _anchor_places(anchor[0], text, len(text) >> anchor[2])
            if places is not None:
                return self._anchored(text, places, 0, sieve, width)
        if sieve is not None:
            return self._sieved(text, start, sieve, width)
        return self._compiled.finditer(text, start)

    def _make_plan(self):
        """How a shipped pattern is run (worked out once, when it is first run on a text
        that holds its literals): (how, sieve, width, texts, anchor) — how: _NEAR (tried
        near its anchor ``texts`` (texts, lo, hi, shift) when they are few, else at its
        ``anchor`` characters (chars, offset, shift) when they are few), _FIRST (at its
        anchor at offset 0: the texts or characters every match starts with), _SCAN (the
        engine's scan); the sieve (:func:`sieve_form`) and its width, when the pattern is
        one of the `regex` module's that has one: where it does not match, the pattern is
        not tried."""
        found = _make_sieve(self.pattern, self._required)
        sieve, width = found if found is not None else (None, 0)
        if self._first is None:
            texts = _few_texts(text_anchor(self.pattern))
            if texts is not None:
                texts = texts[:3] + ((_FEW_SIEVED if sieve is not None else _FEW_TEXTS) + texts[3],)
            anchor = fixed_anchor(self.pattern)
            if anchor is not None:
                few = (_FEW_SIEVED if sieve is not None else
                       _FEW_ANCHORS if self._compiled.__class__ is _RE_PATTERN else _FEW_ANCHORS_REGEX)
                anchor = anchor + (few,)
            latin = None if sieve is not None else first_latin(self.pattern)
            return (_NEAR if texts is not None or anchor is not None else _SCAN), sieve, width, texts, anchor, latin
        if len(self._first) <= _MAX_FIRST_TRIED:
            few = _FEW_SIEVED if sieve is not None else _FEW_FIRST
            texts = _few_texts(text_anchor(self.pattern))
            if texts is not None and texts[2] == 0 and min(map(len, texts[0])) > 1:
                return _FIRST, sieve, width, None, (texts[0], 0, few), None
            return _FIRST, sieve, width, None, (tuple(self._first), 0, few), None
        return _SCAN, sieve, width, None, None, None

    def _anchored(self, text: str, places: list[int], offset: int, sieve=None, width: int = 0):
        """``finditer`` of a pattern whose every match has one of its anchor characters
        ``offset`` characters after its start (:func:`fixed_anchor`): tried only where such a
        character is, in order, each match taken as the engine's scan would (the leftmost from
        where the last one ended; never empty: it holds the anchor character).  With a
        ``sieve`` (:func:`sieve_form`), a start is tried only where the sieve matches ``width``
        characters after it, and the pattern's engine is compiled only when one does."""
        smatch = None if sieve is None else sieve.match
        match = self._compiled.match if smatch is None else None
        pos = 0
        for q in places:
            s = q - offset
            if s >= pos and (smatch is None or smatch(text, s + width) is not None):
                if match is None:
                    match = self._compiled.match
                m = match(text, s)
                if m is not None:
                    yield m
                    pos = m.end()

    def _sieved(self, text: str, pos: int, sieve, width: int):
        """``finditer`` of a pattern of the `regex` module tried only where its sieve (a `re`
        pattern that matches wherever it does, less a leading part ``width`` characters wide:
        :func:`sieve_form`) matches, in order, each match taken as the engine's scan would
        (the leftmost from where the last one ended; never empty: it holds a required literal)."""
        search = sieve.search
        match = None
        while True:
            r = search(text, pos + width)
            if r is None:
                return
            s = r.start() - width
            if match is None:
                match = self._compiled.match
            m = match(text, s)
            if m is None:
                pos = s + 1
            else:
                yield m
                pos = m.end()

    def _near(self, text: str, places: list[int], lo: int, hi: int, sieve=None, width: int = 0):
        """``finditer`` of a pattern whose every match has one of its anchor texts between
        ``lo`` and ``hi`` characters after its start (:func:`text_anchor`), the texts at
        ``places`` (in order): tried only at the starts that allows, in order, each match
        taken as the engine's scan would (the leftmost from where the last one ended; never
        empty: it holds an anchor text).  With a ``sieve`` (:func:`sieve_form`), a start is
        tried only where the sieve matches ``width`` characters after it, and the pattern's
        engine is compiled only when one does."""
        smatch = None if sieve is None else sieve.match
        match = self._compiled.match if smatch is None else None
        pos = 0         # the first start not yet tried (or the end of the last match)
        for q in places:
            s = q - hi
            if s < pos:
                s = pos
            last = q - lo
            while s <= last:
                if smatch is not None and smatch(text, s + width) is None:
                    m = None
                else:
                    if match is None:
                        match = self._compiled.match
                    m = match(text, s)
                if m is None:
                    s += 1
                else:
                    yield m
                    s = m.end()
            pos = s

    def _timed_finditer(self, text: str):
        _skip(self.pattern)
        if _absent(self._checks, text):
            return
        try:
            yield from self._compiled.finditer(text, timeout=TIMEOUT_S)
        except TimeoutError:
            raise _timed_out(self.pattern) from None

    def search(self, text: str, pos: int = 0):
        if self.engine in ("re2", "trusted"):
            if pos:
                if _absent(self._checks, text, pos):
                    return None
            else:
                # _absent(self._checks, text) written out, as in finditer (the content
                # rules ask of every sentence whether it is one to ignore)
                for alts in self._checks:
                    for a in alts:
                        if a in text:
                            break
                    else:
                        return None
            start = _first_at(self._first, text, pos)
            return None if start < 0 else self._compiled.search(text, start)
        _skip(self.pattern)
        if _absent(self._checks, text, pos):
            return None
        try:
            return self._compiled.search(text, pos, timeout=TIMEOUT_S)
        except TimeoutError:
            raise _timed_out(self.pattern) from None


def _literal(pattern: str, engine: str) -> str | None:
    """The pattern itself when it is plain text — no character with a meaning in a regular
    expression — and a shipped one (the engines of other rule directories keep their own
    ways with odd input): it matches exactly where the text holds it, so whether it matches
    is ``pattern in text`` (many of the rules' words are: 其中, 等, 复议 …)."""
    if engine != "trusted" or any(c in _SPECIAL for c in pattern):
        return None
    return pattern


_COUNTED = _re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_CAP = 1 << 40


def expanded_size(pattern: str) -> int:
    """About how many elements the `regex` module writes out for a pattern: every atom
    counts once per required copy of each counted repetition around it (a{1000} is 1000,
    (?:a{1000}){1000} is a million); optional copies are not written out.  A linear scan
    of the pattern (escapes, classes and groups skipped properly), so it never costs more
    than the pattern's length."""
    stack = [[0, 0]]            # per open group: [size so far, size of the last item]
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        top = stack[-1]
        if ch == "\\":
            j = i + 2
            if i + 1 < n and pattern[i + 1] in "pPNxugk" and j < n and pattern[j] in "{<":
                close = pattern.find("}" if pattern[j] == "{" else ">", j)
                j = n if close < 0 else close + 1
            top[0] += 1
            top[1] = 1
            i = j
            continue
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            depth = 1
            while j < n and depth:
                c = pattern[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "[" and j + 1 < n and pattern[j + 1] in ":=.":   # [:alpha:] and the like
                    close = pattern.find(pattern[j + 1] + "]", j + 2)
                    j = n if close < 0 else close + 2
                    continue
                if c == "[":
                    depth += 1        # nested sets of the V1 syntax
                elif c == "]":
                    depth -= 1
                j += 1
            top[0] += 1
            top[1] = 1
            i = j
            continue
        if ch == "(":
            stack.append([0, 0])
            i += 1
            continue
        if ch == ")":
            if len(stack) > 1:
                inner = stack.pop()[0]
                parent = stack[-1]
                parent[0] = min(_CAP, parent[0] + inner)
                parent[1] = inner
            i += 1
            continue
        if ch == "{":
            m = _COUNTED.match(pattern, i)
            if m and (m.group(1) or m.group(3)):
                low = int(m.group(1)[:12] or 0)
                if low > 1:
                    extra = min(_CAP, top[1] * (low - 1))
                    top[0] = min(_CAP, top[0] + extra)
                    top[1] = min(_CAP, top[1] * low)
                i = m.end()
                continue
        if ch in "|*+?":
            i += 1
            continue
        top[0] = min(_CAP, top[0] + 1)
        top[1] = 1
        i += 1
    total = 0
    for frame in stack:
        total = min(_CAP, total + frame[0])
    return total


# --------------------------------------------------------------------------------------
# literals every match contains (a pattern is compiled and run only if they are there)
# --------------------------------------------------------------------------------------
_SPECIAL = frozenset(".^$*+?{}[]()|\\")
# inline flags that change what the rest of the pattern means ((?i) …), comments, \Q…\E:
# no literal is read from such a pattern
_NO_LITERALS = _re.compile(r"\(\?[a-zA-Z^-]*\)|\(\?#|\\[QE]")
_MAX_REQUIRED = 4


def required_literals(pattern: str) -> tuple[tuple[str, ...], ...]:
    r"""Texts every match of ``pattern`` contains: a tuple of requirements, each a tuple of
    alternatives one of which occurs in the match (``ab(?:cd|ef)g+`` → (("ab",), ("cd", "ef"),
    ("g",))).  Read from what the pattern must consume in sequence (its top level and the
    plain groups that are not optional): literal characters, escaped punctuation, groups of
    literal alternatives, classes that list a few plain characters ([āáǎà] → one of them).
    Anything else (other classes, escapes like \d, optional parts,
    look-around, scoped flags) requires nothing; a pattern with alternatives at the top,
    inline flags, comments or braces that are not counted repetitions requires nothing at
    all (empty tuple).  Same meaning in RE2, `re` and the `regex` module.  A text without
    one of the requirements cannot match, so the pattern need not be compiled or run on it
    (a cold start compiles fewer patterns)."""
    body = pattern[4:] if pattern.startswith("(?m)") else pattern
    if _NO_LITERALS.search(body):
        return ()
    try:
        reqs = _sequence(body)
    except _Unreadable:
        return ()
    if not reqs:
        return ()
    unique = list(dict.fromkeys(reqs))
    unique.sort(key=lambda alts: -min(len(a) for a in alts))     # the most telling first
    return tuple(unique[:_MAX_REQUIRED])


def check_order(required) -> tuple[tuple[str, ...], ...]:
    """The requirements of :func:`required_literals` in the order a text is checked for them
    (any order gives the same answer: a match holds every one): the cheapest first — a single
    character is found by ``memchr``, a longer text by a slower search, and each alternative
    that is not there is looked for through the whole text — and in each, the shortest
    alternatives first, without those that hold another (“余件” after “件”: when “件” is not
    there, neither is “余件”; when it is, the search has stopped)."""
    out = []
    for alts in required:
        kept: list[str] = []
        for a in sorted(dict.fromkeys(alts), key=len):
            if not any(b in a for b in kept):
                kept.append(a)
        out.append(tuple(kept))
    out.sort(key=lambda alts: sum(1 if len(a) <= 1 else 4 for a in alts))
    return tuple(out)


class _Unreadable(Exception):
    """A construct :func:`required_literals` does not read: the pattern requires nothing."""


def _need(i):
    if i is None:
        raise _Unreadable
    return i


def _sequence(p: str) -> list | None:
    """Requirements of a sequence (None: it has alternatives at its top)."""
    out: list[tuple[str, ...]] = []
    run: list[str] = []

    def flush():
        if run:
            out.append(("".join(run),))
            run.clear()

    i, n = 0, len(p)
    while i < n:
        ch = p[i]
        if ch == "|":
            return None
        if ch == "\\":
            _need(i + 1 if i + 1 < n else None)
            lit = _literal_escape(p, i)
            if lit is not None:           # escaped punctuation, \t, \x{FFFD}: that character
                atom, j = lit
            else:                         # \d, \s, \p{…}, \1 …
                flush()
                i = _need(_after_quantifier(p, _need(_after_escape(p, i))))
                continue
        elif ch == "[":
            flush()
            j = _need(_after_class(p, i))
            k = _need(_after_quantifier(p, j))
            chars = _class_chars(p[i + 1:j - 1])
            if chars and not _optional(p, j, k):     # one of a few plain characters
                out.append(chars)
            i = k
            continue
        elif ch == "(":
            flush()
            j, inner = _group(p, i)
            k = _need(_after_quantifier(p, _need(j)))
            if inner is not None and not _optional(p, j, k):
                sub = _sequence(inner)
                if sub is not None:
                    out.extend(sub)
                else:               # alternatives: required if each is plain text
                    alts = inner.split("|")
                    if all(a and not any(c in _SPECIAL for c in a) for a in alts):
                        out.append(tuple(alts))
            i = k
            continue
        elif ch in "^$.":
            flush()
            i = _need(_after_quantifier(p, i + 1))
            continue
        elif ch in _SPECIAL:
            raise _Unreadable    # a quantifier or brace with nothing before it
        else:
            atom, j = ch, i + 1
        k = _need(_after_quantifier(p, j))
        if k != j:               # a repeated character: needed once unless it may be absent
            if not _optional(p, j, k):
                run.append(atom)
            flush()
        else:
            run.append(atom)
        i = k
    flush()
    return out


_COUNT = _re.compile(r"\{(?:\d+(?:,\d*)?|,\d+)\}")


def _after_quantifier(p: str, j: int | None) -> int | None:
    """Where the quantifier at ``j`` (if any) ends; None for a brace that is not a count."""
    if j is None or j >= len(p):
        return j
    if p[j] in "*+?":
        j += 1
    elif p[j] == "{":
        m = _COUNT.match(p, j)
        if m is None:
            return None          # {e<=1} (fuzzy matching in `regex`), a stray brace …
        j = m.end()
    else:
        return j
    if j < len(p) and p[j] in "?+":   # lazy or possessive
        j += 1
    return j


def _optional(p: str, j: int, k: int) -> bool:
    """Does the quantifier p[j:k] allow no copy at all?"""
    return k != j and (p[j] in "*?" or p.startswith(("{0", "{,"), j))


_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}


def _after_escape(p: str, i: int) -> int | None:
    r"""Where the escape at ``p[i]`` ends (\p{…}, \xHH, \uHHHH …); None for one not read
    (a back-reference or octal escape: digits whose count the engines read differently)."""
    j = i + 2
    e = p[i + 1]
    if e in "pPNxugk" and j < len(p) and p[j] in "{<":
        close = p.find("}" if p[j] == "{" else ">", j)
        return None if close < 0 else close + 1
    if e in _HEX_WIDTH:
        return min(j + _HEX_WIDTH[e], len(p))
    if e.isdigit():
        return None
    return j


_MAX_CLASS_CHARS = 32


_CONTROL = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}
_HEX = frozenset("0123456789abcdefABCDEF")


def _literal_escape(p: str, i: int) -> tuple[str, int] | None:
    r"""(the character, where the escape ends) for an escape at ``p[i]`` that stands for one
    character in RE2, `re` and the `regex` module alike: escaped ASCII punctuation, \t \n \r
    \f \v, \xHH, \x{H…}; None for any other (\d, \s, \p{…}, \1, \u …)."""
    e = p[i + 1] if i + 1 < len(p) else ""
    if not e:
        return None
    if e.isascii() and not e.isalnum() and e != "_":
        return e, i + 2
    if e in _CONTROL:
        return _CONTROL[e], i + 2
    if e == "x":
        if p.startswith("{", i + 2):
            close = p.find("}", i + 3)
            digits = p[i + 3:close] if close >= 0 else ""
            end = close + 1
        else:
            digits = p[i + 2:i + 4]
            end = i + 4
            if len(digits) != 2:
                return None
        if 1 <= len(digits) <= 6 and set(digits) <= _HEX and int(digits, 16) <= 0x10FFFF:
            return chr(int(digits, 16)), end
    return None


def _class_chars(body: str) -> tuple[str, ...] | None:
    r"""The characters of a class body that lists single characters only ([āáǎà], [ \t]);
    None for a negated class, ranges, escapes of classes (\d …), nested sets, or more than
    ``_MAX_CLASS_CHARS``."""
    if not body or body[0] == "^":
        return None
    chars: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            lit = _literal_escape(body, i)
            if lit is None:
                return None
            c, i = lit
        elif c in "[]-":
            return None
        else:
            i += 1
        chars.append(c)
    out = tuple(dict.fromkeys(chars))
    return out if len(out) <= _MAX_CLASS_CHARS else None


def _after_class(p: str, i: int) -> int | None:
    j, n = i + 1, len(p)
    if j < n and p[j] == "^":
        j += 1
    if j < n and p[j] == "]":
        j += 1
    while j < n:
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            return None          # nested sets, POSIX classes: not read
        if c == "]":
            return j + 1
        j += 1
    return None


def _group(p: str, i: int) -> tuple[int | None, str | None]:
    """(end of the group at ``i``, its body if it is a plain, capturing or named group; else None)."""
    if p.startswith("(?:", i):
        start = i + 3
    elif p.startswith("(?P<", i):
        close = p.find(">", i)
        if close < 0:
            return None, None
        start = close + 1
    elif p.startswith("(?", i):
        start = -1               # look-around, scoped flags, atomic …: nothing read inside
    else:
        start = i + 1
    depth, j, n = 1, i + 1, len(p)
    while j < n:
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _after_class(p, j)
            if j is None:
                return None, None
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1, (p[start:j] if start >= 0 else None)
        j += 1
    return None, None


def first_chars(pattern: str) -> frozenset | None:
    r"""The characters every match of ``pattern`` starts with, when the pattern (each of its
    alternatives) starts with a literal, a class of a few plain characters or a group of
    such alternatives that is not optional (``(?:共|合计)`` → {共, 合}); None when that is not
    certain (anchors, \d, look-around, scoped or inline flags, an empty alternative …).
    A search can then start at the first of these characters: the engines' scan for a
    leading alternation tests every position of the text, ``str.find`` skips to it."""
    body = pattern[4:] if pattern.startswith("(?m)") else pattern
    if _NO_LITERALS.search(body):
        return None
    try:
        chars = _first(body)
    except (_Unreadable, IndexError):
        return None
    return frozenset(chars) if chars and len(chars) <= _MAX_CLASS_CHARS else None


def _first(p: str) -> set | None:
    alts = _top_alternatives(p)
    if len(alts) > 1:
        out: set = set()
        for a in alts:
            sub = _first(a)
            if not sub:
                return None
            out |= sub
        return out
    if not p:
        return None
    ch = p[0]
    if ch == "\\":
        lit = _literal_escape(p, 0)
        if lit is None:
            return None
        chars, j = {lit[0]}, lit[1]
    elif ch == "[":
        j = _need(_after_class(p, 0))
        listed = _class_chars(p[1:j - 1])
        if listed is None:
            return None
        chars = set(listed)
    elif ch == "(":
        j, inner = _group(p, 0)
        if j is None or inner is None:
            return None
        chars = _first(inner)
        if not chars:
            return None
    elif ch in _SPECIAL:
        return None
    else:
        chars, j = {ch}, 1
    k = _after_quantifier(p, j)
    if k is None or _optional(p, j, k):
        return None
    return chars


def first_latin(pattern: str) -> bytes | None:
    r"""The bytes 0–255 that are *not* code points of the Latin-1 characters every match of
    ``pattern`` starts with, when it starts with a class of characters and ranges all below
    U+0100 (``[\x{00C0}-\x{00FF}]``, too many for :func:`first_chars`) that is not optional;
    None otherwise.  ``text.encode("latin-1", "ignore").translate(None, ...)`` is then the
    text's characters a match can start with, found in C (:meth:`SafePattern.finditer`)."""
    if _NO_LITERALS.search(pattern) or not pattern.startswith("["):
        return None
    try:
        if len(_top_alternatives(pattern)) > 1:
            return None
        j = _need(_after_class(pattern, 0))
        k = _need(_after_quantifier(pattern, j))
    except (_Unreadable, IndexError):
        return None
    if _optional(pattern, j, k):
        return None
    codes = _latin_class(pattern[1:j - 1])
    if not codes:
        return None
    return bytes(b for b in range(256) if b not in codes)


def _latin_class(body: str) -> set | None:
    """The code points of a class body of plain characters and ranges, when all are below
    256; None for anything else (negation, class escapes, nested sets)."""
    if not body or body[0] == "^":
        return None
    out: set = set()
    i, n = 0, len(body)
    prev = None
    while i < n:
        c = body[i]
        if c == "-" and prev is not None and i + 1 < n:
            lit = _literal_escape(body, i + 1) if body[i + 1] == "\\" else (body[i + 1], i + 2)
            if lit is None or body[i + 1] in "[]":
                return None
            lo, hi = ord(prev), ord(lit[0])
            if lo > hi or hi > 255:
                return None
            out.update(range(lo, hi + 1))
            prev = None
            i = lit[1]
            continue
        if c == "\\":
            lit = _literal_escape(body, i)
            if lit is None:
                return None
            c, i = lit
        elif c in "[]":
            return None
        else:
            i += 1
        if ord(c) > 255:
            return None
        out.add(ord(c))
        prev = c
    return out


def _top_alternatives(p: str) -> list[str]:
    """``p`` split at the ``|`` of its top level (not inside groups, classes or escapes)."""
    parts, depth, start, i, n = [], 0, 0, 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _need(_after_class(p, i))
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(p[start:i])
            start = i + 1
        i += 1
    parts.append(p[start:])
    return parts


def _first_at(first, text: str, pos: int) -> int:
    """Where in text[pos:] the first of the characters a match starts with is (``pos`` when
    they are not known; -1 when none occurs: no match)."""
    if first is None:
        return pos
    best = -1
    end = len(text)
    for c in first:
        # only before the earliest found so far: a character that is not there is not
        # looked for to the end of the text each time
        i = text.find(c, pos, end)
        if i >= 0:
            best = end = i
    return best


_UNKNOWN = object()
# a pattern is tried at its anchor characters instead of scanned for when they are at most one
# in 2**_FEW_ANCHORS characters of the text (a try is a call from Python, ~100 characters of
# the engine's own scan): a page of Chinese prose has a few spaces, not one every line
_FEW_ANCHORS = 8
_FEW_ANCHORS_REGEX = 5
_RE_PATTERN = type(_re.compile(""))
_MAX_ANCHOR_CHARS = 4
_MAX_FIRST_TRIED = 8
_FEW_FIRST = 6
# a pattern with a sieve (sieve_form) is tried at its anchors where they are up to one in four
# characters: a try is a call of the sieve's `re` match, the `regex` module only where it matches
_FEW_SIEVED = 2
_NEAR, _FIRST, _SCAN = 0, 1, 2
_CLASS_ESCAPES = frozenset("dDsSwWpP")
# a pattern is tried near its anchor texts where they are at most one in 2**_FEW_TEXTS
# characters (fewer where a place is tried at several starts: see _few_texts)
_FEW_TEXTS = 6


def _few_texts(found):
    """text_anchor()'s answer made ready for SafePattern.finditer: a text that has another
    as its beginning is left out (its places are among the other's), and the shift that
    makes the limit of places smaller as each place is tried at more starts."""
    if found is None:
        return None
    texts, lo, hi = found
    kept = tuple(t for t in texts if not any(u != t and t.startswith(u) for u in texts))
    return kept, lo, hi, (hi - lo + 1).bit_length() - 1


def _anchor_places(chars, text: str, limit: int) -> list[int] | None:
    """Where in ``text`` the characters ``chars`` are, in order; None when more than ``limit``."""
    out: list[int] = []
    find = text.find
    for c in chars:
        i = find(c)
        while i >= 0:
            if len(out) >= limit:
                return None
            out.append(i)
            i = find(c, i + 1)
    out.sort()
    return out


def fixed_anchor(pattern: str) -> tuple[tuple[str, ...], int] | None:
    r"""(characters, offset): every match of ``pattern`` has one of these characters exactly
    ``offset`` characters after its start — the first required literal or class of a few
    listed characters ([ \t]) after a part of fixed width (\p{Han}, \d, ., a literal, a group
    of such); None when there is none such (an alternation at the top, a repetition of
    variable length, look-around, flags … before it).  Then a match can start only
    ``offset`` characters before such a character, and where those are few the pattern need
    not be scanned for at every character of the text (:meth:`SafePattern.finditer`)."""
    if _NO_LITERALS.search(pattern):
        return None
    try:
        found, _width = _anchor_scan(pattern)
    except (_Unreadable, IndexError, ValueError):
        return None
    return found


# the widest spread of offsets (hi - lo) a text anchor is used with: each place of the text
# is tried at up to spread + 1 starts
_MAX_SPREAD = 4


def text_anchor(pattern: str) -> tuple[tuple[str, ...], int, int] | None:
    r"""(texts, lo, hi): every match of ``pattern`` has one of ``texts`` starting between
    ``lo`` and ``hi`` characters after its own start — the first run of literal characters
    or group of literal alternatives that is not optional, after parts of fixed widths
    (\s, a class, a group of alternatives of different fixed widths such as
    ``(?:^|[,，]|共|全部)``); None when there is none such.  Texts of several characters
    are rarer than the characters a match starts with (办结 against 办): where they are few,
    the pattern is tried only near them (:meth:`SafePattern.finditer`), not scanned for at
    every character — a pattern with ``^`` among its first alternatives has no first
    characters at all."""
    if _NO_LITERALS.search(pattern):
        return None
    try:
        return _text_scan(pattern)
    except (_Unreadable, IndexError, ValueError):
        return None


def _text_scan(p: str):
    if len(_top_alternatives(p)) > 1:
        return None
    i, n, lo, hi = 0, len(p), 0, 0
    while i < n and hi - lo <= _MAX_SPREAD:
        ch = p[i]
        if ch == "(":
            j, body = _group(p, i)
            if j is None or body is None:
                return None              # look-around, scoped flags …
            if _need(_after_quantifier(p, j)) != j:
                return None              # a repeated or optional group: not read further
            alts = _top_alternatives(body)
            if all(a and not any(c in _SPECIAL for c in a) for a in alts):
                return tuple(dict.fromkeys(alts)), lo, hi
            if len(alts) == 1:           # a group of one sequence (a named one): read on inside
                p = body + p[j:]
                i, n = 0, len(p)
                continue
            widths = [_anchor_scan(a, False)[1] for a in alts]
            if None in widths:
                return None
            lo += min(widths)
            hi += max(widths)
            i = j
            continue
        if ch not in _SPECIAL:           # a run of literal characters
            j = i
            while j < n and p[j] not in _SPECIAL:
                j += 1
            if j < n and p[j] in "*+?{":
                j -= 1                   # a quantifier applies to the run's last character only
            if j > i:
                return (p[i:j],), lo, hi
            j, width = i + 1, 1
        elif ch == "\\":
            if _literal_escape(p, i) is None and p[i + 1] not in _CLASS_ESCAPES:
                return None              # \b, \A, a back-reference …
            j, width = _need(_after_escape(p, i)), 1
        elif ch == "[":
            j, width = _need(_after_class(p, i)), 1
        elif ch == ".":
            j, width = i + 1, 1
        elif ch == "^":
            j, width = i + 1, 0
        else:
            return None
        k = _need(_after_quantifier(p, j))
        if k != j:
            count = _exact_count(p[j:k])
            if count is None:
                return None
            width *= count
        lo += width
        hi += width
        i = k
    return None


def _anchor_scan(p: str, anchor: bool = True):
    """(anchor or None, the width of ``p`` or None when it is not fixed) of a sequence; stops
    (anchor None, width None) at the first part it cannot read or whose width varies.  With
    ``anchor`` False only the width is worked out."""
    alts = _top_alternatives(p)
    if len(alts) > 1:
        widths = {_anchor_scan(a, False)[1] for a in alts}
        return None, (widths.pop() if len(widths) == 1 else None)
    i, n, offset = 0, len(p), 0
    while i < n:
        ch = p[i]
        chars = None
        width: int | None = 1
        if ch == "\\":
            lit = _literal_escape(p, i)
            if lit is not None:
                chars, j = (lit[0],), lit[1]
            elif p[i + 1] in _CLASS_ESCAPES:
                j = _need(_after_escape(p, i))
            else:
                return None, None        # \b, \A, a back-reference …
        elif ch == "[":
            j = _need(_after_class(p, i))
            listed = _class_chars(p[i + 1:j - 1])
            if listed is not None and len(listed) <= _MAX_ANCHOR_CHARS:
                chars = listed
        elif ch == "(":
            j, body = _group(p, i)
            if j is None or body is None:
                return None, None        # look-around, scoped flags, a back-reference …
            inner, width = _anchor_scan(body, anchor)
            if inner is not None:
                k = _need(_after_quantifier(p, j))
                if _optional(p, j, k):
                    return None, None
                return (inner[0], offset + inner[1]), None
        elif ch == ".":
            j = i + 1
        elif ch in "^$":
            j, width = i + 1, 0
        elif ch in _SPECIAL:
            return None, None
        else:
            chars, j = (ch,), i + 1
        k = _need(_after_quantifier(p, j))
        if anchor and chars is not None and not _optional(p, j, k):
            return (chars, offset), None
        if k != j:
            count = _exact_count(p[j:k])
            if count is None or width is None:
                return None, None
            width *= count
        if width is None:
            return None, None
        offset += width
        i = k
    return None, offset


def _exact_count(q: str) -> int | None:
    """n for a quantifier {n} (or {n}?); None for any other."""
    body = q.rstrip("?+")
    if body.startswith("{") and body.endswith("}") and body[1:-1].isdigit():
        return int(body[1:-1])
    return None


def _absent(required, text: str, pos: int = 0) -> bool:
    """Is one of the requirements missing from text[pos:]?"""
    if pos:
        # searched from pos, not in a copy of text[pos:] (an empty literal is in any text)
        find = text.find
        for alts in required:
            for a in alts:
                if not a or find(a, pos) >= 0:
                    break
            else:
                return True
        return False
    for alts in required:
        for a in alts:
            if a in text:
                break
        else:
            return True
    return False


# `\s` of the `regex` module is Unicode White_Space; `re` also takes \x1c-\x1f (str.isspace)
WHITE_SPACE_RE = r"[^\S\x1c-\x1f]"
NOT_WHITE_SPACE_RE = r"[\S\x1c-\x1f]"
# escapes that mean the same in both engines (\s, \S, \d, \D spelt out, see stdlib_form)
_SAME_ESCAPES = frozenset("sSdDtnrfvaxuU0123456789")
# the body of a character class for \s (inside a class, where "[^\S…]" cannot be written)
WHITE_SPACE_BODY = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CLASSES: dict = {}


def unicode_classes() -> dict:
    r"""Character classes of the `regex` module that `re` spells differently, as class bodies
    of ranges: ``digits``, the digits of a newer Unicode version that only `regex` knows (\d
    of both is Unicode Nd, each by its own version; None when `re` knows one `regex` does not).
    Found by matching over every code point with both, and kept in the start-up cache (keyed by
    the Python and `regex` versions).  (\p{Han} is left to `regex`: as 21 ranges over the
    whole of Unicode `re` takes ~3 ms to compile it, several times what `regex` takes.)"""
    if not _CLASSES:
        from .startcache import load
        _CLASSES.update(load("unicode-classes", [], _regex_classes))
    return _CLASSES


def _body(spans) -> str | None:
    """A class body from (first, last) code points; None if one is ASCII (no escaping needed
    then: the characters themselves, which `re` parses fastest)."""
    if any(a < 0x80 for a, _b in spans):
        return None
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in spans)


def _regex_classes() -> dict:
    import array
    every = array.array("I", range(0x110000)).tobytes().decode("utf-32-le", "surrogatepass")
    ours = {m.start() for m in _re.finditer(r"\d", every)}
    theirs = {m.start() for m in _regex.finditer(r"\d", every, flags=_regex.V0)}
    digits = None
    if ours <= theirs:
        spans: list[list[int]] = []
        for c in sorted(theirs - ours):          # runs of consecutive code points as ranges
            if spans and spans[-1][1] == c - 1:
                spans[-1][1] = c
            else:
                spans.append([c, c])
        digits = _body(spans)
    return {"digits": digits}


_COUNT_BRACE = _re.compile(r"\d+(?:,\d*)?|,\d+")


def stdlib_form(pattern: str) -> str | None:
    r"""The same pattern for the standard library's `re`, when it provably means the same as in
    the `regex` module (VERSION0); None: keep the `regex` module.  Refused: escapes whose
    meaning differs between the two (\w, \b, \p{…} follow different definitions), inline
    flags other than a leading (?m) (case folding differs), braces other than counted
    repetitions (`regex` reads {e<=1} as fuzzy matching, `re` as text), nested sets, \S or \D
    inside a class.  \s and \S are spelt out as Unicode White_Space (``WHITE_SPACE_RE``,
    ``WHITE_SPACE_BODY``); \d gets the digits of a newer Unicode version that only `regex`
    knows (:func:`unicode_classes`).  `re` compiles several times faster, which is most of what
    the first check of a cold start spends on the ~50 shipped patterns it uses
    (tests/core/test_stdlib_patterns.py checks the matches are the same)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    if pattern.startswith("(?m)"):     # multi-line ^ and $: the same in both (lines end at \n)
        out.append("(?m)")
        i = 4
    in_class = first_in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                return None
            e = pattern[i + 1]
            if e.isalnum() or e == "_":
                if e not in _SAME_ESCAPES:
                    return None
                if e in "sS":
                    if in_class and e == "S":
                        return None
                    out.append(WHITE_SPACE_BODY if in_class else WHITE_SPACE_RE if e == "s" else NOT_WHITE_SPACE_RE)
                    first_in_class = False
                    i += 2
                    continue
                if e in "dD":
                    extra = unicode_classes()["digits"]
                    if extra is None or (in_class and e == "D"):
                        return None
                    out.append(f"\\d{extra}" if in_class else f"[\\d{extra}]" if e == "d" else f"[^\\d{extra}]")
                    first_in_class = False
                    i += 2
                    continue
            elif not e.isascii():
                return None
            out.append(pattern[i:i + 2])
            first_in_class = False
            i += 2
            continue
        if in_class:
            if ch == "[":      # nested sets, POSIX classes: the engines differ
                return None
            if ch == "]" and not first_in_class:
                in_class = False
        elif ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            first_in_class = True
            continue
        elif ch == "(" and pattern.startswith("(?", i):
            nxt = pattern[i + 2:i + 3]
            if not (nxt in (":", "=", "!") or pattern.startswith(("(?<=", "(?<!", "(?P<"), i)):
                return None
        elif ch == "{":
            close = pattern.find("}", i)
            if close < 0 or not _COUNT_BRACE.fullmatch(pattern[i + 1:close]):
                return None
        out.append(ch)
        first_in_class = False
        i += 1
    if in_class:
        return None
    return "".join(out)


def _compile_trusted(pattern: str):
    pattern = _HEX_BRACE.sub(lambda m: "\\U%08x" % int(m.group(1), 16), pattern)
    plain = stdlib_form(pattern)
    if plain is not None:
        import warnings
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")   # e.g. FutureWarning: possible nested set
                return _re.compile(plain)
        except (Warning, _re.error, ValueError, OverflowError, RecursionError):
            pass      # something `re` does not take (variable-width look-behind …): `regex`
    return _regex.compile(pattern, _regex.V0)


def _compile_engine(pattern: str, engine: str):
    """The compiled form of a pattern already accepted by :func:`compile_safe` for ``engine``."""
    if engine == "trusted":
        return _compile_trusted(pattern)
    if engine == "re2":
        return _re2_compile(pattern)
    return _regex.compile(pattern)


def _re2_compile(pattern: str):
    import re2
    opts = re2.Options()
    opts.max_mem = 8 << 20
    opts.log_errors = False
    return re2.compile(pattern, options=opts)


def _have_re2() -> bool:
    try:
        import re2  # noqa: F401 - linear-time engine (a declared dependency)
    except ImportError:  # pragma: no cover
        return False
    return True


def compile_safe(pattern: str) -> SafePattern:
    if not isinstance(pattern, str) or not pattern:
        raise PatternError(Msg("正则表达式必须是非空文本", "a regular expression must be non-empty text"))
    if _TRUSTED.get():
        try:
            return SafePattern(pattern, "trusted", _compile_engine(pattern, "trusted"))
        except _regex.error as exc:
            raise PatternError(_bad(pattern, exc)) from None
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(msg("正则表达式“{p}”太长（{n:,} 字符，上限 {m:,}）", 'regular expression "{p}" is too long ({n:,} '
                               "characters, at most {m:,})", p=_shown(pattern), n=len(pattern), m=MAX_PATTERN_CHARS))
    why = Msg("RE2 不支持其中的写法", "uses syntax RE2 does not support")
    if _have_re2():
        try:
            return SafePattern(pattern, "re2", _re2_compile(pattern))
        except Exception as exc:  # noqa: BLE001 - RE2 rejects look-around etc.; try the fallback
            if "too big" in str(exc) or "bad repetition" in str(exc):
                why = Msg("对 RE2 来说太大", "is too big for RE2")
    size = expanded_size(pattern)
    if size > MAX_FALLBACK_SIZE:
        shown = Msg(f"{size:,}", f"{size:,}") if size < _CAP else Msg("极多", "countless")
        raise PatternError(msg("正则表达式“{p}”{w}，而备用引擎要把其中的计数重复展开成约 {s} 个元素（上限 {m:,}），已拒绝；"
                               "请减少 {{n}} 重复次数或拆成几个简单的表达式",
                               'regular expression "{p}" {w}, and the fallback engine would expand its counted repeats into '
                               "about {s} elements (at most {m:,}); refused: use fewer {{n}} repeats or split it into simpler "
                               "expressions", p=_shown(pattern), w=why, s=shown, m=MAX_FALLBACK_SIZE))
    try:
        return SafePattern(pattern, "regex", _regex.compile(pattern))
    except _regex.error as exc:
        raise PatternError(_bad(pattern, exc)) from None
    except (RecursionError, OverflowError, MemoryError) as exc:
        raise PatternError(msg("正则表达式“{p}”无法编译（{t}）", 'regular expression "{p}" cannot be compiled ({t})',
                               p=_shown(pattern), t=type(exc).__name__)) from None


def _bad(pattern: str, exc) -> Msg:
    return msg("正则表达式“{p}”有误：{e}", 'regular expression "{p}" is wrong: {e}', p=_shown(pattern), e=str(exc))


# --------------------------------------------------------------------------------------
# sieves: a `re` pattern that matches wherever a shipped `regex`-module pattern does
# --------------------------------------------------------------------------------------
# atomic groups and possessive quantifiers (``(?>…)``, ``x*+``): what they hold does not give
# back what it took, so a wider ``.`` in them can make the rest fail where the pattern matches
_NO_BACKTRACK = _re.compile(r"\(\?>|[*+?}]\+")


def sieve_form(pattern: str) -> tuple[str, int] | None:
    r"""(pattern for `re`, width) for a shipped pattern the `regex` module runs only because
    of ``\p{Han}``: the same pattern with each ``\p{Han}`` as ``.`` — a Han character is
    never a line break, so wherever the pattern matches, this one matches too (it takes more
    texts, never fewer) — less a leading ``\p{Han}`` of ``width`` 1.  ``re`` scans for it in
    C, several times faster than the `regex` module, and the pattern itself need only be
    tried where it matches (:meth:`SafePattern.finditer`).  None when there is no such form:
    ``\p{…}`` in a class or in a repeated group (``.`` there could make the scan slow),
    other ``\p{…}``, or anything :func:`stdlib_form` does not take."""
    if "\\p{Han}" not in pattern or _NO_LITERALS.search(pattern):
        return None
    if _NO_BACKTRACK.search(pattern):
        return None       # an atomic group or possessive quantifier: ``.`` there may match less
    width = 0
    body = pattern
    if body.startswith("\\p{Han}") and not body.startswith(("*", "+", "?", "{"), 7):
        body, width = body[7:], 1
    try:
        relaxed = _relaxed(body, True)
    except (_Unreadable, IndexError):
        return None
    if "\\p" in relaxed or "\\P" in relaxed:
        return None
    plain = stdlib_form(_HEX_BRACE.sub(lambda m: "\\U%08x" % int(m.group(1), 16), relaxed))
    return None if plain is None else (plain, width)


def _relaxed(p: str, free: bool) -> str:
    """``p`` with each ``\\p{Han}`` as ``.``; ``free``: not inside a group that repeats."""
    out: list[str] = []
    i, n = 0, len(p)
    while i < n:
        ch = p[i]
        if ch == "\\":
            if p.startswith("\\p{Han}", i):
                if not free:
                    raise _Unreadable
                out.append(".")
                i += 7
                continue
            out.append(p[i:i + 2])
            i += 2
        elif ch == "[":
            j = _need(_after_class(p, i))
            out.append(p[i:j])
            i = j
        elif ch == "(":
            j, body = _group(p, i)
            j = _need(j)
            if body is None:                 # look-around, scoped flags: copied as they are
                out.append(p[i:j])
                i = j
                continue
            k = _need(_after_quantifier(p, j))
            out.append(p[i:j - 1 - len(body)])
            out.append(_relaxed(body, free and p[j:k] in ("", "?", "??")))
            out.append(p[j - 1:k])
            i = k
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _make_sieve(pattern: str, required):
    """(compiled sieve, width) of a shipped pattern (:func:`sieve_form`); None without one, or
    when a match could be empty (the sieve's scan steps past a place only after a match)."""
    if not required or not all(all(alts) for alts in required):
        return None
    form = sieve_form(pattern)
    if form is None:
        return None
    import warnings
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return _re.compile(form[0]), form[1]
    except (Warning, _re.error, ValueError, OverflowError, RecursionError):
        return None
