"""The safe expression language of the rules: parsed by grammar/expr.lark, evaluated by
walking the tree (no eval, no attribute access, no Python objects reachable)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Callable

from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from .i18n import Msg, msg
from .lazyre import later
from .records import record
from .resources import grammar_dir


class ExprError(Exception):
    """A malformed expression (message says where)."""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    from .larkcache import lark  # compiled tables cached on disk (cold start)
    return lark("expr", (grammar_dir() / "expr.lark").read_text(encoding="utf-8"), parser="lalr")


@record(frozen=True)
class Expr:
    """A parsed table equation: its source text and Lark tree."""

    source: str
    tree: Tree

    def __str__(self) -> str:
        return self.source

    @property
    def names(self) -> list[str]:
        out: list[str] = []
        for t in self.tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NAME"):
            if str(t) not in out:
                out.append(str(t))
        return out

    @property
    def is_comparison(self) -> bool:
        return self.tree.data == "comparison" and len(self.tree.children) == 3

    def sides(self) -> tuple[Tree, str | None, Tree | None]:
        ch = self.tree.children
        if len(ch) == 3:
            return ch[0], str(ch[1]), ch[2]
        return ch[0], None, None


# Bounds on an expression (issue 16.3: rule files are untrusted input).  The template's
# equations have at most a dozen terms, no nesting and numbers of a few digits; a rule file
# with 50,000 terms (a recursion in every tree walk), 5,000 nested brackets or a
# 100,000-digit constant is refused when it loads, with a message, before it is parsed.
MAX_EXPR_CHARS = 10_000
MAX_TERMS = 500
MAX_DEPTH = 30
MAX_DIGITS = 30

_TERM = later(r"\d+(?:\.\d+)?|[^\W\d]\w*")
_LONG_NUMBER = later(r"\d{%d,}" % (MAX_DIGITS + 1))


def _shown(source: str) -> str:
    from .yamlload import quote
    return quote(source)


def check_size(source: str) -> None:
    """Refuse an expression of absurd size (linear scan, before any parsing)."""
    if len(source) > MAX_EXPR_CHARS:
        raise ExprError(msg("表达式“{s}”太长（{n:,} 字符，上限 {m:,}）", 'expression "{s}" is too long ({n:,} characters, at most {m:,})',
                            s=_shown(source), n=len(source), m=MAX_EXPR_CHARS))
    depth = deepest = 0
    for ch in source:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise ExprError(msg("表达式“{s}”括号嵌套 {n} 层，超过上限 {m} 层", 'expression "{s}" nests parentheses {n} deep, over the limit of {m}',
                            s=_shown(source), n=deepest, m=MAX_DEPTH))
    if _LONG_NUMBER.search(source):
        raise ExprError(msg("表达式“{s}”中的数字超过 {m} 位", 'expression "{s}" has a number of more than {m} digits', s=_shown(source), m=MAX_DIGITS))
    terms = sum(1 for _ in _TERM.finditer(source))
    if terms > MAX_TERMS:
        raise ExprError(msg("表达式“{s}”有 {n:,} 项，超过上限 {m} 项", 'expression "{s}" has {n:,} terms, over the limit of {m}',
                            s=_shown(source), n=terms, m=MAX_TERMS))


@lru_cache(maxsize=512)
def compile_expr(source: str) -> Expr:
    if not isinstance(source, str):
        raise ExprError(Msg("表达式必须是文本", "an expression must be text"))
    check_size(source)
    try:
        tree = _parser().parse(source)
    except LarkError as exc:
        col = getattr(exc, "column", None)
        where = Msg(f"：第{col}个字符", f": at character {col}") if col else ""
        raise ExprError(msg("表达式“{s}”无法解析{w}", 'expression "{s}" cannot be parsed{w}', s=_shown(source), w=where)) from None
    except RecursionError:
        raise ExprError(msg("表达式“{s}”嵌套太深，无法解析", 'expression "{s}" is nested too deeply to be parsed', s=_shown(source))) from None
    if tree.data != "comparison":
        tree = Tree("comparison", [tree])
    return Expr(source, tree)


class Missing(Exception):
    """A referenced value is not available (row or column not in the report, unreadable)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


Resolver = Callable[[str], Decimal]


def evaluate(node, resolve: Resolver, terms: list | None = None) -> Decimal:
    """Value of a sum expression; `terms` collects (name, value) in reading order."""
    if isinstance(node, Token):
        raise ExprError(f"意外的记号 {node}")
    d = node.data
    if d == "num":
        return Decimal(str(node.children[0]))
    if d == "ref":
        name = str(node.children[0])
        v = resolve(name)
        if terms is not None:
            terms.append((name, v))
        return v
    if d == "sum_of":
        total = Decimal(0)
        for n in node.children:
            v = resolve(str(n))
            if terms is not None:
                terms.append((str(n), v))
            total += v
        return total
    if d == "add":
        return evaluate(node.children[0], resolve, terms) + evaluate(node.children[1], resolve, terms)
    if d == "sub":
        a = evaluate(node.children[0], resolve, terms)
        sub_terms: list = [] if terms is not None else None
        b = evaluate(node.children[1], resolve, sub_terms)
        if terms is not None:
            terms.extend((f"-{n}", v) for n, v in sub_terms)
        return a - b
    if d == "comparison":
        return evaluate(node.children[0], resolve, terms)
    raise ExprError(f"不支持的表达式成分 {d}")


OPS = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, ">": lambda a, b: a > b,
}


@record
class Outcome:
    """The result of checking an equation: whether it holds, both sides and their terms."""

    holds: bool
    lhs: Decimal
    rhs: Decimal | None
    lhs_terms: list
    rhs_terms: list
    op: str | None


def _flatten(node, negated: str, out: list) -> None:
    """A sum as a flat list of (sign prefix, kind, payload): the language has only + and -, so
    every expression is linear; evaluating the list gives the same value and the same term
    names as walking the tree, without recursion per cell."""
    d = node.data
    if d == "num":
        out.append((negated, "num", Decimal(str(node.children[0]))))
    elif d == "ref":
        out.append((negated, "ref", str(node.children[0])))
    elif d == "sum_of":
        for n in node.children:
            out.append((negated, "ref", str(n)))
    elif d == "add":
        _flatten(node.children[0], negated, out)
        _flatten(node.children[1], negated, out)
    elif d == "sub":
        _flatten(node.children[0], negated, out)
        _flatten(node.children[1], negated + "-", out)
    elif d == "comparison":
        _flatten(node.children[0], negated, out)
    else:
        raise ExprError(f"不支持的表达式成分 {d}")


def flat_sides(expr: Expr):
    cached = expr.__dict__.get("_flat")
    if cached is not None:
        return cached
    left, op, right = expr.sides()
    lf: list = []
    _flatten(left, "", lf)
    rf: list = []
    if right is not None:
        _flatten(right, "", rf)
    object.__setattr__(expr, "_flat", (lf, op, rf))  # Expr is frozen; this is a cache
    return lf, op, rf


def _eval_flat(flat, resolve: Resolver, terms: list) -> Decimal:
    total = Decimal(0)
    for neg, kind, payload in flat:
        if kind == "num":
            v = payload
        else:
            v = resolve(payload)
            terms.append((neg + payload, v))
        total = total - v if len(neg) % 2 else total + v
    return total


def check(expr: Expr, resolve: Resolver) -> Outcome:
    """Evaluate a comparison; raises Missing when a value is not available."""
    lf, op, rf = flat_sides(expr)
    lt: list = []
    rt: list = []
    lhs = _eval_flat(lf, resolve, lt)
    if op is None:
        return Outcome(bool(lhs), lhs, None, lt, rt, None)
    rhs = _eval_flat(rf, resolve, rt)
    return Outcome(OPS[op](lhs, rhs), lhs, rhs, lt, rt, op)
