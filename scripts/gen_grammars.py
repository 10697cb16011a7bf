"""Write grammar/report-<format>.lark: the report grammars generated from rules/formats/*.yaml.

The linter generates them itself when it runs (rules/formats/ is the one source); these
copies are for reading and reviewing, and a test checks they are current.

    python scripts/gen_grammars.py          # rewrite grammar/report-*.lark
    python scripts/gen_grammars.py --check  # exit 1 if a copy is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from validator.parse import report_grammar  # noqa: E402
from validator.templates import load_formats  # noqa: E402


def grammars() -> dict[Path, str]:
    out = {}
    for fid, fmt in sorted(load_formats().items()):
        out[ROOT / "grammar" / f"report-{fid}.lark"] = report_grammar(fmt).text
    out[ROOT / "grammar" / "report-legacy.lark"] = report_grammar(None).text
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check that the copies are current")
    args = ap.parse_args(argv)
    stale = []
    for path, text in grammars().items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("out of date: " + ", ".join(p.name for p in stale) + " (python scripts/gen_grammars.py)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
