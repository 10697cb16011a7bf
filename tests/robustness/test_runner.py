"""The many-files runner (validator/runner.py, issue 16.4): a worker that dies loses only
its own file, a memory blow-up is P093 for that file, signals stop the workers at once and
the run prints what was done, no process is left behind."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from validator import runner
from validator.lint import Options

from .conftest import EXE, assert_clean

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
REPORTS = sorted(CORPUS.glob("*.txt"))


def _site(tmp_path, n=6, victim=None):
    d = tmp_path / "site"
    d.mkdir()
    for i, src in enumerate((REPORTS * 3)[:n]):
        shutil.copy(src, d / f"{i:02d}_{src.name}")
    if victim:
        shutil.copy(REPORTS[0], d / victim)
    return d


def _main(*args):
    """xxgk-lint in this process (so a monkeypatch reaches the forked workers)."""
    from validator.cli import main
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main([str(a) for a in args])
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_a_worker_killed_by_the_system_loses_only_its_own_file(tmp_path, monkeypatch):
    import validator.lint as lint
    d = _site(tmp_path, victim="victim.txt")
    real = lint.lint_path

    def oom_killed(path, *a, **kw):   # what the kernel's OOM killer does to a worker
        if str(path).endswith("victim.txt"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *a, **kw)

    monkeypatch.setattr(lint, "lint_path", oom_killed)
    code, out, err = _main("check", "-o", "json", "--jobs", "2", d)
    doc = json.loads(out)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert len(by_name) == 7
    assert by_name["victim.txt"]["error"] and "SIGKILL" in by_name["victim.txt"]["error"]
    assert all(f["error"] is None for name, f in by_name.items() if name != "victim.txt")
    assert {Path(f["path"]).name for f in doc["findings"]} == set(by_name) - {"victim.txt"}
    assert code == 2 and "victim.txt" in err and "Traceback" not in err


def test_results_keep_the_order_of_the_files_whatever_order_workers_finish(tmp_path, monkeypatch):
    import validator.lint as lint
    d = _site(tmp_path, n=5)
    real = lint.lint_path

    def slow_first(path, *a, **kw):
        if Path(path).name.startswith("00_"):
            time.sleep(0.5)
        return real(path, *a, **kw)

    monkeypatch.setattr(lint, "lint_path", slow_first)
    files = sorted(str(p) for p in d.iterdir())
    out = runner.run([(p, Options()) for p in files], jobs=3)
    assert [r.path for r in out.results] == files and out.interrupted is None


def test_a_worker_collects_cyclic_garbage_rarely_and_never_walks_what_it_inherited(tmp_path, monkeypatch):
    """Workers freeze what they inherit (modules, rules, grammar) and raise the collector's
    first threshold (runner.WORKER_GC_THRESHOLD): a check's thousands of short-lived containers
    set off dozens of collections a report at CPython's 700.  This process is left as it was."""
    import gc

    import validator.lint as lint
    d = _site(tmp_path, n=3)
    seen = tmp_path / "seen"
    real = lint.lint_path

    def record(path, *a, **kw):
        with open(seen, "a") as fh:
            fh.write(f"{gc.get_threshold()[0]} {gc.get_freeze_count()}\n")
        return real(path, *a, **kw)

    before = gc.get_threshold()
    monkeypatch.setattr(lint, "lint_path", record)
    out = runner.run([(str(p), Options()) for p in sorted(d.iterdir())], jobs=2)
    assert len(out.results) == 3 and all(r.error is None for r in out.results)
    rows = [line.split() for line in seen.read_text().splitlines()]
    assert len(rows) == 3
    assert all(int(t) == runner.WORKER_GC_THRESHOLD > 700 and int(frozen) > 1000 for t, frozen in rows)
    assert gc.get_threshold() == before


def _stuck(real, victim: str | None = None):
    """``real`` (lint_path, or check_one with its task) — but the file named ``victim`` (any
    file when None) is stuck first where SIGALRM cannot reach it (as inside C code)."""
    def stuck(what, *a, **kw):
        path = what[0] if isinstance(what, tuple) else what
        if victim is None or str(path).endswith(victim):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(60)
        return real(what, *a, **kw)
    return stuck


def _run_with_one_stuck(monkeypatch, files, victim):
    """runner.run over files, the one named victim stuck where SIGALRM cannot reach it (as
    inside C code); the hard limit is 1 s: the run must end well within 20 s."""
    import validator.lint as lint
    monkeypatch.setattr(lint, "lint_path", _stuck(lint.lint_path, victim))
    monkeypatch.setattr(runner, "_hard_timeout", lambda opts: 1.0)
    t = time.monotonic()
    out = runner.run([(p, Options(timeout=0.5)) for p in files], jobs=2)
    assert time.monotonic() - t < 20
    return out


def test_a_worker_stuck_where_the_time_limit_cannot_reach_is_killed(tmp_path, monkeypatch):
    files = sorted(str(p) for p in _site(tmp_path, n=2, victim="stuck.txt").iterdir())
    out = _run_with_one_stuck(monkeypatch, files, "stuck.txt")
    res = {Path(r.path).name: r for r in out.results}
    assert [f.rule for f in res["stuck.txt"].findings] == ["P091"]
    assert all(r.error is None for r in out.results)


# A worker is given the next file before it has answered for the one it checks (runner.DEPTH):
# the file waiting behind one that kills, hangs or blows up its worker must still be checked,
# by another worker, and only the file being checked is lost.

@pytest.fixture(params=["next file queued", "list queued"])
def queued_site(request, tmp_path, monkeypatch):
    """The files of a run whose first file (the victim's name sorts first) is the first a worker
    is given: ten, with the next file queued behind it (DEPTH), or sixteen with DEEP (4) files
    given at once while more than TAIL (2) a worker are left (the others of its list queued)."""
    def make(victim):
        n = 10
        if request.param == "list queued":
            _deep(monkeypatch)
            n = 16
        return sorted(str(p) for p in _site(tmp_path, n=n, victim=victim).iterdir())
    return make


def _assert_only_victim_lost(out, files, victim, rule=None):
    res = {Path(r.path).name: r for r in out.results}
    assert [r.path for r in out.results] == files and out.interrupted is None
    for name, r in res.items():
        if name == victim:
            assert (r.error and "SIGKILL" in r.error) if rule is None else [f.rule for f in r.findings] == [rule]
        else:   # the file queued behind the victim, and every other, checked as usual
            assert r.error is None and r.findings and not {f.rule for f in r.findings} & {"P091", "P093"}, name


def test_the_file_queued_behind_a_killed_worker_is_checked_by_another(queued_site, monkeypatch):
    import validator.lint as lint
    files = queued_site("000_victim.txt")
    real = lint.lint_path

    def oom_killed(path, *a, **kw):
        if str(path).endswith("000_victim.txt"):
            time.sleep(0.3)      # the next file is in this worker's pipe by now
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *a, **kw)

    monkeypatch.setattr(lint, "lint_path", oom_killed)
    out = runner.run([(p, Options()) for p in files], jobs=2)
    _assert_only_victim_lost(out, files, "000_victim.txt")


def test_the_file_queued_behind_a_stuck_worker_is_checked_by_another(queued_site, monkeypatch):
    """The time limit counts from when the worker began the file (with lists queued, this
    process is not woken by each result: the worker says when it finished the one before)."""
    files = queued_site("000_stuck.txt")
    out = _run_with_one_stuck(monkeypatch, files, "000_stuck.txt")
    _assert_only_victim_lost(out, files, "000_stuck.txt", "P091")


def test_the_file_queued_behind_a_memory_blow_up_is_checked_by_another(queued_site, monkeypatch):
    import validator.lint as lint
    files = queued_site("000_big.txt")
    real = lint.lint_path

    def blow_up(path, *a, **kw):
        if str(path).endswith("000_big.txt"):
            time.sleep(0.3)
            raise MemoryError     # P093; the worker then leaves (a fresh one takes its place)
        return real(path, *a, **kw)

    monkeypatch.setattr(lint, "lint_path", blow_up)
    out = runner.run([(p, Options()) for p in files], jobs=2)
    _assert_only_victim_lost(out, files, "000_big.txt", "P093")


def test_a_worker_is_given_its_next_file_before_it_answers(tmp_path, monkeypatch):
    """With many files left, each worker has the next file waiting in its pipe while it checks
    one (it never waits for this process between files); with few left, the last files go to
    whichever worker is free.  What is sent for a file is its index in the run's tasks."""
    sent = []
    slots = {}
    me = os.getpid()
    real_start, real_send = runner._start, runner._send

    def start(*a):
        slot = real_start(*a)
        slots[slot.conn.fileno()] = slot
        return slot

    def send(fd, obj, *more):   # in this process: the files given to the workers (not the workers' results)
        real_send(fd, obj, *more)
        if os.getpid() == me:
            sent.append((obj, len(slots[fd].queue)))

    monkeypatch.setattr(runner, "_start", start)
    monkeypatch.setattr(runner, "_send", send)
    files = sorted(str(p) for p in _site(tmp_path, n=10).iterdir())
    out = runner.run([(p, Options()) for p in files], jobs=2)
    assert [r.path for r in out.results] == files and all(r.error is None for r in out.results)
    assert len(sent) == 10
    # a file's index only: the workers have the tasks (forked from this process, or given them once)
    assert sorted(i for i, _ in sent) == list(range(10))
    # queue length at each send, after the file was added: 2 = a second file waiting
    assert max(q for _, q in sent) == 2
    assert sent[-1][1] == 1


def test_memory_beyond_the_ceiling_is_p093_for_that_file_only(tmp_path):
    big = tmp_path / "big.txt"
    one = (CORPUS / "007_pingtan_2025.txt").read_text(encoding="utf-8")
    big.write_text(one * (3_000_000 // len(one.encode()) + 1), encoding="utf-8")   # 3 MB of text: ~25 MB to check
    small = tmp_path / "small.txt"
    shutil.copy(REPORTS[0], small)
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "validator"]
    # (the small report needs less than 3 MB above a worker's own size)
    r = subprocess.run(exe + ["check", "-o", "json", "--max-chars", "0", "--max-memory", "10MB", "--jobs", "2",
                              str(big), str(small)], capture_output=True, timeout=120)
    assert_clean(r)
    doc = json.loads(r.stdout)
    rules = {}
    for f in doc["findings"]:
        rules.setdefault(Path(f["path"]).name, set()).add(f["rule"])
    assert rules["big.txt"] == {"P093"}
    assert "P093" not in rules["small.txt"] and len(rules["small.txt"]) >= 1
    assert b"MemoryError" not in r.stderr


def test_memory_limit_is_relative_to_the_worker_size():
    """The ceiling is added to what a worker already maps, so a worker forked from a big
    process can still work."""
    from validator.limits import _vm_size
    code = ("import resource, sys; from validator.limits import apply_memory_limit, _vm_size\n"
            "before = _vm_size(); lim = apply_memory_limit(64 << 20)\n"
            "assert lim >= before + (64 << 20) - 4096, (lim, before)\n"
            "x = bytearray(16 << 20)\n"
            "try:\n    y = bytearray(200 << 20)\nexcept MemoryError:\n    print('refused')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "refused", r.stderr
    assert _vm_size() > 0


# --------------------------------------------------------------------------------------
# signals
# --------------------------------------------------------------------------------------
SLOW_RULES = "\n".join(f"""- id: Z9{i:02d}
  name: slow-rule-{i}
  kind: pattern
  category: content
  severity: info
  message: "x {{detail}}"
  scope: prose
  patterns:
    - regex: '(\\p{{Han}}|\\p{{Han}}\\p{{Han}})+(?=c)\\1'
""" for i in range(6))


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != b"Z":
            out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _slow_rules(tmp_path) -> Path:
    """A rule directory whose rules take ~1.5 s a report (time for a signal to arrive)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "slow.yaml").write_text(SLOW_RULES, encoding="utf-8")
    return rules


def _slow_check(tmp_path, *args, **popen):
    """`xxgk-lint check -o concise --rules-dir <slow rules> ARGS…`, started (not waited for)."""
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "validator"]
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(exe + ["check", "-o", "concise", "--rules-dir", str(_slow_rules(tmp_path)), *map(str, args)], **popen)


def _wait_children(pid: int, n: int, seconds: float = 30) -> list[int]:
    deadline = time.monotonic() + seconds
    found = []
    while time.monotonic() < deadline and len(found) < n:
        time.sleep(0.2)
        found = _children(pid)
    return found


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_workers_at_once_and_prints_what_was_done(tmp_path, sig, code):
    p = _slow_check(tmp_path, "--jobs", "2", _site(tmp_path, n=8))
    workers = _wait_children(p.pid, 2)
    assert len(workers) >= 2, "the workers did not start"
    time.sleep(2.0)     # the first files are done (each takes ~1.5 s with these rules)
    p.send_signal(sig)
    t = time.monotonic()
    out, err = p.communicate(timeout=10)
    assert time.monotonic() - t < 2.0
    assert p.returncode == code
    time.sleep(0.2)
    assert not [w for w in workers if _alive(w)], "a worker outlived the run"
    text = err.decode("utf-8")
    assert "Traceback" not in text and "已中断" in text
    assert "检查了" in out.decode("utf-8")


def test_workers_die_with_the_main_process_even_when_it_is_killed(tmp_path):
    p = _slow_check(tmp_path, "--jobs", "2", _site(tmp_path, n=8), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = _wait_children(p.pid, 2)
    p.kill()
    p.wait(10)
    time.sleep(1.0)
    assert workers and not [w for w in workers if _alive(w)]


# --------------------------------------------------------------------------------------
# one file: in this process when its reader is Python code, in a worker for PDF/DOCX
# --------------------------------------------------------------------------------------
PDF = Path(__file__).resolve().parents[1] / "corpus" / "pdf" / "hongzequ_2024.pdf"
DOCX = Path(__file__).resolve().parents[1] / "corpus" / "docx" / "template_2021_blank.docx"
HTML = Path(__file__).resolve().parents[1] / "corpus" / "html" / "pingtan_2019.html"


def _no_workers(monkeypatch):
    def refuse(*a, **kw):
        raise AssertionError("a worker process was started")
    monkeypatch.setattr(runner, "_start", refuse)


@pytest.mark.parametrize("name", ["report.txt", "report.md", "page.html"])
def test_one_text_markdown_or_html_file_is_checked_in_this_process(tmp_path, monkeypatch, name):
    src = HTML if name.endswith(".html") else REPORTS[1]
    f = tmp_path / name
    shutil.copy(src, f)
    with_workers = runner.run([(str(f), Options()), (str(f), Options())], jobs=2).results[0]
    _no_workers(monkeypatch)
    out = runner.run([(str(f), Options())], jobs=2)
    assert out.interrupted is None and out.results[0].error is None
    got = [(x.rule, x.location.line, x.location.column, x.message) for x in out.results[0].findings]
    assert got and got == [(x.rule, x.location.line, x.location.column, x.message) for x in with_workers.findings]


def _when_reading(monkeypatch, f, act) -> None:
    """Reading ``f`` (validator/fileread.py, in the process that reads it) does ``act()`` first:
    a crash or a hang in the native reader, as seen from the process checking the file."""
    import validator.fileread as fileread
    real = fileread.read_file

    def reading(path, *a, **kw):
        if str(path) == str(f):
            act()
        return real(path, *a, **kw)
    monkeypatch.setattr(fileread, "read_file", reading)


def _segfault():
    import faulthandler
    faulthandler.disable()       # (pytest's traceback dump would only clutter the output)
    os.kill(os.getpid(), signal.SIGSEGV)


@pytest.mark.parametrize("src", [PDF, DOCX], ids=["pdf", "docx"])
def test_one_pdf_or_docx_is_still_read_in_a_process_that_may_die_alone(tmp_path, monkeypatch, src):
    f = tmp_path / ("x" + src.suffix)
    shutil.copy(src, f)
    assert runner.needs_worker((str(f), Options()))
    _when_reading(monkeypatch, f, _segfault)   # a crash in the native reader
    out = runner.run([(str(f), Options())], jobs=1)
    assert "SIGSEGV" in out.results[0].error     # this process lived to say so


def test_the_reader_decides_not_the_extension_and_format_forces_it(tmp_path):
    pdf_named_txt = tmp_path / "report.txt"
    shutil.copy(PDF, pdf_named_txt)
    text = tmp_path / "report.pdf.txt"
    shutil.copy(REPORTS[0], text)
    assert runner.needs_worker((str(pdf_named_txt), Options()))           # content sniffed: a PDF
    assert not runner.needs_worker((str(text), Options()))
    assert runner.needs_worker((str(text), Options(input_format="pdf")))   # --format pdf: the PDF reader
    assert not runner.needs_worker((str(tmp_path / "missing.txt"), Options()))   # the reader says what is wrong


def _big_text(tmp_path):
    big = tmp_path / "big.txt"
    one = (CORPUS / "007_pingtan_2025.txt").read_text(encoding="utf-8")
    big.write_text(one * (3_000_000 // len(one.encode()) + 1), encoding="utf-8")   # 3 MB of text: ~25 MB to check
    return big


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_one_text_file_or_stdin_that_could_reach_a_tight_memory_ceiling_gives_p093(tmp_path, via):
    """Checked in a process of its own (runner.ceiling_reachable): at the ceiling CPython 3.11
    itself can get stuck, which only another process can end."""
    big = _big_text(tmp_path)
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "validator"]
    args = exe + ["check", "-o", "json", "--max-chars", "0", "--max-memory", "10MB"]
    if via == "file":
        r = subprocess.run(args + [str(big)], capture_output=True, timeout=120)
    else:
        r = subprocess.run(args + ["-"], input=big.read_bytes(), capture_output=True, timeout=120)
    assert_clean(r)
    doc = json.loads(r.stdout)
    assert [f["rule"] for f in doc["findings"]] == ["P093"]
    assert b"MemoryError" not in r.stderr


def test_a_text_file_could_reach_the_ceiling_only_under_tight_limits(tmp_path):
    """runner.ceiling_reachable: characters (at most the bytes, at most --max-chars) times
    BYTES_PER_CHAR against --max-memory; never with the default limits, whatever the size."""
    f = tmp_path / "r.txt"
    f.write_bytes(b"x" * 5_000_000)
    mb = 1024 * 1024
    default = runner._limits.DEFAULT_MAX_MEMORY
    assert not runner.ceiling_reachable((str(f), Options()), default)                 # ≤ 1 million characters
    assert runner.ceiling_reachable((str(f), Options(max_chars=0)), default)          # 5 MB, no character limit
    assert not runner.ceiling_reachable((str(REPORTS[0]), Options(max_chars=0)), default)
    assert runner.ceiling_reachable((str(REPORTS[0]), Options()), 2 * mb)             # a tight ceiling
    assert not runner.ceiling_reachable((str(REPORTS[0]), Options()), None)           # no ceiling
    assert runner.ceiling_reachable(("-", Options(max_chars=0)), default, b"x" * 5_000_000)   # stdin: its bytes
    assert not runner.ceiling_reachable(("-", Options(max_chars=0)), default, b"x" * 1000)
    assert not runner.ceiling_reachable((str(tmp_path / "missing.txt"), Options(max_chars=0)), mb)   # the reader says


def test_a_check_stuck_at_a_tight_ceiling_is_ended_by_the_hard_limit_not_waited_for(tmp_path, monkeypatch):
    """The check that could reach the ceiling runs in a forked process; stuck there (as
    CPython 3.11 can be, retrying an allocation while unwinding) it is killed: P091."""
    started = _forks(monkeypatch)
    monkeypatch.setattr(runner, "check_one", _stuck(runner.check_one))
    monkeypatch.setattr(runner, "_hard_timeout", lambda opts: 1.0)
    t = time.monotonic()
    out = runner.run([(str(REPORTS[0]), Options(timeout=0.5))], jobs=1, max_memory=1024 * 1024)
    assert time.monotonic() - t < 20 and started == ["_check_in_child"]
    assert [f.rule for f in out.results[0].findings] == ["P091"]


def test_a_check_in_a_process_of_its_own_gives_the_same_findings_as_here(tmp_path, monkeypatch):
    opts = Options()
    here = runner.run([(str(REPORTS[1]), opts)], jobs=1).results[0]
    started = _forks(monkeypatch)
    monkeypatch.setattr(runner, "BYTES_PER_CHAR", 10 ** 9)   # any ceiling is within reach
    there = runner.run([(str(REPORTS[1]), opts)], jobs=1).results[0]
    assert started == ["_check_in_child"]
    assert there.error is None and _key(there) and _key(there) == _key(here)


class _TooBigAtTheCeiling:
    """Part of a result that cannot be pickled while a memory ceiling is in force (as a
    result of thousands of findings at a tight --max-memory), and pickles as None without."""

    def __reduce__(self):
        if runner._limits._CEILING[0] is not None:
            raise MemoryError
        return (type(None), ())


def _result_too_big_at_the_ceiling(monkeypatch, victim: str) -> None:
    real = runner.check_one

    def check(task, *a, **kw):
        res = real(task, *a, **kw)
        if str(task[0]).endswith(victim):
            res.cross = _TooBigAtTheCeiling()
        return res
    monkeypatch.setattr(runner, "check_one", check)


def test_a_result_too_big_to_pickle_at_the_ceiling_is_sent_with_it_lifted_and_the_worker_leaves(tmp_path, monkeypatch):
    d = _site(tmp_path, n=2, victim="000big.txt")   # checked first
    files = sorted(str(p) for p in d.iterdir())
    plain = runner.run([(p, Options()) for p in files], jobs=1).results
    _result_too_big_at_the_ceiling(monkeypatch, "000big.txt")
    real_start, starts = runner._start, []
    monkeypatch.setattr(runner, "_start", lambda *a: starts.append(1) or real_start(*a))
    out = runner.run([(p, Options()) for p in files], jobs=1)
    assert [r.error for r in out.results] == [None, None, None]
    assert [_key(r) for r in out.results] == [_key(r) for r in plain]
    assert files[0].endswith("000big.txt") and len(starts) == 2   # the worker left; a new one checked the rest


def test_a_result_too_big_to_pickle_at_the_ceiling_comes_back_from_a_check_of_its_own(tmp_path, monkeypatch):
    here = runner.run([(str(REPORTS[1]), Options())], jobs=1).results[0]
    _result_too_big_at_the_ceiling(monkeypatch, REPORTS[1].name)
    monkeypatch.setattr(runner, "BYTES_PER_CHAR", 10 ** 9)   # checked in a process of its own
    there = runner.run([(str(REPORTS[1]), Options())], jobs=1).results[0]
    assert there.error is None and _key(there) == _key(here)


def test_one_text_file_in_this_process_keeps_the_time_limit(tmp_path):
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "validator"]
    t = time.monotonic()
    r = subprocess.run(exe + ["check", "-o", "json", "--timeout", "0.5", "--rules-dir", str(_slow_rules(tmp_path)),
                              str(REPORTS[0])], capture_output=True, timeout=120)
    assert time.monotonic() - t < 30
    assert_clean(r)
    assert [f["rule"] for f in json.loads(r.stdout)["findings"]] == ["P091"]


def test_a_signal_stops_a_check_of_one_file_in_this_process(tmp_path):
    p = _slow_check(tmp_path, "--timeout", "0", REPORTS[0])
    time.sleep(2.0)
    assert not _children(p.pid), "one text file started a worker"
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 143
    text = err.decode("utf-8")
    assert "Traceback" not in text and "已中断" in text and "0/1" in text


def test_one_pdf_stuck_in_native_code_is_killed_after_the_hard_limit(tmp_path, monkeypatch):
    f = tmp_path / "stuck.pdf"
    shutil.copy(PDF, f)

    def stuck():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})   # as inside C code
        time.sleep(60)

    _when_reading(monkeypatch, f, stuck)
    monkeypatch.setattr(runner, "_hard_timeout", lambda opts: 1.0)
    before = set(_children(os.getpid()))
    t = time.monotonic()
    out = runner.run([(str(f), Options(timeout=0.5))], jobs=1)
    assert time.monotonic() - t < 20
    assert [x.rule for x in out.results[0].findings] == ["P091"]
    assert set(_children(os.getpid())) <= before          # the stuck process is gone


def test_one_pdf_gives_the_same_result_alone_as_among_others(tmp_path):
    f = tmp_path / "a.pdf"
    shutil.copy(PDF, f)
    alone = runner.run([(str(f), Options())], jobs=1).results[0]
    among = runner.run([(str(f), Options()), (str(REPORTS[0]), Options())], jobs=2).results[0]
    key = [(x.rule, x.location.line, x.location.column, x.location.where, x.message) for x in alone.findings]
    assert key and key == [(x.rule, x.location.line, x.location.column, x.location.where, x.message) for x in among.findings]
    assert alone.error is None and alone.source.format == among.source.format == "pdf"


def test_a_signal_stops_a_check_of_one_pdf_and_leaves_no_process(tmp_path):
    p = _slow_check(tmp_path, "--timeout", "0", PDF)
    time.sleep(2.5)           # read (in a process of its own), now in the slow rules (here)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 143
    assert "Traceback" not in err.decode("utf-8") and "已中断" in err.decode("utf-8")


def test_a_signal_while_one_pdf_is_read_stops_the_reading_process(tmp_path, monkeypatch):
    import threading

    f = tmp_path / "slow.pdf"
    shutil.copy(PDF, f)
    _when_reading(monkeypatch, f, lambda: time.sleep(60))
    before = set(_children(os.getpid()))
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    t = time.monotonic()
    try:
        out = runner.run([(str(f), Options())], jobs=1)
    finally:
        timer.cancel()
    assert time.monotonic() - t < 10
    assert out.interrupted == "SIGTERM" and out.results == [None]
    assert set(_children(os.getpid())) <= before          # the reading process is gone


def _forks(monkeypatch) -> list:
    """Every process runner._fork starts from now on (its function's name)."""
    started = []
    real = runner._fork

    def counted(fn, *args):
        started.append(fn.__name__)
        return real(fn, *args)
    monkeypatch.setattr(runner, "_fork", counted)
    return started


def _key(res):
    return [(x.rule, x.location.line, x.location.column, x.location.where, x.message) for x in res.findings]


def test_a_pdf_read_ahead_is_taken_up_by_the_run_not_read_twice(tmp_path, monkeypatch):
    f = tmp_path / "a.pdf"
    shutil.copy(PDF, f)
    plain = runner.run([(str(f), Options())], jobs=1).results[0]
    started = _forks(monkeypatch)
    assert runner.read_ahead(str(f), Options(), runner._limits.DEFAULT_MAX_MEMORY)
    assert started == ["_read_in_child"]
    got = runner.run([(str(f), Options())], jobs=1).results[0]
    assert started == ["_read_in_child"]                   # no second reading
    assert got.error is None and _key(got) and _key(got) == _key(plain)
    assert str(f) not in runner._AHEAD


def test_a_text_file_is_not_read_ahead(tmp_path, monkeypatch):
    started = _forks(monkeypatch)
    assert not runner.read_ahead(str(REPORTS[0]), Options(), None)
    assert started == [] and str(REPORTS[0]) not in runner._AHEAD


def test_a_reading_ahead_with_other_settings_is_dropped_and_the_file_read_again(tmp_path, monkeypatch):
    f = tmp_path / "a.pdf"
    shutil.copy(PDF, f)
    started = _forks(monkeypatch)
    before = set(_children(os.getpid()))
    assert runner.read_ahead(str(f), Options(max_chars=10), runner._limits.DEFAULT_MAX_MEMORY)
    got = runner.run([(str(f), Options())], jobs=1).results[0]
    assert started == ["_read_in_child", "_read_in_child"]
    assert got.error is None and "P090" not in {x.rule for x in got.findings}   # read with its own limits
    assert set(_children(os.getpid())) <= before


def test_a_reading_ahead_nobody_takes_up_ends_with_the_command(tmp_path):
    code = ("import sys, time; from validator import runner; from validator.lint import Options\n"
            "import validator.fileread as fr\n"
            "fr.read_file = lambda *a, **k: time.sleep(60)\n"      # a reading that would outlive the command
            f"assert runner.read_ahead({str(PDF)!r}, Options(), None)\n"
            "print(runner._AHEAD[" + repr(str(PDF)) + "].pid, flush=True)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    time.sleep(0.3)
    assert not _alive(int(r.stdout.split()[0]))


def test_the_time_limit_of_a_file_read_elsewhere_counts_from_the_start_of_its_reading():
    from validator.fileread import read_file
    from validator.lint import lint_document
    from validator.rules import load_rules
    doc = read_file(str(REPORTS[0]), None, None, None)
    rules = load_rules(())
    late = lint_document(doc, Options(timeout=5), rules, started=time.monotonic() - 6)
    assert [x.rule for x in late.findings] == ["P091"]
    in_time = lint_document(doc, Options(timeout=5), rules, started=time.monotonic())
    assert "P091" not in {x.rule for x in in_time.findings} and in_time.findings


def test_the_check_command_reads_one_pdf_ahead(tmp_path, monkeypatch):
    f = tmp_path / "a.pdf"
    shutil.copy(PDF, f)
    calls = []
    real = runner.read_ahead
    monkeypatch.setattr(runner, "read_ahead", lambda *a: calls.append(a[0]) or real(*a))
    code, out, _err = _main("check", "-o", "json", "--isolated", f)
    assert calls == [str(f)] and code in (0, 1) and json.loads(out)["findings"]
    calls.clear()
    _main("check", "-o", "json", "--isolated", f, REPORTS[0])         # several files: the pool reads them
    assert calls == []


def test_a_pdf_read_from_stdin_is_read_in_a_process_of_its_own(monkeypatch):
    import validator.fileread as fileread
    data = PDF.read_bytes()
    fine = runner.check_data("<stdin>", data, Options())
    assert fine.error is None and fine.findings
    real = fileread.read_data

    def crash(blob, *a, **kw):   # a crash in the native reader
        if blob[:5] == b"%PDF-":
            import faulthandler
            faulthandler.disable()
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(blob, *a, **kw)

    monkeypatch.setattr(fileread, "read_data", crash)
    out = runner.check_data("<stdin>", data, Options())
    assert "SIGSEGV" in out.error                          # this process lived to say so
    text = runner.check_data("<stdin>", REPORTS[0].read_bytes(), Options())   # text: checked here, no crash
    assert text.error is None and text.findings


# --------------------------------------------------------------------------------------
# the pipe between the main process and a worker (runner._send, runner._receive)
# --------------------------------------------------------------------------------------
def _pipe():
    import socket
    a, b = socket.socketpair()
    return a, b


def test_messages_sent_together_come_in_with_one_read():
    a, b = _pipe()
    with a, b:
        for m in [(0, "一"), (1, {"x": [1, 2]}), None]:
            runner._send(a.fileno(), m)
        assert runner._receive(b.fileno()) == ([(0, "一"), (1, {"x": [1, 2]}), None], True)


def test_a_message_larger_than_a_read_comes_in_whole_and_the_next_one_after_it():
    import threading
    a, b = _pipe()
    big = ("x" * 50 + "数") * (3 * runner._READ // 50)        # several reads long, more than a socket holds
    with a, b:
        t = threading.Thread(target=lambda: (runner._send(a.fileno(), big), runner._send(a.fileno(), "next")))
        t.start()
        got = []
        while len(got) < 2:
            more, still_open = runner._receive(b.fileno())
            assert still_open
            got += more
        t.join()
        assert got == [big, "next"]


def test_a_message_caught_while_being_written_is_read_to_its_end():
    import pickle
    import threading
    a, b = _pipe()
    data = pickle.dumps(("甲", list(range(100))))
    with a, b:
        # the reader finds part of the length, then part of the body, the rest comes later
        for cut in (3, 8 + len(data) // 2):
            framed = len(data).to_bytes(8, "big") + data
            a.sendall(framed[:cut])
            later = threading.Timer(0.2, a.sendall, (framed[cut:],))
            later.start()
            assert runner._receive(b.fileno()) == ([("甲", list(range(100)))], True)
            later.join()


def test_a_closed_pipe_gives_the_whole_messages_before_it_and_says_it_is_closed():
    import pickle
    a, b = _pipe()
    data = pickle.dumps("cut short")
    with b:
        runner._send(a.fileno(), 1)
        runner._send(a.fileno(), 2)
        a.sendall(len(data).to_bytes(8, "big") + data[:5])     # the sender died while writing
        a.close()
        assert runner._receive(b.fileno()) == ([1, 2], False)
        assert runner._receive(b.fileno()) == ([], False)
    a, b = _pipe()
    with b:
        runner._send(a.fileno(), 1)
        a.sendall(b"\0\0")                                      # …within the length
        a.close()
        assert runner._receive(b.fileno()) == ([1], False)


def test_a_worker_is_asked_whether_it_still_runs_only_when_its_sentinel_says_so(tmp_path, monkeypatch):
    """While a worker has files, waitpid (Process.is_alive) is not asked at every result: only
    when the worker's sentinel is readable (it ended).  A worker that dies is still seen."""
    asked = []
    real_start = runner._start

    def start(*a):
        slot = real_start(*a)
        real_is_alive = slot.proc.is_alive

        def is_alive():
            asked.append(len(slot.queue))
            return real_is_alive()
        slot.proc.is_alive = is_alive
        return slot

    monkeypatch.setattr(runner, "_start", start)
    files = sorted(str(p) for p in _site(tmp_path, n=12).iterdir())
    out = runner.run([(p, Options()) for p in files], jobs=2)
    assert [r.path for r in out.results] == files and all(r.error is None for r in out.results)
    assert asked.count(0) == len(asked)     # only for a worker without files (before it is given one, and when stopped)


def test_a_message_goes_out_in_one_write_with_its_length(monkeypatch):
    """Written apart, the length alone would wake the reader, which would then wait for the rest
    (a result of more than 16 kB, which multiprocessing's Connection writes in two)."""
    writes = []
    real_writev = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, bufs: writes.append(len(bufs)) or real_writev(fd, bufs))
    monkeypatch.setattr(os, "write", lambda *a: pytest.fail("a second write"))
    a, b = _pipe()
    with a, b:
        runner._send(a.fileno(), "数" * 40_000)
        assert writes == [2]
        monkeypatch.undo()
        assert runner._receive(b.fileno()) == (["数" * 40_000], True)


def test_a_result_sent_just_before_its_worker_dies_is_kept(tmp_path, monkeypatch):
    """The pipe of a worker that ended is drained before a file is counted lost: the result it
    sent last counts, and only the file it went on to is lost."""
    files = sorted(str(p) for p in _site(tmp_path, n=10, victim="000_last_words.txt").iterdir())
    real_send = runner._send
    me = os.getpid()

    def send(fd, obj, *more):
        real_send(fd, obj, *more)
        if os.getpid() != me and str(obj[1].path).endswith("000_last_words.txt"):   # in the worker
            os.kill(os.getpid(), signal.SIGKILL)

    import selectors

    class Late(selectors.DefaultSelector):
        def select(self, timeout=None):
            super().select(timeout)
            time.sleep(0.2)     # this process looks late: a worker that sent its last result has died by then
            return super().select(0)

    monkeypatch.setattr(runner, "_send", send)
    monkeypatch.setattr(selectors, "DefaultSelector", Late)
    out = runner.run([(p, Options()) for p in files], jobs=2)
    assert [r.path for r in out.results] == files and out.interrupted is None
    last = out.results[files.index(next(f for f in files if f.endswith("000_last_words.txt")))]
    assert last.error is None and last.findings
    lost = [r for r in out.results if r.error]
    assert len(lost) <= 1 and all("SIGKILL" in r.error for r in lost)


# Many files (runner.DEEP, TAIL): the main process waits on the workers' bell, not on their
# pipes; each worker is given several files in one message and rings when it is low.  Shrunk
# here (DEEP 4, TAIL 2) so that a few files are "many".

def _deep(monkeypatch, deep=4, tail=2):
    monkeypatch.setattr(runner, "DEEP", deep)
    monkeypatch.setattr(runner, "TAIL", tail)


def test_with_many_files_left_the_main_process_wakes_for_several_results_at_a_time(tmp_path, monkeypatch):
    """While more than TAIL files a worker are left, a worker is given up to DEEP files in one
    message and this process is woken by its bell (when it is down to LOW files), not by each
    result; the last TAIL files a worker go one at a time as before (DEPTH), to whichever worker
    is free.  Results in the order of the files, on_done once for each."""
    import selectors
    _deep(monkeypatch, deep=6, tail=2)
    sent, wakes, me = [], [], os.getpid()
    real_send = runner._send

    def send(fd, obj, *more):
        real_send(fd, obj, *more)
        if os.getpid() == me:
            sent.append(obj)

    class Counting(selectors.DefaultSelector):
        def select(self, timeout=None):
            got = super().select(timeout)
            wakes.append(len(got))
            return got

    monkeypatch.setattr(runner, "_send", send)
    monkeypatch.setattr(selectors, "DefaultSelector", Counting)
    files = sorted(str(p) for p in _site(tmp_path, n=36).iterdir())
    done = []
    out = runner.run([(p, Options()) for p in files], jobs=2, on_done=done.append)
    assert [r.path for r in out.results] == files and all(r.error is None and r.findings for r in out.results)
    assert sorted(done) == list(range(36))
    lists = [m for m in sent if isinstance(m, list)]
    ones = [m for m in sent if not isinstance(m, list)]
    assert lists[:2] == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]   # DEEP files to each worker at once
    assert all(1 <= len(m) <= 6 for m in lists)
    assert sorted(i for m in lists for i in m) + sorted(ones) == list(range(36))
    # the tail: one at a time, after the last list
    assert ones and ones == sorted(ones) and max(ones) == 35
    assert max(k for k, m in enumerate(sent) if isinstance(m, list)) < min(k for k, m in enumerate(sent) if not isinstance(m, list))
    # a wake-up for every few results while lists are given (per-result waking: ~36)
    assert len(wakes) < 30


def test_a_worker_rings_before_its_unread_results_fill_its_pipe(tmp_path, monkeypatch):
    """Results of hundreds of kB each (more than a pipe holds): the worker rings (RING_BYTES)
    before writing them, so this process reads them at once; it never waits for the 1 s timeout
    of its wait with a worker stuck on a full pipe (no wait of the run ends with nothing to read;
    without the bell most of them would)."""
    import selectors
    _deep(monkeypatch, deep=8, tail=1)
    real = runner.check_one
    empty = []

    class Counting(selectors.DefaultSelector):
        def select(self, timeout=None):
            got = super().select(timeout)
            if not got:
                empty.append(timeout)
            return got

    monkeypatch.setattr(selectors, "DefaultSelector", Counting)

    def bulky(task, *a, **kw):
        res = real(task, *a, **kw)
        res.error = "数" * 200_000      # 600 kB pickled
        return res

    monkeypatch.setattr(runner, "check_one", bulky)
    files = sorted(str(p) for p in _site(tmp_path, n=36).iterdir())
    out = runner.run([(p, Options()) for p in files], jobs=2)
    assert [r.path for r in out.results] == files and all(len(r.error) == 200_000 for r in out.results)
    assert empty == []     # without the bell for bytes: the 1 s timeout, again and again


def test_many_files_a_file_stuck_after_others_is_timed_from_when_its_worker_began_it(tmp_path, monkeypatch):
    """A file stuck after the worker checked others of its list: killed after the hard limit
    counted from when it began it (not from when the list was sent)."""
    import validator.lint as lint
    _deep(monkeypatch, deep=8, tail=1)
    files = sorted(str(p) for p in _site(tmp_path, n=20).iterdir())
    victim = Path(files[5]).name          # the 6th file of the first worker's list
    real = lint.lint_path

    def slow_then_stuck(path, *a, **kw):
        if Path(path).name < victim:
            time.sleep(0.25)              # the five before it: 1.25 s, more than the hard limit
        return real(path, *a, **kw)

    monkeypatch.setattr(lint, "lint_path", _stuck(slow_then_stuck, victim))
    monkeypatch.setattr(runner, "_hard_timeout", lambda opts: 1.0)
    out = runner.run([(p, Options(timeout=0.5)) for p in files], jobs=2)
    assert [r.path for r in out.results] == files and out.interrupted is None
    for p, r in zip(files, out.results):
        if Path(p).name == victim:
            assert [f.rule for f in r.findings] == ["P091"]
        else:
            assert r.error is None and r.findings and "P091" not in {f.rule for f in r.findings}, p


