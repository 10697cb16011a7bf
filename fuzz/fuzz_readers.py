#!/usr/bin/env python3
"""Coverage-guided fuzz target for the readers and the whole pipeline (atheris / libFuzzer).

Run by hand, not by the test suite (issue 6):

    .venv/bin/pip install atheris
    mkdir -p /tmp/xxgk-fuzz && cp tests/corpus/*/* /tmp/xxgk-fuzz/    # seeds: real reports
    .venv/bin/python fuzz/fuzz_readers.py /tmp/xxgk-fuzz -max_total_time=600 -rss_limit_mb=2048 -timeout=60

    # only one reader (text, markdown, html, pdf, docx), e.g. the PDF reader:
    XXGK_FUZZ_FORMAT=pdf .venv/bin/python fuzz/fuzz_readers.py /tmp/xxgk-fuzz -max_total_time=600

    # replay a crash file (or any files) without atheris:
    .venv/bin/python fuzz/fuzz_readers.py --replay crash-1234abcd

Contract checked for every input: `lint_bytes` returns findings or raises readers.ReadError
(one line); any other exception, a P091 timeout (a hang) or a multi-line ReadError is a
crash.  libFuzzer's -timeout and -rss_limit_mb catch hangs and memory blow-ups below the
per-file limits.  Crashes are written as crash-<sha1> in the current directory; report the
input and the traceback to the owner of the reader.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NAMES = ["r.txt", "r.md", "r.html", "r.pdf", "r.docx", "r", "r.htm"]
FORCED = os.environ.get("XXGK_FUZZ_FORMAT") or None


def check_one(data: bytes, name: str) -> None:
    from validator.lint import Options, lint_bytes
    from validator.readers import ReadError
    try:
        res = lint_bytes(data, name, Options(timeout=20, input_format=FORCED))
    except ReadError as exc:
        if "\n" in str(exc).strip():
            raise AssertionError(f"multi-line ReadError: {exc!r}") from None
        return
    if any(f.rule == "P091" for f in res.findings):
        raise AssertionError("the pipeline hung on this input (P091 time limit)")
    for f in res.findings:
        f.to_dict()  # every finding can be rendered


def test_one_input(data: bytes) -> None:
    import atheris
    fdp = atheris.FuzzedDataProvider(data)
    name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
    check_one(fdp.ConsumeBytes(fdp.remaining_bytes()), name)


def replay(paths: list[str]) -> int:
    bad = 0
    for p in paths:
        data = Path(p).read_bytes()
        for name in ([Path(p).name] + NAMES):
            try:
                check_one(data, name)
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
    if len(sys.argv) > 1 and sys.argv[1] == "--replay":
        return replay(sys.argv[2:])
    import atheris
    with atheris.instrument_imports(include=["validator"]):
        import validator.lint  # noqa: F401
        import validator.readers  # noqa: F401
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
