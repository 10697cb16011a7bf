"""The command line: exit codes, JSON schema, rich output, rule explanations."""

from __future__ import annotations

import json
import subprocess
import sys


SEED = "seeds/001_68b1fad5fb482fc8.txt"


def run(*args, input=None):
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True, input=input)


def test_exit_1_when_errors_0_when_only_below_fail_on(corpus):
    assert run("check", "-q", "-o", "concise", str(corpus / SEED)).returncode == 1
    # reports/011 has no finding at error level
    assert run("check", "-o", "concise", str(corpus / "reports/011_huaian_2024.txt"), "--select", "arithmetic").returncode == 0


def test_fail_on_warning_and_exit_zero(corpus):
    p = str(corpus / "reports/003_pingtan_2021.txt")  # only a parse warning (P002)
    assert run("check", "--select", "P002", p).returncode == 0
    assert run("check", "--select", "P002", "--fail-on", "warning", p).returncode == 1
    assert run("check", "--select", "P002", "--fail-on", "warning", "--exit-zero", p).returncode == 0


def test_unreadable_input_is_one_line_and_exit_2(tmp_path):
    r = run("check", str(tmp_path / "no-such-file.txt"))
    said = [ln for ln in (r.stdout + r.stderr).splitlines() if "no-such-file.txt" in ln]
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(said) == 1 and said[0].count("no-such-file") == 1


def test_unknown_rule_in_select_is_a_usage_error(corpus):
    r = run("check", "--select", "Q999", str(corpus / SEED))
    assert r.returncode == 2 and "Q999" in r.stderr


def test_json_output_has_the_documented_stable_schema(corpus):
    r = run("check", "-o", "json", str(corpus / SEED))
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["tool"] == "xxgk-lint"
    f = [x for x in doc["findings"] if x["rule"] == "A301"][0]
    for key in ("path", "line", "column", "end_line", "end_column", "rule", "category", "severity", "message"):
        assert key in f
    assert f["context"] == {"section": "三、收到和处理政府信息公开申请情况", "table": "表三", "column": "自然人"}
    assert f["numbers"]["lhs"] == 40 and f["numbers"]["rhs"] == 38 and f["numbers"]["diff"] == 2
    assert doc["files"][0]["template"] == "2019" and doc["files"][0]["year"] == 2019
    assert doc["summary"]["error"] == sum(1 for x in doc["findings"] if x["severity"] == "error")


def test_rich_output_shows_the_source_line_suggestion_and_basis(corpus):
    r = run("check", "-o", "rich", "--select", "A301", str(corpus / SEED))
    assert "81:1" in r.stdout and "38 |" in r.stdout
    assert "建议" in r.stdout and "结转下年度应为2" in r.stdout
    assert "国办公开办函" in r.stdout and "1 个错误，0 个警告，0 个提示（检查了1个文件）" in r.stdout


def test_english_messages(corpus):
    r = run("check", "-o", "concise", "--lang", "en", "--select", "A301", str(corpus / SEED))
    assert "Table 3, column “自然人” does not balance: “本年新收” 38 + “上年结转” 2 = 40" in r.stdout


def test_template_override(corpus):
    r = run("check", "-o", "json", "--template", "2021", str(corpus / SEED))
    assert json.loads(r.stdout)["files"][0]["template"] == "2021"


def test_rule_explains_one_rule_and_rules_lists_all():
    r = run("rule", "A301")
    assert r.returncode == 0 and "勾稽关系" in r.stdout and "示例1（应报告）" in r.stdout
    assert run("rule", "table3-balance").stdout == r.stdout
    listing = run("rules", "--output-format", "json")
    ids = [x["id"] for x in json.loads(listing.stdout)]
    assert "A301" in ids and "S101" in ids
    assert run("rule", "NOPE").returncode == 2


def test_stdin(corpus):
    data = (corpus / SEED).read_text(encoding="utf-8")
    r = run("check", "-o", "concise", "--select", "A301", "-", input=data)
    assert "<stdin>:81:1: A301" in r.stdout


def test_rich_output_for_a_pdf_shows_the_extracted_row_on_its_page(corpus):
    for jobs in ("1", "2"):
        r = run("check", "-o", "rich", "--jobs", jobs, "--select", "A401",
                str(corpus / "pdf/hongzequ_2023.pdf"), str(corpus / SEED))
        assert "第4页 │ | 10 | 1 | 0 | 0 | 0 |" in r.stdout, r.stdout
