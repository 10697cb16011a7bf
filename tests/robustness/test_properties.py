"""Property-based robustness (issue 6): whatever goes in — arbitrary text, arbitrary bytes,
mutated real reports, tables of random shape — the whole pipeline (read → normalise → parse
→ rules → reporters) answers with findings or a clean ReadError, never an exception, never
a hang (a per-file time limit turns a hang into P091, which fails the property).

Examples per property are bounded by the hypothesis profile (tests/robustness/conftest.py).
"""

from __future__ import annotations

import io
import json
import re
from functools import lru_cache
from pathlib import Path

from hypothesis import given, strategies as st

from validator.findings import CATEGORIES, SEVERITIES
from validator.lint import Options, lint_bytes
from validator.readers import ReadError
from validator.reporters import get as reporter

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
OPTS = Options(timeout=20)
NAMES = ["r.txt", "r.md", "r.html", "r.htm", "r.pdf", "r.docx", "r", "报告.TXT"]


@lru_cache(maxsize=1)
def corpus_texts() -> list[str]:
    files = sorted((CORPUS / "reports").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in files]


def check_result(data: bytes, name: str = "r.txt", opts: Options = OPTS):
    """Run the pipeline and the reporters; return the Result, or None for a clean ReadError."""
    try:
        res = lint_bytes(data, name, opts)
    except ReadError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg.strip(), msg
        return None
    assert isinstance(res.findings, list)
    assert not any(f.rule == "P091" for f in res.findings), "the pipeline hung (time limit hit)"
    for f in res.findings:
        assert f.severity in SEVERITIES and f.category in CATEGORIES
        assert f.location.line >= 1 and f.location.column >= 1
        assert isinstance(f.message, str) and f.message
    out = io.StringIO()
    reporter("concise")([res], out, lang="zh")
    out = io.StringIO()
    reporter("json")([res], out, lang="en")
    json.loads(out.getvalue())
    return res


# --------------------------------------------------------------------------------------
# arbitrary input
# --------------------------------------------------------------------------------------
@given(st.text(max_size=3000), st.sampled_from(NAMES))
def test_arbitrary_text(text, name):
    check_result(text.encode("utf-8", "surrogatepass"), name)


_REPORT_ALPHABET = st.sampled_from(list("一二三四五六七八九十、（）()|.:：。 \n\t0123456789—-/年月日"
                                        "政府信息公开工作年度报告总体情况主动申请行政复议诉讼本列数据申请人自然人总计"))


@given(st.text(alphabet=_REPORT_ALPHABET, max_size=4000))
def test_text_made_of_report_characters(text):
    check_result(text.encode("utf-8"), "r.txt")


@given(st.binary(max_size=4000), st.sampled_from(NAMES))
def test_arbitrary_bytes(data, name):
    check_result(data, name)


@given(st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe",
                        b"{\\rtf1", b"\x89PNG\r\n\x1a\n", b"<?xml version='1.0'?>"]),
       st.binary(max_size=3000), st.sampled_from(NAMES))
def test_bytes_with_a_magic_prefix(prefix, rest, name):
    """Truncated or corrupt files that look like PDF, DOCX, HTML, UTF-16 … at first sight."""
    check_result(prefix + rest, name)


@given(st.text(max_size=2000), st.sampled_from(["gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-8-sig"]))
def test_other_encodings(text, enc):
    check_result(text.encode(enc, "replace"), "r.txt")


# --------------------------------------------------------------------------------------
# mutations of the real reports
# --------------------------------------------------------------------------------------
_SECTION = re.compile(r"(?m)^[ \t]*[一二三四五六七八九十]{1,2}[、.]")


def _mutate(text: str, data) -> str:
    lines = text.split("\n")
    ops = data.draw(st.lists(st.sampled_from(["delete", "duplicate", "swap_sections", "digit", "truncate_table",
                                              "truncate", "join", "split", "junk", "shuffle_lines"]),
                             min_size=1, max_size=6), label="ops")
    for op in ops:
        if not lines:
            lines = [""]
        n = len(lines)
        if op == "delete":
            i = data.draw(st.integers(0, n - 1))
            k = data.draw(st.integers(1, 20))
            del lines[i:i + k]
        elif op == "duplicate":
            i = data.draw(st.integers(0, n - 1))
            k = data.draw(st.integers(1, 10))
            lines[i:i] = lines[i:i + k] * data.draw(st.integers(1, 3))
        elif op == "swap_sections":
            t = "\n".join(lines)
            starts = [m.start() for m in _SECTION.finditer(t)]
            if len(starts) >= 2:
                bounds = starts + [len(t)]
                parts = [t[:starts[0]]] + [t[bounds[j]:bounds[j + 1]] for j in range(len(starts))]
                a = data.draw(st.integers(1, len(parts) - 1))
                b = data.draw(st.integers(1, len(parts) - 1))
                parts[a], parts[b] = parts[b], parts[a]
                lines = "".join(parts).split("\n")
        elif op == "digit":
            t = "\n".join(lines)
            pos = [m.start() for m in re.finditer(r"\d", t)]
            for _ in range(data.draw(st.integers(1, 12))):
                if not pos:
                    break
                p = data.draw(st.sampled_from(pos))
                t = t[:p] + data.draw(st.sampled_from(list("0123456789") + ["", "99", " ", "|", "—"])) + t[p + 1:]
                pos = [m.start() for m in re.finditer(r"\d", t)]
            lines = t.split("\n")
        elif op == "truncate_table":
            # cut a table: drop the lines from a table-ish line (digits or pipes) onwards for a while
            cand = [j for j, ln in enumerate(lines) if "|" in ln or re.search(r"\d\s+\d", ln)]
            if cand:
                i = data.draw(st.sampled_from(cand))
                k = data.draw(st.integers(1, 40))
                cut = data.draw(st.integers(0, max(0, len(lines[i]) - 1)))
                lines[i] = lines[i][:cut]
                del lines[i + 1:i + 1 + k]
        elif op == "truncate":
            t = "\n".join(lines)
            lines = t[:data.draw(st.integers(0, len(t)))].split("\n")
        elif op == "join":
            lines = [" ".join(lines)] if data.draw(st.booleans()) else ["".join(lines)]
        elif op == "split":
            t = "\n".join(lines)
            width = data.draw(st.integers(1, 80))
            lines = [t[j:j + width] for j in range(0, len(t), width)]
        elif op == "junk":
            i = data.draw(st.integers(0, n))
            lines.insert(i, data.draw(st.text(max_size=200)))
        elif op == "shuffle_lines":
            i = data.draw(st.integers(0, n - 1))
            j = data.draw(st.integers(0, n - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@given(st.data())
def test_mutated_corpus_reports(data):
    texts = corpus_texts()
    text = texts[data.draw(st.integers(0, len(texts) - 1), label="report")]
    mutated = _mutate(text, data)
    check_result(mutated.encode("utf-8", "surrogatepass"), "r.txt")


@given(st.data())
def test_mutated_corpus_reports_forced_templates(data):
    texts = corpus_texts()
    text = _mutate(texts[data.draw(st.integers(0, len(texts) - 1))], data)
    tpl = data.draw(st.sampled_from(["2019", "2021", None]))
    check_result(text.encode("utf-8", "surrogatepass"), "r.txt", Options(template=tpl, timeout=20))


# --------------------------------------------------------------------------------------
# tables of random shape, with the template's own labels
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _labels():
    from validator.templates import load_formats
    out = {}
    for f in load_formats().values():
        for t in f.tables:
            out.setdefault(t.key, []).extend(sp.label for sp in t.labels)
    return {k: sorted(set(v)) for k, v in out.items()}


_CELL = st.one_of(st.integers(0, 2000).map(str), st.just(""), st.sampled_from(["—", "-", "/", "无", "不适用", "0"]),
                  st.text(alphabet="0123456789", min_size=2, max_size=14),  # run-together digits
                  st.floats(0, 1e6, allow_nan=False).map(lambda v: f"{v:.2f}"),
                  st.text(max_size=6))


@given(st.data())
def test_random_table_shapes(data):
    labels = _labels()
    year = data.draw(st.sampled_from([2019, 2020, 2021, 2023, 2025]))
    sep = data.draw(st.sampled_from([" | ", "|", "  ", "\t", " ", "", "\n"]))
    row_end = data.draw(st.sampled_from(["\n", " |\n", "", " "]))
    parts = [f"{year}年政府信息公开工作年度报告", "一、总体情况", "本机关认真贯彻落实《条例》。"]
    sections = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    for sec, tkey in zip(sections, ["表二", "表三", "表四"]):
        parts.append(sec)
        if data.draw(st.booleans()):
            continue  # this table is missing
        rows = data.draw(st.lists(st.tuples(st.sampled_from(labels[tkey]), st.lists(_CELL, max_size=16)),
                                  max_size=30))
        lines = [sep.join([lab] + cells) + row_end for lab, cells in rows]
        parts.append("".join(lines) if row_end else " ".join(lines))
    parts += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。", "某某县人民政府", f"{year + 1}年1月20日"]
    text = "\n".join(parts)
    check_result(text.encode("utf-8"), data.draw(st.sampled_from(["r.txt", "r.md"])))


@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=12), min_size=1, max_size=8),
       st.integers(1, 12))
def test_splitter_never_explodes(tokens, n):
    """The run-together-digit splitter is bounded whatever the tokens and column count."""
    from validator.parse import split_run_together
    res = split_run_together(tokens, n, [(list(range(n - 1)), n - 1)] if n > 1 else [])
    if res.unique is not None:  # one list of pieces per token, n pieces in all, nothing lost
        assert len(res.unique) == len(tokens)
        assert ["".join(p) for p in res.unique] == tokens
        assert sum(len(p) for p in res.unique) == n
