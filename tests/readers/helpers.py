"""Helpers shared by the reader tests."""

from __future__ import annotations

from validator.lint import lint_bytes, lint_path

ARITHMETIC = {"A301", "A302", "A303", "A401", "A402", "A403"}


def positions(result):
    """(rule, line, column) of every finding, sorted."""
    return sorted((f.rule, f.line, f.col) for f in result.findings)


def facts(result, tables=None):
    """What a finding says, independent of where it is: rule, section, table, row, column,
    numbers and message."""
    out = set()
    for f in result.findings:
        if tables is not None and f.table not in tables:
            continue
        nums = tuple(sorted((k, str(v)) for k, v in f.numbers.items()))
        out.add((f.rule, f.section, f.table, f.row, f.column, nums, f.message))
    return out


def lint(data: bytes, name: str):
    return lint_bytes(data, name)


__all__ = ["ARITHMETIC", "positions", "facts", "lint", "lint_path"]
