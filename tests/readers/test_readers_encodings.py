"""Encodings: UTF-8 (with BOM, CRLF), GBK, GB18030, Big5 give the same findings at the same
places; undecodable bytes are reported (F601), never dropped silently."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import corpus_file
from tests.readers.helpers import positions, lint
from validator.readers import read_bytes
from validator.readers.text import decode

SEED1 = corpus_file("seeds/001_68b1fad5fb482fc8.txt")


@pytest.fixture(scope="module")
def seed1():
    data = SEED1.read_bytes()
    return data.decode("utf-8"), lint(data, "seed1.txt")


@pytest.mark.parametrize("encoding,expected", [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig")])
def test_seed001_in_another_encoding_gives_the_same_findings_at_the_same_lines(seed1, encoding, expected):
    text, original = seed1
    res = lint(text.encode(encoding), "seed1.txt")
    assert res.source.encoding == expected
    assert positions(res) == positions(original)
    assert positions(original)  # the seed has findings to compare


def test_crlf_line_ends_keep_lines_and_columns(seed1):
    text, original = seed1
    res = lint(text.replace("\n", "\r\n").encode("utf-8"), "seed1.txt")
    assert positions(res) == positions(original)


def test_big5_traditional_report_is_detected_and_checked_like_its_utf8_copy():
    text = corpus_file("seeds/004_242b91d3e9f2f879.txt").read_text("utf-8").replace("¤", "?")
    utf8 = lint(text.encode("utf-8"), "s4.txt")
    big5 = lint(text.encode("big5hkscs"), "s4.txt")
    assert big5.source.encoding.startswith("big5")
    assert positions(big5) == positions(utf8)
    assert "M001" in {f.rule for f in utf8.findings}  # read as a 2016 report


def test_undecodable_bytes_are_kept_as_replacement_characters_with_their_offsets():
    body = SEED1.read_text("utf-8")
    data = "第一行\n本年".encode("utf-8") + b"\xff\xfe" + "度".encode("utf-8") + body.encode("utf-8")
    text, enc, bad = decode(data)
    assert enc == "utf-8"
    assert text.startswith("第一行\n本年\ufffd度")
    assert bad == [(6, b"\xff\xfe")]


def test_undecodable_bytes_are_a_format_finding_at_their_line_and_column():
    data = "2023年政府信息公开工作年度报告\n一、总体情况\n本机关".encode("utf-8") + b"\x80\x81" + "工作有序开展。\n".encode("utf-8")
    res = lint(data, "bad.txt")
    f = [f for f in res.findings if f.rule == "F601"]
    assert len(f) == 1
    assert (f[0].line, f[0].col, f[0].category) == (3, 4, "format")
    assert "80 81" in f[0].message


def test_a_gbk_file_with_one_damaged_byte_is_still_read_as_gbk_and_the_byte_reported():
    good = corpus_file("seeds/001_68b1fad5fb482fc8.txt").read_text("utf-8").encode("gb18030")
    cut = good.index("总体情况".encode("gb18030"))
    damaged = good[:cut] + b"\xff" + good[cut:]
    src = read_bytes(damaged, "seed1.txt")
    assert src.encoding == "gb18030"
    notes = [n for n in src.notes if getattr(n, "kind", None) == "undecodable-bytes"]
    assert len(notes) == 1
    assert "总体情况" in src.text


def test_verbose_shows_the_detected_encoding(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes(SEED1.read_text("utf-8").encode("gbk"))
    out = subprocess.run([sys.executable, "-m", "validator", "check", "-v", "-o", "concise", str(p)],
                         capture_output=True, text=True)
    assert "编码 gb18030" in out.stderr
    assert "格式 text" in out.stderr


def test_many_undecodable_runs_give_at_most_twenty_findings_the_last_counting_the_rest():
    body = SEED1.read_text("utf-8")
    lines = body.split("\n")
    data = "\n".join(ln + ("\udcff" if i % 3 == 0 else "") for i, ln in enumerate(lines))
    raw = data.encode("utf-8", errors="surrogateescape")
    res = lint(raw, "bad.txt")
    f601 = [f for f in res.findings if f.rule == "F601"]
    runs = sum(1 for i in range(len(lines)) if i % 3 == 0)
    assert runs > 20 and len(f601) == 20
    assert f"另有{runs - 20}处" in f601[-1].message
