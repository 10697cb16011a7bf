#!/usr/bin/env python3
"""Write the README's rule reference from the rule YAML (validator.ruledoc.markdown_reference)
and its kind reference from the kinds' schemas (validator.rules.docs.markdown_kinds).

    python scripts/gen_rule_docs.py          # rewrite README.md between the markers
    python scripts/gen_rule_docs.py --check  # exit 1 if README.md is out of date (used by the tests)

The rule table goes between ``<!-- rules:start -->`` and ``<!-- rules:end -->``, the kinds
between ``<!-- kinds:start -->`` and ``<!-- kinds:end -->`` (when the README has them);
everything else in README.md is left as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
KSTART, KEND = "<!-- kinds:start -->", "<!-- kinds:end -->"


def _between(readme: str, start: str, end: str, body: str, required: bool) -> str:
    if start not in readme or end not in readme or readme.index(start) > readme.index(end):
        if required:
            raise SystemExit(f"README.md: 缺少标记 {start} … {end}")
        return readme
    head, rest = readme.split(start, 1)
    _old, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render(readme: str) -> str:
    from validator.rules import load_rules
    from validator.rules.docs import markdown_kinds
    from validator.ruledoc import markdown_reference

    rules = load_rules()
    out = _between(readme, START, END, "<!-- 由 scripts/gen_rule_docs.py 从 rules/*.yaml 生成，请勿手改 -->\n\n"
                   + markdown_reference(rules), True)
    return _between(out, KSTART, KEND, "<!-- 由 scripts/gen_rule_docs.py 从规则类型的参数声明生成，请勿手改 -->\n\n"
                    + markdown_kinds(rules), False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check that README.md is up to date")
    ap.add_argument("--readme", default=str(ROOT / "README.md"))
    args = ap.parse_args(argv)
    path = Path(args.readme)
    old = path.read_text(encoding="utf-8")
    new = render(old)
    if args.check:
        if new != old:
            print(f"{path}: 规则表已过期，请运行 python scripts/gen_rule_docs.py", file=sys.stderr)
            return 1
        return 0
    if new != old:
        path.write_text(new, encoding="utf-8")
        print(f"{path}: 规则表已更新")
    return 0


if __name__ == "__main__":
    sys.exit(main())
