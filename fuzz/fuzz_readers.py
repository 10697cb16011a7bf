#!/usr/bin/env python3
"""Coverage-guided fuzz target for every reader and the whole pipeline (atheris / libFuzzer).

Formats (``--format`` or XXGK_FUZZ_FORMAT): ``text``, ``markdown``, ``html``, ``pdf``,
``docx`` (the zip as a whole), ``docx-xml`` (the fuzzer writes word/document.xml, which is
packed into a real DOCX: the DOCX reader's XML internals — tables, merged cells, runs —
instead of the zip layer), or ``any`` (default: the fuzzer also picks the file name, so the
format sniffing is fuzzed too).

    .venv/bin/pip install atheris                     # or: pip install -e '.[fuzz]'
    .venv/bin/python fuzz/fuzz_readers.py --make-seeds /tmp/xxgk-seeds          # seeds from the repo
    .venv/bin/python fuzz/fuzz_readers.py --make-seeds /tmp/xxgk-seeds --shared ../shared   # + corpus, hostile
    .venv/bin/python fuzz/fuzz_readers.py --format pdf /tmp/xxgk-seeds/pdf -max_total_time=600 -rss_limit_mb=2048 -timeout=60
    .venv/bin/python fuzz/fuzz_readers.py --replay crash-1234abcd       # reproduce, no atheris needed

Contract checked for every input: ``lint_bytes`` returns findings or raises readers.ReadError
(one line); any other exception, a P091 timeout (a hang), a multi-line ReadError, or an
output format that cannot render or encode the result (rich, concise, github, junit, json,
sarif) is a crash.  libFuzzer's -timeout and -rss_limit_mb catch hangs and memory blow-ups
below the per-file limits.  The test suite runs a bounded version of this on every build
(tests/robustness/test_fuzz_bounded.py); README "模糊测试" has the nightly command.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = ["r.txt", "r.md", "r.html", "r.pdf", "r.docx", "r", "r.htm"]
FORMATS = {"text": "r.txt", "markdown": "r.md", "html": "r.html", "pdf": "r.pdf", "docx": "r.docx",
           "docx-xml": "r.docx"}
REPORTERS = ("concise", "rich", "github", "junit", "json", "sarif")
_SKELETON: dict[str, bytes] | None = None


def _format() -> str:
    if "--format" in sys.argv:
        i = sys.argv.index("--format")
        value = sys.argv[i + 1]
        del sys.argv[i:i + 2]
        return value
    return os.environ.get("XXGK_FUZZ_FORMAT") or "any"


def docx_skeleton() -> dict[str, bytes]:
    """The parts of a real DOCX (tests/corpus/docx) other than word/document.xml."""
    global _SKELETON
    if _SKELETON is None:
        seed = sorted((ROOT / "tests" / "corpus" / "docx").glob("*.docx"))[0]
        with zipfile.ZipFile(seed) as z:
            _SKELETON = {n: z.read(n) for n in z.namelist() if n != "word/document.xml" and not n.endswith("/")}
    return _SKELETON


def pack_docx(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in docx_skeleton().items():
            z.writestr(name, data)
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def check_one(data: bytes, name: str, fmt: str | None = None) -> None:
    """Lint one input and render it in every output format; raise on any broken promise."""
    from validator.lint import Options, lint_bytes
    from validator.readers import ReadError
    from validator.reporters import get
    from validator.runner import LiteResult
    forced = None if fmt in (None, "any", "docx-xml") else fmt
    try:
        res = lint_bytes(data, name, Options(timeout=20, input_format=forced))
    except ReadError as exc:
        if "\n" in str(exc).strip():
            raise AssertionError(f"multi-line ReadError: {exc!r}") from None
        return
    if any(f.rule == "P091" for f in res.findings):
        raise AssertionError("the pipeline hung on this input (P091 time limit)")
    for f in res.findings:
        f.to_dict()  # every finding can be rendered
    lite = [LiteResult.of(res)]
    for fmt_name in REPORTERS:
        out = io.StringIO()
        get(fmt_name)(lite, out, lang="zh", quiet=False, color=False, rules=None, fail_on="error")
        out.getvalue().encode("utf-8")   # what writing to stdout does


def input_for(data: bytes, fmt: str) -> tuple[bytes, str]:
    if fmt == "docx-xml":
        return pack_docx(data), "r.docx"
    return data, FORMATS.get(fmt, "r.txt")


def make_seeds(dest: Path, shared: Path | None = None) -> dict[str, int]:
    """Seed corpora, one directory per format: the repository's real reports and hostile
    inputs (and, with --shared, ../shared/corpus and ../shared/hostile)."""
    roots = [ROOT / "tests" / "corpus", ROOT / "tests" / "robustness" / "data" / "hostile_inputs"]
    if shared is not None:
        roots += [shared / "corpus", shared / "hostile" / "inputs"]
    by_ext = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
    counts: dict[str, int] = {}
    for fmt in list(FORMATS) + ["any"]:
        (dest / fmt).mkdir(parents=True, exist_ok=True)
    for root in roots:
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            if not p.is_file() or p.stat().st_size > 2_000_000:
                continue
            fmt = by_ext.get(p.suffix.lower())
            if fmt is None:
                continue
            data = p.read_bytes()
            name = f"{p.parent.name}_{p.name}"
            # a plain-text report is also Markdown
            for target in (fmt, "any") + (("markdown",) if fmt == "text" else ()):
                (dest / target / name).write_bytes(data)
                counts[target] = counts.get(target, 0) + 1
            if fmt == "docx":
                try:
                    with zipfile.ZipFile(p) as z:
                        xml = z.read("word/document.xml")
                except (zipfile.BadZipFile, KeyError):
                    continue
                (dest / "docx-xml" / (name + ".xml")).write_bytes(xml)
                counts["docx-xml"] = counts.get("docx-xml", 0) + 1
    # a small DOCX document with a table (real report text), so short inputs reach the tables
    (dest / "docx-xml" / "small_table.xml").write_bytes(small_document_xml())
    counts["docx-xml"] = counts.get("docx-xml", 0) + 1
    return counts


def small_document_xml() -> bytes:
    rows = [["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
            ["一、本年新收政府信息公开申请数量", "12", "1", "0", "0", "0", "0", "13"]]
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def para(text):
        return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"

    cells = "".join("<w:tr>" + "".join(f'<w:tc><w:tcPr><w:gridSpan w:val="1"/></w:tcPr>{para(c)}</w:tc>' for c in row)
                    + "</w:tr>" for row in rows)
    body = (para("2021年政府信息公开工作年度报告") + para("三、收到和处理政府信息公开申请情况")
            + f"<w:tbl>{cells}</w:tbl>" + para("某某县人民政府"))
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {ns}><w:body>{body}</w:body></w:document>'.encode()


def replay(paths: list[str], fmt: str) -> int:
    bad = 0
    for p in paths:
        raw = Path(p).read_bytes()
        tries = [input_for(raw, fmt)] if fmt != "any" else [(raw, n) for n in [Path(p).name] + NAMES]
        for data, name in tries:
            try:
                check_one(data, name, fmt)
            except BaseException as exc:  # noqa: BLE001 - report everything
                import traceback
                bad += 1
                print(f"{p} as {name}: CRASH {type(exc).__name__}: {exc}")
                traceback.print_exc()
                break
        else:
            print(f"{p}: ok")
    return 1 if bad else 0


def main() -> int:
    fmt = _format()
    if len(sys.argv) > 1 and sys.argv[1] == "--make-seeds":
        shared = Path(sys.argv[sys.argv.index("--shared") + 1]) if "--shared" in sys.argv else None
        counts = make_seeds(Path(sys.argv[2]), shared)
        print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--replay":
        return replay(sys.argv[2:], fmt)
    import atheris
    with atheris.instrument_imports(include=["validator"]):
        import validator.lint  # noqa: F401
        import validator.readers  # noqa: F401
        import validator.reporters  # noqa: F401

    def test_one_input(data: bytes) -> None:
        if fmt == "any":
            fdp = atheris.FuzzedDataProvider(data)
            name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
            check_one(fdp.ConsumeBytes(fdp.remaining_bytes()), name, fmt)
        else:
            check_one(*input_for(data, fmt), fmt)

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
