"""Choosing the reader: content decides, the extension is a hint, --input-format forces."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from tests.conftest import corpus_file
from validator.readers import ReadError, read_bytes, sniff


@pytest.mark.parametrize("rel,fmt", [
    ("pdf/hongzequ_2023.pdf", "pdf"),
    ("docx/template_2021_blank.docx", "docx"),
    ("html/pingtan_2019.html", "html"),
    ("seeds/001_68b1fad5fb482fc8.txt", "text"),
    ("reports/012_shuyangxian_2025.txt", "text"),   # Markdown content in a .txt file stays text
])
def test_corpus_files_are_sniffed_as_their_format(rel, fmt):
    assert sniff(corpus_file(rel).read_bytes(), rel) == fmt


@pytest.mark.parametrize("rel,fmt", [
    ("pdf/hongzequ_2023.pdf", "pdf"),
    ("docx/template_2021_blank.docx", "docx"),
    ("html/pingtan_2019.html", "html"),
])
def test_content_wins_over_a_wrong_or_missing_extension(rel, fmt):
    data = corpus_file(rel).read_bytes()
    assert sniff(data, "download") == fmt
    assert sniff(data, "report.txt") == fmt


def test_markdown_is_recognised_by_extension_and_by_content_without_one():
    md = b"# 2023\xe5\xb9\xb4\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert sniff(md, "r.md") == "markdown"
    assert sniff(md, "") == "markdown"
    assert sniff(b"plain words only\n", "") == "text"


def test_html_needs_real_markup_a_stray_word_comment_in_text_is_not_html():
    text = corpus_file("reports/017_pingtan_2016.txt").read_bytes()
    assert b"<!--[if" in text
    assert sniff(text, "017.txt") == "text"
    assert sniff(b"<p>one</p>", "page.html") == "html"


def test_input_format_forces_the_reader():
    src = read_bytes(b"<p>2023\xe5\xb9\xb4</p>", "x.txt", input_format="text")
    assert src.format == "text" and "<p>" in src.text
    src = read_bytes(b"<p>2023\xe5\xb9\xb4</p>", "x.txt", input_format="html")
    assert src.format == "html" and src.text.strip() == "2023年"


def test_unknown_input_format_is_a_read_error():
    with pytest.raises(ReadError, match="不支持的输入格式"):
        read_bytes(b"x", "x.txt", input_format="rtf")


@pytest.mark.parametrize("data,name,what", [
    (bytes(range(256)) * 4, "page.html", "不是文本文件"),
    (b"\x00\x01\x02binary" * 50, "report.txt", "不是文本文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", ".doc"),
])
def test_binary_input_is_a_one_line_read_error(data, name, what):
    with pytest.raises(ReadError, match=what) as exc:
        read_bytes(data, name)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("input_format", [None, "", "auto", "text", " Markdown ", "html", "txt"])
def test_binary_input_is_a_read_error_whether_sniffed_or_forced(input_format):
    # sniffed: sniff() finds the bytes binary; forced to a text format: read_bytes tests them
    # itself (it does not test again what sniff() has tested)
    data = b"\x01\x02\x03binary" * 50
    with pytest.raises(ReadError, match="不是文本文件"):
        read_bytes(data, "report.txt", input_format=input_format)


def test_a_zip_that_is_not_a_word_document_is_a_read_error():
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<x/>")
    with pytest.raises(ReadError, match="压缩文件"):
        read_bytes(buf.getvalue(), "table.xlsx")


def test_binary_html_on_the_command_line_exits_2_without_traceback(tmp_path):
    p = tmp_path / "page.html"
    p.write_bytes(bytes(range(256)) * 8)
    out = subprocess.run([sys.executable, "-m", "validator", "check", str(p)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stdout + out.stderr
    assert "不是文本文件" in out.stdout + out.stderr
