"""Values of table cells for equations: rows, row groups (sum of their rows) and what a
blank, a dash or an unreadable cell means.  Shared by the run-together splitter (parse) and
the equation rules, so both read a table the same way."""

from __future__ import annotations

from decimal import Decimal

from .expr import OPS, Missing, Outcome, flat_sides
from .model import Cell, Table, ValueKind
from .templates import TableSpec


class Lookup:
    """Resolve names (row keys at a fixed column, or column keys at a fixed row)."""

    def __init__(self, table: Table, spec: TableSpec, *, column: str | None = None, row: str | None = None,
                 implied: bool = False):
        self.table = table
        self.spec = spec
        self.column = column
        self.row = row
        self.implied = implied            # blank cells whose value another equation fixes count as that
        self.blanks: list[Cell] = []      # blank cells counted as 0 (the stated assumption)
        self.implied_cells: list[Cell] = []
        self.cells: list[Cell] = []       # every cell read

    def __call__(self, name: str) -> Decimal:
        if self.column is not None:
            return self._row_value(name, self.column)
        return self._cell_value(self.row, name)

    def _cell_value(self, row: str, col: str) -> Decimal:
        cell = self.table.cell(row, col)
        if cell is None or cell.kind == _MISSING:
            raise Missing(f"{row}/{col}")
        self.cells.append(cell)
        if cell.kind in _PLAIN:
            return cell.value
        if cell.kind == _BLANK:
            if self.implied and cell.implied is not None:
                self.implied_cells.append(cell)
                return cell.implied
            self.blanks.append(cell)
            return Decimal(0)
        raise Missing(f"{row}/{col}")   # dash, text, unreadable: not a number to add

    def _row_value(self, name: str, col: str) -> Decimal:
        rspec = self.spec.row(name)
        if rspec is None:
            raise Missing(name)
        if name in self.table.rows and self.table.rows[name].cells:
            return self._cell_value(name, col)
        children = self.spec.children(name)
        present = [c for c in children if c in self.table.rows and self.table.rows[c].cells]
        if rspec.group and present:
            if len(present) < len(children):
                raise Missing(name)  # a group with some of its rows missing cannot be summed
            total = Decimal(0)
            for c in children:
                total += self._row_value(c, col)
            return total
        raise Missing(name)


_PLAIN = (ValueKind.NUMBER, ValueKind.ZERO)
_BLANK = ValueKind.BLANK
_MISSING = ValueKind.MISSING


class PlainValues:
    """The values an equation reads from one table, as :class:`Lookup` reads them without
    ``implied`` (a blank counts as 0), for deciding quickly whether an equation holds.

    What a row name stands for — the row's own cells, the rows of a group (nested groups
    kept nested, so sums are added in the same order), or nothing (:class:`Missing`) — does
    not depend on the column, so it is worked out once per name and table, not per column;
    so are the terms of each side of an equation."""

    def __init__(self, table: Table, spec: TableSpec):
        self.table = table
        self.spec = spec
        self._plans: dict[str, object] = {}
        self._terms: dict = {}

    def _plan(self, name: str):
        """A row key (its own cells), a tuple of plans (a group's rows) or None (missing)."""
        plans = self._plans
        if name in plans:
            return plans[name]
        rows = self.table.rows
        rspec = self.spec.row(name)
        plan = None
        if rspec is not None:
            if name in rows and rows[name].cells:
                plan = name
            else:
                children = self.spec.children(name)
                present = [c for c in children if c in rows and rows[c].cells]
                if rspec.group and present and len(present) == len(children):
                    subs = tuple(self._plan(c) for c in children)
                    plan = None if None in subs else subs
        plans[name] = plan
        return plan

    def _sides(self, expr, for_each: str):
        """Each side as (subtract?, what, payload, name, sign prefix) terms — what: _NUM
        (payload a number), _CELLS (for_each column: payload a row's cells, read at the
        column), _GROUP (for_each column: payload a group's cells, :meth:`_group_cells`) or
        _COLUMN (for_each row: payload a column key); the sign prefix is the term's "-"s as
        expr.check names it — and the operator; None if a row is missing."""
        key = (id(expr), for_each)
        hit = self._terms.get(key)
        if hit is not None and hit[0] is expr:
            return hit[1]
        out = self._skeleton(expr, for_each)
        if out is not None and for_each == "column":
            # the row keys and groups' plans of the skeleton, as this table's cells
            rows = self.table.rows
            left, op, right = out
            out = tuple([(sub, what, rows[payload].cells if what is _CELLS else
                          self._group_cells(payload) if what is _GROUP else payload, name, neg)
                         for sub, what, payload, name, neg in terms] for terms in (left, right))
            out = (out[0], op, out[1])
        self._terms[key] = (expr, out)
        return out

    def _skeleton(self, expr, for_each: str):
        """:meth:`_sides` with a row's key (_CELLS) or a group's plan (_GROUP) in place of
        their cells.  It depends on the format's table and which of its rows have cells, not on
        the values: the same for most reports, so kept between reports (for_each row: the
        same for every table)."""
        if for_each == "column":
            rows = self.table.rows
            have = tuple([k for k, r in rows.items() if r.cells])
            key = (id(expr), for_each, id(self.spec), have)
        else:
            key = (id(expr), for_each)
        hit = _SKELETONS.get(key)
        if hit is not None and hit[0] is expr and (for_each != "column" or hit[1] is self.spec):
            return hit[2]
        left, op, right = flat_sides(expr)
        sides = []
        for flat in (left, right):
            terms = []
            for neg, kind, payload in flat:
                subtract = len(neg) % 2 == 1
                if kind == "num":
                    terms.append((subtract, _NUM, payload, payload, neg))
                    continue
                if for_each != "column":
                    terms.append((subtract, _COLUMN, payload, payload, neg))
                    continue
                plan = self._plan(payload)
                if plan is None:
                    sides = None
                    break
                if plan.__class__ is str:
                    terms.append((subtract, _CELLS, plan, plan, neg))
                else:
                    terms.append((subtract, _GROUP, plan, payload, neg))
            if sides is None:
                break
            sides.append(terms)
        out = None if sides is None else (sides[0], op, sides[1])
        if len(_SKELETONS) >= 4096:      # reports with many different rows missing: kept bounded
            _SKELETONS.clear()
        _SKELETONS[key] = (expr, self.spec, out)
        return out

    def _group_cells(self, plan: tuple) -> tuple:
        """A group's plan with each row key replaced by the row's cells (what the screen reads)."""
        rows = self.table.rows
        return tuple(rows[sub].cells if sub.__class__ is str else self._group_cells(sub) for sub in plan)

    @staticmethod
    def _group_value(plan: tuple, col: str) -> Decimal | None:
        """A group's sum at ``col`` (``plan`` from :meth:`_group_cells`; its rows added in the
        format's order, a nested group as its own sum as Lookup adds it), or None where a
        cell is not a number or blank."""
        total = _ZERO
        for sub in plan:
            if sub.__class__ is dict:
                cell = sub.get(col)
                if cell is None:
                    return None
                kind = cell.kind
                if kind in _PLAIN:
                    total += cell.value
                elif kind == _BLANK:
                    total += _ZERO
                else:
                    return None
            else:
                v = PlainValues._group_value(sub, col)
                if v is None:
                    return None
                total += v
        return total

    def _at(self, expr, for_each: str, key: str) -> tuple:
        """(left side, operator, right side, the row's cells — None for_each column) of ``expr``
        at ``key``; :class:`Missing` where a Lookup could not resolve the equation."""
        sides = self._sides(expr, for_each)
        if sides is None:
            raise Missing(key)
        if for_each == "column":
            return (*sides, None)
        row = self.table.rows.get(key)
        return (*sides, row.cells if row is not None else {})

    def holds(self, expr, for_each: str, key: str) -> bool:
        """Does ``expr`` hold at column ``key`` (for_each column: names are rows) or row ``key``
        (names are columns)?  Raises :class:`Missing` where :func:`expr.check` with a
        :class:`Lookup` would; otherwise gives the same answer as its ``holds``."""
        left, op, right, cells = self._at(expr, for_each, key)
        values = self._values((left, right) if op is not None else (left,), key, cells)
        if values.__class__ is str:
            raise Missing(values)
        if op is None:
            return bool(values[0])
        return OPS[op](values[0], values[1])

    def _values(self, sides, key: str, cells) -> list | str:
        """The value of each side at ``key`` (``cells``: the row's, for_each row), or the name
        of the first value missing.  Each term's value as Lookup._cell_value gives it without
        ``implied`` (a blank is 0), written out in the loop: an equation is decided for every
        column of every table, a call per term was most of its cost."""
        values = []
        for terms in sides:
            total = _ZERO
            for subtract, what, payload, name, _neg in terms:
                if what is _NUM:
                    v = payload
                elif what is _GROUP:
                    v = self._group_value(payload, key)
                    if v is None:
                        return f"{name}/{key}"
                else:
                    cell = payload.get(key) if what is _CELLS else cells.get(payload)
                    kind = cell.kind if cell is not None else None
                    if kind in _PLAIN:
                        v = cell.value
                    elif kind == _BLANK:
                        v = _ZERO
                    else:
                        return f"{name}/{key}" if what is _CELLS else f"{key}/{name}"
                total = total - v if subtract else total + v
            values.append(total)
        return values

    def outcome(self, expr, for_each: str, key: str) -> tuple[Outcome, list[Cell], list[Cell]]:
        """``check(expr, look)`` with ``look = Lookup(table, spec, column=key)`` (for_each
        column) or ``row=key``, and that Lookup's ``cells`` and ``blanks`` afterwards: the same
        values, terms and cells in the same order, or :class:`Missing` where that raises.
        An equation that does not hold is reported with its terms and cells; this reads them
        through the sides :meth:`failing` has already looked up, instead of resolving every
        name again (a row's spec, a group's children) through a Lookup."""
        left, op, right, rcells = self._at(expr, for_each, key)
        cells: list[Cell] = []
        blanks: list[Cell] = []
        lt: list = []
        lhs = self._read(left, key, rcells, cells, blanks, lt)
        if op is None:
            return Outcome(bool(lhs), lhs, None, lt, [], None), cells, blanks
        rt: list = []
        rhs = self._read(right, key, rcells, cells, blanks, rt)
        return Outcome(OPS[op](lhs, rhs), lhs, rhs, lt, rt, op), cells, blanks

    def _read(self, terms, key: str, rcells, cells: list, blanks: list, named: list) -> Decimal:
        """One side's value at ``key`` as expr._eval_flat gives it with a Lookup, putting each
        term's (name, value) in ``named`` and the cells read in ``cells``/``blanks``."""
        total = Decimal(0)
        for subtract, what, payload, name, neg in terms:
            if what is _NUM:
                v = payload
            else:
                if what is _GROUP:
                    v = self._read_group(self._plan(name), key, cells, blanks)
                else:
                    cell = payload.get(key) if what is _CELLS else rcells.get(payload)
                    v = self._read_cell(cell, name if what is _CELLS else key, payload if what is _COLUMN else key,
                                        cells, blanks)
                named.append((neg + name, v))
            total = total - v if subtract else total + v
        return total

    def _read_group(self, plan: tuple, col: str, cells: list, blanks: list) -> Decimal:
        """A group's sum as Lookup._row_value adds it (its rows in the format's order)."""
        total = Decimal(0)
        rows = self.table.rows
        for sub in plan:
            if sub.__class__ is str:
                total += self._read_cell(rows[sub].cells.get(col), sub, col, cells, blanks)
            else:
                total += self._read_group(sub, col, cells, blanks)
        return total

    @staticmethod
    def _read_cell(cell: Cell | None, row: str, col: str, cells: list, blanks: list) -> Decimal:
        """Lookup._cell_value without ``implied``."""
        if cell is None:
            raise Missing(f"{row}/{col}")
        kind = cell.kind
        if kind == _MISSING:
            raise Missing(f"{row}/{col}")
        cells.append(cell)
        if kind in _PLAIN:
            return cell.value
        if kind == _BLANK:
            blanks.append(cell)
            return Decimal(0)
        raise Missing(f"{row}/{col}")

    def failing(self, expr, for_each: str, keys) -> list[str]:
        """The keys among ``keys`` at which ``expr`` does not hold — those where :meth:`holds`
        answers False; a key where it raises :class:`Missing` is left out — in order.  One
        call per equation and table (its sides looked up once), not one per column or row:
        the same sums as :meth:`holds` (:meth:`_values`), a missing value leaving the key out
        instead of raising."""
        sides = self._sides(expr, for_each)
        if sides is None:
            return []
        left, op, right = sides
        both = (left, right) if op is not None else (left,)
        compare = OPS[op] if op is not None else None
        rows = self.table.rows
        if for_each != "column" and all(t and all(what is _COLUMN and not sub for sub, what, *_ in t) for t in both):
            return self._failing_sums(tuple(tuple(t[2] for t in terms) for terms in both), compare, keys)
        cells = None
        out = []
        for key in keys:
            if for_each != "column":
                row = rows.get(key)
                cells = row.cells if row is not None else {}
            values = self._values(both, key, cells)
            if values.__class__ is not str:     # a value missing: not decided here (holds() raises)
                if not (bool(values[0]) if compare is None else compare(values[0], values[1])):
                    out.append(key)
        return out

    def _failing_sums(self, sides: tuple, compare, keys) -> list[str]:
        """:meth:`failing` of an equation whose every side is a sum of columns (for_each
        row; ``sides``: each side's columns), the usual shape of a row's equation (parts ==
        total): each value added as :meth:`_values` adds it, without telling kinds of terms
        apart."""
        rows = self.table.rows
        out = []
        for key in keys:
            row = rows.get(key)
            if row is None:
                continue                # no cells: the first value is missing
            get = row.cells.get
            values = []
            for cols in sides:
                total = _ZERO
                for col in cols:
                    cell = get(col)
                    if cell is None:
                        break
                    kind = cell.kind
                    if kind in _PLAIN:
                        total = total + cell.value
                    elif kind == _BLANK:
                        total = total + _ZERO
                    else:
                        break
                else:
                    values.append(total)
                    continue
                break                   # a value missing: not decided here (holds() raises)
            else:
                if not (bool(values[0]) if compare is None else compare(values[0], values[1])):
                    out.append(key)
        return out


def holds_at_zero(expr) -> bool:
    """Does ``expr`` hold where every name it reads is 0 (its numbers as written)?  Then a
    column or row of zeros and blanks never fails it.  Once per equation (kept on the Expr,
    as :func:`expr.flat_sides` keeps its sides)."""
    hit = expr.__dict__.get("_holds_at_zero")
    if hit is None:
        left, op, right = flat_sides(expr)
        values = []
        for flat in (left, right):
            total = _ZERO
            for neg, kind, payload in flat:
                v = payload if kind == "num" else _ZERO
                total = total - v if len(neg) % 2 else total + v
            values.append(total)
        hit = bool(values[0]) if op is None else bool(OPS[op](values[0], values[1]))
        object.__setattr__(expr, "_holds_at_zero", hit)  # Expr is frozen; this is a cache
    return hit


_NUM, _CELLS, _GROUP, _COLUMN = "num", "cells", "group", "column"
_ZERO = Decimal(0)
_SKELETONS: dict = {}


def implied_blanks(table: Table, spec: TableSpec) -> None:
    """A blank cell whose value another identity of the template fixes (its row's total, with
    every other cell of that identity a number) gets that value as ``implied`` — the rules
    then report the blank with the value it must have instead of counting it as 0."""
    # only a row with a blank cell can have one to imply (most rows have none): the rows are
    # looked at once here, not once per identity
    blank = ValueKind.BLANK
    rows = [row for row in table.rows.values() if any(c.kind == blank for c in row.cells.values())]
    if not rows:
        return
    for parts, total in spec.row_sums:
        for row in rows:
            cells = [row.cells.get(c) for c in parts + [total]]
            if any(c is None for c in cells):
                continue
            blanks = [c for c in cells if c.kind == blank]
            if len(blanks) != 1 or any(c.kind not in _PLAIN and c.kind != blank for c in cells):
                continue
            b = blanks[0]
            known = sum((c.value for c in cells[:-1] if c is not b), Decimal(0))
            tot = cells[-1]
            if b is tot:
                value = known
                how = "＋".join(spec.column_display(c) for c in parts)
                how = f"本行各列之和（{how}）"
            else:
                value = tot.value - known
                how = f"本行{spec.column_display(total)}减去其余各列"
            if value >= 0:
                b.implied, b.implied_by = value, how
