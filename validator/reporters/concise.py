"""One line per finding: path:line:col: RULE [severity] message (grep- and editor-friendly).
Within a file errors come first; the last line counts errors, warnings and notes."""

from __future__ import annotations

from ..findings import LINE_FIELDS, elsewhere
from . import register
from .common import error_text, ordered, summary
from .safe import safe_text


def line_for(f, lang="zh") -> str:
    loc = f.location
    w = f.where(lang)
    where = f" ({w})" if w else ""
    return safe_text(f"{f.path}:{loc.line}:{loc.column}: {f.rule} [{f.severity}] {f.text(lang)}{where}{elsewhere(f, lang)}")


@register("concise", lists_related=False, shows_cells=False, reads=LINE_FIELDS)
def render(results, out, *, lang="zh", quiet=False, baseline=0, **_kw):
    for r in results:
        if getattr(r, "error", None):
            word = "error" if lang == "en" else "错误"
            out.write(safe_text(f"{r.path}: {word}: {error_text(r, lang)}") + "\n")
        for f in ordered(r.findings):
            out.write(line_for(f, lang) + "\n")
    if not quiet:
        out.write(summary(results, lang, baseline) + "\n")
