"""The session cookie (Litestar's encrypted client-side session), written only when it changes.

Litestar encrypts the session and sets its cookie again on every response. For a phone that
posts notes, that was about 7 % of each post's CPU (docs/benchmarks.md) for a cookie the
browser already holds. ``SessionCookies`` keeps what it read, and a response sets the cookie
only when the session differs from it, or when the cookie was written more than
``REWRITE_AFTER_S`` ago, so that a screen in use keeps pushing its expiry forward as before
(at most that much less than a week after the last request).
"""

from __future__ import annotations

import binascii
import json
import time
from base64 import b64decode
from dataclasses import dataclass
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.middleware.session.client_side import (
    AAD,
    ClientSideSessionBackend,
    CookieBackendConfig,
)
from litestar.types import Empty, Message, ScopeSession

#: A cookie older than this is written again, with a new expiry, even when nothing changed.
REWRITE_AFTER_S = 3600
_LOADED = "yoriai.session_loaded"


class SessionCookies(ClientSideSessionBackend):
    """Litestar's cookie backend that does not write back an unchanged session."""

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        if data:
            raw = b"".join(connection.cookies[key].encode() for key in self.get_cookie_keys(connection))
            written_at = _expires_at(raw) - self.config.max_age
            scope = cast("dict[str, Any]", connection.scope)
            scope[_LOADED] = (self.serialize_data(data, connection.scope), written_at)
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        loaded = cast("dict[str, Any]", connection.scope).get(_LOADED)
        if (
            loaded is not None
            and scope_session
            and scope_session is not Empty
            and time.time() < loaded[1] + REWRITE_AFTER_S
            and self.serialize_data(scope_session, connection.scope) == loaded[0]
        ):
            return  # the browser's cookie says exactly this already
        await super().store_in_message(scope_session, message, connection)


def _expires_at(raw: bytes) -> float:
    """The expiry Litestar wrote in the cookie's authenticated data (0 when unreadable: then
    the cookie counts as old and is written again)."""
    try:
        decoded = b64decode(raw)
        start = decoded.find(AAD)
        return float(json.loads(decoded[start + len(AAD) :])["expires_at"]) if start != -1 else 0.0
    except (binascii.Error, ValueError, KeyError, TypeError):
        return 0.0


@dataclass
class SessionCookieConfig(CookieBackendConfig):
    """``CookieBackendConfig`` with ``SessionCookies`` as its backend."""

    _backend_class = SessionCookies
