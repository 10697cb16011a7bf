"""Which issuers are departments (report due 1月31日) and which are people's governments
(3月31日) is data: ``issuers`` in rules/formats/common.yaml, checked against its schema when
it loads (file:line, in Chinese and with --lang en in English), and read by
parse/metadata.issuer_kind_of — no word list in the code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from validator.i18n import en
from validator.parse.metadata import issuer_kind_of
from validator.resources import rules_dir
from validator.templates import issuer_words, load_formats
from validator.yamlload import YamlError

CORPUS = Path(__file__).parents[1] / "corpus"


def test_common_yaml_is_shared_data_not_a_format():
    assert sorted(load_formats()) == ["2019", "2021"]
    w = issuer_words()
    assert "人民政府" in w.government and "局" in w.department and "管委会" in w.undecided


@pytest.mark.parametrize("name, kind", [
    ("淮安市洪泽区人民政府", "government"), ("上海市", "government"), ("北京市财政局", "department"),
    ("某市人民政府办公室", "department"),        # ends with 办公室: a department of the government
    ("苏州工业园区管理委员会", None),              # a zone's committee: not judged
    ("某某开发区人民政府", "government"),          # a zone's people's government is one
    ("XX", None), ("", None),
])
def test_issuer_kind_from_the_end_of_the_name(name, kind):
    assert issuer_kind_of(name) == kind


def test_issuer_kind_of_the_corpus_reports():
    from validator.lint import Options, lint_path
    res = lint_path(CORPUS / "pdf" / "hongzequ_2024.pdf", Options())
    assert res.report.metadata.issuer_kind == "government"


def _formats_copy(tmp_path: Path, common: str) -> Path:
    d = tmp_path / "formats"
    shutil.copytree(rules_dir() / "formats", d)
    (d / "common.yaml").write_text(common, encoding="utf-8")
    return d


def test_a_province_adds_its_own_unit_names(tmp_path):
    text = (rules_dir() / "formats" / "common.yaml").read_text(encoding="utf-8")
    d = _formats_copy(tmp_path, text.replace("ends_with: [局,", "ends_with: [管理处, 局,"))
    assert "管理处" in issuer_words(str(d)).department
    assert "管理处" not in issuer_words().department


@pytest.mark.parametrize("common, line, zh, english", [
    ("issuers:\n  department: {ends_with: 局}\n  government: {ends_with: [市]}\n  undecided: {contains: [园区]}\n",
     2, "issuers.department.ends_with 应为非空的词语列表", "issuers.department.ends_with should be a non-empty list"),
    ("issuers:\n  department: {ends_with: [局]}\n  government: {ends_with: [市]}\n  undecided: {contains: [园区]}\n"
     "  township: {ends_with: [乡]}\n", 5, "issuers 中不认识“township”", 'issuers has an unknown "township"'),
    ("issuers:\n  department: {ends_with: [局], starts_with: [某]}\n  government: {ends_with: [市]}\n"
     "  undecided: {contains: [园区]}\n", 2, "issuers.department 中不认识“starts_with”", 'unknown "starts_with"'),
    ("issuers:\n  department: {ends_with: [局]}\n  undecided: {contains: [园区]}\n", 1, "issuers 缺少 government",
     "issuers lacks government"),
    ("issuers:\n  department: {ends_with: [局, 人民 政府]}\n  government: {ends_with: [市]}\n  undecided: {contains: [园区]}\n",
     2, "中的“人民 政府”不是一个词语", 'has "人民 政府", which is not a word'),
])
def test_the_issuers_block_is_checked_when_it_loads(tmp_path, common, line, zh, english):
    d = _formats_copy(tmp_path, common)
    with pytest.raises(YamlError) as err:
        issuer_words(str(d))
    assert f"common.yaml:{line}: " in str(err.value) and zh in str(err.value), str(err.value)
    assert english in en(err.value), en(err.value)


def test_the_signature_endings_are_data_too(tmp_path):
    from validator.parse import parse  # noqa: F401 - the lexer reads signature_words()
    from validator.templates import signature_words
    assert "人民政府" in signature_words() and "街道办事处" in signature_words()
    text = (rules_dir() / "formats" / "common.yaml").read_text(encoding="utf-8")
    cut = text[:text.index("\nsignature:")]
    d = _formats_copy(tmp_path, cut + "\nsignature:\n  ends_with: 局\n")
    with pytest.raises(YamlError) as err:
        signature_words(str(d))
    assert "signature.ends_with 应为非空的词语列表" in str(err.value)
    d2 = _formats_copy(tmp_path / "b", cut)
    with pytest.raises(YamlError) as err:
        signature_words(str(d2))
    assert "needs signature:" in en(err.value)


def test_a_signature_is_read_from_the_last_lines():
    from validator.lint import Options, lint_bytes
    body = ("某某县人民政府2023年政府信息公开工作年度报告\n一、总体情况\n本年度……。\n"
            "某某县人民政府\n2024年1月20日\n")
    res = lint_bytes(body.encode("utf-8"), "r.txt", Options())
    assert res.report.metadata.issuer == "某某县人民政府"
