"""Inline directives (``xxgk-lint: disable=…`` in a ``#``, ``//`` or ``<!-- -->`` comment):
their syntax, and the text with them blanked.

The syntax lives here, below every stage that needs it: the text reader recognises tables
in the text as the parser will see it (a directive after a table row does not make the row
prose), and validator/suppress.py finds and applies the directives."""

from __future__ import annotations

from .lazyre import later

# a comment opener, then the directive; for <!-- the comment ends at -->, else at end of line
DIRECTIVE_RE = later(
    r"(?P<open><!--|#|//)[ \t]*xxgk-lint[ \t]*:[ \t]*"
    r"(?P<action>disable-next-line|disable-line|disable-file|disable|enable)\b"
    r"(?:[ \t]*=[ \t]*(?P<codes>[A-Za-z0-9_\-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-]+)*))?"
    r"[ \t]*(?P<close>-->)?")


def directive_spans(text: str) -> list[tuple[int, int]]:
    """Where the directive comments are in ``text`` (each up to its ``-->`` or line end)."""
    if "xxgk-lint" not in text:
        return []
    out = []
    for m in DIRECTIVE_RE.finditer(text):
        start = m.start()
        nl = text.find("\n", start)
        nl = nl if nl >= 0 else len(text)
        if m.group("open") == "<!--":
            close = text.find("-->", start)
            end = close + 3 if 0 <= close < nl else nl
        else:
            end = nl
        out.append((start, end))
    return out


def blank_directives_text(text: str) -> str:
    """``text`` with every directive comment replaced by spaces (same length)."""
    spans = directive_spans(text)
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
