"""Rules are data: YAML files under rules/ (and any extra directory), each entry one rule of
a small closed set of kinds.  Files are validated when loaded; a bad entry stops the run with
file:line and what is wrong (exit 2)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..findings import CATEGORIES, SEVERITIES
from ..resources import rules_dir
from ..saferegex import trusted_patterns
from ..yamlload import YamlError, load_yaml, one_line, quote
from .kinds import KINDS, KindError

ID_RE = re.compile(r"^[A-Z]{1,3}\d{3}$")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TEMPLATES = ("2019", "2021", "legacy", "unknown")

COMMON_REQUIRED = ("id", "name", "kind", "category", "severity", "message")
COMMON_OPTIONAL = ("message_en", "explanation", "explanation_en", "basis", "templates", "examples",
                   "suggestion", "suggestion_en", "enabled")


@dataclass
class Rule:
    id: str
    name: str
    kind: str
    category: str
    severity: str
    message: str
    message_en: str | None
    explanation: str
    explanation_en: str | None
    basis: str | None
    templates: tuple[str, ...]
    params: dict
    examples: list[dict]
    file: str
    line: int
    suggestion: str | None = None
    enabled: bool = True
    compiled: object = None   # kind-specific prepared data
    suggestion_en: str | None = None
    shipped: bool = False     # from xxgk-lint's own rules/ (reviewed; a failure there is a bug)

    def applies_to(self, template: str | None) -> bool:
        return (template or "unknown") in self.templates


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)

    def by_id(self, code: str) -> Rule | None:
        code_u = code.upper()
        for r in self.rules:
            if r.id == code_u or r.name == code:
                return r
        return None


def _err(path, line, msg) -> YamlError:
    return YamlError(one_line(f"{path}:{line}: {msg}"))


_TEMPLATE_KEYS = ("message", "message_en", "suggestion", "suggestion_en", "detail", "folded", "folded_en")
_FIELD_NAME = re.compile(r"^[^\W\d]\w*$")
_SPEC_OK = re.compile(r"^[<>^=]?[+\- ]?\d{0,2}(?:\.\d{1,2})?[sdf%]?$")


def _check_templates(node, path: str, line: int, rid: str, key: str | None = None) -> None:
    """Message templates ({placeholders}) may only name values: no attribute or index access
    ("{lhs.__class__}" would reach Python objects), no huge widths ("{x:>999999999}"), and
    balanced braces, so a rule file cannot read internals or crash a run with a bad string."""
    import string
    if isinstance(node, dict):
        kl = getattr(node, "key_lines", {})
        for k, v in node.items():
            _check_templates(v, path, kl.get(k, getattr(node, "line", line)), rid, k)
        return
    if isinstance(node, list):
        for v in node:
            _check_templates(v, path, getattr(v, "line", line), rid, key)
        return
    if key not in _TEMPLATE_KEYS or not isinstance(node, str):
        return
    try:
        parts = list(string.Formatter().parse(node))
    except ValueError as exc:
        raise _err(path, line, f"{rid}: {key} 中的花括号不配对（{exc}）；字面的花括号请写成 {{{{ 或 }}}}") from None
    for _lit, fname, spec, _conv in parts:
        if fname is None:
            continue
        if not _FIELD_NAME.match(fname):
            raise _err(path, line, f"{rid}: {key} 中的占位符“{{{fname}}}”只能是一个名字，如 {{table}}、{{lhs}}")
        if spec and not _SPEC_OK.match(spec):
            raise _err(path, line, f"{rid}: {key} 中的占位符“{{{fname}:{spec}}}”格式说明不允许")


def _validate(entry, path: str) -> Rule:
    line = getattr(entry, "line", 0)
    if not isinstance(entry, dict):
        raise _err(path, line, "每条规则必须是一个映射（id、kind、message …）")
    for k in COMMON_REQUIRED:
        if k not in entry:
            raise _err(path, line, f"规则缺少必填字段“{k}”")
    rid = entry["id"]
    kl = getattr(entry, "key_lines", {})
    if not isinstance(rid, str) or not ID_RE.match(rid):
        raise _err(path, kl.get("id", line), f"规则编号“{quote(rid)}”格式不对：应为大写字母加三位数字，如 A301")
    if not isinstance(entry["name"], str) or not NAME_RE.match(entry["name"]):
        raise _err(path, kl.get("name", line), f"{rid}: 规则名“{quote(entry['name'])}”应为小写英文和连字符，如 table3-balance")
    kind = entry["kind"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise _err(path, kl.get("kind", line), f"{rid}: 未知的规则类型“{quote(kind)}”；可用：{', '.join(sorted(KINDS))}")
    if not isinstance(entry["category"], str) or entry["category"] not in CATEGORIES:
        raise _err(path, kl.get("category", line), f"{rid}: 未知的类别“{quote(entry['category'])}”；可用：{', '.join(CATEGORIES)}")
    if not isinstance(entry["severity"], str) or entry["severity"] not in SEVERITIES:
        raise _err(path, kl.get("severity", line), f"{rid}: 未知的严重程度“{quote(entry['severity'])}”；可用：{', '.join(SEVERITIES)}")
    if not isinstance(entry["message"], str) or not entry["message"].strip():
        raise _err(path, kl.get("message", line), f"{rid}: message 必须是非空文本")
    templates = entry.get("templates", ["2019", "2021"])
    if isinstance(templates, str):
        templates = [templates]
    if not isinstance(templates, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in templates):
        raise _err(path, kl.get("templates", line), f"{rid}: templates 应为列表，只能取 {', '.join(TEMPLATES)}")
    templates = [str(t) for t in templates]
    for t in templates:
        if t not in TEMPLATES:
            raise _err(path, kl.get("templates", line), f"{rid}: templates 只能取 {', '.join(TEMPLATES)}，不能是“{quote(t)}”")
    kind_spec = KINDS[kind]
    params = {k: v for k, v in entry.items() if k not in COMMON_REQUIRED and k not in COMMON_OPTIONAL}
    allowed = set(kind_spec.required) | set(kind_spec.optional)
    for k in params:
        if k not in allowed:
            raise _err(path, kl.get(k, line),
                       f"{rid}: 类型 {kind} 不认识字段“{quote(k)}”；可用：{', '.join(sorted(allowed)) or '（无）'}")
    for k in kind_spec.required:
        if k not in params:
            raise _err(path, line, f"{rid}: 类型 {kind} 需要字段“{k}”")
    _check_templates(entry, path, line, rid)
    examples = entry.get("examples", [])
    if not isinstance(examples, list):
        raise _err(path, kl.get("examples", line), f"{rid}: examples 必须是列表")
    for ex in examples:
        if not isinstance(ex, dict) or ex.get("expect") not in ("pass", "fail") or not isinstance(ex.get("text"), str):
            raise _err(path, getattr(ex, "line", line), f"{rid}: 每个示例需要 expect: pass|fail 和 text")
    rule = Rule(rid, entry["name"], kind, entry["category"], entry["severity"], entry["message"].strip(),
                (entry.get("message_en") or None), str(entry.get("explanation", "")).strip(),
                entry.get("explanation_en"), entry.get("basis"), tuple(templates), params, examples,
                path, line, entry.get("suggestion"), bool(entry.get("enabled", True)),
                suggestion_en=entry.get("suggestion_en") or None)
    try:
        rule.compiled = kind_spec.prepare(rule)
    except KindError as exc:
        raise _err(path, line, f"{rid}: {exc}") from None
    except (ValueError, TypeError, OverflowError, ArithmeticError, AttributeError, KeyError,
            RecursionError) as exc:
        # a parameter value the kind cannot use (issue 12's schema will name the field)
        raise _err(path, line, f"{rid}: 参数值有误（{type(exc).__name__}: {str(exc).split(chr(10), 1)[0]}）") from None
    return rule


def load_rule_file(path: Path) -> list[Rule]:
    data, _n = load_yaml(path)
    if data is None:
        return []
    if isinstance(data, dict) and "rules" in data:
        entries = data["rules"]
    else:
        entries = data
    if not isinstance(entries, list):
        raise _err(path, getattr(data, "line", 1), "规则文件应为规则列表，或含有 rules: 列表")
    lines = getattr(entries, "item_lines", None) or []
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            line = lines[i] if i < len(lines) else getattr(entries, "line", 1)
            raise _err(path, line, f"每条规则必须是一个映射（id、kind、message …），第{i + 1}项却是{_type_zh(e)}")
        out.append(_validate(e, str(path)))
    return out


def _type_zh(v) -> str:
    for t, zh in ((bool, "真假值"), (str, "文本"), ((int, float), "数字"), (list, "列表"), ((set, frozenset), "集合"),
                  (bytes, "二进制数据"), (type(None), "空值")):
        if isinstance(v, t):
            return zh
    return "其他值"


def load_rules(extra_dirs: tuple[str, ...] = ()) -> RuleSet:
    return _load_rules(tuple(str(d) for d in extra_dirs))


@lru_cache(maxsize=8)
def _load_rules(extra_dirs: tuple[str, ...]) -> RuleSet:
    dirs = [rules_dir()] + [Path(d) for d in extra_dirs]
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for d in dirs:
        if not d.is_dir():
            raise YamlError(f"{d}: 规则目录不存在")
        shipped = d == rules_dir()
        for p in sorted(d.glob("*.yaml")):
            with (trusted_patterns() if shipped else contextlib.nullcontext()):
                loaded = load_rule_file(p)
            for r in loaded:
                r.shipped = shipped
                for key in (r.id, r.name):
                    if key in seen:
                        raise _err(r.file, r.line, f"规则“{key}”重复定义（已见于 {seen[key]}）")
                    seen[key] = f"{r.file}:{r.line}"
                rules.append(r)
    rules.sort(key=lambda r: r.id)
    return RuleSet(rules)


from . import reader_kinds as _reader_kinds  # noqa: E402,F401  (registers the reader_notes kind)


# rule kinds of the text (issue 4) register themselves on import
from . import content_kinds  # noqa: E402,F401

# rule kinds across reports and of numbers in the prose (issue 14)
from . import cross_kinds  # noqa: E402,F401


class RuleRunError(YamlError):
    """A rule from a rule directory failed while it ran (a parameter value its kind cannot
    use, such as ``max: abc``): the rule file is bad input, so the run stops with exit 2 and
    one line naming the rule's file:line, as for an error found when it was loaded.  (The
    parameter schema of issue 12 will refuse these values at load.)"""


class RegexTimeouts:
    """What :func:`run_rule` learnt about a rule's fallback-engine timeouts on one file."""

    def __init__(self, count: int, patterns: list[str]):
        self.count = count
        self.patterns = patterns


def run_rule(rule: Rule, ctx) -> tuple[list, RegexTimeouts | None]:
    """Run one rule on one report: its findings, and its regex timeouts (None if none).

    A timeout keeps the findings made before it (the rule runner reports the timeout as
    P092 for this rule and file); an exception from a rule of a rule directory becomes a
    :class:`RuleRunError` naming the rule's file and line.  Limits (P090/P091/P093) and
    failures of the shipped rules pass through unchanged."""
    from ..saferegex import PatternTimeout, timeout_log
    out: list = []
    with timeout_log() as log:
        try:
            for f in KINDS[rule.kind].run(rule, ctx):
                out.append(f)
        except PatternTimeout:
            pass
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - a user rule's bad parameter value
            if rule.shipped:
                raise
            msg = str(exc).split("\n", 1)[0]
            raise RuleRunError(one_line(f"{rule.file}:{rule.line}: {rule.id}: 规则无法运行，参数值可能有误"
                                        f"（{type(exc).__name__}: {msg}）", 400)) from None
    if log.count or log.skipped:
        return out, RegexTimeouts(log.count, list(log.patterns))
    return out, None


def is_selected(rule, opts) -> bool:
    """Is a rule on for these options (select / ignore by id, name or category; a rule named
    explicitly in select is on even if it is off by default)?"""
    keys = {rule.id, rule.name, rule.category}
    if opts.select and not (keys & set(opts.select) or "ALL" in opts.select):
        return False
    if keys & set(opts.ignore):
        return False
    if rule.id in opts.select or rule.name in opts.select:
        return True
    return rule.enabled
