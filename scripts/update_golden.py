"""Regenerate tests/golden/*.json: the findings of every rule (every family: structure,
tables, content, metadata, legacy, readers, limits, workflow) on every file of the corpus
in every rendering it has — text, Markdown, HTML, PDF, DOCX — plus the test renderer's
Markdown, HTML and DOCX renderings of two reports, and the findings of the rules that
compare two reports on the corpus's pairs of consecutive years.  Any change in these
findings then shows up as a reviewed diff:

    python scripts/update_golden.py          # rewrite tests/golden
    git diff tests/golden                    # read every change, then commit

Each finding is recorded with its rule, line, column, page (PDF/DOCX) and message.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from validator.lint import Options, lint_path  # noqa: E402
from validator.rules import load_rules  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
GOLDEN = ROOT / "tests" / "golden"
EXTENSIONS = (".txt", ".md", ".html", ".pdf", ".docx")
#: reports written out by the test renderer (tests/renderings/render.py) for the golden files
RENDERED = ("seeds/001_68b1fad5fb482fc8.txt", "reports/011_huaian_2024.txt")
RENDERINGS = ("md_repeated", "html_spans", "docx_merged")
#: pairs of consecutive years of one issuer in the corpus (last year's, this year's)
PAIRS = (("reports/009_hongzequ_2023.txt", "reports/010_hongzequ_2024.txt"),
         ("pdf/hongzequ_2023.pdf", "pdf/hongzequ_2024.pdf"),
         ("reports/003_pingtan_2021.txt", "reports/004_pingtan_2022.txt"),
         ("reports/006_pingtan_2024.txt", "reports/007_pingtan_2025.txt"))


def record(f) -> dict:
    rec = {"rule": f.rule, "line": f.line, "column": f.col}
    if f.location.page:
        rec["page"] = f.location.page
    rec["message"] = f.message
    return rec


def snapshot(path: Path) -> list[dict]:
    """What a user sees: findings that belong together (blank cells of a table) folded into one."""
    from validator.reporters.fold import fold
    res = lint_path(str(path), Options())
    return [record(f) for f in fold(res.findings)]


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in EXTENSIONS and p.is_file())


def golden_name(path: Path) -> str:
    return f"{path.parent.name}__{path.stem}.json"


def rendered_files(directory: Path) -> list[Path]:
    """The test renderer's renderings of RENDERED, written into `directory` (stable names)."""
    from tests.renderings import render as R
    out = []
    for rel in RENDERED:
        data = R.report_data(lint_path(str(CORPUS / rel)).report)
        stem = Path(rel).stem
        for k in RENDERINGS:
            out.append(R.write(data, k, directory, f"{stem}.{k}"))
    return out


def rendered_name(path: Path) -> str:
    return f"rendered__{path.name}.json"


def pair_snapshot(prev: str, this: str) -> list[dict]:
    from validator.cross.run import check_pair
    rules = load_rules()
    a = lint_path(str(CORPUS / prev)).report
    b = lint_path(str(CORPUS / this)).report
    found, _ctx = check_pair(b, a, rules, Options(), relation="previous")
    return [record(f) for f in found]


def pair_name(prev: str, this: str) -> str:
    return f"pair__{Path(prev).parent.name}__{Path(prev).stem}__{Path(this).stem}.json"


_RENDERED_CACHE: dict = {}


def rendered_snapshots() -> dict[str, list[dict]]:
    """Golden name → findings of every rendering of RENDERED (rendered once)."""
    if not _RENDERED_CACHE:
        with tempfile.TemporaryDirectory() as d:
            for p in rendered_files(Path(d)):
                _RENDERED_CACHE[rendered_name(p)] = snapshot(p)
    return _RENDERED_CACHE


def cases() -> list[tuple[str, object]]:
    """(golden file name, a function giving the findings) for every golden file."""
    from tests.renderings.render import EXTENSIONS as EXT
    out: list[tuple[str, object]] = [(golden_name(p), (lambda p=p: snapshot(p))) for p in corpus_files()]
    for rel in RENDERED:
        for k in RENDERINGS:
            name = f"rendered__{Path(rel).stem}.{k}{EXT[k]}.json"
            out.append((name, (lambda n=name: rendered_snapshots()[n])))
    for prev, this in PAIRS:
        out.append((pair_name(prev, this), (lambda a=prev, b=this: pair_snapshot(a, b))))
    return out


def write(name: str, findings: list[dict]) -> None:
    (GOLDEN / name).write_text(json.dumps(findings, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    names = set()
    for name, make in cases():
        write(name, make())
        names.add(name)
    stale = [p for p in GOLDEN.glob("*.json") if p.name not in names]
    for p in stale:
        p.unlink()
    print(f"wrote {len(names)} golden files to {GOLDEN}" + (f"; removed {len(stale)} stale" if stale else ""))


if __name__ == "__main__":
    main()
