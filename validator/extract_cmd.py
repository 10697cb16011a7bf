"""`xxgk-lint extract FILE…`: every template cell the parser read, as JSON or CSV.

One record per (table, row, column) of the report's format, from
:func:`validator.extract.template_cells` (the one record of the cells read), with the file's
``path`` first.  A report without 2019/2021 tables (a pre-2019 report, a page that is not a
report) gives no records and a one-line note on stderr; an unreadable file a one-line error
(exit 2) while the other files are still extracted.
"""

from __future__ import annotations

import sys

FORMATS = ("json", "jsonl", "csv")


def add_parser(sub) -> None:
    e = sub.add_parser("extract", help="导出报告统计表中读到的每个单元格（JSON 或 CSV）",
                       description="导出每个模板单元格：表、行、列、值的类型、数值、原文和位置。")
    e.add_argument("paths", nargs="*", metavar="文件", help="报告文件或目录")
    e.add_argument("--output-format", "-o", choices=FORMATS, default="json",
                   help="json（默认，一个数组）、jsonl（每行一个单元格）或 csv")
    e.add_argument("--template", choices=["auto", "2019", "2021"], default=None, help="指定适用的格式（默认自动判断）")
    e.add_argument("--input-format", default=None, help="强制输入格式（text、html、markdown、pdf、docx）")
    e.add_argument("--config", default=None, metavar="FILE", help="使用这个配置文件（不再向上查找）")
    e.add_argument("--isolated", action="store_true", help="不读取任何配置文件")
    e.add_argument("--no-respect-gitignore", action="store_true", help="查找文件时不理会 .gitignore")
    for a in ("select", "extend_select", "ignore", "fail_on", "issuer_kind", "lang"):
        e.set_defaults(**{a: None})
    e.set_defaults(rules_dir=[], force_exclude=False)


def records(path: str, opts, rules):
    """(cell records, Result) of one file (raises readers.ReadError for unreadable input)."""
    from .extract import template_cells
    from .lint import lint_path
    res = lint_path(path, opts, rules)
    out = []
    for rec in template_cells(res.report) if res.report is not None else ():
        out.append({"path": path, **rec})
    return out, res


def run(args, settings, files) -> int:
    """Write the records of `files` to stdout; `settings` gives each file's Options."""
    from .cliux import buffered_stdout
    try:
        with buffered_stdout():    # each file's records written together (flushed per file)
            return _run(args, settings, files)
    except BrokenPipeError:  # `xxgk-lint extract … | head`: the reader has had enough
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args, settings, files) -> int:
    import csv
    import json

    from .i18n import text
    from .extract import FIELDS
    from .readers import ReadError
    record_fields = ("path",) + FIELDS
    fmt = args.output_format
    out = sys.stdout
    failed = False
    writer = None
    first = True
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=record_fields, lineterminator="\n")
        writer.writeheader()
    elif fmt == "json":
        out.write("[")
    for p in files:
        opts, _eff, rules = settings.options(p)
        lang = opts.lang
        err = "error" if lang == "en" else "错误"
        try:
            recs, res = records(p, opts, rules)
        except ReadError as exc:
            print(f"xxgk-lint: {err}: {text(exc, lang)}", file=sys.stderr)
            failed = True
            continue
        if not recs:
            rep = res.report
            limit = next((f for f in res.findings if f.rule in ("P090", "P091")), None)
            if limit is not None:
                print(f"xxgk-lint: {err}: {p}: {limit.text(lang)}", file=sys.stderr)
                failed = True
            else:
                why = rep.template_reason if rep is not None else ""
                print(f"xxgk-lint: info: {p}: no cell of a 2019/2021 format table was read ({text(why, 'en')})" if lang == "en" else
                      f"xxgk-lint: 提示: {p}: 没有读到2019/2021年格式的统计表单元格（{why}）", file=sys.stderr)
        for r in recs:
            if writer is not None:
                writer.writerow(r)
            elif fmt == "jsonl":
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
            else:
                out.write(("\n" if first else ",\n") + json.dumps(r, ensure_ascii=False))
                first = False
        if recs:
            out.flush()
    if fmt == "json":
        out.write("\n]\n" if not first else "]\n")
    out.flush()
    return 2 if failed else 0
