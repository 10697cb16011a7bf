"""What the text outputs share: errors first, the per-severity summary, the file header."""

from __future__ import annotations

from ..findings import SEVERITY_RANK
from ..i18n import count_by_severity, summary_line

TEMPLATE_ZH = {"2019": "2019年格式", "2021": "2021年格式", "legacy": "2019年以前（2008年条例）"}
TEMPLATE_EN = {"2019": "2019 format", "2021": "2021 format", "legacy": "before 2019 (2008 regulations)"}


def ordered(findings):
    """Errors first, then warnings, then notes; by place within each."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.location.page or 0,
                                           f.location.line, f.location.column, f.rule))


def error_text(r, lang: str = "zh") -> str:
    """A file's read error without the path repeated in front (the path is printed already)."""
    from ..i18n import text
    err = text(getattr(r, "error", "") or "", lang)
    for prefix in (f"{r.path}: ", f"{r.path}："):
        if err.startswith(prefix):
            return err[len(prefix):]
    return err


def totals(results) -> dict[str, int]:
    return count_by_severity(f for r in results for f in r.findings)


def summary(results, lang: str = "zh", baseline: int = 0) -> str:
    unreadable = sum(1 for r in results if getattr(r, "error", None))
    return summary_line(totals(results), len(results) - unreadable, lang=lang, unreadable=unreadable,
                        baseline=baseline)


def file_header(rep, lang: str = "zh") -> str:
    if rep is None:
        return ""
    year = getattr(getattr(rep, "metadata", None), "year", None)
    if lang == "en":
        tmpl = TEMPLATE_EN.get(rep.template or "", "format undetermined")
        return f"  (report year {year}, {tmpl})" if year else f"  (report year unknown, {tmpl})"
    tmpl = TEMPLATE_ZH.get(rep.template or "", "格式未定")
    return f"  （{year}年度，{tmpl}）" if year else f"  （年度未知，{tmpl}）"
