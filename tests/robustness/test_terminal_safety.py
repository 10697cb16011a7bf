"""Control characters from a report or a file name never reach the terminal or CI log raw
(issue 16.6): every text output escapes them with the one shared function
(validator/reporters/safe.py), and JUnit stays well-formed XML."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from validator.reporters.safe import safe_text

from .conftest import EXE, assert_clean, cli

INJECT = Path(__file__).parent / "data" / "hostile_inputs" / "ansi_inject.txt"
RAW = ("\x1b[2J", "\x1b]0;", "\x07", "\u202e", "\x9b")


def test_safe_text_shows_controls_and_keeps_chinese():
    assert safe_text("本年\x1b[2J新收\u202e，\r\n") == "本年\\x1b[2J新收\\u202e，\\x0d\\x0a"
    assert safe_text("a\tb", keep="\t") == "a\tb"
    assert safe_text("\ud800") == "\\ud800"                 # a lone surrogate can be encoded
    assert safe_text("政府信息公开（一）") == "政府信息公开（一）"


@pytest.mark.parametrize("fmt", ["concise", "github", "junit"])
def test_report_text_is_escaped_in_every_text_output(fmt, tmp_path):
    # the file name carries a sequence too
    path = tmp_path / "report\x1b[31m.txt"
    shutil.copy(INJECT, path)
    r = cli("check", "-o", fmt, path)
    assert_clean(r)
    out = r.stdout.decode("utf-8")
    for seq in RAW + ("\x1b",):
        assert seq not in out, (fmt, seq)
    assert "\\x1b" in out
    if fmt == "junit":
        ET.fromstring(out.split("\n", 1)[1])


def test_rich_output_on_a_terminal_keeps_its_own_colours_only(tmp_path):
    path = tmp_path / "report.txt"
    shutil.copy(INJECT, path)
    # without the checkout's own venv (a git worktree): the interpreter running the tests
    exe = EXE if EXE.exists() else f"{shlex.quote(sys.executable)} -m validator"
    r = subprocess.run(["script", "-qec", f"{exe} check --output-format rich '{path}'", "/dev/null"],
                       capture_output=True, timeout=120)
    out = r.stdout.decode("utf-8", "replace")
    assert "\x1b[" in out            # rich's own styling is there …
    for seq in RAW:                   # … the report's sequences are not
        assert seq not in out, seq
    assert "\\x1b]0;PWNED-TITLE\\x07" in out or "\\x1b[2J" in out
