"""The table checks give the same cells and the same findings whatever rendering a report
comes in (issue 10).

Every corpus report with 2019/2021 tables (tests/renderings/reports.yaml) is written out by
the project's test renderer (tests/renderings/render.py) in every rendering found in the
wild, and read back with xxgk-lint:

* the template cells read from the rendering (table, row, column, kind, value) are the cells
  it was written from;
* its table findings (rule, table, row, column, numbers) are those the table rules give on
  those cells directly (tests/renderings/truth.py — no reader, no parser involved);
* with one 表三 and one 表四 value changed, the arithmetic errors the change causes are found;
* section titles in real-world variant wording are still read as their sections.

Cases that fail today are marked from KNOWN_FAILURES below as strict xfails: the moment one
passes, pytest reports it (XPASS → failure) and its entry is removed from the table.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.renderings import render as R
from tests.renderings import truth as T

REPORTS = T.report_ids()
# ---------------------------------------------------------------------------------------
# What fails today (issue 10): check → rendering → the reports (file stems) that fail; ALL =
# every report, but(...) = every report except those.  "original" is the corpus file itself;
# titles are keyed "rendering/variant set".  Generated into strict xfail marks (cases()).
ALL = ("*",)


def but(*stems):
    return ("!",) + stems


_KEWEI = "013_shanghai_kewei_2024"      # reports/013: one blank 总计
_UNREAD = ("001_pingtan_2019", "003_pingtan_2021", "004_pingtan_2022", "006_pingtan_2024",
           "007_pingtan_2025", _KEWEI)  # copies with cells the tool cannot read (reports.yaml)
# pipe rows, Markdown, one cell per line and tab-separated rows agree since the text reader
# gives them as grids (validator/readers/textgrid.py)
KNOWN_FAILURES: dict[str, dict[str, tuple]] = {
    "cells": {"original": _UNREAD},
    "findings": {"original": _UNREAD},
    "mutation": {},
    "titles": {},
}
_P = "merged label cells repeated or left empty and the 3-line header give extra values (P002 有9个数值)"
REASONS = {
    "pipe_repeated": "pipe rows: " + _P, "pipe_empty": "pipe rows: " + _P,
    "md_repeated": "Markdown: " + _P, "md_empty": "Markdown: " + _P,
    "docx_unmerged_repeated": "DOCX without merged cells: " + _P, "docx_unmerged_empty": "DOCX without merged cells: " + _P,
    "cell_per_line": "one cell per line: rows with empty cells read as run-together digits (P002)",
    "tab": "tab-separated rows: a row with blank cells is read as one digit run (P002 instead of F502)",
    "original": "the corpus copy itself: run-together digits / fragmented Markdown not read cell by cell",
}


def stem(rel: str) -> str:
    return Path(rel).stem


def known(check: str, rendering: str, rel: str) -> bool:
    who = KNOWN_FAILURES.get(check, {}).get(rendering, ())
    if who and who[0] == "!":
        return stem(rel) not in who[1:]
    return who == ALL or stem(rel) in who


def cases(check: str, renderings=R.RENDERINGS, reports=None):
    out = []
    for rel in reports or REPORTS:
        for k in renderings:
            marks = ([pytest.mark.xfail(strict=True, reason=f"issue 10: {REASONS.get(k, k)}")]
                     if known(check, k, rel) else [])
            out.append(pytest.param(rel, k, id=f"{stem(rel)}-{k}", marks=marks))
    return out


# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lint_rendering(tmp_path_factory):
    """(report, rendering, variant) → lint Result of that rendering, each written and read
    once.  variant: None, "mutated" or ("titles", n)."""
    from validator.lint import lint_path
    d = tmp_path_factory.mktemp("renderings")
    seen = {}

    def get(rel: str, rendering: str, variant=None):
        key = (rel, rendering, variant)
        if key not in seen:
            data = T.load(rel)
            if variant == "mutated":
                data, _changes = R.mutate(data, seed=0)
            elif isinstance(variant, tuple):
                data, _changes = R.with_variant_titles(data, variant[1])
            name = f"{stem(rel)}__{rendering}__{'x' if variant is None else str(variant).replace(' ', '')}"
            seen[key] = lint_path(str(R.write(data, rendering, d, name)))
        return seen[key]
    return get


def _diff(expected: list, got: list, n: int = 6) -> str:
    e, g = Counter(expected), Counter(got)
    missing = list((e - g).elements())[:n]
    extra = list((g - e).elements())[:n]
    return f"\n  expected, not read/found ({sum((e - g).values())}): {missing}" \
           f"\n  read/found, not expected ({sum((g - e).values())}): {extra}"


@pytest.mark.parametrize("rel,rendering", cases("cells"))
def test_rendering_reads_the_cells_it_was_written_from(lint_rendering, rel, rendering):
    got = T.read_cells(lint_rendering(rel, rendering))
    want = T.expected_cells(T.load(rel))
    assert got == want, _diff(want, got)


@pytest.mark.parametrize("rel,rendering", cases("findings"))
def test_rendering_gives_the_table_findings_of_its_cells(lint_rendering, rel, rendering):
    got = T.table_findings(lint_rendering(rel, rendering))
    want = T.expected_findings(T.load(rel))
    assert got == want, _diff(want, got)


@pytest.mark.parametrize("rel,rendering", cases("mutation"))
def test_changed_values_give_their_arithmetic_errors_in_every_rendering(lint_rendering, rel, rendering):
    data = T.load(rel)
    changed, changes = R.mutate(data, seed=0)
    caused = Counter(T.expected_findings(changed)) - Counter(T.expected_findings(data))
    assert caused, f"the change {changes} breaks no equation (see test_mutation_breaks_an_equation)"
    got = Counter(T.table_findings(lint_rendering(rel, rendering, "mutated")))
    assert not caused - got, f"changes {changes}: not found {list((caused - got).elements())}"


@pytest.mark.parametrize("rel,kind", cases("cells", renderings=("original",)))
def test_the_corpus_copy_itself_reads_the_same_cells(rel, kind):
    got = T.read_cells(T.lint_corpus(rel))
    want = T.expected_cells(T.load(rel))
    assert got == want, _diff(want, got)


@pytest.mark.parametrize("rel,kind", cases("findings", renderings=("original",)))
def test_the_corpus_copy_itself_gives_the_same_table_findings(rel, kind):
    got = T.table_findings(T.lint_corpus(rel))
    want = T.expected_findings(T.load(rel))
    assert got == want, _diff(want, got)


def _title_cases():
    out = []
    for rendering in ("pipe_repeated", "docx_merged"):
        for rel in REPORTS:
            for variant in range(len(R.VARIANT_TITLES)):
                marks = ([pytest.mark.xfail(strict=True, reason=f"issue 10: section titles {R.VARIANT_TITLES[variant]}")]
                         if known("titles", f"{rendering}/{variant}", rel) else [])
                out.append(pytest.param(rel, rendering, variant, id=f"{stem(rel)}-{rendering}-v{variant}",
                                        marks=marks))
    return out


@pytest.mark.parametrize("rel,rendering,variant", _title_cases())
def test_variant_section_titles_are_still_their_sections(lint_rendering, rel, rendering, variant):
    data = T.load(rel)
    varied, changes = R.with_variant_titles(data, variant)
    rep = lint_rendering(rel, rendering, ("titles", variant)).report
    got = [(s.numeral, s.key) for s in rep.sections]
    want = [(s.numeral, s.key) for s in varied.sections]
    assert got == want, f"titles changed: {changes}"


# ---------------------------------------------------------------------------------------
# The yardstick itself: the reports, their cells, the renderer and the mutation
def test_every_corpus_report_with_2019_or_2021_tables_is_rendered():
    covered = set(REPORTS) | {e["twin"] for e in T.entries() if e.get("twin")}
    for path in sorted(T.CORPUS.glob("*/*")):
        rel = path.relative_to(T.CORPUS).as_posix()
        if path.suffix == ".tsv":
            continue
        res = T.lint_corpus(rel)
        rep = res.report
        if rep is not None and rep.template in ("2019", "2021") and rep.tables:
            assert rel in covered, f"{rel} has 2019/2021 tables but is not in tests/renderings/reports.yaml"


@pytest.mark.parametrize("rel", [e["source"] for e in T.entries() if e.get("twin")], ids=stem)
def test_twin_copies_agree_on_every_cell_both_read(rel):
    a = T.source_cells(rel)
    b = T.source_cells(T.entry(rel)["twin"])
    unread = ("missing", "unreadable")
    differ = [k for k in a if k in b and a[k]["kind"] not in unread and b[k]["kind"] not in unread
              and (a[k]["kind"], a[k]["value"]) != (b[k]["kind"], b[k]["value"])]
    assert not differ


@pytest.mark.parametrize("rel", REPORTS, ids=stem)
def test_supplied_cells_fill_only_what_the_tool_cannot_read(rel):
    """A supplied value for a cell the tool reads today must be the value it reads, unless
    reports.yaml says the reading is wrong (corrects: true)."""
    own = T.source_cells(rel)
    fixes = {(t, r) for t, rows in (T.entry(rel).get("cells") or {}).items()
             for r, d in rows.items() if d.get("corrects")}
    data = T.load(rel)
    assert not data.dropped, f"rows left out: {data.dropped}"
    from validator.extract import _number
    from validator.model import parse_value
    rows: dict = {}
    for key in data.supplied:
        rec = own.get(key)
        if rec is None or rec["kind"] in ("missing", "unreadable"):
            continue
        kind, value, _u = parse_value(data.cells[key])
        rows.setdefault(key[:2], []).append((kind.value, _number(value)) == (rec["kind"], rec["value"]))
    for row, same in rows.items():
        if row in fixes:
            assert not all(same), f"{row}: marked corrects but the tool reads it right"
        else:
            assert all(same), f"{row}: supplied values differ from what the tool reads (mark corrects: true?)"


@pytest.mark.parametrize("rel", REPORTS, ids=stem)
def test_mutation_breaks_an_equation_in_both_tables(rel):
    data = T.load(rel)
    changed, changes = R.mutate(data, seed=0)
    assert [c["table"] for c in changes] == ["表三", "表四"]
    assert R.mutate(data, seed=0)[1] == changes, "the same seed gives the same change"
    for c in changes:
        assert changed.cells[(c["table"], c["row"], c["column"])] == c["new"] != c["old"]
    caused = Counter(T.expected_findings(changed)) - Counter(T.expected_findings(data))
    rules = {k[0] for k in caused}
    spec3 = data.format.table("表三")
    col3 = spec3.column_display(changes[0]["column"])
    assert ("A303", col3) in {(k[0], k[3]) for k in caused}, caused
    assert rules & {"A401", "A402", "A403"}, caused


def test_pipe_renderings_repeat_or_empty_merged_labels():
    data = T.load("reports/011_huaian_2024.txt")
    rep = R.render(data, "pipe_repeated").decode("utf-8").splitlines()
    emp = R.render(data, "pipe_empty").decode("utf-8").splitlines()
    assert " |  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |" in rep
    assert any(ln.startswith("三、本年度办理结果 | （三）不予公开 | 2.其他法律行政法规禁止公开 | ") for ln in rep)
    assert any(ln.startswith(" |  | 2.其他法律行政法规禁止公开 | ") for ln in emp)
    t3 = [ln for ln in rep if "（三）不予公开 | 1.属于国家秘密" in ln][0]
    assert len(t3.split(" | ")) == 10
    vals = [data.cells[("表三", "国家秘密", c)] for c in data.format.table("表三").columns]
    assert t3.endswith(" | ".join(vals) + " |")


def test_markdown_renderings_have_a_header_row_and_separator_per_table():
    md = R.render(T.load("reports/012_shuyangxian_2025.txt"), "md_empty").decode("utf-8").splitlines()
    seps = [i for i, ln in enumerate(md) if ln.startswith("|---|")]
    assert len(seps) == 3
    assert md[seps[1] - 1].startswith("| （本列数据的勾稽关系为") and md[seps[1]].count("---") == 10
    assert md[seps[2] - 1].startswith("| 行政复议 |") and md[seps[2]].count("---") == 15


def test_docx_merged_has_real_merged_cells_and_unmerged_has_none(tmp_path):
    import docx
    data = T.load("reports/010_hongzequ_2024.txt")
    merged = docx.Document(R.write(data, "docx_merged", tmp_path, "m"))
    flat = docx.Document(R.write(data, "docx_unmerged_repeated", tmp_path, "u"))
    xml_m = "".join(t._tbl.xml for t in merged.tables)
    xml_u = "".join(t._tbl.xml for t in flat.tables)
    assert "w:gridSpan" in xml_m and "w:vMerge" in xml_m
    assert "w:gridSpan" not in xml_u and "w:vMerge" not in xml_u
    # the merged 表三 has one cell per grid column in its value rows, and 10 grid columns
    t3 = merged.tables[1]
    assert len(t3.columns) == 10
    texts = [c.text for c in flat.tables[1].rows[-1].cells]
    assert texts[:3] == ["四、结转下年度继续办理", "", ""]


def test_html_spans_the_outcome_group_over_its_rows():
    h19 = R.render(T.load("reports/001_pingtan_2019.txt"), "html_spans").decode("utf-8")
    h21 = R.render(T.load("reports/011_huaian_2024.txt"), "html_spans").decode("utf-8")
    assert '<td rowspan="20">三、本年度办理结果</td>' in h19   # 2019: （六） is one row
    assert '<td rowspan="22">三、本年度办理结果</td>' in h21   # 2021: （六） has three
    assert '<td rowspan="3" colspan="3">（本列数据的勾稽关系为' in h21


def test_cell_per_line_writes_one_cell_per_line_and_empty_cells_as_pipes():
    data = T.load("seeds/001_68b1fad5fb482fc8.txt")
    lines = R.render(data, "cell_per_line").decode("utf-8").splitlines()
    i = lines.index("（一）予以公开 |")
    # 予以公开 spans two label columns: one empty cell, then 18 and six blanks, then the row end
    assert lines[i + 1:i + 4] == ["|", "18 |", "|||||||"]
    assert all(ln.endswith("|") for ln in lines[i - 1:i + 4])


def test_variant_titles_change_only_template_sections():
    data = T.load("reports/013_shanghai_kewei_2024.txt")
    varied, changes = R.with_variant_titles(data, 0)
    assert changes and all(c["key"] for c in changes)
    assert [s.key for s in varied.sections] == [s.key for s in data.sections]
    assert [s.title for s in varied.sections if s.key is None] == [s.title for s in data.sections if s.key is None]
