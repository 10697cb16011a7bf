"""A baseline of known findings, so a site can adopt the gate on old reports and fail only on
new problems:

    xxgk-lint check --write-baseline .xxgk-lint-baseline.json 年报/   # once: record what is there
    xxgk-lint check --baseline .xxgk-lint-baseline.json 年报/         # then: only new findings

A finding is known when the baseline holds its fingerprint — the one SARIF carries in
``partialFingerprints`` (``xxgkLint/v1``): rule, file, table, row, column and the Chinese
message, never the line, so a finding keeps its fingerprint when lines are added above it;
a changed number changes the message and so makes a new finding.  Paths are stored relative
to the baseline file's directory (with ``/``), so the baseline works from any directory and
on any system.  The same finding twice in a file is recorded with ``count``.

File format (JSON, version 1; sorted, so a change shows as a small diff):

    {"version": 1, "tool": "xxgk-lint",
     "findings": [{"fingerprint": "9f2c…", "path": "年报/2023.txt", "rule": "A301",
                   "message": "表三「自然人」列不平衡：…", "count": 1}, …]}

``rule`` and ``message`` are there for people reviewing the file; matching uses the
fingerprint only.  Blank cells are recorded cell by cell (before they are folded into one
finding per table), so filling one cell or blanking another is seen.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path, PurePath

from .i18n import msg

VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read or written (a one-line message)."""


def fingerprint(f, path: str | None = None) -> str:
    key = "\x1f".join(str(x) for x in (f.rule, f.path if path is None else path, f.table, f.row, f.column,
                                        f.message))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _rel(path: str, base: Path) -> str:
    """path relative to the baseline's directory, with forward slashes; names that are not
    files (<stdin>) stay as they are."""
    if path.startswith("<") or path == "-":
        return path
    try:
        rel = os.path.relpath(os.path.abspath(path), base)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    return PurePath(rel).as_posix()


class Baseline:
    def __init__(self, path: str, counts: Counter, entries: list[dict]):
        self.path = path
        self.base = Path(path).resolve().parent
        self.counts = counts
        self.entries = entries

    @classmethod
    def load(cls, path: str) -> "Baseline":
        import json     # only with --baseline (a plain check does not load it)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(msg("{p}: 基线文件不存在（先用 --write-baseline {p} 生成）",
                                    "{p}: no such baseline file (make one with --write-baseline {p})", p=path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(msg("{p}: 无法读取基线文件（{e}）", "{p}: cannot read the baseline file ({e})", p=path, e=exc)) from None
        except json.JSONDecodeError as exc:
            raise BaselineError(msg("{p}: 基线文件不是有效的 JSON（第{l}行：{e}）", "{p}: the baseline file is not valid JSON (line {l}: {e})",
                                    p=path, l=exc.lineno, e=exc.msg)) from None
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
            raise BaselineError(msg('{p}: 不是 xxgk-lint 基线文件（应有 "version": 1 和 "findings" 列表）',
                                    '{p}: not an xxgk-lint baseline file (it should have "version": 1 and a "findings" list)', p=path))
        counts: Counter = Counter()
        for i, e in enumerate(data["findings"], 1):
            if not isinstance(e, dict) or not isinstance(e.get("fingerprint"), str):
                raise BaselineError(msg("{p}: 第{i}条记录缺少 fingerprint", "{p}: entry {i} has no fingerprint", p=path, i=i))
            n = e.get("count", 1)
            counts[e["fingerprint"]] += n if isinstance(n, int) and n > 0 else 1
        return cls(path, counts, data["findings"])

    def key(self, f) -> str:
        return fingerprint(f, _rel(f.path, self.base))

    def split(self, findings: list) -> tuple[list, int]:
        """(new findings, how many were known).  Call once per file, files in a fixed order."""
        new, known = [], 0
        for f in findings:
            k = self.key(f)
            if self.counts.get(k, 0) > 0:
                self.counts[k] -= 1
                known += 1
            else:
                new.append(f)
        return new, known


def write(path: str, results) -> int:
    """Write every finding of results (files in their order) as the baseline; returns how many."""
    base = Path(path).resolve().parent
    rows: dict[str, dict] = {}
    n = 0
    for r in results:
        for f in r.findings:
            p = _rel(f.path, base)
            k = fingerprint(f, p)
            if k in rows:
                rows[k]["count"] += 1
            else:
                rows[k] = {"fingerprint": k, "path": p, "rule": f.rule, "message": f.message, "count": 1}
            n += 1
    doc = {"version": VERSION, "tool": "xxgk-lint",
           "findings": sorted(rows.values(), key=lambda e: (e["path"], e["rule"], e["message"], e["fingerprint"]))}
    import json
    try:
        Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(msg("{p}: 无法写入基线文件（{e}）", "{p}: cannot write the baseline file ({e})", p=path, e=exc.strerror or exc)) from None
    return n
