"""`xxgk-lint audit PATH… --out audit.sqlite [--summary DIR] [--jobs N | --cluster ADDRESS]`.

Imported when the CLI builds its parser: keep this module free of heavy imports (Dask,
pyarrow and openpyxl are imported inside the functions that use them).
"""

from __future__ import annotations

import os
import sys
import time


class AuditUsageError(Exception):
    pass


def add_parser(sub) -> None:
    from ..cliux import limits_arg
    a = sub.add_parser(
        "audit", help="批量审计：把许多报告的检查结果写成数据集（SQLite/Parquet）和汇总",
        description="检查一批报告，每份报告一行（状态、各级问题数、用时），连同全部问题和读到的统计表单元格写入数据库；"
                    "可中断后续跑（内容未变的文件跳过），可在 Dask 集群上运行，可生成汇总表和 HTML 汇总。")
    a.add_argument("paths", nargs="*", metavar="路径", help="报告文件、目录或通配符（只生成汇总时可省略）")
    a.add_argument("--out", required=True, metavar="FILE",
                   help="数据库：audit.sqlite（SQLite），或 audit.parquet（目录，内含 reports/findings/cells.parquet）")
    a.add_argument("--summary", default=None, metavar="DIR", help="把汇总写到这个目录：units.csv、units.xlsx、summary.html")
    a.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                   help="本机并行进程数（Dask LocalCluster，默认等于CPU核数；1 表示在本进程中逐个检查）")
    a.add_argument("--cluster", default=None, metavar="ADDRESS", help="在这个 Dask 集群上运行，如 tcp://scheduler:8786")
    a.add_argument("--retry-failed", action="store_true", help="数据库中“无法读取”的文件即使内容未变也重新检查")
    a.add_argument("--cross", action="store_true",
                   help="运行结束时对整个数据库做跨报告对比（同一机关相邻年度、同年度其他机关的报告，与 check 相同），"
                        "问题记为 origin=cross；需在数据库中存每份报告的模型")
    a.add_argument("--quiet", "-q", action="store_true", help="不显示进度条和结束时的统计")
    a.add_argument("--template", choices=["auto", "2019", "2021"], default=None, help="指定适用的格式（默认自动判断）")
    a.add_argument("--issuer-kind", choices=["auto", "department", "government"], default=None,
                   help="发布机关类型（默认按发布机关名称判断）")
    a.add_argument("--input-format", default=None, help="强制输入格式（text、html、markdown、pdf、docx）")
    a.add_argument("--select", default=None, help="只运行这些规则（逗号分隔）")
    a.add_argument("--ignore", default=None, help="不运行这些规则（逗号分隔）")
    a.add_argument("--extend-select", default=None, help="在 select 之外再运行这些规则")
    a.add_argument("--lang", choices=["zh", "en"], default=None, help="问题说明的语言（默认中文）")
    a.add_argument("--rules-dir", action="append", default=[], help="额外的规则目录（可多次指定）")
    a.add_argument("--config", default=None, metavar="FILE", help="使用这个配置文件（不再向上查找）")
    a.add_argument("--isolated", action="store_true", help="不读取任何配置文件")
    a.add_argument("--no-respect-gitignore", action="store_true", help="查找文件时不理会 .gitignore")
    a.add_argument("--max-bytes", type=limits_arg("parse_size"), default=None, metavar="SIZE", help="单个文件的大小上限（默认 50MB）")
    a.add_argument("--timeout", type=limits_arg("parse_seconds"), default=None, metavar="SECONDS",
                   help="单个文件的检查时间上限，秒（默认 30；超时的文件记为“无法读取”）")
    a.add_argument("--max-chars", type=limits_arg("parse_count"), default=None, metavar="N", help="单个文件文本长度的上限")
    a.set_defaults(fail_on=None, output_format=None, force_exclude=False)


# --------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------
class _Progress:
    """A rich progress bar with rate and ETA on a terminal; silence elsewhere."""

    def __init__(self, total: int, show: bool, lang: str = "zh"):
        self.bar = None
        self.done = 0
        if not show or total == 0:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        from rich.text import Text

        en = lang == "en"
        unit = " reports/s" if en else "份/秒"

        class Rate(ProgressColumn):
            def render(self, task):
                s = task.speed
                return Text(f"—{unit}" if not s else f"{s:,.1f}{unit}", style="progress.data.speed", no_wrap=True)

        self.bar = Progress(TextColumn("auditing" if en else "审计中"), BarColumn(bar_width=24), MofNCompleteColumn(),
                            Rate(), TextColumn("left" if en else "剩余"), TimeRemainingColumn(),
                            TextColumn("elapsed" if en else "已用"), TimeElapsedColumn(),
                            TextColumn("{task.description}"), console=Console(stderr=True),
                            transient=False, speed_estimate_period=30)
        self.bar.start()
        self.tid = self.bar.add_task("", total=total)

    def advance(self, recs):
        self.done += len(recs)
        if self.bar is not None:
            self.bar.update(self.tid, advance=len(recs), description=os.path.basename(recs[-1]["path"]))

    def close(self):
        if self.bar is not None:
            self.bar.stop()


# --------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------
def plan(files: list[str], known: dict, options_for, retry_failed: bool = False, lang: str = "zh",
         cross: bool = False, modelled: set | None = None):
    """(tasks, skipped, unreadable records): files whose path and content hash are already in
    the database are skipped — unless the comparisons across reports are asked for (``cross``)
    and the file has no model of this version in the database (``modelled``: the paths that
    have one): those are checked again; files that cannot even be hashed are recorded at once."""
    from .status import UNREADABLE
    from .work import blank_record, file_hash, unreadable_reason
    tasks, skipped, failed = [], 0, []
    for p in files:
        try:
            sha, _size = file_hash(p)
        except OSError as exc:
            failed.append(blank_record(p, None, None, UNREADABLE, unreadable_reason(p, exc, lang)))
            continue
        old = known.get(p)
        unchanged = old is not None and old[0] == sha and not (retry_failed and old[1] == UNREADABLE)
        if unchanged and not (cross and old[1] != UNREADABLE and p not in (modelled or ())):
            skipped += 1
            continue
        opts, eff, _rules = options_for(p)
        keep = cross and bool(eff.values.get("cross", True))
        if unchanged and not keep:      # re-checked only for a model the configuration does not keep
            skipped += 1
            continue
        tasks.append((p, sha, opts, keep))
    return tasks, skipped, failed


def run(args, files: list[str], options_for, lang: str = "zh") -> int:
    """The audit; `lang` is the language of what it prints and of the summary (the CLI's
    --lang, XXGK_LINT_LANG or the configuration's lang); each file's reason and findings are
    stored in that file's language (its Options.lang)."""
    from .. import __version__
    from ..i18n import msg, of
    from . import engine as _engine
    from .store import Store, StoreError, is_parquet
    from .store import state_path
    if not files and not args.paths:
        if not args.summary:
            raise AuditUsageError(msg("请指定要审计的文件或目录，例如：xxgk-lint audit 报告目录/ --out audit.sqlite",
                                      "name the files or directories to audit, e.g. xxgk-lint audit reports/ "
                                      "--out audit.sqlite"))
        if not os.path.exists(state_path(args.out)):
            raise AuditUsageError(msg("{o}: 审计数据库不存在（只生成汇总时需要已有的数据库）",
                                      "{o}: no such audit database (writing only the summary needs an existing one)",
                                      o=args.out))
    if args.cluster and args.jobs:
        raise AuditUsageError(msg("--cluster 与 --jobs 不能同时使用（集群的并行度由集群的 worker 决定）",
                                  "--cluster and --jobs cannot be used together (the cluster's workers decide "
                                  "how many files are checked at once)"))
    if args.summary and os.path.exists(args.summary) and not os.path.isdir(args.summary):
        raise AuditUsageError(msg("{s}: 已存在且不是目录（--summary 的汇总写在一个目录中）",
                                  "{s}: exists and is not a directory (--summary writes into a directory)",
                                  s=args.summary))
    if not files and not args.paths:   # only the summary, from the database as it is: read, never written
        t0 = time.perf_counter()
        wrote = _write_outputs(args, lang, parquet=False)
        if not args.quiet:
            _report(args.out, 0, 0, 0, time.perf_counter() - t0, False, wrote, lang)
        return 0
    if is_parquet(args.out):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise AuditUsageError(msg("写 Parquet 需要 pyarrow：pip install 'xxgk-lint[audit]'",
                                      "writing Parquet needs pyarrow: pip install 'xxgk-lint[audit]'")) from None
    try:
        store = Store(args.out, __version__)
    except StoreError as exc:
        raise AuditUsageError(of(exc)) from None
    jobs = args.jobs if args.jobs and args.jobs > 0 else _engine.default_jobs()
    show = not args.quiet and sys.stderr.isatty() and not os.environ.get("CI")
    interrupted = False
    checked = skipped = 0
    info: dict = {}
    t0 = time.perf_counter()
    try:
        cross = bool(getattr(args, "cross", False))
        tasks, skipped, failed = plan(files, store.known(), options_for, args.retry_failed, lang, cross,
                                      store.modelled() if cross else None)
        engine = ("dask:" + args.cluster) if args.cluster else ("inprocess" if jobs <= 1 or len(tasks) <= 1
                                                                 else "dask:local")
        store.start_run(engine, 1 if engine == "inprocess" else jobs, len(files), skipped, __version__)
        progress = _Progress(len(tasks) + len(failed), show, lang)

        def sink(recs):
            nonlocal checked
            store.add(recs)
            checked += len(recs)
            progress.advance(recs)

        try:
            if failed:
                sink(failed)
            if tasks:
                if engine == "inprocess":
                    _engine.run_inprocess(tasks, sink)
                else:
                    info = _engine.run_dask(tasks, sink, jobs=jobs, address=args.cluster)
        except KeyboardInterrupt:
            interrupted = True
        except _engine.EngineError as exc:
            raise AuditUsageError(of(exc)) from None
        finally:
            progress.close()
        if cross and not interrupted:
            try:
                info["cross"] = cross_step(store, options_for, files, jobs, lang)
            except KeyboardInterrupt:
                interrupted = True
        from .work import process_usage
        info["seconds"] = round(time.perf_counter() - t0, 3)
        info["process"] = process_usage()   # this process (with a LocalCluster: also the scheduler)
        store.finish_run(checked, info)
    finally:
        store.close()
    wrote = _write_outputs(args, lang, parquet=is_parquet(args.out))
    if not args.quiet:
        _report(args.out, len(files), checked, skipped, time.perf_counter() - t0,
                interrupted, wrote, lang)
    return 130 if interrupted else 0


class _Checked:
    """A report of the database as the comparisons across reports see a checked file."""

    __slots__ = ("path", "findings", "cross", "source")

    def __init__(self, path: str, packed):
        self.path, self.findings, self.cross, self.source = path, [], packed, None


def cross_step(store, options_for, files: list[str], jobs: int, lang: str = "zh") -> dict:
    """The comparisons across reports (validator/cross/run.py: cross_check, as `check` does for
    the files it is given) over **every report of the database** whose model this version
    made — the reports of earlier runs too, so a report added later is compared with those
    already there: last year's report of the same issuer (carry-over Y101/Y102, copied text
    Y201/Y203, 同比 Y204) and other issuers' reports of the year (Y202).  Their findings replace
    the previous run's (``findings.origin = 'cross'``); counts and statuses follow.  Asked for
    with ``--cross``; ``cross = false`` in the configuration (of the first file given) turns it off."""
    import pickle

    from ..cross.run import cross_check
    from .work import _finding_row
    from ..i18n import msg
    from ..larkcache import private
    from .store import state_path
    first = files[0] if files else os.getcwd()
    if not bool(options_for(first)[1].values.get("cross", True)):
        return {"done": False}
    # the models are pickles, and loading a pickle runs code: only from a database file of this
    # user that nobody else can write (as the start-up cache is read)
    if not private(os.stat(state_path(store.out))):
        print(msg("xxgk-lint: 未做跨报告对比：{o} 不属于当前用户或其他用户可写（其中存的模型不予读取）",
                  "xxgk-lint: no comparisons across reports: {o} is not yours or others can write it "
                  "(the models it holds are not read)", o=store.out).text(lang), file=sys.stderr)
        return {"done": False, "why": "database not owned by this user or writable by others"}
    t0 = time.perf_counter()
    ids, checked, missing = [], [], 0
    for rid, path, data in store.models():     # one stored model at a time (its bytes let go)
        if rid is None:
            missing += data
            continue
        try:
            packed = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a damaged row: that report is not compared (counted)
            missing += 1
            continue
        ids.append(rid)
        checked.append(_Checked(path, packed))

    def opts_for(path):
        opts, eff, rules = options_for(path)
        return opts, eff.values, rules

    if len(checked) > 1:
        cross_check(checked, opts_for, peers=True, lang=lang, shares=False, jobs=jobs)
    n = store.set_cross({rid: [_finding_row(f, opts_for(r.path)[0].lang or lang) for f in r.findings]
                         for rid, r in zip(ids, checked)})
    return {"done": True, "reports": len(checked), "without_model": missing, "findings": n,
            "seconds": round(time.perf_counter() - t0, 3)}


def _write_outputs(args, lang: str, parquet: bool) -> list[str]:
    """The Parquet export (``parquet``) and the --summary files; what was written."""
    from ..i18n import msg
    from .store import export_parquet
    wrote = []
    try:
        if parquet:
            wrote += export_parquet(args.out)
        if args.summary:
            from .summary import write_summary
            wrote += write_summary(args.out, args.summary, lang)
    except OSError as exc:   # a full disk, a summary "directory" that is a file, no permission
        where = getattr(exc, "filename", None) or args.summary or args.out
        raise AuditUsageError(msg("{w}: 无法写出（{e}）", "{w}: cannot be written ({e})",
                                  w=where, e=exc.strerror or exc)) from None
    return wrote


def _report(out, files, checked, skipped, seconds, interrupted, wrote, lang: str = "zh") -> None:
    from ..i18n import Msg, msg
    from .status import STATUSES, status_word
    from .store import open_readonly
    db = open_readonly(out)
    try:
        counts = dict(db.execute("SELECT status, count(*) FROM reports GROUP BY status").fetchall())
        total = sum(counts.values())
    finally:
        db.close()
    here = [s for s in STATUSES if counts.get(s)]
    parts = Msg("，".join(f"{s} {counts[s]}" for s in here) or "无",
                ", ".join(f"{status_word(s, 'en')} {counts[s]}" for s in here) or "none")
    rate = msg("，{r:.1f} 份/秒", ", {r:.1f} reports/s", r=checked / seconds) if checked and seconds > 0 else ""
    line = msg("{head}：本次检查 {checked} 份，跳过 {skipped} 份（内容未变，已在数据库中）{rate}；"
               "数据库共 {total} 份报告：{parts}。结果：{out}",
               "{head}: {checked} checked this run, {skipped} skipped (unchanged, already in the database){rate}; "
               "the database holds {total} report{s}: {parts}. Results: {out}",
               head=Msg("审计已中断", "Audit interrupted") if interrupted else Msg("审计完成", "Audit done"),
               checked=checked, skipped=skipped, rate=rate, total=total, s="" if total == 1 else "s",
               parts=parts, out=out)
    print(line.text(lang), file=sys.stderr)
    for w in wrote:
        print(msg("  已写出 {w}", "  wrote {w}", w=w).text(lang), file=sys.stderr)
