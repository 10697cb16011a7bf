"""One escaping function for every text output (issue 16.6): what a report contains must not
reach the reader's terminal or CI log as control sequences.

A report (or a file name) may carry ESC sequences that clear the screen, retitle the window
or hide text (``ESC[2J``, ``ESC]0;…BEL``), carriage returns and line breaks that forge
extra lines, bidirectional overrides that reorder what is shown ("Trojan Source"), and lone
surrogates that cannot be encoded.  :func:`safe_text` shows each of them as a visible
escape (``\\x1b``, ``\\u202e``) and leaves every other character — Chinese text, full-width
punctuation — as it is.  Used by the rich, concise, github and junit reporters and by the
command line's error lines; JSON and SARIF escape through their own encoders.
"""

from __future__ import annotations

import re
from ..lazyre import later

# C0 and C1 controls and DEL; bidirectional embeddings, overrides and isolates, the
# direction marks; line and paragraph separators; lone surrogates
_CLASS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = later(f"[{_CLASS}]")
_PATTERNS: dict[str, re.Pattern] = {"": _UNSAFE}


def _escape(m: re.Match) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def safe_text(s, *, keep: str = "") -> str:
    """``s`` with every control character shown as an escape (one line, nothing hidden);
    ``keep``: characters the output format handles itself ("\t" for a source line shown
    with its tabs, "\r\n" for GitHub's %0D/%0A)."""
    if s is None:
        return ""
    s = s if isinstance(s, str) else str(s)
    if s.isprintable():
        # every character of _CLASS is unprintable (tests/core/test_fast_paths.py): nothing
        # to escape, found in one C loop (the pattern's search costs twice as much a line)
        return s
    pat = _PATTERNS.get(keep)
    if pat is None:
        pat = _PATTERNS[keep] = re.compile(f"(?![{re.escape(keep)}])[{_CLASS}]")
    return pat.sub(_escape, s) if pat.search(s) else s
