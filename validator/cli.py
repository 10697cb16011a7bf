"""The command line: `xxgk-lint check FILE…`, `xxgk-lint rule CODE`, `xxgk-lint rules`.

Exit codes (as ruff, sqlfluff, Vale): 0 nothing at or above --fail-on, 1 findings at or
above it, 2 usage error, unreadable input or a bad rule/config file (one line, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .findings import SEVERITY_RANK

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="xxgk-lint",
        description="政府信息公开工作年度报告检查工具：检查章节、统计表勾稽关系和格式，给出行列位置和依据。",
    )
    p.add_argument("--version", action="version", version=f"xxgk-lint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="命令")

    c = sub.add_parser("check", help="检查一个或多个报告文件", description="检查年度报告文件，输出问题清单。")
    c.add_argument("paths", nargs="*", metavar="文件", help="要检查的文件（- 表示标准输入）")
    c.add_argument("--output-format", "-o", choices=None, default=None, metavar="FORMAT",
                   help="输出格式：rich（终端默认）、concise（非终端默认）、json 等")
    c.add_argument("--template", choices=["auto", "2019", "2021"], default=None, help="指定适用的格式（默认按报告年度自动判断）")
    c.add_argument("--issuer-kind", choices=["auto", "department", "government"], default=None,
                   help="发布机关类型：department（部门，1月31日前）或 government（人民政府，3月31日前）")
    c.add_argument("--input-format", default=None, help="强制输入格式（text、html、markdown、pdf、docx）")
    c.add_argument("--fail-on", choices=["error", "warning", "info"], default=None, help="达到此级别即以1退出（默认 error）")
    c.add_argument("--select", default=None, help="只运行这些规则（编号、名称或类别，逗号分隔）")
    c.add_argument("--ignore", default=None, help="不运行这些规则（编号、名称或类别，逗号分隔）")
    c.add_argument("--lang", choices=["zh", "en"], default=None, help="信息语言（默认中文）")
    c.add_argument("--rules-dir", action="append", default=[], help="额外的规则目录（可多次指定）")
    c.add_argument("--quiet", "-q", action="store_true", help="只输出问题，不输出说明和汇总")
    c.add_argument("--no-color", action="store_true", help="不使用颜色")
    c.add_argument("--exit-zero", action="store_true", help="有问题也以0退出")
    c.add_argument("--verbose", "-v", action="store_true", help="显示编码、格式等读取信息")
    c.add_argument("--stdin-filename", default=None, help="从标准输入读取时使用的文件名")
    c.add_argument("--max-bytes", type=_limits_arg("parse_size"), default=None, metavar="SIZE",
                   help="单个文件的大小上限（默认 50MB，0 表示不限；超过的文件报 P090）")
    c.add_argument("--timeout", type=_limits_arg("parse_seconds"), default=None, metavar="SECONDS",
                   help="单个文件的检查时间上限，秒（默认 30，0 表示不限；超时报 P091）")

    r = sub.add_parser("rule", help="解释一条规则", description="显示一条规则的说明、依据、严重程度和示例。")
    r.add_argument("code", help="规则编号或名称，如 A301 或 table3-balance")
    r.add_argument("--lang", choices=["zh", "en"], default="zh")
    r.add_argument("--rules-dir", action="append", default=[])

    rs = sub.add_parser("rules", help="列出全部规则")
    rs.add_argument("--lang", choices=["zh", "en"], default="zh")
    rs.add_argument("--rules-dir", action="append", default=[])
    rs.add_argument("--output-format", choices=["rich", "json"], default="rich")
    sv = sub.add_parser("serve", help="启动本地网页检查工具（供编辑人员上传或粘贴报告）")
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认仅本机 127.0.0.1）")
    sv.add_argument("--port", type=int, default=8765, help="端口（默认 8765）")
    return p


def _limits_arg(name):
    def conv(text):
        from . import limits
        return getattr(limits, name)(text)
    conv.__name__ = name
    return conv


def _split(v):
    if not v:
        return ()
    return tuple(x.strip() for x in v.split(",") if x.strip())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own one-line usage error
        return EXIT_ERROR if exc.code not in (0, None) else EXIT_OK
    try:
        if args.command == "check":
            return cmd_check(args)
        if args.command == "rule":
            return cmd_rule(args)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "serve":
            from .web import serve  # the web face (validator/web/)
            return serve(args)
        parser.print_help()
        return EXIT_ERROR
    except UsageError as exc:
        print(f"xxgk-lint: 错误: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _load_rules(dirs):
    from .rules import load_rules
    from .yamlload import YamlError
    try:
        return load_rules(tuple(dirs))
    except YamlError as exc:
        raise UsageError(str(exc)) from None


def cmd_check(args) -> int:
    from .lint import Options, lint_bytes, lint_path, worst
    from .readers import ReadError
    from .reporters import get, names

    if not args.paths:
        raise UsageError("请指定要检查的文件，例如：xxgk-lint check 报告.txt")
    fmt = args.output_format
    if fmt is None:
        if os.environ.get("GITHUB_ACTIONS") == "true" and "github" in names():
            fmt = "github"
        else:
            fmt = "rich" if sys.stdout.isatty() else "concise"
    if fmt not in names():
        raise UsageError(f"未知的输出格式“{fmt}”；可用：{', '.join(names())}")
    rules = _load_rules(args.rules_dir)
    opts = Options(template=None if args.template in (None, "auto") else args.template,
                   issuer_kind=None if args.issuer_kind in (None, "auto") else args.issuer_kind,
                   input_format=args.input_format, lang=args.lang or "zh",
                   select=_split(args.select), ignore=_split(args.ignore),
                   extra_rule_dirs=tuple(args.rules_dir))
    if getattr(args, "max_bytes", None) is not None:
        opts.max_bytes = args.max_bytes or None
    if getattr(args, "timeout", None) is not None:
        opts.timeout = args.timeout or None
    for code in opts.select + opts.ignore:
        if code not in ("ALL",) and not _known_selector(rules, code):
            raise UsageError(f"未知的规则或类别“{code}”（xxgk-lint rules 可列出全部规则）")
    results = []
    for path in args.paths:
        try:
            if path == "-":
                data = sys.stdin.buffer.read()
                res = lint_bytes(data, args.stdin_filename or "<stdin>", opts, rules)
            else:
                res = lint_path(path, opts, rules)
        except ReadError as exc:
            raise UsageError(str(exc)) from None
        results.append(res)
        if args.verbose:
            src = res.source
            rep = res.report
            print(f"{res.path}: 格式 {src.format}，编码 {src.encoding}，{rep.template_reason}", file=sys.stderr)
    get(fmt)(results, sys.stdout, lang=opts.lang, quiet=args.quiet, color=not args.no_color and sys.stdout.isatty())
    if args.exit_zero:
        return EXIT_OK
    fail_on = SEVERITY_RANK[args.fail_on or "error"]
    return EXIT_FINDINGS if any(worst(r.findings) >= fail_on for r in results) else EXIT_OK


def _known_selector(rules, code: str) -> bool:
    from .findings import CATEGORIES
    return code in CATEGORIES or rules.by_id(code) is not None


def cmd_rule(args) -> int:
    from .ruledoc import render_rule
    rules = _load_rules(args.rules_dir)
    rule = rules.by_id(args.code)
    if rule is None:
        raise UsageError(f"没有规则“{args.code}”（xxgk-lint rules 可列出全部规则）")
    render_rule(rule, sys.stdout, lang=args.lang)
    return EXIT_OK


def cmd_rules(args) -> int:
    from .ruledoc import render_rules
    rules = _load_rules(args.rules_dir)
    render_rules(rules, sys.stdout, lang=args.lang, fmt=args.output_format)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
