#!/usr/bin/env python3
"""PDF benchmarks (issue 15.3) — not part of the test suite.

    .venv/bin/python benchmarks/bench_pdf.py              # about two minutes on 2 cores
    .venv/bin/python benchmarks/bench_pdf.py --quick
    .venv/bin/python benchmarks/bench_pdf.py --src /path/to/other/checkout   # another version
    .venv/bin/python benchmarks/bench_pdf.py --json out.json

Prints, on the machine it runs on (wall time and CPU time = user + sys of the process; on a
busy machine CPU time is the steadier figure):

* cold check: ``xxgk-lint check -o concise FILE.pdf`` against the same command on the
  report's own ``pdftotext -layout`` text copy (tests/corpus/reports/009–011), run in pairs
  (PDF, text, PDF, text …); the median of the per-pair ratios; target ≤ 1.5 ×;
* batch: ``xxgk-lint check --jobs 2`` over a directory of PDFs (the corpus and split-row test PDFs, repeated to
  ``--batch`` files), PDFs per second of the whole command; target ≥ 10 PDFs/s;
* in-process: CPU milliseconds of reading one PDF (validator.readers) and of the whole
  check (lint_path), minimum of repeated runs, and the peak RSS of the cold check.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
PY = sys.executable
EXE = Path(PY).parent / "xxgk-lint"
PAIRS = [("pdf/hongzequ_2023.pdf", "reports/009_hongzequ_2023.txt"),
         ("pdf/hongzequ_2024.pdf", "reports/010_hongzequ_2024.txt"),
         ("pdf/huaian_2024.pdf", "reports/011_huaian_2024.txt")]
TARGET_COLD_X = 1.5
TARGET_PDFS_PER_S = 10.0
SRC: Path | None = None


def _env():
    env = dict(os.environ)
    if SRC is not None:
        env["PYTHONPATH"] = str(SRC)
    return env


def cli(*args) -> list[str]:
    if SRC is not None or not EXE.exists():
        return [PY, "-m", "validator", *map(str, args)]
    return [str(EXE), *map(str, args)]


def run(cmd) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KB) of one process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
                         cwd=tempfile.gettempdir())
    _pid, _status, ru = os.wait4(p.pid, 0)
    # the workers of --jobs are children of the process: their CPU time is in ru too once
    # they have been waited for (ProcessPoolExecutor joins them before exit)
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def bench_cold(n: int) -> list[dict]:
    out = []
    for pdf, txt in PAIRS:
        p, t = CORPUS / pdf, CORPUS / txt
        run(cli("check", "-o", "concise", p))
        run(cli("check", "-o", "concise", t))
        a, b = [], []
        for _ in range(n):
            a.append(run(cli("check", "-o", "concise", p)))
            b.append(run(cli("check", "-o", "concise", t)))
        out.append({
            "pdf": pdf,
            "pdf_ms": statistics.median(x[0] for x in a) * 1000,
            "text_ms": statistics.median(x[0] for x in b) * 1000,
            "x_wall": statistics.median(x[0] / y[0] for x, y in zip(a, b)),
            "pdf_cpu_ms": statistics.median(x[1] for x in a) * 1000,
            "text_cpu_ms": statistics.median(x[1] for x in b) * 1000,
            "x_cpu": statistics.median(x[1] / y[1] for x, y in zip(a, b)),
            "pdf_rss_mb": max(x[2] for x in a) / 1024,
        })
    return out


def bench_batch(n_files: int, jobs: int, reps: int) -> dict:
    pdfs = sorted((CORPUS / "pdf").glob("*.pdf")) + sorted((ROOT / "tests" / "readers" / "data" / "split_pdf").glob("*.pdf"))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for k in range(n_files):
            src = pdfs[k % len(pdfs)]
            shutil.copy(src, d / f"{k:04d}_{src.name}")
        runs = [run(cli("check", "-o", "concise", "--jobs", jobs, d)) for _ in range(reps)]
        w = statistics.median(r[0] for r in runs)
        c = statistics.median(r[1] for r in runs)
        # CPU seconds of the whole command (workers included): what the run costs whatever
        # else the machine is doing; files / (CPU / jobs) is the rate with the cores to itself
        return {"files": n_files, "jobs": jobs, "wall_s": w, "pdfs_per_s": n_files / w,
                "cpu_s": c, "pdfs_per_s_cpu": n_files / (c / jobs)}


def bench_inproc(n: int) -> list[dict]:
    code = (
        "import sys, time, json\n"
        "from validator.readers import read_path\n"
        "from validator.lint import lint_path\n"
        "out = []\n"
        "for f in sys.argv[1:]:\n"
        "    read_path(f); lint_path(f)\n"
        "    rs, ls = [], []\n"
        "    for _ in range(%d):\n"
        "        t = time.process_time(); read_path(f); rs.append(time.process_time() - t)\n"
        "        t = time.process_time(); lint_path(f); ls.append(time.process_time() - t)\n"
        "    out.append({'pdf': f.split('/')[-1], 'read_cpu_ms': min(rs) * 1000, 'check_cpu_ms': min(ls) * 1000})\n"
        "print(json.dumps(out))\n" % n)
    files = [str(CORPUS / p) for p, _t in PAIRS]
    r = subprocess.run([PY, "-c", code, *files], capture_output=True, text=True, env=_env(),
                       cwd=tempfile.gettempdir())
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout)


def main() -> None:
    global SRC
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--src", type=Path, help="measure another checkout (PYTHONPATH)")
    ap.add_argument("--batch", type=int, default=80, help="PDFs in the --jobs run")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    SRC = args.src.resolve() if args.src else None
    subprocess.run([PY, "-m", "compileall", "-q", str(SRC or ROOT / "validator")], capture_output=True)
    n = 5 if args.quick else 11
    res = {"cold": bench_cold(n), "batch": bench_batch(args.batch, 2, 1 if args.quick else 3),
           "inproc": bench_inproc(5 if args.quick else 10), "cpus": os.cpu_count(),
           "load": os.getloadavg()[0]}
    print(f"PDF benchmarks ({'src ' + str(SRC) if SRC else 'this checkout'}; {res['cpus']} CPUs, load {res['load']:.1f})")
    print("cold check, PDF vs its pdftotext -layout copy (median of paired runs):")
    for c in res["cold"]:
        print(f"  {c['pdf']:<24} PDF {c['pdf_ms']:6.0f} ms  text {c['text_ms']:6.0f} ms  = {c['x_wall']:.2f} x"
              f"   | CPU {c['pdf_cpu_ms']:5.0f} / {c['text_cpu_ms']:5.0f} ms = {c['x_cpu']:.2f} x"
              f"   | peak {c['pdf_rss_mb']:.0f} MB")
    worst = max(c["x_wall"] for c in res["cold"])
    print(f"  worst {worst:.2f} x (target <= {TARGET_COLD_X} x) {'OK' if worst <= TARGET_COLD_X else 'MISSED'}")
    b = res["batch"]
    print(f"batch: {b['files']} PDFs, --jobs {b['jobs']}: {b['wall_s']:.2f} s = {b['pdfs_per_s']:.1f} PDFs/s "
          f"(target >= {TARGET_PDFS_PER_S}) {'OK' if b['pdfs_per_s'] >= TARGET_PDFS_PER_S else 'MISSED'}; "
          f"CPU {b['cpu_s']:.2f} s = {b['pdfs_per_s_cpu']:.1f} PDFs/s on {b['jobs']} free cores")
    print("in-process CPU (minimum of repeated runs):")
    for r in res["inproc"]:
        print(f"  {r['pdf']:<24} read {r['read_cpu_ms']:6.1f} ms   whole check {r['check_cpu_ms']:6.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
