"""The statutory formats as data: rules/formats/*.yaml → Format objects.

A Format lists the six sections and the three tables (captions, headers, rows, columns) of
one national template.  The lexer uses their labels to find tables in any rendering; the
model builder maps what was found onto the canonical row and column keys.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import lru_cache
from pathlib import Path

from .lazyre import later
from .records import record
from .resources import grammar_dir, rules_dir
from .yamlload import YamlError, load_yaml

_NUMBERING = later(r"^\s*(?:[(（]\s*([一二三四五六七八九十]{1,2})\s*[)）]|([一二三四五六七八九十]{1,2})\s*[、.]|(\d{1,2})\s*[.、．])\s*")


def split_numbering(label: str) -> tuple[str | None, str]:
    m = _NUMBERING.match(label)
    if not m:
        return None, label
    return (m.group(1) or m.group(2) or m.group(3)), label[m.end():]


def _compact(s: str) -> str:
    from .textutil import compact
    from .normalize import fold_width
    return compact(fold_width(s))


@record
class LabelSpec:
    """One label of a table: caption, header, row or row-group."""

    table: str
    kind: str               # caption / header / row / group
    key: str                # row key, header text or caption text
    label: str              # the template wording
    numbering: str | None   # 一 / 2 …
    core: str               # compact label without numbering
    short_cores: tuple[str, ...] = ()
    variant_cores: tuple[str, ...] = ()
    legacy_cores: tuple[str, ...] = ()
    format: str = ""
    parent: str | None = None

    def cores(self) -> list[str]:
        return [self.core, *self.short_cores, *self.variant_cores, *self.legacy_cores]

    def requires_numbering(self, core: str) -> bool:
        return (self.kind in ("row", "group") and self.numbering is not None
                and (len(core) <= 2 or core in self.short_cores))


@record
class SectionSpec:
    """A section of a template format: number, key, title and the words that recognise it."""

    number: int
    key: str
    title: str
    variants: list[str] = field(default_factory=list)
    words: list[list[str]] = field(default_factory=list)   # groups of alternatives, all must occur

    def words_match(self, title: str) -> bool:
        """Does a freely worded title name this section (every word group occurs)?"""
        return bool(self.words) and all(any(w in title for w in group) for group in self.words)


@record
class RowSpec:
    """A row of a template table: key, label, group and parent, the columns it has."""

    key: str
    label: str | None
    group: bool = False
    parent: str | None = None
    columns: list[str] = field(default_factory=list)
    block: str | None = None  # 表二 caption
    name: str | None = None   # short name in messages (defaults to the key)
    id: str = ""              # ASCII name of the row's terminal in the generated grammar


@record
class TableSpec:
    """A table of a template format: key, name, section, columns, rows and equations."""

    key: str
    name: str
    section: int
    section_key: str
    columns: list[str]
    rows: list[RowSpec]
    headers: list[str]
    labels: list[LabelSpec]
    value_kinds: dict[str, str] = field(default_factory=dict)
    column_names: dict[str, str] = field(default_factory=dict)
    row_sums: list[tuple[list[str], str]] = field(default_factory=list)
    legacy_labels: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    column_equations: list[str] = field(default_factory=list)
    column_headers: dict[str, list[str]] = field(default_factory=dict)  # column -> header cells, top down
    anchors: list = field(default_factory=list)   # regexes: where the table starts in page text

    @property
    def id(self) -> str:
        """ASCII name of the table in the generated grammar (t2, t3, t4: its section)."""
        return f"t{self.section}"

    def header_path(self, column: str) -> list[str]:
        return self.column_headers.get(column) or [column]

    def row(self, key: str) -> RowSpec | None:
        index = self.__dict__.get("_row_index")
        if index is None:  # built on first use (formats are loaded once and not changed)
            index = self.__dict__["_row_index"] = {r.key: r for r in reversed(self.rows)}
        return index.get(key)

    def children(self, key: str) -> list[str]:
        kids = self.__dict__.setdefault("_children", {})
        if key not in kids:
            kids[key] = [r.key for r in self.rows if r.parent == key]
        return kids[key]

    def row_display(self, key: str) -> str:
        r = self.row(key)
        if r is None or not r.label:
            return key
        if r.parent and self.row(r.parent) and self.row(r.parent).group and r.parent != "办理结果":
            return f"{self.row(r.parent).label}{r.label}"
        return r.label

    def short_name(self, key: str) -> str:
        r = self.row(key)
        return (r.name if r is not None and r.name else key)

    def column_display(self, key: str) -> str:
        return self.column_names.get(key, key)

    def anchor_patterns(self) -> list[re.Pattern]:
        return self.anchors

    def equations(self) -> list:
        """The column equations, compiled (validator/expr.py); kept with the formats between
        runs (validator/startcache.py), so a check does not need the expression parser."""
        eqs = self.__dict__.get("_equations")
        if eqs is None:
            from .expr import compile_expr
            eqs = self.__dict__["_equations"] = [compile_expr(e) for e in self.column_equations]
        return eqs


def _spaced(word: str) -> str:
    return r"\s*".join(re.escape(c) for c in word)


# An optional prefix before a leading \s* is written "(?:prefix|(?<!\s))\s*": the leftmost
# match never starts inside a whitespace run (the run's start matches too), so the guard
# gives the same matches while a long run of spaces costs O(n) instead of O(n²) (a 8 KB
# whitespace-only file took > 30 s).  Likewise "(?<!#)#+" and "\s*(?:[、.]\s*)?" for
# "\s*[、.]?\s*".  The words are the formats' (rules/formats/*.yaml, ``anchors``).
def anchor_pattern(a: dict) -> re.Pattern:
    """The regex of one table anchor of a format file (see rules/formats/2021.yaml)."""
    word = _spaced(str(a["word"]))
    if a.get("bracket"):
        word = r"(?:[(（]|(?<!\s))\s*" + word
    if a.get("number"):
        word = f"(?:{re.escape(str(a['number']))}|(?<!\\s))" + r"\s*(?:[、.]\s*)?" + word
    if a.get("heading"):
        word = r"(?<!#)#+\s*" + word
    if a.get("then"):
        word += r"[\s|#\-:]*(?:" + "|".join(_spaced(str(w)) for w in a["then"]) + ")"
    return re.compile(word)


@record(frozen=True)
class ValueSyntax:
    """How a cell's text is read: a number, possibly signed and with a unit, or one of the
    texts meaning "not applicable".  The words are the formats' (rules/formats/*.yaml,
    ``values``); :func:`value_syntax` builds one from such a block."""

    negative: tuple[str, ...]
    positive: tuple[str, ...]
    units: tuple[str, ...]
    not_applicable: frozenset
    dashes: frozenset
    pattern: re.Pattern


def value_syntax(block: dict) -> ValueSyntax:
    neg = tuple(str(x) for x in block.get("negative", ()))
    pos = tuple(str(x) for x in block.get("positive", ()))
    units = tuple(sorted((str(u) for u in block.get("units", ())), key=len, reverse=True))
    signs = "".join(re.escape(x) for x in neg + pos if len(x) == 1)
    unit_alt = "|".join(re.escape(u) for u in units)
    pattern = re.compile(f"^([{signs}]?)" + r"(\d+(?:\.\d+)?)" + (f"({unit_alt})?$" if unit_alt else "()$"))
    return ValueSyntax(neg, pos, units, frozenset(str(x) for x in block.get("not_applicable", ())),
                       frozenset(str(block.get("dashes", ""))), pattern)


@record
class Format:
    """A template format (rules/formats/*.yaml): years, sections, tables, value syntax."""

    id: str
    name: str
    basis: str
    year_from: int | None
    year_to: int | None
    sections: list[SectionSpec]
    tables: list[TableSpec]
    path: str
    values: ValueSyntax | None = None   # how cell texts are read (``values``)
    report_words: tuple = ()            # words that mark a report's body in a web page

    def table(self, key: str) -> TableSpec | None:
        for t in self.tables:
            if t.key == key:
                return t
        return None

    def section_by_key(self, key: str) -> SectionSpec | None:
        for s in self.sections:
            if s.key == key:
                return s
        return None

    def section(self, number: int) -> SectionSpec | None:
        for s in self.sections:
            if s.number == number:
                return s
        return None

    def covers(self, year: int) -> bool:
        return (self.year_from is None or year >= self.year_from) and (self.year_to is None or year <= self.year_to)


def _build_table(fmt_id: str, t: dict, sections: dict[int, SectionSpec], where: str) -> TableSpec:
    key = t["key"]
    rows: list[RowSpec] = []
    labels: list[LabelSpec] = []
    headers: list[str] = list(t.get("headers", []))
    columns: list[str] = list(t.get("columns", []))
    value_kinds = dict(t.get("value_kinds", {}))
    captions = []
    column_headers = {k: list(v) for k, v in (t.get("column_headers") or {}).items()}

    def add_row(r: dict, cols: list[str], block: str | None):
        label = r.get("label")
        rows.append(RowSpec(r["key"], label, bool(r.get("group")), r.get("parent"), cols, block, r.get("name"),
                            str(r.get("id") or f"r{len(rows) + 1}")))
        if label:
            num, rest = split_numbering(label)
            labels.append(LabelSpec(key, "group" if r.get("group") else "row", r["key"], label, num,
                                    _compact(rest),
                                    tuple(_compact(s) for s in r.get("short", [])),
                                    tuple(_compact(s) for s in r.get("variants", [])),
                                    tuple(_compact(s) for s in r.get("legacy", [])),
                                    fmt_id, r.get("parent")))

    if "blocks" in t:
        for b in t["blocks"]:
            cap = b["caption"]
            captions.append(cap)
            labels.append(LabelSpec(key, "caption", cap, cap, None, _compact(cap), format=fmt_id))
            for h in b.get("headers", []):
                if h not in headers:
                    headers.append(h)
            value_kinds.update(b.get("value_kinds", {}))
            column_headers.update({k: list(v) for k, v in (b.get("column_headers") or {}).items()})
            for c in b["columns"]:
                if c not in columns:
                    columns.append(c)
            for r in b["rows"]:
                add_row(r, list(b["columns"]), cap)
    else:
        for r in t["rows"]:
            add_row(r, columns, None)
    for h in headers:
        labels.append(LabelSpec(key, "header", h, h, None, _compact(h), format=fmt_id))
    for h in t.get("legacy_labels", []):
        c = _compact(h)
        if not any(c in sp.cores() for sp in labels):
            kind = "caption" if h.startswith("第二十条") else "header"
            labels.append(LabelSpec(key, kind, h, h, None, c, format=fmt_id, legacy_cores=(c,)))
    sums = []
    if "row_sum" in t:
        sums.append((list(t["row_sum"]["parts"]), t["row_sum"]["total"]))
    for g in t.get("row_sum_groups", []):
        sums.append((list(g["parts"]), g["total"]))
    sec = sections.get(t["section"])
    return TableSpec(key, t.get("name", key), t["section"], sec.key if sec else "", columns, rows, headers,
                     labels, value_kinds, dict(t.get("column_names", {})), sums,
                     list(t.get("legacy_labels", [])), captions, list(t.get("column_equations", [])),
                     column_headers, [anchor_pattern(a) for a in t.get("anchors", [])])


def load_format(path: Path) -> Format:
    data, _lines = load_yaml(path)
    try:
        sections = [SectionSpec(s["number"], s["key"], s["title"], list(s.get("variants", [])),
                                [list(g) for g in s.get("words", [])])
                    for s in data["sections"]]
        by_num = {s.number: s for s in sections}
        tables = [_build_table(str(data["id"]), t, by_num, str(path)) for t in data.get("tables", [])]
        years = data.get("years", {})
        values = value_syntax(data["values"]) if data.get("values") else None
        return Format(str(data["id"]), data["name"], data.get("basis", ""), years.get("from"), years.get("to"),
                      sections, tables, str(path), values, tuple(str(w) for w in data.get("report_words", ())))
    except (KeyError, TypeError) as exc:
        raise YamlError(f"{path}: 格式定义缺少或错误的字段 {exc}") from None


@lru_cache(maxsize=1)
def report_words() -> tuple[str, ...]:
    """Words that mark the body of a report in a web page (section titles, table labels): the
    formats' ``report_words``, passed to the HTML reader by the pipeline.  Kept between runs
    on their own (validator/startcache.py), so that a process that only reads a file (a PDF
    read in a process of its own, validator/runner.py) loads neither the formats nor the
    expression parser they need."""
    d = rules_dir() / "formats"
    from .startcache import load as cached
    return cached("report-words", [(d, ".yaml"), (grammar_dir(), ".lark")], _report_words)


def _report_words() -> tuple[str, ...]:
    words: list[str] = []
    for f in load_formats().values():
        for w in f.report_words:
            if w not in words:
                words.append(w)
    return tuple(words)


@lru_cache(maxsize=4)
def load_formats(directory: str | None = None) -> dict[str, Format]:
    d = Path(directory) if directory else rules_dir() / "formats"
    from .startcache import load as cached   # kept between runs (validator/startcache.py)
    return cached("formats", [(d, ".yaml"), (grammar_dir(), ".lark")], lambda: _read_formats(d))


def _read_formats(d: Path) -> dict[str, Format]:
    out = {}
    for p in sorted(d.glob("*.yaml")):
        if p.name == COMMON_FILE:    # shared by the formats (issuers), not a format
            continue
        f = load_format(p)
        for t in f.tables:
            try:
                t.equations()     # compiled now, so they are kept with the formats
            except Exception:  # noqa: BLE001 - a bad equation fails where it is used, as before
                t.__dict__.pop("_equations", None)
        out[f.id] = f
    return out


def all_label_specs(formats: list[Format]) -> dict[str, list[LabelSpec]]:
    """Labels of every table across formats, the first (primary) format's first.

    A label of another format whose text the primary format does not have is kept, so a
    2019 label in a 2021 report is still recognised (and reported as a template mismatch)."""
    out: dict[str, list[LabelSpec]] = {}
    for fmt in formats:
        for tab in fmt.tables:
            lst = out.setdefault(tab.key, [])
            have = {c for sp in lst for c in sp.cores()}
            for sp in tab.labels:
                if sp.core in have and not sp.legacy_cores:
                    continue
                if any(c in have for c in sp.cores()):
                    # only the cores that are new
                    continue
                lst.append(sp)
    return out


def format_for_year(year: int | None, formats: dict[str, Format]) -> Format | None:
    if year is None:
        return None
    for f in formats.values():
        if f.covers(year):
            return f
    return None


# ---------------------------------------------------------------------------------------
# shared by every format: rules/formats/common.yaml
# ---------------------------------------------------------------------------------------
COMMON_FILE = "common.yaml"


@record(frozen=True)
class IssuerWords:
    """How an issuer's kind is judged from its name (``issuers`` in rules/formats/common.yaml):
    undecided if the name contains one of ``undecided`` and does not end with one of
    ``undecided_unless``; else a department if it ends with one of ``department``; else a
    government if it ends with one of ``government``; else undecided."""

    undecided: tuple[str, ...]
    undecided_unless: tuple[str, ...]
    department: tuple[str, ...]
    government: tuple[str, ...]


# the schema of ``issuers``: kind → {key: required?}
_ISSUER_SCHEMA = {"undecided": {"contains": True, "unless_ends_with": False},
                  "department": {"ends_with": True}, "government": {"ends_with": True}}


def _words(value, path, line, where: str) -> tuple[str, ...]:
    from .i18n import msg
    if not isinstance(value, list) or not value:
        raise YamlError(msg("{p}:{l}: {w} 应为非空的词语列表，如 [局, 委员会]",
                            "{p}:{l}: {w} should be a non-empty list of words, such as [局, 委员会]",
                            p=path, l=line, w=where))
    out = []
    for v in value:
        if not isinstance(v, str) or not v.strip() or any(ch.isspace() for ch in v) or len(v) > 40:
            raise YamlError(msg("{p}:{l}: {w} 中的“{v}”不是一个词语（不含空白，最多40字）",
                                '{p}:{l}: {w} has "{v}", which is not a word (no blanks, at most 40 characters)',
                                p=path, l=line, w=where, v=str(v)[:40]))
        out.append(v)
    return tuple(sorted(out, key=len, reverse=True))


@lru_cache(maxsize=4)
def _common(directory: str | None = None):
    path = (Path(directory) if directory else rules_dir() / "formats") / COMMON_FILE
    data, _n = load_yaml(path)
    return path, data


def _common_cached(kind: str, directory: str | None, build):
    """What ``build`` reads from rules/formats/common.yaml, kept in the start-up cache
    (validator/startcache.py, keyed by the file's bytes): a check does not parse YAML.  An
    error is never cached: it is raised again, file:line, on every run."""
    d = Path(directory) if directory else rules_dir() / "formats"
    from .startcache import load as cached
    return cached(kind, [(d, COMMON_FILE)], lambda: build(directory))


@lru_cache(maxsize=4)
def signature_words(directory: str | None = None) -> tuple[str, ...]:
    """``signature.ends_with`` of rules/formats/common.yaml: a short line ending with one of
    these, right above the date line at the end of a report, is the issuer's signature."""
    return _common_cached("signature", directory, _signature_words)


def _signature_words(directory: str | None) -> tuple[str, ...]:
    from .i18n import msg
    path, data = _common(directory)
    block = data.get("signature") if isinstance(data, dict) else None
    line = getattr(data, "key_lines", {}).get("signature", 1)
    if not isinstance(block, dict) or set(block) != {"ends_with"}:
        raise YamlError(msg("{p}:{l}: 需要 signature: {{ends_with: [人民政府, 局, …]}}（落款中发布机关名称的结尾）",
                            "{p}:{l}: needs signature: {{ends_with: [人民政府, 局, …]}} (how the issuer's name in the "
                            "signature ends)", p=path, l=line))
    return _words(block["ends_with"], path, getattr(block, "key_lines", {}).get("ends_with", line), "signature.ends_with")


@lru_cache(maxsize=4)
def issuer_words(directory: str | None = None) -> IssuerWords:
    """The ``issuers`` block of rules/formats/common.yaml, checked against its schema (each
    kind, each key, lists of words; unknown keys refused) with file:line errors."""
    return _common_cached("issuers", directory, _issuer_words)


def _issuer_words(directory: str | None) -> IssuerWords:
    from .i18n import msg
    path, data = _common(directory)
    block = data.get("issuers") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        raise YamlError(msg("{p}:1: 需要 issuers:（发布机关类别的用词，见文件开头的说明）",
                            "{p}:1: needs issuers: (the words that tell an issuer's kind; see the notes at the top)", p=path))
    lines = getattr(block, "key_lines", {})
    got: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind, node in block.items():
        line = lines.get(kind, getattr(block, "line", 1))
        if kind not in _ISSUER_SCHEMA:
            raise YamlError(msg("{p}:{l}: issuers 中不认识“{k}”；可用：{a}", '{p}:{l}: issuers has an unknown "{k}"; available: {b}',
                                p=path, l=line, k=str(kind), a="、".join(_ISSUER_SCHEMA), b=", ".join(_ISSUER_SCHEMA)))
        if not isinstance(node, dict):
            raise YamlError(msg("{p}:{l}: issuers.{k} 应为映射（{a}）", "{p}:{l}: issuers.{k} should be a mapping ({a})",
                                p=path, l=line, k=kind, a=", ".join(_ISSUER_SCHEMA[kind])))
        klines = getattr(node, "key_lines", {})
        for key in node:
            if key not in _ISSUER_SCHEMA[kind]:
                raise YamlError(msg("{p}:{l}: issuers.{k} 中不认识“{x}”；可用：{a}",
                                    '{p}:{l}: issuers.{k} has an unknown "{x}"; available: {a}', p=path,
                                    l=klines.get(key, line), k=kind, x=str(key), a=", ".join(_ISSUER_SCHEMA[kind])))
        got[kind] = {}
        for key, required in _ISSUER_SCHEMA[kind].items():
            if key in node:
                got[kind][key] = _words(node[key], path, klines.get(key, line), f"issuers.{kind}.{key}")
            elif required:
                raise YamlError(msg("{p}:{l}: issuers.{k} 缺少 {x}", "{p}:{l}: issuers.{k} lacks {x}", p=path, l=line, k=kind, x=key))
    for kind in _ISSUER_SCHEMA:
        if kind not in got:
            raise YamlError(msg("{p}:{l}: issuers 缺少 {k}", "{p}:{l}: issuers lacks {k}", p=path,
                                l=getattr(data, "key_lines", {}).get("issuers", 1), k=kind))
    return IssuerWords(got["undecided"]["contains"], got["undecided"].get("unless_ends_with", ()),
                       got["department"]["ends_with"], got["government"]["ends_with"])
