"""Hostile and broken files through the command line, one test each (issue 6).

Every case: exit code 0, 1 or 2; no traceback; exit 2 comes with a one-line error; the run
finishes within the subprocess timeout (no hang).  The PDF/DOCX/HTML cases go through
whatever reader exists, via the public entry (`xxgk-lint check`).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from .conftest import assert_clean, cli
from tests.pdfbytes import pdf_from_objects

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GOOD = CORPUS / "reports" / "007_pingtan_2025.txt"


def check(*paths, extra=(), timeout=120):
    return cli("check", "-o", "json", *extra, *paths, timeout=timeout)


def findings(r) -> list[dict]:
    return json.loads(r.stdout.decode("utf-8"))["findings"] if r.returncode in (0, 1) else []


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert_clean(check(p))


def test_only_whitespace(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(" \n\t\r\n\u3000".encode() * 1000)
    r = check(p, extra=("--timeout", "10"))
    assert_clean(r)
    # a long whitespace run once made the table-anchor regexes quadratic (> 30 s for 8 KB)
    assert "P091" not in {f["rule"] for f in findings(r)}


@pytest.mark.parametrize("unit", [" ", "\n", "\u3000", "|", "#", "-", "、", "(", "一、", "（一）", "1 ", "0",
                                  "年", "本列数据", "申请人情况", "行 政 复 议 ", "#行政复议", "三、本年度办理结果",
                                  "|---", "\n| 1 | 2 |", "2023年", "x"])
def test_pathological_repetition_is_linear(unit):
    """40 KB of one repeated unit (the worst case for backtracking regexes) finishes quickly."""
    import time
    from validator.lint import Options, lint_bytes
    data = (unit * (40000 // len(unit) + 1))[:40000].encode()
    t = time.perf_counter()
    res = lint_bytes(data, "r.txt", Options(timeout=10))
    assert "P091" not in {f.rule for f in res.findings}
    assert time.perf_counter() - t < 5


def test_zero_byte_pdf(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    assert_clean(check(p))


def test_truncated_pdf(tmp_path):
    data = (CORPUS / "pdf" / "hongzequ_2024.pdf").read_bytes()
    for i, cut in enumerate((8, 1024, len(data) // 3, len(data) - 200)):
        p = tmp_path / f"cut{i}.pdf"
        p.write_bytes(data[:cut])
        assert_clean(check(p, timeout=180))


def test_pdf_header_then_garbage(tmp_path):
    p = tmp_path / "garbage.pdf"
    p.write_bytes(b"%PDF-1.7\n" + os.urandom(20000))
    assert_clean(check(p))


def _zip_bomb(path: Path, size: int) -> None:
    """A .docx-looking zip whose document.xml expands to `size` bytes (≈1000:1)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                     b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            chunk = b"0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")


def test_docx_zip_bomb(tmp_path):
    p = tmp_path / "bomb.docx"
    _zip_bomb(p, 300 << 20)  # 300 MB expanded, ~300 KB on disk
    assert p.stat().st_size < 2 << 20
    assert_clean(check(p, timeout=180))


def test_docx_that_is_not_a_zip(tmp_path):
    for i, data in enumerate((b"just some text, not a zip", os.urandom(5000), b"PK\x03\x04" + os.urandom(3000),
                              b"PK\x05\x06" + b"\x00" * 18)):
        p = tmp_path / f"not{i}.docx"
        p.write_bytes(data)
        assert_clean(check(p))


def test_docx_truncated(tmp_path):
    data = (CORPUS / "docx" / "template_2021_blank.docx").read_bytes()
    p = tmp_path / "cut.docx"
    p.write_bytes(data[: len(data) // 2])
    assert_clean(check(p))


# found by this suite: validator/readers/html.py once recursed once per nesting level
# (RecursionError at ~1000 levels, shown by the CLI as 内部错误); now fixed in the reader.
def test_html_nested_10000_levels(tmp_path):
    p = tmp_path / "deep.html"
    p.write_bytes(b"<html><body>" + b"<div>" * 10000 + "二〇二三年政府信息公开工作年度报告".encode() + b"</div>" * 10000
                  + b"</body></html>")
    assert_clean(check(p, timeout=180))


def test_html_nested_10000_unclosed_tables(tmp_path):
    q = tmp_path / "deep_unclosed.html"
    q.write_bytes(b"<html><body>" + b"<table><tr><td>" * 10000 + b"1")
    assert_clean(check(q, timeout=180))


def test_binary_file_named_html(tmp_path):
    p = tmp_path / "image.html"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000))
    assert_clean(check(p))


def test_gbk_page_declaring_utf8(tmp_path):
    p = tmp_path / "gbk.html"
    body = GOOD.read_text(encoding="utf-8").replace("\n", "<br>\n")
    p.write_bytes(b'<html><head><meta charset="utf-8"></head><body>' + body.encode("gbk", "replace") + b"</body></html>")
    assert_clean(check(p))


def test_50_mb_text_file_is_refused_and_others_still_checked(tmp_path):
    big = tmp_path / "big.txt"
    line = "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息1234条。\n".encode()
    with open(big, "wb") as fh:
        n = (50 << 20) // len(line) + 1
        fh.write(line * n)
    assert big.stat().st_size > 50 << 20
    r = check(big, GOOD, timeout=60)
    assert_clean(r)
    assert r.returncode == 1
    fs = findings(r)
    assert [f["rule"] for f in fs if f["path"] == str(big)] == ["P090"]
    doc = json.loads(r.stdout)
    assert {f["path"] for f in doc["files"]} == {str(big), str(GOOD)}


def test_one_mb_line_without_newline(tmp_path):
    p = tmp_path / "line.txt"
    p.write_bytes(("政府信息公开" * 60000 + "1234567890" * 30000).encode()[: 1 << 20])
    r = check(p)
    assert_clean(r)
    assert "P091" not in {f["rule"] for f in findings(r)}


def test_nul_bytes(tmp_path):
    p = tmp_path / "nul.txt"
    p.write_bytes(b"\x00" * 10000)
    assert_clean(check(p))
    q = tmp_path / "some_nul.txt"
    q.write_bytes(GOOD.read_bytes().replace("。".encode(), "。\x00".encode(), 3))
    assert_clean(check(q))


def test_invalid_utf8(tmp_path):
    p = tmp_path / "bad.txt"
    data = GOOD.read_bytes()
    p.write_bytes(data[:500] + b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1" + data[500:1001] + b"\xe6\x94" + data[1003:])
    r = check(p)
    assert_clean(r)
    q = tmp_path / "latin1.txt"
    q.write_bytes(bytes(range(0x80, 0x100)) * 50)
    assert_clean(check(q))


def test_utf16_without_bom(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes(GOOD.read_text(encoding="utf-8").encode("utf-16-le"))
    assert_clean(check(p))


def test_directory_that_cannot_be_read(tmp_path):
    d = tmp_path / "locked"
    d.mkdir()
    (d / "a.txt").write_bytes(GOOD.read_bytes())
    d.chmod(0)
    try:
        assert_clean(check(d))
        assert_clean(check(d / "a.txt"))
    finally:
        d.chmod(0o755)


def test_file_that_cannot_be_read(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_bytes(GOOD.read_bytes())
    p.chmod(0)
    try:
        assert_clean(check(p))
    finally:
        p.chmod(0o644)


def test_symlink_loop(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    assert_clean(check(a))
    d = tmp_path / "d"
    d.mkdir()
    (d / "self").symlink_to(d)
    (d / "r.txt").write_bytes(GOOD.read_bytes())
    assert_clean(check(d))


def test_missing_file_and_dangling_symlink(tmp_path):
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    assert_clean(check(tmp_path / "dangling.txt"))
    assert_clean(check(tmp_path / "nowhere.txt"))


def test_device_file_is_bounded():
    r = check("/dev/zero", extra=("--max-bytes", "1MB"), timeout=60)
    assert_clean(r)
    if r.returncode in (0, 1):
        assert [f["rule"] for f in findings(r)] == ["P090"]


def test_stdin_hostile_bytes():
    for data in (b"", b"\x00\x01\x02", os.urandom(3000), b"%PDF-", b"PK\x03\x04"):
        r = cli("check", "-o", "json", "-", input=data)
        assert_clean(r)


def test_weird_file_names(tmp_path):
    for name in ("报告 2023（终稿）.txt", "-dash.txt", "a\nb.txt", "no_extension", ".hidden.txt", "x.PDF.txt"):
        p = tmp_path / name
        p.write_bytes(GOOD.read_bytes())
        r = check("--", p) if name.startswith("-") else check(p)
        assert_clean(r)


def test_bad_rules_dir_is_exit_2(tmp_path):
    r = check(GOOD, extra=("--rules-dir", str(tmp_path / "missing")))
    assert_clean(r)
    assert r.returncode == 2


@pytest.mark.parametrize("unit", ["\n一、总体情况\n", "一、", "2023年", "（一）", " "])
def test_cost_grows_linearly_with_repetition(unit):
    """4× the input costs well under 16× the CPU time (thousands of headings once made the
    finding → section lookup quadratic: 80 KB of headings took 5 s)."""
    import time
    from validator.lint import Options, lint_bytes

    def cpu(n):
        data = (unit * (n // len(unit) + 1))[:n].encode()
        t = time.process_time()
        lint_bytes(data, "r.txt", Options(timeout=60))
        return time.process_time() - t
    cpu(2000)  # warm
    small, big = cpu(30000), cpu(120000)
    assert big < 10 * small + 0.5, (small, big)


def _pdf_with_stream(payload_mb: int) -> bytes:
    """A one-page PDF whose content stream inflates to payload_mb MB (~1000:1)."""
    import zlib
    z = zlib.compressobj(9)
    data = b"".join(z.compress(b" " * (1 << 20)) for _ in range(payload_mb)) + z.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]
    return pdf_from_objects(objs)


def test_pdf_stream_bomb_within_a_memory_limit(tmp_path):
    """pdfminer inflates a stream whole (300 MB here: ~660 MB RSS unbounded); under an
    address-space limit the PDF reader must still answer cleanly (P004 for the page)."""
    p = tmp_path / "bomb.pdf"
    p.write_bytes(_pdf_with_stream(300))
    assert p.stat().st_size < 1 << 20
    r = cli("check", "-o", "concise", "--jobs", "1", p, timeout=180, max_memory_mb=700)
    assert_clean(r)
