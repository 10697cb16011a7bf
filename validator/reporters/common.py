"""What the text outputs share: errors first, the per-severity summary, the file header."""

from __future__ import annotations

from contextlib import contextmanager

from ..findings import SEVERITY_RANK
from ..i18n import count_by_severity, summary_line

TEMPLATE_ZH = {"2019": "2019年格式", "2021": "2021年格式", "legacy": "2019年以前（2008年条例）"}
TEMPLATE_EN = {"2019": "2019 format", "2021": "2021 format", "legacy": "before 2019 (2008 regulations)"}


def write_json(doc, out) -> None:
    """``json.dump(doc, out, ensure_ascii=False, indent=2)`` and a newline, through orjson:
    the standard library's encoder writes an indented document in Python, item by item — for
    the JSON report of 1,000 reports (~11 MB) ~8x the time orjson takes, for SARIF (~30 MB)
    most of the time the whole output step took (issue 15), and all of it after the last file
    was checked.  orjson writes the same text (same indentation, separators, escapes and
    key order; a number the same digits) except a float below 10⁻⁴ or from 10¹⁶ up, which it
    writes without the exponent's sign and zero padding (``1e16``, not ``1e+16``: the same
    value for every JSON reader).  What orjson does not take (a lone surrogate in a text, an
    integer over 64 bits, a value of another type) goes through the standard library as
    before."""
    try:
        import orjson
        text = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode("utf-8")
    except (ImportError, TypeError):   # orjson.JSONEncodeError is a TypeError
        import json
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    out.write(text)
    out.write("\n")


@contextmanager
def collector_paused():
    """No cyclic garbage collection while an output document is built and written: it is a
    tree of fresh dicts, lists and strings (no cycles to find), yet its hundreds of thousands
    of allocations would set off collections that walk it again and again (a fifth of the
    SARIF output's time for 1,000 reports).  A caller's setting is left as it was."""
    import gc
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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
