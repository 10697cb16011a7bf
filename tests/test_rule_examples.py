"""Every rule's own examples (in its YAML entry) run through the whole pipeline, the way
sqlfluff keeps per-rule test cases: `expect: fail` must produce a finding of that rule,
`expect: pass` must produce none.  A meta-test checks that every rule documents itself."""

from __future__ import annotations

import pytest

from validator.lint import Options, lint_source
from validator.rules import load_rules
from validator.source import SourceText

RULES = load_rules()
CASES = [(r, i, ex) for r in RULES.rules for i, ex in enumerate(r.examples, 1)]


def _run(rule, ex):
    src = SourceText.from_original(ex["text"], path=f"<{rule.id} example>")
    opts = Options(template=ex.get("template"), issuer_kind=ex.get("issuer_kind"))
    res = lint_source(src, opts, RULES)
    findings = list(res.findings)
    # rules that compare two reports: last year's report (`previous:`), another issuer's
    # report of the same year (`peer:`) or another copy of the report (`copy:`) is checked
    # first, then the pair
    for key, relation in (("previous", "previous"), ("peer", "peer"), ("copy", "copy")):
        if key in ex:
            from validator.cross.run import check_pair
            other = lint_source(SourceText.from_original(ex[key], path=f"<{rule.id} {key}>"), opts, RULES)
            found, _ctx = check_pair(res.report, other.report, RULES, opts, relation=relation)
            findings += found
    return findings


@pytest.mark.parametrize("rule,i,ex", CASES, ids=[f"{r.id}-{r.name}-{i}-{ex['expect']}" for r, i, ex in CASES])
def test_rule_example(rule, i, ex):
    found = [f for f in _run(rule, ex) if f.rule == rule.id]
    if ex["expect"] == "fail":
        assert found, f"{rule.id} example {i} should produce a {rule.id} finding"
        # every failing example pins how many findings it gives and on which line(s), as
        # sqlfluff's and yamllint's rule tests do
        assert "count" in ex and "line" in ex, f"{rule.id} example {i}: give count: and line:"
        assert len(found) == ex["count"], [(f.line, f.message) for f in found]
        lines = ex["line"] if isinstance(ex["line"], list) else [ex["line"]]
        assert sorted({f.line for f in found}) == sorted(lines), [(f.line, f.message) for f in found]
    else:
        assert not found, f"{rule.id} example {i} should pass, got: {[f.message for f in found]}"


@pytest.mark.parametrize("rule", RULES.rules, ids=[r.id for r in RULES.rules])
def test_rule_is_documented(rule):
    assert rule.explanation, f"{rule.id} has no explanation"
    assert rule.message_en, f"{rule.id} has no English message"
    # the parser's safety net (a token the structure has no place for) cannot be written as a
    # report text; it is tested in tests/core/test_grammar.py
    safety_net = "unexpected" in (rule.params.get("diagnostic") or ())
    if not safety_net and not rule.file.endswith(("limits.yaml", "readers.yaml")):
        expects = {ex["expect"] for ex in rule.examples}
        assert "fail" in expects, f"{rule.id} has no failing example"
