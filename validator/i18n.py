"""The small vocabulary every face shares in both languages: severities, table names, places
("第4页 表格3 第4行 第5格" → "page 4, table 3, row 4, cell 5"), per-severity summaries.

User-facing text is Chinese; ``--lang en`` gives English.  Labels of the official forms
(row and column names such as 自然人, report quotes) stay as written: they are names, quoted.
"""

from __future__ import annotations

from functools import lru_cache

from .lazyre import later

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_EN = {"error": "error", "warning": "warning", "info": "info"}
SEVERITY_ORDER = ("error", "warning", "info")

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_TABLE_RE = later(r"表([一二三四五六七八九十])")


def table_en(key: str | None) -> str | None:
    """表三 → Table 3 (any 表 + numeral inside the text)."""
    if key is None:
        return None
    return _table_en(key)


@lru_cache(maxsize=256)
def _table_en(key: str) -> str:
    # the rules ask for the same few table names for every finding (a blank cell, an equation)
    return _TABLE_RE.sub(lambda m: f"Table {_CN_DIGITS[m.group(1)]}", key)


_WHERE_PARTS = [
    (later(r"第(\d+)页"), "page {0}"),
    (later(r"表格(\d+)"), "table {0}"),
    (later(r"第(\d+)行"), "row {0}"),
    (later(r"第(\d+)格"), "cell {0}"),
    (later(r"第(\d+)段"), "paragraph {0}"),
    (later(r"第(\d+)列"), "column {0}"),
]


def where_en(where: str | None) -> str | None:
    """A reader's place description in English; parts it does not know stay as they are."""
    if not where:
        return where
    parts = []
    for piece in where.split():
        for rx, tpl in _WHERE_PARTS:
            m = rx.fullmatch(piece)
            if m:
                piece = tpl.format(m.group(1))
                break
        parts.append(piece)
    return ", ".join(parts)


def where(loc, lang: str = "zh") -> str | None:
    w = getattr(loc, "where", None)
    return where_en(w) if lang == "en" else w


def severity_word(sev: str, lang: str = "zh") -> str:
    return SEVERITY_ZH.get(sev, sev) if lang != "en" else SEVERITY_EN.get(sev, sev)


def count_by_severity(findings) -> dict[str, int]:
    out = {s: 0 for s in SEVERITY_ORDER}
    for f in findings:
        sev = f["severity"] if isinstance(f, dict) else f.severity
        out[sev] = out.get(sev, 0) + 1
    return out


def summary_line(counts: dict[str, int], files: int, *, lang: str = "zh", unreadable: int = 0,
                 baseline: int = 0) -> str:
    """The one line every text output ends with: "2 个错误，25 个警告，0 个提示（检查了1个文件）。"."""
    e, w, i = (counts.get(s, 0) for s in SEVERITY_ORDER)
    if lang == "en":
        def n(k, word):
            return f"{k} {word}" + ("" if k == 1 or word == "info" else "s")
        s = f"{n(e, 'error')}, {n(w, 'warning')}, {n(i, 'info')} ({files} file{'s' if files != 1 else ''} checked"
        if unreadable:
            s += f", {unreadable} could not be read"
        if baseline:
            s += f", {baseline} known finding{'s' if baseline != 1 else ''} in the baseline not shown"
        return s + ")."
    s = f"{e} 个错误，{w} 个警告，{i} 个提示（检查了{files}个文件"
    if unreadable:
        s += f"，{unreadable}个无法读取"
    if baseline:
        s += f"；基线中已知的{baseline}个问题未列出"
    return s + "）。"


# --------------------------------------------------------------------------------------
# messages that are not findings (usage, rule/config file, read and limit errors)


class Msg(str):
    """A user-facing text in both languages, as a finding is (``message`` / ``message_en``,
    :meth:`validator.findings.Finding.text`): the string itself is the Chinese, the default,
    so everything that treats it as text (``str(exc)``, tests, logs) is unchanged; ``.en``
    is the English.  Raise errors with one, and print them with :func:`text`."""

    en: str

    def __new__(cls, zh, en=None):
        self = super().__new__(cls, zh)
        self.en = str(zh) if en is None else str(en)
        return self

    def __reduce__(self):      # crosses the worker processes' pipes with its English
        return (Msg, (str(self), self.en))

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else str(self)

    def map(self, fn) -> "Msg":
        """The same change applied to both languages (cutting to one line, a prefix …)."""
        return Msg(fn(str(self)), fn(self.en))

    def __add__(self, other):
        return Msg(str(self) + text(other, "zh"), self.en + text(other, "en"))

    def __radd__(self, other):
        return Msg(text(other, "zh") + str(self), text(other, "en") + self.en)


def msg(zh: str, en: str, **values) -> Msg:
    """Two templates with the same ``{placeholders}`` (like a rule's message and message_en),
    filled from the same values; a value that is itself a :class:`Msg` is filled in its language."""
    def pick(v, lang):
        return text(v, lang) if isinstance(v, (Msg, BaseException)) else v
    return Msg(zh.format(**{k: pick(v, "zh") for k, v in values.items()}),
               en.format(**{k: pick(v, "en") for k, v in values.items()}))


def text(obj, lang: str = "zh") -> str:
    """A message (or an exception carrying one) in the language asked for; plain text as it is."""
    if isinstance(obj, BaseException):
        obj = of(obj)
    if isinstance(obj, Msg):
        return obj.text(lang)
    return "" if obj is None else str(obj)


def en(obj) -> str:
    return text(obj, "en")


def of(exc: BaseException):
    """An exception's message, keeping its English when it has one (for re-raising it as
    another error: ``UsageError(of(exc))`` instead of ``UsageError(str(exc))``)."""
    arg = exc.args[0] if len(exc.args) == 1 else None
    return arg if isinstance(arg, Msg) else str(exc)


LANG_ENV = "XXGK_LINT_LANG"


def env_lang() -> str | None:
    """``XXGK_LINT_LANG=en`` (or zh); anything else is ignored."""
    import os
    v = os.environ.get(LANG_ENV, "").strip().lower()
    return v if v in ("zh", "en") else None
