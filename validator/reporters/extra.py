"""Outputs for CI: SARIF 2.1.0 (GitHub code scanning), GitHub workflow commands, JUnit XML."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from ..findings import LINE_FIELDS, SEVERITY_RANK, elsewhere
from ..i18n import count_by_severity, summary_line
from . import register
from .common import error_text, ordered, summary, totals

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rules(kw):
    rules = kw.get("rules")
    if rules is None:
        from ..rules import load_rules
        rules = load_rules()
    return rules


def _uri(path: str) -> str:
    """A relative URI (forward slashes, percent-encoded) for a path, relative to the cwd when
    the file is below it (what GitHub code scanning expects)."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return quote(p.as_posix(), safe="/-._~")


def _region(loc) -> dict:
    r = {"startLine": max(1, loc.line), "startColumn": max(1, loc.column)}
    end_line = loc.end_line if loc.end_line is not None else loc.line
    end_col = loc.end_column if loc.end_column is not None else loc.column
    if end_line >= r["startLine"]:
        r["endLine"] = max(1, end_line)
        if end_line > loc.line or end_col > loc.column:
            r["endColumn"] = max(1, end_col)
    return r


def _rule_descriptor(rule, lang) -> dict:
    from ..ruledoc import explanation, join_lines, rule_summary
    expl = explanation(rule, lang) or rule.message
    first = rule_summary(rule, lang) or rule.id
    help_lines = [expl.strip()]
    if rule.basis:
        help_lines.append(("Basis: " if lang == "en" else "依据：") + rule.basis)
    help_lines.append(f"xxgk-lint rule {rule.id}")
    md = [expl.strip()]
    if rule.basis:
        md.append(("**Basis:** " if lang == "en" else "**依据：**") + rule.basis)
    md.append(f"`xxgk-lint rule {rule.id}`")
    d = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": first},
        "fullDescription": {"text": join_lines(expl)},
        "help": {"text": "\n\n".join(help_lines), "markdown": "\n\n".join(md)},
        "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": bool(rule.enabled)},
        "properties": {"category": rule.category, "tags": [rule.category], "templates": list(rule.templates)},
    }
    if rule.basis:
        d["properties"]["basis"] = rule.basis
    return d


def sarif_document(results, lang="zh", **kw) -> dict:
    from .. import __version__
    rules = _rules(kw)
    descriptors = [_rule_descriptor(r, lang) for r in rules.rules]
    index = {r.id: i for i, r in enumerate(rules.rules)}
    artifacts, art_index, out_results, notes = [], {}, [], []
    for res in results:
        uri = _uri(res.path)
        if uri not in art_index:
            art_index[uri] = len(artifacts)
            art = {"location": {"uri": uri}}
            src = getattr(res, "source", None)
            if src is not None and getattr(src, "encoding", None):
                art["encoding"] = src.encoding
            artifacts.append(art)
        err = getattr(res, "error", None)
        if err:
            from ..i18n import text as in_lang
            notes.append({"level": "error", "message": {"text": in_lang(err, lang)},
                          "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": art_index[uri]}}}]})
        for f in res.findings:
            text = f.text(lang)
            if f.location.where:
                text += f"（{f.where(lang)}）" if lang == "zh" else f" ({f.where(lang)})"
            r = {
                "ruleId": f.rule,
                "level": _LEVEL.get(f.severity, "warning"),
                "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri, "index": art_index[uri]},
                    "region": _region(f.location)}}],
            }
            if f.rule in index:
                r["ruleIndex"] = index[f.rule]
            if f.related:
                rel_out = []
                for i, loc in enumerate(f.related):
                    ruri = uri
                    other = getattr(loc, "path", None)
                    if other:  # a place in another file (cross-report findings)
                        ruri = _uri(other)
                        if ruri not in art_index:
                            art_index[ruri] = len(artifacts)
                            artifacts.append({"location": {"uri": ruri}})
                    item = {"id": i, "physicalLocation": {
                        "artifactLocation": {"uri": ruri, "index": art_index[ruri]}, "region": _region(loc)}}
                    if getattr(loc, "label", None):
                        item["message"] = {"text": loc.label}
                    rel_out.append(item)
                r["relatedLocations"] = rel_out
            props = {"category": f.category, "severity": f.severity}
            if f.name:
                props["name"] = f.name
            for k in ("section", "table", "row", "column", "basis"):
                v = getattr(f, k)
                if v:
                    props[k] = v
            if f.advice(lang):
                props["suggestion"] = f.advice(lang)
            if f.location.page is not None:
                props["page"] = f.location.page
            d = f.to_dict(lang)
            if "numbers" in d:
                props["numbers"] = d["numbers"]
            if "cells" in d:
                props["cells"] = d["cells"]
            r["properties"] = props
            r["partialFingerprints"] = {"xxgkLint/v1": _fingerprint(f)}
            out_results.append(r)
    run = {
        "tool": {"driver": {"name": "xxgk-lint", "version": __version__, "semanticVersion": __version__,
                            "rules": descriptors}},
        "columnKind": "unicodeCodePoints",
        "artifacts": artifacts,
        "results": out_results,
        "invocations": [{"executionSuccessful": not notes, "toolExecutionNotifications": notes}],
        "properties": {"summary": {**totals(results), "files": len(results),
                                   "unreadable": sum(1 for r in results if getattr(r, "error", None)),
                                   "baseline": kw.get("baseline", 0), "text": summary(results, lang, kw.get("baseline", 0))}},
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _fingerprint(f) -> str:
    """rule, file, table, row, column and message — never the line (validator/baseline.py)."""
    from ..baseline import fingerprint
    return fingerprint(f)


@register("sarif")
def render_sarif(results, out, *, lang="zh", **kw):
    from .common import collector_paused, write_json
    with collector_paused():
        write_json(sarif_document(results, lang, **kw), out)


# --- GitHub Actions workflow commands ---------------------------------------------------
_GH_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def gh_escape_data(s: str) -> str:
    from .safe import safe_text
    return safe_text(s, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_prop(s: str) -> str:
    return gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github_line(f, lang="zh", file_prop: str | None = None) -> str:
    """``file_prop``: ``gh_escape_prop(f.path)`` when the caller has it (once per file)."""
    loc = f.location
    if file_prop is None:
        file_prop = gh_escape_prop(f.path)
    props = [f"file={file_prop}", f"line={max(1, loc.line)}", f"col={max(1, loc.column)}"]
    if loc.end_line is not None:
        props.append(f"endLine={max(1, loc.end_line)}")
        if loc.end_column is not None:
            props.append(f"endColumn={max(1, loc.end_column)}")
    props.append("title=" + gh_escape_prop(f"{f.rule} {f.name}".strip()))
    msg = f.text(lang)
    if loc.where:
        msg += f"（{f.where(lang)}）" if lang != "en" else f" ({f.where(lang)})"
    msg += elsewhere(f, lang)
    return f"::{_GH_LEVEL.get(f.severity, 'warning')} {','.join(props)}::{gh_escape_data(msg)}"


@register("github", lists_related=False, shows_cells=False, reads=LINE_FIELDS + ("name",))
def render_github(results, out, *, lang="zh", baseline=0, **_kw):
    """One workflow command per finding (errors first within a file), then the summary as a
    plain log line (and, when $GITHUB_STEP_SUMMARY is set, in the job summary)."""
    for res in results:
        err = getattr(res, "error", None)
        if err:
            out.write(f"::error file={gh_escape_prop(res.path)},title=xxgk-lint::{gh_escape_data(error_text(res, lang))}\n")
        prop = None
        for f in ordered(res.findings):
            if prop is None or f.path != last:
                last, prop = f.path, gh_escape_prop(f.path)
            out.write(github_line(f, lang, prop) + "\n")
    line = summary(results, lang, baseline)
    out.write(line + "\n")
    import os
    step = os.environ.get("GITHUB_STEP_SUMMARY")
    if step:
        try:
            with open(step, "a", encoding="utf-8") as fh:
                fh.write(f"**xxgk-lint**: {line}\n")
        except OSError:
            pass


# --- JUnit XML ----------------------------------------------------------------------------
def junit_tree(results, lang="zh", fail_on="error"):
    import xml.etree.ElementTree as ET
    threshold = SEVERITY_RANK.get(fail_on or "error", 2)
    suites = ET.Element("testsuites", name="xxgk-lint")
    suite = ET.SubElement(suites, "testsuite", name="xxgk-lint")
    n = failures = errors = 0
    from .safe import safe_text
    for res in results:
        n += 1
        tc = ET.SubElement(suite, "testcase", name=safe_text(res.path), classname="xxgk-lint", file=safe_text(res.path))
        err = getattr(res, "error", None)
        from ..findings import elsewhere
        fs = ordered(res.findings)
        lines = [safe_text(f"{f.path}:{f.location.line}:{f.location.column}: {f.rule} [{f.severity}] {f.text(lang)}"
                           f"{elsewhere(f, lang)}") for f in fs]
        if err:
            errors += 1
            e = ET.SubElement(tc, "error", message=safe_text(error_text(res, lang)), type="read-error")
            e.text = safe_text(error_text(res, lang))
            continue
        failing = [f for f in fs if SEVERITY_RANK[f.severity] >= threshold]
        if failing:
            failures += 1
            worst = max(failing, key=lambda f: SEVERITY_RANK[f.severity]).severity
            # the message counts exactly the lines listed below it, by severity
            fl = ET.SubElement(tc, "failure", type=worst,
                               message=summary_line(count_by_severity(fs), 1, lang=lang))
            fl.text = "\n".join(lines)
        elif lines:
            so = ET.SubElement(tc, "system-out")
            so.text = "\n".join(lines)
    props = ET.Element("properties")
    ET.SubElement(props, "property", name="summary", value=summary(results, lang))
    suite.insert(0, props)
    for el in (suites, suite):
        el.set("tests", str(n))
        el.set("failures", str(failures))
        el.set("errors", str(errors))
    suite.set("skipped", "0")
    return ET.ElementTree(suites)


@register("junit", lists_related=False, shows_cells=False, reads=LINE_FIELDS)
def render_junit(results, out, *, lang="zh", fail_on="error", **_kw):
    import xml.etree.ElementTree as ET
    tree = junit_tree(results, lang, fail_on)
    ET.indent(tree)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(tree.getroot(), encoding="unicode"))
    out.write("\n")
