"""The page under load and abuse (issue 16.5): what keeps `xxgk-lint serve` up when clients
are slow, many, or hostile.  app.py wires these in; nothing here knows about reports.

* :class:`TimeoutH11Protocol` — uvicorn's HTTP/1.1 protocol with a header timeout: a
  connection that has not sent a complete request head within ``header_timeout`` seconds of
  connecting (or of its previous response) is closed.  Slow-header ("slowloris") clients
  cannot hold connections open.
* :func:`read_body` — the request body with an idle timeout per chunk and a total timeout,
  counted against the upload limit as it arrives.
* :class:`Admission` — at most ``limit`` uploads are held at a time (reading, waiting for a
  worker, being checked); one more gets 503 with Retry-After at once, before its body is
  read.  With the per-upload size limit this bounds the memory the uploads can take.
* :class:`TokenSigner` — CSRF tokens the server issued (a random part and its HMAC under a
  secret of this server process); a token the server did not issue is refused even when the
  cookie and the form field agree (a forged double-submit).
* :func:`same_origin` — the Origin header must be exactly this page's scheme://host:port.
* :class:`SecurityHeaders` — every response carries the security headers, including the
  404 of an unknown path, the 400 of a bad Host and the 500 of an unexpected error.
* client disconnects are logged as one line (:func:`log_disconnect`), never a traceback.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time

log = logging.getLogger("xxgk_lint.web")

DEFAULT_HEADER_TIMEOUT = 10.0       # seconds to send the request line and headers
DEFAULT_BODY_IDLE_TIMEOUT = 15.0    # seconds without a byte of the body
DEFAULT_BODY_TIMEOUT = 120.0        # seconds for the whole body (20 MB at 170 KB/s)


# --------------------------------------------------------------------------------------
# slow clients
# --------------------------------------------------------------------------------------
def _protocol_base():
    from uvicorn.protocols.http.h11_impl import H11Protocol
    return H11Protocol


def make_protocol(header_timeout: float = DEFAULT_HEADER_TIMEOUT):
    """uvicorn's h11 protocol class with a header timeout (pass it as ``http=`` to uvicorn)."""
    import h11

    base = _protocol_base()

    class TimeoutH11Protocol(base):
        _header_timer = None

        def _arm(self):
            self._disarm()
            if header_timeout and header_timeout > 0:
                self._header_timer = self.loop.call_later(header_timeout, self._header_timed_out)

        def _disarm(self):
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _header_timed_out(self):
            self._header_timer = None
            if self.transport is None or self.transport.is_closing():
                return
            if self.conn.their_state is h11.IDLE:    # still no complete request head
                log.info("xxgk-lint serve: %s 在 %g 秒内未发完请求头，已断开", _peer(self.client), header_timeout)
                self.transport.close()

        def connection_made(self, transport):
            super().connection_made(transport)
            self._arm()

        def handle_events(self):
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:      # a request head arrived
                self._disarm()

        def on_response_complete(self):
            self._arm()                       # the next request on this connection
            super().on_response_complete()

        def connection_lost(self, exc):
            self._disarm()
            super().connection_lost(exc)

    TimeoutH11Protocol.__name__ = "TimeoutH11Protocol"
    return TimeoutH11Protocol


def _peer(client) -> str:
    if not client:
        return "客户端"
    host, port = client[0], client[1] if len(client) > 1 else ""
    return f"{host}:{port}"


class BodyTimeout(Exception):
    pass


class BodyTooLarge(Exception):
    pass


async def read_body(request, limit: int, idle: float = DEFAULT_BODY_IDLE_TIMEOUT,
                    total: float = DEFAULT_BODY_TIMEOUT):
    """The body's chunks as they arrive; BodyTimeout when the client stalls for ``idle``
    seconds or takes more than ``total``; BodyTooLarge past ``limit`` bytes."""
    deadline = time.monotonic() + total
    seen = 0
    stream = request.stream().__aiter__()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BodyTimeout()
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), timeout=min(idle, left))
        except StopAsyncIteration:
            return
        except asyncio.TimeoutError:
            raise BodyTimeout() from None
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLarge()
        # every chunk as Request.stream() gives it, the empty one that ends the body too:
        # Starlette's FormParser up to 1.7 (the newest on Python 3.10) ends the form on it
        # (a pasted text, the form's last field, was lost without it)
        yield chunk


async def drain(request, limit: int, idle: float = DEFAULT_BODY_IDLE_TIMEOUT,
                total: float = DEFAULT_BODY_TIMEOUT) -> None:
    """Read and drop a body we will not use (a request refused with 503), so the client gets
    the answer: closing with unread data would reset the connection and lose it.  Nothing is
    kept; a body over the limit, a stall or a disconnect just ends the draining."""
    from starlette.requests import ClientDisconnect
    try:
        async for _chunk in read_body(request, limit, idle, total):
            pass
    except (BodyTimeout, BodyTooLarge, ClientDisconnect):
        pass


def log_disconnect(request, when: str) -> None:
    """A client that went away: one line in the log, no traceback."""
    client = request.scope.get("client")
    log.warning("xxgk-lint serve: %s 在%s时断开了连接", _peer(client), when)


# --------------------------------------------------------------------------------------
# many uploads at once
# --------------------------------------------------------------------------------------
class Admission:
    """A counter of the uploads in progress, with a ceiling (no waiting: over it, 503)."""

    def __init__(self, limit: int):
        self.limit = max(1, int(limit))
        self.active = 0
        self.peak = 0
        self.refused = 0

    def try_enter(self) -> bool:
        if self.active >= self.limit:
            self.refused += 1
            return False
        self.active += 1
        self.peak = max(self.peak, self.active)
        return True

    def leave(self) -> None:
        self.active = max(0, self.active - 1)


# --------------------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------------------
class TokenSigner:
    """Tokens of 64 hex digits: 16 random bytes and the first 16 bytes of their HMAC-SHA256
    under this server's secret (made when the server starts)."""

    def __init__(self, secret: bytes | None = None):
        self._secret = secret or secrets.token_bytes(32)

    def _mac(self, nonce: bytes) -> bytes:
        return hmac.new(self._secret, b"xxgk-csrf:" + nonce, hashlib.sha256).digest()[:16]

    def issue(self) -> str:
        nonce = secrets.token_bytes(16)
        return (nonce + self._mac(nonce)).hex()

    def valid(self, token) -> bool:
        if not isinstance(token, str) or len(token) != 64:
            return False
        try:
            raw = bytes.fromhex(token)
        except ValueError:
            return False
        return hmac.compare_digest(raw[16:], self._mac(raw[:16]))


def same_origin(request) -> bool:
    """Fetch metadata says same-origin (or is absent), and Origin, when sent, is exactly this
    page's scheme://host[:port] ("null" and other schemes are refused)."""
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return bool(host) and origin.rstrip("/") == f"{request.url.scheme}://{host}"


# --------------------------------------------------------------------------------------
# headers on every response
# --------------------------------------------------------------------------------------
class SecurityHeaders:
    """ASGI wrapper: adds each header of ``headers`` that a response does not set itself."""

    def __init__(self, app, headers: dict[str, str]):
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _v in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in have]
                if extra:
                    message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    def __getattr__(self, name):   # app.state, app.router … of the wrapped Starlette app
        return getattr(self.app, name)
