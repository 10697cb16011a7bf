"""Positions always point at the original file, whatever normalisation did."""

from __future__ import annotations

from validator.lint import lint_bytes
from validator.normalize import fold_width, normalize
from validator.readers import read_bytes
from validator.source import SourceText

REPORT = ("2021年政府信息公开工作年度报告\n"
          "三、收到和处理政府信息公开申请情况\n"
          "| 一、本年新收政府信息公开申请数量 | 38 | 0 | 0 | 0 | 0 | 0 | 38 |\n"
          "| 二、上年结转政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n"
          "| （七）总计 | 38 | 0 | 0 | 0 | 0 | 0 | 38 |\n"
          "| 四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n")


def _a301(data: bytes):
    return sorted((f.line, f.col, f.column) for f in lint_bytes(data, "r.txt").findings if f.rule == "A301")


def test_width_folding_keeps_length_and_positions():
    s = "（一）１２，３"
    assert fold_width(s) == "(一)12,3" and len(fold_width(s)) == len(s)


def test_width_folding_of_runs_equals_translating_every_character():
    # fold_width replaces only the characters of the runs that change: the same as translating
    # every character of every code point (and of every corpus text)
    from pathlib import Path

    from validator.normalize import _WIDTH_TABLE
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert fold_width(every) == every.translate(_WIDTH_TABLE)
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.rglob("*.txt"))]
    assert texts
    for t in texts:
        assert fold_width(t) == t.translate(_WIDTH_TABLE)


def test_findings_point_at_the_same_line_and_column_with_bom_and_crlf():
    plain = _a301(REPORT.encode("utf-8"))
    assert plain and plain[0][:2] == (3, 22)
    assert _a301(b"\xef\xbb\xbf" + REPORT.encode("utf-8")) == plain
    assert _a301(REPORT.replace("\n", "\r\n").encode("utf-8")) == plain


def test_full_width_digits_are_read_as_numbers_and_located_in_the_original():
    full = REPORT.replace("| 38 | 0", "| ３８ | 0", 1)
    res = lint_bytes(full.encode("utf-8"), "r.txt")
    f = [x for x in res.findings if x.rule == "A301" and x.column == "自然人"][0]
    assert (f.line, f.col) == (3, 22)
    assert f.location.end_column == 24  # two full-width characters


def test_map_text_keeps_lengths_a_length_changing_character_is_kept_as_written():
    # offsets of blocks, cells and tokens must hold after normalisation
    src = SourceText.from_original("ab\ncd")
    out = src.map_text(lambda t: t.replace("c", "xyz").replace("a", "A"))
    assert out.text == "Ab\ncd"
    assert out.location(out.text.index("d")).column == 2
    assert out.location(out.text.index("c")).line == 2


def test_normalised_text_is_for_matching_only_original_lines_are_kept():
    src = normalize(read_bytes("（一）予以公开".encode("utf-8"), "x.txt"))
    assert src.text == "(一)予以公开"
    assert src.source.original_line(1) == "（一）予以公开"


def test_findings_quote_the_reports_own_characters_after_width_folding_and_t2s(corpus):
    import opencc

    text = (corpus / "reports/009_hongzequ_2023.txt").read_text(encoding="utf-8")
    trad = opencc.OpenCC("s2t").convert(text)
    f = [x for x in lint_bytes(trad.encode("utf-8"), "t.txt").findings if x.rule == "S203"][0]
    assert "其他法律行政止公開" in f.message        # as written in the traditional copy
    assert "2.其他法律行政法规禁止公开" in f.message  # the template wording stays as it is
    wide = [x for x in lint_bytes(text.encode("utf-8"), "w.txt").findings if x.rule == "S203"][0]
    assert (f.line, f.col) == (wide.line, wide.col)
