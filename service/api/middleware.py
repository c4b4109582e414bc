"""ASGI middleware: request-body size limit (413), security headers, and content-free request logging."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]

log = logging.getLogger("cuishou.api")


async def _send_json(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Reject request bodies above ``max_bytes`` with 413, before the app reads them.

    A declared Content-Length above the limit is refused at once; a chunked body is buffered up to the limit
    and refused as soon as it passes it.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        too_big = f"request body larger than {self.max_bytes} bytes (CUISHOU_MAX_UPLOAD_BYTES)"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _send_json(send, 400, "invalid Content-Length")
                    return
                if declared > self.max_bytes:
                    await _send_json(send, 413, too_big)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_json(send, 413, too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
CSP = (b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       b"script-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'")


class SecurityHeaders:
    """Same-origin-only content policy (no CDN can load) and request logs with method, route, status and time only.

    Message contents never reach the log: neither bodies nor query strings are logged.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = list(message.get("headers", []))
                headers += SECURITY_HEADERS
                headers.append((b"content-security-policy", CSP))
                if scope["path"].startswith("/v1/cases"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            log.info("%s %s %s %.1fms", scope["method"], _route_of(scope), status_code,
                     (time.perf_counter() - started) * 1000)


def _route_of(scope: Scope) -> str:
    """The matched route template (``/v1/cases/{case_id}/report``) rather than the raw path, when known."""
    route = scope.get("route")
    return getattr(route, "path", None) or scope["path"]
