"""Security headers on every HTTP response (CSP without inline script, framing, sniffing, referrers)."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope


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


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar's before_send hook: runs for every response, error pages and static files included."""
    if message["type"] != "http.response.start":
        return
    host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
    host = host if all(c.isalnum() or c in ".-:[]" for c in host) else ""
    headers = MutableScopeHeaders.from_message(message)
    headers["Content-Security-Policy"] = content_security_policy(host)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
