"""What a cold ``xxgk-lint check`` of one text report does *not* do (issue 15.4): it imports no
module that only other commands, formats or output formats need, compiles none of the
patterns kept for later (validator/lazyre.py) and only the rule patterns whose literals the
text holds (validator/saferegex.py), and makes its data classes without compiling a
``__repr__``/``__eq__`` per class (validator/records.py).  These tests look at which modules
are loaded and what was compiled — never at how long anything took."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from validator.lazyre import LazyPattern, later

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "tests" / "corpus" / "reports" / "003_pingtan_2021.txt"

# run a check in a fresh interpreter (one text file: checked in this process, no worker) and
# say what was loaded and compiled
_PROBE = r"""
import json, re, sys
from validator import lazyre, saferegex
compiled = []
_orig = saferegex._compile_engine
saferegex._compile_engine = lambda p, e: compiled.append(p) or _orig(p, e)
from validator.cli import main
import io, contextlib
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    code = main(["check", "-o", "concise", "--jobs", "1", sys.argv[1]])
lazy = {f"{m.__name__}.{k}": v for m in list(sys.modules.values()) if (getattr(m, "__name__", "") or "").startswith("validator")
        for k, v in list(vars(m).items()) if isinstance(v, lazyre.LazyPattern)}
print(json.dumps({"code": code, "modules": sorted(sys.modules), "rule_patterns": compiled,
                  "lazy": len(lazy), "lazy_compiled": sum(1 for v in lazy.values() if hasattr(v, "_compiled")),
                  "lazy_unused": sorted(k for k, v in lazy.items() if not hasattr(v, "_compiled")),
                  "findings": buf.getvalue().count("\n")}))
"""


def _probe_twice(script: str, path, cache) -> dict:
    """What `script` prints (JSON, last line) about `path` on its second run: the second
    starts from the start-up cache in `cache`, as a user's does."""
    env = dict(os.environ, XXGK_LINT_CACHE_DIR=str(cache))
    out = None
    for _ in range(2):
        r = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                           env=env, cwd=str(ROOT), timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        out = json.loads(r.stdout.strip().splitlines()[-1])
    return out


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return _probe_twice(_PROBE, REPORT, tmp_path_factory.mktemp("cache"))


# modules a check of a .txt report never needs: other commands, readers of other formats,
# other output formats, the comparison of reports, the web page, YAML (rules come from the
# start-up cache), worker processes (one text file is checked in this process)
NOT_LOADED = [
    "validator.audit.engine", "validator.audit.summary", "validator.web", "validator.cross.run",
    "validator.cross.similarity", "validator.readers.pdf", "validator.readers.docx", "validator.readers.html",
    "validator.reporters.sarif", "validator.extract", "validator.ruledoc", "validator.rules.docs",
    "yaml", "rich", "pdfplumber", "pypdfium2", "docx", "opencc", "charset_normalizer", "re2",
    "multiprocessing", "ctypes",
]


@pytest.mark.parametrize("module", NOT_LOADED)
def test_a_plain_check_does_not_import(probe, module):
    assert probe["code"] in (0, 1) and probe["findings"] >= 1
    assert module not in probe["modules"]


# module-level patterns are compiled on first use (validator/lazyre.py); these belong to other
# inputs, commands or configuration files and must stay uncompiled in a check of a .txt report
OTHER_PATHS = ["validator.config._TOML_HEADER", "validator.config._TOML_KEY_LINE", "validator.rules.ID_RE",
               "validator.rules.NAME_RE", "validator.rules.schema._SPEC_OK", "validator.sniff._HTML_TAG",
               "validator.sniff._MD_TABLE_SEP", "validator.expr._TERM"]


def test_a_plain_check_compiles_only_the_module_patterns_it_uses(probe):
    assert probe["lazy"] >= 60           # (every module-level pattern of the pipeline is kept for later)
    assert [k for k in OTHER_PATHS if k not in probe["lazy_unused"]] == []
    assert probe["lazy_compiled"] <= probe["lazy"] // 2


def test_a_plain_check_compiles_only_the_rule_patterns_whose_literals_are_in_the_text(probe):
    from validator.normalize import fold_width
    from validator.saferegex import required_literals
    raw = REPORT.read_text(encoding="utf-8")
    text = raw + fold_width(raw)          # the rules see the text with its width folded
    assert 0 < len(probe["rule_patterns"]) < 45
    for p in probe["rule_patterns"]:    # a pattern compiled only where its literals occur
        assert all(any(a in text for a in alts) for alts in required_literals(p)), p


def test_the_pipeline_modules_make_no_dataclass_methods_from_source(probe):
    # the data classes of these modules are records (validator/records.py)
    import dataclasses
    import importlib
    for name in ("validator.model", "validator.rules.schema", "validator.document", "validator.lint",
                 "validator.rules", "validator.config", "validator.prose", "validator.runner",
                 "validator.parse.grammar", "validator.parse.pieces", "validator.parse.lexer"):
        mod = importlib.import_module(name)
        classes = [c for c in vars(mod).values()
                   if isinstance(c, type) and c.__module__ == name and dataclasses.is_dataclass(c)
                   and not c.__dataclass_params__.frozen]
        assert classes, name
        for c in classes:
            assert c.__repr__.__module__ == "validator.records", c


def test_a_lazy_pattern_compiles_on_first_use_and_then_is_the_pattern():
    p = later(r"第(\d+)页")
    assert not hasattr(p, "_compiled")
    assert p.sub(r"page \1", "第3页") == "page 3"
    assert hasattr(p, "_compiled") and p.search("第12页").group(1) == "12"
    assert p.pattern == r"第(\d+)页" and p.groups == 1
    assert p.search.__self__ is p.compiled()           # the compiled pattern's own method
    assert isinstance(p, LazyPattern) and "第" in repr(p)


# what a process that only reads a file needs (a PDF read in a process of its own while the
# command loads the rules, validator/runner.py read_ahead): the readers, not the pipeline
_READ_PROBE = r"""
import json, sys
from validator import cli, runner, readers     # what the command has loaded when it forks the reading
before = set(sys.modules)
from validator.fileread import read_file
doc = read_file(sys.argv[1], None, None, None)
print(json.dumps({"blocks": len(doc.blocks), "new": sorted(set(sys.modules) - before)}))
"""


def test_reading_one_pdf_loads_neither_the_expression_parser_nor_the_rule_engines(tmp_path):
    pdf = ROOT / "tests" / "corpus" / "pdf" / "hongzequ_2024.pdf"
    out = _probe_twice(_READ_PROBE, pdf, tmp_path / "cache")
    assert out["blocks"] > 10
    loaded = set(out["new"])
    for name in ("lark", "regex", "yaml", "validator.expr", "validator.parse", "validator.rules", "validator.lint"):
        assert name not in loaded, f"reading a PDF loaded {name}"
