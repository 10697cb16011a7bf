"""Configuration files: `[tool.xxgk-lint]` in pyproject.toml, `.xxgk-lint.toml` or
`.xxgk-lint.yaml`.

Discovery (as ruff): for each checked file, walk up from its directory; in each directory the
first of ``.xxgk-lint.yaml``, ``.xxgk-lint.yml``, ``.xxgk-lint.toml``, ``pyproject.toml`` (only
when it has a ``[tool.xxgk-lint]`` table) is *the* configuration — the closest one wins and
nothing is merged from files further up.  ``--config FILE`` uses that file for every checked
file; ``--isolated`` uses none.  Command-line options override the file.

Paths in a config file (``rules-dirs``, ``exclude``, ``per-file-ignores``) are relative to
the directory of that file.  Unknown keys and bad values stop the run (exit 2) naming the
file, the line and the key.
"""

from __future__ import annotations

import os
import re
from dataclasses import field
from pathlib import Path
from typing import Any

from .i18n import Msg, msg, of
from .lazyre import later
from .records import record
from .yamlload import one_line, quote

CONFIG_NAMES = (".xxgk-lint.yaml", ".xxgk-lint.yml", ".xxgk-lint.toml", "pyproject.toml")
SEVERITIES = ("error", "warning", "info")


class ConfigError(Exception):
    """A configuration file that cannot be used (one line: file:line: key: what is wrong)."""


def _str_list(v, key):
    if isinstance(v, str):
        v = [x for x in (s.strip() for s in v.split(",")) if x]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ValueError(Msg("应为文本列表，如 [\"A301\", \"format\"]", 'should be a list of texts, such as ["A301", "format"]'))
    return tuple(x.strip() for x in v)


def _shown(v) -> str:
    """One short line of a bad value (a hostile file may hold megabytes in one value)."""
    from .yamlload import quote
    return quote(v) if isinstance(v, (list, tuple, dict, set)) else quote(repr(v) if isinstance(v, str) else v)


def _choice(*choices):
    def conv(v, key):
        s = str(v) if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool) and abs(v) < 10 ** 9) else None
        if s not in choices:
            raise ValueError(msg("只能取 {a}，不能是 {v}", "can only be {b}, not {v}", a="、".join(choices), b=", ".join(choices), v=_shown(v)))
        return s
    return conv


def _bool(v, key):
    if not isinstance(v, bool):
        raise ValueError(msg("应为 true 或 false，不能是 {v}", "should be true or false, not {v}", v=_shown(v)))
    return v


def _severity_map(v, key):
    if not isinstance(v, dict):
        raise ValueError(Msg("应为“规则 = 级别”的映射，如 {F502 = \"info\"}", 'should be a mapping "rule = severity", such as {F502 = "info"}'))
    out = {}
    for k, sev in v.items():
        if not isinstance(sev, str) or sev not in SEVERITIES:
            raise ValueError(msg("规则 {k} 的级别只能取 {a}，不能是 {s}", "the severity of rule {k} can only be {b}, not {s}",
                                 k=_shown(k), a="、".join(SEVERITIES), b=", ".join(SEVERITIES), s=_shown(sev)))
        out[str(k)] = sev
    return out


def _per_file(v, key):
    if not isinstance(v, dict):
        raise ValueError(Msg("应为“文件模式 = [规则…]”的映射，如 {\"附件/*.pdf\" = [\"F502\"]}",
                             'should be a mapping "file pattern = [rules…]", such as {"attachments/*.pdf" = ["F502"]}'))
    return {str(k): _str_list(codes, key) for k, codes in v.items()}


def _fraction(v, key):
    """0.5 or 50 (%) → 0.5."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(msg("应为0到1之间的数（或百分数，如 50），不能是 {v!r}",
                             "should be a number between 0 and 1 (or a percentage such as 50), not {v!r}", v=v))
    f = float(v) / 100 if v > 1 else float(v)
    if not 0 < f <= 1:
        raise ValueError(msg("应为0到1之间的数（或百分数，如 50），不能是 {v!r}",
                             "should be a number between 0 and 1 (or a percentage such as 50), not {v!r}", v=v))
    return f


def _positive_int(v, key):
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(msg("应为正整数，不能是 {v!r}", "should be a positive whole number, not {v!r}", v=v))
    return v


# key -> (converter, default, help)
OPTIONS: dict[str, tuple[Any, Any, str]] = {
    "select": (_str_list, (), "只运行这些规则（编号、名称或类别；空 = 全部）"),
    "extend-select": (_str_list, (), "在 select 之外再运行这些规则（也可打开默认关闭的规则）"),
    "ignore": (_str_list, (), "不运行这些规则"),
    "per-file-ignores": (_per_file, {}, "按文件模式不运行的规则（PDF、DOCX 等无法写注释的文件用）"),
    "severity": (_severity_map, {}, "改变规则的级别：{规则 = error|warning|info}"),
    "fail-on": (_choice(*SEVERITIES), "error", "达到此级别即以1退出"),
    "template": (_choice("auto", "2019", "2021"), "auto", "适用的格式"),
    "issuer-kind": (_choice("auto", "department", "government"), "auto", "发布机关类型"),
    "lang": (_choice("zh", "en"), "zh", "信息语言"),
    "exclude": (_str_list, (), "不检查的文件（gitignore 式模式，相对于配置文件所在目录）"),
    "respect-gitignore": (_bool, True, "查找文件时遵从 .gitignore"),
    "rules-dirs": (_str_list, (), "额外的规则目录（相对于配置文件所在目录）"),
    "output-format": (_choice("rich", "concise", "json", "sarif", "github", "junit"), None, "输出格式"),
    # across reports (issue 14; validator/cross/)
    "cross": (_bool, True, "一次检查多份报告时，按发布机关和年度配对，与上一年度及同年度其他机关的报告对比"),
    "similarity-threshold": (_fraction, None, "文字相同比例达到多少时报告（0到1，默认按规则0.5）"),
    "similarity-min-chars": (_positive_int, None, "少于多少字的部分不比较文字相同比例（默认按规则100）"),
}


@record
class Config:
    """One configuration file (or none) and the settings it gives."""

    path: Path | None                       # the file; None = defaults only
    root: Path                              # directory paths are relative to
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def get(self, key: str):
        return self.values.get(key, OPTIONS[key][1])

    def source(self, key: str) -> str:
        if key in self.values:
            ln = self.lines.get(key)
            return f"{self.path}:{ln}" if ln else str(self.path)
        return "默认"

    def rules_dirs(self) -> tuple[str, ...]:
        return tuple(str((self.root / d).resolve()) if not Path(d).is_absolute() else d
                     for d in self.get("rules-dirs"))

    def key(self):
        return str(self.path) if self.path else None


_TOML_KEY_LINE = later(r'[ \t]*(?:"([^"\n]*)"|\'([^\'\n]*)\'|([A-Za-z0-9_-]+))[ \t]*=')
_TOML_HEADER = later(r'[ \t]*\[\[?([^\]\n]*)\]')


def _toml_lines(text: str, keys, start: int = 0) -> dict:
    """The line of each key (or of its [table] header) at or after offset start, found in
    one pass over the lines (linear in the file: a 40,000-key file once took minutes)."""
    want = {str(k) for k in keys}
    out: dict = {}
    line_no = text.count("\n", 0, start) + 1
    for line in text[start:].split("\n"):
        if len(out) == len(want):
            break
        m = _TOML_KEY_LINE.match(line)
        if m:
            k = m.group(1) or m.group(2) or m.group(3)
            if k in want and k not in out:
                out[k] = line_no
        else:
            h = _TOML_HEADER.match(line)
            if h:
                last = h.group(1).split(".")[-1].strip().strip('"\'')
                if last in want and last not in out:
                    out[last] = line_no
        line_no += 1
    return {k: out.get(str(k)) for k in keys}


def _read(path: Path) -> tuple[dict | None, dict[str, int]]:
    """The raw table of a config file (None: a pyproject.toml without our table)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(msg("{p}: 无法读取配置文件（{e}）", "{p}: cannot read the configuration file ({e})", p=path, e=of(exc))) from None
    if path.suffix in (".yaml", ".yml"):
        from .yamlload import YamlError, load_yaml
        try:
            data, _n = load_yaml(path)
        except YamlError as exc:
            raise ConfigError(one_line(str(exc))) from None
        if data is None:
            return {}, {}
        if not isinstance(data, dict):
            raise ConfigError(msg("{p}:1: 配置文件应为“键: 值”的映射", '{p}:1: a configuration file should be a mapping "key: value"', p=path))
        return data, dict(getattr(data, "key_lines", {}))
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ConfigError(msg("{p}: 读取 TOML 配置需要 Python 3.11 或 tomli 包；也可改用 .xxgk-lint.yaml",
                                  "{p}: reading TOML needs Python 3.11 or the tomli package; or use .xxgk-lint.yaml", p=path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(one_line(msg("{p}: TOML 格式错误：{e}", "{p}: TOML syntax error: {e}", p=path, e=exc))) from None
    except RecursionError:
        raise ConfigError(msg("{p}:{l}: TOML 格式错误：列表或内联表嵌套太深", "{p}:{l}: TOML syntax error: lists or inline tables nested too deeply",
                              p=path, l=_deepest_line(text))) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("xxgk-lint")
        if data is None:
            return None, {}
        if not isinstance(data, dict):
            raise ConfigError(msg("{p}: [tool.xxgk-lint] 应为表", "{p}: [tool.xxgk-lint] should be a table", p=path))
    start = 0
    if path.name == "pyproject.toml":
        m = re.search(r'^\s*\[\s*tool\s*\.\s*"?xxgk-lint"?\s*[\].]', text, re.M)
        start = m.start() if m else 0
    return data, _toml_lines(text, list(data), start)


def _deepest_line(text: str) -> int:
    """The line where bracket nesting first goes deeper than a person would write."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "[{":
            depth += 1
            if depth > 100:
                return text.count("\n", 0, i) + 1
        elif ch in "]}":
            depth = max(0, depth - 1)
    return 1


def load_config(path: Path) -> Config:
    path = Path(path)
    raw, lines = _read(path)
    cfg = Config(path, path.resolve().parent, {}, {})
    for k, v in (raw or {}).items():
        key = str(k).replace("_", "-")
        where = f"{path}:{lines.get(k)}" if lines.get(k) else str(path)
        if key not in OPTIONS:
            raise ConfigError(msg("{w}: 未知的配置项“{k}”；可用：{a}", '{w}: unknown setting "{k}"; available: {a}',
                                  w=where, k=quote(str(k)), a=", ".join(OPTIONS)))
        try:
            cfg.values[key] = OPTIONS[key][0](v, key)
        except ValueError as exc:
            raise ConfigError(one_line(msg("{w}: 配置项“{k}”{e}", '{w}: setting "{k}" {e}', w=where, k=k, e=of(exc)))) from None
        cfg.lines[key] = lines.get(k) or 0
    for d in cfg.rules_dirs():
        if not Path(d).is_dir():
            raise ConfigError(msg("{p}:{l}: 配置项“rules-dirs”：目录 {d} 不存在", '{p}:{l}: setting "rules-dirs": no such directory {d}',
                                  p=path, l=cfg.lines.get("rules-dirs") or 1, d=d))
    return cfg


def _has_config(d: Path) -> Path | None:
    for name in CONFIG_NAMES:
        p = d / name
        if p.is_file():
            if name == "pyproject.toml":
                try:
                    if "xxgk-lint" not in p.read_text(encoding="utf-8", errors="replace"):
                        continue
                    raw, _ = _read(p)
                except ConfigError:
                    raise
                if raw is None:
                    continue
            return p
    return None


class Resolver:
    """Finds the configuration of each checked file (cached per directory)."""

    def __init__(self, config: str | None = None, isolated: bool = False, cwd: Path | None = None):
        self.cwd = (cwd or Path.cwd()).resolve()
        self.isolated = isolated
        self._dirs: dict[Path, Config] = {}
        self._given: dict[str, Config] = {}     # a directory as the paths name it -> its Config
        self._files: dict[Path, Config] = {}
        self.default = Config(None, self.cwd)
        self.forced = None
        if config:
            p = Path(config)
            if not p.is_file():
                raise ConfigError(msg("{c}: 配置文件不存在", "{c}: no such configuration file", c=config))
            self.forced = self._load(p)

    def _load(self, p: Path) -> Config:
        p = p.resolve()
        if p not in self._files:
            self._files[p] = load_config(p)
        return self._files[p]

    def for_path(self, path: str | Path) -> Config:
        if self.forced is not None:
            return self.forced
        if self.isolated:
            return self.default
        # the files of one directory: resolved once (not once per file; a string and one stat
        # per file, no Path: the main process asks for each of a batch's files)
        s = os.fspath(path)
        return self._for_dir(s if os.path.isdir(s) else (os.path.dirname(s) or "."))

    def for_file(self, path: str | Path) -> Config:
        """The configuration of ``path``, known not to be a directory (every path discovery
        gives): its directory's, without the stat :meth:`for_path` makes to tell."""
        if self.forced is not None:
            return self.forced
        if self.isolated:
            return self.default
        return self._for_dir(os.path.dirname(os.fspath(path)) or ".")

    def _for_dir(self, given: str) -> Config:
        got = self._given.get(given)
        if got is not None:
            return got
        d = Path(given)
        d = (self.cwd / d).resolve() if not d.is_absolute() else d.resolve()
        chain = []
        cur = d
        found = None
        while True:
            if cur in self._dirs:
                found = self._dirs[cur]
                break
            chain.append(cur)
            c = _has_config(cur)
            if c is not None:
                found = self._load(c)
                break
            if cur.parent == cur:
                found = self.default
                break
            cur = cur.parent
        for x in chain:
            self._dirs[x] = found
        self._given[given] = found
        return found


@record
class Effective:
    """Settings after config file and command line, with where each came from."""

    values: dict[str, Any]
    sources: dict[str, str]


def effective(cfg: Config, cli: dict[str, Any]) -> Effective:
    """Merge one config with command-line values (None = not given on the command line).
    select: the command line replaces; ignore, extend-select, per-file-ignores: added."""
    vals: dict[str, Any] = {}
    srcs: dict[str, str] = {}
    for key in OPTIONS:
        vals[key] = cfg.get(key)
        srcs[key] = cfg.source(key)
    vals["rules-dirs"] = cfg.rules_dirs()
    from .i18n import LANG_ENV, env_lang
    if env_lang():   # XXGK_LINT_LANG: over the configuration file, under --lang
        vals["lang"], srcs["lang"] = env_lang(), f"环境变量 {LANG_ENV}"
    for key, v in cli.items():
        if v is None or v == () or v == []:
            continue
        if key in ("ignore", "extend-select", "rules-dirs"):
            vals[key] = tuple(vals[key]) + tuple(v)
            srcs[key] = "命令行" if srcs[key] == "默认" else srcs[key] + " + 命令行"
        else:
            vals[key] = v
            srcs[key] = "命令行"
    return Effective(vals, srcs)


def select_tuple(eff: Effective) -> tuple[str, ...]:
    sel = tuple(eff.values["select"])
    ext = tuple(eff.values["extend-select"])
    if ext:
        sel = (sel or ("ALL",)) + ext
    return sel


def per_file_ignores(eff: Effective, root: Path, path: str | Path) -> tuple[str, ...]:
    pfi = eff.values.get("per-file-ignores") or {}
    if not pfi:
        return ()
    import pathspec
    p = Path(path)
    try:
        rel = (p if p.is_absolute() else (Path.cwd() / p)).resolve().relative_to(root).as_posix()
    except ValueError:
        rel = p.as_posix()
    out: list[str] = []
    for pattern, codes in pfi.items():
        spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        if spec.match_file(rel) or spec.match_file(p.name):
            out.extend(codes)
    return tuple(out)


def severity_overrides(eff: Effective, rules) -> dict[str, str]:
    """Per-rule severities; a category key applies to each of its rules."""
    from .findings import CATEGORIES
    out: dict[str, str] = {}
    sev = eff.values.get("severity") or {}
    for k, v in sev.items():
        if k in CATEGORIES:
            for r in rules.rules:
                if r.category == k:
                    out.setdefault(r.id, v)
    for k, v in sev.items():
        if k not in CATEGORIES:
            r = rules.by_id(k)
            if r is not None:
                out[r.id] = v
    return out


def check_selectors(eff: Effective, cfg: Config, rules, cli_keys=()) -> None:
    """Every rule named in select/ignore/… exists (else exit 2 naming file and key)."""
    from .findings import CATEGORIES
    items: list[tuple[str, str]] = []
    for key in ("select", "extend-select", "ignore"):
        items += [(key, c) for c in eff.values[key]]
    items += [("per-file-ignores", c) for codes in (eff.values.get("per-file-ignores") or {}).values() for c in codes]
    items += [("severity", c) for c in (eff.values.get("severity") or {})]
    for key, code in items:
        if code == "ALL" or code in CATEGORIES or rules.by_id(code) is not None:
            continue
        src = eff.sources.get(key, "")
        where = "命令行" if src == "命令行" or cfg.path is None or key not in cfg.values or code not in _flat(cfg.values.get(key)) \
            else src
        cli = where == "命令行"
        raise ConfigError(msg("{w}: {k}未知的规则或类别“{c}”（xxgk-lint rules 可列出全部规则）",
                              '{v}: {j}unknown rule or category "{c}" (xxgk-lint rules lists them all)',
                              w=where, v="command line" if cli else where, k="" if cli else f"配置项“{key}”：",
                              j="" if cli else f'setting "{key}": ', c=code))


def _flat(v):
    if isinstance(v, dict):
        out = list(v)
        for x in v.values():
            if isinstance(x, (list, tuple)):
                out += list(x)
        return out
    return list(v or ())


def describe(eff: Effective, cfg: Config) -> list[tuple[str, str, str]]:
    """(key, value, source) rows for `xxgk-lint config`."""
    rows = []
    for key in OPTIONS:
        v = eff.values[key]
        if isinstance(v, (tuple, list)):
            shown = "[" + ", ".join(str(x) for x in v) + "]"
        elif isinstance(v, dict):
            shown = "{" + ", ".join(f"{k} = {list(x) if isinstance(x, tuple) else x}" for k, x in v.items()) + "}"
        elif v is None:
            shown = "auto"
        else:
            shown = str(v).lower() if isinstance(v, bool) else str(v)
        rows.append((key, shown, eff.sources[key]))
    return rows
