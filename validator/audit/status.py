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

The status is stored as these Chinese words (the database's fixed values, in every language,
so that databases written before still resume); :func:`status_word` gives the word to show in
the user's language.  The reason is a :class:`validator.i18n.Msg` (both languages); the record
keeps it in the language of the run, as it keeps the findings' messages.
"""

from __future__ import annotations

from ..i18n import Msg, msg, table_en

PASSED, ERRORS, UNFILLED, NOT_REPORT, UNREADABLE = "通过", "有错误", "未填写", "非年报", "无法读取"
STATUSES = (PASSED, ERRORS, UNFILLED, NOT_REPORT, UNREADABLE)
STATUS_EN = {PASSED: "passed", ERRORS: "with errors", UNFILLED: "unfilled", NOT_REPORT: "not a report",
             UNREADABLE: "unreadable"}


def status_word(status: str | None, lang: str = "zh") -> str:
    """The status as shown to the user: the stored word, or its English with ``lang="en"``."""
    if status is None:
        return ""
    return STATUS_EN.get(status, status) if lang == "en" else status

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


def _message(f) -> Msg:
    """A finding's message in both languages."""
    return Msg(f.message, f.message_en or f.message)


def status_of(report, findings, error=None) -> tuple[str, Msg | str | None]:
    """(status, reason) of one checked file; `error` is a read error or a crash.  The reason is
    a :class:`Msg` (``str`` of it is the Chinese; ``i18n.text(reason, "en")`` the English)."""
    if error:
        return UNREADABLE, error
    for f in findings:
        if f.rule in LIMIT_RULES:
            return UNREADABLE, _message(f)
    if report is not None and _unreadable_text(report):
        why = next((_message(f) for f in findings if f.category == "parse" and f.severity == "error"), None)
        return UNREADABLE, why or Msg("没有读到文字", "no text could be read")
    if not_a_report(report, findings):
        return NOT_REPORT, report.template_reason or None
    if report is not None and report.tables:
        unfilled = {f.table for f in findings if f.rule in UNFILLED_RULES or f.name in UNFILLED_RULES}
        if unfilled and set(report.tables) <= unfilled:
            tables = [t for t in report.tables if t in unfilled]
            return UNFILLED, msg("统计表未填写：{names}", "statistics tables not filled in: {names_en}",
                                 names="、".join(tables), names_en=", ".join(table_en(t) for t in tables))
    if any(f.severity == "error" for f in findings):
        return ERRORS, None
    return PASSED, None
