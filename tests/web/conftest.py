"""Fixtures for the web page tests: a real `xxgk-lint serve` process and headless Debian chromium.

The browser is Debian's /usr/bin/chromium (scripts/install-browser.sh installs it); Playwright
never downloads one.  When it is missing or does not start, the browser tests SKIP with the
reason, a warning, and a red block in the terminal summary — never silently.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("XXGK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

_SKIPPED: list[str] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, proc, url, first_line):
        self.proc = proc
        self.url = url
        self.first_line = first_line


def start_server(extra_env: dict | None = None) -> Server:
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", **(extra_env or {}))
    proc = subprocess.Popen([sys.executable, "-m", "validator", "serve", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    first = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+/)", first)
    if not m:
        proc.kill()
        rest = proc.stdout.read()
        raise RuntimeError(f"xxgk-lint serve did not start: {first}{rest}")
    url = m.group(1)
    import httpx
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if httpx.get(url + "healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return Server(proc, url, first)


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        server.proc.kill()


@pytest.fixture(scope="session")
def live_server():
    srv = start_server()
    yield srv
    stop_server(srv)


def _skip_loudly(reason: str):
    msg = f"BROWSER TESTS SKIPPED: {reason}"
    if msg not in _SKIPPED:
        _SKIPPED.append(msg)
        warnings.warn(msg, UserWarning, stacklevel=2)
        print(f"\n!!! {msg}", file=sys.stderr)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _skip_loudly(f"{CHROMIUM} not found (run scripts/install-browser.sh as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover
        _skip_loudly(f"the playwright package is not installed ({exc})")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60000)
    except Exception as exc:
        pw.stop()
        _skip_loudly(f"chromium did not start: {str(exc).splitlines()[0]}")
    yield b
    b.close()
    pw.stop()


def new_page(browser, live_server, width=1400):
    """(context, page) on the live server; the page's JavaScript errors collect in pg.js_errors."""
    ctx = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True, locale="zh-CN")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.js_errors = errors
    pg.goto(live_server.url)
    return ctx, pg


@pytest.fixture()
def page(browser, live_server):
    ctx, pg = new_page(browser, live_server)
    yield pg
    ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _SKIPPED:
        tr = terminalreporter
        tr.write_sep("!", "BROWSER TESTS WERE SKIPPED", red=True, bold=True)
        for m in _SKIPPED:
            tr.write_line(m, red=True, bold=True)
        tr.write_line("Install Debian's chromium with scripts/install-browser.sh (as root) to run them.", red=True)
