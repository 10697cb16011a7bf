"""Rule kinds read only the model (issue 12): sections, tables, cells, the typed metadata the
parser read once (dates, period, issuer kind) and the prose view — never the text of the
file, never a date parsed again, regular expressions only through validator/saferegex.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import corpus_file
from validator.lint import lint_path

KINDS_DIR = Path(__file__).resolve().parents[2] / "validator" / "rules" / "kinds"
MODULES = sorted(KINDS_DIR.glob("*.py"))


def test_the_rule_context_does_not_reach_the_text():
    from validator.rules.kinds import Ctx
    report = lint_path(str(corpus_file("seeds/001_68b1fad5fb482fc8.txt"))).report
    ctx = Ctx(report)
    for name in ("text", "source", "document"):
        with pytest.raises(AttributeError, match="rules read the model"):
            getattr(ctx.report, name)
    assert not hasattr(ctx, "src") and not hasattr(ctx, "text") and not hasattr(ctx, "source")
    # the model itself is there
    assert ctx.report.tables["表三"].cell("本年新收", "自然人").value == 38
    assert ctx.report.metadata.signed.date == (2020, 1, 22)
    assert ctx.report.prose.sections and ctx.report.prose.attachments == []
    with pytest.raises(AttributeError):
        ctx.report.kind = "x"


def test_pair_context_hides_both_texts():
    from validator.rules.kinds.cross import PairCtx
    a = lint_path(str(corpus_file("reports/009_hongzequ_2023.txt"))).report
    b = lint_path(str(corpus_file("reports/010_hongzequ_2024.txt"))).report
    ctx = PairCtx(b, a)
    for view in (ctx.report, ctx.other):
        with pytest.raises(AttributeError):
            view.text  # noqa: B018
    assert ctx.other_path.endswith("009_hongzequ_2023.txt")


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_kind_modules_import_no_regex_engine_and_no_date_library(path):
    for node in ast.walk(_parse(path)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        for n in names:
            assert n.split(".")[0] not in ("re", "regex", "re2", "datetime", "dateutil", "time"), (path.name, n)


def _privileged(tree: ast.Module) -> set[int]:
    """Line numbers inside the context classes (Ctx, PairCtx): the core that emits findings
    and therefore holds the source map."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in ("Ctx", "PairCtx", "ModelView"):
            lines |= set(range(node.lineno, node.end_lineno + 1))
        if isinstance(node, ast.FunctionDef) and node.name == "_norm_offset":
            lines |= set(range(node.lineno, node.end_lineno + 1))
    return lines


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_kinds_never_touch_the_source_text_or_the_reader_document(path):
    tree = _parse(path)
    allowed = _privileged(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.lineno in allowed:
            continue
        assert node.attr not in ("source", "document", "src", "_r") and not node.attr.startswith("_Ctx") \
            and not node.attr.startswith("_PairCtx"), (path.name, node.lineno, node.attr)
        if node.attr == "text":
            v = node.value
            owner = v.attr if isinstance(v, ast.Attribute) else (v.id if isinstance(v, ast.Name) else "")
            assert owner not in ("report", "r", "other", "rep", "source", "src", "ctx"), (path.name, node.lineno)


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_kinds_parse_no_dates(path):
    """No pattern for dates in a kind: the parser reads them once (validator/parse/metadata.py)."""
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            s = node.value
            assert not ("\\d" in s and any(c in s for c in "年月日")), (path.name, node.lineno, s[:60])


def test_every_rule_runs_on_the_corpus_through_the_model_view():
    """Every rule of every kind runs on real reports of each rendering without reaching for the
    text (the view raises AttributeError if a kind tries)."""
    for rel in ("seeds/000_5770fa4841bf4d81.txt", "seeds/003_aeba626d8392bbb0.txt", "reports/009_hongzequ_2023.txt",
                "html/pingtan_2019.html", "pdf/huaian_2024.pdf", "docx/template_2021_blank.docx"):
        res = lint_path(str(corpus_file(rel)))
        assert res.findings, rel
