"""parse: tokens → Lark tree (grammar/report.lark) → the document model.

The grammar is compiled once per process (and cached on disk by Lark), then every report
is a cheap LALR run over a few hundred line/cell tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError
from lark.lexer import Lexer

from . import lexer as lx
from .splitter import split_run_together, _equations
from ..model import (Cell, LabelMatch, Metadata, Paragraph, ParseProblem, Report, Row, Section, Table,
                    ValueKind, parse_value)
from ..resources import grammar_dir
from ..source import SourceText
from ..templates import Format, TableSpec, format_for_year, load_formats


class _TokenStream(Lexer):
    """Feeds the precomputed tokens to Lark (the 'text' handed to parse() is the list)."""

    def __init__(self, lexer_conf):  # noqa: D401 - Lark's interface
        pass

    def lex(self, data):
        for i, t in enumerate(data):
            yield Token(t.type, str(i), start_pos=t.start, end_pos=t.end)


@lru_cache(maxsize=1)
def report_parser() -> Lark:
    path = grammar_dir() / "report.lark"
    from ..larkcache import lark  # compiled tables cached on disk (cold start)
    return lark("report", path.read_text(encoding="utf-8"), parser="lalr", lexer=_TokenStream)


# --------------------------------------------------------------------------------------
# year and template
# --------------------------------------------------------------------------------------
_YEAR_IN_TITLE = re.compile(r"(19\d{2}|20\d{2})\s*年\s*度?")
_PERIOD = re.compile(r"(?:统计(?:期限|时限|时间|周期|期)|数据统计|时间段|所列数据)[^。]{0,40}?(?:自|为|是|从)?\s*"
                     r"(\d{4}|[ \t]*)\s*年\s*(\d{1,2})?\s*月?\s*(\d{1,2})?\s*日?\s*(?:起)?\s*(?:至|到|-|—)\s*"
                     r"(\d{4})?\s*年?\s*(\d{1,2})?\s*月?\s*(\d{1,2})?\s*日?")
_ANY_PERIOD = re.compile(r"统计(?:期限|时限|时间|周期)")


def detect_year(text: str, tokens: list) -> tuple[int | None, tuple[int, int] | None, str | None]:
    """The report year from the title, else the preamble (统计期限…), else the text's start."""
    for t in tokens:
        if t.type == "TITLE":
            m = _YEAR_IN_TITLE.search(t.text)
            if m:
                return int(m.group(1)), (t.start + m.start(1), t.start + m.end(1)), "title"
    head = text[:3000]
    m = re.search(r"(\d{4})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-)", head)
    if m:
        return int(m.group(1)), (m.start(1), m.end(1)), "period"
    m = re.search(r"(20\d{2}|19\d{2})\s*年\s*度?\s*(?:政府信息公开|政务公开|信息公开)", head)
    if m:
        return int(m.group(1)), (m.start(1), m.end(1)), "preamble"
    m = re.search(r"(20\d{2}|19\d{2})\s*年", head)
    if m:
        return int(m.group(1)), (m.start(1), m.end(1)), "text"
    return None, None, None


def choose_format(year: int | None, override: str | None, formats: dict[str, Format]) -> tuple[str | None, Format | None, str]:
    if override and override != "auto":
        f = formats.get(override)
        return override, f, f"--template {override}"
    if year is None:
        return None, formats.get("2021"), "未能识别报告年度，按2021年格式识别表格"
    if year < 2019:
        return "legacy", None, f"报告年度{year}年早于2019年（适用2008年《条例》）"
    f = format_for_year(year, formats)
    if f is None:
        return None, formats.get("2021"), f"报告年度{year}年无对应格式"
    return f.id, f, f"报告年度{year}年 → {f.id}年格式"


# --------------------------------------------------------------------------------------
# the parse
# --------------------------------------------------------------------------------------
def parse(doc, template: str | None = None, formats: dict[str, Format] | None = None) -> Report:
    from ..document import Document
    if not isinstance(doc, Document):
        doc = Document.of_lines(doc)
    src = doc.source
    formats = formats or load_formats()
    text = src.text
    # the format depends on the year, which is read from the title among the tokens: lex with
    # the format the text's start suggests, and again only if the title says otherwise
    guess, _s, _src = detect_year(text, ())
    _t, fmt, _r = choose_format(guess, template, formats)
    tokens = _lex(text, formats, fmt)
    year, year_span, year_src = detect_year(text, tokens)
    tid, fmt2, reason = choose_format(year, template, formats)
    if fmt2 is not fmt:
        fmt = fmt2
        tokens = _lex(text, formats, fmt)
    try:
        tree = report_parser().parse(tokens)
    except LarkError as exc:  # the token stream did not fit the grammar: keep going flat
        tree = None
        problem = ParseProblem("P001", f"报告结构无法完整解析（{type(exc).__name__}），已按逐段方式检查", (0, 0))
    else:
        problem = None
    report = Report(src, Metadata(year=year, year_span=year_span, year_source=year_src), tid, reason, format=fmt,
                    document=doc)
    if problem:
        report.problems.append(problem)
    _Builder(report, tokens, fmt).build(tree)
    return report


def _lex(text: str, formats: dict[str, Format], fmt: Format | None) -> list:
    order = [fmt] + [f for f in formats.values() if f is not fmt] if fmt else list(formats.values())
    return lx.lex_document(text, order, fmt)


class _Builder:
    def __init__(self, report: Report, tokens: list, fmt: Format | None):
        self.r = report
        self.toks = tokens
        self.fmt = fmt
        self.text = report.source.text
        self._ambiguous: list = []

    def tok(self, t: Token):
        return self.toks[int(t)]

    def build(self, tree: Tree | None):
        if tree is None:
            self._flat()
        else:
            for child in tree.children:
                self._top(child, None)
        # section ends
        secs = self.r.sections
        for i, s in enumerate(secs):
            s.end = secs[i + 1].span[0] if i + 1 < len(secs) else len(self.text)
        self._metadata()

    def _flat(self):
        for t in self.toks:
            if t.type == "SECTION":
                self._section_tok(t)

    def _section_tok(self, t):
        h = t.data["heading"]
        sec = Section(h.number, h.numeral, h.title.strip(), (t.start, t.end), h.key, h.quality)
        self.r.sections.append(sec)
        return sec

    def _top(self, node, sec: Section | None):
        if isinstance(node, Token):
            t = self.tok(node)
            if t.type == "TEXT":
                self._para(sec, Paragraph(t.text, (t.start, t.end)))
            return
        d = node.data
        if d == "front":
            t = self.tok(node.children[0])
            self.r.front.append(Paragraph(t.text, (t.start, t.end)))
        elif d == "title":
            t = self.tok(node.children[0])
            self.r.metadata.title = t.text.strip()
            self.r.metadata.title_span = (t.start, t.end)
        elif d == "section":
            s = self._section_tok(self.tok(node.children[0]))
            for ch in node.children[1:]:
                self._top(ch, s)
        elif d == "paragraph":
            toks = [self.tok(c) for c in node.children]
            lines = toks[-1].data["texts"] if toks[-1].type == "TEXTS" else []
            if toks[0].type == "SUBITEM":
                # the sub-item marker and the first line after it are one paragraph
                start = toks[0].start
                end = lines[0].end if lines else toks[0].end
                self._para(sec, Paragraph(self.text[start:end], (start, end), toks[0].text))
                lines = lines[1:]
            for t in lines:
                self._para(sec, Paragraph(t.text, (t.start, t.end)))
        elif d == "table":
            self._table(node, sec)
        elif d == "closing":
            toks = [self.tok(c) for c in node.children]
            for t in toks:
                if t.type == "SIGNATURE":
                    self.r.metadata.issuer = t.text.strip()
                    self.r.metadata.issuer_span = (t.start, t.end)
                    self.r.signature = Paragraph(t.text, (t.start, t.end))
                elif t.type == "DATE":
                    m = lx._DATE_LINE.match(t.text)
                    if m and m.group(1).isdigit() and m.group(2).isdigit() and m.group(3).isdigit():
                        self.r.metadata.date = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
                    self.r.metadata.date_span = (t.start, t.end)

    def _para(self, sec, p):
        if sec is None:
            self.r.preamble.append(p)
        else:
            sec.paragraphs.append(p)

    # -- tables ---------------------------------------------------------------------------
    def _table(self, node: Tree, sec: Section | None):
        start_tok = self.tok(node.children[0])
        end_tok = self.tok(node.children[-1])
        key = start_tok.data["table"]
        spec = self.fmt.table(key) if self.fmt else None
        if spec is None:
            return
        table = Table(key, spec.name, (start_tok.start, end_tok.end),
                      section_number=sec.number if sec else None)
        if sec is not None:
            sec.tables.append(key)
        unlabeled: list = []
        pending: list = []   # (labels, cells) in document order
        for part in node.children[1:-1]:
            if part.data == "heading_part":
                for head in self.tok(part.children[0]).data["heads"]:
                    lm = self._label(head)
                    if head.type == "CAPTION":
                        table.captions.append(lm)
                    elif head.type == "HEADER":
                        table.headers.append(lm)
                    else:
                        table.stray.append(lm)
                cells = [c for t in part.children[1:] for c in self.tok(t).data["cells"]]
                if cells:
                    unlabeled.append((head, cells))
            elif part.data == "row":
                labels = [self.tok(c) for c in part.children if self.tok(c).type in ("ROWLABEL", "GROUPLABEL")]
                cells = [c for t in part.children if self.tok(t).type == "CELLS" for c in self.tok(t).data["cells"]]
                pending.append((labels, cells))
        # rows: the last label of a part owns the cells; a label repeated without cells
        # (Markdown heading + table row of the same name) is one row
        for labels, cells in pending:
            for i, lt in enumerate(labels):
                lm = self._label(lt)
                sp = lt.data["spec"]
                is_last = i == len(labels) - 1
                if sp.kind == "group" and not (is_last and cells):
                    table.groups_seen.append(lm)
                    continue
                row_key = sp.key
                rspec = spec.row(row_key)
                if rspec is None:  # a label of another format (e.g. 2019 row in a 2021 report)
                    lm.quality = "legacy"
                    table.stray.append(lm)
                    continue
                these = cells if is_last else []
                existing = table.rows.get(row_key)
                if existing is not None and not existing.cells and these:
                    existing.labels.append(lm)
                    self._fill_row(existing, rspec.columns, these, spec)
                elif existing is None:
                    row = Row(row_key, [lm], {}, lm.span)
                    table.rows[row_key] = row
                    if these:
                        self._fill_row(row, rspec.columns, these, spec)
                else:
                    existing.labels.append(lm)
        # 表四: the data row has no label
        unlabeled_rows = [r for r in spec.rows if not r.label]
        if unlabeled_rows and unlabeled:
            rs = unlabeled_rows[0]
            cells = [c for _h, cs in unlabeled for c in cs]
            # blank filler after header cells (pipe renderings) is layout, not data
            while len(cells) > len(rs.columns) and cells[0].type == "BLANK":
                cells.pop(0)
            row = Row(rs.key, [], {}, (cells[0].start, cells[-1].end))
            table.rows[rs.key] = row
            self._fill_row(row, rs.columns, cells, spec)
        self._resolve_jointly(table, spec)
        self._ambiguous = []
        self.r.tables[key] = table

    def _assign_split(self, row: Row, columns, values, pieces_per_token, how: str):
        cells = []
        for ti, pieces in enumerate(pieces_per_token):
            t = values[ti]
            off = t.start
            for p in pieces:
                kind, v, unit = parse_value(p)
                note = f"由连写数字“{t.text}”{how}唯一拆分" if len(pieces) > 1 else None
                cells.append(Cell(p, kind, v, (off, off + len(p)), row.key, "", unit, note))
                off += len(p)
        row.cells.clear()
        for c, col in zip(cells, columns):
            c.column = col
            row.cells[col] = c
        row.unreadable = None

    def _resolve_jointly(self, table: Table, spec: TableSpec):
        """Rows whose run-together digits split several ways: keep the one combination that
        also satisfies the template's column equations, if there is exactly one."""
        if not self._ambiguous or not spec.column_equations:
            return
        from itertools import product
        from ..expr import Missing, check, compile_expr
        from ..tablemath import Lookup
        eqs = [compile_expr(e) for e in spec.column_equations]
        amb = self._ambiguous
        total = 1
        for *_x, cands in amb:
            total *= len(cands)
        if total > 5000:
            return
        good = []
        for combo in product(*[cands for *_x, cands in amb]):
            for (row, columns, values, _c), pieces in zip(amb, combo):
                self._assign_split(row, columns, values, pieces, "")
            ok = True
            checked = 0
            for col in spec.columns:
                for e in eqs:
                    try:
                        res = check(e, Lookup(table, spec, column=col))
                    except Missing:
                        continue
                    checked += 1
                    if not res.holds:
                        ok = False
                        break
                if not ok:
                    break
            if ok and checked:
                good.append(combo)
                if len(good) > 1:
                    break
        if len(good) == 1:
            for (row, columns, values, _c), pieces in zip(amb, good[0]):
                self._assign_split(row, columns, values, pieces, "按本行合计及本列勾稽关系")
        else:
            for row, columns, values, cands in amb:
                raw = " ".join(t.text for t in values)
                row.unreadable = ("ambiguous", raw, len(cands))
                span = (values[0].start, values[-1].end)
                row.cells.clear()
                for col in columns:
                    row.cells[col] = Cell(raw, ValueKind.UNREADABLE, None, span, row.key, col)

    def _label(self, t) -> LabelMatch:
        sp = t.data.get("spec")
        if sp is None:
            return LabelMatch(t.text, (t.start, t.end), None, None, "other")
        return LabelMatch(t.text, (t.start, t.end), sp.key, sp.label, t.data.get("quality", "exact"), sp.format)

    def _fill_row(self, row: Row, columns: list[str], toks: list, spec: TableSpec):
        n = len(columns)
        values = [t for t in toks]
        if len(values) > n:
            extra = values[n:]
            if any(t.type == "VALUE" for t in extra):
                # more numbers than columns: which of them belong to the row is unknown
                row.extra = [t.text for t in extra if t.type == "VALUE"]
                raw = " ".join(t.text for t in values if t.type == "VALUE")
                row.unreadable = ("extra", raw, len(values))
                span = (values[0].start, values[-1].end)
                for col in columns:
                    row.cells[col] = Cell(raw, ValueKind.UNREADABLE, None, span, row.key, col)
                return
            values = values[:n]
        if len(values) < n and all(t.type == "VALUE" for t in values):
            split = split_run_together([t.text for t in values], n, _equations(spec, columns))
            if split.unique is not None:
                self._assign_split(row, columns, values, split.unique, "按本行合计关系")
                return
            raw = " ".join(t.text for t in values)
            row.unreadable = ("ambiguous" if split.count > 1 else "none", raw, split.count)
            if split.candidates:
                self._ambiguous.append((row, columns, values, split.candidates))
            span = (values[0].start, values[-1].end) if values else row.span
            for col in columns:
                row.cells[col] = Cell(raw, ValueKind.UNREADABLE, None, span, row.key, col)
            return
        for i, col in enumerate(columns):
            if i < len(values):
                t = values[i]
                raw = "" if t.type == "BLANK" else t.text
                kind, v, unit = parse_value(raw)
                row.cells[col] = Cell(raw, kind, v, (t.start, t.end), row.key, col, unit)
            else:
                end = values[-1].end if values else row.span[1]
                row.cells[col] = Cell("", ValueKind.MISSING, None, (end, end), row.key, col)

    # -- metadata -------------------------------------------------------------------------
    def _metadata(self):
        """Report year (already read), title, issuing body, signing/publication date,
        statistical period and front-matter fields, from the title, front matter, preamble and
        signature.  Nothing here reports problems; the metadata rules do."""
        md = self.r.metadata
        text = self.text
        pre = [p for p in self.r.front + self.r.preamble if p.text.strip()]
        pre.sort(key=lambda p: p.span[0])
        # front matter: "索引号: … 发布日期: …" (several per line, "- " list prefixes,
        # pinyin debris such as 发(fā)布日期 from a copied page)
        for p in pre[:14]:
            clean, cmap = _strip_pinyin(p.text)
            keys = list(_META_KEY.finditer(clean))
            for i, m in enumerate(keys):
                key = re.sub(r"\s+", "", m.group(1))
                vstart = m.end()
                vend = keys[i + 1].start() if i + 1 < len(keys) else len(clean)
                raw = clean[vstart:vend]
                if key in _META_DATE_KEYS:
                    dm = _META_DATE.match(raw)
                    if not dm:
                        if key != "时间":
                            md.front.setdefault(key, ("", (p.span[0] + cmap[vstart], p.span[0] + cmap[vstart])))
                        continue
                    a, b = vstart + dm.start(1), vstart + dm.end(1)
                else:
                    lead = len(raw) - len(raw.lstrip())
                    a = vstart + lead
                    val = raw.strip()
                    cut = re.search(r"\s{2,}|\s(?=[^\s]*[:：])", val) if len(val) > 40 else None
                    b = a + (cut.start() if cut else len(val))
                    if len(val) > 80 and not cut:
                        continue
                val = clean[a:b].strip()
                span = (p.span[0] + cmap[a], p.span[0] + cmap[max(a, b - 1)] + (1 if b > a else 0))
                md.front.setdefault(key, (val, span))
        # statistical period, possibly wrapped over several lines (PDF layout)
        head, hmap = _join_paras(pre[:14] + (self.r.sections[0].paragraphs[:2] if self.r.sections else []))
        m = _ANY_PERIOD.search(head)
        if m:
            seg_end = len(head)
            for stop in ("。", "\n", ",电子", ";"):
                k = head.find(stop, m.start())
                if 0 <= k < seg_end:
                    seg_end = k
            seg_end = min(seg_end, m.start() + 60)
            md.period = head[m.start():seg_end]
            md.period_span = (hmap[m.start()], hmap[max(m.start(), seg_end - 1)] + 1)
        # title: a title line; else the front matter (标题/名称); else a title at the start of
        # the first paragraph (page text: breadcrumbs, then the title, then the body); else
        # the report naming itself in the preamble (“编制了《…年度报告》”)
        if md.title is not None and md.title_span is not None:
            km = re.match(r"\s*-?\s*(?:标题|名称)\s*[:：]\s*", md.title)
            if km:  # a front-matter line "- 标题: …" read as the title line
                md.title = md.title[km.end():].strip()
                md.title_span = (md.title_span[0] + km.end(), md.title_span[1])
        if md.title is None:
            for key in ("标题", "名称"):
                if key in md.front and _TITLE_WORDS.search(md.front[key][0]):
                    md.title, md.title_span = md.front[key][0], md.front[key][1]
                    break
        if md.title is None:
            short = [p for p in pre[:4] if len(p.text.strip()) <= 40]
            for i in range(len(short)):
                if not re.search(r"(?:19|20)\d{2}", short[i].text):
                    continue
                joined = "".join(q.text.strip() for q in short[i:i + 3])
                if _TITLE_AT.match(joined) and i + 1 < len(short):
                    for j in range(i + 1, min(i + 3, len(short)) + 1):
                        part = "".join(q.text.strip() for q in short[i:j])
                        if _TITLE_AT.fullmatch(part):
                            md.title = part
                            md.title_span = (short[i].span[0], short[j - 1].span[1])
                            break
                if md.title:
                    break
        if md.title is None and pre:
            first = pre[0] if not _META_KEY.match(pre[0].text) else None
            for p in [q for q in pre[:3] if q is not first] if first is None else [first]:
                m = _TITLE_IN_LINE.search(p.text[:300])
                if m:
                    md.title = m.group(1)
                    md.title_span = (p.span[0] + m.start(1), p.span[0] + m.end(1))
                    break
        if md.title is None:
            for p in pre[:3]:
                m = _SELF_NAMED.search(p.text[:600])
                if m:
                    g = "t1" if m.group("t1") else "t2"
                    md.title = m.group(g)
                    md.title_span = (p.span[0] + m.start(g), p.span[0] + m.end(g))
                    break
        if md.title is None and pre:
            # a title line without a year (“政府信息公开工作年度报告”), reported by the title rule
            t = pre[0].text.strip()
            if len(t) <= 40 and re.search(r"(?:年度报告|工作报告|年报)$", re.sub(r"[\s()（）]", "", t)) \
                    and not re.search(r"\d", t) and "。" not in t:
                md.title, md.title_span = t, pre[0].span
        # issuing body and date: the signature; else an org line + date line near the end
        # (possibly followed by an empty "附件：" or page debris); else the preamble
        if md.date is None or md.issuer is None:
            tail = self._last_paragraphs(8)
            for i in range(len(tail) - 1, -1, -1):
                dm = lx._DATE_LINE.match(tail[i].text)
                if not dm:
                    continue
                if md.date is None:
                    d = _date_tuple(dm)
                    if d:
                        md.date, md.date_span = d, tail[i].span
                if md.issuer is None and i > 0:
                    prev = tail[i - 1].text.strip()
                    if len(prev) <= 40 and lx._ORG_RE.search(prev) and "。" not in prev:
                        md.issuer, md.issuer_span = prev, tail[i - 1].span
                break
        if md.date is None:
            for p in pre[:4]:
                dm = lx._DATE_LINE.match(p.text.strip().strip("()（）"))
                if dm and _date_tuple(dm):
                    md.date, md.date_span = _date_tuple(dm), p.span
                    break
        if md.issuer is None and md.title:
            # the body named in the title, before the year or between the year and 政府信息公开
            t0 = md.title
            m = re.match(r"\s*(?:#+\s*)?([^\s\d:：]{2,30}?)\s*(?:19|20)\d{2}\s*年", t0) or \
                re.match(r"\s*(?:#+\s*)?(?:19|20)\d{2}\s*年\s*度?\s*([^\s\d:：]{2,20}?)\s*(?:政府信息公开|信息公开|政务公开)", t0)
            name = m.group(1) if m else ""
            if name.endswith("政府") and t0[m.end(1):].lstrip().startswith("信息公开"):
                name = name[:-2]
            if len(name) >= 2 and not re.search(r"关于|印发|通知", name) and md.title_span:
                md.issuer = name
                raw_t = text[md.title_span[0]:md.title_span[1]]
                k = raw_t.find(name)
                md.issuer_span = ((md.title_span[0] + k, md.title_span[0] + k + len(name)) if k >= 0
                                  else md.title_span)
        if md.issuer is None and md.title_span is not None:
            # the line just above the title ("淮安市人民政府" / "2024 年政府信息公开工作年度报告")
            for p in pre[:3]:
                t = p.text.strip()
                if p.span[1] <= md.title_span[0] and len(t) <= 30 and lx._ORG_RE.search(t) \
                        and not re.search(r"[\d:：]", t):
                    md.issuer, md.issuer_span = t, p.span
        if md.issuer is None:
            for key in ("发布机构", "发文机关", "发文单位", "所属机构"):
                if key in md.front and md.front[key][0] and md.front[key][0] not in ("无", "-"):
                    md.issuer, md.issuer_span = md.front[key]
                    break

    def _last_paragraphs(self, n: int) -> list:
        paras = list(self.r.preamble) if not self.r.sections else list(self.r.sections[-1].paragraphs)
        return paras[-n:]


# --------------------------------------------------------------------------------------
# metadata helpers
# --------------------------------------------------------------------------------------
_META_KEYS = ("索引号", "发布机构", "发布日期", "成文日期", "生成日期", "公开方式", "公开范围", "主题分类", "文号",
              "发文字号", "信息来源", "来源", "发文机关", "发文单位", "发文日期", "标题", "名称", "分类", "时效",
              "关键词", "有效性", "发布时间", "时间", "所属机构", "体裁分类", "组配分类", "服务对象")
_META_KEY = re.compile(r"(?:^|(?<=[\s|]))-?\s*(%s)\s*[:：]" % "|".join(
    r"\s?".join(k) for k in sorted(_META_KEYS, key=len, reverse=True)))
_META_DATE_KEYS = ("发布日期", "成文日期", "生成日期", "发文日期", "发布时间", "时间")
_META_DATE = re.compile(r"\s*((?:19|20)\d{2}\s*(?:年|-|/|\.)\s*\d{1,2}\s*(?:月|-|/|\.)\s*\d{1,2}\s*日?)")
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)")
_TITLE_WORDS = re.compile(r"(?:19|20)\d{2}\s*年.*(?:报告|年报)")
_TITLE_AT = re.compile(r"[^\s。，,；;:：]{0,40}?(?:19|20)\d{2}\s*年\s*度?[^。，,；;]{0,40}?(?:年度报告|工作报告|年报)")
_TITLE_IN_LINE = re.compile(r"(?:^|\s)((?:(?!当前位置)[^\s。，,；;:：])*?(?:19|20)\d{2}\s*年\s*度?[^\s。，,；;:：]{0,40}?(?:年度报告|工作报告|年报))(?=\s|$|[,，。])")
_SELF_NAMED = re.compile(r"《(?P<t1>[^》]{0,40}(?:19|20)\d{2}\s*年[^》]{0,30}(?:年度报告|工作报告|年报))》"
                         r"|(?:编制|公布|发布)了?(?P<t2>[^\s,，。《》]{0,30}?(?:19|20)\d{2}\s*年\s*度?[^\s,，。《》]{0,30}?(?:年度报告|工作报告))")


def _strip_pinyin(s: str) -> tuple[str, list[int]]:
    """Text without pinyin debris “号(hào)”, with a map back to the offsets of s."""
    out, idx, pos = [], [], 0
    for m in _PINYIN.finditer(s):
        out.append(s[pos:m.start()])
        idx.extend(range(pos, m.start()))
        pos = m.end()
    out.append(s[pos:])
    idx.extend(range(pos, len(s)))
    idx.append(len(s))
    return "".join(out), idx


def _join_paras(paras) -> tuple[str, list[int]]:
    """Paragraph texts joined into one string (a line break inside a sentence is dropped),
    with the offset in the document of every character."""
    out: list[str] = []
    idx: list[int] = []
    last = None  # the last character added (slices instead of a loop per character)
    for p in paras:
        if last is not None and last in "。;；!！?？:：":
            out.append("\n")
            idx.append(idx[-1])
            last = "\n"
        t = p.text
        if t:
            out.append(t)
            idx.extend(range(p.span[0], p.span[0] + len(t)))
            last = t[-1]
    idx.append(idx[-1] + 1 if idx else 0)
    return "".join(out), idx


def _date_tuple(m) -> tuple[int, int, int] | None:
    def num(s):
        if s.isdigit():
            return int(s)
        if len(s) == 4:  # 二〇一九
            d = {c: i for i, c in enumerate("〇一二三四五六七八九")}
            d["零"] = 0
            return int("".join(str(d.get(c, 0)) for c in s))
        return lx.cn_to_int(s)
    try:
        y, mo, d = num(m.group(1)), num(m.group(2)), num(m.group(3))
    except (TypeError, ValueError):
        return None
    if not y or not mo or not d or not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return y, mo, d


