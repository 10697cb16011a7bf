"""Values of table cells for equations: rows, row groups (sum of their rows) and what a
blank, a dash or an unreadable cell means.  Shared by the run-together splitter (parse) and
the equation rules, so both read a table the same way."""

from __future__ import annotations

from decimal import Decimal

from .expr import Missing
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
        if cell is None or cell.kind == ValueKind.MISSING:
            raise Missing(f"{row}/{col}")
        self.cells.append(cell)
        if cell.kind in (ValueKind.NUMBER, ValueKind.ZERO):
            return cell.value
        if cell.kind == ValueKind.BLANK:
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


def implied_blanks(table: Table, spec: TableSpec) -> None:
    """A blank cell whose value another identity of the template fixes (its row's total, with
    every other cell of that identity a number) gets that value as ``implied`` — the rules
    then report the blank with the value it must have instead of counting it as 0."""
    for parts, total in spec.row_sums:
        for row in table.rows.values():
            cells = [row.cells.get(c) for c in parts + [total]]
            if any(c is None for c in cells):
                continue
            blanks = [c for c in cells if c.kind == ValueKind.BLANK]
            if len(blanks) != 1 or any(c.kind not in (ValueKind.NUMBER, ValueKind.ZERO, ValueKind.BLANK)
                                       for c in cells):
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
