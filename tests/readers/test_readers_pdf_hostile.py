"""Hostile PDFs (../shared/hostile, copied to tests/readers/data/hostile_pdf): each once
crashed the reader, printed a traceback or took gigabytes.  Each must now end in findings or
one clean line, within 300 MB and 10 s of CPU, with nothing else on stderr.

Memory is the peak RSS of the command-line process (``os.wait4`` in a launcher); the CPU bound is a
limit for hostile input, not a speed measurement (benchmarks/bench_pdf.py measures speed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

from validator.readers import read_bytes
from tests.pdfbytes import pdf_from_objects

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).resolve().parent / "data" / "hostile_pdf"
EXE = ROOT / ".venv" / "bin" / "xxgk-lint"
MAX_RSS_MB = 300
MAX_CPU_S = 10.0


# The command runs under a small launcher that forks it and reports its rusage: Linux keeps
# a process's peak RSS across exec, so a command started straight from the (large) test
# process would report the test process's size as its own.
_LAUNCH = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_pid, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump([os.waitstatus_to_exitcode(status), ru.ru_maxrss, ru.ru_utime + ru.ru_stime], f)
"""


def run_cli(*args, timeout: float = 60.0):
    """Run the command line; (exit code, stdout, stderr, peak RSS in MB, CPU seconds)."""
    cmd = ([str(EXE)] if EXE.exists() else [sys.executable, "-m", "validator"]) + [str(a) for a in args]
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "usage.json")
        r = subprocess.run([sys.executable, "-c", _LAUNCH, report, *cmd], capture_output=True, timeout=timeout)
        with open(report) as f:
            code, rss_kb, cpu = json.load(f)
    return code, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace"), rss_kb / 1024, cpu


def _check(path, *extra):
    code, out, err, rss, cpu = run_cli("check", "-o", "json", *extra, path)
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err and "内部错误" not in out + err, err[-2000:]
    assert rss <= MAX_RSS_MB, f"{path.name}: {rss:.0f} MB"
    assert cpu <= MAX_CPU_S, f"{path.name}: {cpu:.1f} s"
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
    else:
        assert err == "", err          # no warnings from the PDF engines, no noise
    return code, out, err


@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.pdf")), ids=lambda p: p.name)
def test_a_hostile_pdf_ends_in_findings_or_one_line_within_300_mb(path):
    _check(path)


def _rules(out: str) -> list[str]:
    return [f["rule"] for f in json.loads(out)["findings"]]


@pytest.mark.parametrize("name", ["pdf_textops_flood_10KB.pdf", "pdfbomb_8x63MB.pdf"])
def test_a_stream_bomb_or_an_operator_flood_is_answered_as_too_large(name):
    code, out, _err = _check(HOSTILE / name)
    assert code == 1 and _rules(out) == ["P090"]


def _bomb(streams: int, mb: int = 63) -> bytes:
    """The 30-stream recipe of ../shared/hostile/README.md: /Contents of N Flate streams of
    `mb` MB of spaces each (every one under the old per-stream cap)."""
    z = zlib.compressobj(9)
    blob = b"".join(z.compress(b" " * (1 << 20)) for _ in range(mb)) + z.flush()
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(streams))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [" + kids + b"] >>"]
    objs += [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(blob) + blob + b"\nendstream"] * streams
    return pdf_from_objects(objs)


def test_thirty_streams_of_63_mb_are_capped_per_file_not_per_stream(tmp_path):
    p = tmp_path / "pdfbomb_30x63MB.pdf"
    p.write_bytes(_bomb(30))
    assert p.stat().st_size < 4 << 20
    code, out, _err = _check(p)
    assert code == 1 and _rules(out) == ["P090"]
    # with the size limit raised past the bomb the file is still bounded … by that limit
    code, out, _err = _check(p, "--max-bytes", "120MB")
    assert _rules(out) == ["P090"]


def test_a_page_flooded_with_text_operators_in_an_uncompressed_stream_is_too_large(tmp_path):
    content = b"BT /F1 12 Tf 72 720 Td " + b"(1) Tj " * 400_000 + b"ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offs = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    p = tmp_path / "flood.pdf"
    p.write_bytes(out)
    code, out, _err = _check(p)
    assert _rules(out) == ["P090"]


@pytest.mark.parametrize("name,text", [("pdf_ligature_fi.pdf", "2023fiBfi"), ("pdf_tounicode_2cjk.pdf", "2023一二B一二")])
def test_a_glyph_that_stands_for_several_characters_gives_them_its_position(name, text):
    doc = read_bytes((HOSTILE / name).read_bytes(), name)
    assert doc.text.strip() == text
    i = doc.text.index(text[4:6])               # the two characters of the first glyph
    a, b = doc.location(i), doc.location(i + 1)
    assert (a.page, a.line, a.column) == (b.page, b.line, b.column) == (1, 1, 5)
    c = doc.location(i + 2)                      # the next glyph: the next position
    assert (c.line, c.column) == (1, 6)


def test_a_glyph_mapped_to_nothing_is_read_as_its_code():
    doc = read_bytes((HOSTILE / "pdf_tounicode_empty.pdf").read_bytes(), "x.pdf")
    assert doc.text.strip() == "2023ABA"


@pytest.mark.parametrize("name", ["pdf_mediabox_indexerror.pdf", "pdf_mediabox_1e308.pdf"])
def test_a_page_with_a_broken_mediabox_is_still_read(name):
    doc = read_bytes((HOSTILE / name).read_bytes(), name)
    assert doc.text.strip() == "2023"


@pytest.mark.parametrize("name,pages", [("pdf_pdfminerexception0.pdf", [2, 3, 4]),
                                        ("pdf_invalid_dict_construct.pdf", [4]),
                                        ("pdf_valueerror.pdf", [4])])
def test_damaged_pages_are_named_and_the_other_pages_are_read(name, pages):
    doc = read_bytes((HOSTILE / name).read_bytes(), name)
    assert [n.args["page"] for n in doc.notes if n.kind == "page-unreadable"] == pages
    assert doc.text.strip()


def test_what_the_engine_could_not_read_is_told_at_verbose_only():
    path = HOSTILE / "pdf_pdfminerexception0.pdf"
    _code, _out, err, _rss, _cpu = run_cli("check", "-o", "concise", "--verbose", path)
    assert "PDF 第3页无法读取" in err and "Traceback" not in err
    _code, _out, err, _rss, _cpu = run_cli("check", "-o", "concise", path)
    assert err == ""


def test_an_empty_ruled_table_is_read_as_a_grid_of_empty_cells():
    doc = read_bytes((HOSTILE / "pdf_table_without_any_character.pdf").read_bytes(), "x.pdf")
    empty = [g for g in doc.grids() if all(c.start == c.end for c in g.cells)]
    assert empty and all(g.n_cols >= 2 for g in empty)
