#!/usr/bin/env python3
"""xxgk-lint benchmarks (issue 6) — not part of the test suite.

    .venv/bin/python benchmarks/bench.py            # everything (about a minute on 2 cores)
    .venv/bin/python benchmarks/bench.py --quick    # fewer repetitions
    .venv/bin/python benchmarks/bench.py --json out.json
    .venv/bin/python benchmarks/bench.py --src /path/to/other/checkout   # compare a version
    .venv/bin/python benchmarks/bench.py --cold 21  # only floor and cold check, 21 pairs

What is measured is what users install: the package is installed as the README says
(`pip install .`, not editable) into a temporary virtual environment whose dependencies are
those of the running one (a path entry, no download), and the floor and every CLI figure
run with that environment's Python and `xxgk-lint`.  The development venv's editable install
(`pip install -e`) adds an import finder that costs ~10 ms at every start, in the floor and
in the check alike; `--editable` measures it as it is instead.  `--src DIR` installs DIR the
same way (side by side with another checkout).  The runs use a start-up cache directory of
their own (XXGK_LINT_CACHE_DIR, unless set), as a user's ~/.cache/xxgk-lint is theirs alone.

Each figure is given as wall time and as CPU time (user + sys of the processes): on a busy
machine (CI, other jobs) wall time is noisy, CPU time much less so.  Before measuring, the
package is byte-compiled (`compileall`), as `pip install` does: without .pyc files (e.g.
PYTHONDONTWRITEBYTECODE=1 with an editable install) every start recompiles the sources.

Measures, on the machine it runs on:

* floor:      `python -c "import lark, rich, yaml"` (process start to exit, median) — what
              the dependencies alone cost;
* cold check: `xxgk-lint check -o concise REPORT` for one real report, measured in pairs with
              the floor (median of the per-pair ratios); target ≤ 1.6 × floor (issue 15.4);
* parse:      normalise + parse of a 20 KB report, warm, median; target ≤ 20 ms;
* throughput: reports/s over a generated corpus of ≥ 1,000 reports (the real text reports,
              repeated and varied: year, numbers, issuer, line breaks, spacing), in one
              process and with all cores — both in-process (the pipeline alone) and through
              the CLI (`--jobs 1` / `--jobs N`, start-up included); target ≥ 200 reports/s
              per core; the CLI `--no-cross` figures (the 600 reports/s target with
              `--jobs 2`) are the median of 5 runs (3 with --quick), with the range;
* province batch: `check --jobs N` over ≥ 1,000 reports of distinct issuers (each real text
              report given other place names as issuers, varied as above), with the cross
              step (every report against every other issuer's report of the year) and with
              `--no-cross` (`--distinct N`, `--only-distinct`);
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

TARGET_COLD_X = 1.6   # issue 15.4 (was 2.5, issue 6)
TARGET_RPS_PER_CORE = 200
TARGET_PEAK_MB = 150
TARGET_PARSE_MS = 20


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
SRC: Path | None = None   # --src: measure another checkout (PYTHONPATH) instead of this one


INSTALLED = False   # PY/EXE are a temporary environment with the package installed (install_env)


CACHE_DIR: str | None = None   # a private start-up cache for the runs (see main)


def _env():
    env = dict(os.environ)
    if SRC is not None and not INSTALLED:
        env["PYTHONPATH"] = str(SRC)
    if CACHE_DIR is not None:
        env["XXGK_LINT_CACHE_DIR"] = CACHE_DIR
    return env


def cli_cmd(*args) -> list[str]:
    if (SRC is not None and not INSTALLED) or not EXE.exists():
        return [PY, "-m", "validator", *args]
    return [str(EXE), *args]


def install_env(tree: Path, dest: Path) -> None:
    """`pip install tree` (not editable) into a new virtual environment at dest that uses the
    running environment's libraries; PY and EXE become its python and xxgk-lint."""
    global PY, EXE, INSTALLED
    import site
    import venv
    venv.EnvBuilder(with_pip=False).create(dest)
    py = dest / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # a plain path line: the libraries of this environment, without running its .pth files
    # (so without the editable install's finder)
    Path(purelib, "_bench_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps", str(tree)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"bench: pip install {tree} failed (use --editable to measure the development venv as it is):\n"
                         + r.stderr[-2000:])
    PY, EXE, INSTALLED = str(py), dest / "bin" / "xxgk-lint", True


class Run:
    __slots__ = ("wall", "cpu", "code", "maxrss_kb")

    def __init__(self, wall, cpu, code, maxrss_kb):
        self.wall, self.cpu, self.code, self.maxrss_kb = wall, cpu, code, maxrss_kb


def run_timed(cmd: list[str], cwd=None) -> Run:
    """Wall seconds, CPU seconds (user+sys, children included), exit code, max RSS in KB."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=_env())
    _pid, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    return Run(dt, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status), ru.ru_maxrss)


def median_time(cmd, n, cwd=None) -> tuple[float, float]:
    """(median wall, median CPU) seconds over n runs after one warm-up run."""
    warm = run_timed(cmd, cwd)  # warm the OS cache (and the grammar cache)
    if warm.code not in (0, 1):
        raise SystemExit(f"bench: {' '.join(cmd)} exited {warm.code}; nothing measured")
    runs = [run_timed(cmd, cwd) for _ in range(n)]
    return statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs)


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


def make_distinct_corpus(dest: Path, n: int) -> list[Path]:
    """A province's batch: n reports of n distinct issuers, one year each base report's —
    the real text reports, each given another place name as its issuer (the issuer's kind
    kept: …县人民政府, …局) and varied as above.  Reports made from the same base report are
    copies of one another's text: comparing them with other issuers' reports of the year
    (copied_text, against: peer) finds them, as it should."""
    import itertools

    from validator.lint import Options, lint_path
    bases = []
    for p in text_reports():
        r = lint_path(str(p), Options())
        md = r.report.metadata if r.report else None
        bases.append((p.read_text(encoding="utf-8"), md.issuer if md else None))
    chars = "安平和兴宁远东西南北新昌华阳城山河泉林湖清江永丰德"
    names = ["".join(t) for k in (2, 3) for t in itertools.permutations(chars, k)]
    rnd = random.Random(7)
    rnd.shuffle(names)
    files = []
    for i in range(n):
        text, iss = bases[i % len(bases)]
        if iss:
            place = names[i] + "县"
            text = text.replace(iss, place + iss[-4:] if iss.endswith("人民政府") else place + iss)
        text = vary(text, rnd, i // len(bases))
        p = dest / f"d{i:05d}.txt"
        p.write_text(text, encoding="utf-8")
        files.append(p)
    return files


def bench_distinct(files: list[Path], cores: int, tmp: Path) -> dict:
    """`check --jobs N` over a province's batch (make_distinct_corpus), with and without the
    comparison of reports (the peers: every report against every other issuer's)."""
    out = {"distinct_reports": len(files)}
    args = [str(p) for p in files]
    jobs = ["--jobs", str(cores)] if _has_jobs() else []
    for name, extra in (("cross", []), ("nocross", ["--no-cross"])):
        r = run_timed(cli_cmd("check", "-o", "concise", "-q", "--exit-zero", *jobs, *extra, *args), cwd=tmp)
        out[f"distinct_{name}_wall_s"] = r.wall
        out[f"distinct_{name}_cpu_s"] = r.cpu
        out[f"distinct_{name}_rps"] = len(files) / r.wall
        out[f"distinct_{name}_rps_cpu"] = len(files) / r.cpu
        out[f"distinct_{name}_maxrss_mb"] = r.maxrss_kb / 1024
        out[f"distinct_{name}_exit"] = r.code
    return out


def twenty_kb_report() -> str:
    """A 2021-format report of about 20 KB: a real one with its prose padded from others."""
    base = (CORPUS / "reports" / "011_huaian_2024.txt").read_text(encoding="utf-8")
    extra = (CORPUS / "reports" / "008_pingtan_2018.txt").read_text(encoding="utf-8")
    paras = [ln for ln in extra.split("\n") if len(ln) > 40 and "|" not in ln]
    head, sep, rest = base.partition("二、")
    budget = 20 * 1024 - len((head + sep + rest).encode("utf-8")) - 1
    pad = []
    i = 0
    while budget > 0:
        p = paras[i % len(paras)]
        b = p.encode("utf-8")[:budget].decode("utf-8", "ignore")
        pad.append(b)
        budget -= len(b.encode("utf-8")) + 1
        i += 1
    return head + "\n".join(pad) + "\n" + sep + rest


# --------------------------------------------------------------------------------------
# measurements
# --------------------------------------------------------------------------------------
def _has_jobs() -> bool:
    return _has_flag("--jobs")


def _has_flag(flag: str) -> bool:
    r = subprocess.run(cli_cmd("check", "--help"), capture_output=True, env=_env(), cwd=tempfile.gettempdir())
    return flag.encode() in r.stdout


def bench_floor_and_cold(n: int) -> dict:
    """Floor and cold check measured in pairs (one of each, alternately), so both see the same
    load; the ratios are medians of the per-pair ratios."""
    floor_cmd = [PY, "-c", "import lark, rich, yaml"]
    bare_w, bare_c = median_time([PY, "-c", "pass"], n)
    jobs = ["--jobs", "1"] if _has_jobs() else []
    # cwd outside the checkout: `python -m` puts the cwd first on sys.path (--src must win)
    cold_cmd = cli_cmd("check", "-o", "concise", *jobs, str(COLD_REPORT))
    cwd = tempfile.gettempdir()
    run_timed(floor_cmd)
    warm = run_timed(cold_cmd, cwd)   # warm the OS cache (and the start-up caches)
    if warm.code not in (0, 1):
        raise SystemExit(f"bench: {' '.join(cold_cmd)} exited {warm.code}; nothing measured")
    pairs = [(run_timed(floor_cmd), run_timed(cold_cmd, cwd)) for _ in range(n)]
    med = statistics.median
    floor_w, floor_c = med(f.wall for f, _ in pairs), med(f.cpu for f, _ in pairs)
    cold_w, cold_c = med(c.wall for _, c in pairs), med(c.cpu for _, c in pairs)
    return {"python_bare_ms": bare_w * 1000, "floor_ms": floor_w * 1000, "floor_cpu_ms": floor_c * 1000,
            "cold_check_ms": cold_w * 1000, "cold_check_cpu_ms": cold_c * 1000,
            "cold_x_floor": med(c.wall / f.wall for f, c in pairs),
            "cold_x_floor_cpu": med(c.cpu / f.cpu for f, c in pairs),
            # how noisy the pairs were: the middle half of the per-pair ratios (wall)
            "cold_x_floor_quartiles": _quartiles([c.wall / f.wall for f, c in pairs])}


def _quartiles(xs: list[float]) -> tuple[float, float]:
    if len(xs) < 4:
        return (min(xs), max(xs))
    q = statistics.quantiles(xs, n=4)
    return (q[0], q[2])


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
    cpu = []
    for _ in range(n):
        t = time.perf_counter()
        c = time.process_time()
        parse(normalize(src))
        cpu.append(time.process_time() - c)
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
        per_file[p.name] = round(statistics.median(ts) * 1000, 1)
    return {"parse_20kb_bytes": size, "parse_20kb_ms": statistics.median(times) * 1000,
            "parse_20kb_cpu_ms": statistics.median(cpu) * 1000,
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


def _timed_worker(paths):
    """(reports, wall seconds, CPU seconds) of checking paths in this process."""
    t, c = time.perf_counter(), time.process_time()
    n = _inproc_worker(paths)
    return n, time.perf_counter() - t, time.process_time() - c


def bench_throughput(files: list[Path], cores: int, tmp: Path, runs: int = 5) -> dict:
    out = {"reports": len(files), "cores": cores}
    _inproc_worker(files[:20])  # warm: rules, grammar, formats
    # in-process, 1 core
    n, wall, cpu = _timed_worker(files)
    out["inproc_1core_rps"] = n / wall
    out["inproc_1core_rps_cpu"] = n / cpu
    # the Python heap peak while checking (tracemalloc slows Python down: on 100 reports)
    import tracemalloc
    tracemalloc.start()
    _inproc_worker(files[:100])
    out["inproc_tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    # in-process, all cores
    if cores > 1:
        import multiprocessing as mp
        chunks = [files[i::cores] for i in range(cores)]
        with mp.get_context("fork").Pool(cores) as pool:
            pool.map(_inproc_worker, [c[:10] for c in chunks])  # warm each worker
            t = time.perf_counter()
            res = pool.map(_timed_worker, chunks)
            wall = time.perf_counter() - t
        out["inproc_allcores_rps"] = len(files) / wall
        out["inproc_allcores_rps_cpu_per_core"] = len(files) / sum(r[2] for r in res)
    # through the CLI (start-up included), files given on the command line
    args = [str(p) for p in files]
    jobs_ok = _has_jobs()
    for jobs in (sorted({1, cores}) if jobs_ok else [1]):
        extra = ["--jobs", str(jobs)] if jobs_ok else []
        r = run_timed(cli_cmd("check", "-o", "concise", "-q", "--exit-zero", *extra, *args), cwd=tmp)
        out[f"cli_jobs{jobs}_rps"] = len(files) / r.wall
        out[f"cli_jobs{jobs}_rps_cpu"] = len(files) / r.cpu
        out[f"cli_jobs{jobs}_maxrss_mb"] = r.maxrss_kb / 1024
        out[f"cli_jobs{jobs}_exit"] = r.code
    # the same files, each checked on its own (no cross-report pairing of the batch): what a
    # pre-commit hook or a per-file CI gate pays; the run above also compares every pair of
    # reports of one issuer and year and same-year peers (issue 14), which grows with the batch
    # (the figure of the target: the median of `runs` runs, not one run, which lands anywhere in
    # a range of ±5 % on a shared machine — and right after the heavy cross run above)
    if _has_flag("--no-cross"):
        for jobs in (sorted({1, cores}) if jobs_ok else [1]):
            extra = ["--jobs", str(jobs)] if jobs_ok else []
            rs = [run_timed(cli_cmd("check", "-o", "concise", "-q", "--exit-zero", "--no-cross", *extra, *args), cwd=tmp)
                  for _ in range(runs)]
            walls = sorted(r.wall for r in rs)
            out[f"cli_nocross_jobs{jobs}_runs"] = runs
            out[f"cli_nocross_jobs{jobs}_rps"] = len(files) / statistics.median(walls)
            out[f"cli_nocross_jobs{jobs}_rps_range"] = (len(files) / walls[-1], len(files) / walls[0])
            out[f"cli_nocross_jobs{jobs}_rps_cpu"] = len(files) / statistics.median(r.cpu for r in rs)
            out[f"cli_nocross_jobs{jobs}_maxrss_mb"] = max(r.maxrss_kb for r in rs) / 1024
    return out


def _ok(flag: bool) -> str:
    return "met" if flag else "NOT met"


def _print_distinct(res: dict, cores: int, n: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        files = make_distinct_corpus(tmp, n)
        res.update(bench_distinct(files, cores, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for name, what in (("cross", "                  "), ("nocross", " --no-cross       ")):
        print(f"  province batch {n} distinct issuers, CLI --jobs {cores}{what}: {res[f'distinct_{name}_rps']:7.1f} reports/s"
              f" ({res[f'distinct_{name}_rps_cpu']:.1f} per CPU-second); {res[f'distinct_{name}_wall_s']:.1f} s wall,"
              f" {res[f'distinct_{name}_cpu_s']:.1f} s CPU, max RSS {res[f'distinct_{name}_maxrss_mb']:.0f} MB", flush=True)


def main(argv=None) -> int:
    global SRC
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (figures are noisier)")
    ap.add_argument("--reports", type=int, default=1000, help="size of the generated corpus (default 1000)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--src", metavar="DIR", help="measure the checkout in DIR (PYTHONPATH) instead of this one")
    ap.add_argument("--cold", metavar="N", type=int,
                    help="only the floor and the cold check, N pairs (side by side with --src in another run)")
    ap.add_argument("--no-compile", action="store_true", help="do not byte-compile the package first")
    ap.add_argument("--distinct", metavar="N", type=int, default=1000,
                    help="size of the province's batch (distinct issuers) checked with and without cross (0: skip)")
    ap.add_argument("--only-distinct", action="store_true",
                    help="only the province's batch (side by side with --src in another run)")
    ap.add_argument("--editable", action="store_true",
                    help="measure the development venv as it is (editable install) instead of a `pip install .`")
    args = ap.parse_args(argv)
    if args.src:
        SRC = Path(args.src).resolve()
        sys.path.insert(0, str(SRC))
    pkg = (SRC or ROOT) / "validator"
    if not args.no_compile:
        import compileall
        compileall.compile_dir(str(pkg), quiet=1)
    global CACHE_DIR
    if not os.environ.get("XXGK_LINT_CACHE_DIR"):
        # the start-up caches of this run alone (as a user's own ~/.cache/xxgk-lint): other
        # checkouts and test runs on the machine cannot push its entries out mid-measurement
        CACHE_DIR = tempfile.mkdtemp(prefix="xxgk-bench-cache-")
    env_dir = None
    if not args.editable:
        env_dir = Path(tempfile.mkdtemp(prefix="xxgk-bench-env-"))
        install_env(SRC or ROOT, env_dir)
    try:
        return _main(args)
    finally:
        if env_dir is not None:
            shutil.rmtree(env_dir, ignore_errors=True)
        if CACHE_DIR is not None:
            shutil.rmtree(CACHE_DIR, ignore_errors=True)


def _main(args) -> int:
    n = args.cold or (5 if args.quick else 15)
    cores = os.cpu_count() or 1
    import validator
    res: dict = {"python": sys.version.split()[0], "cores": cores, "package": str(Path(validator.__file__).parent)}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"xxgk-lint benchmarks — {res['package']}, Python {res['python']}, {cores} cores, load {load:.1f}", flush=True)
    res["install"] = "pip install . (temporary environment)" if INSTALLED else "as is (development venv, editable)"
    res["pythonunbuffered"] = bool(os.environ.get("PYTHONUNBUFFERED"))
    print(f"  CLI figures: {res['install']}"
          + ("; PYTHONUNBUFFERED is set (as in many CI images)" if res["pythonunbuffered"] else ""))
    print("  (wall / CPU; CPU = user+sys of the processes, steadier on a busy machine)")

    if args.only_distinct:
        _print_distinct(res, cores, args.distinct)
        if args.json:
            Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    res.update(bench_floor_and_cold(n))
    print(f"  floor  python -c 'import lark, rich, yaml' : {res['floor_ms']:7.1f} ms / {res['floor_cpu_ms']:6.1f} ms cpu"
          f"  (bare python {res['python_bare_ms']:.1f} ms)")
    print(f"  cold   xxgk-lint check, one report          : {res['cold_check_ms']:7.1f} ms / {res['cold_check_cpu_ms']:6.1f} ms cpu"
          f"  = {res['cold_x_floor']:.2f}× / {res['cold_x_floor_cpu']:.2f}× floor"
          f"  [target ≤ {TARGET_COLD_X}×: {_ok(res['cold_x_floor'] <= TARGET_COLD_X)}]", flush=True)
    lo, hi = res["cold_x_floor_quartiles"]
    print(f"         middle half of the {n} pairs' ratios: {lo:.2f}–{hi:.2f}× (a wide spread: a busy machine;"
          " compare versions in alternating runs)", flush=True)
    if args.cold:
        if args.json:
            Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0

    res.update(bench_parse(10 if args.quick else 40))
    print(f"  parse  normalise+parse, {res['parse_20kb_bytes'] / 1024:.1f} KB report     : {res['parse_20kb_ms']:7.1f} ms / "
          f"{res['parse_20kb_cpu_ms']:6.1f} ms cpu  [target ≤ {TARGET_PARSE_MS} ms: {_ok(res['parse_20kb_ms'] <= TARGET_PARSE_MS)}]"
          f"  (whole lint {res['lint_20kb_ms']:.1f} ms)", flush=True)
    slowest = sorted(res["parse_ms_per_corpus_file"].items(), key=lambda x: -x[1])[:3]
    print("         slowest corpus files: " + ", ".join(f"{k} {v} ms" for k, v in slowest))

    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        files = make_corpus(tmp, args.reports)
        size = sum(p.stat().st_size for p in files)
        print(f"  corpus {len(files)} reports, {size / 2 ** 20:.1f} MB (real text reports repeated and varied)", flush=True)
        res.update(bench_throughput(files, cores, tmp, 3 if args.quick else 5))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    one = res["inproc_1core_rps"]
    print(f"  throughput in-process, 1 core             : {one:7.1f} reports/s ({res['inproc_1core_rps_cpu']:.1f} per CPU-second)"
          f"  [target ≥ {TARGET_RPS_PER_CORE}/core: {_ok(max(one, res['inproc_1core_rps_cpu']) >= TARGET_RPS_PER_CORE)}]")
    if "inproc_allcores_rps" in res:
        print(f"  throughput in-process, {cores} cores            : {res['inproc_allcores_rps']:7.1f} reports/s"
              f" ({res['inproc_allcores_rps_cpu_per_core']:.1f} per CPU-second per core)")
    for jobs in sorted({1, cores}):
        if f"cli_jobs{jobs}_rps" in res:
            print(f"  throughput CLI --jobs {jobs} (start-up incl.)   : {res[f'cli_jobs{jobs}_rps']:7.1f} reports/s"
                  f" ({res[f'cli_jobs{jobs}_rps_cpu']:.1f} per CPU-second), max RSS {res[f'cli_jobs{jobs}_maxrss_mb']:.0f} MB")
    for jobs in sorted({1, cores}):
        if f"cli_nocross_jobs{jobs}_rps" in res:
            lo, hi = res[f"cli_nocross_jobs{jobs}_rps_range"]
            print(f"  throughput CLI --jobs {jobs} --no-cross          : {res[f'cli_nocross_jobs{jobs}_rps']:7.1f} reports/s"
                  f" ({res[f'cli_nocross_jobs{jobs}_rps_cpu']:.1f} per CPU-second), max RSS "
                  f"{res[f'cli_nocross_jobs{jobs}_maxrss_mb']:.0f} MB  [target ≥ 600/s with --jobs 2: "
                  f"{_ok(res[f'cli_nocross_jobs{jobs}_rps'] >= 600) if jobs == 2 else '—'}]\n"
                  f"         median of {res[f'cli_nocross_jobs{jobs}_runs']} runs; slowest–fastest {lo:.1f}–{hi:.1f} reports/s")
    if args.distinct:
        _print_distinct(res, cores, args.distinct)
    peak = max(v for k, v in res.items() if k.startswith("cli_") and k.endswith("_maxrss_mb"))
    res["peak_mb"] = peak
    print(f"  memory peak RSS of one process (batch)    : {peak:7.1f} MB  [target ≤ {TARGET_PEAK_MB} MB: "
          f"{_ok(peak <= TARGET_PEAK_MB)}]; Python heap peak (tracemalloc, 100 reports) {res['inproc_tracemalloc_peak_mb']:.1f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
