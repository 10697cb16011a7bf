"""`pip install .` ships the page's assets: every file of validator/web/static is in the wheel."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_ships_web_assets(built_wheel):
    wheel = built_wheel
    names = set(zipfile.ZipFile(wheel).namelist())
    static = sorted(p.name for p in (ROOT / "validator" / "web" / "static").iterdir() if p.is_file())
    assert static, "no assets?"
    for name in static:
        assert f"validator/web/static/{name}" in names, name
    for mod in ("__init__.py", "app.py", "engine.py", "printable.py", "worker.py", "_child.py"):
        assert f"validator/web/{mod}" in names
