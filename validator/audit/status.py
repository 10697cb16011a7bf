"""The status of one audited report — one small function, :func:`status_of`.

=========  ==================================================================================
通过       read and checked; no finding of severity error (warnings and notes may remain)
有错误     at least one finding of severity error
未填写     every statistics table the report has is an unfilled template (F503 table-unfilled
           on each): a blank template was published; nothing could be checked in the tables
非年报     not an annual report: the parser found neither a template (year), nor sections, nor
           tables (a news page, a letter, an empty file)
无法读取   the file could not be read or checked: a read error, over a limit (P090 size, P091
           time), a PDF without a text layer, or the checking process died; ``reason`` says why
=========  ==================================================================================

The order of the tests is the order of the table read upwards: a file that could not be read
is 无法读取 whatever else, an unfilled template is 未填写 although F503 is an error.
"""

from __future__ import annotations

PASSED, ERRORS, UNFILLED, NOT_REPORT, UNREADABLE = "通过", "有错误", "未填写", "非年报", "无法读取"
STATUSES = (PASSED, ERRORS, UNFILLED, NOT_REPORT, UNREADABLE)
STATUS_EN = {PASSED: "passed", ERRORS: "errors", UNFILLED: "unfilled", NOT_REPORT: "not a report",
             UNREADABLE: "unreadable"}

LIMIT_RULES = ("P090", "P091")          # rules/limits.yaml: over the size / time limit
UNFILLED_RULES = ("F503", "table-unfilled")


def _unreadable_text(report) -> bool:
    """The reader could read no text at all (a scanned PDF): lint.run_rules's own test."""
    src = getattr(report, "source", None)
    return any(getattr(n, "args", {}).get("only") for n in getattr(src, "notes", ()) or ())


def not_a_report(report, findings) -> bool:
    """Not an annual report.  Until the parser says so with its own finding (issue 11), what
    the model shows: no template (no report year), no sections, no tables."""
    return (report is not None and report.template is None and not report.sections
            and not report.tables)


def status_of(report, findings, error: str | None = None) -> tuple[str, str | None]:
    """(status, reason) of one checked file; `error` is a read error or a crash."""
    if error:
        return UNREADABLE, error
    for f in findings:
        if f.rule in LIMIT_RULES:
            return UNREADABLE, f.message
    if report is not None and _unreadable_text(report):
        why = next((f.message for f in findings if f.category == "parse" and f.severity == "error"), None)
        return UNREADABLE, why or "没有读到文字"
    if not_a_report(report, findings):
        return NOT_REPORT, report.template_reason or None
    if report is not None and report.tables:
        unfilled = {f.table for f in findings if f.rule in UNFILLED_RULES or f.name in UNFILLED_RULES}
        if unfilled and set(report.tables) <= unfilled:
            return UNFILLED, "统计表未填写：" + "、".join(t for t in report.tables if t in unfilled)
    if any(f.severity == "error" for f in findings):
        return ERRORS, None
    return PASSED, None
