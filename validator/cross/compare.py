"""`xxgk-lint compare A B`: two copies of one report (the web page and its PDF attachment, a
DOCX draft and the published page) — every template cell and every section that differs,
located in both files.  The comparisons are the rules of kind compare_copies (rules/cross.yaml:
Y301, Y302; Y100 lists cells that could not be read), so
they are explained by `xxgk-lint rule`, and the output formats are those of `check`.

Exit codes: 0 the copies agree, 1 something differs, 2 a file cannot be read.
"""

from __future__ import annotations

import os
import sys



class _Result:
    """What reporters read of a checked file."""

    def __init__(self, path, findings, report, source):
        self.path = path
        self.findings = findings
        self.report = report
        self.source = source
        self.error = None


def compare_paths(a: str, b: str, *, template=None, input_format=None, lang="zh", rules=None):
    """(result of A, result of B): findings about A (against B) and about B (against A) are
    the same differences seen from each side; only A's are returned as findings, B's result
    is there for reporters (its path, format, year)."""
    from ..lint import Options, lint_path
    from ..rules import RuleSet, load_rules
    from .run import check_pair
    rules = rules or load_rules()
    opts = Options(template=template, input_format=input_format, lang=lang)
    ra = lint_path(a, opts, rules)
    rb = lint_path(b, opts, rules)
    copy_rules = RuleSet([r for r in rules.rules if "copy" in r.relations or r.emitted_by == "cross"])
    found, _ctx = check_pair(ra.report, rb.report, copy_rules, opts, relation="copy")
    return _Result(ra.path, found, ra.report, ra.source), _Result(rb.path, [], rb.report, rb.source)


def cmd_compare(args) -> int:
    from ..readers import ReadError
    from ..reporters import get, names
    from ..i18n import msg, text
    err = "error" if args.lang == "en" else "错误"
    for p in (args.first, args.second):
        if not os.path.isfile(p):
            print(f"xxgk-lint: {err}: " + text(msg("{p}: 无法读取（文件不存在）", "{p}: cannot be read (no such file)", p=p),
                                                  args.lang), file=sys.stderr)
            return 2
    fmt = args.output_format or ("rich" if sys.stdout.isatty() else "concise")
    if fmt not in names():
        print(f"xxgk-lint: {err}: " + text(msg("未知的输出格式“{f}”；可用：{a}", 'unknown output format "{f}"; available: {a}',
                                              f=fmt, a=", ".join(names())), args.lang), file=sys.stderr)
        return 2
    try:
        ra, rb = compare_paths(args.first, args.second, template=None if args.template in (None, "auto") else args.template,
                               input_format=args.input_format, lang=args.lang)
    except ReadError as exc:
        print(f"xxgk-lint: {err}: {text(exc, args.lang)}", file=sys.stderr)
        return 2
    color = not args.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    from ..rules import load_rules
    get(fmt)([ra], sys.stdout, lang=args.lang, quiet=args.quiet, color=color, rules=load_rules(), fail_on="info")
    differs = [f for f in ra.findings if f.rule != "Y100"]
    if not args.quiet and fmt in ("rich", "concise"):
        if differs:
            msg = (f"{ra.path} 与 {rb.path}：{len(differs)}处不同。" if args.lang != "en"
                   else f"{ra.path} and {rb.path}: {len(differs)} difference(s).")
        else:
            msg = (f"{ra.path} 与 {rb.path}：统计表和正文一致。" if args.lang != "en"
                   else f"{ra.path} and {rb.path}: tables and text agree.")
        print(msg, file=sys.stderr)
    return 1 if differs else 0
