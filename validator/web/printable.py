"""The printable record for the approval file (审核留档): one self-contained HTML page.

Built from the view model (engine.build_view); every piece of report text goes through
html.escape.  No script, no external resource: it prints the same on any machine, and
the browser's 打印 → 另存为PDF gives the PDF.
"""

from __future__ import annotations

from html import escape

from .. import __version__

_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", serif; color: #000;
       font-size: 10.5pt; line-height: 1.5; margin: 0 auto; max-width: 190mm; padding: 8mm; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #000; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #555; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #eee; font-weight: bold; }
.meta td:first-child { width: 32mm; background: #f4f4f4; }
.list td:nth-child(1), .list td:nth-child(2), .list th { white-space: nowrap; }
.list td:nth-child(3) { width: 24mm; }
.list td:nth-child(4) { width: 36mm; }
.sev-error { color: #a00; font-weight: bold; }
.sev-warning { color: #8a5300; font-weight: bold; }
.sev-info { color: #114a8a; }
.grid td.num { text-align: right; min-width: 8mm; }
.grid td.label { font-size: 9pt; }
.grid td.mark-error { outline: 2px solid #c00; outline-offset: -2px; background: #fde2e2; }
.grid td.mark-warning { background: #fff1d6; }
.grid td.mark-info { background: #e5f0fb; }
.grid td.involved { outline: 1px solid #c00; outline-offset: -2px; }
.grid td.kind-blank::after { content: "（空）"; color: #999; font-size: 8pt; }
.grid td.kind-missing::after { content: "（缺）"; color: #999; font-size: 8pt; }
.grid td.kind-none { background: #f2f2f2; }
.small { font-size: 9pt; color: #333; }
.sign { margin-top: 12mm; display: flex; gap: 20mm; }
.sign div { flex: 1; border-bottom: 1px solid #000; padding-bottom: 1mm; }
.legend span { display: inline-block; padding: 0 2mm; margin-right: 2mm; border: 1px solid #999; }
@media print { body { padding: 0; } a { color: #000; text-decoration: none; } }
"""


def _e(v) -> str:
    return escape("" if v is None else str(v), quote=True)


def render_printable(view: dict) -> str:
    f = view["file"]
    s = view["summary"]
    out = ["<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
           f"<title>{_e('检查记录 - ' + (f.get('name') or ''))}</title><style>{_CSS}</style></head><body>",
           "<h1>政府信息公开工作年度报告检查记录</h1>",
           "<p class=\"small\" style=\"text-align:center\">（审核留档）</p>",
           "<table class=\"meta\">"]
    rows = [("文件", f.get("name")), ("文件大小", f"{f.get('size', 0)} 字节"),
            ("文件指纹（SHA-256）", f.get("sha256")), ("文件格式", f.get("format_zh") or f.get("format")),
            ("报告年度", f.get("year")), ("发布机关", f.get("issuer")),
            ("适用格式", f"{f.get('template_zh')}（{f.get('template_reason') or ''}）"),
            ("检查时间", f.get("checked_at")), ("检查工具", f"xxgk-lint {__version__}"),
            ("检查结果", f"共 {s['total']} 个问题：错误 {s['error']} 个，警告 {s['warning']} 个，提示 {s['info']} 个")]
    for k, v in rows:
        out.append(f"<tr><td>{_e(k)}</td><td>{_e(v if v not in (None, '') else '—')}</td></tr>")
    out.append("</table>")

    out.append("<h2>一、问题清单</h2>")
    if not view["findings"]:
        out.append("<p>未发现问题。</p>")
    else:
        out.append("<table class=\"list\"><thead><tr><th>序号</th><th>级别</th><th>规则</th><th>位置</th><th>问题及依据</th></tr></thead><tbody>")
        for i, fd in enumerate(view["findings"], 1):
            where = " ".join(x for x in (fd.get("place"), fd.get("where")) if x) or (fd.get("section") or "")
            body = [f"<div>{_e(fd['message'])}</div>"]
            if fd.get("numbers"):
                nums = "；".join(f"{n['label']} {n['value']}" for n in fd["numbers"])
                body.append(f"<div class=\"small\">数字：{_e(nums)}</div>")
            if fd.get("suggestion"):
                body.append(f"<div class=\"small\">建议：{_e(fd['suggestion'])}</div>")
            if fd.get("basis"):
                body.append(f"<div class=\"small\">依据：{_e(fd['basis'])}</div>")
            out.append(f"<tr><td>{i}</td><td class=\"sev-{_e(fd['severity'])}\">{_e(fd['severity_zh'])}</td>"
                       f"<td>{_e(fd['rule'])}<br><span class=\"small\">{_e(fd.get('name'))}</span></td>"
                       f"<td>{_e(where)}</td><td>{''.join(body)}</td></tr>")
        out.append("</tbody></table>")

    if view["tables"]:
        out.append("<h2>二、统计表核对</h2>")
        out.append("<p class=\"legend small\">标记：<span style=\"outline:2px solid #c00;background:#fde2e2\">出错位置</span>"
                   "<span style=\"outline:1px solid #c00\">参与出错等式的单元格</span>"
                   "<span style=\"background:#fff1d6\">有警告</span>（空）为未填写，（缺）为报告中没有该行或列</p>")
        marks = view.get("cell_marks", {})
        for t in view["tables"]:
            out.append(f"<h3>{_e(t['key'])} {_e(t['name'])}</h3>")
            for g in t["grids"]:
                out.append("<table class=\"grid\"><thead>")
                if g.get("caption"):
                    out.append(f"<tr><th colspan=\"{len(g['columns']) + 1}\">{_e(g['caption'])}</th></tr>")
                out.append(_header(g["columns"]) + "</thead><tbody>")
                for r in g["rows"]:
                    pad = "　" * r["depth"]
                    cls = "label" + (" " + _mark_class(marks.get(r["id"] + "-h", [])) if marks.get(r["id"] + "-h") else "")
                    out.append(f"<tr><td class=\"{cls}\">{_e(pad + r['label'])}</td>")
                    for c in r["cells"]:
                        cls = f"num kind-{_e(c['kind'])} {_mark_class(marks.get(c['id'], []))}"
                        shown = "？" if c["kind"] == "unreadable" else c["raw"]
                        out.append(f"<td class=\"{cls.strip()}\">{_e(shown)}</td>")
                    out.append("</tr>")
                out.append("</tbody></table>")

    out.append("<div class=\"sign\"><div>审核人：</div><div>审核意见：</div><div>日期：</div></div>")
    out.append("<p class=\"small\">本记录由 xxgk-lint 自动生成，检查结果供审核参考，须由审核人员核实。</p>")
    out.append("</body></html>")
    return "\n".join(out)


def _header(cols: list) -> str:
    """Header rows; columns named "组·列" (表四) get a two-level header."""
    if not any("·" in c["label"] for c in cols):
        return "<tr><th></th>" + "".join(f"<th>{_e(c['label'])}</th>" for c in cols) + "</tr>"
    top, bottom = ["<tr><th rowspan=\"2\"></th>"], ["<tr>"]
    i = 0
    while i < len(cols):
        group, _, rest = cols[i]["label"].partition("·")
        if not rest:
            top.append(f"<th rowspan=\"2\">{_e(group)}</th>")
            i += 1
            continue
        j = i
        while j < len(cols) and cols[j]["label"].partition("·")[0] == group:
            bottom.append(f"<th>{_e(cols[j]['label'].partition('·')[2])}</th>")
            j += 1
        top.append(f"<th colspan=\"{j - i}\">{_e(group)}</th>")
        i = j
    return "".join(top) + "</tr>" + "".join(bottom) + "</tr>"


def _mark_class(marks: list) -> str:
    if not marks:
        return ""
    classes = []
    anchors = [m for m in marks if m["role"] == "anchor"]
    if anchors:
        worst = "error" if any(m["severity"] == "error" for m in anchors) else (
            "warning" if any(m["severity"] == "warning" for m in anchors) else "info")
        classes.append(f"mark-{worst}")
    if not anchors and any(m["role"] in ("lhs", "rhs", "related") and m["severity"] == "error" for m in marks):
        classes.append("involved")   # a cell of a failing equation (both sides; equations may overlap)
    return " ".join(classes)
