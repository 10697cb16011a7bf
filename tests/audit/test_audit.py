"""`xxgk-lint audit`: the corpus into a database (reports, findings, cells), statuses, the
summary files, resuming after a kill, and the same rows from a Dask LocalCluster."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from validator.cli import main
from validator.extract import template_cells
from validator.lint import lint_path
from tests.pdfbytes import slow_pdf as _slow_pdf

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
HOSTILE = Path(__file__).resolve().parents[3] / "shared" / "hostile" / "inputs"
REPORT_COLS = ("path", "sha256", "size", "issuer", "issuer_kind", "year", "format", "template", "status",
               "reason", "errors", "warnings", "infos", "cells")


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")


def manifest() -> dict[str, dict]:
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8") as fh:
        return {r["file"]: r for r in csv.DictReader(fh, delimiter="\t")}


def rows(db_path, rel_to: Path | None = None) -> dict:
    """Everything an audit wrote, keyed by path (relative to rel_to), without run times."""
    db = sqlite3.connect(db_path)
    out = {}
    for r in db.execute(f"SELECT report_id, {', '.join(REPORT_COLS)} FROM reports"):
        rid, rec = r[0], dict(zip(REPORT_COLS, r[1:]))
        path = rec["path"] if rel_to is None else os.path.relpath(rec["path"], rel_to)
        rec["path"] = path
        rec["findings"] = db.execute("SELECT rule, severity, message, line, col, page, location, table_key, row_label,"
                                     " column_label, numbers, origin FROM findings WHERE report_id=? ORDER BY seq",
                                     (rid,)).fetchall()
        rec["cell_rows"] = db.execute("SELECT k.table_key, k.row_key, k.column_key, c.kind, c.value, c.raw, c.line, c.col,"
                                  " c.page, c.location FROM cells c JOIN cell_keys k USING (key_id)"
                                  " WHERE report_id=? ORDER BY c.rowid", (rid,)).fetchall()
        out[path] = rec
    db.close()
    return out


@pytest.fixture(scope="module")
def corpus_audit(tmp_path_factory):
    """`xxgk-lint audit CORPUS --out audit.sqlite --summary summary/ --cross` run once, in this process."""
    d = tmp_path_factory.mktemp("audit")
    old = os.getcwd()
    os.chdir(d)
    try:
        code = main(["audit", str(CORPUS), "--out", "audit.sqlite", "--summary", "summary", "--jobs", "1", "--cross"])
    finally:
        os.chdir(old)
    assert code == 0
    return d


def test_audit_of_the_corpus_has_one_row_per_report_with_its_status(corpus_audit):
    got = rows(corpus_audit / "audit.sqlite", CORPUS)
    assert len(got) == 23 == len(corpus_files())
    man = manifest()
    for path, r in got.items():
        assert r["status"] in ("通过", "有错误", "未填写", "非年报", "无法读取"), path
        assert r["sha256"] and len(r["sha256"]) == 64 and r["size"] == (CORPUS / path).stat().st_size
        tmpl = man[path]["template"]
        if tmpl.startswith("pre-2019"):   # the old reports are recognised as such, with their year
            assert r["template"] == "legacy" and r["year"] < 2019, path
            assert r["cells"] == 0
        elif man[path]["report_year"].isdigit():
            assert r["template"] == tmpl and r["year"] == int(man[path]["report_year"]), path
        # the status follows the findings: errors ⇔ 有错误 (unless the whole template is unfilled)
        if r["status"] != "未填写":
            assert (r["status"] == "有错误") == (r["errors"] > 0), path
    # the blank template: 未填写, naming its three tables
    blank = got["docx/template_2021_blank.docx"]
    assert blank["status"] == "未填写" and "表二、表三、表四" in blank["reason"]
    # what a careful reader found (MANIFEST): real errors …
    for path in ("pdf/hongzequ_2023.pdf", "reports/009_hongzequ_2023.txt",       # 表四 totals 0
                 "seeds/001_68b1fad5fb482fc8.txt",                                # 表三 sums off
                 "seeds/002_1e027fe9f1c79ffa.txt"):                               # blank numbers
        assert got[path]["status"] == "有错误", path
    assert {f[0] for f in got["pdf/hongzequ_2023.pdf"]["findings"]} >= {"A401"}
    # … and reports whose sums hold
    for path in ("pdf/huaian_2024.pdf", "reports/011_huaian_2024.txt", "pdf/hongzequ_2024.pdf"):
        assert got[path]["status"] == "通过", path
    assert got["pdf/huaian_2024.pdf"]["issuer_kind"] == "government"
    assert got["reports/013_shanghai_kewei_2024.txt"]["issuer_kind"] == "department"
    assert {r["format"] for r in got.values()} == {"text", "html", "pdf", "docx"}


def test_audit_stores_every_finding_and_every_template_cell_of_each_report(corpus_audit):
    got = rows(corpus_audit / "audit.sqlite", CORPUS)
    for path, r in got.items():
        res = lint_path(str(CORPUS / path))
        own = [f for f in r["findings"] if f[-1] == "file"]
        assert [f[0] for f in own] == [f.rule for f in res.findings], path
        assert r["errors"] == sum(f.severity == "error" for f in res.findings) + \
            sum(f[1] == "error" for f in r["findings"] if f[-1] == "cross")
        cells = template_cells(res.report)
        assert [(c[0], c[1], c[2], c[3], c[5]) for c in r["cell_rows"]] == \
               [(c["table"], c["row"], c["column"], c["kind"], c["raw"]) for c in cells], path
        if r["template"] in ("2019", "2021"):   # cells for every 2019/2021 report
            assert r["cells"] > 100 and any(c[3] == "number" for c in r["cell_rows"]), path
            assert r["cells"] == sum(c["kind"] != "missing" for c in cells)
    # the views join the path in
    db = sqlite3.connect(corpus_audit / "audit.sqlite")
    n = db.execute("SELECT count(*) FROM cells_v WHERE path LIKE '%huaian_2024.pdf' AND table_key='表三'").fetchone()[0]
    assert n > 100
    v = db.execute("SELECT value, page FROM cells_v WHERE path LIKE '%huaian_2024.pdf' AND table_key='表三'"
                   " AND row_key='法律法规禁止' AND column_key='商业企业'").fetchone()
    assert v == (1.0, 4)
    assert db.execute("SELECT count(*) FROM findings_v WHERE rule='A401'").fetchone()[0] >= 2


def test_audit_summary_writes_the_unit_table_as_csv_and_xlsx_and_an_html_page(corpus_audit):
    s = corpus_audit / "summary"
    with open(s / "units.csv", encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 23
    assert table[0].keys() >= {"单位", "单位类型", "年度", "状态", "错误", "主要错误", "文件"}
    hz = next(r for r in table if r["文件"].endswith("hongzequ_2023.pdf"))
    assert hz["状态"] == "有错误" and "A401" in hz["主要错误"] and hz["单位"] == "洪泽区人民政府"
    from openpyxl import load_workbook
    wb = load_workbook(s / "units.xlsx", read_only=True)
    sheet = list(wb["各单位情况"].iter_rows(values_only=True))
    assert len(sheet) == 24 and sheet[0][0] == "单位"
    assert [["" if v is None else str(v) for v in r] for r in sheet[1:]] == [list(r.values()) for r in table]
    assert any(r[0] == "A401" for r in wb["错误按规则"].iter_rows(values_only=True))
    page = (s / "summary.html").read_text(encoding="utf-8")
    assert page.count('<svg class="chart"') == 5
    for cid in ("chart-status", "chart-rules", "chart-kinds", "chart-years", "chart-worst"):
        assert f'id="{cid}"' in page
    assert "http://" not in page and "https://" not in page and "<script" not in page  # self-contained


def _count(db_path) -> int:
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_an_audit_killed_half_way_checks_only_the_rest_when_run_again(tmp_path):
    db = tmp_path / "audit.sqlite"
    cmd = [sys.executable, "-m", "validator", "audit", str(CORPUS), "--out", str(db), "--jobs", "1"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while _count(db) < 2 and time.time() < deadline and p.poll() is None:   # the PDFs take ~0.7 s each
        time.sleep(0.02)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    before = _count(db)
    assert 2 <= before < 23, before
    done_first = set(rows(db))
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    runs = con.execute("SELECT run_id, skipped, checked FROM runs ORDER BY run_id").fetchall()
    assert runs[-1][1:] == (before, 23 - before)          # the second run: only the rest
    assert f"本次检查 {23 - before} 份，跳过 {before} 份" in r.stderr
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 23
    first_run = {p for p, in con.execute("SELECT path FROM reports WHERE run_id=?", (runs[0][0],))}
    assert first_run == done_first                         # not checked again
    con.close()
    # a third run checks nothing; a changed file is checked again (and only it)
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert "本次检查 0 份，跳过 23 份" in r.stderr


def test_a_changed_file_is_checked_again_and_replaces_its_rows(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    a = src / "a.txt"
    shutil.copy(CORPUS / "reports" / "011_huaian_2024.txt", a)
    shutil.copy(CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt", src / "b.txt")
    db = tmp_path / "audit.sqlite"
    assert main(["audit", str(src), "--out", str(db), "--jobs", "1", "-q"]) == 0
    first = rows(db)
    a.write_text(a.read_text(encoding="utf-8").replace("3119", "3118"), encoding="utf-8")
    assert main(["audit", str(src), "--out", str(db), "--jobs", "1", "-q"]) == 0
    second = rows(db)
    con = sqlite3.connect(db)
    assert con.execute("SELECT checked, skipped FROM runs ORDER BY run_id DESC").fetchone() == (1, 1)
    assert second[str(a)]["sha256"] != first[str(a)]["sha256"]
    assert second[str(a)]["status"] == "有错误"            # 3118 + 34 ≠ 3050 + 103
    assert second[str(src / "b.txt")] == first[str(src / "b.txt")]
    assert con.execute("SELECT count(*) FROM findings f LEFT JOIN reports r USING (report_id)"
                       " WHERE r.path IS NULL").fetchone()[0] == 0   # no orphaned rows


def test_audit_on_a_dask_localcluster_gives_the_same_rows(corpus_audit, tmp_path):
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        code = main(["audit", str(CORPUS), "--out", str(tmp_path / "c.sqlite"), "--cluster",
                     cluster.scheduler_address, "-q", "--cross"])
    assert code == 0
    assert rows(tmp_path / "c.sqlite") == rows(corpus_audit / "audit.sqlite")
    con = sqlite3.connect(tmp_path / "c.sqlite")
    assert con.execute("SELECT engine, workers FROM runs").fetchone() == (f"dask:{cluster.scheduler_address}", 2)


def test_audit_with_jobs_runs_on_its_own_localcluster_and_gives_the_same_rows(corpus_audit, tmp_path):
    assert main(["audit", str(CORPUS), "--out", str(tmp_path / "j.sqlite"), "--jobs", "2", "-q", "--cross"]) == 0
    assert rows(tmp_path / "j.sqlite") == rows(corpus_audit / "audit.sqlite")
    con = sqlite3.connect(tmp_path / "j.sqlite")
    assert con.execute("SELECT engine, workers FROM runs").fetchone() == ("dask:local", 2)


def test_a_slow_or_broken_report_is_recorded_with_its_reason_and_the_run_goes_on(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "slow.pdf").write_bytes(_slow_pdf())      # 60 pages of 20,000 glyphs: seconds of work
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf\n")
    shutil.copy(CORPUS / "reports" / "011_huaian_2024.txt", src / "good.txt")
    db = tmp_path / "audit.sqlite"
    assert main(["audit", str(src), "--out", str(db), "--jobs", "2", "--timeout", "2", "-q"]) == 0
    got = {Path(p).name: r for p, r in rows(db).items()}
    assert got["good.txt"]["status"] == "通过"
    # stopped at its deadline in the worker thread (this reason), not by the hard exit (whose
    # reason says the checking process exited)
    assert got["slow.pdf"]["status"] == "无法读取" and "时间上限 2 秒" in got["slow.pdf"]["reason"]
    assert "进程" not in got["slow.pdf"]["reason"]
    assert got["broken.pdf"]["status"] == "无法读取" and got["broken.pdf"]["reason"]


def test_audit_writes_parquet_tables_that_match_the_database(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "audit.parquet"
    assert main(["audit", str(CORPUS / "pdf"), str(CORPUS / "reports"), "--out", str(out), "--jobs", "1", "-q"]) == 0
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    findings = pq.read_table(out / "findings.parquet")
    cells = pq.read_table(out / "cells.parquet")
    db = sqlite3.connect(out / "audit.sqlite")
    assert len(reports) == 16 == db.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert findings.num_rows == db.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert cells.num_rows == db.execute("SELECT count(*) FROM cells").fetchone()[0] > 2000
    assert {"path", "table_key", "row_key", "column_key", "kind", "value", "page"} <= set(cells.column_names)
    hz = next(r for r in reports if r["path"].endswith("hongzequ_2023.pdf"))
    assert hz["status"] == "有错误" and hz["year"] == 2023
    # resumable like the database: a second run checks nothing
    assert main(["audit", str(CORPUS / "pdf"), str(CORPUS / "reports"), "--out", str(out), "--jobs", "1", "-q"]) == 0
    assert db.execute("SELECT checked, skipped FROM runs ORDER BY run_id DESC").fetchone() == (0, 16)


def test_summary_alone_from_an_existing_database_reads_it_and_never_writes_to_it(corpus_audit, tmp_path):
    import hashlib
    import shutil
    db = tmp_path / "copy.sqlite"
    shutil.copy(corpus_audit / "audit.sqlite", db)
    db.chmod(0o444)                                  # read-only: a write would fail
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert main(["audit", "--out", str(db), "--summary", str(tmp_path / "s"), "-q"]) == 0
    assert (tmp_path / "s" / "summary.html").exists() and (tmp_path / "s" / "units.csv").exists()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before      # no run recorded
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite", "s"]   # no journal left


def test_audit_usage_errors_are_one_line(tmp_path, capsys):
    assert main(["audit", str(CORPUS / "reports"), "--out", str(tmp_path / "x.sqlite"), "--jobs", "2",
                 "--cluster", "tcp://127.0.0.1:1"]) == 2
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    assert main(["audit", str(CORPUS / "reports"), "--out", str(bad), "-q"]) == 2
    assert main(["audit", "--out", str(tmp_path / "none.sqlite"), "--summary", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and all(ln.startswith("xxgk-lint: 错误") for ln in err.splitlines())


def test_check_does_not_import_dask_pyarrow_or_openpyxl():
    code = ("import sys; from validator.cli import main; main(['check', '-o', 'concise', sys.argv[1]]);"
            "print(sorted(m for m in ('dask', 'distributed', 'pyarrow', 'openpyxl') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code, str(CORPUS / "reports" / "011_huaian_2024.txt")],
                       capture_output=True, text=True)
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_a_worker_that_dies_on_a_file_costs_only_that_file(tmp_path):
    """A file whose check kills its Dask worker (a crash, the out-of-memory killer): the chunk it
    was in is split and run again, the other files get their records, that one is 无法读取."""
    from validator.audit import engine
    from validator.lint import Options
    src = tmp_path / "in"
    src.mkdir()
    text = (CORPUS / "reports" / "011_huaian_2024.txt").read_text(encoding="utf-8")
    paths = []
    for i in range(40):
        p = src / (f"r{i:02d}.txt" if i != 7 else "crash.txt")
        p.write_text(text, encoding="utf-8")
        paths.append(str(p))
    assert max(len(c) for c in engine.chunks([(p, None, None) for p in paths], 2)) > 1   # crash.txt shares a chunk

    def crashing_chunk(tasks):   # defined here: Dask ships it to the workers by value
        import os as _os
        from validator.audit.work import check_chunk
        if any(p.endswith("crash.txt") for p, _sha, _o in tasks):
            _os._exit(9)
        return check_chunk(tasks)

    got = []
    info = engine.run_dask([(p, None, Options()) for p in paths], got.extend, jobs=2, task_fn=crashing_chunk)
    assert info["workers"] == 2
    by = {Path(r["path"]).name: r for r in got}
    assert len(got) == 40 == len(by)
    assert by["crash.txt"]["status"] == "无法读取" and "检查进程" in by["crash.txt"]["reason"]
    assert all(r["status"] == "通过" for n, r in by.items() if n != "crash.txt")


def test_localcluster_workers_keep_no_profile_of_the_checks(tmp_path):
    """Dask's statistical profiler kept a stack tree per second of checking in every worker
    (the worker's memory grew with the run): the audit's workers run without it."""
    from validator.audit import engine
    from validator.lint import Options
    paths = [str(p) for p in sorted((CORPUS / "reports").glob("*.txt"))[:6]]
    seen = {}

    def profiler_state(dask_worker):
        return ("profile" in dask_worker.periodic_callbacks, len(dask_worker.profile_history),
                len(dask_worker.profile_keys_history))

    def on_start(_n, client):
        seen["client"] = client

    def sink(recs):
        seen.setdefault("states", []).append(seen["client"].run(profiler_state))

    info = engine.run_dask([(p, None, Options()) for p in paths], sink, jobs=2, on_start=on_start)
    assert info["workers"] == 2
    states = [s for run in seen["states"] for s in run.values()]
    assert states and all(s == (False, 0, 0) for s in states)


# --------------------------------------------------------------------------------------
# comparisons across reports (the cross step of `check`, over the whole database)
# --------------------------------------------------------------------------------------
def _check_cross(paths, rel_to=None) -> set:
    """What `check` finds comparing these files with one another (rules of rules/cross.yaml,
    every finding one by one): (path, rule, line, column, message)."""
    r = subprocess.run([sys.executable, "-m", "validator", "check", "-o", "json", "--show-all", "--exit-zero",
                        *map(str, paths)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = set()
    for f in json.loads(r.stdout)["findings"]:
        if f["rule"].startswith("Y"):
            p = f["path"] if rel_to is None else os.path.relpath(f["path"], rel_to)
            out.add((p, f["rule"], f["line"], f["column"], f["message"]))
    return out


def _audit_cross(got: dict) -> set:
    return {(p, f[0], f[3], f[4], f[2]) for p, r in got.items() for f in r["findings"] if f[-1] == "cross"}


def test_audit_compares_the_reports_with_one_another_as_check_does(corpus_audit):
    got = rows(corpus_audit / "audit.sqlite", CORPUS)
    cross = _audit_cross(got)
    assert cross, "the corpus has pairs of consecutive years (平潭, 洪泽)"
    assert cross == _check_cross(corpus_files(), CORPUS)
    db = sqlite3.connect(corpus_audit / "audit.sqlite")
    info = json.loads(db.execute("SELECT info FROM runs").fetchone()[0])["cross"]
    assert info["done"] and info["reports"] >= 20 and info["without_model"] == 0
    assert db.execute("SELECT count(*) FROM models").fetchone()[0] == info["reports"]


HONGZE_23, HONGZE_24 = CORPUS / "reports" / "009_hongzequ_2023.txt", CORPUS / "reports" / "010_hongzequ_2024.txt"
CARRIED = "四、结转下年度继续办理                            0    0   0   0    0    0   0"


def test_a_report_added_later_is_compared_with_those_already_in_the_database(tmp_path):
    """洪泽区2024 passes on its own.  Its 2023 report, added in a later run with one application
    carried forward (1 in 结转下年度), contradicts 2024's 上年结转 (0): the 2024 report — not
    checked again, unchanged — gets the carry-over error (Y101) and the status 有错误, exactly
    as `check` of the two files finds it; fixing the 2023 report takes it away again."""
    src = tmp_path / "in"
    src.mkdir()
    this = src / "hongze_2024.txt"
    shutil.copy(HONGZE_24, this)
    db = tmp_path / "audit.sqlite"
    audit = ["audit", str(src), "--out", str(db), "--jobs", "1", "-q", "--cross"]
    assert main(audit) == 0
    assert rows(db)[str(this)]["status"] == "通过"
    text = HONGZE_23.read_text(encoding="utf-8")
    assert CARRIED in text
    last = src / "hongze_2023.txt"
    last.write_text(text.replace(CARRIED, CARRIED.replace("0    0   0   0    0    0   0", "1    0   0   0    0    0   1")),
                    encoding="utf-8")
    assert main(audit) == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT checked, skipped FROM runs ORDER BY run_id DESC").fetchone() == (1, 1)
    got = rows(db)
    y101 = [f for f in got[str(this)]["findings"] if f[0] == "Y101"]
    assert y101 and all(f[-1] == "cross" and f[1] == "error" for f in y101)
    assert got[str(this)]["status"] == "有错误" and got[str(this)]["errors"] == len(y101)
    assert _audit_cross(got) == _check_cross([last, this])
    # fixed: the comparisons are made again, the error and the status go
    shutil.copy(HONGZE_23, last)
    assert main(audit) == 0
    got = rows(db)
    assert not [f for f in got[str(this)]["findings"] if f[0] == "Y101"]
    assert got[str(this)]["status"] == "通过" and got[str(this)]["errors"] == 0
    assert _audit_cross(got) == _check_cross([last, this])


def test_without_cross_the_audit_keeps_only_each_files_own_findings(tmp_path):
    """The comparisons are asked for (--cross): by default an audit stores each file's own
    checks and no model; the same database then gets them when a run asks."""
    src = tmp_path / "in"
    src.mkdir()
    for p in (HONGZE_23, HONGZE_24):
        shutil.copy(p, src / p.name)
    db = tmp_path / "audit.sqlite"
    assert main(["audit", str(src), "--out", str(db), "--jobs", "1", "-q"]) == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM findings WHERE origin='cross'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM models").fetchone()[0] == 0
    assert "cross" not in json.loads(con.execute("SELECT info FROM runs").fetchone()[0])
    # a later run with --cross: the files are unchanged but have no model yet, so they are checked
    # again (not skipped) and compared; after that, unchanged files are skipped as usual
    assert main(["audit", str(src), "--out", str(db), "--jobs", "1", "-q", "--cross"]) == 0
    run = con.execute("SELECT checked, skipped, info FROM runs ORDER BY run_id DESC").fetchone()
    assert run[:2] == (2, 0)
    info = json.loads(run[2])["cross"]
    assert info["reports"] == 2 and info["without_model"] == 0
    assert main(["audit", str(src), "--out", str(db), "--jobs", "1", "-q", "--cross"]) == 0
    assert con.execute("SELECT checked, skipped FROM runs ORDER BY run_id DESC").fetchone() == (0, 2)


def test_models_of_a_database_others_can_write_are_not_loaded(tmp_path, capsys):
    """The models are pickles (loading one runs code): a database file writable by others is
    audited as usual, but its models are not read and the run says so in one line."""
    src = tmp_path / "in"
    src.mkdir()
    for p in (HONGZE_23, HONGZE_24):
        shutil.copy(p, src / p.name)
    db = tmp_path / "audit.sqlite"
    assert main(["audit", str(src), "--out", str(db), "--jobs", "1", "-q", "--cross"]) == 0
    os.chmod(db, 0o666)
    shutil.copy(HONGZE_23, src / "another.txt")
    capsys.readouterr()
    assert main(["audit", str(src), "--out", str(db), "--jobs", "1", "-q", "--cross"]) == 0
    err = capsys.readouterr().err
    assert "未做跨报告对比" in err and len(err.strip().splitlines()) == 1
    con = sqlite3.connect(db)
    info = json.loads(con.execute("SELECT info FROM runs ORDER BY run_id DESC").fetchone()[0])["cross"]
    assert info["done"] is False
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 3     # the file itself was audited
