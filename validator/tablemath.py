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

    def __init__(self, table: Table, spec: TableSpec, *, column: str | None = None, row: str | None = None):
        self.table = table
        self.spec = spec
        self.column = column
        self.row = row
        self.blanks: list[Cell] = []      # blank cells counted as 0 (the stated assumption)
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
