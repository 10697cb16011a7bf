"""One line per finding: path:line:col: RULE [severity] message (grep- and editor-friendly)."""

from __future__ import annotations

from . import register
from .safe import safe_text


def line_for(f, lang="zh") -> str:
    from ..findings import elsewhere
    loc = f.location
    where = f" ({safe_text(loc.where)})" if loc.where else ""
    return (f"{safe_text(f.path)}:{loc.line}:{loc.column}: {f.rule} [{f.severity}] {safe_text(f.text(lang))}{where}"
            f"{safe_text(elsewhere(f, lang))}")


@register("concise")
def render(results, out, *, lang="zh", quiet=False, **_kw):
    n = 0
    for r in results:
        err = getattr(r, "error", None)
        if err:
            out.write(f"{safe_text(r.path)}: 错误: {safe_text(err)}\n")
        for f in r.findings:
            out.write(line_for(f, lang) + "\n")
            n += 1
    if not quiet:
        files = len(results)
        out.write(f"共检查{files}个文件，发现{n}个问题。\n" if lang == "zh" else f"{files} file(s) checked, {n} finding(s).\n")
