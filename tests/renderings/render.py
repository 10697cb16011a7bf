"""The project's own test renderer: one real report written out in the renderings of its
tables that are found on government sites, so the table checks can be measured on all of
them (issue 10).

Input is the report as xxgk-lint reads it (:func:`report_data`): its title, the paragraphs
before the first section, the numbered sections with their paragraphs, the closing lines, and
the text of every template cell (``validator.extract.template_cells``).  Cells the tool could
not read can be supplied (a twin copy of the same report, or values a careful reader
determined); rows that stay unreadable are left out and listed in ``ReportData.dropped``.

The three tables are laid out as the national templates print them (rules/formats/*.yaml and
../shared/reference/template-spec.md §3–§5):

* 表二: one block per 第二十条 item — a caption row spanning the table, a header row
  (信息内容 + the block's column headers) and the block's rows; a block with fewer value
  columns lets its last cell span the rest (2021 （五）（六）（八）, 2019 （八）（九））.
* 表三: three label columns (row group 三、本年度办理结果 / sub-group （三）… / item 1.…);
  a header of three rows — the 勾稽关系 note (3×3), 申请人情况 over the seven data columns,
  自然人 and 总计 spanning two rows, 法人或其他组织 over 商业企业…其他; rows as the report has
  them (a 2019-style single （六）其他处理 row stays one row).
* 表四: 行政复议 (two rows high) | 行政诉讼; 未经复议直接起诉 | 复议后起诉; 结果维持…总计 ×3;
  one data row of fifteen cells.

Renderings (:data:`RENDERINGS`), each a complete report file:

``pipe_repeated`` / ``pipe_empty``
    one line per table row, cells joined by `` | `` and ended by `` |`` (CMS "text version"
    pages, copy-paste from Word).  A label cell that spans several rows is repeated on every
    line it covers (``_repeated``) or left as an empty cell after its first line
    (``_empty``).  Header cells that span rows or columns, and the columns a cell spans,
    are always empty cells — the multi-line header is spread over three lines.
``md_repeated`` / ``md_empty``
    the same as Markdown tables; the first grid row of each table is the Markdown header
    row, followed by ``|---|`` .
``docx_unmerged_repeated`` / ``docx_unmerged_empty``
    DOCX tables typed without merged cells, labels repeated or left empty as above.
``docx_merged``
    DOCX with real merged cells (gridSpan / vMerge through python-docx ``cell.merge``).
``html_spans``
    an HTML page with ``rowspan``/``colspan`` tables.
``cell_per_line``
    one non-empty cell per line ending `` |``; a run of empty cells is a line of ``|`` (one
    per cell); the row's end adds one more ``|`` (the rendering of
    ../shared/corpus/seeds/001_68b1fad5fb482fc8.txt).
``tab``
    tab-separated rows (merged cells as empty cells).

Blank cells stay blank, dash and 无 cells keep their text, numbers are written as the report
wrote them.  :func:`mutate` changes one 表三 and one 表四 value so that an equation breaks;
:func:`with_variant_titles` gives section titles real-world variant wording.
"""

from __future__ import annotations

import html as _htmllib
import io
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

RENDERINGS = ("pipe_repeated", "pipe_empty", "md_repeated", "md_empty", "docx_unmerged_repeated",
              "docx_unmerged_empty", "docx_merged", "html_spans", "cell_per_line", "tab")

EXTENSIONS = {"pipe_repeated": ".txt", "pipe_empty": ".txt", "md_repeated": ".md", "md_empty": ".md",
              "docx_unmerged_repeated": ".docx", "docx_unmerged_empty": ".docx", "docx_merged": ".docx",
              "html_spans": ".html", "cell_per_line": ".txt", "tab": ".txt"}

CellKey = tuple  # (table, row, column)


# ---------------------------------------------------------------------------------------
# The report as data
@dataclass
class SectionData:
    numeral: str
    title: str
    key: str | None                  # template section key (总体情况 …) or None
    paragraphs: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.numeral}、{self.title}"


@dataclass
class ReportData:
    source: str
    template: str                    # "2019" / "2021"
    year: int | None
    title: str | None
    front: list[str]
    sections: list[SectionData]
    closing: list[str]
    cells: dict                      # (table, row, column) -> cell text ("" = blank)
    supplied: dict = field(default_factory=dict)   # cells not read from the source: key -> how
    dropped: list = field(default_factory=list)    # (table, row) left out (unreadable, nothing supplied)

    @property
    def format(self):
        from validator.templates import load_formats
        return load_formats()[self.template]

    def rows(self, table: str) -> set[str]:
        return {k[1] for k in self.cells if k[0] == table}

    def tables(self) -> list[str]:
        return [t.key for t in self.format.tables if self.rows(t.key)]


def _clean(text: str) -> str:
    """A paragraph as a line of the rendering: Markdown heading marks and padding removed."""
    t = text.strip()
    while t.startswith("#"):
        t = t.lstrip("#").strip()
    return t


def _is_residue(text: str) -> bool:
    """Paragraphs that are only table rulings or Markdown marks (left over from the original
    rendering of a table), not prose."""
    t = _clean(text)
    return not t or set(t) <= set("|-:#= \t")


def _original(src, span) -> str:
    """The user's own characters for a span of the normalised text (full-width punctuation,
    traditional script), when the normalisation kept lengths."""
    raw = getattr(src, "raw", None)
    a, b = span
    if raw is not None and len(raw) == len(src.text):
        return raw[a:b]
    return src.text[a:b]


def report_data(report, supplement: dict | None = None, source: str = "") -> ReportData:
    """The report as xxgk-lint read it, as plain data (see module doc).

    ``supplement`` maps (table, row, column) to (text, how) for cells the tool could not read
    (kind unreadable or missing); a row with cells still unreadable after that is dropped."""
    from validator.extract import template_cells
    if report.template not in ("2019", "2021"):
        raise ValueError(f"{source or report.source.path}: 不是2019/2021年格式的报告（{report.template}）")
    supplement = supplement or {}
    src = report.source
    md = report.metadata
    title = _clean(_original(src, md.title_span)) if md.title_span else (md.title and _clean(md.title))
    front = [_clean(_original(src, p.span)) for p in list(report.front) + list(report.preamble)
             if not _is_residue(p.text)]
    sections = []
    for s in report.sections:
        paras = [_clean(_original(src, p.span)) for p in s.paragraphs if not _is_residue(p.text)]
        title_s = s.title
        sections.append(SectionData(s.numeral, _clean(title_s), s.key, paras, list(s.tables)))
    closing = [_clean(_original(src, report.signature.span))] if report.signature is not None else []
    # a table that no section claims goes to the section the template puts it in
    placed = {t for s in sections for t in s.tables}
    cells: dict = {}
    supplied: dict = {}
    by_row: dict = {}
    for rec in template_cells(report):
        by_row.setdefault((rec["table"], rec["row"]), []).append(rec)
    dropped = []
    for (table, row), recs in by_row.items():
        keys = [(table, row, rec["column"]) for rec in recs]
        if all(rec["kind"] == "missing" for rec in recs) and not any(k in supplement for k in keys):
            continue   # a row the report does not have (or a row group with no cells)
        out = {}
        unresolved = False
        for key, rec in zip(keys, recs):
            if key in supplement:
                text, how = supplement[key]
                out[key] = str(text)
                supplied[key] = how
            elif rec["kind"] in ("unreadable", "missing"):
                unresolved = True
            else:
                out[key] = rec["raw"].strip()
        if unresolved:
            dropped.append((table, row))   # cells the tool could not read and nobody supplied
            continue
        cells.update(out)
    data = ReportData(source or src.path, report.template, md.year, title, front, sections, closing,
                      cells, supplied, dropped)
    for key in data.tables():
        if key not in placed:
            spec = data.format.table(key)
            home = next((s for s in sections if s.key == spec.section_key), None)
            if home is None:
                home = SectionData(_NUMERALS[spec.section], data.format.section(spec.section).title,
                                   spec.section_key)
                sections.append(home)
            home.tables.append(key)
    return data


_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}


# ---------------------------------------------------------------------------------------
# Table layout: cells placed on a grid (HTML semantics: a cell is written at its first
# position and covers rowspan × colspan positions)
@dataclass
class GCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    role: str = "value"    # caption / header / label / value


@dataclass
class Layout:
    table: str
    ncols: int
    cells: list[GCell] = field(default_factory=list)

    @property
    def nrows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    def origin_rows(self) -> list[list[GCell]]:
        rows: list[list[GCell]] = [[] for _ in range(self.nrows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            rows[c.row].append(c)
        return rows

    def matrix(self, fill: str) -> list[list[str]]:
        """Every grid position as text.  ``fill="repeated"``: a label cell that spans rows is
        repeated in the rows it covers (same column); ``"empty"``: left empty.  Positions
        covered by a column span, and by any header or caption cell, are always empty."""
        m = [["" for _ in range(self.ncols)] for _ in range(self.nrows)]
        for c in self.cells:
            m[c.row][c.col] = c.text
            if fill == "repeated" and c.role == "label":
                for r in range(c.row + 1, c.row + c.rowspan):
                    m[r][c.col] = c.text
        return m


class _Builder:
    def __init__(self, table: str, ncols: int):
        self.layout = Layout(table, ncols)
        self.row = 0

    def line(self, cells: list[tuple]) -> None:
        """cells: (text, colspan, rowspan, role) at consecutive free columns of this row."""
        taken = {(r, c) for g in self.layout.cells for r in range(g.row, g.row + g.rowspan)
                 for c in range(g.col, g.col + g.colspan)}
        col = 0
        for text, cs, rs, role in cells:
            while (self.row, col) in taken:
                col += 1
            self.layout.cells.append(GCell(text, self.row, col, rs, cs, role))
            col += cs
        self.row += 1


@lru_cache(maxsize=4)
def _format_yaml(template: str) -> dict:
    import yaml
    from validator.templates import load_formats
    return yaml.safe_load(Path(load_formats()[template].path).read_text(encoding="utf-8"))


def layout_table(data: ReportData, key: str) -> Layout:
    return {"表二": _layout_t2, "表三": _layout_t3, "表四": _layout_t4}[key](data)


def _layout_t2(data: ReportData) -> Layout:
    doc = next(t for t in _format_yaml(data.template)["tables"] if t["key"] == "表二")
    ncols = 1 + max(len(b["columns"]) for b in doc["blocks"])
    b = _Builder("表二", ncols)
    have = data.rows("表二")
    spec = data.format.table("表二")
    for block in doc["blocks"]:
        rows = [r for r in block["rows"] if r["key"] in have]
        if not rows:
            continue
        b.line([(block["caption"], ncols, 1, "caption")])
        heads = list(block["headers"])
        b.line([(h, 1 if i < len(heads) - 1 else ncols - i, 1, "header") for i, h in enumerate(heads)])
        for r in rows:
            cols = block["columns"]
            vals = [(data.cells[("表二", r["key"], c)], 1 if i < len(cols) - 1 else ncols - 1 - i, 1, "value")
                    for i, c in enumerate(cols)]
            b.line([(spec.row(r["key"]).label, 1, 1, "label")] + vals)
    return b.layout


def _layout_t3(data: ReportData) -> Layout:
    spec = data.format.table("表三")
    note, applicant, natural, legal, *orgs, total = spec.headers
    ncols = 3 + len(spec.columns)
    b = _Builder("表三", ncols)
    b.line([(note, 3, 3, "header"), (applicant, len(spec.columns), 1, "header")])
    b.line([(natural, 1, 2, "header"), (legal, len(orgs), 1, "header"), (total, 1, 2, "header")])
    b.line([(o, 1, 1, "header") for o in orgs])
    have = data.rows("表三")

    def lines(key: str, depth: int) -> list[list[tuple]]:
        r = spec.row(key)
        if key in have:   # a row with cells (also a group written as one row, 2019 style)
            vals = [(data.cells[("表三", key, c)], 1, 1, "value") for c in r.columns]
            return [[(r.label, 3 - depth, 1, "label")] + vals]
        if not r.group:
            return []
        out = []
        for child in spec.children(key):
            out += lines(child, depth + 1)
        if out:
            out[0] = [(r.label, 1, len(out), "label")] + out[0]
        return out

    for r in spec.rows:
        if r.parent is None:
            for ln in lines(r.key, 0):
                b.line(ln)
    return b.layout


def _layout_t4(data: ReportData) -> Layout:
    spec = data.format.table("表四")
    review, suit, direct, after, *words = spec.headers
    n = len(words)
    b = _Builder("表四", 3 * n)
    b.line([(review, n, 2, "header"), (suit, 2 * n, 1, "header")])
    b.line([(direct, n, 1, "header"), (after, n, 1, "header")])
    b.line([(w, 1, 1, "header") for w in words * 3])
    row = spec.rows[0].key
    b.line([(data.cells[("表四", row, c)], 1, 1, "value") for c in spec.columns])
    return b.layout


# ---------------------------------------------------------------------------------------
# Writers
def _blocks(data: ReportData):
    """The report in reading order: ("title", text), ("para", text), ("heading", text),
    ("table", Layout)."""
    if data.title:
        yield "title", data.title
    for p in data.front:
        yield "para", p
    for s in data.sections:
        yield "heading", s.heading
        for p in s.paragraphs:
            yield "para", p
        for t in s.tables:
            if data.rows(t):
                yield "table", layout_table(data, t)
    for p in data.closing:
        yield "para", p


def _pipe_line(cells: list[str]) -> str:
    return " | ".join(cells) + " |"


def _text(data: ReportData, table_lines) -> str:
    out = []
    for kind, v in _blocks(data):
        if kind == "table":
            out += table_lines(v)
        else:
            out.append(v)
    return "\n".join(out) + "\n"


def _markdown(data: ReportData, fill: str) -> str:
    out = []
    for kind, v in _blocks(data):
        if kind == "title":
            out += [f"# {v}", ""]
        elif kind == "heading":
            out += [f"## {v}", ""]
        elif kind == "para":
            out += [v, ""]
        else:
            m = v.matrix(fill)
            for i, row in enumerate(m):
                out.append("| " + " | ".join(row) + " |")
                if i == 0:
                    out.append("|" + "---|" * v.ncols)
            out.append("")
    return "\n".join(out)


def _cell_per_line(layout: Layout) -> list[str]:
    return cell_per_line_rows(layout.matrix("empty"))


def cell_per_line_rows(matrix: list[list[str]]) -> list[str]:
    """One line per cell ("text |"), runs of empty grid positions as a line of "|" each, and
    one more "|" at the end of each row."""
    out = []
    for row in matrix:
        lines: list[str] = []
        empties = 0
        for text in row:
            if text:
                if empties:
                    lines.append("|" * empties)
                    empties = 0
                lines.append(f"{text} |")
            else:
                empties += 1
        if empties:
            lines.append("|" * empties)
        # the row's end: one more pipe (after a space when the last line is a cell)
        lines[-1] += "|" if lines[-1].startswith("|") else " |"
        out += lines
    return out


def _html(data: ReportData) -> str:
    e = _htmllib.escape
    h = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
         f"<title>{e(data.title or '')}</title></head>", '<body><div class="article">']
    for kind, v in _blocks(data):
        if kind == "title":
            h.append(f"<h1>{e(v)}</h1>")
        elif kind == "heading":
            h.append(f"<p><strong>{e(v)}</strong></p>")
        elif kind == "para":
            h.append(f"<p>{e(v)}</p>")
        else:
            h.append('<table border="1" cellspacing="0" cellpadding="0"><tbody>')
            for row in v.origin_rows():
                tds = []
                for c in row:
                    attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + \
                            (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
                    tds.append(f"<td{attrs}>{e(c.text)}</td>")
                h.append("<tr>" + "".join(tds) + "</tr>")
            h.append("</tbody></table>")
    h.append("</div></body></html>")
    return "\n".join(h) + "\n"


def _docx(data: ReportData, fill: str | None) -> bytes:
    """fill None: merged cells; "repeated"/"empty": every grid position its own cell."""
    import docx
    d = docx.Document()
    for kind, v in _blocks(data):
        if kind in ("title", "heading"):
            d.add_paragraph().add_run(v).bold = True
        elif kind == "para":
            d.add_paragraph(v)
        else:
            t = d.add_table(rows=v.nrows, cols=v.ncols)
            t.style = "Table Grid"
            if fill is not None:
                for r, row in enumerate(v.matrix(fill)):
                    cells = t.rows[r].cells
                    for c, text in enumerate(row):
                        if text:
                            cells[c].text = text
            else:
                # every cell object taken once before merging (t.cell() walks the whole table,
                # and merged regions never overlap, so these stay valid)
                grid = [list(r.cells) for r in t.rows]
                for g in v.cells:
                    cell = grid[g.row][g.col]
                    if g.rowspan > 1 or g.colspan > 1:
                        cell = cell.merge(grid[g.row + g.rowspan - 1][g.col + g.colspan - 1])
                    if g.text:
                        cell.text = g.text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def render(data: ReportData, rendering: str) -> bytes:
    """One rendering of the report as the bytes of a file (extension: EXTENSIONS[rendering])."""
    if rendering == "pipe_repeated":
        return _text(data, lambda L: [_pipe_line(r) for r in L.matrix("repeated")]).encode("utf-8")
    if rendering == "pipe_empty":
        return _text(data, lambda L: [_pipe_line(r) for r in L.matrix("empty")]).encode("utf-8")
    if rendering == "md_repeated":
        return _markdown(data, "repeated").encode("utf-8")
    if rendering == "md_empty":
        return _markdown(data, "empty").encode("utf-8")
    if rendering == "docx_unmerged_repeated":
        return _docx(data, "repeated")
    if rendering == "docx_unmerged_empty":
        return _docx(data, "empty")
    if rendering == "docx_merged":
        return _docx(data, None)
    if rendering == "html_spans":
        return _html(data).encode("utf-8")
    if rendering == "cell_per_line":
        return _text(data, _cell_per_line).encode("utf-8")
    if rendering == "tab":
        return _text(data, lambda L: ["\t".join(r) for r in L.matrix("empty")]).encode("utf-8")
    raise ValueError(f"unknown rendering {rendering!r}; known: {', '.join(RENDERINGS)}")


def write(data: ReportData, rendering: str, directory: Path, stem: str) -> Path:
    path = Path(directory) / f"{stem}{EXTENSIONS[rendering]}"
    path.write_bytes(render(data, rendering))
    return path


# ---------------------------------------------------------------------------------------
# Mutation: one 表三 and one 表四 value changed so that an equation breaks
def _num(text: str) -> Decimal | None:
    """The number of a cell's text, None for blank, dash, text."""
    from validator.model import ValueKind, parse_value
    kind, value, _unit = parse_value(text)
    return value if kind in (ValueKind.NUMBER, ValueKind.ZERO) else None


def _blank(text: str) -> bool:
    return not text.strip()


def _t3_outcome_rows(data: ReportData) -> list[str]:
    """The rows whose sum is （七）总计: every row with cells under 三、本年度办理结果 except
    （七）总计 itself (a 2019-style single （六）其他处理 row counts as one)."""
    spec = data.format.table("表三")
    have = data.rows("表三")

    def leaves(key):
        if key in have:
            return [key]
        return [x for c in spec.children(key) for x in leaves(c)]
    top = next(r.key for r in spec.rows if r.parent is None and r.group)
    return [k for c in spec.children(top) if c != "办理结果总计" for k in leaves(c)]


def _fmt(v: Decimal) -> str:
    return str(int(v)) if v == v.to_integral_value() else format(v.normalize(), "f")


def mutate(data: ReportData, seed: int = 0) -> tuple[ReportData, list[dict]]:
    """A copy of the report with two values changed, and the changes
    ``[{table, row, column, old, new, breaks}]``.

    表三: a number in an outcome row (under 三、本年度办理结果, not （七）总计) and an
    applicant column (not 总计), in a column whose outcome rows and （七）总计 are all
    numbers or blank with a written total, is raised by d (1–9, seeded) — d is never the
    column's present imbalance, so "outcomes add up to （七）总计" (A303) does not hold
    afterwards.  表四: one of the four result cells of a group (复议 / 直诉 / 复诉) whose five
    cells are numbers is raised by d the same way, so that group's 总计 (A401–A403) is off.
    Candidates are taken in an order shuffled with ``seed``; a table with no candidate is
    left unchanged (and no change is listed for it)."""
    rng = random.Random(seed)
    cells = dict(data.cells)
    changes = []
    if "表三" in data.tables():
        spec = data.format.table("表三")
        outcome = _t3_outcome_rows(data)
        total_col = spec.row_sums[0][1] if spec.row_sums else spec.columns[-1]
        cands = []
        for col in spec.columns:
            if col == total_col:
                continue
            texts = [cells.get(("表三", r, col)) for r in outcome + ["办理结果总计"]]
            if None in texts or _blank(texts[-1]) or _num(texts[-1]) is None:
                continue
            if any(_num(t) is None and not _blank(t) for t in texts):
                continue
            for r in outcome:
                if _num(cells[("表三", r, col)]) is not None:
                    cands.append((r, col))
        rng.shuffle(cands)
        if cands:
            r, col = cands[0]
            old = cells[("表三", r, col)]
            parts = sum((_num(cells[("表三", x, col)]) or Decimal(0)) for x in outcome)
            imbalance = _num(cells[("表三", "办理结果总计", col)]) - parts
            d = Decimal(rng.randint(1, 9))
            if d == imbalance:
                d += 1
            new = _fmt(_num(old) + d)
            cells[("表三", r, col)] = new
            changes.append({"table": "表三", "row": r, "column": col, "old": old, "new": new,
                            "breaks": f"{spec.column_display(col)}列：办理结果各项之和≠（七）总计"})
    if "表四" in data.tables():
        spec = data.format.table("表四")
        row = spec.rows[0].key
        cands = []
        for parts, total in spec.row_sums:
            texts = [cells.get(("表四", row, c)) for c in parts + [total]]
            if None in texts or any(_num(t) is None for t in texts):
                continue
            cands += [(c, parts, total) for c in parts]
        rng.shuffle(cands)
        if cands:
            col, parts, total = cands[0]
            old = cells[("表四", row, col)]
            imbalance = _num(cells[("表四", row, total)]) - sum(_num(cells[("表四", row, c)]) for c in parts)
            d = Decimal(rng.randint(1, 9))
            if d == imbalance:
                d += 1
            new = _fmt(_num(old) + d)
            cells[("表四", row, col)] = new
            changes.append({"table": "表四", "row": row, "column": col, "old": old, "new": new,
                            "breaks": f"{spec.column_display(total)}≠各项之和"})
    return replace(data, cells=cells), changes


# ---------------------------------------------------------------------------------------
# Section titles in real-world variant wording
#: Variant titles seen in published reports, one set per tuple entry; a key without a
#: variant in a set keeps the template title.  Sources: issue 10 (整改措施, 改进措施,
#: 需要说明的其他事项与附表); ../shared/reference/template-spec.md §4.2 (文登 2022 S19,
#: 上海 2022 S22, 广州 2024 S15) and §3.2 (上海 2019 S10); the corpus (seeds/000: 二、主动公开
#: 政府信息的情况, 四、存在的问题及改进措施; reports/001 and 003 list 因政府信息公开申请行政复议、
#: 提起行政诉讼的情况 among their parts).
VARIANT_TITLES = (
    {"主动公开": "主动公开政府信息的情况",
     "复议诉讼": "因政府信息公开工作被申请行政复议提起行政诉讼情况",
     "问题改进": "存在的主要问题及整改措施",
     "其他事项": "需要说明的其他事项与附表"},
    {"复议诉讼": "政府信息公开行政复议及行政诉讼情况",
     "问题改进": "存在的主要问题及改进措施"},
    {"复议诉讼": "因政府信息公开申请行政复议、提起行政诉讼的情况",
     "问题改进": "政府信息公开工作存在的主要问题及改进情况"},
    {"复议诉讼": "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
     "问题改进": "存在的问题及改进措施"},
)


def with_variant_titles(data: ReportData, variant: int = 0) -> tuple[ReportData, list[dict]]:
    """A copy with the titles of template sections replaced by the variant set
    ``VARIANT_TITLES[variant % n]``; returns the data and the changes
    ``[{key, template, variant}]``."""
    names = VARIANT_TITLES[variant % len(VARIANT_TITLES)]
    sections = []
    changes = []
    for s in data.sections:
        if s.key in names and s.title != names[s.key]:
            changes.append({"key": s.key, "template": s.heading, "variant": f"{s.numeral}、{names[s.key]}"})
            s = replace(s, title=names[s.key])
        sections.append(s)
    return replace(data, sections=sections), changes
