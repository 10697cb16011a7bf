"""The command line's manners (issue 13), kept apart from validator/cli.py so that file stays
about what the commands do:

* argparse in Chinese: help headings, usage errors as one Chinese line on stderr (exit 2),
  and the whole help in English with ``--lang en``;
* ``-o`` help lists every output format there is;
* paths that do not exist are reported like a finding and the rest is checked (exit 2 at
  the end, as ruff does);
* colour: ``--no-color`` / ``NO_COLOR`` off, ``FORCE_COLOR`` on, otherwise only on a terminal;
* a closed pipe (``xxgk-lint check . | head``) ends the run quietly, without a traceback.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys
from contextlib import contextmanager

from .i18n import Msg
from .lazyre import later

# --------------------------------------------------------------------------------------
# language of the command line itself


def argv_lang(argv: list[str]) -> str:
    """``--lang en`` anywhere on the command line (help is built before parsing), else
    ``XXGK_LINT_LANG``."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1] == "en" else "zh"
    from .i18n import env_lang
    return env_lang() or "zh"


_ARG_LANG = ["zh"]


def arg_lang() -> str:
    """The language the command line was parsed in (for argument converters, whose message
    argparse takes as plain text)."""
    return _ARG_LANG[0]


_ARGPARSE_ZH = [
    (later(r"^argument (?P<arg>[^:]+): invalid choice: (?P<val>.+?) \(choose from (?P<choices>.+)\)$"),
     "{arg} 的取值 {val} 无效（可用：{choices}）"),
    (later(r"^argument (?P<arg>[^:]+): invalid (?P<type>\S+) value: (?P<val>.+)$"),
     "{arg} 的取值 {val} 无效"),
    (later(r"^argument (?P<arg>[^:]+): expected one argument$"), "{arg} 后面需要一个值"),
    (later(r"^argument (?P<arg>[^:]+): expected at most one argument$"), "{arg} 后面最多一个值"),
    (later(r"^argument (?P<arg>[^:]+): expected at least one argument$"), "{arg} 后面至少需要一个值"),
    (later(r"^argument (?P<arg>[^:]+): ignored explicit argument (?P<val>.+)$"), "{arg} 不接受取值 {val}"),
    (later(r"^argument (?P<arg>[^:]+): not allowed with argument (?P<other>.+)$"), "{arg} 不能与 {other} 同时使用"),
    (later(r"^argument (?P<arg>[^:]+): (?P<msg>.+)$"), "{arg}：{msg}"),
    (later(r"^unrecognized arguments: (?P<args>.+)$"), "不认识的参数：{args}（xxgk-lint check --help 列出全部选项）"),
    (later(r"^the following arguments are required: (?P<args>.+)$"), "缺少必需的参数：{args}"),
    (later(r"^ambiguous option: (?P<opt>\S+) could match (?P<m>.+)$"), "选项 {opt} 有歧义，可能是：{m}"),
    (later(r"^one of the arguments (?P<args>.+) is required$"), "{args} 中必须给出一个"),
]

_ARG_NAMES_ZH = {"command": "命令"}



def limits_arg(name: str):
    """An argparse ``type=`` for a limit (--max-bytes, --timeout, --max-chars, --max-memory):
    ``validator.limits.<name>``, its error in the command line's language (argparse keeps
    only the text of the error)."""
    def conv(text):
        from . import limits
        from .i18n import text as in_lang
        try:
            return getattr(limits, name)(text)
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(in_lang(exc, arg_lang())) from None
    conv.__name__ = name
    return conv

def _zh_error(message: str) -> str:
    for rx, tpl in _ARGPARSE_ZH:
        m = rx.match(message)
        if m:
            parts = {k: (v or "") for k, v in m.groupdict().items()}
            if "val" in parts:
                parts["val"] = "“" + parts["val"].strip().strip("'\"") + "”"
            if "choices" in parts:
                parts["choices"] = "、".join(x.strip().strip("'\"") for x in parts["choices"].split(","))
            if parts.get("arg") in ("命令", "command") and "choices" in parts:
                return f"没有命令{parts['val']}（可用：{parts['choices']}）"
            if "arg" in parts:
                parts["arg"] = _ARG_NAMES_ZH.get(parts["arg"], parts["arg"].replace("/", " / "))
            return tpl.format(**parts)
    return message


class CliParser(argparse.ArgumentParser):
    """argparse with a one-line error in the user's language (exit 2), never a usage block."""

    lang = "zh"

    def format_help(self):
        text = super().format_help()
        if self.lang != "en":   # argparse ends headings with an ASCII colon
            text = re.sub(r"^(参数|选项|命令):$", r"\1：", text, flags=re.M)
        return text

    def error(self, message):  # noqa: D401 - argparse API
        prog = "xxgk-lint"
        if self.lang == "en":
            self.exit(2, f"{prog}: error: {message} (xxgk-lint --help)\n")
        self.exit(2, f"{prog}: 错误: {_zh_error(message)}\n")


class _Formatter(argparse.HelpFormatter):
    lang = "zh"

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:
            prefix = "usage: " if self.lang == "en" else "用法："
        return super().add_usage(usage, actions, groups, prefix)

    def _format_action_invocation(self, action):   # "-o FORMAT, --output-format FORMAT" once
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        default = self._get_default_metavar_for_optional(action)
        args = self._format_args(action, default)
        return ", ".join(action.option_strings) + " " + args


class _FormatterEn(_Formatter):
    lang = "en"


# English help of every subcommand and option; (command, first option string or dest)
HELP_EN: dict[tuple[str, str], str] = {
    ("", "description"): "Checker for government information-disclosure annual reports "
                         "(“政府信息公开工作年度报告”): sections, the arithmetic of the statistical tables and "
                         "format, each finding with its line/column and legal basis.",
    ("", "--version"): "show the version and exit",
    ("", "--lang"): "language: zh (Chinese, the default) or en (English)",
    ("", "commands"): "commands",
    ("check", "help"): "check one or more report files",
    ("check", "description"): "Check annual report files and list the findings.",
    ("check", "paths"): "files, directories or globs to check (- reads standard input)",
    ("check", "--template"): "the format to apply (default: from the report year)",
    ("check", "--issuer-kind"): "issuer: department (publishes by 31 January) or government (by 31 March)",
    ("check", "--input-format"): "force the input format (text, html, markdown, pdf, docx)",
    ("check", "--fail-on"): "exit 1 when a finding reaches this severity (default: error)",
    ("check", "--select"): "run only these rules (codes, names or categories, comma-separated)",
    ("check", "--ignore"): "do not run these rules (codes, names or categories, comma-separated)",
    ("check", "--lang"): "language of the messages and of this help (default: zh, Chinese)",
    ("check", "--rules-dir"): "an extra directory of YAML rules (repeatable)",
    ("check", "--quiet"): "print the findings only, without source lines, advice or summary",
    ("check", "--no-color"): "no colours (also NO_COLOR=1; FORCE_COLOR=1 forces them)",
    ("check", "--exit-zero"): "exit 0 even when there are findings",
    ("check", "--verbose"): "the long form (as --show-all) plus how each file was read (format, encoding)",
    ("check", "--stdin-filename"): "the file name to use for standard input (also for finding the configuration)",
    ("check", "--extend-select"): "run these rules in addition to select (comma-separated)",
    ("check", "--config"): "use this configuration file (do not search for one)",
    ("check", "--isolated"): "read no configuration file",
    ("check", "--statistics"): "print the number of findings per rule only",
    ("check", "--jobs"): "number of worker processes (default: the number of CPUs)",
    ("check", "--force-exclude"): "apply exclude and .gitignore also to files named on the command line (pre-commit)",
    ("check", "--no-respect-gitignore"): "ignore .gitignore when looking for files",
    ("check", "--show-files"): "list the files that would be checked and exit",
    ("check", "--max-bytes"): "size limit per file (default 50MB, 0 = none; larger files get P090)",
    ("check", "--timeout"): "time limit per file in seconds (default 30, 0 = none; P091 when exceeded)",
    ("check", "--max-chars"): "limit on the text length per file in characters (default 1000000, 0 = none; P090)",
    ("check", "--show-all"): "list every finding one by one (blank cells cell by cell) instead of one per table",
    ("check", "--baseline"): "findings recorded in FILE (written by --write-baseline) are known: not shown and "
                             "not failing; only new findings count",
    ("check", "--write-baseline"): "write the current findings to FILE as the baseline and exit 0",
    ("check", "--allow-empty"): "exit 0 (instead of 2) when no report file was found",
    ("check", "--previous"): "last year's report: check Table 3's carried-over and Table 2's documents in force against "
                             "it and compare the wording (that report itself is not checked)",
    ("check", "--no-cross"): "when several reports are checked at once, do not pair them by issuer and year",
    ("check", "--similarity-threshold"): "report a part whose text is this share identical to another report's "
                                         "(0 to 1 or a percentage; default 0.5)",
    ("compare", "help"): "compare two versions of one report (web page and PDF attachment, draft and published)",
    ("compare", "description"): "List the table cells and text parts that differ between two files, located in "
                                "both; exit 1 when they differ.",
    ("compare", "first"): "file A",
    ("compare", "second"): "file B",
    ("compare", "--output-format"): "output format: rich, concise, json …",
    ("compare", "--template"): "the format to apply (default: from the report year)",
    ("compare", "--input-format"): "force the input format (text, html, markdown, pdf, docx)",
    ("compare", "--lang"): "language (default: zh, Chinese)",
    ("compare", "--no-color"): "no colours",
    ("compare", "--quiet"): "print the differences only",
    ("rule", "help"): "explain one rule",
    ("rule", "description"): "Show a rule's explanation, basis, severity and examples.",
    ("rule", "code"): "rule code or name, e.g. A301 or table3-balance",
    ("rule", "--lang"): "language (default: zh, Chinese)",
    ("rule", "--rules-dir"): "an extra directory of YAML rules (repeatable)",
    ("rules", "help"): "list all rules",
    ("rules", "--lang"): "language (default: zh, Chinese)",
    ("rules", "--rules-dir"): "an extra directory of YAML rules (repeatable)",
    ("rules", "--output-format"): "rich (a table), json, or markdown (the rule table of the README)",
    ("config", "help"): "show the effective configuration and where each setting comes from",
    ("config", "description"): "Show the configuration in effect for a file or directory, and where each "
                               "setting comes from.",
    ("config", "path"): "file or directory (default: the current directory)",
    ("config", "--config"): "use this configuration file (do not search for one)",
    ("config", "--isolated"): "read no configuration file",
    ("config", "--output-format"): "text or json",
    ("grammar", "help"): "print the report grammar generated from the formats (Lark)",
    ("grammar", "description"): "Print the grammar of the report's structure generated from rules/formats/*.yaml: "
                                "the six parts, the three tables and their rows.",
    ("grammar", "--template"): "format: 2019 (“60号”), 2021 (“30号”) or legacy (reports before 2019)",
    ("check", "--max-memory"): "memory cap per checking process (default 1GB, 0 = none; a file over it gets P093)",
    ("extract", "help"): "export every table cell read from reports (JSON or CSV)",
    ("extract", "description"): "Export every template cell: table, row, column, value kind, number, raw text and "
                                "place in the file.",
    ("extract", "paths"): "report files or directories",
    ("extract", "--output-format"): "json (default, one array), jsonl (one cell per line) or csv",
    ("extract", "--template"): "the format to apply (default: by report year)",
    ("extract", "--input-format"): "force the input format (text, html, markdown, pdf, docx)",
    ("extract", "--config"): "use this configuration file (do not search for one)",
    ("extract", "--isolated"): "read no configuration file",
    ("extract", "--no-respect-gitignore"): "do not skip files listed in .gitignore",
    ("audit", "help"): "audit many reports into a dataset (SQLite/Parquet) and a summary",
    ("audit", "description"): "Check a batch of reports into a database (one row per report with status, counts "
                              "and time, every finding, every table cell read); resumable; runs on a Dask cluster; "
                              "writes summary tables and an HTML summary.",
    ("audit", "paths"): "report files, directories or globs (may be left out when only writing the summary)",
    ("audit", "--out"): "database: audit.sqlite (SQLite) or audit.parquet (a directory of reports/findings/cells.parquet)",
    ("audit", "--summary"): "write the summary to this directory: units.csv, units.xlsx, summary.html",
    ("audit", "--jobs"): "local parallel processes (Dask LocalCluster, default: CPU count; 1 = in this process)",
    ("audit", "--cluster"): "run on this Dask cluster, e.g. tcp://scheduler:8786",
    ("audit", "--retry-failed"): "recheck files recorded as unreadable even if unchanged",
    ("audit", "--cross"): "at the end of the run, compare the reports of the whole database with one another, as check "
                          "does (last year's report of an issuer, other issuers' reports of the year); findings with "
                          "origin=cross; keeps each report's model in the database",
    ("audit", "--quiet"): "no progress bar and no closing statistics",
    ("audit", "--template"): "the format to apply (default: by report year)",
    ("audit", "--issuer-kind"): "kind of issuing body (default: from its name)",
    ("audit", "--input-format"): "force the input format (text, html, markdown, pdf, docx)",
    ("audit", "--select"): "run only these rules (comma separated)",
    ("audit", "--ignore"): "do not run these rules (comma separated)",
    ("audit", "--extend-select"): "run these rules in addition to select",
    ("audit", "--lang"): "language of the messages (default Chinese)",
    ("audit", "--rules-dir"): "an extra rules directory (may be given several times)",
    ("audit", "--config"): "use this configuration file (do not search for one)",
    ("audit", "--isolated"): "read no configuration file",
    ("audit", "--no-respect-gitignore"): "do not skip files listed in .gitignore",
    ("audit", "--max-bytes"): "size limit per file (default 50MB)",
    ("audit", "--timeout"): "time limit per file in seconds (default 30; a file over it is recorded as unreadable)",
    ("audit", "--max-chars"): "text length limit per file",
    ("rules", "description"): "List every rule with its id, name, category, severity and summary.",
    ("kinds", "help"): "list the rule kinds and their parameters",
    ("kinds", "description"): "List the rule kinds, the parameters of each (type, allowed values, default) and the rules "
                              "of each kind.",
    ("kinds", "--lang"): "language (default: zh, Chinese)",
    ("kinds", "--rules-dir"): "an extra directory of YAML rules (repeatable)",
    ("kinds", "--output-format"): "rich (for a terminal), json, or markdown (the kind reference of the README)",
    ("serve", "description"): "Start the local web page where editors upload or paste a report and see its findings.",
    ("serve", "help"): "start the local web page (editors upload or paste a report)",
    ("serve", "--host"): "address to listen on (default 127.0.0.1, this machine only)",
    ("serve", "--port"): "port (default 8765)",
}

# Chinese help where cli.py leaves it empty
HELP_ZH: dict[tuple[str, str], str] = {
    ("compare", "first"): "第一个文件",
    ("compare", "second"): "第二个文件",
    ("compare", "--template"): "指定适用的格式（默认按报告年度自动判断）",
    ("compare", "--input-format"): "强制输入格式（text、html、markdown、pdf、docx）",
    ("compare", "--lang"): "语言：zh（中文，默认）或 en（英文）",
    ("compare", "--no-color"): "不使用颜色",
    ("compare", "--quiet"): "只输出不同之处",
    ("rule", "--lang"): "语言：zh（中文，默认）或 en（英文）",
    ("rule", "--rules-dir"): "额外的规则目录（可多次指定）",
    ("rules", "--lang"): "语言：zh（中文，默认）或 en（英文）",
    ("rules", "--rules-dir"): "额外的规则目录（可多次指定）",
    ("kinds", "--lang"): "语言：zh（中文，默认）或 en（英文）",
    ("kinds", "--rules-dir"): "额外的规则目录（可多次指定）",
    ("config", "--config"): "使用这个配置文件（不再向上查找）",
    ("config", "--isolated"): "不读取任何配置文件",
    ("config", "--output-format"): "text（文字）或 json",
}

FORMAT_HELP_ZH = {"rich": "rich（终端默认：源文本、标记、建议和依据）", "concise": "concise（非终端默认：一行一条）",
                  "json": "json（结构见 README）", "sarif": "sarif（GitHub 代码扫描）",
                  "github": "github（GitHub Actions 注释）", "junit": "junit（JUnit XML）"}
FORMAT_HELP_EN = {"rich": "rich (default on a terminal: source, marker, advice, basis)",
                  "concise": "concise (default otherwise: one line each)", "json": "json (schema in the README)",
                  "sarif": "sarif (GitHub code scanning)", "github": "github (GitHub Actions annotations)",
                  "junit": "junit (JUnit XML)"}


def add_check_options(c: argparse.ArgumentParser) -> None:
    """The options of `check` that shape what is shown (issue 13)."""
    c.add_argument("--show-all", action="store_true",
                   help="逐条列出全部问题（空白单元格逐格列出），而不是每张表合为一条")
    c.add_argument("--baseline", default=None, metavar="FILE",
                   help="基线文件（由 --write-baseline 写出）中记录的已知问题不再列出、不算失败，只报告新问题")
    c.add_argument("--write-baseline", default=None, metavar="FILE",
                   help="把本次检查发现的全部问题写入基线文件 FILE，并以0退出")
    c.add_argument("--allow-empty", action="store_true", help="没有找到要检查的文件时以0退出（默认以2退出）")


def _key(action) -> str:
    long = next((o for o in action.option_strings if o.startswith("--")), None)
    return long or (action.option_strings[0] if action.option_strings else action.dest)


def localize(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.ArgumentParser:
    """Headings, built-in help texts and (with --lang en) every help text in one language."""
    lang = argv_lang(argv)
    _ARG_LANG[0] = lang
    from .reporters import names
    formats = names()
    fmt_help = ("output format: " + ", ".join(FORMAT_HELP_EN.get(n, n) for n in formats) if lang == "en" else
                "输出格式：" + "、".join(FORMAT_HELP_ZH.get(n, n) for n in formats))
    parsers = [("", parser)]
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            parsers += list(a.choices.items())
            if lang == "en":
                a.metavar = "command"
                for ca in a._choices_actions:
                    ca.help = HELP_EN.get((ca.dest, "help"), ca.help)
    for name, p in parsers:
        p.lang = lang
        p.formatter_class = _FormatterEn if lang == "en" else _Formatter
        if name == "":
            p._positionals.title = "commands" if lang == "en" else "命令"
        else:
            p._positionals.title = "positional arguments" if lang == "en" else "参数"
        p._optionals.title = "options" if lang == "en" else "选项"
        for g in p._action_groups:
            if g.title == "命令" or (g.title is None and lang == "en"):
                g.title = "commands" if lang == "en" else "命令"
        if lang == "en" and (name, "description") in HELP_EN:
            p.description = HELP_EN[(name, "description")]
        for a in p._actions:
            if isinstance(a, argparse._HelpAction):
                a.help = "show this help and exit" if lang == "en" else "显示本帮助并退出"
                continue
            if isinstance(a, argparse._VersionAction):
                a.help = "show the version and exit" if lang == "en" else "显示版本号并退出"
                continue
            if isinstance(a, argparse._SubParsersAction):
                continue
            key = (name, _key(a))
            if name == "check" and "--output-format" in a.option_strings:
                a.help = fmt_help
                a.metavar = "FORMAT"
            elif lang == "en":
                a.help = HELP_EN.get(key, a.help)
                if a.metavar in ("文件", "路径"):
                    a.metavar = "PATH"
                elif a.metavar in ("文件A", "文件B"):
                    a.metavar = "FILE_" + a.metavar[-1]
                elif a.metavar in ("上年报告",):
                    a.metavar = "FILE"
                elif a.metavar == "比例":
                    a.metavar = "SHARE"
            elif not a.help:
                a.help = HELP_ZH.get(key, a.help)
    return parser


# --------------------------------------------------------------------------------------
# paths


def split_missing(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The paths that can be looked at, and (path, why) for those that cannot: a file that
    does not exist, a glob that matches nothing."""
    ok, missing = [], []
    for raw in paths:
        if raw == "-" or os.path.exists(raw):
            ok.append(raw)
        elif any(ch in raw for ch in "*?[") and glob.glob(raw, recursive=True):
            ok.append(raw)
        elif any(ch in raw for ch in "*?["):
            missing.append((raw, Msg("没有匹配的文件", "no file matches")))
        else:
            missing.append((raw, Msg("无法读取（文件或目录不存在）", "cannot be read (no such file or directory)")))
    return ok, missing


# --------------------------------------------------------------------------------------
# output


def color_wanted(no_color_flag: bool, stream=None) -> bool:
    stream = stream or sys.stdout
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force.strip() not in ("", "0", "false"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def buffered_stdout():
    """Within the block, what is written to stdout is passed on in chunks (~8 KB), then
    flushed.  With ``PYTHONUNBUFFERED=1`` (set in many CI containers) every ``write`` of a
    reporter would otherwise be a system call of its own: the JSON report of 1,000 files,
    ~1.3 million of them.  Blocks are chosen so that messages on stderr stay in order
    with the output (the report is written at the end; ``extract`` flushes each file)."""
    out = sys.stdout
    before = getattr(out, "write_through", None)
    changed = False
    if before:
        try:
            out.reconfigure(write_through=False)
            changed = True
        except (AttributeError, ValueError, OSError):
            pass
    try:
        yield out
    finally:
        try:
            out.flush()
        finally:
            if changed:
                try:
                    out.reconfigure(write_through=before)
                except (AttributeError, ValueError, OSError):
                    pass


def closed_pipe() -> None:
    """stdout's reader went away (``| head``): stop writing, without a traceback at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


# --------------------------------------------------------------------------------------
# what is shown: baseline, folding


def present(results, args, rules, lang: str = "zh") -> int:
    """Apply --write-baseline / --baseline and fold grouped findings (unless --show-all or
    --verbose).  Returns how many findings the baseline knew.  Raises BaselineError."""
    from .baseline import Baseline, write
    from .reporters.fold import fold
    if getattr(args, "write_baseline", None):
        n = write(args.write_baseline, results)
        files = sum(1 for r in results if not getattr(r, "error", None))
        print(f"xxgk-lint: wrote {n} finding(s) of {files} file(s) to the baseline {args.write_baseline}; "
              "from now on only new findings are reported (--baseline)" if lang == "en" else
              f"xxgk-lint: 已把{files}个文件的{n}个问题写入基线 {args.write_baseline}；"
              f"此后加 --baseline {args.write_baseline} 只报告新问题", file=sys.stderr)
        return 0
    known = 0
    if getattr(args, "baseline", None):
        bl = Baseline.load(args.baseline)
        for r in results:
            r.findings, k = bl.split(r.findings)
            known += k
    if not (getattr(args, "show_all", False) or getattr(args, "verbose", False)):
        for r in results:
            r.findings = fold(r.findings, rules)
    return known
