"""Running the rules that compare two reports, and the batch step of `xxgk-lint check`.

:func:`check_pair` runs every selected rule that compares two reports (validator/rules/kinds/)
on one report and another — last year's report of the same issuer (``relation="previous"``)
or another issuer's report of the same year (``"peer"``).  Findings are in the file of the
report checked; places in the other file are :class:`~validator.findings.RelatedLocation`.

:func:`cross_check` is what the command line does after every file was checked on its own:
pair the reports by issuer and year (validator/cross/pairing.py) — or with the report given
by ``--previous`` — run the pairs, and add the findings to the files' results.
"""

from __future__ import annotations

import copy
import gc
import os
import pickle
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..findings import Finding
from ..memo import LRU
from ..rules import is_selected
from ..rules.kinds import run_kind
from ..rules.kinds.cross import PairCtx, unchecked
from .similarity import settings_of


def portable(report):
    """A copy of a report model that crosses a process boundary cheaply (no reader
    document, no format object, no caches); :func:`restored` undoes it."""
    if report is None:
        return None
    r = copy.copy(report)
    r.__dict__ = {k: v for k, v in report.__dict__.items() if not k.startswith("_")}
    r.document = None
    fmt = report.format
    r.format = None
    r.__dict__["_format_id"] = getattr(fmt, "id", None)
    return r


_CODEC: list = []


def _codec():
    """(compress, decompress) of packed models: Zstandard at level 1 (python-zstandard), about
    7× faster than zlib's fastest level and a third smaller on pickled models (every file of a
    batch is packed in the worker that checked it); zlib if zstandard is not installed.  Made
    on first use: a check of one file never packs and does not import it."""
    if not _CODEC:
        try:
            import zstandard
            _CODEC[:] = [zstandard.ZstdCompressor(level=1).compress, zstandard.ZstdDecompressor().decompress]
        except ImportError:  # pragma: no cover - declared dependency
            import zlib
            _CODEC[:] = [lambda b: zlib.compress(b, 1), zlib.decompress]
    return _CODEC


class Packed:
    """A report model kept for the cross step as compressed pickle bytes (what a worker sends
    back): a batch of N files holds about N × 20 KB in the main process instead of N live
    models (about 0.6 MB each); :meth:`load` gives the model back."""

    __slots__ = ("data", "card", "sections", "hashing")

    def __init__(self, report):
        from .pairing import card
        from .peers import HASHING, profile
        self.data = _codec()[0](pickle.dumps(_lean(portable(report)), protocol=pickle.HIGHEST_PROTOCOL))
        # what pairing and the index of other issuers' reports read (validator/cross/peers.py),
        # taken here from the live model: the batch step reads them without unpacking it
        self.card = card(report) if report is not None else None
        self.sections = profile(report) if report is not None else None
        self.hashing = HASHING          # how the sections' 8-grams were hashed

    def load(self):
        return restored(_filled(pickle.loads(_codec()[1](self.data))))

    def profiled(self) -> bool:
        """Whether :attr:`sections` hold the 8-gram hashes this version makes (peers.HASHING):
        a model packed by another version (stored by `audit --cross`; one packed before the
        hashing had a version has no ``hashing`` at all) is profiled again from its model."""
        from .peers import HASHING
        return getattr(self, "hashing", None) == HASHING


def _lean(report):
    """A portable report whose source text is pickled once: the text before normalisation
    (``raw``) is the normalised text itself when they are equal, and the original lines are
    left out when they are one of those texts split at line breaks (:func:`_filled` splits
    it again) — they would otherwise be pickled and compressed two or three times."""
    src = getattr(report, "source", None)
    if src is None or not isinstance(getattr(src, "text", None), str):
        return report
    raw, lines = src.raw, src.original_lines
    same_raw = raw is not None and raw is not src.text and raw == src.text
    joined = "\n".join(lines) if isinstance(lines, list) else None
    split = ("text" if joined == src.text else "raw" if raw is not None and joined == raw else None) \
        if joined is not None else None
    if not same_raw and split is None:
        return report
    src = copy.copy(src)
    if same_raw:
        src.raw = src.text
    if split is not None:
        src.original_lines = None
    report = copy.copy(report)
    report.__dict__ = dict(report.__dict__, source=src, _lines_split=split)
    return report


def _filled(report):
    """The report :func:`_lean` packed, with its source's original lines again."""
    split = report.__dict__.pop("_lines_split", None) if report is not None else None
    if split is not None:
        src = report.source
        src.original_lines = (src.text if split == "text" else src.raw).split("\n")
    return report


def restored(report):
    if report is None or report.format is not None or not report.__dict__.get("_format_id"):
        return report
    from ..templates import load_formats
    report.format = load_formats().get(report.__dict__["_format_id"])
    return report


def check_pair(report, other, rules, opts, settings: dict | None = None,
               relation: str = "previous") -> tuple[list[Finding], PairCtx]:
    """Findings of the pair rules for `report` against `other` (see module doc)."""
    report, other = restored(report), restored(other)
    ctx = PairCtx(report, other, relation, getattr(opts, "lang", "zh"), settings, getattr(opts, "issuer_kind", None))
    y, oy = report.metadata.year, other.metadata.year
    consecutive = relation != "previous" or y is None or oy is None or oy == y - 1
    if not consecutive:
        ctx.skipped.append({"rule": None, "what": "与上一年度报告的对比", "side": "上年",
                            "why": f"给出的“上一年度报告”是{oy}年度的，本报告是{y}年度的，两者不是相邻年度，"
                                   "没有核对结转数据", "span": report.metadata.title_span})
    out: list[Finding] = []
    late = []
    for rule in rules.rules:
        if rule.emitted_by == "cross":
            if rule.applies_to(report.template) and is_selected(rule, opts):
                late.append(rule)
            continue
        if relation not in rule.relations:
            continue
        if not rule.applies_to(report.template) or not is_selected(rule, opts):
            continue
        if not consecutive and rule.kind != "copied_text":
            continue
        out += _run(rule, ctx, opts)
    for rule in late:      # what could not be compared (Y100), after the comparisons
        out += _run(rule, ctx, opts, unchecked)
    out.sort(key=Finding.sort_key)
    return out, ctx


def _run(rule, ctx, opts, run=run_kind) -> list[Finding]:
    sev = getattr(opts, "severity", {}) or {}
    found = []
    for f in run(rule, ctx):
        s = sev.get(rule.id) or sev.get(rule.name)
        if s:
            f.severity = s
        found.append(f)
    return found


# ---------------------------------------------------------------------------------------
# the batch step of `xxgk-lint check`
# ---------------------------------------------------------------------------------------
@dataclass
class BatchOutcome:
    notes: list[str] = field(default_factory=list)       # lines for --verbose
    pairs: int = 0


class _Found:
    """The findings of one pair of the batch, made ready in the process that compared the
    pair (where the report's model is live, so the batch step does not unpack it again): the
    file's inline `xxgk-lint: disable=…` directives applied, and what the terminal output
    shows of each finding — its source line (text files) or extracted line (PDF/DOCX)."""

    __slots__ = ("findings", "used", "lines", "excerpts")

    def __init__(self, findings: list[Finding], report, have: dict | None = None):
        from ..suppress import Suppressions, find_directives
        src = report.source
        lines = getattr(src, "original_lines", None)
        self.used: set | None = None    # directives that suppress one: no longer unused (X100)
        dirs = find_directives(lines) if findings else None
        if dirs:
            sup = Suppressions(dirs, lines)
            kept = []
            for f in findings:
                hit = sup.suppressing(f)
                if hit is None:
                    kept.append(f)
                else:
                    self.used = self.used or set()
                    self.used.add((hit[0].line, hit[0].column))
            findings = kept
        self.findings = findings
        # line number -> the line (text files), unless the file's result has it (`have`)
        self.lines: dict[int, str] | None = None
        for f in findings:
            n = f.location.line
            if (self.lines is None or n not in self.lines) and (have is None or n not in have):
                text = src.original_line(n)
                if text is not None:
                    self.lines = self.lines or {}
                    self.lines[n] = text
        self.excerpts = None
        if lines is None and findings:
            from ..reporters.rich_out import extracted_line
            self.excerpts = [extracted_line(src, f) for f in findings]

    def add_to(self, res) -> list[Finding]:
        """Add the findings to a checked file's result (the findings added)."""
        from ..suppress import UNUSED_RULE
        if self.used:
            res.findings[:] = [f for f in res.findings
                               if not (f.rule == UNUSED_RULE and (f.location.line, f.location.column) in self.used)]
        src = getattr(res, "source", None)
        lines = getattr(src, "original_lines", None)
        if isinstance(lines, dict):
            for n, text in (self.lines or {}).items():
                lines.setdefault(n, text)
        elif src is not None and lines is None and self.excerpts is not None:
            for f, excerpt in zip(self.findings, self.excerpts):
                f.excerpt = excerpt
        res.findings.extend(self.findings)
        res.findings.sort(key=Finding.sort_key)
        return self.findings


def _label(e) -> str:
    iss = e.issuer.display if e.issuer is not None else "发布机关未知"
    how = "（发布机关按正文推断）" if e.issuer_from == "prose" else ""
    return f"{e.path}（{iss}{how}，{e.year or '年度未知'}年度）"


def cross_check(results, options_for, previous=None, peers: bool = True, lang: str = "zh",
                shares: bool = True, jobs: int = 1) -> BatchOutcome:
    """Pair the checked reports (or each with `previous`), run the pair rules and add their
    findings to the results.  `results` have `.path`, `.findings` and `.cross` (a report
    model or None); `options_for(path)` gives (Options, effective values, RuleSet).
    ``shares``: the notes list each section's share of equal text (an alignment of every
    section of the pair: only worth it when the notes are shown, ``--verbose``).
    ``jobs`` > 1: the pairs are compared in that many forked processes (:func:`_pair_findings`);
    the findings are added in the same order as one process would, so the output is the same."""
    # what the batch holds so far (every file's result and packed model) is only read from
    # here on: frozen, the cyclic GC does not walk it again at every collection the
    # unpacking and comparing of models sets off (~10 % of the step in one process)
    outer = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        return _cross_check(results, options_for, previous, peers, lang, shares, jobs)
    finally:
        if not outer:
            gc.unfreeze()


def _cross_check(results, options_for, previous, peers: bool, lang: str, shares: bool, jobs: int) -> BatchOutcome:
    from .pairing import card, entries, pair
    from .peers import profile
    outcome = BatchOutcome()
    usable = [r for r in results if getattr(r, "cross", None) is not None]
    by_path = {r.path: r for r in usable}
    model = _Models({r.path: r.cross for r in usable})
    sections: dict = {}             # path -> its sections for the index of peers (peers.py)

    def each_card():                # what the packed models carry, or read from the model
        for r in usable:
            p = r.cross
            if isinstance(p, Packed) and p.card is not None:
                c, secs = p.card, p.sections
                if peers and not p.profiled():   # hashed otherwise: profiled again (Packed.profiled)
                    secs = profile(model.get(r.path))
            else:
                m = model.get(r.path)
                c, secs = card(m), (profile(m) if peers else None)
            sections[r.path] = secs
            yield c

    ents = entries(each_card())
    if previous is not None:
        previous = restored(previous)
        prev_entry = entries([previous])[0]
        pairs = [(previous, e.path, prev_entry, e) for e in ents]
        grouping = pair(ents) if peers and len(ents) > 1 else None
    else:
        grouping = pair(ents)
        pairs = [(a.path, b.path, a, b) for a, b in grouping.pairs]
    # every comparison first (they read the models only), then their findings in order;
    # a task names its reports by path (loaded when compared) or holds last year's model
    tasks = [(te.path, te.path, prev, "previous") for prev, _this, pe, te in pairs]
    compared: dict[str, list[str]] = {}
    if grouping is not None and peers:
        compared = _peer_pairs(grouping.peers, sections, options_for, jobs)
        tasks += [(path, path, o, "peer") for path, others in compared.items() for o in others]
    sections.clear()
    for r in usable:   # the index is built: the 8-gram profiles are not read again (~10 KB a report)
        if isinstance(r.cross, Packed):
            r.cross.sections = None
    _MODELS[0] = model
    _RESULTS.update(by_path)
    order = _locality(tasks)
    try:
        found_in_order = _pair_findings([tasks[i] for i in order], options_for, jobs)
    finally:
        _RESULTS.clear()
    found_by_task: list = [None] * len(tasks)
    for i, found in zip(order, found_in_order):
        found_by_task[i] = found
    del found_in_order
    found_by_task.reverse()
    found_all = _consumed(found_by_task)      # each result let go once added (the lines it carries)
    for prev, this, pe, te in pairs:
        found = next(found_all).add_to(by_path[te.path])
        outcome.pairs += 1
        same = ("，".join(f"{s.unit.title} {round(s.share * 100)}%" for s in _shares(model.get(this), model.get(prev)))
                if shares else "")
        outcome.notes.append(f"对比上一年度：{_label(pe)} → {_label(te)}"
                             + (f"；文字相同比例：{same}" if same else "")
                             + (f"；{len(found)}个问题" if found else "；未发现问题"))
    if grouping is not None:
        for group in grouping.copies:
            outcome.notes.append("同一发布机关同一年度有多个文件（视为同一报告的不同版本，可用 xxgk-lint compare 比较）："
                                 + "、".join(e.path for e in group))
        if previous is None:
            for e, why in grouping.unpaired:
                outcome.notes.append(f"未参与配对：{e.path}（{why}）")
        if peers:
            for path, others in compared.items():
                res = by_path[path]
                res.findings.sort(key=Finding.sort_key)     # as adding no finding does
                for o in others:
                    found = next(found_all).add_to(res)
                    if found:
                        outcome.notes.append(f"与同年度其他发布机关的报告相似：{path} ~ {o}（{len(found)}处）")
    _MODELS[0] = None
    return outcome


def _consumed(stack: list):
    while stack:
        yield stack.pop()


def _peer_pairs(grouping_peers, sections: dict, options_for, jobs: int = 1) -> dict[str, list[str]]:
    """path -> the other issuers' reports it is compared with (sorted), for every report that
    has peers (in the batch's order): only those whose comparison can give a finding — the
    others have no section that passes the screen of any peer rule (validator/cross/peers.py)."""
    from .peers import candidates, specs
    reports = {}
    for path in grouping_peers:
        e = grouping_peers.entry(path)
        opts, values, rules = options_for(path)
        reports[path] = (e.year, sections[path], specs(rules, opts, values, e.template))
    found = candidates(reports, grouping_peers.is_peer, jobs=jobs)
    return {path: sorted(found.get(path, ())) for path in grouping_peers}


def _locality(tasks: list) -> list[int]:
    """An order to compute the tasks in (their findings are added in the tasks' own order)
    in which the reports they read come together, so the few models kept live (_Models)
    are reused instead of unpacked again for every pair: each report's comparisons in a row,
    and reports compared with the same others next to each other (ordered by the first, in
    the batch's order, of the report and those it is compared with)."""
    by_this: dict[str, list[int]] = {}
    rank: dict[str, int] = {}
    for i, (path, _this, _other, _relation) in enumerate(tasks):
        by_this.setdefault(path, []).append(i)
        rank.setdefault(path, len(rank))
    first: dict[str, int] = {}
    for path, _this, other, _relation in tasks:
        r = min(rank[path], rank.get(other, len(rank)) if isinstance(other, str) else len(rank))
        first[path] = min(first.get(path, r), r)
    order: list[int] = []
    for path in sorted(by_this, key=lambda p: (first[p], rank[p])):
        order.extend(by_this[path])
    return order


class _Models:
    """The batch's reports by path, unpacked when needed; the last few are kept (the tasks
    come grouped by report), so memory stays bounded whatever the size of the batch."""

    KEEP = 64

    def __init__(self, packed: dict):
        self._packed = packed
        self._live = LRU(self.KEEP)

    def get(self, x):
        if not isinstance(x, str):
            return x                 # a model already (last year's report given with --previous)
        m = self._live.get(x)
        if m is None:
            p = self._packed[x]
            m = p.load() if isinstance(p, Packed) else restored(p)
            self._live.put(x, m)
        return m


_MODELS: list = [None]   # the batch's _Models while its pairs are compared (read by forked processes)
_RESULTS: dict = {}      # … and the files' results (the lines their output already has)


# the pair comparisons of a batch, read by forked processes (set just before they start)
_TASKS: list = []
_OPTIONS_FOR = None
MIN_PARALLEL = 16   # fewer pairs than this are compared in this process


def _one_pair(i: int) -> _Found:
    path, this, other, relation = _TASKS[i]
    models = _MODELS[0]
    if models is not None:
        this, other = models.get(this), models.get(other)
    opts, values, rules = _OPTIONS_FOR(path)
    res = _RESULTS.get(path)
    have = getattr(getattr(res, "source", None), "original_lines", None)
    return _Found(check_pair(this, other, rules, opts, settings_of(values), relation)[0], this,
                  have if isinstance(have, dict) else None)


def _pair_chunk(bounds: tuple[int, int]) -> list[_Found]:
    """The results of a run of tasks, sent back together: a line of a file goes back once (a
    report written on one line would otherwise go back whole with every finding)."""
    out = [_one_pair(i) for i in range(*bounds)]
    sent = set()
    for i, found in zip(range(*bounds), out):
        path = _TASKS[i][0]
        for n in list(found.lines or ()):
            if (path, n) in sent:
                del found.lines[n]
            else:
                sent.add((path, n))
    return out


def _pair_findings(tasks: list, options_for, jobs: int) -> list[_Found]:
    """The findings of each (path, report, other report, relation) task, in order.  With
    ``jobs`` > 1 and enough pairs, forked processes compare them (they inherit the models:
    nothing is sent to them but the task numbers, only findings come back); if a process
    cannot be started or dies, the remaining pairs are compared here.  The cyclic GC runs
    seldom meanwhile (:func:`_seldom_collected`; the forked processes inherit that)."""
    global _TASKS, _OPTIONS_FOR
    _TASKS, _OPTIONS_FOR = tasks, options_for
    try:
        with _seldom_collected():
            n = len(tasks)
            out: list[_Found] = []
            if jobs > 1 and n >= MIN_PARALLEL:
                out = _forked(n, jobs)
            return out + [_one_pair(i) for i in range(len(out), n)]
    finally:
        _TASKS, _OPTIONS_FOR = [], None


GC_YOUNG = 50_000   # allocations between two collections of the youngest generation meanwhile


@contextmanager
def _seldom_collected():
    """Comparing pairs unpacks models and builds sections, indexes and findings: many
    objects and, as it is written, no reference cycle (tests/cross/test_cross_alignment.py
    checks it), so they go by reference counting.  At the default thresholds (every 700
    allocations) the cyclic GC nevertheless walks the young objects and, every tenth and
    hundredth time, the models kept live (_Models): about a fifth of the comparisons' time.
    Meanwhile the youngest generation is collected every GC_YOUNG allocations instead:
    should a cycle ever appear it is still collected, and memory stays bounded."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_YOUNG), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _forked(n: int, jobs: int) -> list[_Found]:
    """As many leading results as the forked processes delivered (all of them normally)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ..limits import die_with_parent
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return []
    size = max(1, min(64, n // (jobs * 4)))     # a few chunks per process: they finish together
    chunks = [(a, min(n, a + size)) for a in range(0, n, size)]
    out: list[_Found] = []
    # the models of the batch are read, not changed, by the processes: frozen, the GC of
    # each process leaves them alone (and their pages stay shared with this process)
    outer = gc.get_freeze_count() > 0      # frozen by the caller (cross_check): it unfreezes
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=die_with_parent) as pool:
            for part in pool.map(_pair_chunk, chunks):
                out.extend(part)
    except Exception:  # noqa: BLE001 - a process that died (BrokenProcessPool), or could not start
        pass            # the pairs without a result are compared in this process
    finally:
        if not outer:
            gc.unfreeze()
    return out


def _shares(this, prev):
    """Similarity of every section the two reports share (for the --verbose listing)."""
    from .similarity import compare, match_units, units
    out = []
    for u, v in match_units(units(this), units(prev)):
        if u.countable < 20:
            continue
        s = compare(u, v)
        if s is not None:
            out.append(s)
    return out


def cli_cross_step(args, results, settings) -> tuple[list[str], str | None]:
    """The cross step of `xxgk-lint check` (validator/cli.py): (lines for --verbose, a
    one-line error when last year's report given with --previous cannot be read)."""
    from ..lint import lint_path
    from ..readers import ReadError

    def options_for(path):
        opts, eff, rules = settings.options(path)
        return opts, eff.values, rules

    previous = None
    if getattr(args, "previous", None):
        opts, _values, rules = options_for(args.previous)
        try:
            previous = portable(lint_path(args.previous, opts, rules).report)
        except ReadError as exc:
            return [], f"上一年度的报告 {exc}"
        if previous is None:
            return [], f"{args.previous}: 无法读取上一年度的报告"
    first = next((r.path for r in results), ".")
    peers = bool(options_for(first)[1].get("cross", True)) if results else False
    # the notes are printed with --verbose only: the share of every section is computed then
    jobs = getattr(args, "jobs", 0) or 0
    outcome = cross_check(results, options_for, previous=previous, peers=peers,
                          shares=bool(getattr(args, "verbose", False)),
                          jobs=jobs if jobs > 0 else (os.cpu_count() or 1))
    return outcome.notes, None
