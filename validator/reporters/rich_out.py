"""The terminal view for editors: per file, errors first (a heading per severity), each finding
with the offending source line, a ^^^ marker under the cell or words it concerns (also
without colour, when piped), the suggestion and the legal basis; a per-severity summary."""

from __future__ import annotations

from ..i18n import SEVERITY_ORDER, count_by_severity, severity_word, where_en
from . import register
from .common import error_text, file_header, ordered, summary
from .safe import safe_text

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_WINDOW = 60      # characters shown either side of the finding on a long line
_LONG = 160
_SHORT = 24       # a line this short holding a table cell needs the line before to be understood
_INDENT = "         "


def extracted_line(src, f):
    """For PDF/DOCX (no original text lines): the line of extracted text around the finding,
    in the report's own characters, with the offsets of the finding inside it."""
    if src is None or not f.span or not getattr(src, "text", None):
        return None
    text = src.raw if getattr(src, "raw", None) is not None else src.text
    a, b = f.span
    if not (0 <= a <= len(text)):
        return None
    ls = text.rfind("\n", 0, a) + 1
    le = text.find("\n", a)
    le = len(text) if le < 0 else le
    return text[ls:le], a - ls, min(b, le) - ls


def _expand(line: str, s: int, e: int) -> tuple[str, int, int]:
    """Tabs expanded (4), with the offsets moved along."""
    if "\t" not in line:
        return line, s, e
    out, pos = [], {}
    col = 0
    for i, ch in enumerate(line):
        pos[i] = col
        if ch == "\t":
            n = 4 - col % 4
            out.append(" " * n)
            col += n
        else:
            out.append(ch)
            col += 1
    pos[len(line)] = col
    return "".join(out), pos.get(s, col), pos.get(e, col)


def _gutter(label) -> str:
    """The line number (or the page, 第4页) right-aligned in five display columns."""
    from rich.cells import cell_len
    label = str(label)
    return " " * max(0, 5 - cell_len(label)) + label + " │ "


def source_snippet(src, f) -> list:
    """The lines shown under a finding: [context line,] the source line with the place
    highlighted, and a marker line (^^^) under it.  Empty when there is no source."""
    if src is None:
        return []
    from rich.cells import cell_len
    from rich.text import Text  # rich is imported only when this reporter runs (start-up time)
    loc = f.location
    context = None
    if getattr(src, "original_lines", None) is None:
        got = getattr(f, "excerpt", None) or extracted_line(src, f)
        if got is None:
            return []
        line, s, e = got
        label = (loc.where or "").split(" ")[0] or loc.line
    else:
        line = src.original_line(loc.line)
        if line is None:
            return []
        label = loc.line
        s = max(0, loc.column - 1)
        e = (loc.end_column - 1) if (loc.end_line == loc.line and loc.end_column) else len(line)
        if f.table and (f.row or f.column) and loc.line > 1 and len(line.strip()) <= _SHORT:
            # a cell alone on its line (tables flattened one cell per line): the line before
            # names the row
            prev = src.original_line(loc.line - 1)
            if prev is not None and prev.strip() and len(prev) <= _LONG:
                context = Text(_gutter(loc.line - 1), style="dim") + Text(_expand(prev, 0, 0)[0], style="dim")
    line = safe_text(line, keep="\t")   # a line with control characters is shown escaped
    line, s, e = _expand(line, min(s, len(line)), min(max(e, s), len(line)))
    if e <= s:
        e = min(len(line), s + 1)
    lo, hi = 0, len(line)
    if len(line) > _LONG:  # one-line page text: a window around the finding
        lo, hi = max(0, s - _WINDOW), min(len(line), e + _WINDOW)
    shown = line[lo:hi]
    body = Text(shown)
    if s < hi:
        body.stylize("bold reverse " + _STYLE[f.severity].split()[-1], s - lo, min(e, hi) - lo)
    lead = "…" if lo > 0 else ""
    t = Text(_gutter(label), style="dim") + Text(lead) + body + Text("…" if hi < len(line) else "")
    pad = cell_len(lead) + cell_len(shown[: max(0, s - lo)])
    width = max(1, cell_len(line[s:min(e, hi)])) if s < len(line) else 1
    marker = Text(" " * max(5, cell_len(str(label))) + " │ ", style="dim") + Text(" " * pad + "^" * width, style=_STYLE[f.severity])
    return [x for x in (context, t, marker) if x is not None]


@register("rich", shows_source=True, lists_related=False, shows_cells=False)
def render(results, out, *, lang="zh", quiet=False, color=True, baseline=0, **_kw):
    from rich.console import Console
    from rich.text import Text
    console = Console(file=out, no_color=not color, highlight=False, soft_wrap=True, emoji=False,
                      markup=False, force_terminal=bool(color))
    en = lang == "en"
    for r in results:
        if getattr(r, "error", None):
            console.print(Text(f"{safe_text(r.path)}: ", style="bold") +
                          Text(("error: " if en else "错误：") + safe_text(error_text(r, lang)), style="bold red"))
            continue
        if not r.findings:
            if not quiet:
                console.print(Text(f"✓ {safe_text(r.path)}", style="green") + Text("  clean" if en else "  未发现问题", style="dim"))
            continue
        head = Text(safe_text(r.path), style="bold underline")
        if not quiet:
            head.append(file_header(getattr(r, "report", None), lang), style="dim")
        console.print(head)
        counts = count_by_severity(r.findings)
        current = None
        for f in ordered(r.findings):
            if f.severity != current and not quiet:
                current = f.severity
                n = counts[current]
                word = severity_word(current, lang)
                console.print(Text(f"  {word}s ({n})" if en and current != "info" else
                                   (f"  {word} ({n})" if en else f"  {word}（{n}）"), style=_STYLE[current]))
            loc = f.location
            pos = safe_text(f.where(lang)) or f"{loc.line}:{loc.column}"
            line = Text(f"  {pos:<8} ", style="bold")
            line.append(f"{f.rule} ", style="magenta")
            line.append(f"{severity_word(f.severity, lang)} ", style=_STYLE[f.severity])
            line.append(safe_text(f.text(lang)))
            console.print(line)
            if quiet:
                continue
            for sl in source_snippet(getattr(r, "source", None), f):
                console.print(Text(_INDENT) + sl)
            for rel in f.related:  # places in another file (last year's report, another copy)
                if getattr(rel, "path", None):
                    w = (where_en(rel.where) if en else rel.where) if rel.where else ""
                    pos = f"{rel.path}:{rel.line}:{rel.column}" + (f" {w}" if w else "")
                    console.print(Text(_INDENT + ("see also: " if en else "另见："), style="cyan")
                                  + Text(safe_text(pos + (f"  {rel.label}" if rel.label else ""))))
            advice = f.advice(lang)
            if advice:
                console.print(Text(_INDENT + ("fix: " if en else "建议："), style="green") + Text(safe_text(advice)))
            if f.basis:
                console.print(Text(_INDENT + ("basis: " if en else "依据："), style="dim") + Text(safe_text(f.basis), style="dim"))
        console.print()
    console.print(Text(summary(results, lang, baseline), style="bold"))


__all__ = ["render", "extracted_line", "source_snippet", "SEVERITY_ORDER"]
