"""The README's rule reference is generated from the rule YAML and up to date; the pre-commit
hook manifest is valid and filters report files; the workflow docs exist."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from .conftest import ROOT


def test_readme_rule_reference_is_up_to_date():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rule_docs.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + "\n（运行 python scripts/gen_rule_docs.py 更新 README.md）"


def test_readme_rule_reference_lists_every_rule():
    from validator.rules import load_rules
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- rules:start -->", 1)[1].split("<!-- rules:end -->", 1)[0]
    ids = re.findall(r"^\| ([A-Z]{1,3}\d{3}) \|", block, re.M)
    assert ids == [r.id for r in load_rules().rules]


def test_gen_rule_docs_rewrites_only_between_markers(tmp_path):
    p = tmp_path / "README.md"
    p.write_text("前言\n<!-- rules:start -->\n旧表\n<!-- rules:end -->\n后记\n", encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rule_docs.py"), "--readme", str(p)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = p.read_text(encoding="utf-8")
    assert text.startswith("前言\n<!-- rules:start -->") and text.endswith("<!-- rules:end -->\n后记\n")
    assert "旧表" not in text and "| A301 | `table3-balance` |" in text


def test_precommit_manifest_is_valid_and_selects_report_files():
    r = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                        str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = [h for h in hooks if h["id"] == "xxgk-lint"][0]
    assert hook["language"] == "python" and hook["entry"].startswith("xxgk-lint check")
    from identify.identify import tags_from_filename
    files = re.compile(hook["files"])
    for name in ("a.txt", "b.html", "c.htm", "d.md", "e.pdf", "f.docx", "G.PDF"):
        assert files.search(name) and (tags_from_filename(name) & set(hook["types_or"]) or name.endswith("docx")), name
    for name in ("setup.py", "data.csv", "img.png", "a.txt.bak"):
        assert not files.search(name), name


def test_rule_command_explains_x100(cli):
    r = cli("rule", "X100")
    assert r.code == 0 and "unused-suppression" in r.out and "示例1（应报告）" in r.out


def test_workflow_docs_have_the_sarif_upload_snippet():
    doc = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "github/codeql-action/upload-sarif" in doc and "--output-format sarif" in doc
    assert "security-events: write" in doc


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands_and_shows_their_real_output():
    doc = _readme()
    head = doc[:doc.index("## 编辑人员")]
    assert "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/xxgk-lint check" in head
    assert "bash scripts/test.sh" in head and ".venv\\Scripts\\xxgk-lint check" in head    # Windows too
    shown = head.split("第一条命令的输出", 1)[1].split("```\n", 2)[1].strip().splitlines()
    seed = "tests/corpus/seeds/001_68b1fad5fb482fc8.txt"
    real = subprocess.run([sys.executable, "-m", "validator", "check", "-o", "concise", seed], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip().splitlines()
    assert shown == real


def test_readme_json_example_has_the_real_summary_keys():
    import json
    doc = _readme()
    block = doc.split("### JSON 输出结构", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    shown = re.search(r'"summary": (\{.*?\})\n\}', block, re.S).group(1)
    real = json.loads(subprocess.run([sys.executable, "-m", "validator", "check", "-o", "json",
                                      "tests/corpus/seeds/001_68b1fad5fb482fc8.txt"], cwd=ROOT,
                                     capture_output=True, text=True).stdout)["summary"]
    assert json.loads(shown) == real


def test_readme_for_editors_comes_first_with_the_committed_screenshot():
    doc = _readme()
    assert doc.index("## 编辑人员") < doc.index("## 命令行") < doc.index("## 在 CI 中使用") < doc.index("## pre-commit")
    img = re.search(r"!\[[^\]]*\]\((docs/images/[^)]+\.png)\)", doc)
    assert img and (ROOT / img.group(1)).is_file() and doc.index(img.group(0)) < doc.index("## 命令行")
    for snippet in ("GitLab", "junit: xxgk-lint.xml", "case $status in", "files: '(^|/)ndbg/|年度报告'",
                    "--write-baseline", "--show-all", "--allow-empty", 'not slow and not browser'):
        assert snippet in doc, snippet
