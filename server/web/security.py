"""Security headers on every HTTP response (CSP without inline script, framing, sniffing, referrers,
caching, HSTS), and the refusal of request paths that carry control characters."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(host: str) -> str:
    # Everything is served by yoriai itself. 'self' covers same-origin websockets in current
    # browsers; older Safari needs the ws:/wss: origin of this very host spelled out.
    # Style *attributes* are allowed (SortableJS clones the dragged note with its inline
    # position), style elements and every script only from our own files.
    ws = f" ws://{host} wss://{host}" if host else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; "
        f"connect-src 'self'{ws}; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
#: A year, as browsers' preload lists ask; only ever sent over TLS (see ``add_security_headers``).
HSTS = "max-age=31536000; includeSubDomains"


def security_headers_hook(secure_cookies: bool) -> Any:
    """Litestar's before_send hook: runs for every response, error pages and static files included."""

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        host = host if all(c.isalnum() or c in ".-:[]" for c in host) else ""
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = content_security_policy(host)
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        # Pages, fragments, exports and the API carry people's notes, sessions' codes and staff
        # screens: no browser or proxy cache may keep them (a shared PC in a community centre,
        # the back button after signing out). Static files are the same for everyone.
        if not scope["path"].startswith("/static/") and "cache-control" not in headers:
            headers["Cache-Control"] = "no-store"
        # HSTS only where the browser reached us over TLS (directly, or through a trusted proxy
        # whose X-Forwarded-Proto uvicorn applied), or where the operator says TLS is in front:
        # sent over plain http on a hall's laptop it would be ignored, or worse, pin a name.
        if secure_cookies or scope.get("scheme") in ("https", "wss"):
            headers["Strict-Transport-Security"] = HSTS

    return add_security_headers


def has_control_characters(text: str) -> bool:
    """NUL, newlines and other C0/C1 controls: never part of a real path or name."""
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)


class RejectControlCharacters:
    """ASGI middleware, outermost: a path with a control character (``/static/app.css%00.txt``,
    ``%0a``) is answered 404 before anything reads the filesystem or writes a log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and has_control_characters(scope.get("path", "")):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4404, "reason": ""})
                return
            start: Any = {
                "type": "http.response.start",
                "status": 404,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"cache-control", b"no-store"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
            body: Any = {"type": "http.response.body", "body": "見つかりませんでした。 / Not found.".encode()}
            await send(start)
            await send(body)
            return
        await self.app(scope, receive, send)
