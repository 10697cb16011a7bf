"""Traditional script: matched as simplified, findings at the original characters."""

from __future__ import annotations

import opencc
import pytest

from tests.conftest import corpus_file
from tests.readers.helpers import positions, lint
from validator.normalize import looks_traditional, normalize
from validator.source import SourceText

SEED1 = corpus_file("seeds/001_68b1fad5fb482fc8.txt")


def test_opencc_s2t_copy_of_seed001_gives_the_same_findings_at_the_same_lines_and_columns():
    text = SEED1.read_text("utf-8")
    trad = opencc.OpenCC("s2t").convert(text)
    assert trad != text and looks_traditional(trad)
    original = lint(text.encode("utf-8"), "s.txt")
    converted = lint(trad.encode("utf-8"), "t.txt")
    assert positions(converted) == positions(original)
    # the rich reporter quotes the original (traditional) source line
    f = converted.findings[0]
    assert converted.source.original_line(f.line) == trad.split("\n")[f.line - 1]


@pytest.mark.parametrize("rel,year", [("seeds/003_aeba626d8392bbb0.txt", 2016), ("seeds/004_242b91d3e9f2f879.txt", 2016)])
def test_traditional_seeds_are_read_like_simplified_reports(rel, year):
    res = lint(corpus_file(rel).read_bytes(), rel)
    assert res.report.metadata.year == year
    assert res.report.template == "legacy"
    assert any(n[0] == "traditional" for n in res.source.notes if isinstance(n, tuple))


def test_conversion_keeps_every_character_at_its_original_position():
    src = SourceText.from_original("2023年政府資訊公開工作年度報告\n三、收到和處理政府信息公開申請情況\n這個們來時國為與說對會")
    norm = normalize(src)
    i = norm.text.index("处理")
    assert norm.line_col(i) == (2, 6)  # 處 is the 6th character of line 2
    assert "收到和处理政府信息公开申请情况" in norm.text


def test_simplified_text_is_not_converted():
    src = SourceText.from_original("2023年政府信息公开工作年度报告\n一、总体情况\n本年度工作有序开展。")
    assert normalize(src).text == src.text
