"""Issue 2 must-shows on the real corpus (tests/corpus is a copy of ../shared/corpus)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import CORPUS, corpus_file
from validator.lint import lint_path

ARITHMETIC = {"A301", "A302", "A303", "A401", "A402", "A403"}


def findings(rel):
    return lint_path(str(corpus_file(rel))).findings


def test_seed001_reports_both_table3_inconsistencies_of_the_natural_person_column_at_their_lines():
    fs = findings("seeds/001_68b1fad5fb482fc8.txt")
    balance = [f for f in fs if f.rule == "A301"]
    outcome = [f for f in fs if f.rule == "A303"]
    assert len(balance) == 1 and balance[0].column == "自然人"
    assert (balance[0].numbers["lhs"], balance[0].numbers["rhs"]) == (Decimal(40), Decimal(38))
    assert balance[0].line == 81  # the 本年新收 value "38 |" of the 自然人 column
    assert len(outcome) == 1 and outcome[0].column == "自然人"
    assert (outcome[0].numbers["lhs"], outcome[0].numbers["rhs"]) == (Decimal(44), Decimal(38))
    assert outcome[0].line == 135  # the （七）总计 value
    assert "空白单元格按0计" in outcome[0].message  # the assumption is stated


def test_seed001_has_no_arithmetic_finding_on_table4():
    assert not [f for f in findings("seeds/001_68b1fad5fb482fc8.txt") if f.table == "表四" and f.rule in ARITHMETIC]


def test_seed001_blank_cells_are_reported_apart_from_wrong_numbers():
    fs = findings("seeds/001_68b1fad5fb482fc8.txt")
    blanks = [f for f in fs if f.rule == "F502"]
    assert blanks and all(f.severity == "warning" for f in blanks)
    assert all(f.severity == "error" for f in fs if f.rule in ARITHMETIC)


def test_hongzequ_2023_pdf_text_reports_the_two_table4_total_errors():
    fs = [f for f in findings("reports/009_hongzequ_2023.txt") if f.rule in ARITHMETIC]
    got = sorted((f.rule, int(f.numbers["lhs"]), int(f.numbers["rhs"])) for f in fs)
    assert got == [("A401", 11, 0), ("A403", 5, 0)]
    assert all(f.line == 149 for f in fs)


@pytest.mark.parametrize("rel,total_new,total_done", [
    ("reports/011_huaian_2024.txt", 3119, 3050),
    ("reports/007_pingtan_2025.txt", 154, 148),
    ("reports/006_pingtan_2024.txt", 218, 218),
    ("reports/012_shuyangxian_2025.txt", 713, 718),
])
def test_reports_whose_sums_hold_are_read_and_get_no_arithmetic_error(rel, total_new, total_done):
    res = lint_path(str(corpus_file(rel)))
    assert not [f for f in res.findings if f.rule in ARITHMETIC]
    t3 = res.report.tables["表三"]
    # checked, not skipped: the cells of the 勾稽关系 were read as numbers
    assert t3.cell("本年新收", "总计").value == total_new
    assert t3.cell("办理结果总计", "总计").value == total_done


def test_run_together_table4_of_pingtan_2021_splits_the_only_way_its_sums_allow():
    res = lint_path(str(corpus_file("reports/003_pingtan_2021.txt")))
    row = res.report.tables["表四"].rows["案件数"]
    assert [c.raw for c in row.cells.values()] == ["1", "0", "2", "0", "3", "12", "0", "0", "0", "12",
                                                     "0", "0", "0", "0", "0"]
    assert any(c.note and "唯一拆分" in c.note for c in row.cells.values())


def test_ambiguous_run_together_cells_are_reported_unreadable_not_guessed():
    res = lint_path(str(corpus_file("reports/003_pingtan_2021.txt")))
    p002 = [f for f in res.findings if f.rule == "P002"]
    assert len(p002) == 1 and "693665" in p002[0].message and p002[0].category == "parse"
    row = res.report.tables["表二"].rows["行政规范性文件"]
    assert all(c.kind.value == "unreadable" for c in row.cells.values())


def test_row_that_only_column_equations_can_split_is_resolved_jointly():
    # 予以公开 "270020130" splits two ways by its row sum; the column equations keep one
    res = lint_path(str(corpus_file("reports/003_pingtan_2021.txt")))
    row = res.report.tables["表三"].rows["予以公开"]
    assert [c.raw for c in row.cells.values()] == ["27", "0", "0", "2", "0", "1", "30"]


@pytest.mark.parametrize("path", sorted(p.relative_to(CORPUS).as_posix() for d in ("seeds", "reports")
                                        for p in (CORPUS / d).glob("*.txt")))
def test_every_text_report_runs_and_pre2019_ones_are_identified(path):
    res = lint_path(str(CORPUS / path))
    year = res.report.metadata.year
    assert year is not None
    if year < 2019:
        assert res.report.template == "legacy"
        assert any(f.rule == "M001" for f in res.findings)
        assert not [f for f in res.findings if f.category == "arithmetic"]
    else:
        assert res.report.template == ("2019" if year <= 2020 else "2021")


def test_typo_in_row_label_is_matched_tolerantly_and_recorded():
    res = lint_path(str(corpus_file("reports/009_hongzequ_2023.txt")))
    row = res.report.tables["表三"].rows["法律法规禁止"]
    assert row.labels[0].quality == "fuzzy"
    assert [f for f in res.findings if f.rule == "S203" and "其他法律行政止公开" in f.message]


def test_2019_style_single_other_row_in_a_2021_report_is_a_template_version_problem_not_a_sum_error():
    res = lint_path(str(corpus_file("reports/010_hongzequ_2024.txt")))
    assert not [f for f in res.findings if f.rule in ARITHMETIC]
    assert [f for f in res.findings if f.rule == "C201" and f.table == "表三"]
    assert not [f for f in res.findings if f.rule == "S202"]
    # the single row still counts in the outcome sum (the check ran and holds)
    assert res.report.tables["表三"].rows["其他处理"].cells["总计"].value is not None


def test_a_2021_table_that_lacks_rows_reports_them_once():
    res = lint_path(str(corpus_file("reports/013_shanghai_kewei_2024.txt")))
    s202 = [f for f in res.findings if f.rule == "S202"]
    assert len(s202) == 1 and "没有现成信息需要另行制作" in s202[0].message
