"""The page's view model (no browser): one-line page text shown as paragraphs with findings at
their place, every blank cell marked, plain row names, the record in its two forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from validator.web.engine import check

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED1 = CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt"
ONE_LINE = sorted(p for p in (CORPUS / "reports").glob("*.txt")
                  if p.read_text(encoding="utf-8").strip().count("\n") == 0)


def _view(path: Path):
    out = check(path.read_bytes(), path.name)
    assert out["ok"], out
    return out


def test_the_corpus_has_one_line_page_text_reports():
    assert len(ONE_LINE) >= 8 and all("pingtan" in p.name for p in ONE_LINE)


@pytest.mark.parametrize("path", ONE_LINE, ids=lambda p: p.name)
def test_one_line_report_is_shown_as_paragraphs_with_findings_in_place(path):
    out = _view(path)
    view = out["view"]
    text_blocks = [b for b in view["blocks"] if b["type"] in ("line", "heading", "title")]
    tables = {t["id"]: t for t in view["tables"]}
    # paragraphs, not one block: the model's paragraphs and headings each have their own
    assert len(text_blocks) >= 8, [b["text"][:30] for b in text_blocks]
    headings = [b for b in text_blocks if b["type"] == "heading"]
    assert headings and all(len(b["text"].strip()) <= 40 for b in headings), [b["text"][:50] for b in headings]
    titles = [b for b in text_blocks if b["type"] == "title"]
    assert len(titles) <= 1 and all(len(b["text"].strip()) <= 60 for b in titles)
    assert max(len(b["text"]) for b in text_blocks) < 0.5 * sum(len(b["text"]) for b in text_blocks)
    # a table's "原文" holds the table's own text, not the paragraphs around it
    for b in view["blocks"]:
        if b["type"] == "table" and b["raw"]:
            a, z = tables[b["table"]]["span"]
            assert sum(len(r["text"]) for r in b["raw"]) <= (z - a) + len(b["raw"])
    # findings about the text sit in the text, findings about a table at the table
    raw_ids = {r["id"] for b in view["blocks"] if b["type"] == "table" for r in b["raw"]}
    top_ids = {b["id"] for b in text_blocks}
    for f in view["findings"]:
        if f["target"].startswith("ln"):
            if f["table"] is None:
                assert f["target"] in top_ids, (f["rule"], f["message"][:40])
            else:
                assert f["target"] in top_ids | raw_ids
    # no piece starts a line except the first: the gutter shows no wall of "1"s
    assert sum(1 for b in text_blocks if b["line_start"]) == 1


def test_multi_line_reports_keep_their_lines_in_order():
    view = _view(SEED1)["view"]
    text_blocks = [b for b in view["blocks"] if b["type"] in ("line", "heading", "title")]
    assert [(b["line"], b["column"]) for b in text_blocks] == sorted((b["line"], b["column"]) for b in text_blocks)
    # every line outside the tables starts a block (long lines may hold several paragraphs)
    starts = {b["line"] for b in text_blocks if b["line_start"]}
    lines = SEED1.read_text(encoding="utf-8").split("\n")
    first_table = min(t["line"] for t in view["tables"])
    assert {i for i, ln in enumerate(lines[:first_table - 1], 1) if ln.strip()} <= starts


def test_every_blank_cell_of_a_table_is_marked():
    out = _view(SEED1)
    view = out["view"]
    f502 = [f for f in view["findings"] if f["rule"] == "F502"]
    assert len(f502) == 1
    t3 = next(t for t in view["tables"] if t["key"] == "表三")
    blank = [c["id"] for g in t3["grids"] for r in g["rows"] for c in r["cells"] if c["kind"] == "blank"]
    assert len(blank) == 145 == len(out["document"]["findings"][[x["rule"] for x in out["document"]["findings"]].index("F502")]["cells"])
    marks = view["cell_marks"]
    assert all(any(m["finding"] == f502[0]["id"] and m["role"] == "anchor" for m in marks.get(cid, [])) for cid in blank)
    assert {r["id"] for r in f502[0]["related"]} == set(blank)


def test_rows_the_format_leaves_unlabelled_get_a_plain_name():
    """表四's one row: the format's short name for it (``name:``) when it has one, else a name
    from what its cells count — never an internal key."""
    from validator.templates import load_formats
    fmt = load_formats()["2021"]
    spec = fmt.table("表四")
    row = [r for r in spec.rows if not r.label][0]
    view = _view(CORPUS / "pdf" / "hongzequ_2023.pdf")["view"]
    t4 = next(t for t in view["tables"] if t["key"] == "表四")
    labels = [r["label"] for g in t4["grids"] for r in g["rows"]]
    assert labels == [row.name or "件数"]
    from validator.web.engine import _row_name
    nameless = type(row)(key="数据", label=None)          # a format that names the row nowhere
    import dataclasses
    assert _row_name(dataclasses.replace(spec, rows=[nameless]), nameless, "数据") == "件数"


def test_the_record_comes_in_two_forms_neither_with_style_attributes():
    out = _view(SEED1)
    page, download = out["print_page"], out["print_html"]
    for html in (page, download):
        assert not re.search(r"<[^>]+\sstyle=", html), "no style attribute (blocked by the page's CSP)"
        assert "A301" in html and "审核人" in html
    assert "<style>" in download and "<link" not in download                   # offline, self-contained
    assert "<style>" not in page and 'href="__XXGK_ORIGIN__/static/print.css"' in page
    head = page.split("</head>", 1)[0]
    assert "style-src __XXGK_ORIGIN__" in head
    css = (Path(__file__).resolve().parents[2] / "validator" / "web" / "static" / "print.css").read_text(encoding="utf-8")
    assert css in download and "print-color-adjust: exact" in css
