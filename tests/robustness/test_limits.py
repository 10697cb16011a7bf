"""Limits (issue 6): a file over the size or time limit gets a P090/P091 finding and the
other files are still checked; the limits are set with Options and --max-bytes/--timeout."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import validator.fileread as fileread_mod
import validator.lint as lint_mod
from validator import limits
from validator.lint import Options, lint_bytes, lint_path

from .conftest import assert_clean, cli

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GOOD = CORPUS / "reports" / "007_pingtan_2025.txt"
OTHER = CORPUS / "reports" / "006_pingtan_2024.txt"


def test_defaults_are_sensible():
    o = Options()
    assert o.max_bytes == 50 * 1024 * 1024 == limits.DEFAULT_MAX_BYTES
    assert o.timeout == 30 == limits.DEFAULT_TIMEOUT_S


def test_too_large_bytes_give_p090():
    res = lint_bytes(GOOD.read_bytes(), "r.txt", Options(max_bytes=1000))
    assert [f.rule for f in res.findings] == ["P090"]
    f = res.findings[0]
    assert f.category == "parse" and f.severity == "error" and f.name == "input-too-large"
    assert "1000 B" in f.message or "上限" in f.message
    assert f.location.line == 1


def test_too_large_path_is_not_read(tmp_path, monkeypatch):
    p = tmp_path / "big.txt"
    p.write_bytes(b"x" * 5000)

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("a file over the limit was read")
    monkeypatch.setattr(fileread_mod, "read_path", boom)   # the reading step
    res = lint_path(str(p), Options(max_bytes=4096))
    assert [f.rule for f in res.findings] == ["P090"]


def test_no_limit_when_zero_or_none():
    data = GOOD.read_bytes()
    for mb in (None, 0):
        res = lint_bytes(data, "r.txt", Options(max_bytes=mb))
        assert "P090" not in {f.rule for f in res.findings}


def _hang(*_a, **_k):
    while True:
        pass


def test_timeout_gives_p091(monkeypatch):
    monkeypatch.setattr(lint_mod, "parse", _hang)
    t = time.perf_counter()
    res = lint_path(str(GOOD), Options(timeout=0.3))
    assert time.perf_counter() - t < 5
    assert [f.rule for f in res.findings] == ["P091"]
    assert res.findings[0].name == "timeout" and res.findings[0].severity == "error"


def test_timeout_in_a_thread_is_cooperative(monkeypatch):
    """Off the main thread (the web server) SIGALRM cannot be used: the checks between the
    pipeline's stages stop a slow file."""
    import threading

    def slow(*a, **k):
        time.sleep(0.5)
        return real(*a, **k)
    real = lint_mod.parse
    monkeypatch.setattr(lint_mod, "parse", slow)
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("r", lint_path(str(GOOD), Options(timeout=0.2))))
    th.start()
    th.join(30)
    assert [f.rule for f in out["r"].findings] == ["P091"]


def test_timer_is_disarmed_after_each_file():
    import signal
    lint_path(str(GOOD), Options(timeout=5))
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)


def test_a_handler_of_the_program_calling_lint_is_kept_and_sigalrm_left_to_it():
    """A program that uses lint_path and has its own SIGALRM handler keeps it: the time limit
    is then checked between steps (no alarm of ours), and the handler is the same object after."""
    import signal

    def mine(signum, frame):  # noqa: ARG001
        pass

    old = signal.signal(signal.SIGALRM, mine)
    try:
        res = lint_path(str(GOOD), Options(timeout=5))
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert res.findings is not None
    finally:
        signal.signal(signal.SIGALRM, old)


def test_an_ignored_sigalrm_is_ignored_again_after_a_file():
    import signal
    old = signal.signal(signal.SIGALRM, signal.SIG_IGN)
    try:
        lint_path(str(GOOD), Options(timeout=5))
        assert signal.getsignal(signal.SIGALRM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGALRM, old)


def test_a_limit_finding_respects_ignore():
    res = lint_bytes(GOOD.read_bytes(), "r.txt", Options(max_bytes=10, ignore=("P090",)))
    assert res.findings == []


@pytest.mark.parametrize("text,value", [("50MB", 50 << 20), ("200m", 200 << 20), ("512KB", 512 << 10),
                                        ("1048576", 1 << 20), ("0", 0), ("1.5G", int(1.5 * (1 << 30)))])
def test_parse_size(text, value):
    assert limits.parse_size(text) == value


def test_cli_flags_and_other_files_still_checked(tmp_path):
    r = cli("check", "-o", "json", "--max-bytes", "8KB", GOOD, OTHER, CORPUS / "reports" / "001_pingtan_2019.txt")
    assert_clean(r)
    doc = json.loads(r.stdout)
    by_file = {}
    for f in doc["findings"]:
        by_file.setdefault(f["path"], []).append(f["rule"])
    big = str(CORPUS / "reports" / "001_pingtan_2019.txt")   # 16 KB
    assert by_file[big] == ["P090"]
    assert len(doc["files"]) == 3
    assert r.returncode == 1


def test_cli_timeout_flag():
    r = cli("check", "-o", "concise", "--timeout", "0.000001", GOOD)
    assert_clean(r)
    assert b"P091" in r.stdout and r.returncode == 1
    r = cli("check", "-o", "concise", "--timeout", "0", GOOD)
    assert_clean(r)
    assert b"P091" not in r.stdout


@pytest.mark.parametrize("flag,value", [("--max-bytes", "lots"), ("--max-bytes", "-1"), ("--timeout", "soon")])
def test_cli_bad_limit_values_are_usage_errors(flag, value):
    r = cli("check", flag, value, GOOD)
    assert r.returncode == 2 and b"Traceback" not in r.stderr


def test_rules_explain_the_limits():
    for code in ("P090", "P091"):
        r = cli("rule", code)
        assert r.returncode == 0 and b"--" in r.stdout


def test_text_longer_than_max_chars_gives_p090():
    text = GOOD.read_text(encoding="utf-8")
    res = lint_bytes(text.encode("utf-8"), "r.txt", Options(max_chars=len(text) - 1))
    assert [f.rule for f in res.findings] == ["P090"] and "--max-chars" in res.findings[0].message
    res = lint_bytes(text.encode("utf-8"), "r.txt", Options(max_chars=len(text)))
    assert "P090" not in {f.rule for f in res.findings}


def test_big_text_file_is_refused_before_decoding(tmp_path, monkeypatch):
    p = tmp_path / "big.txt"
    p.write_bytes(("政府信息公开" * 1000 + "\n").encode() * 50)  # ~900 KB
    assert limits.DEFAULT_MAX_CHARS == 1_000_000

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("a text file over 4 × max_chars bytes was decoded")
    monkeypatch.setattr(fileread_mod, "read_path", boom)   # the reading step
    res = lint_path(str(p), Options(max_chars=100_000))
    assert [f.rule for f in res.findings] == ["P090"]


def test_html_is_judged_by_its_text_not_its_bytes(tmp_path):
    """Inline images and scripts make pages large; only the text read from them counts."""
    p = tmp_path / "page.html"
    p.write_bytes(b"<html><head><script>" + b"x" * 500_000 + b"</script></head><body><p>"
                  + GOOD.read_bytes().replace(b"\n", b"</p>\n<p>") + b"</p></body></html>")
    res = lint_path(str(p), Options(max_chars=100_000))
    assert "P090" not in {f.rule for f in res.findings}


def test_cli_max_chars_flag_and_parallel_timeouts():
    r = cli("check", "-o", "concise", "--max-chars", "1000", GOOD)
    assert_clean(r)
    assert b"P090" in r.stdout
    r = cli("check", "-o", "json", "--jobs", "2", "--timeout", "0.000001", GOOD, OTHER)
    assert_clean(r)
    doc = json.loads(r.stdout)
    assert sorted(f["rule"] for f in doc["findings"]) == ["P091", "P091"]


@pytest.mark.parametrize("text,value", [("1000000", 1_000_000), ("2M", 2_000_000), ("500k", 500_000),
                                        ("1_000_000", 1_000_000), ("100万", 1_000_000), ("0", 0)])
def test_parse_count(text, value):
    assert limits.parse_count(text) == value


def test_stdin_is_read_only_up_to_the_limit():
    r = cli("check", "-o", "concise", "--max-bytes", "1MB", "-", input=b"\0" * (3 << 20))
    assert_clean(r)
    assert b"P090" in r.stdout and r.returncode == 1


def test_p090_in_english_names_the_size_once_when_only_a_bound_is_known():
    # stdin is read only up to the limit: its size is "more than" the limit, not "> 1 MB > 1 MB"
    r = cli("--lang", "en", "check", "-o", "concise", "--max-bytes", "1MB", "-", input=b"\0" * (3 << 20))
    assert_clean(r)
    line = r.stdout.decode("utf-8").splitlines()[0]
    assert "(more than 1 MB; the limit is 1 MB)" in line, line


def test_p090_in_english_gives_the_size_and_the_limit(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(Path(__file__).resolve().parents[1].joinpath("corpus", "reports", "003_pingtan_2021.txt").read_bytes()[:3000])
    r = cli("--lang", "en", "check", "-o", "concise", "--max-bytes", "1000", p)
    assert_clean(r)
    assert "(2.9 KB; the limit is 1000 B)" in r.stdout.decode("utf-8"), r.stdout


# CPython 3.11 raises "SystemError: error return without exception set" when the address space
# runs out just as a Python function is called (the frame stack cannot grow and no MemoryError
# is set): under a ceiling the tool set, that is the file's memory, P093, not an internal error.

def _lost_memory_error() -> SystemError:
    return SystemError("error return without exception set")


def test_a_frame_stack_failure_under_the_ceiling_counts_as_memory():
    assert not limits.caused_by_memory(_lost_memory_error())        # no ceiling: a real internal error
    with limits.memory_limit(1 << 40) as ceiling:                    # (far above anything used here)
        assert ceiling is not None
        assert limits.caused_by_memory(_lost_memory_error())
        assert not limits.caused_by_memory(SystemError("some other internal error"))
        wrapped = RuntimeError("read error")
        wrapped.__context__ = _lost_memory_error()
        assert limits.caused_by_memory(wrapped)
    assert not limits.caused_by_memory(_lost_memory_error())        # the ceiling ended with the block


def test_the_answer_for_a_file_over_the_ceiling_is_built_above_it(monkeypatch):
    """check_one lifts the ceiling before it builds the P093 answer (at the ceiling even the
    calls that build it can fail); the block that set the ceiling restores the limit after."""
    import resource

    from validator import runner
    before = resource.getrlimit(resource.RLIMIT_AS)
    seen = []

    def over(*_a, **_kw):
        raise _lost_memory_error()

    real = runner._limit_result

    def answer(*a, **kw):
        seen.append(resource.getrlimit(resource.RLIMIT_AS)[0])
        return real(*a, **kw)

    monkeypatch.setattr(lint_mod, "lint_bytes", over)
    monkeypatch.setattr(runner, "_limit_result", answer)
    res = runner._check_here(("<stdin>", Options()), 1 << 40, b"x")
    assert [f.rule for f in res.findings] == ["P093"] and res.error is None
    assert seen == [before[1]]                                       # built with the hard limit only
    assert resource.getrlimit(resource.RLIMIT_AS) == before          # and the previous limit is back
    assert limits._CEILING[0] is None
