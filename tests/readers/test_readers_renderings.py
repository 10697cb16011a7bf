"""One report, many renderings: the same data as pipe text, Markdown, HTML and DOCX gives
the same findings (rule, section, table, row, column, numbers, message)."""

from __future__ import annotations

import pytest

from tests.readers import renderings as R
from tests.readers.helpers import facts, lint

REPORT = R.sample_report()


@pytest.fixture(scope="module")
def from_pipe_text():
    return lint(R.to_pipe(REPORT).encode("utf-8"), "report.txt")


def test_the_pipe_text_rendering_has_the_planted_mistakes(from_pipe_text):
    rules = {f.rule for f in from_pipe_text.findings}
    assert {"A301", "A303", "A401", "F502"} <= rules
    assert from_pipe_text.source.format == "text"


@pytest.mark.parametrize("name,render,fmt", [
    ("report.md", lambda: R.to_markdown(REPORT).encode("utf-8"), "markdown"),
    ("report.html", lambda: R.to_html(REPORT, nav=True).encode("utf-8"), "html"),
    ("article.html", lambda: R.to_html(REPORT, nav=False).encode("utf-8"), "html"),
    ("layout.html", lambda: R.to_html_in_layout_table(REPORT).encode("utf-8"), "html"),
    ("report.docx", lambda: R.to_docx(REPORT), "docx"),
    ("report.htm.gbk", lambda: R.to_html(REPORT).replace('charset="utf-8"', 'charset="gbk"').encode("gbk"), "html"),
])
def test_every_rendering_of_the_same_report_gives_the_same_findings(from_pipe_text, name, render, fmt):
    res = lint(render(), name)
    assert res.source.format == fmt
    assert facts(res) == facts(from_pipe_text)
