"""One line per finding: path:line:col: RULE [severity] message (grep- and editor-friendly)."""

from __future__ import annotations

from . import register


def line_for(f, lang="zh") -> str:
    from ..findings import elsewhere
    loc = f.location
    where = f" ({loc.where})" if loc.where else ""
    return f"{f.path}:{loc.line}:{loc.column}: {f.rule} [{f.severity}] {f.text(lang)}{where}{elsewhere(f, lang)}"


@register("concise")
def render(results, out, *, lang="zh", quiet=False, **_kw):
    n = 0
    for r in results:
        err = getattr(r, "error", None)
        if err:
            out.write(f"{r.path}: 错误: {err}\n")
        for f in r.findings:
            out.write(line_for(f, lang) + "\n")
            n += 1
    if not quiet:
        files = len(results)
        out.write(f"共检查{files}个文件，发现{n}个问题。\n" if lang == "zh" else f"{files} file(s) checked, {n} finding(s).\n")
