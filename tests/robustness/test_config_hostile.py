"""Configuration files are untrusted input (issue 16.3): the recipes of
../shared/hostile/README.md end with a one-line error naming file:line (exit 2) or are
read, within seconds and bounded memory; parsing is linear in the file size."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from validator.config import ConfigError, load_config

from .conftest import assert_clean, run_measured

REPORT = Path(__file__).resolve().parents[1] / "corpus" / "reports" / "007_pingtan_2025.txt"

BOMB = 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"x-{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(8))

CASES = {
    "toml_40000_keys": (".xxgk-lint.toml", "".join(f"x{k} = {k}\n" for k in range(40000))),
    "toml_nested_lists": (".xxgk-lint.toml", "select = " + "[" * 5000 + "]" * 5000 + "\n"),
    "toml_nested_tables": (".xxgk-lint.toml", "severity = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"),
    "yaml_bomb_severity": (".xxgk-lint.yaml", BOMB + "severity: {A301: *i}\n"),
    "yaml_bomb_fail_on": (".xxgk-lint.yaml", BOMB + "fail-on: *i\n"),
    "yaml_bomb_template": (".xxgk-lint.yaml", BOMB + "template: *i\n"),
    "yaml_bomb_gitignore": (".xxgk-lint.yaml", BOMB + "respect-gitignore: *i\n"),
    "yaml_duplicate_key": (".xxgk-lint.yaml", "fail-on: warning\nlang: zh\nfail-on: error\n"),
    "yaml_huge_number": (".xxgk-lint.yaml", "fail-on: " + "9" * 100000 + "\n"),
    "yaml_long_value": (".xxgk-lint.yaml", "template: " + "x" * 1_000_000 + "\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_config_is_one_line_within_bounds(case, tmp_path):
    name, text = CASES[case]
    (tmp_path / name).write_text(text, encoding="utf-8")
    shutil.copy(REPORT, tmp_path / "r.txt")
    r, secs, mb = run_measured("check", "-o", "json", tmp_path / "r.txt")
    err = assert_clean(r, allowed=(2,))
    assert f"{name}:" in err and len(err.strip()) < 400, err[:500]
    assert secs < 10 and mb < 300, (secs, mb)


def test_toml_key_lines_are_found_in_one_pass(tmp_path):
    """A valid 40,000-line file: its keys get their lines (it once took minutes)."""
    import time
    text = "fail-on = \"warning\"\n" + "".join(f"# note {k}\n" for k in range(40000)) + "lang = \"en\"\n"
    p = tmp_path / ".xxgk-lint.toml"
    p.write_text(text, encoding="utf-8")
    t = time.perf_counter()
    cfg = load_config(p)
    assert time.perf_counter() - t < 2
    assert cfg.lines == {"fail-on": 1, "lang": 40002}


def test_duplicate_yaml_key_names_both_lines(tmp_path):
    p = tmp_path / ".xxgk-lint.yaml"
    p.write_text("fail-on: warning\nlang: zh\nfail-on: error\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert ".xxgk-lint.yaml:3:" in str(exc.value) and "第1行" in str(exc.value)


def test_merge_keys_may_be_overridden():
    from validator.yamlload import load_yaml_text
    assert load_yaml_text("a: &x {k: 1, j: 2}\nb: {<<: *x, k: 3}\n")["b"] == {"k": 3, "j": 2}
