"""The audit database: SQLite (Python's sqlite3), resumable by content hash; Parquet export.

Tables (documented in the README, "审计数据集"):

* ``reports``   one row per file: path, sha256, size, issuer, issuer_kind, year, format,
                template, status, reason, errors, warnings, infos, cells, seconds, run_id,
                checked_at;
* ``findings``  one row per finding (report_id → reports); ``origin`` says where it comes from:
                ``file`` (the file checked on its own) or ``cross`` (a comparison with another
                report of the database: last year's report of the issuer, other issuers' reports
                of the year — worked out again over the whole database at the end of each run);
* ``models``    each report's model, packed (validator.cross.run.Packed, pickled), with the
                version of the tool that made it: what the comparisons across reports read;
* ``cells``     one row per template cell (report_id, key_id → cell_keys); ``cell_keys`` holds
                each (table_key, row_key, column_key, row_label, column_label) once;
* ``runs``      one row per audit run (engine, workers, files, skipped, checked, times);
* views ``findings_v`` and ``cells_v`` join in the path (and the cell keys) for analysis.

Column names avoid SQL keywords (``table_key``, not ``table``) so DuckDB, pandas and the
sqlite3 shell read them unquoted.  Every record is committed as it arrives: a killed run
keeps what it had and the next run skips files whose path and hash are already there.

``--out NAME.parquet`` keeps the same SQLite state in ``NAME.parquet/audit.sqlite`` and writes
``reports.parquet``, ``findings.parquet`` and ``cells.parquet`` beside it after each run
(pyarrow), denormalised: ``SELECT * FROM 'NAME.parquet/cells.parquet'`` in DuckDB,
``pandas.read_parquet('NAME.parquet/reports.parquet')``.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3

from ..i18n import msg
from .status import ERRORS, PASSED, UNREADABLE

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, started TEXT, finished TEXT, engine TEXT, workers INTEGER,
    files INTEGER, skipped INTEGER, checked INTEGER, tool_version TEXT, info TEXT);
CREATE TABLE IF NOT EXISTS reports (
    report_id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, sha256 TEXT, size INTEGER,
    issuer TEXT, issuer_kind TEXT, year INTEGER, format TEXT, template TEXT,
    status TEXT NOT NULL, reason TEXT, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
    infos INTEGER NOT NULL, cells INTEGER NOT NULL, seconds REAL, run_id INTEGER, checked_at TEXT);
CREATE TABLE IF NOT EXISTS findings (
    report_id INTEGER NOT NULL, seq INTEGER NOT NULL, rule TEXT, name TEXT, category TEXT,
    severity TEXT, message TEXT, line INTEGER, col INTEGER, page INTEGER, location TEXT,
    section TEXT, table_key TEXT, row_label TEXT, column_label TEXT, numbers TEXT, origin TEXT);
CREATE TABLE IF NOT EXISTS models (report_id INTEGER PRIMARY KEY, tool_version TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS cell_keys (
    key_id INTEGER PRIMARY KEY, table_key TEXT NOT NULL, row_key TEXT NOT NULL,
    column_key TEXT NOT NULL, row_label TEXT, column_label TEXT,
    UNIQUE (table_key, row_key, column_key, row_label, column_label));
CREATE TABLE IF NOT EXISTS cells (
    report_id INTEGER NOT NULL, key_id INTEGER NOT NULL, kind TEXT NOT NULL, value REAL,
    raw TEXT, note TEXT, line INTEGER, col INTEGER, page INTEGER, location TEXT);
CREATE INDEX IF NOT EXISTS findings_report ON findings (report_id);
CREATE INDEX IF NOT EXISTS cells_report ON cells (report_id);
CREATE VIEW IF NOT EXISTS findings_v AS
    SELECT r.path, r.issuer, r.issuer_kind, r.year, r.template, f.*
    FROM findings f JOIN reports r USING (report_id);
CREATE VIEW IF NOT EXISTS cells_v AS
    SELECT r.path, r.issuer, r.year, r.template, k.table_key, k.row_key, k.column_key,
           k.row_label, k.column_label, c.kind, c.value, c.raw, c.note, c.line, c.col, c.page,
           c.location, c.report_id
    FROM cells c JOIN cell_keys k USING (key_id) JOIN reports r USING (report_id);
"""

_INSERT_FINDING = ("INSERT INTO findings (report_id, seq, rule, name, category, severity, message, line, col, page,"
                   " location, section, table_key, row_label, column_label, numbers, origin)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

REPORT_COLUMNS = ("path", "sha256", "size", "issuer", "issuer_kind", "year", "format", "template", "status",
                  "reason", "errors", "warnings", "infos", "cells", "seconds")


class StoreError(Exception):
    pass


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def is_parquet(out: str) -> bool:
    return out.lower().rstrip("/\\").endswith(".parquet")


def state_path(out: str) -> str:
    """The SQLite file that holds the audit state for --out."""
    if is_parquet(out):
        return os.path.join(out, "audit.sqlite")
    return out


class Store:
    def __init__(self, out: str, version: str = ""):
        self.out = out
        self.version = version
        path = state_path(out)
        if is_parquet(out) and os.path.exists(out) and not os.path.isdir(out):
            raise StoreError(msg("{o}: 已存在且不是目录（Parquet 输出是一个目录）",
                                 "{o}: exists and is not a directory (a Parquet output is a directory)", o=out))
        if os.path.isdir(path):
            raise StoreError(msg("{p}: 是一个目录，不是审计数据库文件", "{p}: is a directory, not an audit database file",
                                 p=path))
        # the directories the database goes into are created, as --summary DIR is
        d = out if is_parquet(out) else os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(d, exist_ok=True)
        except OSError as exc:
            raise StoreError(msg("{o}: 无法创建目录 {d}（{e}）", "{o}: cannot create the directory {d} ({e})",
                                 o=out, d=_failed_dir(d), e=exc.strerror or exc)) from None
        try:
            self.db = sqlite3.connect(path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            v = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(msg("{p}: 不是可用的审计数据库（{e}）", "{p}: not a usable audit database ({e})",
                                 p=path, e=exc)) from None
        if v is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        elif v[0] != SCHEMA_VERSION:
            raise StoreError(msg("{p}: 数据库格式版本 {v} 与本程序（{s}）不同，请换一个输出文件",
                                 "{p}: database format version {v} differs from this program's ({s}); "
                                 "use another output file", p=path, v=v[0], s=SCHEMA_VERSION))
        if "origin" not in {r[1] for r in self.db.execute("PRAGMA table_info(findings)")}:
            self.db.execute("ALTER TABLE findings ADD COLUMN origin TEXT")   # a database of an earlier version
        self.db.commit()
        self._keys = {tuple(r[1:]): r[0] for r in self.db.execute(
            "SELECT key_id, table_key, row_key, column_key, row_label, column_label FROM cell_keys")}
        self.run_id = None

    # ---- resuming -------------------------------------------------------------------
    def known(self) -> dict[str, tuple[str, str]]:
        """path → (sha256, status) of every report already in the database."""
        return {p: (h, s) for p, h, s in self.db.execute("SELECT path, sha256, status FROM reports")}

    def modelled(self) -> set[str]:
        """The paths whose model this version of the tool stored (the comparisons read them)."""
        return {p for p, in self.db.execute("SELECT r.path FROM reports r JOIN models m USING (report_id)"
                                            " WHERE m.tool_version=?", (self.version,))}

    # ---- a run ----------------------------------------------------------------------
    def start_run(self, engine: str, workers: int, files: int, skipped: int, version: str) -> int:
        cur = self.db.execute("INSERT INTO runs (started, engine, workers, files, skipped, checked, tool_version)"
                              " VALUES (?, ?, ?, ?, ?, 0, ?)", (_now(), engine, workers, files, skipped, version))
        self.db.commit()
        self.run_id = cur.lastrowid
        return self.run_id

    def finish_run(self, checked: int, info: dict | None = None) -> None:
        """`info`: facts about the engine (JSON), e.g. the peak memory of each Dask worker."""
        import json
        self.db.execute("UPDATE runs SET finished=?, checked=?, info=? WHERE run_id=?",
                        (_now(), checked, json.dumps(info or {}, ensure_ascii=False), self.run_id))
        self.db.commit()

    def _key_id(self, c) -> int:
        k = (c[0], c[1], c[2], c[3], c[4])
        kid = self._keys.get(k)
        if kid is None:
            kid = self.db.execute("INSERT INTO cell_keys (table_key, row_key, column_key, row_label, column_label)"
                                  " VALUES (?, ?, ?, ?, ?)", k).lastrowid
            self._keys[k] = kid
        return kid

    def add(self, records: list[dict]) -> None:
        """Write records (work.check_one) and commit: a file re-checked replaces its rows."""
        db = self.db
        now = _now()
        with db:
            for rec in records:
                old = db.execute("SELECT report_id FROM reports WHERE path=?", (rec["path"],)).fetchone()
                if old is not None:
                    db.execute("DELETE FROM findings WHERE report_id=?", old)
                    db.execute("DELETE FROM cells WHERE report_id=?", old)
                    db.execute("DELETE FROM models WHERE report_id=?", old)
                    db.execute("DELETE FROM reports WHERE report_id=?", old)
                rid = db.execute(
                    f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}, run_id, checked_at) "
                    f"VALUES ({', '.join('?' * (len(REPORT_COLUMNS) + 2))})",
                    tuple(rec[k] for k in REPORT_COLUMNS) + (self.run_id, now)).lastrowid
                db.executemany(_INSERT_FINDING, [(rid, i, *f, "file") for i, f in enumerate(rec["findings"])])
                if rec.get("model") is not None:
                    db.execute("INSERT INTO models VALUES (?, ?, ?)", (rid, self.version, rec["model"]))
                db.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               [(rid, self._key_id(c), c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12])
                                for c in rec["cell_rows"]])

    # ---- the comparisons across reports ----------------------------------------------
    def models(self):
        """(report_id, path, packed model) of every report whose model this version of the
        tool made, read one at a time; then (None, None, n): how many other reports (not
        unreadable) have none — checked by another version, or with the comparisons off."""
        have = 0
        for row in self.db.execute("SELECT r.report_id, r.path, m.data FROM reports r JOIN models m USING (report_id)"
                                   " WHERE m.tool_version=? ORDER BY r.path", (self.version,)):
            have += 1
            yield row
        readable = self.db.execute("SELECT count(*) FROM reports WHERE status != ?", (UNREADABLE,)).fetchone()[0]
        yield None, None, max(0, readable - have)

    def set_cross(self, found: dict[int, list[tuple]]) -> int:
        """Replace every ``cross`` finding by `found` (report_id → finding rows) and bring each
        report's counts and status up to date (a report passes or has errors by all its
        findings); the number of cross findings."""
        db = self.db
        with db:
            db.execute("DELETE FROM findings WHERE origin='cross'")
            for rid, rows in found.items():
                if not rows:
                    continue
                base = db.execute("SELECT coalesce(max(seq), -1) + 1 FROM findings WHERE report_id=?", (rid,)).fetchone()[0]
                db.executemany(_INSERT_FINDING, [(rid, base + i, *f, "cross") for i, f in enumerate(rows)])
            db.execute("UPDATE reports SET"
                       " errors=(SELECT count(*) FROM findings f WHERE f.report_id=reports.report_id AND severity='error'),"
                       " warnings=(SELECT count(*) FROM findings f WHERE f.report_id=reports.report_id AND severity='warning'),"
                       " infos=(SELECT count(*) FROM findings f WHERE f.report_id=reports.report_id AND severity='info')")
            db.execute("UPDATE reports SET status=CASE WHEN errors > 0 THEN ? ELSE ? END WHERE status IN (?, ?)",
                       (ERRORS, PASSED, ERRORS, PASSED))
        return sum(len(v) for v in found.values())

    def close(self) -> None:
        try:
            self.db.commit()
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.execute("PRAGMA journal_mode=DELETE")  # one file to mail on, no -wal/-shm beside it
        except sqlite3.DatabaseError:  # pragma: no cover - another process holds it
            pass
        self.db.close()


def _failed_dir(d: str) -> str:
    """The first directory of `d` that could not be made (a file in the way, no permission)."""
    parts = []
    while d and not os.path.exists(d):
        parts.append(d)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    if os.path.exists(d) and not os.path.isdir(d):
        return d
    return parts[-1] if parts else d


def open_readonly(out: str) -> sqlite3.Connection:
    path = state_path(out)
    if not os.path.exists(path):
        raise StoreError(msg("{o}: 审计数据库不存在", "{o}: no such audit database", o=out))
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


# --------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------
_EXPORTS = {
    "reports": ("SELECT report_id, path, sha256, size, issuer, issuer_kind, year, format, template, status, reason,"
                " errors, warnings, infos, cells, seconds, run_id, checked_at FROM reports ORDER BY path",
                [("report_id", "int64"), ("path", "string"), ("sha256", "string"), ("size", "int64"),
                 ("issuer", "string"), ("issuer_kind", "string"), ("year", "int32"), ("format", "string"),
                 ("template", "string"), ("status", "string"), ("reason", "string"), ("errors", "int32"),
                 ("warnings", "int32"), ("infos", "int32"), ("cells", "int32"), ("seconds", "float64"),
                 ("run_id", "int32"), ("checked_at", "string")]),
    "findings": ("SELECT f.report_id, r.path, f.seq, f.rule, f.name, f.category, f.severity, f.message, f.line,"
                 " f.col, f.page, f.location, f.section, f.table_key, f.row_label, f.column_label, f.numbers, f.origin"
                 " FROM findings f JOIN reports r USING (report_id) ORDER BY r.path, f.seq",
                 [("report_id", "int64"), ("path", "string"), ("seq", "int32"), ("rule", "string"),
                  ("name", "string"), ("category", "string"), ("severity", "string"), ("message", "string"),
                  ("line", "int32"), ("col", "int32"), ("page", "int32"), ("location", "string"),
                  ("section", "string"), ("table_key", "string"), ("row_label", "string"),
                  ("column_label", "string"), ("numbers", "string"), ("origin", "string")]),
    "cells": ("SELECT c.report_id, r.path, k.table_key, k.row_key, k.column_key, k.row_label, k.column_label,"
              " c.kind, c.value, c.raw, c.note, c.line, c.col, c.page, c.location"
              " FROM cells c JOIN cell_keys k USING (key_id) JOIN reports r USING (report_id)"
              " ORDER BY r.path, c.rowid",
              [("report_id", "int64"), ("path", "string"), ("table_key", "string"), ("row_key", "string"),
               ("column_key", "string"), ("row_label", "string"), ("column_label", "string"),
               ("kind", "string"), ("value", "float64"), ("raw", "string"), ("note", "string"),
               ("line", "int32"), ("col", "int32"), ("page", "int32"), ("location", "string")]),
}


def export_parquet(out: str, batch: int = 50_000) -> list[str]:
    """Write reports/findings/cells.parquet into the --out directory (atomically each)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    db = open_readonly(out)
    written = []
    try:
        for name, (sql, cols) in _EXPORTS.items():
            schema = pa.schema([(c, getattr(pa, t)()) for c, t in cols])
            dest = os.path.join(out, f"{name}.parquet")
            tmp = dest + ".tmp"
            with pq.ParquetWriter(tmp, schema, compression="zstd") as w:
                cur = db.execute(sql)
                while True:
                    rows = cur.fetchmany(batch)
                    if not rows:
                        break
                    arrays = [pa.array([r[i] for r in rows], type=schema.field(i).type) for i in range(len(cols))]
                    w.write_table(pa.Table.from_arrays(arrays, schema=schema))
            os.replace(tmp, dest)
            written.append(dest)
    finally:
        db.close()
    return written
