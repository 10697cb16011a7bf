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
