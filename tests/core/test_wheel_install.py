"""`pip install .` (a real wheel, not editable) ships the grammars and rules: build the wheel,
install it into a fresh virtual environment and check a real report with it."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the checkout, which the installed tool must not use


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_checks_a_real_report(tmp_path, corpus, built_wheel):
    wheel = built_wheel
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    # as a user's shell runs it: a PYTHONPATH of the test run (a checkout put first) would make the
    # fresh venv import that checkout instead of the installed wheel
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, env=clean)
    out = subprocess.run([str(env / "bin" / "xxgk-lint"), "check", "-o", "concise",
                          str(corpus / "seeds/001_68b1fad5fb482fc8.txt")], capture_output=True, text=True,
                         cwd=tmp_path, env=clean)
    assert out.returncode == 1, out.stderr
    assert "A301" in out.stdout and "A303" in out.stdout
    # the data came from inside the installed package, not from this checkout
    where = subprocess.run([str(py), "-c", "from validator.resources import rules_dir, grammar_dir;"
                            "print(rules_dir()); print(grammar_dir())"], capture_output=True, text=True, cwd=tmp_path, env=clean)
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout
