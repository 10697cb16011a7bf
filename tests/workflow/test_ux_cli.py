"""Issue 13 on the command line, run as a user runs it (a real process: exit codes, stderr,
pipes, environment): quiet output with errors first and a per-severity summary, blank cells
once per table, missing paths reported while the rest is checked, one-line Chinese usage
errors, English with --lang en, no traceback on a closed pipe, empty selections, colour,
the ^^^ marker, complete help."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, ROOT, SEED

CJK = re.compile(r"[\u3400-\u9fff\u3001\u3002\uff08\uff09\uff0c\uff1a\uff1b]")
PAIRS = {"“": "”", "「": "」", "‘": "’"}


def unquoted(s: str) -> str:
    """s without what stands inside quotes (the report's words, the form's labels)."""
    out, stack = [], []
    for ch in s:
        if ch in PAIRS:
            stack.append(PAIRS[ch])
            continue
        if stack and ch == stack[-1]:
            stack.pop()
            continue
        if not stack:
            out.append(ch)
    return "".join(out)


def run(*args, env=None, cwd=ROOT, input=None):
    e = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR", "NO_COLOR")}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "validator", *map(str, args)], cwd=cwd, env=e,
                          capture_output=True, text=True, input=input)


FINDING = re.compile(r"^.+:\d+:\d+: ([A-Z]\d{3}) \[(error|warning|info)\] ")


# --------------------------------------------------------------------------- quiet, errors first
def test_seed001_errors_first_one_blank_cell_finding_per_table_and_a_severity_summary():
    r = run("check", "-o", "concise", SEED)
    lines = r.stdout.splitlines()
    found = [FINDING.match(ln).groups() for ln in lines[:-1]]
    sev = [s for _rule, s in found]
    assert sev == sorted(sev, key=["error", "warning", "info"].index), "errors must come first"
    assert [rule for rule, s in found if s == "error"] == ["A301", "A303"]
    assert [rule for rule, _s in found].count("F502") == 1       # 表三's 145 blank cells: one finding
    assert len(found) <= 8                                       # was 27, 22 of them F502
    assert lines[-1] == f"2 个错误，{sev.count('warning')} 个警告，{sev.count('info')} 个提示（检查了1个文件）。"
    assert r.returncode == 1


def test_rich_and_github_outputs_carry_the_same_summary_and_order():
    rich = run("check", "-o", "rich", SEED).stdout
    gh = run("check", "-o", "github", SEED).stdout
    summary = run("check", "-o", "concise", SEED).stdout.splitlines()[-1]
    assert summary.startswith("2 个错误，")
    assert rich.rstrip().splitlines()[-1] == summary and gh.rstrip().splitlines()[-1] == summary
    # rich: a heading per severity, errors before warnings
    assert rich.index("  错误（2）") < rich.index("  警告（") < rich.index("F502")
    gh_levels = [ln.split(" ", 1)[0] for ln in gh.splitlines()[:-1]]
    assert gh_levels[:2] == ["::error", "::error"] and "::error" not in gh_levels[2:]


def test_blank_cells_every_cell_in_json_and_cell_by_cell_with_show_all():
    doc = json.loads(run("check", "-o", "json", SEED).stdout)
    f502 = [f for f in doc["findings"] if f["rule"] == "F502"]
    assert len(f502) == 1 and f502[0]["numbers"]["count"] == 145 == len(f502[0]["cells"])
    assert "145个空白单元格" in f502[0]["message"] and "「总计」列22格" in f502[0]["message"]
    cell = f502[0]["cells"][0]
    assert cell["context"]["table"] == "表三" and cell["context"]["row"] and cell["context"]["column"]
    assert {"line", "column", "end_line", "end_column"} <= set(cell)
    assert doc["summary"]["warning"] == sum(1 for f in doc["findings"] if f["severity"] == "warning")
    every = json.loads(run("check", "-o", "json", "--show-all", SEED).stdout)
    cells = [f for f in every["findings"] if f["rule"] == "F502"]
    assert len(cells) == 145 and all("是空白" in f["message"] for f in cells)
    assert {(c["line"], c["column"]) for c in f502[0]["cells"]} == {(f["line"], f["column"]) for f in cells}


# --------------------------------------------------------------------------- paths
def test_a_missing_path_is_named_and_the_rest_is_checked_exit_2(tmp_path):
    real = tmp_path / "real.txt"
    real.write_bytes(SEED.read_bytes())
    r = run("check", real, tmp_path / "nosuch.txt", cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 2 and "Traceback" not in out
    assert f"{real}:81:1: A301" in r.stdout                       # real.txt's findings
    named = [ln for ln in out.splitlines() if "nosuch.txt" in ln]
    assert len(named) == 1 and named[0].count("nosuch.txt") == 1 and "不存在" in named[0]


def test_an_unreadable_file_is_named_once_and_not_counted_as_checked(tmp_path):
    junk = tmp_path / "scan.txt"
    junk.write_bytes(bytes(range(256)) * 40)
    r = run("check", "-o", "concise", junk, SEED)
    named = [ln for ln in r.stdout.splitlines() if "scan.txt" in ln]
    assert r.returncode == 2 and len(named) == 1 and named[0].count("scan.txt") == 1
    assert r.stdout.splitlines()[-1].endswith("（检查了1个文件，1个无法读取）。")


def test_an_empty_selection_says_so_and_exits_2_or_0_with_allow_empty(tmp_path):
    r = run("check", tmp_path)
    assert r.returncode == 2 and "没有找到要检查的报告文件" in r.stderr and r.stdout == ""
    r = run("check", "--allow-empty", tmp_path)
    assert r.returncode == 0 and "没有找到" in r.stderr


# --------------------------------------------------------------------------- usage errors, help
@pytest.mark.parametrize("args,word", [(["check", "--fail-on", "fatal", str(SEED)], "fatal"),
                                       (["check", "--bogus", str(SEED)], "--bogus"),
                                       (["chek", str(SEED)], "chek"),
                                       (["check", "--jobs", "many", str(SEED)], "many")])
def test_usage_errors_are_one_chinese_line_on_stderr_exit_2(args, word):
    r = run(*args)
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xxgk-lint: 错误: ") and word in lines[0], r.stderr
    assert "usage" not in r.stderr and "invalid choice" not in r.stderr


def test_help_is_chinese_complete_and_lists_every_output_format():
    from validator.reporters import names
    h = run("check", "--help").stdout
    assert h.startswith("用法：") and "\n选项：\n" in h and "\n参数：\n" in h
    assert "usage:" not in h and "options:" not in h and "show this help" not in h
    opts = h.split("\n选项：\n", 1)[1]
    o = opts[opts.index("--output-format"):opts.index("--template")]
    for fmt in names():
        assert fmt in o, fmt
    for opt in ("--show-all", "--baseline", "--write-baseline", "--allow-empty"):
        assert opt in h


def test_help_in_english_has_no_chinese_outside_quotes():
    from validator.cli import _parser
    sub = next(a for a in _parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for cmd in [[]] + [[name] for name in sub.choices]:
        r = run(*cmd, "--lang", "en", "--help")
        assert r.returncode == 0 and r.stdout.startswith("usage: ")
        bad = [ln for ln in r.stdout.splitlines() if CJK.search(unquoted(ln))]
        assert not bad, (cmd, bad)


def test_every_check_option_has_an_english_help_text():
    from validator.cli import _parser
    from validator.cliux import HELP_EN, _key
    parser = _parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        for a in p._actions:
            if a.__class__.__name__ in ("_HelpAction", "_VersionAction"):
                continue
            if name == "check" and "--output-format" in a.option_strings:
                continue   # generated from the list of formats
            assert (name, _key(a)) in HELP_EN, f"{name} {_key(a)}: no English help in validator/cliux.py HELP_EN"


# --------------------------------------------------------------------------- English
def test_rule_a301_in_english():
    r = run("rule", "A301", "--lang", "en")
    assert r.returncode == 0 and "In every column of Table 3" in r.stdout
    assert "category: arithmetic" in r.stdout and "Example 1 (reported):" in r.stdout
    text = r.stdout.split("Message (Chinese):")[0]          # the rule's own Chinese template is shown on purpose
    assert not [ln for ln in text.splitlines() if CJK.search(unquoted(re.sub(r"\([^()]*\)", "", ln)))
                and not ln.startswith("Basis")]


def test_english_output_is_english_apart_from_quoted_labels_and_report_text():
    r = run("check", "-o", "json", "--lang", "en", "--show-all", CORPUS)
    doc = json.loads(r.stdout)
    assert len(doc["findings"]) > 100
    for f in doc["findings"]:
        for k in ("message", "suggestion", "where"):
            v = f.get(k)
            assert not (v and CJK.search(unquoted(v))), (f["rule"], k, v)
    a301 = [f for f in doc["findings"] if f["rule"] == "A301" and f["path"].endswith("001_68b1fad5fb482fc8.txt")][0]
    assert "“本年新收” 38 + “上年结转” 2 = 40" in a301["message"]       # the breakdown, as in Chinese
    assert doc["summary"]["text"].endswith("files checked).")
    rich = run("check", "-o", "rich", "--lang", "en", SEED).stdout
    assert "(report year 2019, 2019 format)" in rich and "  errors (2)" in rich and "fix: " in rich
    assert rich.rstrip().splitlines()[-1].startswith("2 errors, ")
    pdf = run("check", "-o", "concise", "--lang", "en", "--select", "A401", CORPUS / "pdf" / "hongzequ_2023.pdf").stdout
    assert "(page 4, table 3, row 4, cell 5)" in pdf


# --------------------------------------------------------------------------- pipes, colour, marker
def test_a_closed_pipe_ends_quietly():
    p = subprocess.Popen([sys.executable, "-m", "validator", "check", "-o", "concise", "--show-all", str(CORPUS)],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()          # as `| head -1` does
    err = p.stderr.read().decode()
    code = p.wait(60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == 1


def test_force_color_and_no_color():
    plain = run("check", "-o", "rich", "--select", "A301", SEED).stdout
    forced = run("check", "-o", "rich", "--select", "A301", SEED, env={"FORCE_COLOR": "1"}).stdout
    both = run("check", "-o", "rich", "--select", "A301", SEED, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in plain and "\x1b[" in forced and "\x1b[" not in both


def _marker_under(out: str, line_no: int) -> tuple[str, str]:
    lines = out.splitlines()
    i = next(k for k, ln in enumerate(lines) if re.match(rf"^\s+{line_no} │ ", ln))
    return lines[i], lines[i + 1]


def test_piped_rich_output_marks_the_cell_with_carets():
    out = run("check", "-o", "rich", "--select", "A301", SEED).stdout
    src, mark = _marker_under(out, 81)
    assert src.endswith("│ 38 |") and mark.strip() == "│ ^^"
    assert mark.index("^") == src.index("38")
    # the line before names the row (the table is one cell per line)
    assert "一、本年新收政府信息公开申请数量" in out.splitlines()[out.splitlines().index(src) - 1]


def test_the_marker_lines_up_under_chinese_text_on_a_long_line():
    from rich.cells import cell_len
    out = run("check", "-o", "rich", "--select", "C409", CORPUS / "reports" / "015_pingtan_dishuiju_2013.txt").stdout
    src, mark = _marker_under(out, 1)
    body, carets = src.split("│ ", 1)[1], mark.split("│ ", 1)[1]
    start = len(carets) - len(carets.lstrip(" "))
    assert carets.strip() == "^" * cell_len("三是")      # two characters, two columns each
    # the carets start under the first character of 三是 (display columns: CJK are two wide)
    assert cell_len(body[:body.index("三是")]) == start


# --------------------------------------------------------------------------- rule texts
def test_every_rule_summary_is_a_full_sentence_also_in_sarif():
    from validator.rules import load_rules
    from validator.ruledoc import rule_summary
    rules = load_rules().rules
    for r in rules:
        zh, en = rule_summary(r), rule_summary(r, "en")
        assert zh.endswith(("。", "！", "？")), (r.id, zh)
        assert en.endswith((".", "!", "?")) and en[0].isupper(), (r.id, en)
    sarif = json.loads(run("check", "-o", "sarif", SEED).stdout)
    short = {d["id"]: d["shortDescription"]["text"] for d in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert short == {r.id: rule_summary(r) for r in rules}


def test_rule_docs_keep_brackets_that_look_like_markup():
    r = run("rule", "C404")
    assert "<!--[if !supportLists]-->" in r.stdout


def test_m106_message_reads_right():
    out = run("check", "-o", "concise", "--select", "M106", CORPUS / "seeds" / "004_242b91d3e9f2f879.txt").stdout
    # the date read from the page's “发布时间：” line is the publication date (the same words whatever
    # rendering carries it: page text, HTML metadata; issue 12)
    assert "发布日期是2020年8月13日，晚于2016年度报告的公布期限2017年3月31日（2019年以前的报告适用2008年《条例》第三十一条）" in out


def test_p002_tells_the_editor_what_to_do():
    doc = json.loads(run("check", "-o", "json", "--select", "P002", CORPUS / "reports" / "001_pingtan_2019.txt").stdout)
    assert doc["findings"] and all("表格" in f["suggestion"] and "核对" in f["suggestion"] for f in doc["findings"])


def test_missing_sections_are_listed_in_the_order_of_the_format(tmp_path):
    text = SEED.read_text(encoding="utf-8").split("\n")
    for heads, want in (({"二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"}, ["二", "三"]),
                        ({"四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"}, ["四", "五"])):
        p = tmp_path / "r.txt"
        p.write_text("\n".join(ln for ln in text if ln not in heads), encoding="utf-8")
        out = run("check", "-o", "concise", "--select", "S101", p).stdout
        assert re.findall(r"缺少第(.)部分", out) == want


def test_junit_failure_message_counts_what_it_lists():
    import xml.etree.ElementTree as ET
    xml = run("check", "-o", "junit", SEED, CORPUS / "reports" / "013_shanghai_kewei_2024.txt").stdout
    for fl in ET.fromstring(xml).iter("failure"):
        lines = fl.text.splitlines()
        sev = [re.search(r" \[(error|warning|info)\] ", ln).group(1) for ln in lines]
        assert fl.get("message").startswith(f"{sev.count('error')} 个错误，{sev.count('warning')} 个警告，"
                                            f"{sev.count('info')} 个提示")


def test_table4_single_row_is_named_from_the_format_in_json():
    """表四's one row has no label in the format: findings name it by the format's short name
    (``name:``) or not at all — never by an internal key that is not a name."""
    from validator.templates import load_formats
    rows = [r for f in load_formats().values() for t in f.tables if t.key == "表四" for r in t.rows if not r.label]
    assert rows      # 表四's one row of numbers
    allowed = {r.name for r in rows if r.name}
    internal = {r.key for r in rows} - allowed
    doc = json.loads(run("check", "-o", "json", CORPUS / "pdf" / "hongzequ_2023.pdf",
                         CORPUS / "reports" / "009_hongzequ_2023.txt").stdout)
    t4 = [f for f in doc["findings"] if f.get("context", {}).get("table") == "表四"]
    assert t4
    for f in t4:
        assert f["context"].get("row") in allowed | {None}, f["context"]
    assert not [f for f in doc["findings"] if any(f"「{k}」" in f["message"] for k in internal)]


def _subcommands(parser):
    return next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")


def _options(p):
    return sorted((tuple(a.option_strings), a.dest, repr(a.default), repr(a.choices), a.nargs) for a in p._actions)


def test_a_command_builds_only_its_own_parser_with_the_options_of_the_full_one():
    from validator.cli import COMMANDS, _command_in, _parser
    full = _subcommands(_parser())
    assert tuple(full.choices) == COMMANDS
    for name in COMMANDS:
        only = _subcommands(_parser(name))
        assert list(only.choices) == [name]
        assert _options(only.choices[name]) == _options(full.choices[name])
    assert _command_in(["--lang", "en", "check", "a.txt"]) == "check"
    assert _command_in(["--lang=en", "audit", "x"]) == "audit"
    assert _command_in(["--help"]) is None and _command_in([]) is None
    assert tuple(_subcommands(_parser("chek")).choices) == COMMANDS     # a misspelt command: all of them


def test_a_misspelt_command_is_told_which_commands_there_are():
    r = run("chek", "a.txt")
    assert r.returncode == 2
    assert "check" in r.stderr and "audit" in r.stderr and "Traceback" not in r.stderr
