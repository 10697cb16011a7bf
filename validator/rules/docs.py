"""The rule kinds documented from their schemas: ``xxgk-lint kinds`` (rich, json, markdown)
and the README's kind reference (scripts/gen_rule_docs.py).  Nothing here is written by
hand per kind: the text is the kind's own description and its parameters' declarations."""

from __future__ import annotations

import json

from ..ruledoc import join_lines
from .kinds import KINDS, RENAMED

FAMILY_ZH = {"structure": "结构", "tables": "统计表", "text": "正文", "metadata": "基本信息", "notes": "读取",
             "cross": "跨报告"}


def _default(p) -> str | None:
    if p.required or p.default is None:
        return None
    d = p.default
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, (list, tuple)):
        return "[" + ", ".join(str(x) for x in d) + "]"
    if isinstance(d, dict):
        return "{}" if not d else json.dumps(d, ensure_ascii=False)
    return str(d)


def kind_records(rules=None, lang: str = "zh") -> list[dict]:
    """Every kind with its parameters (and, given a rule set, the rules of the kind)."""
    en = lang == "en"
    used: dict[str, list[str]] = {}
    for r in (rules.rules if rules is not None else []):
        if r.kind:
            used.setdefault(r.kind, []).append(r.id)
    out = []
    for name in sorted(KINDS, key=lambda k: (list(FAMILY_ZH).index(KINDS[k].family), k)):
        k = KINDS[name]
        params = []
        for p in k.params:
            params.append({"name": p.name, "type": p.type.describe(lang), "required": p.required,
                           "default": _default(p), "doc": join_lines(p.doc_en if en and p.doc_en else p.doc)})
        rec = {"kind": name, "family": k.family, "module": f"validator/rules/kinds/{k.family}.py",
               "doc": join_lines(k.doc_en if en and k.doc_en else k.doc), "parameters": params,
               "two_reports": k.two_reports}
        if rules is not None:
            rec["rules"] = used.get(name, [])
        out.append(rec)
    return out


def render_kinds(out, rules=None, lang: str = "zh", fmt: str = "rich") -> None:
    recs = kind_records(rules, lang)
    if fmt == "json":
        json.dump({"count": len(recs), "kinds": recs, "renamed": RENAMED}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if fmt == "markdown":
        out.write(markdown_kinds(rules, lang))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    en = lang == "en"
    c = Console(file=out, highlight=False, soft_wrap=False, markup=False, emoji=False, width=max(100, Console().width))
    c.print(Text(f"xxgk-lint rule kinds: {len(recs)}" if en else f"xxgk-lint 规则类型：共{len(recs)}种", style="bold"))
    for r in recs:
        c.print()
        fam = r["family"] if en else f"{FAMILY_ZH[r['family']]}，{r['module']}"
        c.print(Text(f"{r['kind']}", style="bold") + Text(f"  （{fam}）" if not en else f"  ({fam}, {r['module']})"))
        c.print(Text(r["doc"]))
        if r.get("rules"):
            c.print(Text(("rules: " if en else "规则：") + ", ".join(r["rules"]), style="dim"))
        t = Table(show_header=True, box=None, pad_edge=False)
        for col in (("parameter", "type / allowed", "default", "meaning") if en else ("参数", "类型与可取值", "默认", "说明")):
            t.add_column(col, overflow="fold")
        for p in r["parameters"]:
            name = p["name"] + (" *" if p["required"] else "")
            t.add_row(name, p["type"], p["default"] or ("(required)" if p["required"] and en else "（必填）" if p["required"] else "—"),
                      p["doc"])
        c.print(t)


def _cell(s: str) -> str:
    return (s or "").replace("|", "｜").replace("\n", " ")


def markdown_kinds(rules=None, lang: str = "zh") -> str:
    """The README's kind reference (between the kinds markers)."""
    recs = kind_records(rules, lang)
    lines = [f"共{len(recs)}种规则类型。每种的参数在加载规则时按下表检查（类型、可取值、范围、是否必填），"
             "不符合的规则文件以退出码2报错，指出文件:行、参数和可取值。带 * 的参数必填。", ""]
    for r in recs:
        rules_txt = f"（规则：{', '.join(r['rules'])}）" if r.get("rules") else ""
        lines.append(f"#### `{r['kind']}` — {FAMILY_ZH[r['family']]}{rules_txt}")
        lines.append("")
        lines.append(_cell(r["doc"]))
        lines.append("")
        lines.append("| 参数 | 类型与可取值 | 默认 | 说明 |")
        lines.append("|---|---|---|---|")
        for p in r["parameters"]:
            lines.append(f"| `{p['name']}`{' *' if p['required'] else ''} | {_cell(p['type'])} | "
                         f"{_cell(p['default'] or '—')} | {_cell(p['doc'])} |")
        lines.append("")
    return "\n".join(lines)
