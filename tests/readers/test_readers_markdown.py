"""Markdown reader: headings and markup blanked in place, pipe tables as they are."""

from __future__ import annotations

import pytest

from tests.conftest import corpus_file
from tests.readers.helpers import facts, lint, positions
from validator.readers import read_bytes


def test_markdown_markup_is_blanked_without_moving_any_character():
    md = "# 2023年政府信息公开工作年度报告\n\n## 一、总体情况\n\n**本年**新<br>制作&nbsp;3条\n"
    src = read_bytes(md.encode("utf-8"), "r.md").source
    assert src.format == "markdown"
    assert len(src.text) == len(md)
    assert "#" not in src.text and "**" not in src.text and "<br>" not in src.text
    i = src.text.index("一、总体情况")
    assert src.line_col(i) == (3, 4)
    assert src.original_line(3) == "## 一、总体情况"


@pytest.mark.parametrize("rel", ["reports/012_shuyangxian_2025.txt", "reports/013_shanghai_kewei_2024.txt"])
def test_markdown_reports_from_pdf_converters_give_the_same_findings_as_md_files(rel):
    data = corpus_file(rel).read_bytes()
    as_text = lint(data, "report.txt")
    as_md = lint(data, "report.md")
    assert as_md.source.format == "markdown" and as_text.source.format == "text"
    assert facts(as_md) == facts(as_text)
    # same lines; a column may move right past a blanked "# " heading marker
    assert [(r, ln) for r, ln, _c in positions(as_md)] == [(r, ln) for r, ln, _c in positions(as_text)]
