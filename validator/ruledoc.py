"""Rule documentation from the YAML itself: `xxgk-lint rule CODE`, `xxgk-lint rules`, and the
README's rule reference (generated, checked up to date by a test)."""

from __future__ import annotations

import json

from .findings import CATEGORY_ZH, SEVERITY_ZH

_OPEN = "“‘《（(「【["
_CLOSE = "”’》）)」】]"


def rule_summary(rule, lang: str = "zh") -> str:
    """The rule in one full sentence: the first sentence of its explanation (a full stop
    outside quotes and brackets ends it), or its message when it has no explanation."""
    text = join_lines(explanation(rule, lang))
    if not text:
        return (rule.message_en if lang == "en" and rule.message_en else rule.message).strip()
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in "。！？" or (ch in ".!?" and (i + 1 == len(text) or text[i + 1] == " "))):
            return text[: i + 1].strip()
    return text


CATEGORY_EN = {"structure": "structure", "arithmetic": "arithmetic", "consistency": "consistency",
               "content": "content", "metadata": "metadata", "format": "format", "parse": "parse"}


def join_lines(text: str) -> str:
    """A wrapped YAML text as one line: Chinese lines join without a space, English with one."""
    out = ""
    for ln in (x.strip() for x in (text or "").splitlines()):
        if not ln:
            continue
        if out and (out[-1].isascii() or ln[0].isascii()) and not (out[-1] in "，。；：、）”」" or ln[0] in "（“「"):
            out += " "
        out += ln
    return out


def explanation(rule, lang: str = "zh") -> str:
    return ((rule.explanation_en if lang == "en" and rule.explanation_en else rule.explanation) or "").strip()


def render_rule(rule, out, lang="zh"):
    """`xxgk-lint rule CODE`: every text goes out as plain text (a rule's own words such as
    “<!--[if !supportLists]-->” are never read as console markup)."""
    from rich.console import Console
    from rich.text import Text
    en = lang == "en"
    c = Console(file=out, highlight=False, soft_wrap=True, markup=False, emoji=False)
    c.print(Text(f"{rule.id}  {rule.name}", style="bold"))
    kind = rule.kind or f"emitted_by: {rule.emitted_by}"
    if en:
        head = (f"category: {rule.category}   default severity: {rule.severity}   kind: {kind}   "
                f"applies to: {', '.join(rule.templates)}")
    else:
        head = (f"类别：{rule.category}（{CATEGORY_ZH[rule.category]}）　默认级别：{rule.severity}（{SEVERITY_ZH[rule.severity]}）"
                f"　规则类型：{rule.kind or '（由核心生成，emitted_by: ' + str(rule.emitted_by) + '）'}　适用：{'、'.join(rule.templates)}")
    c.print(Text(head))
    c.print()
    expl = explanation(rule, lang)
    if expl:
        c.print(Text(expl))
        c.print()
    if en:
        if rule.message_en:
            c.print(Text("Message: ", style="bold") + Text(rule.message_en))
        c.print(Text("Message (Chinese): ", style="bold") + Text(rule.message))
        if rule.suggestion_en or rule.suggestion:
            c.print(Text("Suggestion: ", style="bold") + Text(rule.suggestion_en or rule.suggestion))
    else:
        c.print(Text("信息模板：", style="bold") + Text(rule.message))
        if rule.message_en:
            c.print(Text("英文信息：", style="bold") + Text(rule.message_en))
        if rule.suggestion:
            c.print(Text("建议：", style="bold") + Text(rule.suggestion))
    if rule.basis:
        c.print(Text("Basis: " if en else "依据：", style="bold") + Text(rule.basis))
    if "assert" in rule.params:
        each = rule.params.get("for_each", "column")
        if en:
            c.print(Text("Equation: ", style="bold") + Text(str(rule.params["assert"])) +
                    Text(f" (for every {each} of {rule.params.get('table')})"))
        else:
            c.print(Text("等式：", style="bold") + Text(str(rule.params["assert"])) +
                    Text(f"（对{rule.params.get('table')}的每一{'列' if each == 'column' else '行'}）"))
    for i, ex in enumerate(rule.examples, 1):
        c.print()
        if en:
            c.print(Text(f"Example {i} ({'reported' if ex['expect'] == 'fail' else 'not reported'}):", style="bold"))
        else:
            c.print(Text(f"示例{i}（{'应报告' if ex['expect'] == 'fail' else '不应报告'}）：", style="bold"))
        labels = ({"previous": "last year's report", "peer": "another issuer's report of the year",
                   "copy": "another version", "this": "this report"} if en else
                  {"previous": "上一年度的报告", "peer": "同年度其他机关的报告", "copy": "另一版本", "this": "本报告"})
        for key in ("previous", "peer", "copy", "text"):
            if key not in ex:
                continue
            if key != "text":  # rules that compare two reports (rules/cross.yaml)
                c.print(Text(f"  {labels[key]}{':' if en else '：'}", style="dim"))
            elif len(ex) > 2 + ("count" in ex) + ("line" in ex):
                c.print(Text(f"  {labels['this']}{':' if en else '：'}", style="dim"))
            lines = ex[key].rstrip("\n").split("\n")
            more = f"… ({len(lines)} lines)" if en else f"…（共{len(lines)}行）"
            shown = lines if len(lines) <= 14 else lines[:12] + [more]
            for ln in shown:
                c.print(Text("    " + ln, style="dim"))
    c.print()
    c.print(Text(f"{'defined in' if en else '定义于'} {rule.file}:{rule.line}", style="dim"))


def render_rules(rules, out, lang="zh", fmt="rich"):
    from rich.console import Console
    from rich.table import Table
    if fmt == "json":
        json.dump([{"id": r.id, "name": r.name, "kind": r.kind, "category": r.category, "severity": r.severity,
                    "templates": list(r.templates), "basis": r.basis, "summary": rule_summary(r, lang)}
                   for r in rules.rules], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    en = lang == "en"
    t = Table(title="xxgk-lint rules" if en else "xxgk-lint 规则", show_lines=False)
    for col in (("code", "name", "category", "severity", "applies to", "summary") if en else
                ("编号", "名称", "类别", "级别", "适用", "说明")):
        t.add_column(col)
    for r in rules.rules:
        cat = r.category if en else f"{r.category}（{CATEGORY_ZH[r.category]}）"
        t.add_row(r.id, r.name, cat, r.severity, (", " if en else "、").join(r.templates), rule_summary(r, lang))
    Console(file=out, highlight=False, width=200, markup=False).print(t)


def markdown_reference(rules) -> str:
    """The README's rule reference (between the RULES markers): each rule's summary sentence."""
    lines = ["| 编号 | 名称 | 类别 | 默认级别 | 适用格式 | 说明 | 依据 |", "|---|---|---|---|---|---|---|"]
    for r in rules.rules:
        first = rule_summary(r)
        lines.append(f"| {r.id} | `{r.name}` | {r.category} | {r.severity} | {'、'.join(r.templates)} | "
                     f"{first.replace('|', '｜')} | {(r.basis or '—').replace('|', '｜')} |")
    return "\n".join(lines) + "\n"
