"""The local web page: a Starlette app around the one engine (validator.lint via engine.check).

Safety (issue 7): upload size limit (checked on Content-Length and while reading), a hard
per-request time limit (the check runs in a worker process that is killed when late),
uploaded bytes kept in memory only, report text escaped (the page builds its DOM with
textContent; the printable record uses html.escape), CSRF: a per-session token in a
SameSite=Strict cookie that every POST must repeat in a form field, plus same-origin checks
on Origin / Sec-Fetch-Site; allowed Host names (against DNS rebinding); static files served
from a fixed list of names only.

Under load and abuse (issue 16.5, validator/web/hardening.py): header and body timeouts for
slow clients, a ceiling on uploads held at once (503 with Retry-After beyond it), workers
with a memory limit, CSRF tokens signed by this server (a token it did not issue is refused)
and an exact Origin match (scheme, host and port), security headers on every response.
"""

from __future__ import annotations

import hmac
import os
import re
from contextlib import asynccontextmanager
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import __version__
from .hardening import (DEFAULT_BODY_IDLE_TIMEOUT, DEFAULT_BODY_TIMEOUT, Admission, BodyTimeout, BodyTooLarge,
                        SecurityHeaders, TokenSigner, drain, log_disconnect, read_body, same_origin)
from .worker import DEFAULT_FUNC, CheckBusy, CheckCrashed, CheckPool, CheckTimeout

CSRF_COOKIE = "xxgk_csrf"
CSRF_FIELD = "csrf_token"
_TOKEN_RE = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 60.0
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
                    "Cache-Control": "no-store"}
TEMPLATES = ("auto", "2019", "2021")
ISSUERS = ("auto", "department", "government")


def _static_files() -> dict[str, tuple[bytes, str]]:
    """Every shipped asset, read once; a request can only name one of these."""
    out = {}
    root = resources.files("validator.web") / "static"
    for entry in root.iterdir():
        name = entry.name
        ext = os.path.splitext(name)[1]
        if entry.is_file() and ext in STATIC_TYPES:
            out[name] = (entry.read_bytes(), STATIC_TYPES[ext])
    return out


def _index_template() -> str:
    return (resources.files("validator.web") / "static" / "index.html").read_text(encoding="utf-8")


class _InMemoryMultiPartParser(MultiPartParser):
    """Starlette's parser with the spool larger than any accepted body: never touches disk."""

    def __init__(self, headers, stream, *, limit: int):
        super().__init__(headers, stream, max_files=2, max_fields=20, max_part_size=limit)
        self.spool_max_size = limit + 1024


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status, headers=SECURITY_HEADERS)


def _safe_name(name: str | None) -> str:
    name = (name or "").replace("\\", "/").split("/")[-1].strip()
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f")
    return name[:200] or "未命名文件"


def _busy(message: str = "服务器正忙，请稍后重试。") -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=503,
                        headers={**SECURITY_HEADERS, "Retry-After": "5"})


def create_app(*, max_upload: int = DEFAULT_MAX_UPLOAD, timeout: float = DEFAULT_TIMEOUT, workers: int = 2,
               allowed_hosts: list[str] | None = None, check_func: str = DEFAULT_FUNC,
               max_pending: int | None = None, max_memory: int | None = None,
               body_idle_timeout: float = DEFAULT_BODY_IDLE_TIMEOUT, body_timeout: float = DEFAULT_BODY_TIMEOUT):
    static = _static_files()
    index_html = _index_template()
    pool = CheckPool(size=workers, timeout=timeout, func=check_func, max_memory=max_memory)
    # uploads held at once (read, waiting for a worker, being checked): bounds their memory
    admission = Admission(max_pending or max(2, 2 * max(1, workers)))
    signer = TokenSigner()

    def _limits_text() -> str:
        return f"{max_upload // (1024 * 1024)} MB" if max_upload >= 1024 * 1024 else f"{max_upload // 1024} KB"

    async def index(request: Request) -> Response:
        token = request.cookies.get(CSRF_COOKIE, "")
        if not signer.valid(token):   # only tokens this server issued
            token = signer.issue()
        html = (index_html.replace("__CSRF_TOKEN__", token)
                .replace("__MAX_UPLOAD__", str(max_upload))
                .replace("__MAX_UPLOAD_TEXT__", _limits_text())
                .replace("__TIMEOUT__", str(int(timeout)))
                .replace("__VERSION__", __version__))
        resp = HTMLResponse(html, headers=SECURITY_HEADERS)
        resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return resp

    async def static_file(request: Request) -> Response:
        name = request.path_params["name"]
        item = static.get(name)
        if item is None or name == "index.html":
            return PlainTextResponse("未找到", status_code=404, headers=SECURITY_HEADERS)
        body, ctype = item
        return Response(body, media_type=ctype, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok", headers=SECURITY_HEADERS)

    async def api_check(request: Request) -> Response:
        if not same_origin(request):
            return _error(403, "请求来源不是本页面，已拒绝（跨站请求）。请从本工具的页面提交。")
        if not admission.try_enter():   # decided before the body is read; the body is dropped
            await drain(request, max_upload + 64 * 1024, body_idle_timeout, body_timeout)
            return _busy("服务器正忙（同时检查的文件已达上限），请稍后重试。")
        try:
            return await _api_check(request)
        finally:
            admission.leave()

    async def _api_check(request: Request) -> Response:
        try:
            length = int(request.headers.get("content-length", "0") or 0)
        except ValueError:
            return _error(400, "请求格式不正确。")
        if length > max_upload + 64 * 1024:
            return _error(413, f"文件太大：本工具最多接受 {_limits_text()} 的文件。")
        ctype = request.headers.get("content-type", "")
        multipart = ctype.startswith("multipart/form-data")
        if not (multipart or ctype.startswith("application/x-www-form-urlencoded")):
            return _error(400, "请通过页面上传文件或粘贴文本。")
        # the body is parsed as it arrives (no second copy), with idle and total timeouts
        body = read_body(request, max_upload + 64 * 1024, body_idle_timeout, body_timeout)
        try:
            if multipart:
                parser = _InMemoryMultiPartParser(Headers(scope=request.scope), body, limit=max_upload)
            else:  # a plain form with pasted text (curl, or a page without JavaScript)
                parser = FormParser(Headers(scope=request.scope), body)
            form = await parser.parse()
        except BodyTooLarge:
            return _error(413, f"文件太大：本工具最多接受 {_limits_text()} 的文件。")
        except BodyTimeout:
            log_disconnect(request, "上传（超时未发完）")
            return _error(408, "上传超时：文件内容在限定时间内没有传完，请重试。")
        except ClientDisconnect:
            log_disconnect(request, "上传")
            return Response(status_code=400)
        except MultiPartException as exc:
            if "maximum size" in str(exc):
                return _error(413, f"文件太大：本工具最多接受 {_limits_text()} 的文件。")
            return _error(400, "请求格式不正确。")
        try:
            cookie = request.cookies.get(CSRF_COOKIE, "")
            sent = form.get(CSRF_FIELD)
            if not (isinstance(sent, str) and signer.valid(cookie) and hmac.compare_digest(sent, cookie)):
                return _error(403, "页面已过期或请求不是从本页面发出的（校验码不符）。请刷新页面后重试。")
            template = form.get("template") or "auto"
            issuer = form.get("issuer_kind") or "auto"
            if template not in TEMPLATES or issuer not in ISSUERS:
                return _error(400, "格式或发布机关类型的选项不正确。")
            upload = form.get("file")
            text = form.get("text")
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read()
                name = _safe_name(upload.filename)
            elif isinstance(text, str) and text.strip():
                data = text.encode("utf-8")
                name = "粘贴的文本.txt"
            else:
                return _error(400, "请选择要上传的文件，或在文本框中粘贴报告内容。")
            if len(data) > max_upload:
                return _error(413, f"文件太大：本工具最多接受 {_limits_text()} 的文件。")
            if not data.strip():
                return _error(400, "文件是空的。")
            # last year's report, to compare with (issue 14; validator/web/cross_view.py)
            prev = form.get("previous")
            prev_data, prev_name = None, None
            if isinstance(prev, UploadFile) and prev.filename:
                prev_data = await prev.read()
                prev_name = _safe_name(prev.filename)
                if len(data) + len(prev_data) > max_upload:
                    return _error(413, f"文件太大：两份报告合计最多 {_limits_text()}。")
                if not prev_data.strip():
                    return _error(400, "上一年度的报告文件是空的。")
        finally:
            await form.close()
        try:
            job = (data, name, template, issuer) + ((prev_data, prev_name) if prev_data else ())
            out = await run_in_threadpool(pool.run, *job)
        except CheckTimeout:
            return _error(504, f"检查超过 {int(timeout)} 秒仍未完成，已停止。文件可能过大或格式异常，请转为文本或 Word 后重试。")
        except CheckBusy:
            return _busy()
        except CheckCrashed:
            return _error(500, "检查过程意外中断，请重试；如反复出现，请把文件交给维护人员。")
        if not out.get("ok"):
            return _error(422, out.get("error") or "无法检查此文件。")
        return JSONResponse(out, headers=SECURITY_HEADERS)

    @asynccontextmanager
    async def lifespan(app):
        await run_in_threadpool(pool.start)
        try:
            yield
        finally:
            await run_in_threadpool(pool.close)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{name}", static_file, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/api/check", api_check, methods=["POST"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or ["127.0.0.1", "localhost", "[::1]", "::1"])]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.pool = pool
    app.state.max_upload = max_upload
    app.state.timeout = timeout
    app.state.admission = admission
    # security headers on every response, also Starlette's own 404/405, the 400 of a bad Host
    # and the 500 of an unexpected error (issue 16.5)
    return SecurityHeaders(app, SECURITY_HEADERS)
