"""JSON output.  Schema (version 1), stable:

{
  "version": 1, "tool": "xxgk-lint", "tool_version": "…",
  "files": [{"path": …, "template": "2019"|"2021"|"legacy"|null, "year": 2023|null,
             "encoding": …, "format": "text"|"html"|…, "error": null|"…"}],
  "findings": [{"path", "line", "column", "end_line", "end_column", "rule", "name",
                "category", "severity", "message",
                optional: "page", "where", "context": {"section","table","row","column"},
                "numbers": {"lhs","rhs","diff",…}, "basis", "suggestion", "related": [...] }],
  "summary": {"files": n, "findings": n, "error": n, "warning": n, "info": n,
              "unreadable": n, "baseline": n, "text": "2 个错误，… 个警告，… 个提示（检查了…个文件）。"}
}

Findings that belong together (every blank cell of a table, F502; one section the same as
several other issuers' reports, Y202) are one finding with
"cells": [{"line", "column", "end_line", "end_column", optional "page", "where",
"context": {"table", "row", "column"}, "other", "other_path", "numbers"}, …] — every place
(and, for a comparison, which report it was compared with and what was measured);
``--show-all`` lists them one by one.
"""

from __future__ import annotations

from . import register


def document(results, lang="zh", baseline: int = 0) -> dict:
    from .. import __version__
    findings = [f.to_dict(lang) for r in results for f in r.findings]
    from ..i18n import text
    files = []
    for r in results:
        rep = getattr(r, "report", None)
        src = getattr(r, "source", None)
        files.append({"path": r.path,
                      "template": rep.template if rep else None,
                      "year": rep.metadata.year if rep else None,
                      "encoding": src.encoding if src else None,
                      "format": src.format if src else None,
                      "error": (text(r.error, lang) if getattr(r, "error", None) else None)})
    from .common import summary as summary_text
    summary = {"files": len(results), "findings": len(findings)}
    for sev in ("error", "warning", "info"):
        summary[sev] = sum(1 for f in findings if f["severity"] == sev)
    summary["unreadable"] = sum(1 for r in results if getattr(r, "error", None))
    summary["baseline"] = baseline
    summary["text"] = summary_text(results, lang, baseline)
    return {"version": 1, "tool": "xxgk-lint", "tool_version": __version__, "files": files,
            "findings": findings, "summary": summary}


@register("json")
def render(results, out, *, lang="zh", baseline=0, **_kw):
    from .common import collector_paused, write_json
    with collector_paused():
        write_json(document(results, lang, baseline), out)
