"""The run-together splitter and the rule expression language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from validator.expr import ExprError, Missing, check, compile_expr
from validator.parse import split_run_together

T3_ROW = [([0, 1, 2, 3, 4, 5], 6)]


def test_digits_split_when_the_row_sum_leaves_one_way():
    assert split_run_together(["640020470"], 7, T3_ROW).unique == [["64", "0", "0", "2", "0", "4", "70"]]


def test_spaces_are_hard_boundaries_and_leading_zeros_are_not_numbers():
    # "（七）总计23 0 00 0 023" from reports/001
    res = split_run_together(["23", "0", "00", "0", "023"], 7, T3_ROW)
    assert [p for ps in res.unique for p in ps] == ["23", "0", "0", "0", "0", "0", "23"]


def test_two_splits_that_both_satisfy_the_row_sum_are_not_guessed():
    res = split_run_together(["270020130"], 7, T3_ROW)
    assert res.unique is None and res.count == 2 and len(res.candidates) == 2


def test_without_an_equation_only_a_forced_split_is_taken():
    assert split_run_together(["000"], 3, []).unique == [["0", "0", "0"]]
    assert split_run_together(["693665"], 3, []).unique is None


def test_table4_splits_with_its_three_group_totals():
    eqs = [([0, 1, 2, 3], 4), ([5, 6, 7, 8], 9), ([10, 11, 12, 13], 14)]
    res = split_run_together(["10203120001200000"], 15, eqs)
    assert [p for ps in res.unique for p in ps] == "1 0 2 0 3 12 0 0 0 12 0 0 0 0 0".split()


def test_expression_reports_both_sides_and_terms():
    e = compile_expr("本年新收 + 上年结转 == 办理结果总计 + 结转下年度")
    vals = {"本年新收": Decimal(38), "上年结转": Decimal(2), "办理结果总计": Decimal(38), "结转下年度": Decimal(0)}
    out = check(e, vals.__getitem__)
    assert not out.holds and (out.lhs, out.rhs) == (40, 38)
    assert [n for n, _v in out.lhs_terms] == ["本年新收", "上年结转"]


def test_missing_value_is_not_assessed():
    e = compile_expr("a + b == c")

    def resolve(name):
        if name == "b":
            raise Missing(name)
        return Decimal(1)
    with pytest.raises(Missing):
        check(e, resolve)


@pytest.mark.parametrize("bad", ["__import__('os')", "a.b == 1", "a + * b", "open(1)", "a == b == c", "lambda: 1"])
def test_expression_language_rejects_anything_but_arithmetic(bad):
    with pytest.raises(ExprError):
        compile_expr(bad)
