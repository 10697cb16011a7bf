"""Rules are data: YAML files under rules/ (and any extra directory), each entry one rule of
a small closed set of kinds.  Files are validated when loaded; a bad entry stops the run with
file:line and what is wrong (exit 2)."""

from __future__ import annotations

import contextlib
from dataclasses import field
from functools import lru_cache
from pathlib import Path

from ..findings import CATEGORIES, SEVERITIES
from ..i18n import Msg, msg, text
from ..lazyre import later
from ..records import record
from ..resources import rules_dir
from ..saferegex import PatternTimeout, SafePattern, timeout_log, trusted_patterns
from ..yamlload import YamlError, load_yaml, one_line
from .kinds import KINDS, RENAMED
from .schema import At, ParamError, check_template, show

ID_RE = later(r"^[A-Z]{1,3}\d{3}$")
NAME_RE = later(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TEMPLATES = ("2019", "2021", "legacy", "unknown")

COMMON_REQUIRED = ("id", "name", "category", "severity", "message")
COMMON_OPTIONAL = ("kind", "emitted_by", "message_en", "explanation", "explanation_en", "basis", "templates",
                   "examples", "suggestion", "suggestion_en", "enabled")
#: rules whose findings the core makes (no kind): who makes them
EMITTERS = {
    "suppressions": "validator/suppress.py：没有起作用的抑制指令",
    "cross": "validator/cross/run.py：对比两份报告时未能核对的项",
    "runner": "validator/runner.py、lint.py：检查过程本身（正则超时、内存上限）",
}


@record
class Rule:
    """One rule as loaded from a rule file: id, name, kind, category, severity, parameters."""

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
    emitted_by: str | None = None      # a rule the core emits (no kind): suppressions / cross / runner
    relations: tuple = ()              # () = one report; ("previous",) … = a rule comparing two reports
    shipped: bool = False              # from xxgk-lint's own rules/ (reviewed; a failure there is a bug)

    def applies_to(self, template: str | None) -> bool:
        return (template or "unknown") in self.templates

    @property
    def folds(self) -> bool:
        """Are its findings of one group shown as one (a ``folded`` text; reporters/fold.py)?"""
        return bool(self.params.get("folded"))


@record
class RuleSet:
    """The rules of a run, in order, with look-up by id."""

    rules: list[Rule] = field(default_factory=list)

    def by_id(self, code: str) -> Rule | None:
        """The first rule whose id is ``code`` (any case) or whose name is ``code``.  Asked for
        every grouped finding a run prints (reporters/fold.py) and by the outputs that show a
        rule's text: each answer is kept, for as long as the rule list is the same (rules are
        not changed once loaded; see :meth:`for_one_report`)."""
        snapshot = tuple(self.rules)
        memo = self.__dict__.get("_by_id")
        if memo is None or memo[0] != snapshot:
            memo = self.__dict__["_by_id"] = (snapshot, {})
        found = memo[1].get(code, memo)
        if found is memo:
            found = memo[1][code] = self._scan(code)
        return found

    def _scan(self, code: str) -> Rule | None:
        code_u = code.upper()
        for r in self.rules:
            if r.id == code_u or r.name == code:
                return r
        return None

    def for_one_report(self, template: str | None, opts) -> tuple[Rule, ...]:
        """The rules, in order, that check one report of ``template`` with the selection of
        ``opts`` (select / ignore): not the rules the core emits, nor those comparing two
        reports.  Worked out once per template and selection (rules are not changed once
        loaded; a rule list changed since gives a new answer)."""
        select, ignore = tuple(opts.select), tuple(opts.ignore)
        cache = self.__dict__.setdefault("_one_report", {})
        snapshot = tuple(self.rules)
        key = (template, select, ignore)
        hit = cache.get(key)
        if hit is not None and hit[0] == snapshot:
            return hit[1]
        chosen = tuple(r for r in snapshot if not (r.emitted_by or r.relations)
                       and r.applies_to(template) and is_selected(r, opts))
        if len(cache) > 32:
            cache.clear()
        cache[key] = (snapshot, chosen)
        return chosen


def _err(path, line, problem) -> YamlError:
    return YamlError(one_line(msg("{p}:{l}: {m}", "{p}:{l}: {m}", p=path, l=line, m=problem), 600))


_TEMPLATE_KEYS = ("message", "message_en", "suggestion", "suggestion_en")


def _param_error(path, line, rid, exc: ParamError, kind: str | None = None) -> YamlError:
    if not exc.path:
        return _err(path, exc.line or line, msg("{r}: 类型 {k} {p}", "{r}: kind {k} {p}", r=rid, k=kind, p=exc.problem)
                    if kind else msg("{r}: {p}", "{r}: {p}", r=rid, p=exc.problem))
    zh, en = text(exc.problem, "zh"), text(exc.problem, "en")
    return _err(path, exc.line or line, Msg(f"{rid}: {exc.path}{'' if zh[:1] in '：:' else ' '}{zh}",
                                            f"{rid}: {exc.path}{'' if en[:1] in '：:' else ' '}{en}"))


def _validate(entry, path: str) -> Rule:
    line = getattr(entry, "line", 0)
    if not isinstance(entry, dict):
        raise _err(path, line, Msg("每条规则必须是一个映射（id、kind、message …）", "each rule must be a mapping (id, kind, message …)"))
    for k in COMMON_REQUIRED:
        if k not in entry:
            raise _err(path, line, msg("规则缺少必填字段“{k}”", 'the rule lacks the required field "{k}"', k=k))
    rid = entry["id"]
    kl = getattr(entry, "key_lines", {})
    if not isinstance(rid, str) or not ID_RE.match(rid):
        raise _err(path, kl.get("id", line), msg("规则编号“{r}”格式不对：应为大写字母加三位数字，如 A301",
                                                 'rule id "{r}" has the wrong form: a capital letter and three digits, such as A301',
                                                 r=show(rid)))
    if not isinstance(entry["name"], str) or not NAME_RE.match(entry["name"]):
        raise _err(path, kl.get("name", line), msg("{r}: 规则名“{n}”应为小写英文和连字符，如 table3-balance",
                                                   '{r}: rule name "{n}" should be lower-case English and hyphens, such as table3-balance',
                                                   r=rid, n=show(entry["name"])))
    kind = entry.get("kind")
    emitted = entry.get("emitted_by")
    if (kind is None) == (emitted is None):
        raise _err(path, line, msg("{r}: 需要 kind（规则类型，见 xxgk-lint kinds）", "{r}: needs a kind (see xxgk-lint kinds)", r=rid)
                   if kind is None else msg("{r}: kind 与 emitted_by 只能有一个", "{r}: kind and emitted_by exclude each other", r=rid))
    if emitted is not None and (not isinstance(emitted, str) or emitted not in EMITTERS):
        raise _err(path, kl.get("emitted_by", line),
                   msg("{r}: emitted_by 的值“{v}”不可用；可用：{a}", '{r}: emitted_by "{v}" is not available; available: {b}',
                       r=rid, v=show(emitted), a="、".join(EMITTERS), b=", ".join(EMITTERS)))
    if kind is not None and (not isinstance(kind, str) or kind not in KINDS):
        if isinstance(kind, str) and kind in RENAMED:
            raise _err(path, kl.get("kind", line), msg("{r}: 规则类型“{k}”已改为 {n}（见 xxgk-lint kinds）",
                                                       '{r}: the kind "{k}" is now {n} (see xxgk-lint kinds)',
                                                       r=rid, k=kind, n=_renamed_msg(RENAMED[kind])))
        raise _err(path, kl.get("kind", line),
                   msg("{r}: 未知的规则类型“{k}”；可用：{a}（见 xxgk-lint kinds）", '{r}: unknown kind "{k}"; available: {b} '
                       "(see xxgk-lint kinds)", r=rid, k=show(kind), a="、".join(sorted(KINDS)), b=", ".join(sorted(KINDS))))
    for key, allowed in (("category", CATEGORIES), ("severity", SEVERITIES)):
        v = entry[key]
        if not isinstance(v, str) or v not in allowed:
            word = Msg("类别", "category") if key == "category" else Msg("严重程度", "severity")
            raise _err(path, kl.get(key, line), msg("{r}: 未知的{w}“{v}”；可用：{a}", '{r}: unknown {w} "{v}"; available: {b}',
                                                    r=rid, w=word, v=show(v), a="、".join(allowed), b=", ".join(allowed)))
    if not isinstance(entry["message"], str) or not entry["message"].strip():
        raise _err(path, kl.get("message", line), msg("{r}: message 必须是非空文本", "{r}: message must be non-empty text", r=rid))
    for key in _TEMPLATE_KEYS:
        if key in entry and entry[key] is not None:
            if not isinstance(entry[key], str):
                raise _err(path, kl.get(key, line), msg("{r}: {k} 应为文本", "{r}: {k} should be text", r=rid, k=key))
            try:
                check_template(entry[key], At(key, kl.get(key, line)))
            except ParamError as exc:
                raise _param_error(path, line, rid, exc) from None
    for key in ("explanation", "explanation_en", "basis"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise _err(path, kl.get(key, line), msg("{r}: {k} 应为文本", "{r}: {k} should be text", r=rid, k=key))
    templates = entry.get("templates", ["2019", "2021"])
    if isinstance(templates, str):
        templates = [templates]
    if not isinstance(templates, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in templates):
        raise _err(path, kl.get("templates", line), msg("{r}: templates 应为列表，只能取 {a}", "{r}: templates should be a list of {b}",
                                                        r=rid, a="、".join(TEMPLATES), b=", ".join(TEMPLATES)))
    templates = [str(t) for t in templates]
    for t in templates:
        if t not in TEMPLATES:
            raise _err(path, kl.get("templates", line), msg("{r}: templates 只能取 {a}，不能是“{t}”",
                                                            '{r}: templates can only be {b}, not "{t}"',
                                                            r=rid, a="、".join(TEMPLATES), b=", ".join(TEMPLATES), t=show(t)))
    if not isinstance(entry.get("enabled", True), bool):
        raise _err(path, kl.get("enabled", line), msg("{r}: enabled 应为 true 或 false", "{r}: enabled should be true or false", r=rid))
    examples = entry.get("examples", [])
    if not isinstance(examples, list):
        raise _err(path, kl.get("examples", line), msg("{r}: examples 必须是列表", "{r}: examples must be a list", r=rid))
    for ex in examples:
        if not isinstance(ex, dict) or ex.get("expect") not in ("pass", "fail") or not isinstance(ex.get("text"), str):
            raise _err(path, getattr(ex, "line", line), msg("{r}: 每个示例需要 expect: pass|fail 和 text",
                                                            "{r}: each example needs expect: pass|fail and text", r=rid))
        _check_example(ex, path, rid)
    rule = Rule(rid, entry["name"], kind or "", entry["category"], entry["severity"], entry["message"].strip(),
                (entry.get("message_en") or None), str(entry.get("explanation", "") or "").strip(),
                entry.get("explanation_en"), entry.get("basis"), tuple(templates), {}, examples,
                path, line, entry.get("suggestion"), bool(entry.get("enabled", True)),
                suggestion_en=entry.get("suggestion_en") or None, emitted_by=emitted)
    if emitted is not None:
        extra = [k for k in entry if k not in COMMON_REQUIRED and k not in COMMON_OPTIONAL]
        if extra:
            raise _err(path, kl.get(extra[0], line), msg("{r}: 由核心生成的规则（emitted_by）没有参数，不认识字段“{k}”",
                                                         '{r}: a rule made by the core (emitted_by) has no parameters; unknown field "{k}"',
                                                         r=rid, k=show(extra[0])))
        return rule
    kind_spec = KINDS[kind]
    node = _ParamNode(entry)
    try:
        rule.params = _check_params(kind_spec, node, line)
        if kind_spec.prepare is not None:
            rule.compiled = kind_spec.prepare(rule)
        elif "assert" in rule.params:
            rule.compiled = rule.params["assert"]
    except ParamError as exc:
        if exc.line is None:
            exc.line = node.key_lines.get(exc.path.split(".")[0].split("[")[0], line)
        raise _param_error(path, line, rid, exc, kind) from None
    except (ValueError, TypeError, OverflowError, ArithmeticError, AttributeError, KeyError,
            RecursionError) as exc:   # defensive: a value no schema foresaw still ends as one line
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise _err(path, line, msg("{r}: 参数值有误（{t}: {e}）", "{r}: a parameter value is wrong ({t}: {e})",
                                   r=rid, t=type(exc).__name__, e=first)) from None
    if kind_spec.relations and not rule.relations:
        rule.relations = kind_spec.relations
    return rule


_EXAMPLE = None


def _check_example(ex, path, rid) -> None:
    """An example's keys: expect, text, the other report of a pair rule, options, and what a
    failing example gives (count, line)."""
    global _EXAMPLE
    from .schema import Choice, Int, ListOf, Param, Str, check_params
    if _EXAMPLE is None:
        _EXAMPLE = [Param("expect", Choice("pass", "fail"), required=True), Param("text", Str(), required=True),
                    Param("previous", Str()), Param("peer", Str()), Param("copy", Str()),
                    Param("template", Choice("2019", "2021")), Param("issuer_kind", Choice("government", "department")),
                    Param("count", Int(1, 1000)), Param("line", ListOf(Int(1, 100000), min_len=1, single_ok=True))]
    try:
        check_params(_EXAMPLE, ex, At("examples", getattr(ex, "line", None)))
    except ParamError as exc:
        raise _param_error(path, getattr(ex, "line", 0), rid, exc) from None


class _ParamNode(dict):
    """The parameters of an entry (its keys other than the common ones), with its lines."""

    def __init__(self, entry):
        super().__init__((k, v) for k, v in entry.items() if k not in COMMON_REQUIRED and k not in COMMON_OPTIONAL)
        self.line = getattr(entry, "line", 0)
        self.key_lines = dict(getattr(entry, "key_lines", {}))


def _check_params(kind_spec, node, line) -> dict:
    from .schema import check_params
    return check_params(kind_spec.params, node, At("", line))


def load_rule_file(path: Path) -> list[Rule]:
    data, _n = load_yaml(path)
    if data is None:
        return []
    if isinstance(data, dict) and "rules" in data:
        entries = data["rules"]
    else:
        entries = data
    if not isinstance(entries, list):
        raise _err(path, getattr(data, "line", 1), Msg("规则文件应为规则列表，或含有 rules: 列表",
                                                       "a rule file should be a list of rules, or hold a rules: list"))
    lines = getattr(entries, "item_lines", None) or []
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            line = lines[i] if i < len(lines) else getattr(entries, "line", 1)
            raise _err(path, line, msg("每条规则必须是一个映射（id、kind、message …），第{i}项却是{t}",
                                       "each rule must be a mapping (id, kind, message …), but item {i} is {t}", i=i + 1, t=_type_zh(e)))
        out.append(_validate(e, str(path)))
    return out


def _type_zh(v) -> Msg:
    for t, zh, en in ((bool, "真假值", "true/false"), (str, "文本", "text"), ((int, float), "数字", "a number"),
                      (list, "列表", "a list"), ((set, frozenset), "集合", "a set"), (bytes, "二进制数据", "binary data"),
                      (type(None), "空值", "null")):
        if isinstance(v, t):
            return Msg(zh, en)
    return Msg("其他值", "another value")


def _renamed_msg(text_zh: str) -> Msg:
    """RENAMED's notes ("dates（check: deadline 或 impossible）") in both languages."""
    return Msg(text_zh, text_zh.replace("（", " (").replace("）", ")").replace(" 或 ", " or ").replace("、", ", "))


def load_rules(extra_dirs: tuple[str, ...] = ()) -> RuleSet:
    return _load_rules(tuple(str(d) for d in extra_dirs))


@lru_cache(maxsize=8)
def _load_rules(extra_dirs: tuple[str, ...]) -> RuleSet:
    # validated rules are kept between runs while no input changed (validator/startcache.py)
    from ..resources import grammar_dir
    from ..startcache import load as cached
    sources = [(rules_dir(), ".yaml"), (rules_dir() / "formats", ".yaml"), (grammar_dir(), ".lark")]
    return cached("rules", sources + [(Path(d), ".yaml") for d in extra_dirs],
                  lambda: _read_rules(extra_dirs))


def _read_rules(extra_dirs: tuple[str, ...]) -> RuleSet:
    dirs = [rules_dir()] + [Path(d) for d in extra_dirs]
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for d in dirs:
        if not d.is_dir():
            raise YamlError(msg("{d}: 规则目录不存在", "{d}: no such rule directory", d=d))
        shipped = d == rules_dir()
        for p in sorted(d.glob("*.yaml")):
            with (trusted_patterns() if shipped else contextlib.nullcontext()):
                loaded = load_rule_file(p)
            for r in loaded:
                r.shipped = shipped
                for key in (r.id, r.name):
                    if key in seen:
                        raise _err(r.file, r.line, msg("规则“{k}”重复定义（已见于 {s}）", 'rule "{k}" defined twice (first at {s})',
                                                       k=key, s=seen[key]))
                    seen[key] = f"{r.file}:{r.line}"
                rules.append(r)
    rules.sort(key=lambda r: r.id)
    return RuleSet(rules)




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


class RuleRunError(YamlError):
    """A rule from a rule directory failed while it ran: the rule file is bad input, so the
    run stops with exit 2 and one line naming the rule's file:line, as for an error found when
    it was loaded.  (Parameter values are checked by their schemas when the rules load; this
    is the net for what no schema can foresee.)"""


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
    run = KINDS[rule.kind].run
    try:
        if not can_time_out(rule):
            # no pattern of the timed engine: nothing to count (most rules; a log per rule and
            # report cost more than many a rule's own check)
            return list(run(rule, ctx)), None
        out: list = []
        with timeout_log() as log:
            try:
                for f in run(rule, ctx):
                    out.append(f)
            except PatternTimeout:
                pass
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a user rule failing on a report
        if rule.shipped:
            raise
        raise _run_error(rule, exc) from None
    if log.count or log.skipped:
        return out, RegexTimeouts(log.count, list(log.patterns))
    return out, None


def _run_error(rule: Rule, exc: Exception) -> RuleRunError:
    """A rule of a rule directory failed on a report: the error naming its file and line."""
    first = str(exc).split("\n", 1)[0]
    return RuleRunError(one_line(msg("{f}:{l}: {r}: 规则无法运行（{t}: {e}）", "{f}:{l}: {r}: the rule cannot run ({t}: {e})",
                                     f=rule.file, l=rule.line, r=rule.id, t=type(exc).__name__, e=first), 400))


def can_time_out(rule: Rule) -> bool:
    """Has the rule a pattern of the timed engine (validator/saferegex.py: a pattern of a rule
    directory that RE2 does not take)?  Only such a pattern can time out, and only its
    timeouts are counted; the kinds' own patterns are trusted.  Worked out once per rule
    (rules are not changed once loaded)."""
    hit = rule.__dict__.get("_can_time_out")
    if hit is None:
        hit = rule.__dict__["_can_time_out"] = _has_timed_pattern(rule.params)
    return hit


def _has_timed_pattern(value) -> bool:
    if isinstance(value, SafePattern):
        return value.engine == "regex"
    if isinstance(value, dict):
        return any(_has_timed_pattern(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_timed_pattern(v) for v in value)
    return False
