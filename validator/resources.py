"""Where the shipped grammars and YAML rules are: inside the installed package
(``validator/_grammar``, ``validator/_rules`` — mapped from the top-level ``grammar/`` and
``rules/`` by pyproject.toml) or, when running from a checkout, the top-level folders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def _find(installed: str, checkout: str) -> Path:
    inside = _HERE / installed
    if inside.is_dir():
        return inside
    repo = _HERE.parent / checkout
    if repo.is_dir():
        return repo
    raise FileNotFoundError(f"xxgk-lint 安装不完整：找不到 {checkout}/ 目录")


def grammar_dir() -> Path:
    return _find("_grammar", "grammar")


def rules_dir() -> Path:
    return _find("_rules", "rules")
