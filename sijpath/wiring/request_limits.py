"""The one request-size limit in front of every route: 413 before a body over it is read, whatever the route does."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SMALL_BODIES", "RequestSizeLimit"]

# Routes that never need more than a form of a few fields: the sign-in form is anonymous, so its bound is tight.
SMALL_BODIES: Mapping[str, int] = {"/login": 16 * 1024, "/logout": 16 * 1024}
_CSP = "default-src 'none'; frame-ancestors 'none'"


class RequestSizeLimit:
    """ASGI middleware: a declared Content-Length over the limit is answered 413 at once; a body that grows past
    it (chunked, or lying about its length) is cut off there: the app sees the client disconnect, and its answer
    is replaced by the 413. The route never buffers more than the limit."""

    def __init__(self, app: ASGIApp, limit: int, small: Mapping[str, int] = SMALL_BODIES) -> None:
        self.app, self.limit, self.small = app, limit, small

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = min(self.limit, self.small.get(path, self.limit))
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > limit):
            await _too_large(send, path, limit)
            return
        received, over, started = 0, False, False

        async def bounded_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return  # the app's answer to a body it never got whole: replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _too_large(send, path, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else -1
    return None


def describe(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return f"the request body is over {size}, the most this server accepts here"


async def _too_large(send: Send, path: str, limit: int) -> None:
    message = describe(limit)
    if path == "/cds-services" or path.startswith("/cds-services/"):
        issue = {"severity": "error", "code": "too-costly", "diagnostics": message}
        outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
        body, kind = orjson.dumps(outcome), b"application/fhir+json"
    elif path.startswith("/api/"):
        body, kind = orjson.dumps({"error": message, "problems": []}), b"application/json"
    else:
        body, kind = f"413 Request too large: {message}.\n".encode(), b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read: the connection cannot be reused
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", _CSP.encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
