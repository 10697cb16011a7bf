"""The rule kinds: a small closed set of checks that rule files (rules/*.yaml and any rule
directory a province adds) configure with parameters.

Each kind declares its parameters with a schema (validator/rules/schema.py: type, allowed
values or range, required or optional, default), checked when the rules load; the same
declarations document the kind (``xxgk-lint kinds``).  A kind checks the report *model*
only — sections, tables, cells, typed metadata and the prose view (validator/prose.py) —
never the text of the file: the context a kind gets (:class:`Ctx`) gives a view of the
report without its text or source.

Modules, grouped like the rule files:
  structure.py  diagnostics, labels, numbering
  tables.py     equation, cells
  text.py       pattern, content, prose_numbers, prose_sum
  metadata.py   dates
  notes.py      reader_notes
  cross.py      copied_text, compare_copies (and what the cross core emits: Y100)
"""

from __future__ import annotations

import string
from bisect import bisect_right
from dataclasses import field
from decimal import Decimal
from functools import lru_cache, partial
from typing import Callable

from ...findings import Finding
from ...i18n import table_en
from ...records import record
from ..schema import Param, ParamError

KindError = ParamError      # a kind's prepare() refuses a combination of values


@record
class Kind:
    """A rule kind: its name, family, parameters (validated when rules load), the function that
    runs a rule of it, its documentation and what it compares."""

    name: str
    family: str                      # structure / tables / text / metadata / notes / cross
    params: list[Param]
    run: Callable
    doc: str                         # Chinese
    doc_en: str
    prepare: Callable | None = None  # (rule) -> compiled data; may set rule.relations
    relations: tuple[str, ...] = ()  # () = one report; ("previous",) … = pairs of reports
    two_reports: str = "no"          # no / yes / by-parameters: does a rule of it compare two reports

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if p.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if not p.required)


KINDS: dict[str, Kind] = {}

#: kind names of earlier versions → what they are now (named in the error for a rule file
#: written for an earlier version)
RENAMED: dict[str, str] = {
    "report_kind": "diagnostics（diagnostic: legacy-report / year-unknown / not-report）",
    "cell_values": "cells（find: values）", "blank_cells": "cells（find: blank 或 unfilled）",
    "unreadable_cells": "cells（find: unreadable）", "label_wording": "labels（of: rows 或 sections）",
    "template_version": "labels（of: tables）", "legacy_coverage": "content（part: report, report: each）",
    "title_wording": "content（part: title）", "period": "dates（check: period 或 period-stated）",
    "plan_year": "pattern（year_group）", "deadline": "dates（check: deadline 或 impossible）",
    "required_mentions": "content", "section_not_empty": "content（min_chars）",
    "text_vs_table": "prose_numbers（equals）", "enumeration": "numbering（of: items）",
    "attachments": "content（part: attachments）", "section_numbering": "numbering（of: sections）",
    "year_over_year": "equation（本年·/上年·）", "stale_year": "copied_text（unit: year-sentence）",
    "prose_change": "prose_numbers（change）", "prose_ratio": "prose_numbers（rate）",
    "prose_statement": "prose_numbers（says_zero）", "copy_cells": "compare_copies（of: cells）",
    "copy_sections": "compare_copies（of: sections）", "cross_unchecked": "emitted_by: cross",
    "unused_suppression": "emitted_by: suppressions",
}


def register(name: str, family: str, params=(), doc: str = "", doc_en: str = "", prepare=None,
             relations=(), two_reports: str = "no"):
    def deco(fn):
        KINDS[name] = Kind(name, family, list(params), fn, doc.strip() or (fn.__doc__ or "").strip(),
                           doc_en.strip(), prepare, tuple(relations), "yes" if relations else two_reports)
        return fn
    return deco


class Plain(str):
    """An argument the kind composed itself (a date it formats, a deadline): shown as it is,
    not replaced by the report's own characters like a quotation from the report."""


class _Safe(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class SafeArgs(dict):
    def __missing__(self, key):
        return ""


def fmt_num(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, Decimal):
        return _fmt_decimal(v) if v.is_finite() else _fmt_decimal.__wrapped__(v)
    return str(v)


@lru_cache(maxsize=1024)
def _fmt_decimal(v: Decimal) -> str:
    # kept: findings show the same few values many times (cells, sums, differences); equal
    # Decimals (1.50 and 1.5) give the same text, so one may stand for the other
    if v == v.to_integral_value():
        return str(int(v))
    return format(v.normalize(), "f")


CN = "一二三四五六七八九十"


# ---------------------------------------------------------------------------------------
# the rule context
# ---------------------------------------------------------------------------------------
class ModelView:
    """A report as the rules see it: the model — sections, tables, metadata, diagnostics,
    the prose view — without the text it was read from (``text``, ``source`` and
    ``document`` are not reachable: rules never re-read the text)."""

    # no __dict__ of its own: ``view.__dict__`` is the model's (through __getattr__), so what is
    # cached on a report (similarity.units, the section starts …) is cached on the model whether
    # a rule or the batch step asks — with a dict of its own the cache went into the view, which
    # lives for one pair of reports, and every pair computed the sections' units again
    __slots__ = ("_r",)
    HIDDEN = frozenset({"text", "source", "document"})

    def __init__(self, report):
        object.__setattr__(self, "_r", report)

    def __getattr__(self, name):
        # only names the view lacks come here (``_r`` is its slot, found without this call;
        # unset, in a view made without a report, it must not come back here for ever)
        if name in _HIDDEN:
            raise AttributeError(f"rules read the model, not the text: report.{name} is not available to a rule kind")
        if name == "_r":
            raise AttributeError(name)
        return getattr(self._r, name)

    def __setattr__(self, name, value):
        raise AttributeError("the model is read-only for rule kinds")


_HIDDEN = ModelView.HIDDEN


def _read_through(view_cls) -> None:
    """Each field of the model a view shows (the Report's fields but the hidden ones) as a
    property that reads it from the model in C (attrgetter): ``view.metadata`` is the same
    ``getattr(model, "metadata")`` as through ``__getattr__``, without failing the generic
    look-up first — in Python 3.11 that failure makes and drops an AttributeError, and the
    rules read a report's fields some fifty times a report.  What the model lacks still
    ends in ``__getattr__`` (the property's AttributeError sends the look-up there)."""
    from dataclasses import fields
    from operator import attrgetter
    from ...model import Report
    for f in fields(Report):
        if f.name not in view_cls.HIDDEN:
            setattr(view_cls, f.name, property(attrgetter("_r." + f.name)))


_read_through(ModelView)


class Ctx:
    """What a rule needs while it runs: the report model, its format, the options that
    concern rules (language, --issuer-kind), and a way to emit findings."""

    def __init__(self, report, lang: str = "zh", issuer_kind: str | None = None, english: bool = True,
                 related: bool = True, fold: bool = False):
        self.report = ModelView(report)
        self.__report = report
        self.fmt = report.format
        self.lang = lang
        self.issuer_kind = issuer_kind
        self.english = english       # make the English texts of findings (Options.english)
        self.related = related       # make the related places (Options.related)
        self.fold = fold             # put off the texts of a finding that may fold (Options.fold)
        src = self.__src = report.source
        # quoting the report's own characters changes an argument only where normalisation
        # changed the text (full-width punctuation, traditional script): for a report whose
        # text is as written (raw None or equal), emit keeps every argument without asking
        raw = getattr(src, "raw", None)
        self.__quote = src.quote if raw is not None and raw != src.text else None
        self.__locations: dict = {}
        self.__sections: tuple | None = None      # (section starts, "三、…" names), when first asked
        # what several rules derive from the same report (the prose split into sentences …),
        # computed by the first rule that needs it; lives as long as this report's run
        self.shared: dict = {}

    # -- helpers every kind may use ------------------------------------------------------
    def tables_with_spec(self):
        """(key, table, spec) for each table of the report that its format has a spec for."""
        fmt = self.fmt
        if fmt is None:
            return
        for key, table in self.report.tables.items():
            spec = fmt.table(key)
            if spec is not None:
                yield key, table, spec

    def kind_of_issuer(self) -> tuple[str | None, str]:
        """('government' | 'department' | None, how it is known: option / name)."""
        if self.issuer_kind in ("department", "government"):
            return self.issuer_kind, "option"
        md = self.report.metadata
        return md.issuer_kind, md.issuer_kind_how

    def doc_start(self) -> tuple[int, int]:
        return self.report.metadata.title_span or (0, 0)

    def reader_notes(self, kind: str):
        """(note, span in the normalised text, location in the original file or None) of the
        reader's notes of one kind."""
        from ...source import ReaderNote
        src = self.__src
        for note in src.notes:
            if not isinstance(note, ReaderNote) or note.kind != kind:
                continue
            off = _norm_offset(src, note)
            end = min(off + 1, len(src.text)) if src.text else off
            yield note, (off, end), note.location

    def shown_args(self, rule) -> tuple[str, ...]:
        """The arguments :meth:`emit` reads for a finding of ``rule`` with its own suggestion
        in this check: those of the Chinese texts, and of the English texts only for an
        English output (a kind need not make the others)."""
        english = self.english
        return _shown_args(rule.message, rule.suggestion, rule.message_en if english else None,
                           rule.suggestion_en if english else None)

    def section_name(self, offset: int) -> str | None:
        """The name ("三、…") of the section ``offset`` is in (:meth:`Report.section_at`); the
        sections' starts and names are made once per report (every finding asks)."""
        table = self.__sections
        if table is None:
            secs = self.__report.sections
            starts = [s.span[0] for s in secs]
            if any(b < a for a, b in zip(starts, starts[1:])):
                table = self.__sections = ()          # not in order: section_at scans
            else:
                table = self.__sections = (starts, [f"{s.numeral}、{s.title}" for s in secs])
        if not table:
            s = self.__report.section_at(offset)
            return f"{s.numeral}、{s.title}" if s else None
        i = bisect_right(table[0], offset) - 1
        return table[1][i] if i >= 0 else None

    # -- findings ------------------------------------------------------------------------
    def emit(self, rule, span, args: dict | None = None, *, table=None, row=None, column=None,
             numbers=None, related=(), suggestion=None, group=None) -> Finding:
        src = self.__src
        start, end = span
        later = None
        if group and self.fold and rule.folds:
            # a member of a group the run folds (Options.fold): its texts are made only if it
            # stays on its own (reporters/fold.py, :func:`findings.made_texts`); those of the
            # members of a folded group are never read.  The arguments as they are now: a
            # kind may reuse its dict
            msg = msg_en = sug = sug_en = None
            later = partial(_finding_texts, rule, dict(args) if args else None, start, suggestion,
                            self.__quote, self.english)
        else:
            msg, msg_en, sug, sug_en = _finding_texts(rule, args, start, suggestion, self.__quote, self.english)
        # the places, once per span and report (:meth:`_location`, written out here: a finding
        # has one and often several related ones)
        locations = self.__locations
        key = span if span.__class__ is tuple else (start, end)
        loc = locations.get(key)
        if loc is None:
            loc = locations[key] = src.location(start, end)
        if related and self.related:
            rel = []
            for ab in related:
                if ab.__class__ is not tuple:
                    ab = tuple(ab)
                r = locations.get(ab)
                if r is None:
                    r = locations[ab] = src.location(*ab)
                rel.append(r)
        else:
            rel = []
        # the section's name (:meth:`section_name`; its table is made by the first call)
        sections = self.__sections
        if sections:
            i = bisect_right(sections[0], start) - 1
            section = sections[1][i] if i >= 0 else None
        else:
            section = self.section_name(start)
        # positional: the Finding's fields in order (a call with keywords costs more per finding)
        f = Finding(rule.id, rule.category, rule.severity, msg, src.path, loc, rule.name, msg_en,
                    section, table, row, column, dict(numbers) if numbers else {},
                    rule.basis, sug, rel, (start, end), sug_en, group)
        if later is not None:
            f.texts_later = later
        return f

    def _location(self, start: int, end: int):
        """``source.location(start, end)``, once per span and report: the cells of a table are
        the places (and related places) of many findings of several rules.  A Location is
        frozen, so findings can share one."""
        key = (start, end)
        loc = self.__locations.get(key)
        if loc is None:
            loc = self.__locations[key] = self.__src.location(start, end)
        return loc


def _finding_texts(rule, args, start: int, suggestion, quote, english: bool) -> tuple:
    """A finding's message, English message, suggestion and English suggestion (:meth:`Ctx.emit`):
    the rule's texts filled with ``args`` (``suggestion``: the kind's own, in place of the
    rule's), the arguments quoted from the report (``quote``: the source's, or None when its
    text is as written), the English ones only if ``english``."""
    own = suggestion is None
    texts = _texts(rule.message, rule.suggestion if own else None,
                   rule.message_en if english else None,
                   rule.suggestion_en if own and english else None)
    # quote the report's own characters (full-width punctuation, traditional script) in the
    # arguments the texts show: only those are read (the texts name plain arguments)
    quoted = _Safe()
    if args:
        if quote is None:       # nothing to quote: the arguments as given
            for k in texts.quote:
                if k in args:
                    quoted[k] = args[k]
        else:
            for k in texts.quote:
                if k in args:
                    v = args[k]
                    if v.__class__ is str:
                        # an empty text quotes as itself
                        quoted[k] = quote(v, start) if v else v
                    else:
                        quoted[k] = quote(v, start) if isinstance(v, str) and not isinstance(v, Plain) else v
        for k in texts.keep:
            if k in args:
                quoted[k] = args[k]
    msg = rule.message.format_map(quoted) if texts.fill_msg else rule.message
    msg_en = sug_en = None
    if texts.english:
        args_en = texts.english_args(quoted)
        if rule.message_en:
            msg_en = rule.message_en.format_map(args_en) if texts.fill_msg_en else rule.message_en
        if own and rule.suggestion_en:
            sug_en = rule.suggestion_en.format_map(args_en) if texts.fill_sug_en else rule.suggestion_en
    sug = suggestion
    if own and rule.suggestion:
        sug = rule.suggestion.format_map(quoted) if texts.fill_sug else rule.suggestion
    return msg, msg_en, sug, sug_en


def _filled(template: str, args) -> str:
    """``template.format_map(args)``; a text without braces is itself (the same string object
    for every finding: a batch keeps many findings of one rule, e.g. copied text per pair)."""
    if "{" not in template and "}" not in template:
        return template
    return template.format_map(args)


class _Texts:
    """What :meth:`Ctx.emit` needs to know of a finding's four texts (message, suggestion and
    their English), worked out once per combination of texts instead of once per finding:
    the arguments they show (``quote``: quoted from the report; ``keep``: the ``X_en`` ones,
    shown as given), which texts have anything to fill in, and how the English texts' arguments
    are made (see :func:`english_args`; only the names the English texts read are made)."""

    __slots__ = ("quote", "keep", "fill_msg", "fill_sug", "fill_msg_en", "fill_sug_en", "english", "_en")

    def __init__(self, message, suggestion, message_en, suggestion_en):
        shown = _shown_args(message, suggestion, message_en, suggestion_en)
        self.quote = tuple(k for k in shown if not k.endswith("_en"))
        self.keep = tuple(k for k in shown if k.endswith("_en"))
        self.fill_msg = _has_fields(message)
        self.fill_sug = bool(suggestion) and _has_fields(suggestion)
        self.fill_msg_en = bool(message_en) and _has_fields(message_en)
        self.fill_sug_en = bool(suggestion_en) and _has_fields(suggestion_en)
        self.english = bool(message_en or suggestion_en)
        read_en: set = set()
        for text_en in (message_en, suggestion_en):
            if text_en:
                read_en |= template_fields(text_en)
        # (name, its X_en or None for a name that is itself X_en) for each name read
        self._en = tuple((k, None if k.endswith("_en") else k + "_en") for k in sorted(read_en))

    def english_args(self, quoted: dict) -> "_Safe":
        """:func:`english_args` of ``quoted``, for the names the English texts read (the
        others are never looked up: a text that reads a name absent from ``quoted`` shows
        ``{name}`` either way)."""
        out = _Safe()
        for k, k_en in self._en:
            if k in quoted:
                if k_en is None:
                    out[k] = quoted[k]
                elif k_en in quoted:
                    out[k] = quoted[k_en]
                else:
                    out[k] = _english_value(k, quoted[k])
        return out


def _has_fields(template: str) -> bool:
    return "{" in template or "}" in template


@lru_cache(maxsize=1024)
def _texts(message, suggestion, message_en, suggestion_en) -> _Texts:
    return _Texts(message, suggestion, message_en, suggestion_en)


@lru_cache(maxsize=1024)
def _shown_args(message, suggestion, message_en, suggestion_en) -> tuple[str, ...]:
    """The arguments a finding's texts can show: those the Chinese texts (message, suggestion)
    read, those the English texts read and the ``X_en`` that :func:`english_args` puts in
    place of an ``X`` they read (a text that is None reads none)."""
    names = set(template_fields(message))
    if suggestion:
        names |= template_fields(suggestion)
    for text_en in (message_en, suggestion_en):
        if text_en:
            for k in template_fields(text_en):
                names.update((k, k + "_en"))
    return tuple(sorted(names))


@lru_cache(maxsize=2048)
def template_fields(template: str) -> frozenset:
    """The argument names a message template reads with ``format_map`` (``{lhs}``, ``{n:,}``
    and names inside a format spec; ``{a.b}``/``{a[0]}`` read ``a``)."""
    out: set[str] = set()
    for _lit, name, spec, _conv in string.Formatter().parse(template):
        if name is not None:
            out.add(name.split(".", 1)[0].split("[", 1)[0])
        if spec and "{" in spec:
            out |= template_fields(spec)
    return frozenset(out)


def english_args(args: dict) -> "_Safe":
    """The arguments of the English message: ``X_en`` replaces ``X`` where a kind gives it,
    table names become "Table 3", a part's numeral "3"; everything else (numbers, the report's own words, the
    form's labels) stays as it is."""
    out = _Safe()
    for k, v in args.items():
        if k.endswith("_en"):
            out[k] = v
        elif k + "_en" in args:
            out[k] = args[k + "_en"]
        else:
            out[k] = _english_value(k, v)
    return out


def _english_value(k: str, v):
    """An argument ``k`` without an ``X_en`` of its own, in English: a table name "Table 3", a
    part's numeral "3", anything else as it is."""
    if k == "table" and isinstance(v, str):
        return table_en(v)
    if k == "section" and isinstance(v, str) and v and all(ch in CN for ch in v):
        from ...textutil import cn_to_int
        return str(cn_to_int(v) or v)      # part 三 → part 3
    return v


def plain_row_name(spec, key: str) -> str | None:
    """A row's name for people: its label in the format; a row the format leaves unlabelled
    (表四's one row of numbers) has its short name if the format gives one, else none — the
    table and column say where such a cell is."""
    r = spec.row(key) if spec is not None else None
    if r is None:
        return key
    if r.label:
        return spec.row_display(key)
    return r.name or None


def iso(d) -> str:
    return f"{d[0]}-{d[1]:02d}-{d[2]:02d}"


def list_en(zh_list: str) -> str:
    return ", ".join(f"“{x}”" for x in zh_list.split("、") if x)


def _norm_offset(src, note) -> int:
    """The offset in the normalised text of the character a reader note points at."""
    n = len(src.text)
    off = max(0, min(note.offset, n))
    loc = note.location
    if loc is None:
        return off
    want = (loc.line, loc.column)
    if src.line_col(off) == want:
        return off
    # normalisation changed lengths (繁→简 phrase conversion): find the character again
    for i in range(n + 1):
        if src.line_col(i) == want and src.location(i).page == loc.page:
            return i
    return off


def run_kind(rule, ctx):
    return KINDS[rule.kind].run(rule, ctx)


# the kinds register themselves on import
from . import structure, tables, text, metadata, notes, cross  # noqa: E402,F401
