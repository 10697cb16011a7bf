"""Every hostile rule directory of ../shared/hostile/rules (copied to data/hostile_rules):
rule files are untrusted input (issue 16.3).

Each case runs as ``xxgk-lint check --rules-dir <case> report.txt`` and must end with exit
0/1 and findings, or exit 2 with one line that names the rule file and a line number; within
10 s and 300 MB (the command and its workers); no traceback, no 内部错误, and no error line
quoting more than a short piece of the offending value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import assert_clean, run_measured

DATA = Path(__file__).parent / "data" / "hostile_rules"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())


def test_every_case_is_here():
    assert len(CASES) >= 49


def _one_case(case):
    """None if the case ends as it must, else what went wrong."""
    r, secs, mb = run_measured("check", "-o", "json", "--rules-dir", DATA / case, DATA / "report.txt")
    try:
        err = assert_clean(r)
        assert secs <= 10 and mb <= 300, f"{secs:.1f} s, {mb:.0f} MB"
        if r.returncode == 2:
            line = err.strip()
            assert re.search(re.escape(case) + r"/evil\.yaml:\d+(:\d+)?: ", line), line
            assert len(line) <= 600, len(line)
        else:
            doc = json.loads(r.stdout)
            assert doc["findings"] and all(f["error"] is None for f in doc["files"])
    except AssertionError as exc:
        return f"{case}: {str(exc)[:500]}"
    return None


def test_every_hostile_rule_directory_ends_cleanly():
    """All cases, four at a time (each is a fresh command line, measured on its own)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        problems = [p for p in pool.map(_one_case, CASES) if p]
    assert not problems, "\n".join(problems)


SLOW_RULE = r"""- id: Z950
  name: slow-rule
  kind: pattern
  category: content
  severity: warning
  message: "x {detail}"
  scope: prose
  patterns:
    - regex: '(\p{Han}|\p{Han}\p{Han})+(?=c)\1'
"""


def test_a_regex_timeout_is_a_finding_for_that_rule_and_file(tmp_path):
    (tmp_path / "slow.yaml").write_text(SLOW_RULE, encoding="utf-8")
    r, secs, _mb = run_measured("check", "-o", "json", "--rules-dir", tmp_path, DATA / "report.txt")
    assert_clean(r)
    found = [f for f in json.loads(r.stdout)["findings"] if f["rule"] == "P092"]
    assert len(found) == 1
    assert "Z950" in found[0]["message"] and "超时" in found[0]["message"]
    assert secs < 10   # at most TimeoutLog.BUDGET timeouts of 0.25 s per rule and file


def test_a_regex_the_fallback_engine_would_blow_up_is_refused_at_load(tmp_path):
    (tmp_path / "r.yaml").write_text(SLOW_RULE.replace(r"(\p{Han}|\p{Han}\p{Han})+(?=c)\1",
                                                       r"(?<=x)(?:(?:a{100}){100}){100}"), encoding="utf-8")
    r, secs, mb = run_measured("check", "--rules-dir", tmp_path, DATA / "report.txt")
    err = assert_clean(r)
    assert r.returncode == 2 and "r.yaml:9:" in err and "展开" in err   # the line of the pattern
    assert secs < 10 and mb < 300
