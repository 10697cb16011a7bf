"""Inline suppressions (`xxgk-lint: disable=…`) in text, HTML and Markdown; unused ones (X100)."""

from __future__ import annotations

import json

from validator.lint import Options, lint_source
from validator.source import SourceText

from .conftest import CORPUS, SEED

A301_LINE = 81          # the seed's A301 (table 三 「自然人」 column) is reported on line 81


def _findings(text: str, name="report.txt", **opts):
    src = SourceText.from_original(text, path=name)
    return [(f.rule, f.line, f.col) for f in lint_source(src, Options(**opts)).findings]


def _insert(text: str, before_line: int, new: str) -> str:
    lines = text.split("\n")
    lines.insert(before_line - 1, new)
    return "\n".join(lines)


def _shift(found, at: int, by: int = 1):
    return [(r, ln + by if ln >= at else ln, c) for r, ln, c in found]


def test_inline_disable_suppresses_exactly_the_finding_on_its_line(seed_text):
    base = _findings(seed_text)
    assert ("A301", A301_LINE, 1) in base
    lines = seed_text.split("\n")
    lines[A301_LINE - 1] += "  # xxgk-lint: disable=A301"
    after = _findings("\n".join(lines))
    assert sorted(after) == sorted(f for f in base if f != ("A301", A301_LINE, 1))


def test_disable_next_line(seed_text):
    base = _findings(seed_text)
    after = _findings(_insert(seed_text, A301_LINE, "# xxgk-lint: disable-next-line=table3-balance"))
    expected = [f for f in _shift(base, A301_LINE) if f != ("A301", A301_LINE + 1, 1)]
    assert sorted(after) == sorted(expected)


def test_disable_enable_range_and_categories(seed_text):
    base = _findings(seed_text)
    f502 = sorted({ln for r, ln, _ in base if r == "F502"})
    lo, hi = f502[0], f502[1]               # the first two lines with blank cells (F502 is per cell)
    text = _insert(seed_text, hi + 1, "<!-- xxgk-lint: enable=F502 -->")
    text = _insert(text, lo, "<!-- xxgk-lint: disable=F502 -->")
    after = _findings(text)
    shifted = [(r, ln + (1 if ln >= lo else 0) + (1 if ln >= hi + 1 else 0), c) for r, ln, c in base]
    gone = [f for f in shifted if f not in after]
    in_range = [f for f in base if f[0] == "F502" and lo <= f[1] <= hi]
    assert len(gone) == len(in_range) > 2 and all(r == "F502" for r, _, _ in gone)
    assert not any(r == "X100" for r, _, _ in after)
    # enable by id closes a range opened by name
    text = _insert(seed_text, hi + 1, "# xxgk-lint: enable=F502")
    text = _insert(text, lo, "# xxgk-lint: disable=cell-blank")
    assert _findings(text) == after
    # a category and disable-file
    after = _findings("# xxgk-lint: disable-file=format\n" + seed_text)
    assert not any(r.startswith("F") for r, _, _ in after) and any(r == "A301" for r, _, _ in after)


def test_directive_lines_inside_a_table_do_not_change_the_table(seed_text):
    base = _findings(seed_text)
    text = _insert(seed_text, A301_LINE + 1, "# xxgk-lint: disable-line=A302")   # inside table 三
    after = _findings(text)
    assert [f for f in after if f[0] != "X100"] == [f for f in _shift(base, A301_LINE + 1)]


def test_unused_suppression_is_reported(seed_text):
    text = _insert(seed_text, 3, "# xxgk-lint: disable-next-line=A302")      # no A302 there
    text = _insert(text, 3, "<!-- xxgk-lint: disable=Q999 -->")              # no such rule
    after = _findings(text)
    x100 = sorted(ln for r, ln, _ in after if r == "X100")
    assert x100 == [3, 4]
    # ignored like any rule, and it can be suppressed itself
    assert not any(r == "X100" for r, _, _ in _findings(text, ignore=("X100",)))
    assert not any(r == "X100" for r, _, _ in _findings("# xxgk-lint: disable-file=X100\n" + text))


def test_unused_suppression_message(cli, tmp_path, seed_text):
    p = tmp_path / "r.txt"
    p.write_text(_insert(seed_text, 3, "# xxgk-lint: disable=A302"), encoding="utf-8")
    r = cli("check", "-o", "json", p)
    x = [f for f in json.loads(r.out)["findings"] if f["rule"] == "X100"]
    assert len(x) == 1 and x[0]["line"] == 3 and "disable=A302" in x[0]["message"]
    r = cli("check", "-o", "json", "--ignore", "A302", p)
    x = [f for f in json.loads(r.out)["findings"] if f["rule"] == "X100"]
    assert len(x) == 1 and "没有启用" in x[0]["message"]


def test_html_comment_directive(cli, tmp_path):
    html = (CORPUS / "html" / "pingtan_2019.html").read_text(encoding="utf-8").split("\n")
    p = tmp_path / "page.html"
    p.write_text("\n".join(html), encoding="utf-8")
    before = json.loads(cli("check", "-o", "json", p).out)["findings"]
    s101 = [f for f in before if f["rule"] == "S101"]
    assert s101
    line = s101[0]["line"]
    html.insert(line - 1, "<!-- xxgk-lint: disable-next-line=S101 -->")
    p.write_text("\n".join(html), encoding="utf-8")
    after = json.loads(cli("check", "-o", "json", p).out)["findings"]
    assert not [f for f in after if f["rule"] in ("S101", "X100") and f["line"] == line + 1]
    assert len(after) == len(before) - len([f for f in s101 if f["line"] == line])


def test_markdown_comment_directive(cli, tmp_path):
    md = "# 政府信息公开工作年度报告{}\n\n## 一、总体情况\n\n本机关政府信息公开工作有序开展。\n"
    p = tmp_path / "r.md"
    p.write_text(md.format(""), encoding="utf-8")
    assert "M002" in cli("check", "-o", "concise", p).out
    p.write_text(md.format(" <!-- xxgk-lint: disable=M002 -->"), encoding="utf-8")
    out = cli("check", "-o", "concise", p).out
    assert "M002" not in out and "X100" not in out


def test_web_and_library_get_suppressions_too(seed_text):
    # the suppression pass lives in lint.py, the one pipeline every face uses
    lines = seed_text.split("\n")
    lines[A301_LINE - 1] += " <!-- xxgk-lint: disable=A301 -->"
    res = lint_source(SourceText.from_original("\n".join(lines), path=str(SEED)))
    assert not [f for f in res.findings if f.rule == "A301"]
