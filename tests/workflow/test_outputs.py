"""SARIF 2.1.0 (validated against the official schema), GitHub workflow commands, JUnit XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from .conftest import CORPUS, SEED

# The official SARIF 2.1.0 schema (OASIS, errata01: oasis-tcs/sarif-spec
# Schemata/sarif-schema-2.1.0.json), stored here because the tests run without network.
SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REPORT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".pdf", ".docx")
N_CORPUS = sum(1 for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


@pytest.fixture(scope="module")
def corpus_sarif():
    import io
    import sys
    from validator.cli import main
    out = io.StringIO()
    old = sys.stdout
    sys.stdout = out
    try:
        code = main(["check", "-o", "sarif", "--jobs", "2", str(CORPUS)])
    finally:
        sys.stdout = old
    return code, json.loads(out.getvalue())


def test_schema_is_the_official_one():
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"].endswith("/sarif-schema-2.1.0.json") and len(SCHEMA["definitions"]) == 52


def test_corpus_through_sarif_validates_against_the_schema(corpus_sarif):
    code, doc = corpus_sarif
    assert code in (0, 1)
    v = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    assert len(run["artifacts"]) == N_CORPUS
    assert run["results"], "the corpus has findings"


def test_sarif_has_rule_metadata_help_and_locations(corpus_sarif):
    _code, doc = corpus_sarif
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "A301" in ids and "X100" in ids
    a301 = rules[ids.index("A301")]
    assert a301["name"] == "table3-balance" and a301["help"]["text"] and a301["fullDescription"]["text"]
    assert a301["defaultConfiguration"]["level"] == "error"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri
    seed = [r for r in run["results"] if r["ruleId"] == "A301" and "001_68b1fad5fb482fc8" in
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
    assert seed and seed[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 81
    assert seed[0]["level"] == "error"


GH_LINE = re.compile(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+(,endLine=\d+(,endColumn=\d+)?)?,"
                     r"title=[^,:]+::[^\r\n]+$")


def test_github_lines_are_well_formed_workflow_commands(cli):
    r = cli("check", "-o", "github", CORPUS)
    lines = r.out.splitlines()
    assert lines and r.code == 1
    for line in lines[:-1]:
        assert GH_LINE.match(line), line
    assert any(line.startswith("::error file=") and "title=A301 table3-balance::" in line for line in lines)
    # the last line is the summary, a plain log line (not a command)
    errors = sum(1 for ln in lines if ln.startswith("::error "))
    assert not lines[-1].startswith("::") and lines[-1].startswith(f"{errors} 个错误，")


def test_github_escapes_properties_and_data():
    from validator.findings import Finding
    from validator.reporters.extra import github_line
    from validator.source import Location
    f = Finding("A301", "arithmetic", "warning", "100% 不平衡\n第二行", "dir/a,b:c.txt",
                Location(3, 4, 3, 9), "table3-balance")
    line = github_line(f)
    assert line == ("::warning file=dir/a%2Cb%3Ac.txt,line=3,col=4,endLine=3,endColumn=9,"
                    "title=A301 table3-balance::100%25 不平衡%0A第二行")


def test_github_is_chosen_automatically_on_github_actions(cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    from validator.cli import main
    import io
    import sys
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    code = main(["check", str(SEED)])
    monkeypatch.setattr(sys, "stdout", sys.__stdout__)
    assert code == 1 and out.getvalue().startswith("::")


def test_junit_parses_with_one_testcase_per_file(cli):
    r = cli("check", "-o", "junit", CORPUS)
    root = ET.fromstring(r.out)
    cases = root.findall(".//testcase")
    assert len(cases) == N_CORPUS
    assert len({c.get("name") for c in cases}) == N_CORPUS
    suite = root.find("testsuite")
    assert int(suite.get("tests")) == N_CORPUS
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failed) >= 1
    seed = [c for c in cases if c.get("name").endswith("001_68b1fad5fb482fc8.txt")][0]
    assert "A301" in seed.find("failure").text


def test_statistics_counts_per_rule(cli):
    r = cli("check", "--statistics", SEED)
    rows = [line.split() for line in r.out.splitlines() if re.match(r"^\s*\d+\s+[A-Z]\d{3}\s", line)]
    counts = {row[1]: int(row[0]) for row in rows}
    assert counts["A301"] == 1 and counts["F502"] == 1        # the blank cells of 表三: one finding
    assert r.out.strip().endswith("（检查了1个文件）。")
    r = cli("check", "--statistics", "--show-all", SEED)
    rows = [line.split() for line in r.out.splitlines() if re.match(r"^\s*\d+\s+[A-Z]\d{3}\s", line)]
    assert {row[1]: int(row[0]) for row in rows}["F502"] == 145   # cell by cell


def test_quiet_prints_only_findings(cli):
    r = cli("check", "-q", "-o", "concise", SEED)
    assert r.out and all(re.match(r"^.+:\d+:\d+: [A-Z]\d{3} \[", line) for line in r.out.splitlines())
