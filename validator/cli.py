"""The command line: `xxgk-lint check PATH…`, `xxgk-lint rule CODE`, `xxgk-lint rules`, `xxgk-lint kinds`,
`xxgk-lint config [PATH]`, `xxgk-lint serve`.

`check` takes files, directories and globs (validator/discover.py), finds each file's
configuration (validator/config.py), checks the files in parallel worker processes
(--jobs) and prints the results in the order of the sorted file list, so the output does not
depend on --jobs.  Workers send back findings and the little the reporters need
(:class:`LiteResult`), not whole reports.

Exit codes (as ruff, sqlfluff, Vale): 0 nothing at or above --fail-on, 1 findings at or
above it, 2 usage error, unreadable input or a bad rule/config file (one line, no traceback).
"""

from __future__ import annotations

from . import recache

recache.preload()   # compiled regular expressions of earlier runs, before anything compiles one

import argparse  # noqa: E402 - after the preload above
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from . import __version__  # noqa: E402
from .findings import SEVERITY_RANK  # noqa: E402
from .i18n import en, msg, of  # noqa: E402

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


COMMANDS = ("check", "rule", "rules", "kinds", "config", "grammar", "compare", "extract", "audit", "serve")


def _command_in(argv) -> str | None:
    """The command an argument list names (``check`` in ``--lang en check a.txt``), or None
    when it names none before an option (``--help``, ``--version``, no command)."""
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--lang":
            skip = True
        elif not a.startswith("-"):
            return a
        elif not a.startswith("--lang="):
            return None
    return None


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line.  ``only``: the command about to run (one of COMMANDS) — the parsers of
    the others are not built (argparse builds a help formatter and looks up its translations
    for every parser and option: ~10 ms of a one-file check, issue 15.4).  Any other word
    (a misspelt command, --help): every command, so argparse can list them."""
    def wanted(name):
        return only not in COMMANDS or only == name

    from .cliux import CliParser, add_check_options, limits_arg
    p = CliParser(
        prog="xxgk-lint",
        description="政府信息公开工作年度报告检查工具：检查章节、统计表勾稽关系和格式，给出行列位置和依据。",
    )
    p.add_argument("--version", action="version", version=f"xxgk-lint {__version__}")
    p.add_argument("--lang", choices=["zh", "en"], default=None, dest="top_lang", help="语言：zh（中文，默认）或 en（英文）")
    sub = p.add_subparsers(dest="command", metavar="命令")

    if wanted("check"):
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
        c.add_argument("--rules-dir", action="append", default=[], metavar="DIR", help="额外的规则目录（可多次指定）")
        c.add_argument("--quiet", "-q", action="store_true", help="只输出问题，不输出说明和汇总")
        c.add_argument("--no-color", action="store_true", help="不使用颜色")
        c.add_argument("--exit-zero", action="store_true", help="有问题也以0退出")
        c.add_argument("--verbose", "-v", action="store_true", help="详细输出：同 --show-all，并显示每个文件的格式、编码等读取信息")
        c.add_argument("--stdin-filename", default=None, help="从标准输入读取时使用的文件名（也用于查找配置）")
        c.add_argument("--extend-select", default=None, help="在 select 之外再运行这些规则（逗号分隔）")
        c.add_argument("--config", default=None, metavar="FILE", help="使用这个配置文件（不再向上查找）")
        c.add_argument("--isolated", action="store_true", help="不读取任何配置文件")
        c.add_argument("--statistics", action="store_true", help="只输出每条规则的问题数")
        c.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="并行进程数（默认等于CPU核数）")
        c.add_argument("--force-exclude", action="store_true",
                       help="命令行直接给出的文件也按 exclude 和 .gitignore 排除（pre-commit 用）")
        c.add_argument("--no-respect-gitignore", action="store_true", help="查找文件时不理会 .gitignore")
        c.add_argument("--show-files", action="store_true", help="只列出将要检查的文件")
        c.add_argument("--max-bytes", type=limits_arg("parse_size"), default=None, metavar="SIZE",
                       help="单个文件的大小上限（默认 50MB，0 表示不限；超过的文件报 P090）")
        c.add_argument("--timeout", type=limits_arg("parse_seconds"), default=None, metavar="SECONDS",
                       help="单个文件的检查时间上限，秒（默认 30，0 表示不限；超时报 P091）")
        c.add_argument("--max-chars", type=limits_arg("parse_count"), default=None, metavar="N",
                       help="单个文件文本长度的上限，字（默认 1000000，0 表示不限；超过的文件报 P090）")
        c.add_argument("--max-memory", type=limits_arg("parse_size"), default=None, metavar="SIZE",
                       help="每个检查进程可用内存的上限（默认 1GB，0 表示不限；超过的文件报 P093）")
        # across reports (issue 14; validator/cross/)
        c.add_argument("--previous", default=None, metavar="上年报告",
                       help="上一年度的报告：核对表三上年结转、表二现行有效件数，比较文字相同比例（不检查这份报告本身）")
        c.add_argument("--no-cross", action="store_true", help="一次检查多份报告时，不按发布机关和年度配对对比")
        c.add_argument("--similarity-threshold", type=_fraction_arg, default=None, metavar="比例",
                       help="某一部分与其他报告文字相同的比例达到多少时报告（0到1或百分数，默认0.5）")
        add_check_options(c)

    if wanted("rule"):
        r = sub.add_parser("rule", help="解释一条规则", description="显示一条规则的说明、依据、严重程度和示例。")
        r.add_argument("code", help="规则编号或名称，如 A301 或 table3-balance")
        r.add_argument("--lang", choices=["zh", "en"], default=None)
        r.add_argument("--rules-dir", action="append", default=[], metavar="DIR")

    if wanted("rules"):
        rs = sub.add_parser("rules", help="列出全部规则")
        rs.add_argument("--lang", choices=["zh", "en"], default=None)
        rs.add_argument("--rules-dir", action="append", default=[], metavar="DIR")
        rs.add_argument("--output-format", "-o", choices=["rich", "json", "markdown"], default="rich",
                        help="rich（表格）、json，或 markdown（即 README 中的规则表）")
    if wanted("kinds"):
        kd = sub.add_parser("kinds", help="列出规则类型及其参数",
                            description="列出规则类型（kind）、每种的参数（类型、可取值、默认值）和使用它的规则。")
        kd.add_argument("--lang", choices=["zh", "en"], default=None)
        kd.add_argument("--rules-dir", action="append", default=[])
        kd.add_argument("--output-format", "-o", choices=["rich", "json", "markdown"], default="rich",
                        help="rich（终端）、json，或 markdown（即 README 中的规则类型一节）")
    if wanted("config"):
        cf = sub.add_parser("config", help="显示生效的配置及其来源", description="显示对某个文件或目录生效的配置，以及每一项来自哪里。")
        cf.add_argument("path", nargs="?", default=None, metavar="路径", help="文件或目录（默认当前目录）")
        cf.add_argument("--config", default=None, metavar="FILE")
        cf.add_argument("--isolated", action="store_true")
        cf.add_argument("--output-format", "-o", choices=["text", "json"], default="text")
        for a in ("select", "extend_select", "ignore", "fail_on", "template", "issuer_kind", "lang", "input_format"):
            cf.set_defaults(**{a: None})
        cf.set_defaults(rules_dir=[], config_output=True)
    if wanted("grammar"):
        gr = sub.add_parser("grammar", help="显示由统一格式生成的报告语法（Lark）",
                            description="打印由 rules/formats/*.yaml 生成的报告结构语法：六个部分、三张表及其各行。")
        gr.add_argument("--template", choices=("2019", "2021", "legacy"), default="2021",
                        help="格式：2019（60号文）、2021（30号文）或 legacy（2019年以前的报告）")
    if wanted("compare"):
        cp = sub.add_parser("compare", help="比较同一报告的两个版本（网页与PDF附件、草稿与发布稿）",
                            description="列出两个文件中不同的统计表单元格和正文部分，两边的位置都给出；有不同时以1退出。")
        cp.add_argument("first", metavar="文件A")
        cp.add_argument("second", metavar="文件B")
        cp.add_argument("--output-format", "-o", default=None, metavar="FORMAT", help="输出格式：rich、concise、json 等")
        cp.add_argument("--template", choices=["auto", "2019", "2021"], default=None)
        cp.add_argument("--input-format", default=None)
        cp.add_argument("--lang", choices=["zh", "en"], default=None)
        cp.add_argument("--no-color", action="store_true")
        cp.add_argument("--quiet", "-q", action="store_true")
    if wanted("extract"):
        from . import extract_cmd
        extract_cmd.add_parser(sub)
    if wanted("audit"):
        from .audit import command as audit_command
        audit_command.add_parser(sub)
    if wanted("serve"):
        sv = sub.add_parser("serve", help="启动本地网页检查工具（供编辑人员上传或粘贴报告）")
        sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认仅本机 127.0.0.1）")
        sv.add_argument("--port", type=int, default=8765, help="端口（默认 8765）")
    return p


def _fraction_arg(text):
    from .cliux import arg_lang
    from .config import _fraction
    from .i18n import text as in_lang
    try:
        return _fraction(float(text), "similarity-threshold")
    except ValueError as exc:
        m = (msg("“{t}”：{e}", '"{t}": {e}', t=text, e=of(exc)) if "应为" in str(exc) else
             msg("“{t}”不是数", '"{t}" is not a number', t=text))
        raise argparse.ArgumentTypeError(in_lang(m, arg_lang())) from None


def _split(v):
    if not v:
        return ()
    return tuple(x.strip() for x in v.split(",") if x.strip())


def main(argv: list[str] | None = None) -> int:
    from .cliux import closed_pipe, localize
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = localize(_parser(_command_in(argv)), argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own one-line usage error
        return EXIT_ERROR if exc.code not in (0, None) else EXIT_OK
    if getattr(args, "top_lang", None) and getattr(args, "lang", None) is None:
        args.lang = args.top_lang     # xxgk-lint --lang en check …
    if args.command not in ("check", "config", "extract", "audit") and getattr(args, "lang", None) is None:
        from .i18n import env_lang    # (check and the others read the configuration's lang too)
        args.lang = env_lang() or "zh"
    try:
        if args.command == "check":
            _pause_gc()
            try:
                code = cmd_check(args)
            finally:
                _resume_gc()
                _thaw_gc()
            _FAST_EXIT[0] = True   # nothing left to tidy: entry() may skip the interpreter's teardown
            return code
        if args.command == "rule":
            return cmd_rule(args)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "kinds":
            from .rules.docs import render_kinds
            render_kinds(sys.stdout, _load_rules(args.rules_dir), lang=args.lang, fmt=args.output_format)
            return EXIT_OK
        if args.command == "config":
            return cmd_config(args)
        if args.command == "grammar":
            from .parse import report_grammar
            from .templates import load_formats
            fmt = None if args.template == "legacy" else load_formats()[args.template]
            sys.stdout.write(report_grammar(fmt).text)
            return EXIT_OK
        if args.command == "compare":
            from .cross.compare import cmd_compare
            return cmd_compare(args)
        if args.command == "extract":
            return cmd_extract(args)
        if args.command == "audit":
            return cmd_audit(args)
        if args.command == "serve":
            from .web import serve  # the web face (validator/web/)
            return serve(args)
        parser.print_help()
        return EXIT_ERROR
    except UsageError as exc:
        from .i18n import text
        from .reporters.safe import safe_text
        lang = _lang(args)
        print(f"xxgk-lint: {'error' if lang == 'en' else '错误'}: {safe_text(text(exc, lang))}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `| head` closed stdout: stop quietly
        closed_pipe()
        return getattr(args, "exit_code", EXIT_FINDINGS)
    except KeyboardInterrupt:
        return 130


_GC_PAUSED = [False]


def _pause_gc() -> None:
    """No cyclic garbage collection while a check starts (imports, configuration, the rules
    from the start-up cache): that work makes next to no cyclic garbage, yet its allocations
    would set off dozens of collections (~5 ms of a cold check, issue 15.4).  The collector
    is on again once the files are checked (:func:`_resume_gc`)."""
    import gc
    if gc.isenabled():
        gc.disable()
        _GC_PAUSED[0] = True


_GC_FROZEN = [False]


def _resume_gc(freeze: bool = False) -> None:
    """The collector on again.  ``freeze``: what this process holds now (every file's result)
    is only read from here on, so it is frozen first (until :func:`_thaw_gc`): the allocations
    of the output would otherwise set off collections that walk every result — all of them
    young, having arrived while the collector was off (~40 K instructions a file in the main
    process of ``check --jobs N``)."""
    if _GC_PAUSED[0]:
        import gc
        _GC_PAUSED[0] = False
        if freeze and gc.get_freeze_count() == 0:    # frozen by someone else: theirs to thaw
            gc.freeze()
            _GC_FROZEN[0] = True
        gc.enable()


def _thaw_gc() -> None:
    if _GC_FROZEN[0]:
        import gc
        _GC_FROZEN[0] = False
        gc.unfreeze()


def _lang(args) -> str:
    """The language of messages outside findings: --lang, else XXGK_LINT_LANG, else the
    configuration's ``lang`` (once a configuration has been read), else Chinese."""
    from .i18n import env_lang
    return getattr(args, "lang", None) or env_lang() or getattr(args, "config_lang", None) or "zh"


def _load_rules(dirs):
    from .rules import load_rules
    from .yamlload import YamlError
    try:
        return load_rules(tuple(dirs))
    except YamlError as exc:
        raise UsageError(of(exc)) from None


# the many-files runner (worker processes, results in order, signals) is validator/runner.py
from .runner import LiteResult, check_one as _check_one  # noqa: E402,F401  (kept for callers)


def _run_all(tasks, jobs: int, progress: bool, max_memory=None, lang: str = "zh"):
    """Results in the order of tasks (validator/runner.py), with a progress bar on a terminal."""
    from . import runner
    from .limits import DEFAULT_MAX_MEMORY
    bar = None
    on_done = None
    if progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        bar = Progress(TextColumn("checking" if lang == "en" else "检查中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
        bar.start()
        tid = bar.add_task("", total=len(tasks))

        def on_done(i):
            bar.update(tid, advance=1, description=os.path.basename(tasks[i][0]))
    try:
        return runner.run(tasks, jobs, max_memory=DEFAULT_MAX_MEMORY if max_memory is None else max_memory,
                          on_done=on_done)
    finally:
        if bar:
            bar.stop()


def _cli_settings(args) -> dict:
    return {
        "select": _split(args.select) or None,
        "extend-select": _split(args.extend_select),
        "ignore": _split(args.ignore),
        "fail-on": args.fail_on,
        "template": args.template,
        "issuer-kind": args.issuer_kind,
        "lang": args.lang,
        "rules-dirs": tuple(str(Path(d).resolve()) for d in args.rules_dir),
        "output-format": args.output_format if args.command == "check" else None,
        "cross": False if getattr(args, "no_cross", False) else None,
        "similarity-threshold": getattr(args, "similarity_threshold", None),
    }


class _Settings:
    """Effective settings per configuration file (cached), and the rule set each one uses."""

    def __init__(self, args):
        from .config import ConfigError, Resolver
        self.args = args
        self.cli = _cli_settings(args)
        try:
            self.resolver = Resolver(getattr(args, "config", None), getattr(args, "isolated", False))
        except ConfigError as exc:
            raise UsageError(of(exc)) from None
        self._eff = {}
        self._opts = {}
        self._same = {}     # id(effective settings) -> (them, Options with the fields they alone decide, ignore, severity)
        self._read = _read_settings(args)   # the same for every file

    def for_path(self, path, is_file: bool = False):
        """(configuration, effective settings, rules) of ``path`` (``is_file``: known not to be
        a directory, as every path discovery gives: its directory's, without a stat)."""
        from .config import ConfigError, check_selectors, effective
        try:
            cfg = self.resolver.for_file(path) if is_file else self.resolver.for_path(path)
        except ConfigError as exc:
            raise UsageError(of(exc)) from None
        key = cfg.key()
        if key not in self._eff:
            eff = effective(cfg, self.cli)
            if eff.values.get("lang") and not hasattr(self.args, "config_lang"):
                self.args.config_lang = eff.values["lang"]   # errors from here on in that language
            rules = _load_rules(eff.values["rules-dirs"])
            try:
                check_selectors(eff, cfg, rules)
            except ConfigError as exc:
                raise UsageError(of(exc)) from None
            self._eff[key] = (cfg, eff, rules)
        return self._eff[key]

    def options(self, path, is_file: bool = False):
        """(Options, effective settings, rules) of a file; asked again for the same file (the
        cross-report step asks for each pair), the same answer without resolving again."""
        got = self._opts.get(path)
        if got is None:
            got = self._opts[path] = self._options(path, is_file)
        return got

    def _options(self, path, is_file: bool = False):
        cfg, eff, rules = self.for_path(path, is_file)
        # what comes from the configuration alone: once per configuration, not per file
        same = self._same.get(id(eff))
        if same is None or same[0] is not eff:
            from functools import partial

            from .config import select_tuple, severity_overrides
            from .lint import Options
            v = eff.values
            make = partial(Options, template=None if v["template"] in (None, "auto") else v["template"],
                           issuer_kind=None if v["issuer-kind"] in (None, "auto") else v["issuer-kind"],
                           input_format=self.args.input_format, lang=v["lang"] or "zh",
                           select=select_tuple(eff), extra_rule_dirs=tuple(v["rules-dirs"]))
            same = self._same[id(eff)] = (eff, make, tuple(v["ignore"]), severity_overrides(eff, rules))
        _eff, make, ignore, severity = same
        if eff.values.get("per-file-ignores"):
            from .config import per_file_ignores
            ignore = ignore + per_file_ignores(eff, cfg.root, path)
        opts = make(ignore=ignore, severity=dict(severity))     # no two files share a mutable field
        lim = self._read
        opts.max_bytes, opts.timeout, opts.max_chars = lim.max_bytes, lim.timeout, lim.max_chars
        return opts, eff, rules


def _read_settings(args):
    """What reading a file depends on, all from the command line (the configuration sets none
    of it): the input format and the size, time and character limits (0 = none) — the same in
    every file's Options (:meth:`_Settings._options`) and in the reading started early
    (:func:`validator.runner.read_ahead`)."""
    from types import SimpleNamespace

    from . import limits

    def given(name, default):
        v = getattr(args, name, None)
        return default if v is None else (v or None)
    return SimpleNamespace(input_format=getattr(args, "input_format", None),
                           max_bytes=given("max_bytes", limits.DEFAULT_MAX_BYTES),
                           timeout=given("timeout", limits.DEFAULT_TIMEOUT_S),
                           max_chars=given("max_chars", limits.DEFAULT_MAX_CHARS))


def _verbose_logging() -> None:
    """--verbose: what the readers and their engines noticed in a file (logger "validator",
    e.g. a PDF page PDFium could not load) goes to stderr; without it nothing is printed."""
    import logging
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("xxgk-lint: %(message)s"))
    for name in ("validator", "pypdfium2"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def cmd_check(args) -> int:
    from .discover import DiscoverError, discover
    from .readers import ReadError
    from .reporters import get, names

    from .cliux import color_wanted, split_missing
    if not args.paths:
        raise UsageError(msg("请指定要检查的文件或目录，例如：xxgk-lint check 报告.txt 或 xxgk-lint check .",
                             "name the files or directories to check, e.g. xxgk-lint check report.txt or xxgk-lint check ."))
    settings = _Settings(args)
    paths, missing = split_missing(args.paths)   # reported like findings; the rest is checked
    if args.verbose:
        _verbose_logging()
    try:
        files = discover(paths, settings.resolver, force_exclude=args.force_exclude,
                         respect_gitignore=not args.no_respect_gitignore) if paths else []
    except DiscoverError as exc:
        raise UsageError(of(exc)) from None
    if len(files) == 1 and files[0] != "-" and not args.show_files:
        # one PDF or DOCX: its reading starts now, in a process of its own, while this one
        # loads the configuration, the rules and the pipeline (validator/runner.py, Reading)
        from . import runner
        from .limits import DEFAULT_MAX_MEMORY
        mm = getattr(args, "max_memory", None)
        runner.read_ahead(files[0], _read_settings(args), DEFAULT_MAX_MEMORY if mm is None else mm)
    if args.previous and not os.path.isfile(args.previous):
        raise UsageError(msg("{p}: 无法读取上一年度的报告（文件不存在）",
                             "{p}: cannot read the previous year's report (no such file)", p=args.previous))
    first = args.stdin_filename if files[:1] == ["-"] and args.stdin_filename else (files[0] if files else ".")
    _cfg0, eff0, rules0 = settings.for_path("." if first == "-" else first)
    fmt = eff0.values["output-format"]
    if fmt is None:
        if os.environ.get("GITHUB_ACTIONS") == "true" and "github" in names():
            fmt = "github"
        else:
            fmt = "rich" if sys.stdout.isatty() else "concise"
    if fmt not in names():
        raise UsageError(msg("未知的输出格式“{f}”；可用：{a}", 'unknown output format "{f}"; available: {a}',
                             f=fmt, a=", ".join(names())))
    if args.show_files:
        for p in files:
            print(p)
        return EXIT_OK
    lang = eff0.values["lang"] or "zh"
    if not files and not missing:
        print("xxgk-lint: no report file found (txt, html, md, pdf, docx)" if lang == "en" else
              "xxgk-lint: 没有找到要检查的报告文件（txt、html、md、pdf、docx）", file=sys.stderr)
        return EXIT_OK if args.allow_empty else EXIT_ERROR
    for target in (args.baseline, args.write_baseline):
        if target and any(p != "-" and os.path.abspath(p) == os.path.abspath(target) for p in files):
            raise UsageError(msg("{t}: 基线文件不能同时是要检查的文件", "{t}: the baseline file cannot also be a file to check",
                                 t=target))

    tasks, per_file = [], {}
    cross = bool(args.previous) or (len(files) > 1 and eff0.values.get("cross", True))
    # only an output that shows source lines gets them; only one that lists the related
    # places in a finding's own file (JSON, SARIF) gets those (validator/runner.py, LiteResult.of)
    from .reporters import lists_related, reads, shows_cells, shows_source
    lines = shows_source(fmt) and not args.quiet and not args.statistics
    related = lists_related(fmt) and not args.statistics
    # the findings folded in the worker (LiteResult.of), as present() folds them here, for an
    # output that never shows a folded finding's members, when nothing here needs them one by
    # one (the baseline, --show-all, --verbose, the comparison of reports) and the file's rules
    # are those present() folds with
    fold_there = not (shows_cells(fmt) or cross or args.show_all or args.verbose or args.baseline
                      or args.write_baseline)
    fold_dirs = tuple(eff0.values["rules-dirs"])
    # a worker that folds the findings sends back only the fields of each that the output
    # reads (reporters.reads): nothing else here reads more of them then (the exit code: the
    # severity; present(): nothing left to fold); --statistics reads the rules' names
    fields = None if args.statistics else reads(fmt)
    english = lang == "en"   # the output's language: the findings' English texts are read only then
    for p in files:
        if p == "-":
            continue
        opts, eff, _rules = settings.options(p, is_file=True)
        opts.english = english
        folded = fold_there and opts.extra_rule_dirs == fold_dirs
        # the check itself told what the result drops, so as not to make it (runner.check_one
        # otherwise copies the options to say so)
        opts.related, opts.fold = related, folded
        tasks.append((p, opts, cross, lines, related, folded, fields if folded else None))
        per_file[p] = eff
    results = [LiteResult(p, [], error=why) for p, why in missing]
    if "-" in files:
        from .rules import RuleRunError
        name = args.stdin_filename or "<stdin>"
        opts, eff, rules = settings.options(args.stdin_filename or "<stdin>")
        opts.english = english
        per_file[name] = eff
        try:
            from .limits import LimitExceeded, read_bounded
            try:  # never read more than --max-bytes from a pipe (cat /dev/zero | xxgk-lint check -)
                data = read_bounded(sys.stdin.buffer, opts.max_bytes)
            except LimitExceeded as exc:
                from .lint import limit_result
                res = limit_result(name, exc, opts, rules)
                results.append(LiteResult.of(res))
            else:
                from . import runner
                from .limits import DEFAULT_MAX_MEMORY
                mm = getattr(args, "max_memory", None)
                lite = runner.check_data(name, data, opts, DEFAULT_MAX_MEMORY if mm is None else mm)
                if lite.fatal:   # a rule that cannot run: the rule file is bad input
                    raise UsageError(lite.error)
                results.append(lite)
        except ReadError as exc:
            results.append(LiteResult(name, [], error=of(exc)))
        except RuleRunError as exc:
            raise UsageError(of(exc)) from None
    jobs = args.jobs if args.jobs and args.jobs > 0 else (os.cpu_count() or 1)
    show_progress = (not args.quiet and sys.stderr.isatty() and len(tasks) > 5
                     and fmt in ("rich", "concise") and not os.environ.get("CI"))
    outcome = _run_all(tasks, jobs, show_progress, getattr(args, "max_memory", None), lang)
    _resume_gc(freeze=True)   # start-up is over (see _pause_gc); the results are only read now
    fatal = next((r.error for r in outcome.done if r.fatal), None)
    if fatal:  # a rule that cannot run: the rule file is bad input, as at load time
        raise UsageError(fatal)
    results += outcome.done
    if outcome.interrupted:
        from .i18n import text
        print(text(msg("xxgk-lint: 已中断（{s}）：已检查 {d}/{n} 个文件，其余未检查",
                        "xxgk-lint: interrupted ({s}): {d} of {n} files checked, the rest not",
                        s=outcome.interrupted, d=len(outcome.done), n=len(outcome.results)), lang), file=sys.stderr)
        cross = False   # no comparison of a partial run

    if cross:  # last year's report, other issuers' reports of the year (validator/cross/)
        from .cross.run import cli_cross_step
        cross_notes, cross_error = cli_cross_step(args, results, settings)
        if cross_error:
            raise UsageError(cross_error)
    errors = [r for r in results if r.error]
    if fmt not in ("rich", "concise") or args.statistics:  # those two print errors in their own place
        from .reporters.common import error_text
        from .reporters.safe import safe_text
        for r in errors:
            print(f"xxgk-lint: {'error' if lang == 'en' else '错误'}: {r.path}: {safe_text(error_text(r, lang))}",
                  file=sys.stderr)
    if args.verbose:
        for r in results:
            if r.source is not None and r.report is not None:
                print(f"{r.path}: format {r.source.format}, encoding {r.source.encoding}, {en(r.report.template_reason)}"
                      if lang == "en" else
                      f"{r.path}: 格式 {r.source.format}，编码 {r.source.encoding}，{r.report.template_reason}",
                      file=sys.stderr)
        for line in (cross_notes if cross else []):
            print(line, file=sys.stderr)
    from .baseline import BaselineError
    from .cliux import present
    try:
        known = present(results, args, rules0, lang)
    except BaselineError as exc:
        raise UsageError(of(exc)) from None
    if args.write_baseline:
        return EXIT_ERROR if errors else EXIT_OK
    code = EXIT_OK
    if errors:
        code = EXIT_ERROR
    elif not args.exit_zero:
        from .lint import worst
        for r in results:
            eff = per_file.get(r.path, eff0)
            if worst(r.findings) >= SEVERITY_RANK[eff.values["fail-on"] or "error"]:
                code = EXIT_FINDINGS
                break
    args.exit_code = code   # what a closed pipe (| head) still returns
    from .cliux import buffered_stdout
    with buffered_stdout() as out:
        if args.statistics:
            _print_statistics(results, out, lang)
        else:
            get(fmt)(results, out, lang=lang, quiet=args.quiet, color=color_wanted(args.no_color),
                     rules=rules0, fail_on=eff0.values["fail-on"], baseline=known)
    recache.remember()      # the report is out: store the patterns this run compiled first
    if _LEAVING[0]:
        _KEPT.append((results, outcome, tasks, per_file, settings))
    if outcome.interrupted:
        return 130 if outcome.interrupted == "SIGINT" else 143
    return code


def _files(args, settings) -> list[str]:
    """The files named by args.paths (files, directories, globs), which must exist."""
    from .discover import DiscoverError, discover
    try:
        files = discover(args.paths, settings.resolver, force_exclude=args.force_exclude,
                         respect_gitignore=not args.no_respect_gitignore)
    except DiscoverError as exc:
        raise UsageError(of(exc)) from None
    for p in files:
        if p == "-" or not os.path.exists(p):
            raise UsageError(msg("{p}: 无法读取（文件不存在）", "{p}: cannot be read (no such file)", p=p))
    return files


def cmd_extract(args) -> int:
    """`xxgk-lint extract FILE…` (validator/extract_cmd.py)."""
    from . import extract_cmd
    if not args.paths:
        raise UsageError(msg("请指定要导出的文件或目录，例如：xxgk-lint extract 报告.pdf",
                             "name the files or directories to export, e.g. xxgk-lint extract report.pdf"))
    settings = _Settings(args)
    return extract_cmd.run(args, settings, _files(args, settings))


def cmd_audit(args) -> int:
    """`xxgk-lint audit PATH… --out audit.sqlite` (validator/audit/)."""
    from .audit import command as audit_command
    settings = _Settings(args)
    files = _files(args, settings) if args.paths else []
    if not args.paths and not hasattr(args, "config_lang"):   # only the summary: the configuration's lang here
        from .config import ConfigError, effective
        try:
            args.config_lang = effective(settings.resolver.for_path(os.getcwd()), settings.cli).values.get("lang")
        except ConfigError as exc:
            raise UsageError(of(exc)) from None
    try:
        return audit_command.run(args, files, settings.options, lang=_lang(args))
    except audit_command.AuditUsageError as exc:
        raise UsageError(of(exc)) from None


def _print_statistics(results, out, lang="zh"):
    from collections import Counter
    count, meta = Counter(), {}
    for r in results:
        for f in r.findings:
            count[f.rule] += 1
            meta[f.rule] = (f.name, f.severity)
    for rule, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0])):
        name, sev = meta[rule]
        out.write(f"{n:>6}  {rule:<5} {name:<32} [{sev}]\n")
    from .reporters.common import summary
    out.write(summary(results, lang) + "\n")


def cmd_config(args) -> int:
    """`xxgk-lint config [PATH]`: the effective settings for PATH and where each came from."""
    import json
    from .config import describe
    path = args.path or "."
    settings = _Settings(args)
    cfg, eff, _rules = settings.for_path(path)
    rows = describe(eff, cfg)
    if args.output_format == "json":
        json.dump({"config_file": str(cfg.path) if cfg.path else None,
                   "settings": {k: {"value": eff.values[k] if not isinstance(eff.values[k], tuple) else list(eff.values[k]),
                                    "source": src} for k, _v, src in rows}},
                  sys.stdout, ensure_ascii=False, indent=2, default=list)
        sys.stdout.write("\n")
        return EXIT_OK
    lang = _lang(args)
    if lang == "en":
        head = f"configuration file: {cfg.path}" if cfg.path else "configuration file: none (defaults)"
        head += " (--isolated)" if args.isolated else ""
    else:
        head = f"配置文件：{cfg.path}" if cfg.path else "配置文件：无（使用默认设置）"
        head += "（--isolated）" if args.isolated else ""
    print(head)
    width = max(len(k) for k, _, _ in rows)
    for k, v, src in rows:
        if lang == "en":
            src = src.replace("默认", "default").replace("命令行", "command line").replace("环境变量", "environment")
        print(f"  {k:<{width}} = {v:<30}  # {src}")
    return EXIT_OK


def _known_selector(rules, code: str) -> bool:
    from .findings import CATEGORIES
    return code in CATEGORIES or rules.by_id(code) is not None


def cmd_rule(args) -> int:
    from .ruledoc import render_rule
    rules = _load_rules(args.rules_dir)
    rule = rules.by_id(args.code)
    if rule is None:
        raise UsageError(msg("没有规则“{c}”（xxgk-lint rules 可列出全部规则）",
                             'no rule "{c}" (xxgk-lint rules lists them all)', c=args.code))
    render_rule(rule, sys.stdout, lang=args.lang)
    return EXIT_OK


def cmd_rules(args) -> int:
    from .ruledoc import render_rules
    rules = _load_rules(args.rules_dir)
    if args.output_format == "markdown":
        from .ruledoc import markdown_reference
        sys.stdout.write(markdown_reference(rules))
        return EXIT_OK
    render_rules(rules, sys.stdout, lang=args.lang, fmt=args.output_format)
    return EXIT_OK


_FAST_EXIT = [False]
# What a check holds at its end (every file's result and task) when the process is about to
# leave with os._exit (entry()): kept, not freed object by object as cmd_check returns — ~8 ms
# for 1,000 files, while the workers have stopped and one core is idle.  main() called in a
# process that goes on (tests, the web face) frees it as usual.
_LEAVING = [False]
_KEPT: list = []


def entry() -> None:
    """The console script (and ``python -m validator``): ``main()``, then exit.  After a
    check (workers stopped, output written and flushed, no files left open) the process
    leaves with ``os._exit`` instead of tearing the interpreter down object by object — the
    operating system frees the memory at once; a cold check is ~10 ms shorter (issue 15.4)."""
    _LEAVING[0] = True
    code = main()
    if _FAST_EXIT[0]:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - a closed pipe: the ordinary exit deals with it
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
