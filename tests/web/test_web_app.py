"""Fast tests of the web page's server (no browser): upload, paste, escaping, CSRF, limits,
static files, the time limit, and that the page uses the CLI's engine and JSON schema."""

from __future__ import annotations

import io
import json
import re
import socket
import tempfile
import warnings
from argparse import Namespace
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from starlette.testclient import TestClient  # noqa: E402

from validator.web import create_app, serve  # noqa: E402
from validator.web.worker import CheckPool, CheckTimeout  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED1 = CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt"
SCRIPT_REPORT = """三都水族自治县人民政府2019年政府信息公开工作年度报告
<script>alert(1)</script>
一、总体情况
本机关<img src=x onerror=alert(2)>积极推进政务公开。
"""

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx.*")


def _client(**kw) -> TestClient:
    kw.setdefault("workers", 0)
    kw.setdefault("allowed_hosts", ["testserver"])
    return TestClient(create_app(**kw))


def _token(c: TestClient) -> str:
    r = c.get("/")
    assert r.status_code == 200
    m = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', r.text)
    assert m, "the form carries the CSRF token"
    assert c.cookies.get("xxgk_csrf") == m.group(1)
    return m.group(1)


def _upload(c, path: Path, token=None, **fields):
    data = {"csrf_token": token if token is not None else _token(c), "template": "auto", "issuer_kind": "auto", **fields}
    return c.post("/api/check", data=data, files={"file": (path.name, path.read_bytes(), "application/octet-stream")})


@pytest.fixture(scope="module")
def client():
    with _client() as c:
        yield c


def test_index_is_chinese_self_contained_and_strict(client):
    r = client.get("/")
    assert "政府信息公开工作年度报告检查" in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    # no CDN, no external resource, no inline script
    assert not re.search(r'(src|href)="(https?:)?//', r.text)
    assert re.findall(r"<script[^>]*>", r.text) == ['<script src="/static/app.js" defer>']
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie


def test_static_assets_and_no_traversal(client):
    for name, ctype in (("app.js", "javascript"), ("app.css", "text/css"), ("favicon.svg", "svg")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and ctype in r.headers["content-type"]
    assert "http://" not in client.get("/static/app.js").text.replace("http://127", "")
    for bad in ("/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e%2fapp.py", "/static/..%5capp.py",
                "/static/....//app.py", "/static/%2e%2e/%2e%2e/cli.py", "/static/_child.py", "/static/index.html",
                "/static/", "/static/%2fetc%2fpasswd", "/static//etc/passwd", "/../pyproject.toml"):
        r = client.get(bad)
        assert r.status_code == 404, bad
        assert "import" not in r.text and "root:" not in r.text


def test_upload_seed001_marks_table3_naturalperson_cells(client):
    r = _upload(client, SEED1)
    assert r.status_code == 200, r.text
    out = r.json()
    view = out["view"]
    assert view["file"]["template"] == "2019"
    errors = [f for f in view["findings"] if f["severity"] == "error"]
    assert sorted(f["rule"] for f in errors) == ["A301", "A303"]
    t3 = next(t for t in view["tables"] if t["key"] == "表三")
    cells = {c["id"]: (r["key"], c["column"]) for g in t3["grids"] for r in g["rows"] for c in r["cells"]}
    for f in errors:
        assert cells[f["target"]][1] == "自然人", f
        sides = {x["role"] for x in f["related"]} | {f["anchor_side"]}
        assert {"lhs", "rhs"} <= sides
        assert all(cells[x["id"]][1] == "自然人" for x in f["related"])
    a301 = next(f for f in errors if f["rule"] == "A301")
    assert cells[a301["target"]] == ("本年新收", "自然人") and a301["anchor_side"] == "lhs"
    rhs = {cells[x["id"]][0] for x in a301["related"] if x["role"] == "rhs"}
    assert rhs == {"办理结果总计", "结转下年度"}
    a303 = next(f for f in errors if f["rule"] == "A303")
    assert cells[a303["target"]] == ("办理结果总计", "自然人")
    # nothing red on 表四
    t4 = next(t for t in view["tables"] if t["key"] == "表四")
    t4_ids = {c["id"] for g in t4["grids"] for r in g["rows"] for c in r["cells"]} | \
             {r["id"] + "-h" for g in t4["grids"] for r in g["rows"]}
    assert not any(m["severity"] == "error" for cid in t4_ids for m in view["cell_marks"].get(cid, []))
    # 表四 is a real 15-column grid
    assert len(t4["grids"][0]["columns"]) == 15


def test_same_engine_and_json_schema_as_cli(client, capsys):
    from validator.cli import main
    r = _upload(client, SEED1)
    doc = r.json()["document"]
    main(["check", str(SEED1), "-o", "json", "--exit-zero"])
    cli = json.loads(capsys.readouterr().out)
    assert set(doc) == set(cli) and doc["version"] == cli["version"]
    strip = lambda fs: [{k: v for k, v in f.items() if k != "path"} for f in fs]  # noqa: E731
    assert strip(doc["findings"]) == strip(cli["findings"])
    assert doc["summary"] == cli["summary"]
    assert doc["files"][0]["path"] == SEED1.name


def test_paste_script_is_data_and_escaped_in_record(client):
    tok = _token(client)
    r = client.post("/api/check", data={"csrf_token": tok, "text": SCRIPT_REPORT, "template": "2019", "issuer_kind": "auto"})
    assert r.status_code == 200, r.text
    out = r.json()
    texts = "\n".join(b.get("text", "") for b in out["view"]["blocks"])
    assert "<script>alert(1)</script>" in texts   # kept as text; the page puts it in textContent
    html = out["print_html"]
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<script" not in html.lower()
    assert "default-src 'none'" in html            # the saved record cannot run anything either
    assert out["view"]["file"]["name"] == "粘贴的文本.txt"


def test_printable_record(client):
    out = _upload(client, SEED1).json()
    html = out["print_html"]
    assert "审核留档" in html and "审核人" in html and out["view"]["file"]["sha256"] in html
    assert "A301" in html and "A303" in html and "表三" in html
    assert "@page" in html and "http" not in html.replace("http-equiv", "")


@pytest.mark.parametrize("fields,cookie,headers", [
    ({}, True, {}),                                         # no token in the form
    ({"csrf_token": "0" * 64}, True, {}),                   # wrong token
    ({"csrf_token": "TOKEN"}, False, {}),                   # no cookie
    ({"csrf_token": "TOKEN"}, True, {"origin": "http://evil.example"}),
    ({"csrf_token": "TOKEN"}, True, {"sec-fetch-site": "cross-site"}),
    ({"csrf_token": "TOKEN"}, True, {"origin": "null"}),
])
def test_csrf_rejected(fields, cookie, headers):
    with _client() as c:
        tok = _token(c)
        data = {k: (tok if v == "TOKEN" else v) for k, v in fields.items()}
        if not cookie:
            c.cookies.clear()
        r = c.post("/api/check", data=data, headers=headers, files={"file": ("a.txt", SEED1.read_bytes(), "text/plain")})
        assert r.status_code == 403
        assert "ok" in r.json() and r.json()["ok"] is False


def test_same_origin_post_accepted(client):
    tok = _token(client)
    r = client.post("/api/check", data={"csrf_token": tok}, headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"},
                    files={"file": ("a.txt", SEED1.read_bytes(), "text/plain")})
    assert r.status_code == 200


def test_get_on_api_and_foreign_host_refused(client):
    assert client.get("/api/check").status_code == 405
    with TestClient(create_app(workers=0)) as c:   # default: only 127.0.0.1 / localhost
        assert c.get("/", headers={"host": "evil.example"}).status_code == 400
        assert c.get("/", headers={"host": "127.0.0.1:8765"}).status_code == 200


def test_size_limit():
    with _client(max_upload=4096) as c:
        tok = _token(c)
        r = c.post("/api/check", data={"csrf_token": tok}, files={"file": ("big.txt", b"x" * 9000, "text/plain")})
        assert r.status_code == 413 and "太大" in r.json()["error"]
        r = c.post("/api/check", data={"csrf_token": tok, "text": "一" * 3000})
        assert r.status_code == 413
        # a lying Content-Length does not get around the limit: the body is counted as it arrives
        body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n" + b"x" * 200000 + b"\r\n--b--\r\n"
        r = c.post("/api/check", content=body, headers={"content-type": "multipart/form-data; boundary=b", "content-length": "10"})
        assert r.status_code in (400, 413)


def test_bad_requests(client):
    tok = _token(client)
    assert client.post("/api/check", data={"csrf_token": tok}).status_code == 400               # nothing sent
    assert client.post("/api/check", data={"csrf_token": tok, "text": "   "}).status_code == 400
    r = client.post("/api/check", data={"csrf_token": tok, "template": "1999"}, files={"file": ("a.txt", b"x", "text/plain")})
    assert r.status_code == 400
    r = client.post("/api/check", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code in (400, 403)


def test_upload_never_written_to_disk(monkeypatch):
    """A 3 MB upload (over Starlette's 1 MB spool) stays in memory: no temp file is created."""
    def boom(*a, **k):
        raise AssertionError("an uploaded file was about to be written to disk")
    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", boom)
    monkeypatch.setattr(tempfile, "mkstemp", boom)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", boom)
    monkeypatch.setattr(tempfile, "TemporaryFile", boom)
    big = SEED1.read_bytes() + b" " * (3 * 1024 * 1024 + 100)
    assert len(big) > 3 * 1024 * 1024
    with _client() as c:
        tok = _token(c)
        r = c.post("/api/check", data={"csrf_token": tok}, files={"file": ("big.txt", io.BytesIO(big), "text/plain")})
        assert r.status_code == 200, r.text[:300]


def test_worker_process_runs_the_check():
    with _client(workers=1) as c:
        r = _upload(c, SEED1)
        assert r.status_code == 200
        assert r.json()["view"]["summary"]["error"] == 2


def test_time_limit_kills_a_late_check(tmp_path, monkeypatch):
    (tmp_path / "slow_check_for_test.py").write_text(
        "import time\n"
        "def check(data, name, template, issuer):\n"
        "    if data.startswith(b'slow'):\n"
        "        time.sleep(60)\n"
        "    return {'ok': True, 'n': len(data)}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    pool = CheckPool(size=1, timeout=1.5, func="slow_check_for_test:check")
    pool.start()
    try:
        pid = pool._slots[0].proc.pid
        with pytest.raises(CheckTimeout):
            pool.run(b"slow", "a.txt", "auto", "auto")
        assert pool._slots[0].proc.pid != pid            # the late worker was killed and replaced
        assert pool.run(b"fast", "a.txt", "auto", "auto") == {"ok": True, "n": 4}
    finally:
        pool.close()
    with _client(workers=1, timeout=1.5, check_func="slow_check_for_test:check") as c:
        tok = _token(c)
        r = c.post("/api/check", data={"csrf_token": tok}, files={"file": ("a.txt", b"slow", "text/plain")})
        assert r.status_code == 504 and "秒" in r.json()["error"]


def test_serve_reports_busy_port_in_chinese(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert serve(Namespace(host="127.0.0.1", port=port)) == 2
    err = capsys.readouterr().err
    assert "端口" in err and str(port) in err


def test_serve_starts_and_says_where(live_server):
    import httpx
    assert "请用浏览器打开 http://127.0.0.1:" in live_server.first_line
    r = httpx.get(live_server.url)
    assert r.status_code == 200 and "csrf_token" in r.text


def test_browser_tests_skip_loudly_without_a_browser(tmp_path):
    """No chromium: the browser tests SKIP with the reason, a warning and a red summary block."""
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, XXGK_CHROMIUM=str(tmp_path / "no-chromium"))
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "default",
                          "tests/web/test_web_browser.py", "-k", "seed001 or pasted"],
                         cwd=root, env=env, capture_output=True, text=True, timeout=300)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert "2 skipped" in text
    assert "BROWSER TESTS WERE SKIPPED" in text and "no-chromium not found" in text
    assert "UserWarning: BROWSER TESTS SKIPPED" in text


def _ids(view) -> set[str]:
    ids = {"doc-top"}
    for b in view["blocks"]:
        if b["type"] == "table":
            ids |= {r["id"] for r in b["raw"]}
        elif "id" in b:
            ids.add(b["id"])
    for t in view["tables"]:
        ids.add("table-" + t["id"])
        for g in t["grids"]:
            for r in g["rows"]:
                ids.add(r["id"] + "-h")
                ids |= {c["id"] for c in r["cells"]}
    rendered = {b["table"] for b in view["blocks"] if b["type"] == "table"}
    assert rendered == {t["id"] for t in view["tables"]}, "every table is drawn"
    return ids


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in
                                        (".txt", ".html", ".pdf", ".docx")), ids=lambda p: p.name)
def test_every_finding_has_a_place_on_the_page(path):
    from validator.web.engine import check
    out = check(path.read_bytes(), path.name)
    assert out["ok"], out
    view = out["view"]
    ids = _ids(view)
    for f in view["findings"]:
        assert f["target"] in ids, (f["rule"], f["target"])
        for r in f["related"]:
            assert r["id"] in ids, (f["rule"], r)
    assert len(view["findings"]) == len(out["document"]["findings"])


def test_unreadable_upload_gets_a_chinese_message(client):
    tok = _token(client)
    for name, data in (("a.bin", bytes(range(256)) * 20), ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)):
        r = client.post("/api/check", data={"csrf_token": tok}, files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 422, (name, r.text)
        msg = r.json()["error"]
        assert "无法读取" in msg and "Traceback" not in msg


def test_filename_is_reduced_to_a_base_name(client):
    tok = _token(client)
    r = client.post("/api/check", data={"csrf_token": tok},
                    files={"file": ("..\\..\\etc\\<img src=x onerror=alert(1)>.txt", SEED1.read_bytes(), "text/plain")})
    assert r.status_code == 200
    name = r.json()["view"]["file"]["name"]
    assert name == "<img src=x onerror=alert(1)>.txt"
    html = r.json()["print_html"]
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html and "<img" not in html
