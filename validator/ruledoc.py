"""Rule documentation from the YAML itself: `xxgk-lint rule CODE`, `xxgk-lint rules`, and the
README's rule reference (generated, checked up to date by a test)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .findings import CATEGORY_ZH, SEVERITY_ZH


def render_rule(rule, out, lang="zh"):
    c = Console(file=out, highlight=False, soft_wrap=True)
    c.print(Text(f"{rule.id}  {rule.name}", style="bold"))
    c.print(f"类别：{rule.category}（{CATEGORY_ZH[rule.category]}）　默认级别：{rule.severity}（{SEVERITY_ZH[rule.severity]}）"
            f"　规则类型：{rule.kind}　适用：{'、'.join(rule.templates)}")
    c.print()
    expl = (rule.explanation_en if lang == "en" and rule.explanation_en else rule.explanation) or ""
    if expl:
        c.print(expl.strip())
        c.print()
    c.print(Text("信息模板：", style="bold") + Text(rule.message))
    if rule.message_en:
        c.print(Text("Message: ", style="bold") + Text(rule.message_en))
    if rule.basis:
        c.print(Text("依据：", style="bold") + Text(rule.basis))
    if "assert" in rule.params:
        c.print(Text("等式：", style="bold") + Text(str(rule.params["assert"])) +
                Text(f"（对{rule.params.get('table')}的每一{'列' if rule.params.get('for_each', 'column') == 'column' else '行'}）"))
    for i, ex in enumerate(rule.examples, 1):
        c.print()
        c.print(Text(f"示例{i}（{'应报告' if ex['expect'] == 'fail' else '不应报告'}）：", style="bold"))
        for key, label in (("previous", "上一年度的报告"), ("peer", "同年度其他机关的报告"), ("copy", "另一版本"),
                           ("text", None)):
            if key not in ex:
                continue
            if label:  # rules that compare two reports (rules/cross.yaml)
                c.print(Text(f"  {label}：", style="dim"))
            elif len(ex) > 2 + ("count" in ex) + ("line" in ex):
                c.print(Text("  本报告：", style="dim"))
            lines = ex[key].rstrip("\n").split("\n")
            shown = lines if len(lines) <= 14 else lines[:12] + [f"…（共{len(lines)}行）"]
            for ln in shown:
                c.print(Text("    " + ln, style="dim"))
    c.print()
    c.print(Text(f"定义于 {rule.file}:{rule.line}", style="dim"))


def render_rules(rules, out, lang="zh", fmt="rich"):
    if fmt == "json":
        json.dump([{"id": r.id, "name": r.name, "kind": r.kind, "category": r.category, "severity": r.severity,
                    "templates": list(r.templates), "basis": r.basis} for r in rules.rules], out,
                  ensure_ascii=False, indent=2)
        out.write("\n")
        return
    t = Table(title="xxgk-lint 规则", show_lines=False)
    for col in ("编号", "名称", "类别", "级别", "适用", "说明"):
        t.add_column(col)
    for r in rules.rules:
        first = (r.explanation or r.message).strip().split("\n")[0]
        t.add_row(r.id, r.name, f"{r.category}（{CATEGORY_ZH[r.category]}）", r.severity, "、".join(r.templates),
                  first[:60] + ("…" if len(first) > 60 else ""))
    Console(file=out, highlight=False, width=200).print(t)


def markdown_reference(rules) -> str:
    """The README's rule reference (between the RULES markers)."""
    lines = ["| 编号 | 名称 | 类别 | 默认级别 | 适用格式 | 说明 | 依据 |", "|---|---|---|---|---|---|---|"]
    for r in rules.rules:
        first = " ".join((r.explanation or r.message).split())
        lines.append(f"| {r.id} | `{r.name}` | {r.category} | {r.severity} | {'、'.join(r.templates)} | "
                     f"{first.replace('|', '｜')} | {(r.basis or '—').replace('|', '｜')} |")
    return "\n".join(lines) + "\n"
