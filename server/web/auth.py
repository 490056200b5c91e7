"""Who is asking: the signed-in staff member, or the participant token for a session.

Both live in the encrypted session cookie: ``user_id`` for staff, and ``participants``,
a map of session id to participant token, for phones (a phone can be in several sessions).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.models import User


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


async def current_user(connection: ASGIConnection[Any, Any, Any, Any], db: AsyncSession) -> User | None:
    user_id = session_data(connection).get("user_id")
    if not isinstance(user_id, int):
        return None
    return await db.get(User, user_id)


class SignInRequired(NotAuthorizedException):
    """Raised for a staff page without a signed-in facilitator; answered with a redirect."""


def requires_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a staff account is signed in (the account's roles are checked in the handler)."""
    if not isinstance(session_data(connection).get("user_id"), int):
        raise SignInRequired()


def requires_role(role: str) -> Any:
    """Guard: a signed-in staff account with this role; checked before anything the handler does."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        from server.web.roles import require_role

        requires_signed_in(connection, _)
        async with connection.app.state.sessionmaker() as db:
            require_role(await current_user(connection, db), role)

    return guard
