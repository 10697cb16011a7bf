"""The terminal view for editors: findings grouped by file, the offending source line with
the cell highlighted, the suggestion and the legal basis, and a summary."""

from __future__ import annotations

from collections import Counter

from ..findings import SEVERITY_ZH
from . import register
from .safe import safe_text

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


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


def _source_line(src, f):
    if src is None:
        return None
    from rich.text import Text  # rich is imported only when this reporter runs (start-up time)
    loc = f.location
    if src.original_lines is None:
        got = getattr(f, "excerpt", None) or extracted_line(src, f)
        if got is None:
            return None
        line, s, e = got
        t = Text(f"{(loc.where or '').split(' ')[0] or loc.line:>5} │ ", style="dim")
    else:
        line = src.original_line(loc.line)
        if line is None:
            return None
        t = Text(f"{loc.line:>5} │ ", style="dim")
        s = max(0, loc.column - 1)
        e = (loc.end_column - 1) if (loc.end_line == loc.line and loc.end_column) else len(line)
    line = safe_text(line, keep="\t")   # a line with control characters is shown escaped
    body = Text(line.expandtabs(4) if "\t" not in line else line)
    if e <= s:
        e = min(len(line), s + 1)
    body.stylize("bold reverse " + _STYLE[f.severity].split()[-1], s, e)
    if len(line) > 160:  # one-line page text: show a window around the finding
        lo = max(0, s - 60)
        hi = min(len(line), e + 60)
        body = body[lo:hi]
        if lo > 0:
            body = Text("…") + body
        if hi < len(line):
            body.append("…")
    t.append(body)
    return t


@register("rich")
def render(results, out, *, lang="zh", quiet=False, color=True, **_kw):
    from rich.console import Console
    from rich.text import Text
    console = Console(file=out, no_color=not color, highlight=False, soft_wrap=True,
                      force_terminal=color if color else None)
    total = Counter()
    for r in results:
        err = getattr(r, "error", None)
        if err:
            console.print(Text(f"{safe_text(r.path)}: ", style="bold") + Text(f"错误：{safe_text(err)}", style="bold red"))
            continue
        if not r.findings:
            if not quiet:
                console.print(Text(f"✓ {safe_text(r.path)}", style="green") + Text("  未发现问题" if lang == "zh" else "  clean", style="dim"))
            continue
        rep = getattr(r, "report", None)
        head = Text(safe_text(r.path), style="bold underline")
        if rep is not None and not quiet:
            tmpl = {"2019": "2019年格式", "2021": "2021年格式", "legacy": "2019年以前（2008年条例）"}.get(rep.template or "", "格式未定")
            year = f"{rep.metadata.year}年度" if rep.metadata.year else "年度未知"
            head.append(f"  （{year}，{tmpl}）", style="dim")
        console.print(head)
        for f in r.findings:
            total[f.severity] += 1
            loc = f.location
            pos = safe_text(loc.where) or f"{loc.line}:{loc.column}"
            line = Text(f"  {pos:<8} ", style="bold")
            line.append(f"{f.rule} ", style="magenta")
            line.append(f"{SEVERITY_ZH[f.severity] if lang == 'zh' else f.severity} ", style=_STYLE[f.severity])
            line.append(safe_text(f.text(lang)))
            console.print(line)
            if quiet:
                continue
            sl = _source_line(getattr(r, "source", None) and r.source, f)
            if sl is not None:
                console.print(Text("         ") + sl)
            for rel in f.related:  # places in another file (last year's report, another copy)
                if getattr(rel, "path", None):
                    pos = f"{rel.path}:{rel.line}:{rel.column}" + (f" {rel.where}" if rel.where else "")
                    console.print(Text("         另见：" if lang == "zh" else "         see also: ", style="cyan")
                                  + Text(safe_text(pos + (f"  {rel.label}" if rel.label else ""))))
            if f.suggestion:
                console.print(Text("         建议：" if lang == "zh" else "         fix: ", style="green") + Text(safe_text(f.suggestion)))
            if f.basis:
                console.print(Text("         依据：" if lang == "zh" else "         basis: ", style="dim") + Text(safe_text(f.basis), style="dim"))
        console.print()
    n = sum(total.values())
    if lang == "zh":
        parts = [f"{SEVERITY_ZH[s]}{total[s]}个" for s in ("error", "warning", "info") if total[s]]
        console.print(Text(f"共检查{len(results)}个文件，发现{n}个问题" + (f"（{'，'.join(parts)}）" if parts else "") + "。",
                           style="bold"))
    else:
        console.print(Text(f"{len(results)} file(s) checked, {n} finding(s).", style="bold"))
