"""Parameter schemas of the rule kinds: every parameter a kind takes is declared with its
type, allowed values or range, whether it is required, and its default.  Rule files are
untrusted input (a province's own rules): a value that does not fit is refused when the
rules load — exit 2 with ``file:line``, the key, and what is allowed — instead of running
another check silently or failing on the first report.  Messages quote at most one short
line of the offending value.

The same declarations document the kinds (``xxgk-lint kinds``, the README's kind
reference), so the documentation cannot drift from what is checked.

Types: :class:`Str`, :class:`Int`, :class:`Num`, :class:`Bool`, :class:`Choice`,
:class:`ListOf`, :class:`MapOf`, :class:`Obj` (a nested mapping with its own parameters),
:class:`Regex` (compiled with validator/saferegex.py; named groups can be required),
:class:`Template` (a text with ``{placeholders}``), :class:`MonthDay` (``3-31``),
:class:`Expr` (an equation of the rule language), :class:`CellRef` (``表三.本年新收.总计``),
:class:`TableKey`, :class:`SectionKey`.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import field
from typing import Any

from ..i18n import Msg, en, msg, of
from ..lazyre import later
from ..records import record

QUOTE_CHARS = 40


class ParamError(Exception):
    """A parameter value that does not fit its declaration.  ``path`` is the key as written
    (``patterns[2].at``), ``line`` the line of the value when known."""

    def __init__(self, path: str, problem: str, line: int | None = None):
        super().__init__(problem)
        self.path = path
        self.problem = problem
        self.line = line


def show(value) -> str:
    """At most one short line of a value, for a message (a hostile value may be megabytes
    long or span thousands of lines)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return Msg(f"列表（{len(value)}项）", f"a list of {len(value)} items")
    if isinstance(value, dict):
        return Msg(f"映射（{len(value)}项）", f"a mapping of {len(value)} items")
    if isinstance(value, int) and value.bit_length() > 200:
        n = value.bit_length() * 3 // 10
        return Msg(f"{n}位左右的数", f"a number of about {n} digits")
    try:
        s = value if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 - a value that cannot even be shown
        return type(value).__name__
    first, nl, _rest = s.partition("\n")
    if len(first) > QUOTE_CHARS:
        return first[:QUOTE_CHARS] + "…"
    return first + ("…" if nl else "")


def _first_line(msg: str, limit: int = 200) -> str:
    first = msg.split("\n", 1)[0]
    return first if len(first) <= limit else first[:limit] + "…"


def _first_line_msg(exc: BaseException) -> Msg:
    m = of(exc)
    return m.map(_first_line) if isinstance(m, Msg) else Msg(_first_line(m))


def _should(t: "Type", found) -> Msg:
    return msg("应为{a}，而不是{f}", "should be a {a}, not {f}", a=t.allowed_msg(), f=found)


def type_zh(value) -> Msg:
    for t, zh, en in ((bool, "真假值", "true/false"), (str, "文本", "text"), (int, "整数", "whole number"),
                      (float, "小数", "decimal"), (list, "列表", "list"), (dict, "映射", "mapping"),
                      (type(None), "空值", "null")):
        if isinstance(value, t):
            return Msg(zh, en)
    return Msg("其他值", "other value")


def _found(value) -> Msg:
    if isinstance(value, (list, dict, type(None))):
        return Msg(show(value), en(show(value)))
    return msg("{t}“{v}”", 'the {t} "{v}"', t=type_zh(value), v=show(value))


# ---------------------------------------------------------------------------------------
# where a value is in the file
# ---------------------------------------------------------------------------------------
@record
class At:
    """Where a value is in a rule file (path, line), for messages."""

    path: str
    line: int | None

    def key(self, name: str, node) -> "At":
        kl = getattr(node, "key_lines", None) or {}
        line = kl.get(name, getattr(node, "line", None) or self.line)
        return At(f"{self.path}.{name}" if self.path else str(name), line)

    def item(self, i: int, node) -> "At":
        lines = getattr(node, "item_lines", None) or []
        line = lines[i] if i < len(lines) else (getattr(node[i], "line", None) if i < len(node) else None)
        return At(f"{self.path}[{i + 1}]", line or self.line)

    def fail(self, problem):
        """``problem`` as a :class:`Msg` (Chinese and English), written to follow the key."""
        raise ParamError(self.path, problem, self.line)


# ---------------------------------------------------------------------------------------
# types
# ---------------------------------------------------------------------------------------
class Type:
    """A parameter type: check(value, at) returns the value to use or raises ParamError."""

    def check(self, value, at: At):  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, lang: str = "zh") -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def allowed(self, lang: str = "zh") -> str:
        """What is allowed, for an error message."""
        return self.describe(lang)

    def allowed_msg(self) -> Msg:
        return Msg(self.allowed("zh"), self.allowed("en"))


@record
class Str(Type):
    """A string parameter: length bounds, one line or not."""

    min_len: int = 1
    max_len: int = 2000
    one_line: bool = False
    pattern: str | None = None      # the form the text must have (a regex, fully matched)

    def check(self, value, at):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self.pattern is None:
            value = str(value)      # a number where a name is due (a row key “1”) is its text
        if not isinstance(value, str):
            at.fail(msg("应为文本，而不是{f}", "should be text, not {f}", f=_found(value)))
        if len(value.strip()) < self.min_len:
            at.fail(Msg("不能为空", "cannot be empty"))
        if len(value) > self.max_len:
            at.fail(msg("过长（{n}个字符，最多{m}个）", "is too long ({n} characters, at most {m})", n=len(value), m=self.max_len))
        if self.one_line and "\n" in value.strip():
            at.fail(Msg("只能写一行", "must be one line"))
        if self.pattern and not re.fullmatch(self.pattern, value):
            at.fail(msg("的值“{v}”格式不对；应为 {p}", 'value "{v}" has the wrong form; expected {p}', v=show(value), p=self.pattern))
        return value

    def describe(self, lang="zh"):
        return "text" if lang == "en" else "文本"


@record
class Template(Str):
    """A text with ``{placeholders}`` naming values only (no attribute or index access, no
    huge widths), so a rule file cannot reach Python objects or blow up a message."""

    def check(self, value, at):
        value = super().check(value, at)
        check_template(value, at)
        return value

    def describe(self, lang="zh"):
        return "text with {placeholders}" if lang == "en" else "文本，可含 {占位符}"


_FIELD_NAME = later(r"^[^\W\d]\w*$")
_SPEC_OK = later(r"^[<>^=]?[+\- ]?\d{0,2}(?:\.\d{1,2})?[sdf%]?$")


def check_template(value: str, at: At) -> None:
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        at.fail(msg("中的花括号不配对（{e}）；字面的花括号请写成 {{{{ 或 }}}}",
                    "has unbalanced braces ({e}); write a literal brace as {{{{ or }}}}", e=exc))
    for _lit, fname, spec, _conv in parts:
        if fname is None:
            continue
        if not _FIELD_NAME.match(fname):
            at.fail(msg("中的占位符“{{{f}}}”只能是一个名字，如 {{table}}、{{lhs}}",
                        'has a placeholder "{{{f}}}" that is not a plain name such as {{table}} or {{lhs}}', f=show(fname)))
        if spec and not _SPEC_OK.match(spec):
            at.fail(msg("中的占位符“{{{f}:{s}}}”格式说明不允许", 'has a placeholder "{{{f}:{s}}}" whose format spec is not allowed',
                        f=show(fname), s=show(spec)))


@record
class Int(Type):
    """An integer parameter with optional bounds."""

    min: int | None = None
    max: int | None = None

    def check(self, value, at):
        if isinstance(value, bool) or not isinstance(value, int):
            at.fail(_should(self, _found(value)))
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            at.fail(_should(self, show(value)))
        return value

    def describe(self, lang="zh"):
        if lang == "en":
            return "whole number" + (f" {self.min}–{self.max}" if self.min is not None and self.max is not None
                                     else f" ≥ {self.min}" if self.min is not None else "")
        if self.min is not None and self.max is not None:
            return f"整数（{self.min}到{self.max}）"
        return f"整数（不小于{self.min}）" if self.min is not None else "整数"


@record
class Num(Type):
    """A number parameter with optional (open or closed) bounds."""

    min: float | None = None
    max: float | None = None
    min_open: bool = False

    def check(self, value, at):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (isinstance(value, int) and value.bit_length() > 64) or not math.isfinite(value):
            at.fail(_should(self, _found(value)))
        low_bad = self.min is not None and (value <= self.min if self.min_open else value < self.min)
        if low_bad or (self.max is not None and value > self.max):
            at.fail(_should(self, show(value)))
        return float(value)

    def describe(self, lang="zh"):
        lo = "" if self.min is None else (f"{self.min:g}" + ("（不含）" if self.min_open and lang != "en" else ""))
        if lang == "en":
            return f"number {'>' if self.min_open else '≥'} {self.min:g}" + (f", ≤ {self.max:g}" if self.max is not None else "")
        return f"数（{lo}到{self.max:g}）" if self.max is not None else f"数（不小于{lo}）"


class Bool(Type):
    def check(self, value, at):
        if not isinstance(value, bool):
            at.fail(msg("应为 true 或 false，而不是{f}", "should be true or false, not {f}", f=_found(value)))
        return value

    def describe(self, lang="zh"):
        return "true | false"


class Choice(Type):
    def __init__(self, *values: str, docs: dict | None = None, label: str | None = None, label_en: str | None = None):
        self.values = tuple(values)
        self.docs = docs or {}
        self.label = label            # a short name in documentation (a long list shown once elsewhere)
        self.label_en = label_en

    def check(self, value, at):
        if not isinstance(value, str):
            at.fail(msg("应为以下之一：{a}；而不是{f}", "should be one of: {a}; not {f}", a=self.allowed_msg(), f=_found(value)))
        if value not in self.values:
            at.fail(msg("的值“{v}”不可用；可用：{a}", 'value "{v}" is not available; available: {a}',
                        v=show(value), a=self.allowed_msg()))
        return value

    def describe(self, lang="zh"):
        if self.label:
            return (self.label_en or self.label) if lang == "en" else self.label
        return " | ".join(self.values)

    def allowed(self, lang="zh"):
        return "、".join(self.values) if lang != "en" else ", ".join(self.values)


@record
class ListOf(Type):
    """A list parameter: the type of its items and its length bounds."""

    item: Type
    min_len: int = 0
    max_len: int = 1000
    single_ok: bool = False      # a single item may be written without brackets

    def check(self, value, at):
        if not isinstance(value, list):
            if self.single_ok and not isinstance(value, dict):
                value = [value]
            else:
                at.fail(msg("应为列表（如 [{x}]），而不是{f}；列表的每一项：{a}",
                            "should be a list (such as [{x}]), not {f}; each item: {a}",
                            x=self._example(), f=_found(value), a=self.item.allowed_msg()))
        if len(value) < self.min_len:
            at.fail(Msg("不能是空列表", "cannot be an empty list") if self.min_len == 1 else
                    msg("至少要有{n}项", "needs at least {n} items", n=self.min_len))
        if len(value) > self.max_len:
            at.fail(msg("项数过多（{n}项，最多{m}项）", "has too many items ({n}, at most {m})", n=len(value), m=self.max_len))
        return [self.item.check(v, at.item(i, value)) for i, v in enumerate(value)]

    def _example(self) -> str:
        if isinstance(self.item, Choice):
            return ", ".join(self.item.values[:2])
        return "…"

    def describe(self, lang="zh"):
        inner = self.item.describe(lang)
        if lang == "en":
            return f"list of ({inner})" + (", or one item" if self.single_ok else "")
        return f"列表，每项：{inner}" + ("（只有一项时可不写成列表）" if self.single_ok else "")

    def allowed(self, lang="zh"):
        return self.describe(lang)


@record
class MapOf(Type):
    """A mapping parameter: the types of its keys and values and its size bounds."""

    key: Type
    value: Type
    min_len: int = 0

    def check(self, value, at):
        if not isinstance(value, dict):
            at.fail(msg("应为映射（键: 值），而不是{f}", "should be a mapping (key: value), not {f}", f=_found(value)))
        if len(value) < self.min_len:
            at.fail(Msg("不能是空映射", "cannot be an empty mapping"))
        out = {}
        for k, v in value.items():
            sub = at.key(k, value)
            try:
                self.key.check(k, At(at.path, sub.line))
            except ParamError:
                raise ParamError(at.path, msg("的键“{k}”不可用；可用：{a}", 'key "{k}" is not available; available: {a}',
                                              k=show(k), a=self.key.allowed_msg()), sub.line) from None
            out[k] = self.value.check(v, sub)
        return out

    def describe(self, lang="zh"):
        if lang == "en":
            return f"mapping ({self.key.describe(lang)}) → ({self.value.describe(lang)})"
        return f"映射，键：{self.key.describe(lang)}；值：{self.value.describe(lang)}"


@record
class Param:
    """One parameter of a rule kind: name, type, whether required, default, documentation."""

    name: str
    type: Type
    required: bool = False
    default: Any = None
    doc: str = ""
    doc_en: str = ""

    def describe(self, lang="zh") -> str:
        return self.type.describe(lang)


@record
class Obj(Type):
    """A nested mapping with its own parameters (an item of ``patterns``, ``groups`` …)."""

    params: list[Param] = field(default_factory=list)
    shorthand: str | None = None   # a plain value stands for {shorthand: value}

    def check(self, value, at):
        if self.shorthand and not isinstance(value, dict):
            value = _Shorthand({self.shorthand: value}, at.line)
        if not isinstance(value, dict):
            req = ", ".join(p.name + ": …" for p in self.params if p.required)
            at.fail(msg("应为映射（{r}），而不是{f}", "should be a mapping ({r}), not {f}",
                        r=Msg(req or "键: 值", req or "key: value"), f=_found(value)))
        return check_params(self.params, value, at)

    def describe(self, lang="zh"):
        keys = ", ".join(p.name + ("" if p.required else "?") for p in self.params)
        return f"mapping {{{keys}}}" if lang == "en" else f"映射 {{{keys}}}"


class _Shorthand(dict):
    def __init__(self, d, line):
        super().__init__(d)
        self.line = line
        self.key_lines = {k: line for k in d}


def check_params(params: list[Param], node: dict, at: At, ignore: tuple = ()) -> dict:
    """Check a mapping against declared parameters: unknown keys, required keys, each value;
    returns the values with defaults filled in."""
    known = {p.name: p for p in params}
    for k in node:
        if k in ignore:
            continue
        if k not in known:
            sub = at.key(k, node) if isinstance(k, str) else at
            names = Msg("、".join(p.name for p in params) or "（无）", ", ".join(p.name for p in params) or "(none)")
            At(at.path, sub.line).fail(msg("{i}不认识字段“{k}”；可用：{n}", '{i}unknown field "{k}"; available: {n}',
                                           i=Msg("中" if at.path else "", "has an " if at.path else ""), k=show(k), n=names))
    out = {}
    for p in params:
        if p.name in node:
            out[p.name] = p.type.check(node[p.name], at.key(p.name, node))
        elif p.required:
            At(f"{at.path}.{p.name}" if at.path else p.name, getattr(node, "line", None) or at.line).fail(
                msg("缺少必填字段；应为{a}", "is a required field that is missing; expected {a}", a=p.type.allowed_msg()))
        else:
            out[p.name] = p.default
    return out


# ---------------------------------------------------------------------------------------
# domain types
# ---------------------------------------------------------------------------------------
@record
class Regex(Type):
    """A regular-expression parameter (RE2 syntax) and the named groups it must have."""

    groups: tuple[str, ...] = ()           # named groups that must be in the pattern
    any_groups: tuple[str, ...] = ()       # at least one of these (e.g. year)

    def check(self, value, at):
        from ..saferegex import PatternError, compile_safe
        if not isinstance(value, str) or not value:
            at.fail(msg("应为正则表达式（文本），而不是{f}", "should be a regular expression (text), not {f}", f=_found(value)))
        try:
            pat = compile_safe(value)
        except PatternError as exc:   # the engine's message quotes a short piece of the pattern
            at.fail(msg("：{e}", ": {e}", e=_first_line_msg(exc)))
        names = group_names(pat)
        missing = [g for g in self.groups if g not in names]
        if missing:
            at.fail(msg("的正则表达式“{v}”需要命名组 {g}", 'regular expression "{v}" needs the named group {g}',
                        v=show(value), g="、".join(f"(?P<{g}>…)" for g in missing)))
        return pat

    def describe(self, lang="zh"):
        g = "、".join(f"(?P<{x}>…)" for x in self.groups)
        if lang == "en":
            return "regular expression (RE2 syntax)" + (f" with named group {g}" if g else "")
        return "正则表达式（RE2 语法）" + (f"，须含命名组 {g}" if g else "")


def group_names(pat) -> set[str]:
    comp = getattr(pat, "_compiled", None)
    gi = getattr(comp, "groupindex", None) or {}
    return set(gi)


class MonthDay(Type):
    """A day of the year written 月-日 (3-31)."""

    def check(self, value, at):
        s = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        m = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", s or "")
        if not m:
            at.fail(msg("应写成 月-日（如 3-31），而不是{f}", "should be written month-day (such as 3-31), not {f}", f=_found(value)))
        mo, d = int(m.group(1)), int(m.group(2))
        import calendar
        if not 1 <= mo <= 12 or not 1 <= d <= calendar.monthrange(2001, mo)[1]:
            at.fail(msg("“{v}”不是一年中的日期；应写成 月-日（如 3-31）", '"{v}" is not a day of the year; write month-day (such as 3-31)',
                        v=show(value)))
        return (mo, d)

    def describe(self, lang="zh"):
        return "month-day (3-31)" if lang == "en" else "月-日（如 3-31）"


@record
class Expr(Type):
    """A table-equation parameter (validator/expr.py)."""

    comparison: bool = True

    max_len: int = 2000
    max_digits: int = 15       # a constant of an equation over table cells (counts, amounts)
    max_depth: int = 20        # nesting of parentheses
    max_terms: int = 200

    def check(self, value, at):
        from ..expr import ExprError, compile_expr
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            at.fail(msg("应为等式（如 本年新收 + 上年结转 == 办理结果总计 + 结转下年度），而不是{f}",
                        'should be an equation (such as "本年新收 + 上年结转 == 办理结果总计 + 结转下年度"), not {f}', f=_found(value)))
        src = str(value)
        if len(src) > self.max_len:
            at.fail(msg("过长（{n}个字符，最多{m}个）", "is too long ({n} characters, at most {m})", n=len(src), m=self.max_len))
        depth = deepest = terms = run = 0
        for ch in src + " ":
            if ch.isdigit() and ch.isascii():
                run += 1
                if run > self.max_digits:
                    at.fail(msg("中的数超过{d}位；等式中的常数应是表格中可能出现的数",
                                "has a number of more than {d} digits; a constant in an equation should be a number a "
                                "table can hold", d=self.max_digits))
                continue
            run = 0
            if ch == "(":
                depth += 1
                deepest = max(deepest, depth)
            elif ch == ")":
                depth -= 1
            elif ch in "+-":
                terms += 1
        if deepest > self.max_depth:
            at.fail(msg("的括号嵌套过深（{n}层，最多{m}层）", "nests parentheses too deeply ({n} levels, at most {m})",
                        n=deepest, m=self.max_depth))
        if terms > self.max_terms:
            at.fail(msg("的项数过多（{n}项，最多{m}项）", "has too many terms ({n}, at most {m})", n=terms, m=self.max_terms))
        try:
            e = compile_expr(src)
            e.names  # noqa: B018 - walks the tree once (deep trees fail here, not in a check)
        except ExprError as exc:
            at.fail(msg("：{e}", ": {e}", e=_first_line_msg(exc)))
        except (RecursionError, ValueError, MemoryError):
            at.fail(Msg("：表达式过长或嵌套过深", ": the expression is too long or nested too deeply"))
        if self.comparison and not e.is_comparison:
            at.fail(msg("必须是比较式（含 == 等），而不是“{v}”", 'must be a comparison (with == or the like), not "{v}"', v=show(value)))
        return e

    def describe(self, lang="zh"):
        return "equation (grammar/expr.lark)" if lang == "en" else "等式（规则表达式语言，grammar/expr.lark）"


_CELL_REF = later(r"\s*(表[二三四])\s*[.·]\s*([^.·]+?)\s*[.·]\s*([^.·]+?)\s*")


class CellRef(Type):
    """A template cell written 表三.行.列; it must be a cell of the table in some format, so
    a typo fails when the rule loads instead of never matching."""

    def check(self, value, at):
        from ..templates import load_formats
        m = _CELL_REF.fullmatch(value) if isinstance(value, str) else None
        if not m:
            at.fail(msg("应写成 表三.行.列，而不是{f}", "should be written 表三.row.column, not {f}", f=_found(value)))
        tkey, row, col = m.groups()
        specs = [f.table(tkey) for f in load_formats().values() if f.table(tkey) is not None]
        if not specs:
            at.fail(msg("：没有名为“{t}”的表", ': there is no table "{t}"', t=tkey))
        if not any(s.row(row) is not None for s in specs):
            at.fail(msg("：“{r}”不是{t}的行名", ': "{r}" is not a row of "{t}"', r=show(row), t=tkey))
        if not any(col in s.columns for s in specs):
            at.fail(msg("：“{c}”不是{t}的列名", ': "{c}" is not a column of "{t}"', c=show(col), t=tkey))
        return (tkey, row, col)

    def describe(self, lang="zh"):
        return "cell 表三.row.column" if lang == "en" else "单元格 表三.行.列"


class _FormatKey(Type):
    """A key of the formats' tables or sections (whatever any format has, in order)."""

    part = "tables"                      # the attribute of a format listing the elements
    zh, en = "表", "table"                # what one is called in a message

    def _keys(self):
        from ..templates import load_formats
        keys: list[str] = []
        for f in load_formats().values():
            for t in getattr(f, self.part):
                if t.key not in keys:
                    keys.append(t.key)
        return keys

    def check(self, value, at):
        keys = self._keys()
        if not isinstance(value, str) or value not in keys:
            if not isinstance(value, str):
                at.fail(msg("应为统一格式中的{w}（{a}），而不是{f}", "should be a {we} of the uniform format ({a}), not {f}",
                            w=self.zh, we=self.en, a=self.allowed_msg(), f=_found(value)))
            at.fail(msg("的值“{v}”不是统一格式中的{w}；可用：{a}", 'value "{v}" is not a {we} of the uniform format; available: {a}',
                        w=self.zh, we=self.en, v=show(value), a=self.allowed_msg()))
        return value

    def describe(self, lang="zh"):
        return " | ".join(self._keys())

    def allowed(self, lang="zh"):
        return "、".join(self._keys()) if lang != "en" else ", ".join(f'"{k}"' for k in self._keys())


class TableKey(_FormatKey):
    """A table of the formats (表二, 表三, 表四)."""


class SectionKey(_FormatKey):
    """A section of the formats (its key, e.g. 总体情况, 问题改进)."""

    part = "sections"
    zh, en = "部分", "part"


def regexes(min_len: int = 0, **kw) -> ListOf:
    return ListOf(Regex(**kw), min_len=min_len)
