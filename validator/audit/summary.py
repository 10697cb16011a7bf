"""The reviewer's summary of an audit database (``audit --summary DIR``).

* ``units.csv``   one row per report (unit, kind, year, status, counts, main errors, file),
                  UTF-8 with a byte-order mark so that Excel opens it in Chinese;
* ``units.xlsx``  the same table (openpyxl) and a sheet of errors per rule;
* ``summary.html`` one self-contained page — inline CSS and SVG charts, no script, no font
                  or library from the network — to mail on: status counts, errors per rule,
                  per issuer kind, per year, the units with most errors, and the table.

Chinese by default; ``lang="en"`` (``--lang en``) writes the same files in English: column
headers, status and kind words, the page's title, headings, charts and notes.  What comes from
the reports stays as read (issuer names, file paths) and the reasons stay in the language of
the run that checked each file (stored in the database, like the findings' messages).
"""

from __future__ import annotations

import csv
import datetime as _dt
import html
import os
from collections import Counter, defaultdict

from .status import ERRORS, NOT_REPORT, PASSED, STATUSES, UNFILLED, UNREADABLE, status_word

KIND_ZH = {"government": "人民政府", "department": "部门", None: "未能判断"}
KIND_EN = {"government": "people's government", "department": "department", None: "not determined"}
UNIT_COLUMNS = ("单位", "单位类型", "年度", "状态", "错误", "警告", "提示", "主要错误", "说明", "格式", "适用格式", "文件")
UNIT_COLUMNS_EN = ("unit", "unit kind", "year", "status", "errors", "warnings", "infos", "main errors", "reason",
                   "format", "template", "file")
STATUS_COLOR = {PASSED: "#2e7d32", ERRORS: "#c62828", UNFILLED: "#ef6c00", NOT_REPORT: "#607d8b",
                UNREADABLE: "#6a1b9a"}
UNKNOWN_UNIT = "（未能读出发布机关）"
UNKNOWN_UNIT_EN = "(issuer not read) "


def columns(lang: str = "zh") -> tuple[str, ...]:
    return UNIT_COLUMNS_EN if lang == "en" else UNIT_COLUMNS


def kind_word(kind: str | None, lang: str = "zh") -> str:
    words = KIND_EN if lang == "en" else KIND_ZH
    return words.get(kind, kind)


def status_colors(lang: str = "zh") -> dict[str, str]:
    """The colour of each status as shown (the word in the user's language)."""
    return {status_word(st, lang): c for st, c in STATUS_COLOR.items()}


class Summary:
    """What the summary shows, read once from the database."""

    def __init__(self, db, lang: str = "zh"):
        self.lang = lang
        cols = ("report_id", "path", "issuer", "issuer_kind", "year", "format", "template", "status", "reason",
                "errors", "warnings", "infos")
        self.reports = [dict(zip(cols, r)) for r in db.execute(
            f"SELECT {', '.join(cols)} FROM reports")]
        # units in name order, the files whose unit could not be read last
        self.reports.sort(key=lambda r: (not (r["issuer"] or "").strip(), unit(r, lang), r["year"] or 0, r["path"]))
        self.rule_names = dict(db.execute("SELECT DISTINCT rule, name FROM findings"))
        top = defaultdict(list)
        for rid, rule, n in db.execute("SELECT report_id, rule, count(*) FROM findings WHERE severity='error' "
                                       "GROUP BY report_id, rule ORDER BY report_id, count(*) DESC, rule"):
            top[rid].append((rule, n))
        self.top = top
        self.per_rule = db.execute(
            "SELECT rule, name, count(*), count(DISTINCT report_id) FROM findings WHERE severity='error' "
            "GROUP BY rule, name ORDER BY count(*) DESC, rule").fetchall()
        self.runs = db.execute("SELECT count(*), max(finished), max(tool_version) FROM runs").fetchone()

    # ---- aggregates ---------------------------------------------------------------
    def status_counts(self) -> Counter:
        return Counter(r["status"] for r in self.reports)

    def by(self, key) -> list[tuple[str, int, int, int]]:
        """(group, reports, reports with errors, errors) per group."""
        g: dict = defaultdict(lambda: [0, 0, 0])
        for r in self.reports:
            k = key(r)
            g[k][0] += 1
            g[k][1] += r["status"] == ERRORS
            g[k][2] += r["errors"] or 0
        return [(k, *v) for k, v in g.items()]

    def worst_units(self, n: int = 10) -> list[tuple[str, int, int]]:
        """(unit, errors, reports) of the units with most errors."""
        g: dict = defaultdict(lambda: [0, 0])
        for r in self.reports:
            g[unit(r, self.lang)][0] += r["errors"] or 0
            g[unit(r, self.lang)][1] += 1
        rows = [(u, e, n_) for u, (e, n_) in g.items() if e > 0]
        rows.sort(key=lambda x: (-x[1], x[0]))
        return rows[:n]

    def unit_rows(self) -> list[tuple]:
        out = []
        lang = self.lang
        sep = "; " if lang == "en" else "；"
        for r in self.reports:
            main = sep.join(f"{rule} {self.rule_names.get(rule) or ''}×{n}" for rule, n in self.top.get(r["report_id"], [])[:3])
            out.append((unit(r, lang), kind_word(r["issuer_kind"], lang), r["year"] or "", status_word(r["status"], lang),
                        r["errors"], r["warnings"], r["infos"], main, r["reason"] or "", r["format"] or "",
                        r["template"] or "", r["path"]))
        return out


def unit(r, lang: str = "zh") -> str:
    """The reporting unit: the issuer the parser read, else the file's name (never one heap of
    unknowns, which would look like the worst unit)."""
    unknown = UNKNOWN_UNIT_EN if lang == "en" else UNKNOWN_UNIT
    return (r["issuer"] or "").strip() or f"{unknown}{os.path.basename(r['path'])}"


# --------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------
def write_summary(out: str, dest: str, lang: str = "zh") -> list[str]:
    from .store import open_readonly
    os.makedirs(dest, exist_ok=True)
    db = open_readonly(out)
    try:
        s = Summary(db, lang)
    finally:
        db.close()
    rows = s.unit_rows()
    paths = [write_csv(os.path.join(dest, "units.csv"), rows, lang)]
    try:
        paths.append(write_xlsx(os.path.join(dest, "units.xlsx"), rows, s))
    except ImportError:
        import sys
        print("xxgk-lint: note: openpyxl is not installed, units.xlsx not written (pip install 'xxgk-lint[audit]')"
              if lang == "en" else
              "xxgk-lint: 提示: 未安装 openpyxl，未写 units.xlsx（pip install 'xxgk-lint[audit]'）", file=sys.stderr)
    p = os.path.join(dest, "summary.html")
    with open(p, "w", encoding="utf-8") as fh:
        fh.write(render_html(s, rows, source=os.path.basename(out.rstrip("/\\"))))
    paths.append(p)
    return paths


def write_csv(path: str, rows, lang: str = "zh") -> str:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns(lang))
        w.writerows(rows)
    return path


def write_xlsx(path: str, rows, s: Summary) -> str:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    en = s.lang == "en"
    cols = columns(s.lang)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Units" if en else "各单位情况")
    widths = (28, 10, 8, 10, 6, 6, 6, 50, 40, 8, 10, 50)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for name in cols:
        c = WriteOnlyCell(ws, value=name)
        c.font = bold
        head.append(c)
    ws.append(head)
    fills = {k: PatternFill("solid", fgColor=v.lstrip("#")) for k, v in status_colors(s.lang).items()}
    white = Font(color="FFFFFF", bold=True)
    for r in rows:
        cells = list(r)
        st = WriteOnlyCell(ws, value=r[3])
        if r[3] in fills:
            st.fill, st.font = fills[r[3]], white
        cells[3] = st
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{chr(ord('A') + len(cols) - 1)}{len(rows) + 1}"
    ws2 = wb.create_sheet("Errors by rule" if en else "错误按规则")
    ws2.column_dimensions["A"].width = 8
    ws2.column_dimensions["B"].width = 32
    ws2.append([WriteOnlyCell(ws2, value=v) for v in (("rule", "name", "errors", "reports") if en else
                                                       ("规则", "名称", "错误数", "涉及报告数"))])
    for rule, name, n, reports in s.per_rule:
        ws2.append([rule, name, n, reports])
    tmp = path + ".tmp"
    wb.save(tmp)
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------------------
# HTML with inline SVG charts
# --------------------------------------------------------------------------------------
def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _short_width(s: str, units: int) -> str:
    """`s` cut to `units` half-width columns (a Chinese character counts two): the English
    page's labels, where names of units stay Chinese and rule names are long and Latin."""
    import unicodedata

    def w(ch):
        return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    if sum(map(w, s)) <= units:
        return s
    out, used = [], w("…")
    for ch in s:
        if used + w(ch) > units:
            break
        out.append(ch)
        used += w(ch)
    return "".join(out) + "…"


def bar_chart(cid: str, title: str, items: list[tuple[str, float, str]], color: str = "#c62828",
              width: int = 760, label_chars: int = 18, empty: str = "没有数据", label_width: int | None = None) -> str:
    """A horizontal bar chart as inline SVG: items are (label, value, tooltip); labels are cut
    to `label_chars` characters, or to `label_width` half-width columns when given."""
    label_w, row_h, top = 250, 26, 8
    bar_w = width - label_w - 80
    height = top * 2 + row_h * max(1, len(items))
    out = [f'<svg class="chart" id="{_e(cid)}" role="img" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-label="{_e(title)}">']
    if not items:
        out.append(f'<text x="{label_w}" y="{top + 17}" class="empty">{_e(empty)}</text></svg>')
        return "".join(out)
    vmax = max(v for _l, v, _t in items) or 1
    for i, (label, v, tip) in enumerate(items):
        y = top + i * row_h
        w = max(1.0, bar_w * v / vmax) if v else 0
        out.append(f'<g class="row"><title>{_e(tip)}</title>'
                   f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="label">{_e(_short(label, label_chars) if label_width is None else _short_width(label, label_width))}</text>'
                   f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" rx="2" fill="{color}"/>'
                   f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" class="value">{_e(_fmt(v))}</text></g>')
    out.append("</svg>")
    return "".join(out)


def _fmt(v) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.1f}"


CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;
margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666;font-size:13px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border-radius:6px;padding:10px 16px;color:#fff;min-width:90px}.card b{display:block;font-size:26px}
.card.total{background:#37474f}
svg.chart{max-width:100%;height:auto;font-size:13px}svg .label{fill:#333}svg .value{fill:#555}
svg .empty{fill:#888}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0;white-space:nowrap}
td:first-child{min-width:9em}td:nth-child(8){min-width:14em}td:nth-child(9){min-width:9em}
td:last-child{word-break:break-all;font-size:12px;color:#555}td.num{text-align:right}
.st{color:#fff;border-radius:3px;padding:1px 6px;white-space:nowrap}
.grid{display:grid;grid-template-columns:1fr;gap:8px}
.note{font-size:13px;color:#555}
"""


def render_html(s: Summary, rows, source: str = "") -> str:
    from ..i18n import msg
    lang = s.lang

    def t(zh: str, en: str, **values) -> str:     # one text of the page in the summary's language
        return msg(zh, en, **values).text(lang)

    no_data = t("没有数据", "no data")
    unknown_year = t("年度不明", "year unknown")

    def chart(cid, title, items, **kw):
        if lang == "en":      # the 250 px of labels hold ~34 Latin letters, 17 Chinese characters
            kw["label_width"] = 34
        return bar_chart(cid, title, items, empty=no_data, **kw)

    counts = s.status_counts()
    total = len(s.reports)
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    title = t("政府信息公开工作年度报告审计汇总", "Audit summary: government information disclosure annual reports")
    cards = [f'<div class="card total"><b>{total:,}</b>{_e(t("份报告", "reports"))}</div>']
    for st in STATUSES:
        cards.append(f'<div class="card" style="background:{STATUS_COLOR[st]}"><b>{counts.get(st, 0):,}</b>'
                     f'{_e(status_word(st, lang))}</div>')
    status_items = [(status_word(st, lang), counts.get(st, 0),
                     t("{st}：{n} 份", "{st}: {n} reports", st=status_word(st, lang), n=counts.get(st, 0)))
                    for st in STATUSES]
    rule_items = [(f"{rule} {name or ''}", n, t("{rule} {name}：{n} 个错误，涉及 {reps} 份报告",
                                                "{rule} {name}: {n} errors in {reps} reports",
                                                rule=rule, name=name or "", n=n, reps=reps))
                  for rule, name, n, reps in s.per_rule[:15]]

    def group_tip(k, n, bad, e):
        return t("{k}：{n} 份报告，{bad} 份有错误，共 {e} 个错误", "{k}: {n} reports, {bad} with errors, {e} errors in all",
                 k=k, n=n, bad=bad, e=e)

    kinds = sorted(s.by(lambda r: kind_word(r["issuer_kind"], lang)), key=lambda x: -x[3])
    kind_items = [(k, e, group_tip(k, n, bad, e)) for k, n, bad, e in kinds]
    years = sorted(s.by(lambda r: r["year"]), key=lambda x: (x[0] is None, x[0] or 0))
    year_items = [(t("{y}年", "{y}", y=y) if y else unknown_year, e, group_tip(y or unknown_year, n, bad, e))
                  for y, n, bad, e in years]
    worst = [(u, e, t("{u}：{e} 个错误（{n} 份报告）", "{u}: {e} errors ({n} reports)", u=u, e=e, n=n))
             for u, e, n in s.worst_units(10)]
    colors = status_colors(lang)
    by_status = t("各状态报告数", "Reports by status")
    by_kind = t("错误按单位类型", "Errors by unit kind")
    by_year = t("错误按年度", "Errors by year")
    body = [
        "<!DOCTYPE html>", f'<html lang="{t("zh-CN", "en")}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>", f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        '<p class="meta">' + _e(t("数据库 {source} · {total} 份报告 · 生成于 {now} · xxgk-lint {version}",
                                  "database {source} · {total} reports · written {now} · xxgk-lint {version}",
                                  source=source, total=f"{total:,}", now=now, version=s.runs[2] or "")) + "</p>",
        f'<div class="cards">{"".join(cards)}</div>',
        f"<h2>{_e(by_status)}</h2>", chart("chart-status", by_status, status_items, color="#455a64"),
        '<p class="note">' + _e(t(
            "通过：没有“错误”级问题；有错误：至少一个“错误”；未填写：统计表是未填写的模板；"
            "非年报：不是年度报告；无法读取：文件无法读取或超过大小、时间上限（原因见下表“说明”）。",
            "passed: no finding of severity error; with errors: at least one error; unfilled: the statistics tables "
            "are an unfilled template; not a report: not an annual report; unreadable: the file could not be "
            "read or is over the size or time limit (the reason is in the table's column \"reason\").")) + "</p>",
        f"<h2>{_e(t('错误按规则（前15条）', 'Errors by rule (top 15)'))}</h2>",
        chart("chart-rules", t("错误按规则", "Errors by rule"), rule_items, label_chars=22),
        f"<h2>{_e(by_kind)}</h2>", chart("chart-kinds", by_kind, kind_items, color="#ad1457"),
        f"<h2>{_e(by_year)}</h2>", chart("chart-years", by_year, year_items, color="#6a1b9a"),
        f"<h2>{_e(t('错误最多的单位（前10个）', 'Units with the most errors (top 10)'))}</h2>",
        chart("chart-worst", t("错误最多的单位", "Units with the most errors"), worst, color="#d84315", label_chars=20),
        f"<h2>{_e(t('各单位情况（{n} 份报告）', 'Units ({n} reports)', n=f'{len(rows):,}'))}</h2>",
        '<table id="units"><thead><tr>' + "".join(f"<th>{_e(c)}</th>" for c in columns(lang)) + "</tr></thead><tbody>",
    ]
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            if i == 3:
                cells.append(f'<td><span class="st" style="background:{colors.get(v, "#999")}">{_e(v)}</span></td>')
            elif i in (4, 5, 6):
                cells.append(f'<td class="num">{_e(v)}</td>')
            else:
                cells.append(f"<td>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    body.append("</tbody></table></body></html>\n")
    return "\n".join(body)
