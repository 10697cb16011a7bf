"""The PDF reader talks to PDFium through pypdfium2's raw ctypes bindings only (issue 15.3):
pypdfium2's helper layer costs ~25 ms at every start and the reader needs none of it.  The
library is initialised once per process, and pypdfium2 itself still works when something else
in the process (the web page's warm-up) imports it afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "tests" / "corpus" / "pdf" / "huaian_2024.pdf"

_PROBE = r"""
import json, sys
from validator.readers import read_path
doc = read_path(sys.argv[1])
first = doc.source.text
loaded = sorted(m for m in sys.modules if m.startswith("pypdfium2"))
import pypdfium2                      # the helper layer, after the reader initialised PDFium
pdf = pypdfium2.PdfDocument(sys.argv[1])
pages = len(pdf)
pdf.close()
again = read_path(sys.argv[1]).source.text
print(json.dumps({"loaded": loaded, "pages": pages, "same": first == again, "chars": len(first)}))
"""


def test_the_pdf_reader_loads_only_the_raw_bindings_and_pypdfium2_still_works_after_it():
    r = subprocess.run([sys.executable, "-c", _PROBE, str(PDF)], capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "pypdfium2_raw" in out["loaded"]
    assert not [m for m in out["loaded"] if m == "pypdfium2" or m.startswith("pypdfium2.")], out["loaded"]
    assert out["pages"] >= 1 and out["same"] and out["chars"] > 1000


def test_a_file_pdfium_cannot_open_is_a_one_line_read_error(tmp_path):
    from validator.readers import ReadError, read_path
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    try:
        read_path(bad)
    except ReadError as exc:
        assert "不是有效的 PDF 文件" in str(exc) and "\n" not in str(exc)
    else:
        raise AssertionError("no ReadError")
