"""`xxgk-lint serve`: a local web page where editors upload or paste a draft report and see
each finding in place (issue 7).  Starlette + uvicorn; every asset ships in this package
(validator/web/static), nothing is loaded from the network.

Settings: --host/--port (CLI); XXGK_WEB_MAX_UPLOAD_MB (default 20), XXGK_WEB_TIMEOUT
(seconds per check, default 60), XXGK_WEB_WORKERS (check processes, default 2);
under load (issue 16.5): XXGK_WEB_HEADER_TIMEOUT (seconds to send a request head, default
10), XXGK_WEB_BODY_IDLE_TIMEOUT / XXGK_WEB_BODY_TIMEOUT (seconds without a byte of an
upload / for the whole upload, default 15 / 120), XXGK_WEB_MAX_PENDING (uploads held at once, default 2 per worker; more get 503),
XXGK_WEB_WORKER_MEMORY_MB (memory a check may add to a worker, default 1024).
"""

from __future__ import annotations

import os
import socket
import sys

from .app import DEFAULT_MAX_UPLOAD, DEFAULT_TIMEOUT, create_app

__all__ = ["create_app", "serve"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _env_number(name: str, default: float) -> float:
    v = os.environ.get(name)
    if not v:
        return default
    try:
        return float(v)
    except ValueError:
        print(f"xxgk-lint: 警告: 环境变量 {name}={v!r} 不是数字，使用默认值 {default:g}", file=sys.stderr)
        return default


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def serve(args) -> int:
    import uvicorn

    host = getattr(args, "host", None) or "127.0.0.1"
    port = int(getattr(args, "port", None) or 8765)
    max_mb = getattr(args, "max_upload_mb", None) or _env_number("XXGK_WEB_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD / 1048576)
    timeout = getattr(args, "timeout", None) or _env_number("XXGK_WEB_TIMEOUT", DEFAULT_TIMEOUT)
    workers = max(1, int(_env_number("XXGK_WEB_WORKERS", 2)))  # at least one: the time limit needs a process
    # a free port? say so in Chinese rather than with uvicorn's traceback
    try:
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as exc:
        print(f"xxgk-lint: 错误: 无法在 {host}:{port} 启动网页服务（{exc.strerror or exc}）。"
              f"端口可能已被占用，请换一个端口，例如：xxgk-lint serve --port {port + 1}", file=sys.stderr)
        return 2
    allowed = ["127.0.0.1", "localhost", "[::1]", "::1"] if host in LOOPBACK else ["*"]
    from .hardening import DEFAULT_BODY_IDLE_TIMEOUT, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, make_protocol
    header_timeout = _env_number("XXGK_WEB_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT)
    body_idle = _env_number("XXGK_WEB_BODY_IDLE_TIMEOUT", DEFAULT_BODY_IDLE_TIMEOUT)
    body_total = _env_number("XXGK_WEB_BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT)
    pending = int(_env_number("XXGK_WEB_MAX_PENDING", 2 * workers)) or None
    memory = int(_env_number("XXGK_WEB_WORKER_MEMORY_MB", 1024) * 1048576)
    app = create_app(max_upload=int(max_mb * 1048576), timeout=float(timeout), workers=workers, allowed_hosts=allowed,
                     max_pending=pending, max_memory=memory, body_idle_timeout=body_idle, body_timeout=body_total)
    url = f"http://{_url_host(host)}:{port}/"
    print(f"xxgk-lint 网页检查工具已启动：请用浏览器打开 {url}", flush=True)
    print(f"  上传文件或粘贴报告全文即可检查；文件只在内存中处理，不保存。单个文件最大 {max_mb:g} MB，"
          f"每次检查最长 {timeout:g} 秒。按 Ctrl+C 停止。", flush=True)
    if host not in LOOPBACK:
        print(f"  注意：监听地址为 {host}，同一网络中的其他电脑也能访问本页面。", flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                    http=make_protocol(header_timeout), timeout_keep_alive=5)
    except KeyboardInterrupt:
        pass
    print("xxgk-lint 网页检查工具已停止。", flush=True)
    return 0
