#!/usr/bin/env python3
"""xxgk-lint benchmarks (issue 6) — not part of the test suite.

    .venv/bin/python benchmarks/bench.py            # everything (about a minute on 2 cores)
    .venv/bin/python benchmarks/bench.py --quick    # fewer repetitions
    .venv/bin/python benchmarks/bench.py --json out.json

Measures, on the machine it runs on:

* floor:      `python -c "import lark, rich, yaml"` (process start to exit, median) — what
              the dependencies alone cost;
* cold check: `xxgk-lint check -o concise REPORT` for one real report (median of N runs);
              target ≤ 2.5 × floor;
* parse:      normalise + parse of a 20 KB report, warm, median; target ≤ 20 ms;
* throughput: reports/s over a generated corpus of ≥ 1,000 reports (the real text reports,
              repeated and varied: year, numbers, issuer, line breaks, spacing), in one
              process and with all cores — both in-process (the pipeline alone) and through
              the CLI (`--jobs 1` / `--jobs N`, start-up included); target ≥ 200 reports/s
              per core;
* peak memory: maximum RSS of the CLI process checking the whole batch (getrusage via
              wait4) and the Python heap peak (tracemalloc) of the in-process batch;
              target ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
BIN = Path(sys.executable).parent
EXE = BIN / "xxgk-lint"
PY = sys.executable
COLD_REPORT = CORPUS / "reports" / "003_pingtan_2021.txt"

TARGET_COLD_X = 2.5
TARGET_RPS_PER_CORE = 200
TARGET_PEAK_MB = 150
TARGET_PARSE_MS = 20


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def run_timed(cmd: list[str], cwd=None) -> tuple[float, int, int]:
    """(seconds, exit code, max RSS in KB of the process and its waited-for children)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _pid, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    return dt, p.returncode, ru.ru_maxrss


def median_time(cmd, n, cwd=None) -> float:
    run_timed(cmd, cwd)  # warm the OS cache (and Lark's grammar cache)
    return statistics.median(run_timed(cmd, cwd)[0] for _ in range(n))


def text_reports() -> list[Path]:
    return sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))


_YEAR = re.compile(r"(20[12]\d)(\s*年)")
_NUM = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")


def vary(text: str, rnd: random.Random, k: int) -> str:
    """A plausible different report: other issuer, shifted numbers, other layout details."""
    out = text
    if k % 3 == 1:  # change small numbers (keeps the shape, breaks some sums: more findings)
        out = _NUM.sub(lambda m: str(int(m.group(1)) + rnd.choice((0, 0, 1, 2))), out)
    if k % 4 == 2:
        out = out.replace("\n", "\r\n")
    if k % 5 == 3:
        out = out.replace("政府", "人民政府", 1)
    if k % 7 == 4:
        out = re.sub(r"[ \t]{2,}", " ", out)
    if k % 2:
        out = out.replace("平潭综合实验区", rnd.choice(["某某县", "某某市某某区", "某某自治县"]))
    return out


def make_corpus(dest: Path, n: int) -> list[Path]:
    rnd = random.Random(20260101)
    src = [p.read_text(encoding="utf-8") for p in text_reports()]
    files = []
    for k in range(n):
        text = vary(src[k % len(src)], rnd, k // len(src))
        p = dest / f"r{k:05d}.txt"
        p.write_text(text, encoding="utf-8")
        files.append(p)
    return files


def twenty_kb_report() -> str:
    """A 2021-format report of about 20 KB: a real one with its prose padded from others."""
    base = (CORPUS / "reports" / "011_huaian_2024.txt").read_text(encoding="utf-8")
    extra = (CORPUS / "reports" / "008_pingtan_2018.txt").read_text(encoding="utf-8")
    paras = [ln for ln in extra.split("\n") if len(ln) > 40 and "|" not in ln]
    head, sep, rest = base.partition("二、")
    pad = []
    i = 0
    while len((head + "\n".join(pad) + sep + rest).encode("utf-8")) < 20 * 1024:
        pad.append(paras[i % len(paras)])
        i += 1
    return head + "\n".join(pad) + "\n" + sep + rest


# --------------------------------------------------------------------------------------
# measurements
# --------------------------------------------------------------------------------------
def bench_floor_and_cold(n: int) -> dict:
    floor = median_time([PY, "-c", "import lark, rich, yaml"], n)
    bare = median_time([PY, "-c", "pass"], n)
    cold = median_time([str(EXE), "check", "-o", "concise", "--jobs", "1", str(COLD_REPORT)], n)
    cold_m = median_time([PY, "-m", "validator", "check", "-o", "concise", "--jobs", "1", str(COLD_REPORT)], n)
    return {"python_bare_ms": bare * 1000, "floor_ms": floor * 1000, "cold_check_ms": cold * 1000,
            "cold_check_module_ms": cold_m * 1000, "cold_x_floor": cold / floor}


def bench_parse(n: int) -> dict:
    from validator.normalize import normalize
    from validator.parse import parse
    from validator.source import SourceText
    from validator.lint import Options, lint_source
    text = twenty_kb_report()
    size = len(text.encode("utf-8"))
    src = SourceText.from_original(text, path="20kb.txt")
    parse(normalize(src))  # warm: grammar, formats
    times = []
    for _ in range(n):
        t = time.perf_counter()
        parse(normalize(src))
        times.append(time.perf_counter() - t)
    full = []
    for _ in range(max(5, n // 4)):
        t = time.perf_counter()
        lint_source(SourceText.from_original(text, path="20kb.txt"), Options())
        full.append(time.perf_counter() - t)
    per_file = {}
    for p in text_reports():
        s = SourceText.from_original(p.read_text(encoding="utf-8"), path=str(p))
        ts = []
        for _ in range(5):
            t = time.perf_counter()
            parse(normalize(s))
            ts.append(time.perf_counter() - t)
        per_file[p.name] = round(min(ts) * 1000, 1)
    return {"parse_20kb_bytes": size, "parse_20kb_ms": statistics.median(times) * 1000,
            "lint_20kb_ms": statistics.median(full) * 1000, "parse_ms_per_corpus_file": per_file}


def _inproc_worker(paths):
    from validator.lint import Options, lint_path
    from validator.rules import load_rules
    rules = load_rules(())
    opts = Options()
    n = 0
    for p in paths:
        lint_path(str(p), opts, rules)
        n += 1
    return n


def bench_throughput(files: list[Path], cores: int, tmp: Path) -> dict:
    out = {"reports": len(files), "cores": cores}
    # in-process, 1 core (and the Python heap peak)
    import tracemalloc
    _inproc_worker(files[:20])  # warm
    tracemalloc.start()
    t = time.perf_counter()
    _inproc_worker(files)
    dt = time.perf_counter() - t
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t = time.perf_counter()
    _inproc_worker(files)
    dt_plain = time.perf_counter() - t
    out["inproc_1core_rps"] = len(files) / dt_plain
    out["inproc_tracemalloc_peak_mb"] = peak / 2 ** 20
    del dt
    # in-process, all cores
    if cores > 1:
        import multiprocessing as mp
        chunks = [files[i::cores] for i in range(cores)]
        ctx = mp.get_context("fork")
        with ctx.Pool(cores) as pool:
            pool.map(_inproc_worker, [c[:10] for c in chunks])  # warm each worker
            t = time.perf_counter()
            pool.map(_inproc_worker, chunks)
            out["inproc_allcores_rps"] = len(files) / (time.perf_counter() - t)
    # through the CLI (start-up included), files given on the command line
    args = [str(p) for p in files]
    for jobs in sorted({1, cores}):
        dt, code, rss = run_timed([str(EXE), "check", "-o", "concise", "-q", "--exit-zero", "--jobs", str(jobs), *args],
                                  cwd=tmp)
        out[f"cli_jobs{jobs}_rps"] = len(files) / dt
        out[f"cli_jobs{jobs}_maxrss_mb"] = rss / 1024
        out[f"cli_jobs{jobs}_exit"] = code
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (figures are noisier)")
    ap.add_argument("--reports", type=int, default=1000, help="size of the generated corpus (default 1000)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    n = 5 if args.quick else 15
    cores = os.cpu_count() or 1
    res: dict = {"python": sys.version.split()[0], "cores": cores}
    print(f"xxgk-lint benchmarks — Python {res['python']}, {cores} cores", flush=True)

    res.update(bench_floor_and_cold(n))
    print(f"  floor  python -c 'import lark, rich, yaml' : {res['floor_ms']:7.1f} ms  (bare python {res['python_bare_ms']:.1f} ms)")
    ok = res["cold_x_floor"] <= TARGET_COLD_X
    print(f"  cold   xxgk-lint check (one report)         : {res['cold_check_ms']:7.1f} ms  = {res['cold_x_floor']:.2f}× floor"
          f"  [target ≤ {TARGET_COLD_X}×: {'met' if ok else 'NOT met'}]", flush=True)

    res.update(bench_parse(40 if not args.quick else 10))
    ok = res["parse_20kb_ms"] <= TARGET_PARSE_MS
    print(f"  parse  normalise+parse, {res['parse_20kb_bytes'] / 1024:.1f} KB report      : {res['parse_20kb_ms']:7.1f} ms"
          f"  [target ≤ {TARGET_PARSE_MS} ms: {'met' if ok else 'NOT met'}]  (whole lint {res['lint_20kb_ms']:.1f} ms)",
          flush=True)
    slowest = sorted(res["parse_ms_per_corpus_file"].items(), key=lambda x: -x[1])[:3]
    print("         slowest corpus files: " + ", ".join(f"{k} {v} ms" for k, v in slowest))

    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        files = make_corpus(tmp, args.reports)
        size = sum(p.stat().st_size for p in files)
        print(f"  corpus {len(files)} reports, {size / 2 ** 20:.1f} MB (real text reports repeated and varied)", flush=True)
        res.update(bench_throughput(files, cores, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per_core = res["inproc_1core_rps"]
    print(f"  throughput in-process, 1 core             : {per_core:7.1f} reports/s"
          f"  [target ≥ {TARGET_RPS_PER_CORE}/core: {'met' if per_core >= TARGET_RPS_PER_CORE else 'NOT met'}]")
    if "inproc_allcores_rps" in res:
        print(f"  throughput in-process, {cores} cores            : {res['inproc_allcores_rps']:7.1f} reports/s")
    for jobs in sorted({1, cores}):
        print(f"  throughput CLI --jobs {jobs} (start-up incl.)   : {res[f'cli_jobs{jobs}_rps']:7.1f} reports/s,"
              f" max RSS {res[f'cli_jobs{jobs}_maxrss_mb']:.0f} MB")
    peak = max(res.get(f"cli_jobs{j}_maxrss_mb", 0) for j in {1, cores})
    res["peak_mb"] = peak
    print(f"  memory peak RSS of one process (batch)    : {peak:7.1f} MB  [target ≤ {TARGET_PEAK_MB} MB: "
          f"{'met' if peak <= TARGET_PEAK_MB else 'NOT met'}]; Python heap peak {res['inproc_tracemalloc_peak_mb']:.1f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
