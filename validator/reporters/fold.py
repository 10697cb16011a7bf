"""Quiet by default: findings of one rule that a rule marks as belonging together (``group``,
e.g. every blank cell of 表三, or one section the same as several other issuers' reports) are
shown as one finding that says how many and where, with each place kept in ``cells`` (JSON
``"cells"``, the page marks every one).  ``--show-all`` shows them one by one.

Folding happens after suppressions and the baseline, so both still act per cell, and it does
not change a severity: the exit code is the same folded or not.
"""

from __future__ import annotations

from collections import Counter, OrderedDict

from ..findings import SEVERITY_RANK, Finding, made_texts
from ..i18n import table_en


def fold(findings: list[Finding], rules=None) -> list[Finding]:
    """The findings with each group of two or more folded into one (in the place of the first)."""
    if not any(f.group for f in findings):
        return findings
    groups: "OrderedDict[tuple, list[Finding]]" = OrderedDict()
    order: list = []
    folding: dict = {}       # rule id → does it fold (asked once per rule, not per finding)
    for f in findings:
        if not f.group:
            order.append(f)
            continue
        folds = folding.get(f.rule)
        if folds is None:
            folds = folding[f.rule] = _summary_rule(f, rules) is not None
        if folds:
            key = (f.path, f.rule, f.group)
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(f)
        else:
            order.append(f)
    out = []
    for item in order:
        if isinstance(item, Finding):
            out.append(item)
            continue
        members = groups[item]
        # a run that folds made the members' texts only now (Options.fold): those of a finding
        # on its own, and the first's (the folded finding keeps its suggestion)
        made_texts(members[0])
        if len(members) == 1:
            out.append(members[0])
        else:
            rule = _summary_rule(members[0], rules)
            out.append(_folded_copies(members, rule) if rule.kind == "copied_text" else _folded(members, rule))
    return out


def _summary_rule(f: Finding, rules):
    if rules is None:
        from ..rules import load_rules
        rules = load_rules()
    r = rules.by_id(f.rule)
    if r is None or not r.folds:
        return None
    return r


def _quote_list(items: list[str], lang: str) -> str:
    return ("、" if lang != "en" else ", ").join(items)


def _where(members: list[Finding], lang: str, columns: list[str] | None = None) -> str:
    """"「商业企业」列22格、「总计」列21格" or, when fewer rows than columns have blanks,
    "「（一）予以公开」行6格、…" — whichever names fewer places.  ``columns``: the members'
    :func:`_column_order`, when the caller has it already."""
    by_row: "OrderedDict[str, int]" = OrderedDict()
    for m in members:
        if m.row:
            by_row[m.row] = by_row.get(m.row, 0) + 1
    per_column = Counter(m.column or "?" for m in members)
    by_col = {c: per_column[c] for c in (_column_order(members) if columns is None else columns)}
    use_rows = by_row and len(by_row) < len(by_col) and sum(by_row.values()) == len(members)
    items = by_row if use_rows else by_col
    if lang == "en":
        what = "row" if use_rows else "column"
        return _quote_list([f"{what} “{k}”: {n}" for k, n in items.items()], lang)
    what = "行" if use_rows else "列"
    return _quote_list([f"「{k}」{what}{n}格" for k, n in items.items()], lang)


def _column_order(members: list[Finding]) -> list[str]:
    """The columns in the table's order: each row lists its blank columns left to right; the
    rows' sequences are merged (a row with 自然人 blank puts it before 商业企业)."""
    rows: "OrderedDict[str, list[str]]" = OrderedDict()
    for m in members:
        seq = rows.setdefault(m.row or "", [])
        c = m.column or "?"
        if c not in seq:
            seq.append(c)
    first: "OrderedDict[str, int]" = OrderedDict()
    after: dict[str, set[str]] = {}
    indeg: dict[str, int] = {}
    for seq in rows.values():
        for c in seq:
            first.setdefault(c, len(first))
            after.setdefault(c, set())
            indeg.setdefault(c, 0)
        for a, b in zip(seq, seq[1:]):
            if b not in after[a]:
                after[a].add(b)
                indeg[b] += 1
    out: list[str] = []
    ready = sorted((c for c in first if indeg[c] == 0), key=first.get)
    while ready:
        c = ready.pop(0)
        out.append(c)
        for b in after[c]:
            indeg[b] -= 1
            if indeg[b] == 0:
                ready.append(b)
        ready.sort(key=first.get)
    out += [c for c in first if c not in out]   # a cycle (rows disagree): first seen order
    return out


def _folded(members: list[Finding], rule) -> Finding:
    first = members[0]
    sev = max((m.severity for m in members), key=lambda s: SEVERITY_RANK[s])
    rows = {m.row for m in members if m.row}
    cols = {m.column for m in members if m.column}
    implied = [m for m in members if m.numbers.get("implied") is not None]
    fix = "、".join(f"{_cell(m)}应为{_fmt(m.numbers['implied'])}" for m in implied)
    fix_en = "; ".join(f"{_cell(m, 'en')} should be {_fmt(m.numbers['implied'])}" for m in implied)
    order = _column_order(members)
    args = {"table": first.table or first.group, "count": len(members), "rows": len(rows), "columns": len(cols),
            "where": _where(members, "zh", order), "implied": f"（按表内勾稽关系，{fix}）" if implied else ""}
    args_en = dict(args, table=table_en(args["table"]), where=_where(members, "en", order),
                   implied_en=f" (the table's own sums fix some of them: {fix_en})" if implied else "")
    msg = rule.params["folded"].format_map(_Safe(args))
    msg_en = rule.params["folded_en"].format_map(_Safe(args_en)) if rule.params.get("folded_en") else None
    return Finding(first.rule, first.category, sev, msg, first.path, first.location, first.name, msg_en,
                   section=first.section, table=first.table, numbers={"count": len(members)},
                   basis=first.basis, suggestion=first.suggestion, suggestion_en=first.suggestion_en,
                   span=first.span, group=first.group, cells=list(members))


OTHERS_NAMED = 5      # a folded copied_text finding names this many reports besides the closest
RELATED_KEPT = 10     # … and points at the passage in this many of them (JSON "cells" has every one)


def _folded_copies(members: list[Finding], rule) -> Finding:
    """One section the same as the same section of several other reports (copied_text,
    ``against: peer``): one finding that names the closest report (the highest share; its
    passages are the related places) and the others with their shares."""
    ranked = sorted(members, key=lambda m: -(m.numbers.get("share") or 0))    # stable: ties keep their order
    best, rest = ranked[0], ranked[1:]
    first = members[0]
    sev = max((m.severity for m in members), key=lambda s: SEVERITY_RANK[s])

    def names(lang: str) -> str:
        shown = [f"{m.other or '?'} {_fmt(m.numbers.get('share'))}%" for m in rest[:OTHERS_NAMED]]
        more = len(rest) - len(shown)
        if lang == "en":
            return ", ".join(shown) + (f" and {more} more" if more else "")
        return "、".join(shown) + (f"等{len(rest)}份" if more else "")

    section = best.section or first.section or ""
    args = {"section": section, "count": len(members), "share": _fmt(best.numbers.get("share")),
            "other": best.other or "", "copied": best.numbers.get("copied"), "total": best.numbers.get("total"),
            "others": names("zh")}
    msg = rule.params["folded"].format_map(_Safe(args))
    msg_en = (rule.params["folded_en"].format_map(_Safe(dict(args, others=names("en"))))
              if rule.params.get("folded_en") else None)
    related = ([best.location] if best is not first else []) + list(best.related)
    for m in rest[:RELATED_KEPT]:
        related.extend(r for r in m.related[:1] if getattr(r, "path", None))
    numbers = dict(best.numbers, count=len(members))
    return Finding(first.rule, first.category, sev, msg, first.path, first.location, first.name, msg_en,
                   section=first.section, numbers=numbers, basis=first.basis, suggestion=first.suggestion,
                   suggestion_en=first.suggestion_en, related=related, span=first.span, group=first.group,
                   cells=list(members), other=best.other)


def _cell(m: Finding, lang: str = "zh") -> str:
    if lang == "en":
        return f"row “{m.row}”, column “{m.column}”" if m.row else f"column “{m.column}”"
    return f"「{m.row}」行「{m.column}」列" if m.row else f"「{m.column}」列"


def _fmt(v) -> str:
    from ..rules.kinds import fmt_num
    return fmt_num(v)


class _Safe(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def unfold(findings: list[Finding]) -> list[Finding]:
    """Every member of every folded finding (the long form)."""
    out = []
    for f in findings:
        out.extend(f.cells if f.cells else [f])
    return out
