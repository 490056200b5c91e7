"""Who is asking: the signed-in staff member, or the participant token for a session.

Both live in the encrypted session cookie: ``staff``, a random token whose hash names a row of
``staff_session`` (so the server can end it), and ``participants``, a map of session id to
participant token, for phones (a phone can be in several sessions).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts import service as accounts
from server.accounts.models import User
from server.accounts.roles import require_role
from server.db import writing

logger = logging.getLogger(__name__)
#: The staff member of this request, once looked up (guards and handlers share it).
_USER = "yoriai_user"
_MISSING = object()


def session_data(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    data = connection.scope.get("session")
    return data if isinstance(data, dict) else {}


def participant_token(connection: ASGIConnection[Any, Any, Any, Any], meeting_id: int) -> str | None:
    tokens = session_data(connection).get("participants") or {}
    token = tokens.get(str(meeting_id)) if isinstance(tokens, dict) else None
    return token if isinstance(token, str) else None


def remember_participant(connection: ASGIConnection[Any, Any, Any, Any], meeting_id: int, token: str) -> None:
    data = dict(session_data(connection))
    tokens = dict(data.get("participants") or {})
    tokens[str(meeting_id)] = token
    data["participants"] = tokens
    connection.set_session(data)


def staff_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    token = session_data(connection).get("staff")
    return token if isinstance(token, str) else ""


async def current_user(connection: ASGIConnection[Any, Any, Any, Any], db: AsyncSession) -> User | None:
    """The staff member whose live session this cookie holds; looked up once per request."""
    cached = connection.scope.get(_USER, _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    user: User | None = None
    if token := staff_token(connection):
        found = await accounts.find_session(db, token)
        if found is not None:
            session, user = found
            if accounts.needs_touch(session):
                assert session.id is not None
                _touch_later(connection.app.state.sessionmaker, session.id)
    connection.scope[_USER] = user  # type: ignore[literal-required]
    return user


#: Touches under way (a task must be referenced until it ends).
_touching: set[asyncio.Task[None]] = set()


def _touch_later(maker: Any, session_id: int) -> None:
    """Record the use of a session for the idle timeout, after this request: a POST holds
    SQLite's writer queue until it ends, so writing now, inside it, would wait on itself."""

    async def touch() -> None:
        try:
            async with writing(maker) as db:
                await accounts.touch_session(db, session_id)
        except Exception:  # the next request tries again; a missed touch signs nobody out early
            logger.warning("could not record the use of a staff session", exc_info=True)

    task = asyncio.ensure_future(touch())
    _touching.add(task)
    task.add_done_callback(_touching.discard)


class SignInRequired(NotAuthorizedException):
    """Raised for a staff page without a signed-in facilitator; answered with a redirect."""


async def _user_of(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """The staff user, looked up in a short session of the guard's own (guards run before the
    request's dependencies); ``current_user`` keeps it on the scope for the handler."""
    if (cached := connection.scope.get(_USER, _MISSING)) is not _MISSING:
        return cached  # type: ignore[return-value]
    async with connection.app.state.sessionmaker() as db:
        return await current_user(connection, db)


async def requires_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a live staff session, whatever its roles (e.g. changing one's own password)."""
    if await _user_of(connection) is None:
        raise SignInRequired()


def requires_role(*roles: str) -> Any:
    """Guard: a signed-in staff account with one of these roles; checked before anything the
    handler (or its dependencies) does. Declare it on a router or a handler:
    ``guards=[requires_role(FACILITATOR)]``, ``guards=[requires_role(FACILITATOR, COORDINATOR)]``."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = await _user_of(connection)
        if user is None:
            raise SignInRequired()
        require_role(user, *roles)

    return guard
