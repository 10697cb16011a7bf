#!/usr/bin/env python3
"""Benchmarks of the checks across reports (issue 14) — not part of the test suite.

    .venv/bin/python benchmarks/cross_bench.py [--quick] [--json out.json]

Prints, on the machine it runs on (medians; wall time):

* pair:        all pair rules (carry-over, copied text, stale year, 同比) for one pair of
               real reports already parsed — 洪泽 2023→2024 (9 KB each), 平潭 2018→2019
               (≈ 17 KB, a pre-2019 and a 2019 report), and a ≈ 20 KB pair built from 洪泽's
               (overview and problems sections written out four times);
* similarity:  the alignment alone for the largest section pair, and the 8-gram screen
               that decides whether two other issuers' sections are aligned at all;
* batch:       `xxgk-lint check` of the corpus's text reports with the cross step and with
               `--no-cross`, side by side (the ratio is what the cross step costs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT))


def median_ms(fn, n: int) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def fresh(report):
    """The report without the caches the pair rules build (so each run measures them)."""
    for k in [k for k in report.__dict__ if k.startswith("_similarity")]:
        del report.__dict__[k]
    return report


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    n = 5 if a.quick else 20
    from validator.cross.run import check_pair
    from validator.cross.similarity import compare, containment, units
    from validator.lint import Options, lint_path, lint_source
    from validator.rules import load_rules
    from validator.source import SourceText
    rules, opts = load_rules(), Options()
    res = {}

    def model(rel):
        return lint_path(str(CORPUS / rel), opts, rules).report

    pairs = {
        "hongze 2023→2024 (9 KB)": (model("reports/010_hongzequ_2024.txt"), model("reports/009_hongzequ_2023.txt")),
        "pingtan 2018→2019 (17 KB)": (model("reports/001_pingtan_2019.txt"), model("reports/008_pingtan_2018.txt")),
    }
    doubled = []
    for rel in ("reports/010_hongzequ_2024.txt", "reports/009_hongzequ_2023.txt"):
        # the overview and the problems sections written out three times: ≈ 20 KB, every
        # section aligned with its counterpart
        text = (CORPUS / rel).read_text(encoding="utf-8")
        head, rest = text.split("二、主动公开", 1)
        body5, tail = rest.split("六、其他需要报告", 1) if "六、其他需要报告" in rest else (rest, "")
        text = head + head.split("一、总体情况", 1)[-1] * 3 + "二、主动公开" + body5 + \
            body5.split("五、存在", 1)[-1] * 3 + "六、其他需要报告" + tail
        doubled.append(lint_source(SourceText.from_original(text, path=rel + "#20k"), opts, rules).report)
    pairs["synthetic (%d KB)" % (len(doubled[0].text.encode()) // 1024)] = (doubled[0], doubled[1])
    for name, (this, prev) in pairs.items():
        ms = median_ms(lambda: check_pair(fresh(this), fresh(prev), rules, opts), n)
        res[f"pair {name} ms"] = round(ms, 1)
    this, prev = pairs["pingtan 2018→2019 (17 KB)"]
    us, vs = units(this), units(prev)
    u = max(us, key=lambda x: x.countable)
    v = next((x for x in vs if x.key == u.key), max(vs, key=lambda x: x.countable))
    res["similarity: largest section (chars)"] = f"{u.countable} vs {v.countable}"
    res["similarity: alignment ms"] = round(median_ms(lambda: compare(u, v), n), 2)
    res["similarity: 8-gram screen ms"] = round(median_ms(lambda: (u.__setattr__("_shingles", None),
                                                                   v.__setattr__("_shingles", None),
                                                                   containment(u, v)), n), 2)
    texts = sorted(str(p) for p in (CORPUS / "reports").glob("*.txt"))
    for label, extra in (("with cross step", []), ("--no-cross", ["--no-cross"])):
        def run(extra=extra):
            subprocess.run([sys.executable, "-m", "validator", "check", "-o", "concise", "--exit-zero", "-j", "1",
                            *extra, *texts], capture_output=True, check=True)
        res[f"batch of {len(texts)} text reports, {label}, ms"] = round(median_ms(run, 3 if a.quick else 5), 0)
    w = res[f"batch of {len(texts)} text reports, with cross step, ms"]
    wo = res[f"batch of {len(texts)} text reports, --no-cross, ms"]
    res["batch ratio (cross / no-cross)"] = round(w / wo, 2)
    width = max(len(k) for k in res)
    for k, v in res.items():
        print(f"{k:<{width}}  {v}")
    if a.json:
        Path(a.json).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
