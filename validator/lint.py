"""The pipeline in one place: read → normalise → parse → model → rules → findings.

This is the one entry used by the CLI and the web page (no second implementation of any
step).  Data flows one way; nothing here writes to the checked file.
"""

from __future__ import annotations

from dataclasses import field

from . import limits as _limits
from . import suppress as _suppress
from .document import Document
from .fileread import read_data, read_file
from .findings import SEVERITY_RANK, Finding
from .model import Diagnostic, Metadata, Report
from .normalize import normalize
from .parse import parse
from .records import record
from .rules import RuleSet, is_selected, load_rules, run_rule
from .rules.kinds import Ctx
from .source import SourceText


@record
class Options:
    """How one file is checked: template, issuer kind, input format, language, rule selection, limits."""

    template: str | None = None          # auto / 2019 / 2021
    issuer_kind: str | None = None       # 部门 / 政府 (used by metadata rules)
    input_format: str | None = None
    lang: str = "zh"
    select: tuple[str, ...] = ()         # rule ids, names or categories; empty = all
    ignore: tuple[str, ...] = ()
    extra_rule_dirs: tuple[str, ...] = ()
    severity: dict = field(default_factory=dict)   # rule id -> severity override
    max_bytes: int | None = _limits.DEFAULT_MAX_BYTES  # per file; None/0 = no limit (P090)
    timeout: float | None = _limits.DEFAULT_TIMEOUT_S  # seconds per file; None/0 = none (P091)
    max_chars: int | None = _limits.DEFAULT_MAX_CHARS  # characters of text per file (P090)
    # make the findings' English texts (message_en, suggestion_en) too: a run whose output is
    # Chinese never reads them (`check` without --lang en), and they were two fifths of what
    # a worker sends back per file
    english: bool = True
    # make the related places of a finding in the report's own file: an output that lists only
    # those in other files never reads them (runner.LiteResult.of(related=False): concise …)
    related: bool = True
    # the findings are folded (reporters/fold.py) before anything reads them, and the members of
    # a folded group are then dropped (runner.LiteResult.of(fold=…)): the texts of a finding of
    # a group are made only if it stays on its own
    fold: bool = False


@record
class Result:
    """The outcome of checking one file: findings, the report model and the source text."""

    path: str
    findings: list[Finding]
    report: Report | None
    source: SourceText | None


_selected = is_selected


def run_rules(report: Report, rules: RuleSet, opts: Options) -> list[Finding]:
    """Run the selected rules of one report (selection, severities: here, in the core; the
    rules that compare two reports run in validator/cross, those the core emits elsewhere)."""
    ctx = Ctx(report, opts.lang, opts.issuer_kind, opts.english, opts.related, opts.fold)
    out: list[Finding] = []
    # a reader that could read no text at all (a scanned PDF) says so; nothing else is checked
    unreadable = any(getattr(n, "args", {}).get("only") for n in report.source.notes)
    severity = opts.severity
    for rule in rules.for_one_report(report.template, opts):
        if unreadable and rule.kind != "reader_notes":
            continue
        if report.kind == "not-report" and rule.kind not in ("reader_notes", "diagnostics"):
            continue
        _limits.check_time()
        found, timeouts = run_rule(rule, ctx)
        if timeouts is not None:   # never a silent loss of matches (issue 16.3)
            found += _regex_timeout_findings(rule, timeouts, rules, opts, ctx)
        if severity:
            for f in found:
                sev = severity.get(f.rule) or severity.get(f.name)
                if sev:
                    f.severity = sev
        out += found
    out.sort(key=Finding.sort_key)
    return out


def _regex_timeout_findings(rule, timeouts, rules: RuleSet, opts: Options, ctx) -> list[Finding]:
    from .saferegex import TIMEOUT_S
    from .yamlload import quote
    own = rules.by_id(_limits.RULE_REGEX_TIMEOUT)
    if own is None or not _selected(own, opts):
        return []
    args = {"rule": rule.id, "rule_name": rule.name, "count": timeouts.count, "seconds": f"{TIMEOUT_S:g}",
            "pattern": "、".join(f"“{quote(p)}”" for p in timeouts.patterns[:3])}
    return [ctx.emit(own, (0, 0), args)]


def _lint(doc: Document, opts: Options, rules: RuleSet) -> Result:
    _limits.check_chars(len(doc.text), opts.max_chars)
    _limits.check_time()
    src, sup = _suppress.prepare(doc.source)   # inline `xxgk-lint: disable=…` directives (issue 5)
    doc = normalize(doc.with_source(src))
    _limits.check_time()
    report = parse(doc, template=opts.template)
    _limits.check_time()
    return Result(src.path, sup.apply(run_rules(report, rules, opts), rules, opts), report, doc.source)


def limit_result(path: str, exc: _limits.LimitExceeded, opts: Options, rules: RuleSet) -> Result:
    """A file over a limit (issue 6): one `parse` finding (P090/P091) for it, nothing else."""
    src = SourceText.from_original("", path=str(path))
    report = Report(src, Metadata(), None, exc.detail)
    report.diagnostics.append(Diagnostic(exc.kind, (0, 0), {"detail": exc.detail, **dict(exc.args_)}))
    own = [r for r in rules.rules if r.id == exc.rule]
    if own:
        findings = run_rules(report, RuleSet(own), opts)
    else:  # a rule set without rules/limits.yaml: still say it
        findings = [Finding(exc.rule, "parse", "error", exc.detail, str(path), src.location(0, 0))]
    return Result(str(path), findings, report, src)


def lint_source(src: SourceText | Document, opts: Options | None = None, rules: RuleSet | None = None) -> Result:
    opts = opts or Options()
    rules = rules or load_rules(opts.extra_rule_dirs)
    if isinstance(src, Document):
        doc = src
    else:   # a text given as a string: the blocks the text reader gives a file of it
        from .readers.text import document_of
        doc = document_of(src)
    return lint_document(doc, opts, rules)


def lint_path(path: str, opts: Options | None = None, rules: RuleSet | None = None) -> Result:
    """Check one file; over --max-bytes or --timeout gives a P090/P091 finding, unreadable
    input raises readers.ReadError (one line)."""
    opts = opts or Options()
    return _within_limits(str(path), opts, rules or load_rules(opts.extra_rule_dirs),
                          lambda: read_file(path, opts.input_format, opts.max_bytes, opts.max_chars))


def lint_bytes(data: bytes, name: str, opts: Options | None = None, rules: RuleSet | None = None) -> Result:
    opts = opts or Options()
    return _within_limits(name, opts, rules or load_rules(opts.extra_rule_dirs),
                          lambda: read_data(data, name, opts.input_format, opts.max_bytes, opts.max_chars))


def lint_document(doc: Document, opts: Options, rules: RuleSet, started: float | None = None) -> Result:
    """Check a Document read elsewhere (validator/runner.py reads a PDF or DOCX in a process of
    its own); ``started``: when its reading began (time.monotonic()), the time limit counting
    from then, as for a file read and checked here."""
    return _within_limits(doc.source.path, opts, rules, lambda: doc, started)


def _within_limits(name: str, opts: Options, rules: RuleSet, read, started: float | None = None) -> Result:
    """``read()`` the Document and check it within the file's limits; a limit exceeded on the way
    (size, characters, time) is that limit's one finding (:func:`limit_result`)."""
    try:
        with _limits.limits(opts.max_bytes, opts.timeout, opts.max_chars, started=started):
            return _lint(read(), opts, rules)
    except _limits.LimitExceeded as exc:
        return limit_result(name, exc, opts, rules)


def worst(findings: list[Finding]) -> int:
    return max((SEVERITY_RANK[f.severity] for f in findings), default=-1)
