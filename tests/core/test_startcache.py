"""Rules and formats kept between runs (validator/startcache.py, issue 15.4): the same
findings as a load from the files, a changed rule file always validated again, a broken or
planted cache never trusted, nothing written outside the cache directory."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROVINCE_RULE

REPORTS = ["reports/003_pingtan_2021.txt", "reports/001_pingtan_2019.txt", "reports/011_huaian_2024.txt",
           "reports/008_pingtan_2018.txt", "seeds/001_68b1fad5fb482fc8.txt"]


def cache_env(cache: Path | None) -> dict:
    """The environment of a run with its own cache directory (None: the cache turned off)."""
    env = dict(os.environ)
    env.pop("XXGK_LINT_NO_CACHE", None)
    if cache is None:
        env["XXGK_LINT_NO_CACHE"] = "1"
    else:
        env["XXGK_LINT_CACHE_DIR"] = str(cache)
    return env


def run(args, cache: Path | None, cwd=None):
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True,
                          env=cache_env(cache), cwd=cwd)


def pickles(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pickle"))


def test_cached_rules_and_formats_give_the_same_findings(tmp_path, corpus):
    cache = tmp_path / "cache"
    files = [str(corpus / r) for r in REPORTS]
    plain = run(["check", "-o", "json", *files], None)
    first = run(["check", "-o", "json", *files], cache)      # loads the files, stores them
    names = [p.name for p in pickles(cache)]
    assert any(n.startswith("rules-") for n in names) and any(n.startswith("formats-") for n in names)
    second = run(["check", "-o", "json", *files], cache)     # from the cache
    assert plain.returncode == first.returncode == second.returncode == 1
    assert plain.stdout == first.stdout == second.stdout and plain.stdout.count('"rule"') > 10
    assert [p.name for p in pickles(cache)] == names      # nothing new: the cache was used


def test_a_changed_rule_file_is_validated_again_even_with_its_old_mtime(tmp_path, corpus):
    cache = tmp_path / "cache"
    d = tmp_path / "rules"
    d.mkdir()
    rule = d / "mine.yaml"
    rule.write_text("\n" + PROVINCE_RULE, encoding="utf-8")
    report = str(corpus / "seeds/001_68b1fad5fb482fc8.txt")
    ok = run(["check", "--rules-dir", str(d), "-o", "concise", report], cache)
    assert "Z901" in ok.stdout and "自然人: 40 != 38" in ok.stdout
    st = rule.stat()
    bad = ("\n" + PROVINCE_RULE).replace("severity: warning", "severity: fatall")
    rule.write_text(bad, encoding="utf-8")
    os.utime(rule, ns=(st.st_atime_ns, st.st_mtime_ns))    # same time stamp, other bytes
    r = run(["check", "--rules-dir", str(d), "-o", "concise", report], cache)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and f"{rule}:" in r.stderr and "未知的严重程度" in r.stderr
    again = run(["check", "--rules-dir", str(d), "-o", "concise", report], cache)   # an error is never cached
    assert again.returncode == 2 and again.stderr == r.stderr
    rule.write_text(("\n" + PROVINCE_RULE).replace("{column}: {lhs} != {rhs}", "{column}：{lhs} ≠ {rhs}"),
                    encoding="utf-8")
    fixed = run(["check", "--rules-dir", str(d), "-o", "concise", report], cache)
    assert "自然人：40 ≠ 38" in fixed.stdout and "自然人: 40 != 38" not in fixed.stdout


def test_a_corrupt_cache_is_ignored_and_replaced(tmp_path, corpus):
    cache = tmp_path / "cache"
    report = str(corpus / "reports/003_pingtan_2021.txt")
    good = run(["check", "-o", "json", report], cache)
    for p in pickles(cache):
        p.write_bytes(b"\x80\x05 not a pickle")
    r = run(["check", "-o", "json", report], cache)
    assert r.returncode == good.returncode and r.stdout == good.stdout and r.stderr == ""
    for p in pickles(cache):
        key, _value = pickle.loads(p.read_bytes())       # rewritten whole
        assert p.name.endswith(f"-{key}.pickle")


def test_a_planted_pickle_is_not_loaded(tmp_path, corpus):
    """A cache file another user could have written (not ours, or writable by others) is
    never unpickled: a pickle runs code when loaded."""
    cache = tmp_path / "cache"
    report = str(corpus / "reports/003_pingtan_2021.txt")
    good = run(["check", "-o", "json", report], cache)
    marker = tmp_path / "pwned"

    class Plant:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for p in pickles(cache):
        p.write_bytes(pickle.dumps(Plant()))
        p.chmod(0o666)
    r = run(["check", "-o", "json", report], cache)
    assert r.stdout == good.stdout and not marker.exists()


def test_no_cache_and_an_unusable_cache_directory(tmp_path, corpus):
    report = tmp_path / "report.txt"
    report.write_bytes((corpus / "reports/003_pingtan_2021.txt").read_bytes())
    before = sorted(os.listdir(tmp_path))
    off = run(["check", "-o", "json", str(report)], None)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    r = run(["check", "-o", "json", str(report)], blocked / "cache")    # cannot be created
    assert r.returncode == off.returncode and r.stdout == off.stdout and r.stderr == ""
    assert sorted(os.listdir(tmp_path)) == sorted(before + ["a-file"])   # nothing next to the report


def test_a_cached_pattern_is_compiled_again_on_first_use_and_matches_the_same(corpus):
    """A cached rule keeps its pattern's text only; compiled again on first use it matches
    exactly as the original."""
    from validator import saferegex
    text = (corpus / "reports/003_pingtan_2021.txt").read_text(encoding="utf-8")
    with saferegex.trusted_patterns():
        p = saferegex.compile_safe(r"(?P<n>\d+)\s*(?P<unit>件|条|个)|\x{3000}+")
    q = pickle.loads(pickle.dumps(p))
    assert q._pattern is None and q.pattern == p.pattern and q.engine == "trusted"
    want = [(m.span(), m.groupdict()) for m in p.finditer(text)]
    assert want and [(m.span(), m.groupdict()) for m in q.finditer(text)] == want


def test_compiled_grammar_caches_are_pruned_to_the_newest_sixteen(tmp_path, monkeypatch):
    # every changed format or Lark version writes a new compiled grammar: old ones must not
    # pile up in ~/.cache/xxgk-lint forever
    import os

    from validator import larkcache
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(cache))
    larkcache.cache_dir.cache_clear()
    try:
        for k in range(20):
            old = cache / f"tiny-{k:016x}.lark"
            old.write_bytes(b"stale")
            os.utime(old, ns=(k * 10**9, k * 10**9))
        (cache / "other-0000000000000000.lark").write_bytes(b"another grammar's")
        parser = larkcache.lark("tiny", 'start: "a"', parser="lalr")
        assert parser.parse("a") is not None
        left = sorted(p.name for p in cache.glob("tiny-*.lark"))
        assert len(left) == 16
        gone = {f"tiny-{k:016x}.lark" for k in range(5)}                # 20 old + 1 new: the 5 oldest go
        assert not gone & set(left)
        assert (cache / "other-0000000000000000.lark").exists()      # other grammars are left alone
        assert len([n for n in left if (cache / n).read_bytes() != b"stale"]) == 1   # the new one stays
    finally:
        larkcache.cache_dir.cache_clear()


def test_the_cache_key_names_the_installed_versions_of_lark_and_regex_without_importing_them():
    import lark
    import regex

    from validator.startcache import _installed
    assert _installed("lark") == f"lark-{lark.__version__}.dist-info"
    assert _installed("regex").startswith("regex-") and regex.__version__ in _installed("regex")
