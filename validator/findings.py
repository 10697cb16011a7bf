"""The one Finding type every rule produces and every reporter renders."""

from __future__ import annotations

from dataclasses import field, fields as _fields
from decimal import Decimal
from operator import attrgetter, itemgetter

from .i18n import where as _where_of, where_en as _where_en
from .records import pickle_by_init, record, reduce_by_init
from .source import Location

CATEGORIES = ("structure", "arithmetic", "consistency", "content", "metadata", "format", "parse")
SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
CATEGORY_ZH = {"structure": "结构", "arithmetic": "数据勾稽", "consistency": "前后一致", "content": "内容",
               "metadata": "基本信息", "format": "格式", "parse": "解析"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@record(frozen=True)
class RelatedLocation(Location):
    """A place a finding also concerns in *another* file (cross-report findings: last year's
    report, another copy of the same report).  Places in the finding's own file stay plain
    :class:`Location` objects."""

    path: str | None = None
    label: str | None = None     # what is there, e.g. "2023年度报告 表三「结转下年度」自然人 0"


pickle_by_init(RelatedLocation)


def elsewhere(f, lang: str = "zh") -> str:
    """The places in other files a finding refers to, as a suffix for one-line outputs
    ("（另见 上年.txt:132:12 第3页）"); empty when there are none."""
    parts = []
    for r in f.related:
        path = getattr(r, "path", None)
        if not path:
            continue
        s = f"{path}:{r.line}:{r.column}"
        if r.where:
            s += f" {_where_en(r.where) if lang == 'en' else r.where}"
        parts.append(s)
    if not parts:
        return ""
    return ("（另见 " + "；".join(parts) + "）") if lang == "zh" else (" (see also " + "; ".join(parts) + ")")


def _related_dict(r) -> dict:
    d = {"line": r.line, "column": r.column, **({"page": r.page} if r.page else {})}
    path = getattr(r, "path", None)
    if path:
        d["path"] = path
        if r.where:
            d["where"] = r.where
        if getattr(r, "label", None):
            d["label"] = r.label
    return d


def _num(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


@record
class Finding:
    """One problem found in one file: rule, category, severity, message, where (line, column, table/row/column), related places."""

    rule: str
    category: str
    severity: str
    message: str
    path: str
    location: Location
    name: str = ""                    # rule slug, e.g. table3-balance
    message_en: str | None = None
    section: str | None = None        # "三、收到和处理政府信息公开申请情况"
    table: str | None = None          # 表三
    row: str | None = None            # template row label
    column: str | None = None         # template column label
    numbers: dict = field(default_factory=dict)   # lhs, rhs, diff …
    basis: str | None = None
    suggestion: str | None = None
    related: list[Location] = field(default_factory=list)  # other places (text vs table)
    span: tuple[int, int] | None = None                     # offsets in the normalised text
    suggestion_en: str | None = None
    group: str | None = None          # findings of one rule with the same group fold into one
    cells: list["Finding"] = field(default_factory=list)    # the findings folded into this one
    other: str | None = None          # a comparison with another report: its name (淮安市人民政府2024年度报告)

    __reduce__ = reduce_by_init   # what a worker sends back: its arguments, not a dict of its fields

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def col(self) -> int:
        return self.location.column

    def sort_key(self):
        """By place, then rule; findings of one rule at one place keep the order the rule gave
        them (sorting is stable), e.g. missing sections 二 before 三, not by their text."""
        return (self.path, self.location.page or 0, self.location.line, self.location.column, self.rule)

    def text(self, lang: str = "zh") -> str:
        if lang == "en" and self.message_en:
            return self.message_en
        return self.message

    def advice(self, lang: str = "zh") -> str | None:
        """The suggestion in the language asked for."""
        if lang == "en" and self.suggestion_en:
            return self.suggestion_en
        return self.suggestion

    def where(self, lang: str = "zh") -> str | None:
        return _where_of(self.location, lang)

    def to_dict(self, lang: str = "zh") -> dict:
        loc = self.location
        d = {
            "path": self.path,
            "line": loc.line,
            "column": loc.column,
            "end_line": loc.end_line if loc.end_line is not None else loc.line,
            "end_column": loc.end_column if loc.end_column is not None else loc.column,
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "message": self.text(lang),
        }
        if loc.page is not None:
            d["page"] = loc.page
        if loc.where:
            d["where"] = self.where(lang)
        ctx = {k: v for k, v in (("section", self.section), ("table", self.table), ("row", self.row),
                                 ("column", self.column)) if v}
        if ctx:
            d["context"] = ctx
        if self.numbers:
            d["numbers"] = {k: _num(v) for k, v in self.numbers.items()}
        if self.basis:
            d["basis"] = self.basis
        if self.advice(lang):
            d["suggestion"] = self.advice(lang)
        if self.related:
            d["related"] = [_related_dict(r) for r in self.related]
        if self.cells:  # a folded finding: every place it stands for
            d["cells"] = [c.place_dict(lang) for c in self.cells]
        return d

    def place_dict(self, lang: str = "zh") -> dict:
        """Where one member of a folded finding is: position and table/row/column."""
        loc = self.location
        d = {"line": loc.line, "column": loc.column,
             "end_line": loc.end_line if loc.end_line is not None else loc.line,
             "end_column": loc.end_column if loc.end_column is not None else loc.column}
        if loc.page is not None:
            d["page"] = loc.page
        if loc.where:
            d["where"] = self.where(lang)
        ctx = {k: v for k, v in (("table", self.table), ("row", self.row), ("column", self.column)) if v}
        if ctx:
            d["context"] = ctx
        if self.other:     # one of several reports compared with: which, and what was measured
            d["other"] = self.other
            path = next((r.path for r in self.related if getattr(r, "path", None)), None)
            if path:
                d["other_path"] = path
            if self.numbers:
                d["numbers"] = {k: _num(v) for k, v in self.numbers.items()}
        return d


pickle_by_init(Finding)


def made_texts(f: Finding) -> Finding:
    """``f`` with its texts (message, suggestion and their English), for a finding whose texts
    were put off when it was made (``Ctx.emit`` in a run that folds, ``Options.fold``): the
    folding made them for a finding that stays on its own (reporters/fold.py).  Any other
    finding is as it was."""
    later = f.__dict__.pop("texts_later", None)
    if later is not None:
        f.message, f.message_en, f.suggestion, f.suggestion_en = later()
    return f


# what a one-line output reads of a finding (concise, JUnit; GitHub also the rule's name): its
# place (Location: line, column, page, where), rule, severity, text in either language
# (Finding.text) and the places it names in other files (elsewhere)
LINE_FIELDS = ("rule", "severity", "message", "message_en", "path", "location", "related")
_SENT: dict = {}


def sent_args(names: tuple[str, ...]):
    """A function giving, for a finding, the arguments that make (``Finding(*args)``) a finding
    with only the fields ``names`` (two or more) of it and None in every other field: what a
    worker sends back for an output that reads no other field (``reporters.register(reads=)``,
    validator/runner.py) — the texts, numbers and context no line of it shows stay there."""
    made = _SENT.get(names)
    if made is None:
        values = attrgetter(*names)
        # Finding's arguments in order, each the value of that field or the None after them
        pick = itemgetter(*(names.index(f.name) if f.name in names else len(names) for f in _fields(Finding)))

        def made(f):
            return pick(values(f) + (None,))
        _SENT[names] = made
    return made
