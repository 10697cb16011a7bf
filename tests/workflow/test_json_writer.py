"""The JSON and SARIF outputs are written through orjson (reporters.common.write_json): the
text is what ``json.dump(doc, out, ensure_ascii=False, indent=2)`` wrote, on the documents of
real reports and on generated documents; what orjson does not take goes through the standard
library; the collector is paused while a document is built and on again after."""

from __future__ import annotations

import gc
import io
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.lint import Options
from validator.reporters import get
from validator.reporters.common import collector_paused, write_json
from validator.reporters.extra import sarif_document
from validator.reporters.json_out import document
from validator.runner import check_one

from .conftest import CORPUS, SEED


def _stdlib(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _written(doc) -> str:
    out = io.StringIO()
    write_json(doc, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def results():
    paths = [SEED] + sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "html").glob("*.htm*"))
    assert len(paths) > 5
    return [check_one((str(p), Options(), False, False)) for p in paths]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_json_and_sarif_documents_of_real_reports_are_written_as_the_standard_library_wrote_them(results, lang):
    for doc in (document(results, lang), sarif_document(results, lang)):
        text = _written(doc)
        assert text == _stdlib(doc)
        assert len(text) > 20_000


def test_the_json_output_is_the_standard_librarys_text(results):
    out = io.StringIO()
    get("json")(results, out, lang="zh")
    assert out.getvalue() == _stdlib(document(results, "zh"))
    assert json.loads(out.getvalue())["summary"]["findings"] > 50


_safe_float = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or 1e-4 <= abs(x) < 1e16)
_leaf = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | _safe_float | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
_tree = st.recursive(_leaf, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
    st.text(max_size=6) | st.integers(-5, 5), kids, max_size=4), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_tree)
def test_generated_documents_are_written_as_the_standard_library_wrote_them(doc):
    if isinstance(doc, dict) and len({str(k) for k in doc}) != len(doc):
        return      # 1 and "1" both keys: the standard library writes both, orjson too, same text
    assert _written(doc) == _stdlib(doc)


@pytest.mark.parametrize("value", [1e16, 1.5e-5, -2.5e22, 5e-324])
def test_a_float_outside_the_plain_range_is_the_same_value(value):
    """orjson writes 1e16 where the standard library writes 1e+16: the same number to any reader."""
    doc = {"numbers": {"diff": value}}
    assert json.loads(_written(doc)) == doc


@pytest.mark.parametrize("doc", [{"text": "a\ud800b"}, {"n": 2 ** 70}, [Decimal("1.5")]])
def test_what_orjson_does_not_take_goes_through_the_standard_library(doc):
    try:
        expected = _stdlib(doc)
    except TypeError:            # (a Decimal: the standard library refused it before too)
        with pytest.raises(TypeError):
            _written(doc)
        return
    assert _written(doc) == expected


def test_the_collector_is_paused_while_a_document_is_written_and_restored_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()        # a caller's setting is left as it was
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0
    assert gc.isenabled()
