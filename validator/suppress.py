"""Inline suppressions, in every format that can carry a comment.

    <!-- xxgk-lint: disable=A303 -->              HTML, Markdown (and text)
    # xxgk-lint: disable=A303                      plain text (also // …)

Actions (RULES is a comma-separated list of rule ids, names or categories; none = all rules):

    disable=RULES            on a line of its own: from here to the matching ``enable`` (or
                             the end of the file); after other text on a line: that line only
    enable=RULES             ends a ``disable`` range (``enable`` alone ends every range)
    disable-line=RULES       this line only
    disable-next-line=RULES  the next line that has text
    disable-file=RULES       the whole file

Directives are found on the original file's lines (``SourceText.original_lines``), the
same line numbers findings carry.  Before parsing, directive comments are blanked out of the
text (replaced by spaces, so every offset and the source map stay valid), so a directive
line inside a table does not become a table row.

A directive that suppresses nothing is reported as rule X100 (unused-suppression), as ruff's
RUF100 does; X100 can itself be suppressed or ignored like any rule.
"""

from __future__ import annotations

from dataclasses import field

from .directives import DIRECTIVE_RE, blank_directives_text
from .records import record
from .rules import is_selected as _selected
from .rules.kinds import _Safe

UNUSED_RULE = "X100"

_ALL = {"all", "ALL"}


@record
class Directive:
    """One inline ``xxgk-lint: disable…`` comment: where it is, its action and rule codes."""

    line: int
    column: int               # 1-based, at the comment opener
    end_column: int
    action: str
    codes: tuple[str, ...]    # as written; () = all rules
    standalone: bool          # the comment is the only thing on its line
    used: set = field(default_factory=set)   # codes that suppressed at least one finding


def find_directives(lines: list[str] | None) -> list[Directive]:
    out: list[Directive] = []
    # most texts have none: one look at the joined lines (in C) rather than one per line
    if not lines or "xxgk-lint" not in "\n".join(lines):
        return out
    for no, raw in enumerate(lines, 1):
        if "xxgk-lint" not in raw:
            continue
        for m in DIRECTIVE_RE.finditer(raw):
            if m.group("open") == "<!--":
                close = raw.find("-->", m.start())
                end = close + 3 if close >= 0 else len(raw)
            else:
                end = len(raw.rstrip("\r\n"))
            codes = tuple(c.strip() for c in (m.group("codes") or "").split(",") if c.strip())
            if any(c in _ALL for c in codes):
                codes = ()
            rest = (raw[:m.start()] + raw[end:]).strip()
            out.append(Directive(no, m.start() + 1, end + 1, m.group("action"), codes, not rest))
    return out


def blank_directives(src):
    """The SourceText with directive comments replaced by spaces (same length, same map)."""
    new = blank_directives_text(src.text)
    if new is src.text:
        return src
    return src.map_text(lambda t, _new=new: _new if len(t) == len(_new) else t)


class Suppressions:
    """The directives of one file, ready to filter its findings."""

    def __init__(self, directives: list[Directive], lines: list[str] | None):
        self.directives = directives
        self._lines = lines or []
        # (directive, code or None, first line, last line)
        self._spans: list[tuple[Directive, str | None, int, int]] = []
        self._built = False

    def _next_text_line(self, line: int) -> int:
        """The next line with text that is not itself a directive line."""
        skip = {d.line for d in self.directives if d.standalone}
        for k in range(line + 1, len(self._lines) + 1):
            if k not in skip and self._lines[k - 1].strip():
                return k
        return line + 1

    def _build(self, rules=None):
        """Spans of lines per directive and code; ``enable=A301`` also closes a range opened
        with the rule's name (``disable=table3-balance``) and vice versa."""
        def canon(code):
            r = rules.by_id(code) if rules is not None else None
            return r.id if r is not None else code

        self._built = True
        open_: dict[str | None, tuple[Directive, int]] = {}
        for d in self.directives:
            codes = d.codes or (None,)
            if d.action == "disable-file":
                for c in codes:
                    self._spans.append((d, c, 1, 10 ** 9))
            elif d.action == "disable-line" or (d.action == "disable" and not d.standalone):
                for c in codes:
                    self._spans.append((d, c, d.line, d.line))
            elif d.action == "disable-next-line":
                nxt = self._next_text_line(d.line)
                for c in codes:
                    self._spans.append((d, c, nxt, nxt))
            elif d.action == "disable":
                for c in codes:
                    if c not in open_:
                        open_[c] = (d, d.line)
            elif d.action == "enable":
                if not d.codes:
                    keys = list(open_)
                else:
                    closing = {canon(c) for c in d.codes}
                    keys = [k for k in open_ if k is not None and canon(k) in closing]
                for k in keys:
                    od, start = open_.pop(k)
                    self._spans.append((od, k, start, d.line))
        for k, (od, start) in open_.items():
            self._spans.append((od, k, start, 10 ** 9))

    @staticmethod
    def _matches(code: str | None, f) -> bool:
        if code is None:
            return True
        return code.upper() == f.rule or code == f.name or code == f.category

    def suppressing(self, f):
        """The (directive, code) that suppresses finding f, or None."""
        if not self._built:
            self._build()
        line = f.location.line
        for d, code, a, b in self._spans:
            if a <= line <= b and self._matches(code, f):
                return d, code
        return None

    def apply(self, findings: list, rules, opts) -> list:
        if not self.directives:
            return findings
        self._build(rules)
        kept = []
        for f in findings:
            hit = self.suppressing(f)
            if hit is None:
                kept.append(f)
            else:
                hit[0].used.add(hit[1])
        kept.extend(self._unused(rules, opts))
        kept = [f for f in kept if f.rule != UNUSED_RULE or self.suppressing(f) is None]
        from .findings import Finding
        kept.sort(key=Finding.sort_key)
        return kept

    def _unused(self, rules, opts) -> list:
        from .findings import CATEGORIES, Finding
        from .source import Location
        rule = rules.by_id(UNUSED_RULE) if rules is not None else None
        if rule is None or not _selected(rule, opts):
            return []
        sev = opts.severity.get(rule.id) or opts.severity.get(rule.name) or rule.severity
        out = []
        for d in self.directives:
            if d.action == "enable":
                continue
            for code in d.codes or (None,):
                if code in d.used:
                    continue
                if code is not None and code not in CATEGORIES and rules.by_id(code) is None:
                    why = f"没有名为“{code}”的规则"
                    why_en = f"there is no rule “{code}”"
                elif code is None:
                    why = "它没有抑制任何问题"
                    why_en = "it suppresses nothing"
                elif code not in CATEGORIES and not _selected(rules.by_id(code), opts):
                    why = f"规则{code}没有启用（select/ignore）"
                    why_en = f"rule {code} is not enabled (select/ignore)"
                else:
                    why = f"这里没有{code}的问题"
                    why_en = f"no {code} finding here"
                what = f"{d.action}={code}" if code else d.action
                msg = rule.message.format_map(_Safe(directive=what, reason=why))
                msg_en = rule.message_en.format_map(_Safe(directive=what, reason=why_en)) if rule.message_en else None
                loc = Location(d.line, d.column, d.line, d.end_column)
                path = getattr(self, "path", "<string>")
                out.append(Finding(rule.id, rule.category, sev, msg, path, loc, rule.name, msg_en,
                                   basis=rule.basis, suggestion=rule.suggestion))
        return out


def prepare(src):
    """Find the directives of a SourceText; returns (text to parse, Suppressions)."""
    sup = Suppressions(find_directives(src.original_lines), src.original_lines)
    sup.path = src.path
    if not sup.directives:
        return src, sup
    return blank_directives(src), sup
