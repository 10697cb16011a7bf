"""The pipeline in one place: read → normalise → parse → model → rules → findings.

This is the one entry used by the CLI and the web page (no second implementation of any
step).  Data flows one way; nothing here writes to the checked file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import SEVERITY_RANK, Finding
from .model import Report
from .normalize import normalize
from .parse import parse
from .readers import read_bytes, read_path
from .rules import RuleSet, load_rules
from .rules.kinds import KINDS, Ctx
from .source import SourceText


@dataclass
class Options:
    template: str | None = None          # auto / 2019 / 2021
    issuer_kind: str | None = None       # 部门 / 政府 (used by metadata rules)
    input_format: str | None = None
    lang: str = "zh"
    select: tuple[str, ...] = ()         # rule ids, names or categories; empty = all
    ignore: tuple[str, ...] = ()
    extra_rule_dirs: tuple[str, ...] = ()
    severity: dict = field(default_factory=dict)   # rule id -> severity override


@dataclass
class Result:
    path: str
    findings: list[Finding]
    report: Report | None
    source: SourceText | None


def _selected(rule, opts: Options) -> bool:
    keys = {rule.id, rule.name, rule.category}
    if opts.select and not (keys & set(opts.select) or "ALL" in opts.select):
        return False
    if keys & set(opts.ignore):
        return False
    return rule.enabled


def run_rules(report: Report, rules: RuleSet, opts: Options) -> list[Finding]:
    ctx = Ctx(report, opts.lang)
    ctx.issuer_kind = opts.issuer_kind
    out: list[Finding] = []
    for rule in rules.rules:
        if not rule.applies_to(report.template) or not _selected(rule, opts):
            continue
        for f in KINDS[rule.kind].run(rule, ctx):
            sev = opts.severity.get(rule.id) or opts.severity.get(rule.name)
            if sev:
                f.severity = sev
            out.append(f)
    out.sort(key=Finding.sort_key)
    return out


def lint_source(src: SourceText, opts: Options | None = None, rules: RuleSet | None = None) -> Result:
    opts = opts or Options()
    rules = rules or load_rules(opts.extra_rule_dirs)
    norm = normalize(src)
    report = parse(norm, template=opts.template)
    return Result(src.path, run_rules(report, rules, opts), report, norm)


def lint_path(path: str, opts: Options | None = None, rules: RuleSet | None = None) -> Result:
    opts = opts or Options()
    return lint_source(read_path(path, opts.input_format), opts, rules)


def lint_bytes(data: bytes, name: str, opts: Options | None = None, rules: RuleSet | None = None) -> Result:
    opts = opts or Options()
    return lint_source(read_bytes(data, name, opts.input_format), opts, rules)


def worst(findings: list[Finding]) -> int:
    return max((SEVERITY_RANK[f.severity] for f in findings), default=-1)
