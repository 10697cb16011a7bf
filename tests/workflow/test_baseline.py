"""--write-baseline / --baseline: adopt the gate on old reports and fail only on new problems.
Run as processes (exit codes), on a copy of seeds/001 (表三 does not balance)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from .conftest import CORPUS, SEED


def run(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, "-m", "validator", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True)


def _site(tmp_path):
    d = tmp_path / "site"
    (d / "年报").mkdir(parents=True)
    shutil.copy(SEED, d / "年报" / "2019.txt")
    shutil.copy(CORPUS / "reports" / "013_shanghai_kewei_2024.txt", d / "年报" / "2024.txt")
    return d


def _edit_line(path, line_no, old, new):
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[line_no - 1] == old, lines[line_no - 1]
    lines[line_no - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def test_baseline_written_on_seed001_makes_the_next_run_pass_and_a_changed_number_fails_alone(tmp_path):
    d = _site(tmp_path)
    first = run("check", "-o", "concise", "年报", cwd=d)
    assert first.returncode == 1
    w = run("check", "--write-baseline", ".xxgk-lint-baseline.json", "年报", cwd=d)
    assert w.returncode == 0 and "基线" in w.stderr and w.stdout == ""
    again = run("check", "-o", "concise", "--baseline", ".xxgk-lint-baseline.json", "年报", cwd=d)
    assert again.returncode == 0, again.stdout
    assert again.stdout.splitlines() == [again.stdout.splitlines()[-1]]      # nothing but the summary
    assert "0 个错误，0 个警告，0 个提示" in again.stdout and "基线中已知的" in again.stdout

    # one number of 表三 changes: 二、上年结转 (自然人) 2 → 3: only that new problem is reported
    _edit_line(d / "年报" / "2019.txt", 84, "2 |", "3 |")
    r = run("check", "-o", "concise", "--baseline", ".xxgk-lint-baseline.json", "年报", cwd=d)
    assert r.returncode == 1
    new = [ln for ln in r.stdout.splitlines()[:-1]]
    assert len(new) == 1 and ":81:1: A301 [error]" in new[0] and "上年结转3＝41" in new[0], r.stdout


def test_known_findings_survive_lines_added_above_them_and_another_working_directory(tmp_path):
    d = _site(tmp_path)
    assert run("check", "--write-baseline", "bl.json", "年报", cwd=d).returncode == 0
    p = d / "年报" / "2019.txt"
    p.write_text("（本稿已于2020年1月修订）\n\n" + p.read_text(encoding="utf-8"), encoding="utf-8")
    r = run("check", "-o", "concise", "--baseline", "bl.json", "年报", cwd=d)
    assert r.returncode == 0, r.stdout
    # from the parent directory the paths differ, the baseline (relative to itself) still holds
    r = run("check", "-o", "concise", "--baseline", d / "bl.json", d / "年报", cwd=tmp_path)
    assert r.returncode == 0, r.stdout


def test_baseline_file_format_is_documented_json(tmp_path):
    d = _site(tmp_path)
    run("check", "--write-baseline", "bl.json", "年报", cwd=d)
    doc = json.loads((d / "bl.json").read_text(encoding="utf-8"))
    assert doc["version"] == 1 and doc["tool"] == "xxgk-lint"
    e = doc["findings"][0]
    assert set(e) == {"fingerprint", "path", "rule", "message", "count"}
    assert {x["path"] for x in doc["findings"]} == {"年报/2019.txt", "年报/2024.txt"}
    f502 = [x for x in doc["findings"] if x["rule"] == "F502" and x["path"] == "年报/2019.txt"]
    assert len(f502) == 145                  # cell by cell, so filling or blanking one cell is seen
    # the same fingerprints as SARIF's partialFingerprints (paths relative to the baseline)
    sarif = json.loads(run("check", "-o", "sarif", "--show-all", "年报", cwd=d).stdout)
    fps = {r["partialFingerprints"]["xxgkLint/v1"] for r in sarif["runs"][0]["results"]}
    assert fps == {x["fingerprint"] for x in doc["findings"]}


def test_bad_baseline_files_are_one_line_usage_errors(tmp_path):
    d = _site(tmp_path)
    (d / "bad.json").write_text("{not json", encoding="utf-8")
    for name in ("missing.json", "bad.json"):
        r = run("check", "--baseline", name, "年报", cwd=d)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and name in r.stderr
        assert "Traceback" not in r.stderr
    r = run("check", "--write-baseline", "年报/2019.txt", "年报", cwd=d)
    assert r.returncode == 2 and "不能同时是要检查的文件" in r.stderr
    assert (d / "年报" / "2019.txt").read_bytes() == SEED.read_bytes()    # never writes a checked file

