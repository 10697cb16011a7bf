"""``--lang en`` (or XXGK_LINT_LANG=en, or ``lang = "en"`` in the configuration) gives every
message in English, also those that are not findings: usage errors, rule-file and
configuration errors (file:line, key, what is allowed), unreadable inputs.  Only quoted user
text (a value from the file, a label of the official form) may stay Chinese.  Chinese stays
the default, unchanged."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

HOSTILE_RULES = Path(__file__).parents[1] / "robustness" / "data" / "hostile_rules"
CORPUS_PDF = Path(__file__).parents[1] / "corpus" / "pdf" / "hongzequ_2024.pdf"
REPORT = HOSTILE_RULES / "report.txt"

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|「[^」\n]*」')


def english(text: str) -> bool:
    """No Chinese outside quotes (quoted values and labels are the user's own words)."""
    return not CJK.search(QUOTED.sub("", text))


def rule_dirs_refused():
    """The hostile rule directories that end in a one-line error (the others check the report)."""
    return sorted(p.name for p in HOSTILE_RULES.iterdir() if p.is_dir()
                  and not p.name.startswith(("rules_fallback", "rules_re2_catastrophic", "rules_regex_too_big",
                                             "rules_huge_rule_file")))


@pytest.mark.parametrize("case", rule_dirs_refused())
def test_rule_file_errors_are_english_with_lang_en(cli, case):
    r = cli("--lang", "en", "check", "--rules-dir", HOSTILE_RULES / case, REPORT)
    assert r.code == 2
    line = r.err.strip()
    assert line.startswith("xxgk-lint: error: ") and "\n" not in line
    assert english(line), line


def test_rule_file_error_stays_chinese_by_default(cli):
    r = cli("check", "--rules-dir", HOSTILE_RULES / "rules_max_not_a_number", REPORT)
    assert r.code == 2
    assert r.err.strip().endswith("evil.yaml:9: Z901: max 应为整数（1到10000），而不是文本“abc”")
    en = cli("--lang", "en", "check", "--rules-dir", HOSTILE_RULES / "rules_max_not_a_number", REPORT)
    assert en.err.strip().endswith('evil.yaml:9: Z901: max should be a whole number 1–10000, not the text "abc"')


def test_missing_rule_directory_in_english(cli, tmp_path):
    r = cli("--lang", "en", "check", "--rules-dir", tmp_path / "nosuch", REPORT)
    assert r.code == 2 and r.err.strip().endswith("nosuch: no such rule directory"), r.err
    assert "规则目录不存在" in cli("check", "--rules-dir", tmp_path / "nosuch", REPORT).err


@pytest.mark.parametrize("config, expect", [
    ("select = 5\n", 'pyproject.toml:2: setting "select" should be a list of texts'),
    ("foo = 1\n", 'pyproject.toml:2: unknown setting "foo"; available: select'),
    ('select = ["Q999"]\n', 'pyproject.toml:2: setting "select": unknown rule or category "Q999"'),
    ("fail-on = 3\n", 'pyproject.toml:2: setting "fail-on" can only be error, warning, info, not 3'),
    ("select = [\n", "pyproject.toml: TOML syntax error"),
])
def test_configuration_errors_in_english(cli, tmp_path, config, expect):
    (tmp_path / "pyproject.toml").write_text("[tool.xxgk-lint]\n" + config, encoding="utf-8")
    (tmp_path / "r.txt").write_bytes(REPORT.read_bytes())
    r = cli("--lang", "en", "check", "r.txt", cwd=tmp_path)
    assert r.code == 2
    assert expect in r.err and english(r.err), r.err


def test_lang_from_the_configuration_and_from_the_environment(cli, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.xxgk-lint]\nlang = "en"\nselect = ["Q999"]\n', encoding="utf-8")
    (tmp_path / "r.txt").write_bytes(REPORT.read_bytes())
    r = cli("check", "r.txt", cwd=tmp_path)        # the configuration's lang: its own errors in English too
    assert r.code == 2 and 'unknown rule or category "Q999"' in r.err, r.err
    (tmp_path / "pyproject.toml").write_text('[tool.xxgk-lint]\nlang = "en"\n', encoding="utf-8")
    r = cli("check", "-o", "concise", "r.txt", "nosuch.txt", cwd=tmp_path)
    assert "nosuch.txt: error: cannot be read (no such file or directory)" in r.out
    assert r.out.strip().splitlines()[-1].startswith("2 errors,"), r.out
    monkeypatch.setenv("XXGK_LINT_LANG", "en")
    r = cli("check", "--isolated", "--rules-dir", tmp_path / "nosuch", "r.txt", cwd=tmp_path)
    assert r.err.strip().endswith("no such rule directory"), r.err
    r = cli("check", "--isolated", "--lang", "zh", "--rules-dir", tmp_path / "nosuch", "r.txt", cwd=tmp_path)
    assert "规则目录不存在" in r.err                 # --lang wins over the environment


def _broken_inputs(tmp_path: Path) -> list[Path]:
    pdf = tmp_path / "cut.pdf"                      # a real report's PDF cut after its header
    pdf.write_bytes(CORPUS_PDF.read_bytes()[:64])
    docx = tmp_path / "empty.docx"                  # a zip archive without word/document.xml
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("hello.txt", "not a document")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    return [pdf, docx, binary, tmp_path / "nosuch.txt"]


@pytest.mark.parametrize("fmt", ["concise", "json", "github"])
def test_unreadable_inputs_in_english(cli, tmp_path, fmt):
    paths = _broken_inputs(tmp_path)
    r = cli("--lang", "en", "check", "-o", fmt, *paths)
    assert r.code == 2
    text = (r.out + r.err).replace(str(tmp_path), "")
    assert english(text), text
    for word in ("cannot be read", "not a valid PDF file", "not a Word document", "not a text file"):
        assert word in text, (word, text)
    zh = cli("check", "-o", fmt, *paths)
    assert "无法读取" in zh.out + zh.err


@pytest.mark.parametrize("args, expect", [
    (["check", "--bogus", "x.txt"], "unrecognized arguments: --bogus"),
    (["check", "--fail-on", "fatal", "x.txt"], "invalid choice: 'fatal'"),
    (["check", "--max-bytes", "5QQ", "x.txt"], 'size "5QQ" not understood'),
    (["check", "--similarity-threshold", "7x", "x.txt"], '"7x" is not a number'),
    (["check"], "name the files or directories to check"),
    (["check", "-o", "nosuch", str(REPORT)], 'unknown output format "nosuch"'),
    (["rule", "Q123"], 'no rule "Q123"'),
    (["audit", "--timeout", "5x", "--out", "a.sqlite", "x.txt"], 'time "5x" not understood'),
    (["audit", "--max-bytes", "5QQ", "--out", "a.sqlite", "x.txt"], 'size "5QQ" not understood'),
    (["audit", "x.txt"], "the following arguments are required: --out"),
])
def test_usage_errors_in_english(cli, args, expect):
    r = cli("--lang", "en", *args)
    assert r.code == 2
    assert expect in r.err and english(r.err) and r.err.count("\n") == 1, r.err


def test_check_help_in_english(cli):
    r = cli("check", "--lang", "en", "--help")
    assert r.code == 0 and "options:" in r.out and english(r.out), r.out
    assert "选项" in cli("check", "--help").out


def test_the_other_commands_in_english(cli, tmp_path, monkeypatch):
    pdf = tmp_path / "cut.pdf"
    pdf.write_bytes(CORPUS_PDF.read_bytes()[:64])
    r = cli("--lang", "en", "compare", tmp_path / "nosuch.txt", REPORT)
    assert r.code == 2 and r.err.strip().endswith("nosuch.txt: cannot be read (no such file)"), r.err
    r = cli("--lang", "en", "extract", pdf)
    assert r.code == 2 and "not a valid PDF file" in r.err and english(r.err.replace(str(tmp_path), "")), r.err
    r = cli("--lang", "en", "config", "--isolated")
    assert r.out.startswith("configuration file: none") and english(r.out), r.out
    monkeypatch.setenv("XXGK_LINT_LANG", "en")
    r = cli("kinds")
    assert r.out.startswith("xxgk-lint rule kinds:"), r.out[:200]
    r = cli("check", "--isolated", "-v", "-o", "concise", CORPUS_PDF)
    assert "report year 2024 → the 2021 format" in r.err, r.err[-500:]
    assert "报告年度2024年 → 2021年格式" in cli("check", "--isolated", "--lang", "zh", "-v", "-o", "concise", CORPUS_PDF).err


# --------------------------------------------------------------------------------------
# xxgk-lint audit (issue 15): its terminal messages, the reasons it records and its summary
# files, in English with --lang en; the database keeps its status values (the Chinese words)

CORPUS = Path(__file__).parents[1] / "corpus"
AUDIT_COLUMNS_EN = ["unit", "unit kind", "year", "status", "errors", "warnings", "infos", "main errors", "reason",
                    "format", "template", "file"]
STATUS_WORDS = {"通过": "passed", "有错误": "with errors", "未填写": "unfilled", "非年报": "not a report",
                "无法读取": "unreadable"}


def _db_reports(db) -> list[dict]:
    import sqlite3
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM reports ORDER BY path")]
    finally:
        con.close()


def _without(text: str, words) -> str:
    """`text` without the report's own words (issuer names, also cut short with "…", and paths)."""
    for w in sorted({w for w in words if w}, key=len, reverse=True):
        text = text.replace(w, "")
        for k in range(len(w) - 1, 0, -1):
            text = text.replace(w[:k] + "…", "")
    return text


@pytest.fixture(scope="module")
def audit_en(tmp_path_factory):
    """`xxgk-lint --lang en audit CORPUS --out NEW/DIR/audit.sqlite --summary summary --jobs 1`
    once (the directories of --out do not exist yet): (directory, what it printed)."""
    import contextlib
    import io
    from validator.cli import main
    d = tmp_path_factory.mktemp("audit_en")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--lang", "en", "audit", str(CORPUS), "--out", str(d / "new" / "dir" / "audit.sqlite"),
                     "--summary", str(d / "summary"), "--jobs", "1"])
    assert code == 0, err.getvalue()
    return d, err.getvalue()


def test_audit_prints_its_closing_statistics_in_english_and_creates_the_directories_of_out(audit_en):
    d, err = audit_en
    db = d / "new" / "dir" / "audit.sqlite"
    assert db.is_file()                       # the missing parent directories were created
    reports = _db_reports(db)
    counts = {s: sum(r["status"] == s for r in reports) for s in STATUS_WORDS}
    lines = err.replace(str(d), "").splitlines()
    assert lines[0].startswith(f"Audit done: {len(reports)} checked this run, 0 skipped"), lines[0]
    parts = ", ".join(f"{STATUS_WORDS[s]} {n}" for s, n in counts.items() if n)
    assert f"the database holds {len(reports)} reports: {parts}." in lines[0], lines[0]
    assert [ln.strip() for ln in lines[1:]] == [f"wrote /summary/{n}" for n in ("units.csv", "units.xlsx", "summary.html")]
    assert english(err.replace(str(d), "")), err


def test_audit_database_keeps_its_status_values_and_records_reasons_and_findings_in_the_run_language(audit_en):
    import sqlite3
    d, _err = audit_en
    db = d / "new" / "dir" / "audit.sqlite"
    reports = _db_reports(db)
    assert len(reports) == 23 and {r["status"] for r in reports} <= set(STATUS_WORDS)   # stable values
    blank = next(r for r in reports if r["path"].endswith("template_2021_blank.docx"))
    assert blank["status"] == "未填写"
    assert blank["reason"] == "statistics tables not filled in: Table 2, Table 3, Table 4"
    from validator.lint import lint_path
    con = sqlite3.connect(db)
    for f in (CORPUS / "pdf" / "hongzequ_2023.pdf", CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt"):
        stored = [m for m, in con.execute("SELECT message FROM findings_v WHERE path=? ORDER BY seq", (str(f),))]
        assert stored and stored == [x.text("en") for x in lint_path(str(f)).findings], f
    con.close()


def test_audit_summary_table_in_english(audit_en):
    import csv
    d, _err = audit_en
    reports = _db_reports(d / "new" / "dir" / "audit.sqlite")
    issuers = {r["issuer"] for r in reports}
    with open(d / "summary" / "units.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == AUDIT_COLUMNS_EN and len(table) == 1 + len(reports)
    by_file = {row[-1]: row for row in table[1:]}
    for r in reports:
        row = by_file[r["path"]]
        assert row[3] == STATUS_WORDS[r["status"]]
        assert row[1] in ("people's government", "department", "not determined")
        assert row[0] == (r["issuer"] or f"(issuer not read) {Path(r['path']).name}")
        assert english(" | ".join(row[1:-1])), row     # all but the unit's name and the file's path
    hz = by_file[str(CORPUS / "pdf" / "hongzequ_2023.pdf")]
    assert hz[3] == "with errors" and "A401" in hz[7] and hz[0] == "洪泽区人民政府"
    from openpyxl import load_workbook
    wb = load_workbook(d / "summary" / "units.xlsx", read_only=True)
    assert wb.sheetnames == ["Units", "Errors by rule"]
    sheet = [["" if v is None else str(v) for v in row] for row in wb["Units"].iter_rows(values_only=True)]
    assert sheet == table
    rules = list(wb["Errors by rule"].iter_rows(values_only=True))
    assert rules[0] == ("rule", "name", "errors", "reports") and any(r[0] == "A401" for r in rules[1:])
    assert all(english(str(v)) for r in rules for v in r)
    assert issuers   # (the names stay as read)


def test_audit_summary_page_in_english(audit_en):
    d, _err = audit_en
    reports = _db_reports(d / "new" / "dir" / "audit.sqlite")
    page = (d / "summary" / "summary.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "<title>Audit summary: government information disclosure annual reports</title>" in page
    for h in ("Reports by status", "Errors by rule (top 15)", "Errors by unit kind", "Errors by year",
              "Units with the most errors (top 10)", f"Units ({len(reports)} reports)"):
        assert f"<h2>{h}</h2>" in page, h
    assert page.count('<svg class="chart"') == 5
    own = [r["issuer"] for r in reports] + [r["path"] for r in reports] + [Path(r["path"]).name for r in reports]
    rest = _without(page, own)
    assert english(rest), CJK.findall(rest)[:20]


def test_an_english_run_resumes_a_database_written_in_chinese(cli, tmp_path):
    """Statuses are stored as the same words whatever the language: a database written by a
    Chinese run (or before --lang applied to audit) is resumed by an English one, and the
    reverse, and each summary speaks its run's language."""
    import csv
    seeds = CORPUS / "seeds"
    r = cli("audit", seeds, "--out", "a.sqlite", "--jobs", "1", cwd=tmp_path)
    assert r.code == 0 and r.err.startswith("审计完成：本次检查 5 份"), r.err
    before = _db_reports(tmp_path / "a.sqlite")
    r = cli("--lang", "en", "audit", seeds, "--out", "a.sqlite", "--summary", "s", "--jobs", "1", cwd=tmp_path)
    assert r.code == 0 and r.err.startswith("Audit done: 0 checked this run, 5 skipped"), r.err
    assert [{k: v for k, v in x.items() if k != "run_id"} for x in _db_reports(tmp_path / "a.sqlite")] == \
           [{k: v for k, v in x.items() if k != "run_id"} for x in before]
    with open(tmp_path / "s" / "units.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(x["status"] for x in rows) == sorted(STATUS_WORDS[x["status"]] for x in before)
    r = cli("audit", "--out", "a.sqlite", "--summary", "s", "-q", cwd=tmp_path)      # back to Chinese
    assert r.code == 0
    with open(tmp_path / "s" / "units.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(x["状态"] for x in rows) == sorted(x["status"] for x in before)


def test_audit_language_from_the_environment_and_the_configuration(cli, tmp_path, monkeypatch):
    seeds = CORPUS / "seeds"
    assert cli("audit", seeds / "001_68b1fad5fb482fc8.txt", "--out", "a.sqlite", "-q", "--jobs", "1",
               cwd=tmp_path).code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.xxgk-lint]\nlang = "en"\n', encoding="utf-8")
    r = cli("audit", "--out", "a.sqlite", "--summary", "s", cwd=tmp_path)    # only the summary: lang read here
    assert r.code == 0 and r.err.startswith("Audit done: 0 checked"), r.err
    assert (tmp_path / "s" / "units.csv").read_text(encoding="utf-8-sig").startswith("unit,unit kind,")
    (tmp_path / "pyproject.toml").unlink()
    monkeypatch.setenv("XXGK_LINT_LANG", "en")
    r = cli("audit", "--out", "none.sqlite", "--summary", "s", cwd=tmp_path)
    assert r.code == 2 and r.err == "xxgk-lint: error: none.sqlite: no such audit database" \
                                    " (writing only the summary needs an existing one)\n", r.err


def test_audit_out_parquet_in_a_missing_directory_is_created(cli, tmp_path):
    pytest.importorskip("pyarrow")
    r = cli("--lang", "en", "audit", CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt", "--out", "x/y/a.parquet",
            "--jobs", "1", cwd=tmp_path)
    assert r.code == 0 and (tmp_path / "x" / "y" / "a.parquet" / "reports.parquet").is_file()
    assert "  wrote x/y/a.parquet/reports.parquet" in r.err and english(r.err), r.err


@pytest.mark.parametrize("case, expect", [
    ("no-paths", "name the files or directories to audit, e.g. xxgk-lint audit reports/ --out audit.sqlite"),
    ("summary-without-database", "none.sqlite: no such audit database"),
    ("cluster-and-jobs", "--cluster and --jobs cannot be used together"),
    ("not-a-database", "bad.sqlite: not a usable audit database"),
    ("out-under-a-file", "afile/sub/a.sqlite: cannot create the directory"),
    ("out-is-a-directory", "is a directory, not an audit database file"),
    ("summary-is-a-file", "afile: exists and is not a directory"),
    ("no-such-input", "nosuch.txt: cannot be read (no such file)"),
])
def test_audit_errors_are_one_line_in_the_users_language(cli, tmp_path, case, expect):
    seeds = CORPUS / "seeds"
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "bad.sqlite").write_bytes(b"not a database at all" * 100)
    args = {
        "no-paths": ["--out", "a.sqlite"],
        "summary-without-database": ["--out", "none.sqlite", "--summary", "s"],
        "cluster-and-jobs": [seeds, "--out", "a.sqlite", "--jobs", "2", "--cluster", "tcp://127.0.0.1:1"],
        "not-a-database": [seeds, "--out", "bad.sqlite"],
        "out-under-a-file": [seeds, "--out", "afile/sub/a.sqlite"],
        "out-is-a-directory": [seeds, "--out", "."],
        "summary-is-a-file": [seeds, "--out", "a.sqlite", "--summary", "afile"],
        "no-such-input": ["nosuch.txt", "--out", "a.sqlite"],
    }[case]
    r = cli("--lang", "en", "audit", *args, cwd=tmp_path)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("xxgk-lint: error: ") and r.err.endswith("\n") and r.err.count("\n") == 1, r.err
    assert expect in r.err and english(r.err.replace(str(tmp_path), "")), r.err
    zh = cli("audit", *args, cwd=tmp_path)
    assert zh.code == 2 and zh.err.startswith("xxgk-lint: 错误: ") and zh.err.endswith("\n"), zh.err
    assert zh.err.count("\n") == 1 and CJK.search(zh.err.split(": ", 2)[2]), zh.err
    assert not (tmp_path / "a.sqlite").exists()      # refused before anything was written


def test_audit_progress_bar_in_english():
    import io
    from rich.console import Console
    from validator.audit.command import _Progress
    p = _Progress(3, True, "en")
    try:
        p.advance([{"path": "/somewhere/report.txt"}])
        con = Console(file=io.StringIO(), width=200)
        con.print(p.bar.get_renderable())
    finally:
        p.close()
    text = con.file.getvalue()
    assert "auditing" in text and "1/3" in text and "reports/s" in text and "report.txt" in text, text
    assert english(text), text


def test_audit_on_a_localcluster_records_the_reasons_in_english(cli, tmp_path):
    """`--jobs 2` (a Dask LocalCluster): a file over its time limit in a worker thread, a damaged
    PDF and a good report; their reasons in English; a worker's death too (engine._failed)."""
    from tests.pdfbytes import slow_pdf
    src = tmp_path / "in"
    src.mkdir()
    (src / "slow.pdf").write_bytes(slow_pdf())
    (src / "cut.pdf").write_bytes(CORPUS_PDF.read_bytes()[:64])
    (src / "good.txt").write_bytes((CORPUS / "reports" / "011_huaian_2024.txt").read_bytes())
    r = cli("--lang", "en", "audit", src, "--out", "a.sqlite", "--jobs", "2", "--timeout", "2", "--summary", "s",
            cwd=tmp_path)
    assert r.code == 0 and english(r.err.replace(str(tmp_path), "")), r.err
    import sqlite3
    con = sqlite3.connect(tmp_path / "a.sqlite")
    assert con.execute("SELECT engine, workers FROM runs").fetchone() == ("dask:local", 2)
    got = {Path(p).name: (s, why) for p, s, why in con.execute("SELECT path, status, reason FROM reports")}
    con.close()
    assert got["good.txt"] == ("通过", None)
    assert got["slow.pdf"][0] == "无法读取" and "took longer than 2 s" in got["slow.pdf"][1], got
    assert got["cut.pdf"][0] == "无法读取" and "not a valid PDF file" in got["cut.pdf"][1], got
    assert all(english(why.replace(str(src), "")) for _s, why in got.values() if why), got
    units = (tmp_path / "s" / "units.csv").read_text(encoding="utf-8-sig")
    assert "took longer than 2 s" in units and ",unreadable," in units

    from distributed.scheduler import KilledWorker
    from validator.audit.engine import _failed
    from validator.lint import Options
    lost = _failed((str(src / "good.txt"), None, Options(lang="en")), KilledWorker("k", "w", 1))
    assert lost["status"] == "无法读取" and lost["reason"].startswith("the checking process exited"), lost
    assert english(lost["reason"])
    raised = _failed((str(src / "good.txt"), None, Options(lang="en")), ValueError("boom"))
    assert raised["reason"] == "checking this file failed (ValueError: boom); it was not checked"
    assert _failed((str(src / "good.txt"), None, Options()), ValueError("boom"))["reason"].startswith("检查此文件时出错")


def test_an_interrupted_audit_says_so_in_english(cli, tmp_path, monkeypatch):
    from validator.audit import engine

    def interrupted(tasks, sink, stop=None):
        sink([engine.check_one(*tasks[0])])
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "run_inprocess", interrupted)
    r = cli("--lang", "en", "audit", CORPUS / "seeds", "--out", "a.sqlite", "--jobs", "1", cwd=tmp_path)
    assert r.code == 130
    assert r.err.startswith("Audit interrupted: 1 checked this run, 0 skipped") and english(r.err), r.err
    r = cli("audit", CORPUS / "seeds", "--out", "a.sqlite", "--jobs", "1", cwd=tmp_path)
    assert r.code == 130 and r.err.startswith("审计已中断：本次检查 1 份，跳过 1 份"), r.err
