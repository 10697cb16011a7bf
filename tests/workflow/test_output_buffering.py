"""Reports reach stdout in chunks even when Python runs unbuffered (``PYTHONUNBUFFERED=1``,
common in CI containers): every ``write`` of a reporter would otherwise be a system call."""

from __future__ import annotations

import io
import json
import sys

import pytest

from .conftest import CORPUS

REPORTS = sorted((CORPUS / "reports").glob("*.txt"))


class _CountingRaw(io.RawIOBase):
    """A file descriptor's stand-in: counts the writes that reach it."""

    def __init__(self):
        self.writes = 0
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.writes += 1
        self.data += b
        return len(b)


def _unbuffered_stdout(monkeypatch):
    """stdout as ``PYTHONUNBUFFERED=1`` makes it: a text layer writing straight through to the
    descriptor (no buffer object in between).  Installed in the test itself: pytest sets its
    own capture streams again when the test's body starts."""
    raw = _CountingRaw()
    out = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return raw, out


def _run(*argv) -> int:
    from validator.cli import main
    return main([str(a) for a in argv])


@pytest.mark.parametrize("fmt", ["json", "sarif", "concise"])
def test_check_report_is_written_in_chunks_when_stdout_is_unbuffered(monkeypatch, fmt):
    raw, out = _unbuffered_stdout(monkeypatch)
    code = _run("check", "-o", fmt, "--jobs", "1", "--exit-zero", *REPORTS)
    assert code == 0
    size = len(raw.data)
    # the same report as through an ordinary buffered stream
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stdout", plain)
    _run("check", "-o", fmt, "--jobs", "1", "--exit-zero", *REPORTS)
    assert raw.data.decode("utf-8") == plain.getvalue()
    if fmt != "concise":
        json.loads(plain.getvalue())
    # TextIOWrapper passes its pending text on in 8 KB chunks
    assert size > 8192 and raw.writes <= size // 8192 + 3, (raw.writes, size)
    assert out.write_through is True, "stdout's own setting is restored after the report"


def test_extract_writes_each_files_records_before_reading_the_next(monkeypatch):
    raw, _out = _unbuffered_stdout(monkeypatch)
    from validator import extract_cmd
    seen_before: list[int] = []
    records = extract_cmd.records

    def spy(path, opts, rules):
        seen_before.append(len(raw.data))
        return records(path, opts, rules)

    monkeypatch.setattr(extract_cmd, "records", spy)
    code = _run("extract", "-o", "jsonl", *REPORTS[:3])
    assert code == 0
    lines = raw.data.decode("utf-8").splitlines()
    assert len(lines) > 100 and all(json.loads(x)["path"] for x in lines)
    # the first file's records are out before the second file is read, the second's before the third
    assert seen_before[0] == 0 and 0 < seen_before[1] < seen_before[2] < len(raw.data)
    assert raw.writes < len(lines) // 10, (raw.writes, len(lines))
