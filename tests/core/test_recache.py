"""Compiled regular expressions kept between runs (validator/recache.py, issue 15.4): a second
cold check compiles next to none, the stored patterns match exactly as freshly compiled
ones, and a broken, foreign or planted file is never trusted."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_startcache import cache_env
from validator import recache

SEED = "seeds/001_68b1fad5fb482fc8.txt"

# run in a fresh interpreter: count what `re` really compiles during one cold check
COUNTING = r"""
import io, contextlib, sys
import re._compiler as C
compiled = []
orig = C.compile
def counting(p, flags=0):
    compiled.append(p)
    return orig(p, flags)
C.compile = counting
from validator.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(["check", "-o", "json", *sys.argv[1:]])
print(len(compiled), code, len(out.getvalue()))
"""


def cold(cache: Path | None, *files) -> tuple[int, int, int]:
    """(patterns compiled, exit code, size of the JSON report) of a cold check."""
    r = subprocess.run([sys.executable, "-c", COUNTING, *map(str, files)], capture_output=True, text=True,
                       env=cache_env(cache))
    assert r.returncode == 0, r.stderr[-2000:]
    n, code, size = map(int, r.stdout.split())
    return n, code, size


def table_file(cache: Path) -> Path:
    found = sorted(cache.glob("re-*.pickle"))
    assert len(found) == 1, found
    return found[0]


pytestmark = pytest.mark.skipif(not recache._supported(), reason="needs CPython 3.11–3.13's re internals")


def test_a_second_cold_check_compiles_next_to_no_pattern(tmp_path, corpus):
    cache = tmp_path / "cache"
    report = corpus / SEED
    first, code1, size1 = cold(cache, report)     # builds the start-up cache too (validator/startcache.py)
    second, code2, size2 = cold(cache, report)    # loads it: a few patterns of that path are new
    third, code3, size3 = cold(cache, report)
    assert first > 80, first                  # rules, labels, numbers, Lark, argparse …
    assert second < first // 10, second
    assert third <= 3, third                  # (pickle's own pattern, compiled to read the file)
    assert code1 == code2 == code3 == 1 and size1 == size2 == size3
    key, table = pickle.loads(table_file(cache).read_bytes())
    assert table_file(cache).name == f"re-{key}.pickle" and len(table) >= first - 5


def test_patterns_compiled_in_worker_processes_are_kept_too(tmp_path, corpus):
    """A check of several files checks them in worker processes: the patterns only the
    reading, parsing and rules compile are compiled there, and stored from there."""
    cache = tmp_path / "cache"
    a, b = corpus / "reports/009_hongzequ_2023.txt", corpus / "reports/010_hongzequ_2024.txt"
    cold(cache, corpus / SEED)                 # builds the start-up cache (rules, formats)
    table_file(cache).unlink()                 # keep only what the runs below store
    cold(cache, a, b)
    cold(cache, a, b)
    n, code, _ = cold(cache, a)                # one file: checked in this process
    assert code == 1 and n <= 3, n


def test_patterns_a_worker_compiles_after_its_first_file_are_kept_too(tmp_path, corpus):
    """A worker stores what it compiled after its 1st, 2nd, 4th, 8th … file, not only after
    the first: a later file of another rendering (here the 8th, after seven copies of one
    report) needs patterns the first did not, which every worker of every run compiled anew."""
    import shutil
    cache = tmp_path / "cache"
    seed, other = corpus / SEED, corpus / "reports/013_shanghai_kewei_2024.txt"
    cold(cache, seed)                          # builds the start-up cache (rules, formats)
    table_file(cache).unlink()                 # keep only what the runs below store
    batch = tmp_path / "batch"
    batch.mkdir()
    for i in range(7):
        shutil.copy(seed, batch / f"a{i}.txt")
    shutil.copy(other, batch / "z.txt")        # checked 8th by the one worker
    cold(cache, "--jobs", "1", *sorted(batch.glob("*.txt")))
    n, code, _ = cold(cache, batch / "z.txt")  # one file: checked in this process
    assert code == 1 and n <= 3, n


def test_stored_patterns_match_exactly_like_freshly_compiled_ones(tmp_path, corpus):
    import _sre
    from re import _compiler
    cache = tmp_path / "cache"
    cold(cache, corpus / SEED, corpus / "reports/009_hongzequ_2023.txt")
    _key, table = pickle.loads(table_file(cache).read_bytes())
    texts = [(corpus / SEED).read_text(encoding="utf-8"),
             (corpus / "reports/003_pingtan_2021.txt").read_text(encoding="utf-8")[:20000]]
    checked = 0
    for (tname, pattern, flags), (final, code, groups, groupindex, indexgroup) in table.items():
        stored = _sre.compile(pattern, final, list(code), groups, groupindex, indexgroup)
        fresh = _compiler.compile(pattern, flags)
        assert (stored.pattern, stored.flags, stored.groups, dict(stored.groupindex)) == \
            (fresh.pattern, fresh.flags, fresh.groups, dict(fresh.groupindex))
        for text in texts:
            t = text if tname == "str" else text.encode("utf-8")
            assert [m.span() for m in stored.finditer(t)] == [m.span() for m in fresh.finditer(t)], pattern
        checked += 1
    assert checked > 80


def test_findings_are_the_same_with_and_without_the_stored_patterns(tmp_path, corpus):
    files = [corpus / SEED, corpus / "reports/009_hongzequ_2023.txt", corpus / "html/pingtan_2019.html"]
    env = dict(os.environ, XXGK_LINT_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("XXGK_LINT_NO_CACHE", None)

    def check(e):
        return subprocess.run([sys.executable, "-m", "validator", "check", "-o", "json", "--jobs", "1", *map(str, files)],
                              capture_output=True, text=True, env=e)

    plain = check(dict(env, XXGK_LINT_NO_CACHE="1"))
    first = check(env)
    second = check(env)
    assert plain.returncode == first.returncode == second.returncode == 1
    assert plain.stdout == first.stdout == second.stdout and plain.stdout.count('"rule"') > 5


def test_a_corrupt_or_foreign_table_is_ignored(tmp_path, corpus):
    cache = tmp_path / "cache"
    report = corpus / SEED
    cold(cache, report)
    path = table_file(cache)
    path.write_bytes(b"not a pickle")
    n, code, _ = cold(cache, report)
    assert n > 80 and code == 1               # compiled as usual …
    assert pickle.loads(path.read_bytes())    # … and stored again
    # writable by others: not loaded
    os.chmod(path, 0o666)
    n, code, _ = cold(cache, report)
    assert n > 80 and code == 1


def test_an_entry_the_engine_refuses_is_compiled_as_usual(tmp_path, corpus):
    cache = tmp_path / "cache"
    report = corpus / SEED
    cold(cache, report)
    cold(cache, report)
    path = table_file(cache)
    key, table = pickle.loads(path.read_bytes())
    k = next(iter(table))
    final, code, groups, groupindex, indexgroup = table[k]
    table[k] = (final, [999999] * 3, groups, groupindex, indexgroup)      # not valid engine code
    path.write_bytes(pickle.dumps((key, table)))
    os.chmod(path, 0o600)
    n, code_, _ = cold(cache, report)
    assert code_ == 1 and 1 <= n <= 4          # that one pattern (and pickle's) compiled again


def test_nothing_is_written_when_the_cache_is_off(tmp_path, corpus):
    cache = tmp_path / "cache"
    cache.mkdir()
    env = dict(os.environ, XXGK_LINT_CACHE_DIR=str(cache), XXGK_LINT_NO_CACHE="1")
    r = subprocess.run([sys.executable, "-m", "validator", "check", "-o", "concise", str(corpus / SEED)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 1
    assert list(cache.iterdir()) == []


def test_a_pattern_whose_compiling_warns_is_never_stored():
    # saferegex turns such warnings into errors to pick the `regex` engine: it must see them
    with pytest.raises(FutureWarning):
        recache._entry("[[a]", 0)
    final, code, groups, groupindex, indexgroup = recache._entry("a(?P<x>b)c", re.I)
    assert final & re.I and groups == 1 and groupindex == {"x": 1} and indexgroup == (None, "x")


def test_the_key_names_the_python_build(monkeypatch):
    before = recache._key()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    recache._key.cache_clear()
    try:
        assert recache._key() != before
    finally:
        monkeypatch.undo()
        recache._key.cache_clear()


def test_a_pattern_compiled_before_the_preload_is_not_taken_for_a_new_one(tmp_path, monkeypatch):
    """A pattern already in ``re``'s cache when the stored table is loaded (compiled by an
    import) is stored all the same: remember() at the end of the run finds nothing new and
    does not read the table file again (it did at the end of every run, and in every worker)."""
    monkeypatch.setattr(recache, "_loaded", recache._loaded)      # restored after the test
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("XXGK_LINT_NO_CACHE", raising=False)
    # this test's patterns only: what other tests compiled may be more than the table holds
    monkeypatch.setattr(re, "_cache", {})
    pattern = r"xxgk-lint-test-(?:甲|乙)+\d{3}"
    re.compile(pattern)                        # compiled before any preload
    recache.preload()
    assert recache.remember() >= 1            # new: stored
    recache.preload()                          # the next run: the pattern is in re's cache already
    reads = []
    real = recache._read
    monkeypatch.setattr(recache, "_read", lambda path: reads.append(path) or real(path))
    assert recache.remember() == 0
    assert reads == []
    re.compile(pattern + "x")                  # a pattern that really is new is still stored
    assert recache.remember() == 1 and len(reads) == 1


def test_when_re_cache_is_full_the_patterns_stored_longest_ago_go_first(tmp_path, monkeypatch):
    """The table holds the latest run's patterns first; ``re`` keeps at most _MAXCACHE
    patterns and drops the one put into its cache first when it compiles another.  The preload
    puts the table in oldest first, so what a full cache lets go is what was stored longest
    ago — not the patterns the last run needed (then compiled again by every run)."""
    monkeypatch.setattr(recache, "_loaded", recache._loaded)
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("XXGK_LINT_NO_CACHE", raising=False)
    n = re._MAXCACHE + 40
    patterns = [f"xxgk-lint-evict-{i}-(?:甲|乙)+" for i in range(n)]      # [0]: the newest
    table = {("str", p, 0): recache._entry(p, 0) for p in patterns}
    monkeypatch.setattr(recache, "_read", lambda path: dict(table))
    monkeypatch.setattr(re, "_cache", {})
    assert recache.preload() == n
    for i in range(60):                        # a run compiles patterns the table does not hold
        re.compile(f"xxgk-lint-other-{i}-(?:丙|丁)+")
    cache = re._cache
    assert all((str, p, 0) in cache for p in patterns[:n - 60])    # the newest are all still there
    assert not any((str, p, 0) in cache for p in patterns[n - 60:])
