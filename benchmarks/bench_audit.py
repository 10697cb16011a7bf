#!/usr/bin/env python3
"""Benchmarks of `xxgk-lint audit` (issue 15) — not part of the test suite.

    .venv/bin/python benchmarks/bench_audit.py                 # 10,000 reports (a few minutes)
    .venv/bin/python benchmarks/bench_audit.py --reports 2000  # smaller
    .venv/bin/python benchmarks/bench_audit.py --profile       # also: where a report's CPU goes

Makes N reports from the corpus with the project's test renderer (tests/renderings/render.py):
each corpus report with 2019/2021 tables in each of its renderings (pipe rows, Markdown, DOCX
with and without merged cells, HTML with spans, one cell per line, tab-separated), with two
table values changed by a different seed for each copy (`render.mutate`) — so the batch has
text, Markdown, HTML and DOCX files, with and without errors.  ``--vary`` makes the older
text-only batch instead (benchmarks/bench.py's `vary`).  Then it runs the CLI, start-up
included:

* ``audit --jobs 1``   (in this process, no Dask) — reports/s, peak RSS of the process;
* ``audit --jobs 2``   (a 2-worker Dask LocalCluster) — reports/s, peak RSS of each worker
  (target ≤ 150 MB), and the database: the same rows as the in-process run;
* database size (SQLite) and the Parquet export of the same data.

``--profile`` adds a cProfile of checking 300 reports in one process, by pipeline stage and
by the functions outside the parser and the rules (what the CLI adds per file).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402  (the corpus maker and the process timer)

TARGET_WORKER_MB = 150


def rows_digest(db_path: Path) -> tuple[int, int, int, str]:
    """(reports, findings, cells, digest of every row without times/run ids)."""
    db = sqlite3.connect(db_path)
    h = hashlib.sha256()
    n = []
    for sql in ("SELECT path, sha256, size, issuer, issuer_kind, year, format, template, status, reason, errors,"
                " warnings, infos, cells FROM reports ORDER BY path",
                "SELECT r.path, f.seq, f.rule, f.severity, f.message, f.line, f.col, f.page, f.numbers"
                " FROM findings f JOIN reports r USING (report_id) ORDER BY r.path, f.seq",
                "SELECT r.path, k.table_key, k.row_key, k.column_key, c.kind, c.value, c.raw, c.line, c.col"
                " FROM cells c JOIN cell_keys k USING (key_id) JOIN reports r USING (report_id)"
                " ORDER BY r.path, c.rowid"):
        k = 0
        for row in db.execute(sql):
            h.update(repr(row).encode())
            k += 1
        n.append(k)
    db.close()
    return n[0], n[1], n[2], h.hexdigest()[:16]


DOCX_SEEDS = 3   # python-docx takes ~0.3 s to write one: later DOCX copies reuse these bytes


def make_renderings(dest: Path, n: int) -> list[Path]:
    """n files from the test renderer (see module doc), round-robin over reports × renderings;
    copy i of a (report, rendering) has its values changed with seed i (DOCX: seed i mod
    DOCX_SEEDS, to keep the batch quick to make)."""
    sys.path.insert(0, str(bench.ROOT))
    from tests.renderings import render as R
    from tests.renderings import truth as T
    combos = [(rel, k) for rel in T.report_ids() for k in R.RENDERINGS]
    base = {rel: T.load(rel) for rel in T.report_ids()}
    mutated: dict = {}
    docx: dict = {}
    files = []
    for i in range(n):
        rel, k = combos[i % len(combos)]
        seed = i // len(combos)
        if R.EXTENSIONS[k] == ".docx":
            seed %= DOCX_SEEDS
        if (rel, seed) not in mutated:
            mutated[(rel, seed)] = base[rel] if seed == 0 else R.mutate(base[rel], seed=seed)[0]
        path = dest / f"r{i:05d}_{Path(rel).stem[:12]}{R.EXTENSIONS[k]}"
        if R.EXTENSIONS[k] == ".docx":
            if (rel, k, seed) not in docx:
                docx[(rel, k, seed)] = R.render(mutated[(rel, seed)], k)
            path.write_bytes(docx[(rel, k, seed)])
        else:
            path.write_bytes(R.render(mutated[(rel, seed)], k))
        files.append(path)
    return files


def run_audit(corpus: Path, out: Path, *extra) -> dict:
    cmd = bench.cli_cmd("audit", str(corpus), "--out", str(out), "-q", *extra)
    r = bench.run_timed(cmd, cwd=corpus.parent)
    if r.code != 0:
        raise SystemExit(f"audit failed ({r.code}): {' '.join(cmd)}")
    db = sqlite3.connect(bench.ROOT / out if not out.is_absolute() else out)
    info = json.loads(db.execute("SELECT info FROM runs ORDER BY run_id DESC").fetchone()[0] or "{}")
    db.close()
    return {"wall": r.wall, "cpu": r.cpu, "maxrss_mb": r.maxrss_kb / 1024, "info": info}


def profile(files: list[Path]) -> None:
    import cProfile
    import pstats
    from validator.lint import Options, lint_path
    from validator.rules import load_rules
    rules = load_rules(())
    opts = Options()
    for p in files[:20]:
        lint_path(str(p), opts, rules)
    pr = cProfile.Profile()
    pr.enable()
    for p in files:
        lint_path(str(p), opts, rules)
    pr.disable()
    st = pstats.Stats(pr)
    total = st.total_tt
    stages = {"read (readers)": "readers/__init__.py:read_path", "normalise": "normalize.py:normalize",
              "parse (all)": "parse/build.py:parse", "rules": "lint.py:run_rules",
              "suppress": "suppress.py:prepare"}
    print(f"  profile: {len(files)} reports in one process, {total / len(files) * 1000:.2f} ms CPU each (under cProfile)")
    found = {}
    for (fn, line, name), (_cc, _nc, _tt, ct, _callers) in st.stats.items():
        key = f"{fn.split('validator/')[-1]}:{name}"
        for label, want in stages.items():
            if key == want:
                found[label] = found.get(label, 0) + ct
    for label in stages:
        if label in found:
            print(f"    {label:<18} {found[label] / len(files) * 1000:6.2f} ms  ({found[label] / total * 100:4.1f} %)")
    print("    heaviest functions by own time:")
    rows = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:12]
    for (fn, line, name), (_cc, nc, tt, ct, _c) in rows:
        where = fn.split("validator/")[-1] if "validator/" in fn else os.path.basename(fn)
        print(f"      {tt / len(files) * 1000:6.3f} ms  {where}:{line}({name})  ×{nc // len(files)}/report")


def profile_cli(files: list[Path], tmp: Path) -> None:
    """Where `check --jobs 1` spends its time outside lint_path (config, discovery, output)."""
    out = tmp / "cli.prof"
    cmd = [bench.PY, "-m", "cProfile", "-o", str(out), "-m", "validator", "check", "-o", "concise", "-q",
           "--exit-zero", "--jobs", "1", *map(str, files)]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp, env=bench._env())
    import pstats
    st = pstats.Stats(str(out))
    total = st.total_tt
    lint = sum(v[3] for k, v in st.stats.items() if k[2] == "lint_path" and k[0].endswith("lint.py"))
    print(f"  CLI check --jobs 1, {len(files)} reports: {total:.2f} s CPU under cProfile, lint_path {lint:.2f} s "
          f"({lint / total * 100:.0f} %); outside lint_path {(total - lint) / len(files) * 1000:.2f} ms per report:")
    outside = {"validator/cli.py:options": "config per file (_Settings.options)",
               "validator/discover.py:discover": "file discovery",
               "validator/cli.py:of": "LiteResult.of (findings to reporter form)",
               "validator/reporters/concise.py:report": "concise output"}
    for (fn, _line, name), v in st.stats.items():
        key = f"validator/{fn.split('validator/')[-1]}:{name}" if "validator/" in fn else None
        if key in outside:
            print(f"    {outside[key]:<45} {v[3] / len(files) * 1000:6.3f} ms/report")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--vary", action="store_true", help="the text-only batch of bench.py instead of the renderer's")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the corpus and databases")
    args = ap.parse_args(argv)
    import compileall
    compileall.compile_dir(str(bench.ROOT / "validator"), quiet=1)
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xxgk-audit-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    res: dict = {"reports": args.reports, "cores": os.cpu_count()}
    load = os.getloadavg()[0]
    print(f"xxgk-lint audit benchmark — {args.reports} reports, {os.cpu_count()} cores, load {load:.1f}", flush=True)
    try:
        corpus = tmp / "corpus"
        if not corpus.exists() or len(list(corpus.iterdir())) != args.reports:
            shutil.rmtree(corpus, ignore_errors=True)
            corpus.mkdir()
            t = time.perf_counter()
            if args.vary:
                bench.make_corpus(corpus, args.reports)
            else:
                make_renderings(corpus, args.reports)
            print(f"  made in {time.perf_counter() - t:.0f} s", flush=True)
        size = sum(p.stat().st_size for p in corpus.iterdir())
        kinds = {}
        for p in corpus.iterdir():
            kinds[p.suffix] = kinds.get(p.suffix, 0) + 1
        how = "the corpus text reports, varied" if args.vary else "test renderer: " + ", ".join(
            f"{v} {k}" for k, v in sorted(kinds.items()))
        print(f"  corpus {args.reports} reports, {size / 2 ** 20:.1f} MB ({how})", flush=True)
        runs = {}
        for label, extra, out in (("in-process (--jobs 1)", ["--jobs", "1"], tmp / "a1.sqlite"),
                                  ("LocalCluster 2 workers (--jobs 2)", ["--jobs", "2"], tmp / "a2.sqlite")):
            for suffix in ("", "-wal", "-shm"):
                Path(str(out) + suffix).unlink(missing_ok=True)
            r = run_audit(corpus, out, *extra)
            r["db_mb"] = out.stat().st_size / 2 ** 20
            r["rows"] = rows_digest(out)
            runs[label] = r
            workers = r["info"].get("worker_peak_mb") or {}
            peak = max(workers.values()) if workers else r["maxrss_mb"]
            r["peak_worker_mb"] = peak
            ok = "met" if peak <= TARGET_WORKER_MB else "NOT met"
            print(f"  audit {label:<34}: {args.reports / r['wall']:7.1f} reports/s ({r['wall']:.1f} s wall, "
                  f"{args.reports / r['cpu']:.1f}/CPU-s of the CLI process), peak RSS per worker {peak:.0f} MB "
                  f"[target ≤ {TARGET_WORKER_MB} MB: {ok}]" + (f" (workers: {', '.join(f'{v:.0f}' for v in workers.values())} MB;"
                                                              f" client {r['maxrss_mb']:.0f} MB)" if workers else ""), flush=True)
            proc = r["info"].get("process", {})
            wcpu = r["info"].get("worker_cpu_s") or {}
            print(f"        CPU: audit process {proc.get('cpu_s', 0):.1f} s"
                  + (f" (client, scheduler, database), workers {', '.join(f'{v:.1f}' for v in wcpu.values())} s,"
                     f" all processes {r['cpu']:.1f} s" if wcpu else "")
                  + f" = {r['cpu'] / args.reports * 1000:.2f} ms per report")
            print(f"        database {r['db_mb']:.1f} MB; rows: {r['rows'][0]} reports, {r['rows'][1]} findings, "
                  f"{r['rows'][2]} cells; digest {r['rows'][3]}", flush=True)
        same = len({r["rows"] for r in runs.values()}) == 1
        print(f"  the same rows from both runs: {'yes' if same else 'NO'}")
        res["runs"] = runs
        res["same_rows"] = same
        # Parquet export of the same data
        pq = tmp / "a.parquet"
        shutil.rmtree(pq, ignore_errors=True)
        pq.mkdir()
        shutil.copy(tmp / "a1.sqlite", pq / "audit.sqlite")
        t = time.perf_counter()
        from validator.audit.store import export_parquet
        export_parquet(str(pq))
        pq_mb = sum(f.stat().st_size for f in pq.glob("*.parquet")) / 2 ** 20
        res["parquet_mb"] = pq_mb
        print(f"  Parquet export: {pq_mb:.1f} MB (reports, findings, cells) in {time.perf_counter() - t:.1f} s")
        if args.profile:  # the text pipeline, on the text-only batch of bench.py
            text = tmp / "text"
            shutil.rmtree(text, ignore_errors=True)
            text.mkdir()
            files = bench.make_corpus(text, 1000)
            profile(files[:300])
            profile_cli(files, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
