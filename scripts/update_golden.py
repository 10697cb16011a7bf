"""Regenerate tests/golden/*.json: the findings of the core table and structure rules on
every text report of the corpus.  Any change in these findings then shows up as a reviewed
diff (run this script, read `git diff tests/golden`, commit)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from validator.lint import Options, lint_path  # noqa: E402
from validator.rules import load_rules  # noqa: E402

CORE_FILES = ("structure.yaml", "tables.yaml")


def core_rule_ids() -> list[str]:
    return [r.id for r in load_rules().rules if Path(r.file).name in CORE_FILES]


def snapshot(path: Path) -> list[dict]:
    """What a user sees: findings that belong together (blank cells of a table) folded into one."""
    from validator.reporters.fold import fold
    res = lint_path(str(path), Options(select=tuple(core_rule_ids())))
    return [{"rule": f.rule, "line": f.line, "column": f.col, "message": f.message} for f in fold(res.findings)]


def corpus_files() -> list[Path]:
    c = ROOT / "tests" / "corpus"
    return sorted([*c.glob("seeds/*.txt"), *c.glob("reports/*.txt")])


def main() -> None:
    out = ROOT / "tests" / "golden"
    out.mkdir(exist_ok=True)
    for p in corpus_files():
        (out / f"{p.parent.name}__{p.stem}.json").write_text(
            json.dumps(snapshot(p), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(corpus_files())} golden files to {out}")


if __name__ == "__main__":
    main()
