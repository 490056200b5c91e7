"""CSRF protection bound to the visitor's own session.

A token lives in the encrypted session cookie (``csrf``); every form and htmx request must send
it back (``_csrf_token`` field or ``x-csrftoken`` header). Because the token is inside the
encrypted cookie, another site, or someone on the hall's network who plants a cookie, cannot
choose it: a double-submit cookie (Litestar's default) accepts any planted cookie/token pair.
"""

from __future__ import annotations

import secrets
from hmac import compare_digest
from typing import Any

from litestar.connection import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "x-csrftoken"
FIELD = "_csrf_token"
EXEMPT = ("/healthz",)


def session_token(scope: Scope) -> str:
    """This visitor's token, created (and stored in their session) on first need."""
    session = scope.get("session")
    if not isinstance(session, dict):
        session = {}
        scope["session"] = session
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def renew_token(session: dict[str, Any]) -> dict[str, Any]:
    """A new token at sign-in: one seen before it (a shared PC, a fixed session) is worth nothing."""
    return {**session, "csrf": secrets.token_urlsafe(32)}


class SessionBoundCSRF:
    """Litestar middleware; must sit inside the session middleware (it reads ``scope['session']``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        expected = session_token(scope)
        ScopeState.from_scope(scope).csrf_token = expected  # csrf_input / csrf_token() in templates
        if scope.get("method") not in SAFE_METHODS:
            request: Request[Any, Any, Any] = scope["litestar_app"].request_class(
                scope=scope, receive=receive
            )
            sent = request.headers.get(HEADER)
            content_type, _ = request.content_type
            if not sent and content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
                sent = (await request.form()).get(FIELD)
            if not isinstance(sent, str) or not compare_digest(sent.encode(), expected.encode()):
                raise PermissionDeniedException("CSRF token verification failed")
        await self.app(scope, receive, send)
