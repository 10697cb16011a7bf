"""Configuration files: discovery (closest wins), options, errors, `xxgk-lint config`."""

from __future__ import annotations

import json
import shutil

from .conftest import SEED


def _project(tmp_path, config_name=None, config_text=None, sub=""):
    d = tmp_path / "site"
    (d / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, d / sub / "report.txt")
    if config_name:
        (d / config_name).write_text(config_text, encoding="utf-8")
    return d


def _rules(out: str) -> set[str]:
    return {line.split(": ")[1].split()[0] for line in out.splitlines() if ": " in line and "[" in line}


def test_no_config_reports_a301(cli, tmp_path):
    d = _project(tmp_path)
    r = cli("check", "-o", "concise", d / "report.txt")
    assert r.code == 1 and "A301" in _rules(r.out)


def test_config_that_ignores_a_rule_silences_it(cli, tmp_path):
    for name, text in ((".xxgk-lint.toml", 'ignore = ["A301"]\n'),
                       (".xxgk-lint.yaml", "ignore: [table3-balance]\n"),
                       ("pyproject.toml", '[project]\nname = "site"\n\n[tool.xxgk-lint]\nignore = ["A301"]\n')):
        d = _project(tmp_path / name.strip("."), name, text)
        r = cli("check", "-o", "concise", d / "report.txt")
        rules = _rules(r.out)
        assert "A301" not in rules and "A303" in rules, (name, rules)


def test_closest_config_wins_without_merging(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml", 'ignore = ["A303"]\nfail-on = "info"\n', sub="2023")
    (d / "2023" / ".xxgk-lint.yaml").write_text("ignore: [A301]\n", encoding="utf-8")
    r = cli("check", "-o", "concise", d / "2023" / "report.txt")
    rules = _rules(r.out)
    assert "A301" not in rules and "A303" in rules      # the outer ignore is not merged in
    r = cli("config", d / "2023" / "report.txt")
    assert "2023/.xxgk-lint.yaml:1" in r.out and "fail-on" in r.out


def test_isolated_and_explicit_config(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml", 'ignore = ["A301"]\n')
    assert "A301" in _rules(cli("check", "-o", "concise", "--isolated", d / "report.txt").out)
    other = tmp_path / "other.toml"
    other.write_text('select = ["A303"]\n', encoding="utf-8")
    assert _rules(cli("check", "-o", "concise", "--config", other, d / "report.txt").out) == {"A303"}


def test_select_extend_select_severity_and_fail_on(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml",
                 'select = ["arithmetic"]\nextend-select = ["F502"]\n'
                 '[severity]\nA301 = "info"\ntable3-outcome-sum = "warning"\n')
    r = cli("check", "-o", "json", d / "report.txt")
    doc = json.loads(r.out)
    sev = {f["rule"]: f["severity"] for f in doc["findings"]}
    assert sev["A301"] == "info" and sev["A303"] == "warning" and "F502" in sev
    assert {f["category"] for f in doc["findings"]} <= {"arithmetic", "format"}
    assert r.code == 0                   # no error left
    (d / ".xxgk-lint.toml").write_text('select = ["A301"]\nfail-on = "info"\n[severity]\nA301 = "info"\n')
    assert cli("check", "-o", "concise", d / "report.txt").code == 1


def test_per_file_ignores_for_files_that_cannot_carry_comments(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml", '[per-file-ignores]\n"*.txt" = ["A301", "F502"]\n')
    rules = _rules(cli("check", "-o", "concise", d / "report.txt").out)
    assert "A301" not in rules and "F502" not in rules and "A303" in rules


def test_command_line_overrides_config(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml", 'select = ["A303"]\nlang = "en"\n')
    r = cli("check", "-o", "concise", "--select", "A301", "--lang", "zh", d / "report.txt")
    assert _rules(r.out) == {"A301"} and "不平衡" in r.out
    r = cli("config", "--output-format", "json", d)
    doc = json.loads(r.out)
    assert doc["settings"]["select"]["value"] == ["A303"]
    assert doc["settings"]["select"]["source"].endswith(".xxgk-lint.toml:1")
    assert doc["settings"]["ignore"]["source"] == "默认"


def test_unknown_key_is_exit_2_naming_file_and_key(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml", 'lang = "zh"\nignroe = ["A301"]\n')
    r = cli("check", d / "report.txt")
    assert r.code == 2 and ".xxgk-lint.toml:2" in r.err and "ignroe" in r.err and len(r.err.splitlines()) == 1


def test_bad_values_are_exit_2(cli, tmp_path):
    cases = [(".xxgk-lint.toml", 'fail-on = "fatal"\n', "fail-on"),
             (".xxgk-lint.yaml", "template: 2018\n", "template"),
             (".xxgk-lint.yaml", "severity:\n  A301: loud\n", "severity"),
             (".xxgk-lint.toml", 'ignore = ["Q999"]\n', "Q999"),
             (".xxgk-lint.toml", 'rules-dirs = ["no-such-dir"]\n', "rules-dirs"),
             (".xxgk-lint.toml", "ignore = [\n", "TOML")]
    for i, (name, text, key) in enumerate(cases):
        d = _project(tmp_path / str(i), name, text)
        r = cli("check", d / "report.txt")
        assert r.code == 2, (text, r.err)
        assert name in r.err and key in r.err, (text, r.err)


def test_extra_rule_directory_relative_to_the_config_file(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml", 'rules-dirs = ["province-rules"]\nselect = ["Z301"]\n')
    (d / "province-rules").mkdir()
    (d / "province-rules" / "extra.yaml").write_text(
        "rules:\n"
        "  - id: Z301\n"
        "    name: province-table3-balance\n"
        "    kind: equation\n"
        "    category: arithmetic\n"
        "    severity: warning\n"
        "    table: 表三\n"
        "    for_each: column\n"
        "    assert: 本年新收 + 上年结转 == 办理结果总计 + 结转下年度\n"
        '    message: "本省规则：表三「{column}」列不平衡"\n'
        "    message_en: province rule\n"
        "    explanation: 本省的示例规则。\n", encoding="utf-8")
    r = cli("check", "-o", "concise", "--jobs", "1", d / "report.txt")
    assert r.code == 0, r.err               # a warning-level rule of the province only
    assert _rules(r.out) == {"Z301"} and "本省规则" in r.out


def test_exclude_applies_to_directories_and_with_force_exclude_to_named_files(cli, tmp_path):
    d = _project(tmp_path, ".xxgk-lint.toml", 'exclude = ["drafts/"]\n')
    (d / "drafts").mkdir()
    shutil.copy(SEED, d / "drafts" / "draft.txt")
    r = cli("check", "--show-files", d)
    assert "report.txt" in r.out and "draft.txt" not in r.out
    assert "draft.txt" in cli("check", "--show-files", d / "drafts" / "draft.txt").out
    assert cli("check", "--show-files", "--force-exclude", d / "drafts" / "draft.txt").out == ""
