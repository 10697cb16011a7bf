"""`xxgk-lint extract`: every template cell the parser read, as JSON, JSON lines or CSV."""

from __future__ import annotations

import csv
import io
import json

from validator.cli import main
from validator.extract import FIELDS, template_cells
from validator.lint import lint_path

from tests.conftest import corpus_file


def _run(capsys, *argv):
    code = main(["extract", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _key(r):
    return (r["table"], r["row"], r["column"])


def test_extract_json_gives_one_record_per_template_cell_with_keys_value_and_location(capsys):
    pdf = corpus_file("pdf/huaian_2024.pdf")
    code, out, _err = _run(capsys, str(pdf))
    assert code == 0
    recs = json.loads(out)
    assert recs and all(list(r) == ["path", *FIELDS] for r in recs)
    assert {r["path"] for r in recs} == {str(pdf)}
    # the same records as the one record of the cells read
    assert [{k: r[k] for k in FIELDS} for r in recs] == template_cells(lint_path(str(pdf)).report)
    cells = {_key(r): r for r in recs}
    # a 表三 cell of the published PDF: its number, raw text and place on the page
    c = cells[("表三", "法律法规禁止", "商业企业")]
    assert (c["kind"], c["value"], c["raw"]) == ("number", 1, "1")
    assert c["page"] == 4 and "表格2" in c["where"]
    assert {r["table"] for r in recs} == {"表二", "表三", "表四"}


def test_extract_reads_the_same_cells_from_each_pdf_and_its_pdftotext_copy(capsys):
    for pdf, txt in (("pdf/huaian_2024.pdf", "reports/011_huaian_2024.txt"),
                     ("pdf/hongzequ_2023.pdf", "reports/009_hongzequ_2023.txt"),
                     ("pdf/hongzequ_2024.pdf", "reports/010_hongzequ_2024.txt")):
        _c, a, _ = _run(capsys, str(corpus_file(pdf)))
        _c, b, _ = _run(capsys, str(corpus_file(txt)))
        va = [(_key(r), r["kind"], r["value"]) for r in json.loads(a)]
        vb = [(_key(r), r["kind"], r["value"]) for r in json.loads(b)]
        assert va == vb and len(va) > 200, pdf
        assert any(k == "number" for _k, k, _v in va)


def test_extract_csv_has_the_same_records_with_a_path_per_record_for_several_files(capsys):
    a = corpus_file("reports/001_pingtan_2019.txt")
    b = corpus_file("html/pingtan_2019.html")
    _c, js, _ = _run(capsys, str(a), str(b))
    code, out, _ = _run(capsys, "-o", "csv", str(a), str(b))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    recs = json.loads(js)
    assert len(rows) == len(recs) > 400
    assert {r["path"] for r in rows} == {str(a), str(b)}
    assert rows[0].keys() == {"path", *FIELDS}
    for r, j in zip(rows, recs):
        assert (r["path"], r["table"], r["row"], r["column"], r["kind"], r["raw"]) == \
               (j["path"], j["table"], j["row"], j["column"], j["kind"], j["raw"])
    _c, jl, _ = _run(capsys, "-o", "jsonl", str(a), str(b))
    assert [json.loads(x) for x in jl.splitlines()] == recs


def test_extract_of_the_blank_template_gives_blank_cells(capsys):
    code, out, _ = _run(capsys, str(corpus_file("docx/template_2021_blank.docx")))
    recs = json.loads(out)
    assert code == 0 and recs
    kinds = {r["kind"] for r in recs}
    assert "blank" in kinds and not kinds & {"number", "zero"}
    assert all(r["where"] for r in recs if r["kind"] == "blank")   # table/row/cell in the DOCX


def test_extract_of_a_pre_2019_report_gives_no_cells_and_says_why(capsys):
    code, out, err = _run(capsys, str(corpus_file("reports/008_pingtan_2018.txt")))
    assert code == 0 and json.loads(out) == []
    assert "2019/2021" in err and "2018" in err and "Traceback" not in err


def test_extract_of_a_missing_file_is_a_one_line_error(capsys):
    code, _out, err = _run(capsys, "no/such/report.txt")
    assert code == 2
    assert err.strip().count("\n") == 0 and "无法读取" in err
