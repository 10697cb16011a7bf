"""Hostile HTML and DOCX inputs (../shared/hostile, issue 16): each one ends in findings or a
clean one-line error, within bounded memory and time.

Memory and time are measured on a subprocess: the command line runs under an RLIMIT_CPU of
10 s (over it the process is killed and the test fails), and its peak resident memory is
read from ``getrusage(RUSAGE_CHILDREN)`` in a small wrapper process that runs only it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "hostile"
MAX_MB = 300
MAX_CPU_S = 10

_WRAPPER = r"""
import json, resource, subprocess, sys
def limit():
    resource.setrlimit(resource.RLIMIT_CPU, (%d, %d))
r = subprocess.run(sys.argv[1:], capture_output=True, preexec_fn=limit)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": r.returncode, "out": r.stdout.decode("utf-8"), "err": r.stderr.decode("utf-8"),
                  "rss_mb": ru.ru_maxrss / 1024}))
""" % (MAX_CPU_S, MAX_CPU_S)


def run_measured(*args):
    """The CLI on ``args``: exit code, stdout, stderr (both must be valid UTF-8) and peak MB."""
    p = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "validator", *map(str, args)],
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")[-2000:]
    r = json.loads(p.stdout)
    assert r["rc"] >= 0, f"killed by signal {-r['rc']} (over {MAX_CPU_S} s of CPU?)"
    return r


def assert_clean(r):
    """Findings (exit 0/1) or one clean line (exit 2); never a traceback or internal error."""
    assert r["rc"] in (0, 1, 2), r
    assert "Traceback" not in r["err"] and "内部错误" not in r["err"] + r["out"], r["err"][-2000:]
    if r["rc"] == 2:
        assert len(r["err"].strip().splitlines()) == 1, r["err"]
    assert r["rss_mb"] <= MAX_MB, f"peak memory {r['rss_mb']:.0f} MB"


@pytest.mark.parametrize("fmt", ["rich", "concise", "json", "sarif", "github", "junit"])
def test_a_surrogate_character_reference_is_replaced_and_every_output_format_encodes(fmt):
    r = run_measured("check", "-o", fmt, HOSTILE / "html_surrogate_charref.html")
    assert_clean(r)
    assert r["rc"] == 1 and r["out"]
    assert "\ufffd" in r["out"] or "\\ufffd" in r["out"].lower()   # the text has U+FFFD where &#xD800; was


def test_a_surrogate_reference_becomes_the_replacement_character_in_the_text():
    from validator.readers import read_bytes
    doc = read_bytes((HOSTILE / "html_surrogate_charref.html").read_bytes(), "s.html")
    assert "\ufffd" in doc.text and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in doc.text)
    doc.text.encode("utf-8")


def test_fifty_thousand_entities_are_read_in_bounded_time_and_memory():
    r = run_measured("check", "-o", "concise", HOSTILE / "html_entities_50000.html")
    assert_clean(r)


def test_eight_hundred_thousand_entities_are_read_in_bounded_time_and_memory(tmp_path):
    page = tmp_path / "entities_800000.html"
    page.write_text("<html><body><p>" + "&amp;" * 800_000 + "</p></body></html>", "utf-8")
    r = run_measured("check", "-o", "concise", page)
    assert_clean(r)
    assert r["rc"] in (0, 1)          # read and checked, not refused


def test_a_page_of_45_mb_text_is_refused_while_it_is_read(tmp_path):
    # the recipe in ../shared/hostile/README.md: 2.0 GB before P090 once
    page = tmp_path / "html_text_45MB.html"
    page.write_text(("<p>" + "政府信息公开工作年度报告" * 50 + "</p>") * 25_000, "utf-8")
    r = run_measured("check", "-o", "concise", page)
    assert_clean(r)
    assert "P090" in r["out"] and r["rc"] == 1


def test_the_character_limit_applies_to_the_html_text_as_it_is_built(tmp_path):
    from tests.conftest import corpus_file
    r = run_measured("check", "-o", "concise", "--max-chars", "1000", corpus_file("html/pingtan_2019.html"))
    assert_clean(r)
    assert "P090" in r["out"] and "1,000 字" in r["out"]


def _docx_with_body(body_xml: str) -> bytes:
    import docx
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {w}><w:body>{body_xml}</w:body></w:document>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, xml.encode("utf-8") if item.filename == "word/document.xml" else src.read(item.filename))
    return out.getvalue()


def test_a_docx_of_45_mb_text_is_refused_while_its_text_is_built(tmp_path):
    f = tmp_path / "text.docx"
    f.write_bytes(_docx_with_body(("<w:p><w:r><w:t>" + "政府信息公开工作年度报告" * 50 + "</w:t></w:r></w:p>") * 25_000))
    r = run_measured("check", "-o", "concise", f)
    assert_clean(r)
    assert "P090" in r["out"] and "文本长度超过上限" in r["out"]


def test_a_docx_of_millions_of_one_character_runs_is_refused_before_it_is_loaded(tmp_path):
    f = tmp_path / "runs.docx"
    f.write_bytes(_docx_with_body(("<w:p>" + "<w:r><w:t>政</w:t></w:r>" * 100 + "</w:p>") * 18_000))
    r = run_measured("check", "-o", "concise", f)
    assert_clean(r)
    assert "P090" in r["out"] and "Word 文档内容过大" in r["out"]
