"""The printable record for the approval file (审核留档): one self-contained HTML page.

Built from the view model (engine.build_view); every piece of report text goes through
html.escape.  No script and no style attribute.  The downloaded file carries its stylesheet
(static/print.css) inline and prints the same on any machine; the record the page opens
(打开审核留档) links the same stylesheet from the server instead, because the page's
Content-Security-Policy (style-src 'self') blocks inline styles in it.  The browser's
打印 → 另存为PDF gives the PDF.
"""

from __future__ import annotations

from html import escape

from .. import __version__

def _css() -> str:
    """The record's stylesheet: static/print.css, also served to the record the page opens."""
    from importlib import resources
    return (resources.files("validator.web") / "static" / "print.css").read_text(encoding="utf-8")


def _e(v) -> str:
    return escape("" if v is None else str(v), quote=True)


ORIGIN = "__XXGK_ORIGIN__"   # in the linked record's head; the page puts its own origin there


def render_printable(view: dict, linked: bool = False) -> str:
    """The record; ``linked``: for the page's 打开审核留档 — the stylesheet is linked from
    ``ORIGIN/static/print.css`` (the page replaces ORIGIN in the head with its origin)."""
    f = view["file"]
    s = view["summary"]
    if linked:
        head = (f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {ORIGIN}\">"
                f"<link rel=\"stylesheet\" href=\"{ORIGIN}/static/print.css\">")
        style = ""
    else:
        head = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        style = f"<style>{_css()}</style>"
    out = ["<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">", head,
           f"<title>{_e('检查记录 - ' + (f.get('name') or ''))}</title>{style}</head><body>",
           "<h1>政府信息公开工作年度报告检查记录</h1>",
           "<p class=\"small center\">（审核留档）</p>",
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
        out.append("<p class=\"legend small\">标记：<span class=\"k-error\">出错位置</span>"
                   "<span class=\"k-involved\">参与出错等式的单元格</span>"
                   "<span class=\"k-warning\">有警告（如空白单元格）</span>（空）为未填写，（缺）为报告中没有该行或列</p>")
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
