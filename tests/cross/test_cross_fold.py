"""Several units copying one model text: a section the same as the same section of several
other issuers' reports of the year is reported once (copied-from-other-issuer, Y202, folded per
section like blank cells per table), naming the closest report and the others' shares;
``--show-all`` lists one finding per report compared with, and JSON ``cells`` keeps every one.
Made from a real corpus report given other issuers' names (as a county's units would)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from validator.lint import Options, lint_path

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
BASE = CORPUS / "011_huaian_2024.txt"
PLACES = ["甲", "乙", "丙", "丁", "戊"]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> list[Path]:
    """The report under five issuers' names; the last one rewrote part of its overview."""
    d = tmp_path_factory.mktemp("copies")
    text = BASE.read_text(encoding="utf-8")
    issuer = lint_path(str(BASE), Options()).report.metadata.issuer
    assert issuer
    out = []
    for i, place in enumerate(PLACES):
        t = text.replace(issuer, f"{place}县人民政府")
        if i == len(PLACES) - 1:         # a unit that added a paragraph of its own to 一、总体情况
            head, sep, rest = t.partition("二、")
            t = head + "本县还组织政务公开业务培训三次，编印政策解读手册二千册，走进社区开展政府信息公开宣传活动十二场，" \
                       "群众现场咨询四百余人次，收集意见建议六十余条并逐条答复。\n" + sep + rest
        p = d / f"{i}_{place}.txt"
        p.write_text(t, encoding="utf-8")
        out.append(p)
    return out


def _y202(out: str) -> list[dict]:
    return [f for f in json.loads(out)["findings"] if f["rule"] == "Y202"]


def test_a_section_copied_by_several_issuers_is_one_finding_per_report(copies):
    r = cli("check", "-o", "json", "--exit-zero", *map(str, copies))
    found = _y202(r.stdout)
    per = Counter((f["path"], f["context"]["section"]) for f in found)
    assert per and set(per.values()) == {1}            # one per file and section
    assert {f["path"] for f in found} == {str(p) for p in copies}
    for f in found:
        assert f["numbers"]["count"] == len(copies) - 1
        assert len(f["cells"]) == len(copies) - 1
        others = {c["other_path"] for c in f["cells"]}
        assert others == {str(p) for p in copies} - {f["path"]}
        # the closest report is the one named first, with its share
        best = max(c["numbers"]["share"] for c in f["cells"])
        assert f["numbers"]["share"] == best
        assert f"{best}%" in f["message"] and f"其他{len(copies) - 1}份报告" in f["message"]
        for c in f["cells"]:
            assert c["other"].endswith("2024年度报告") and c["other"] in f["message"]


def test_show_all_lists_each_report_compared_with(copies):
    folded = _y202(cli("check", "-o", "json", "--exit-zero", *map(str, copies)).stdout)
    every = _y202(cli("check", "-o", "json", "--exit-zero", "--show-all", *map(str, copies)).stdout)
    assert len(every) == sum(f["numbers"]["count"] for f in folded)
    assert all("cells" not in f for f in every)
    # each folded finding stands for exactly the findings --show-all gives for its file and section
    for f in folded:
        mine = [g for g in every if g["path"] == f["path"] and g["context"]["section"] == f["context"]["section"]]
        assert sorted((g["line"], g["column"], g["numbers"]["share"]) for g in mine) == \
            sorted((c["line"], c["column"], c["numbers"]["share"]) for c in f["cells"])


def test_the_edited_copy_shows_a_lower_share_than_the_word_for_word_ones(copies):
    found = _y202(cli("check", "-o", "json", "--exit-zero", "--show-all", *map(str, copies)).stdout)
    overview = [f for f in found if f["context"]["section"].startswith("一、")]
    edited = [f for f in overview if f["path"] == str(copies[-1])]
    exact = [f for f in overview if f["path"] == str(copies[0])]
    assert edited and exact
    assert max(f["numbers"]["share"] for f in edited) < min(f["numbers"]["share"] for f in exact)


def test_folding_keeps_the_exit_code_and_the_english_message_is_complete(copies):
    args = ["check", "-o", "concise", "--select", "Y202", "--fail-on", "warning", *map(str, copies)]
    folded, every = cli(*args), cli(*args, "--show-all")
    assert folded.returncode == every.returncode == 1
    lines = [l for l in folded.stdout.splitlines() if "Y202" in l]
    sections = {l.split("“")[1].split("”")[0] for l in lines}
    assert len(lines) == len(copies) * len(sections)
    assert len([l for l in every.stdout.splitlines() if "Y202" in l]) == len(lines) * (len(copies) - 1)
    en = cli(*args, "--lang", "en")
    lines = [l for l in en.stdout.splitlines() if "Y202" in l]
    assert len(lines) == len(copies) * len(sections)
    assert all("other issuers' reports of the year" in l and "the others:" in l and "{" not in l for l in lines)
