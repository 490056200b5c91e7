"""The admin's page for staff accounts: create them and set their roles."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import func
from sqlmodel import col, select

from server.accounts import service as accounts
from server.accounts.models import User
from server.boards.live import publish
from server.boards.models import Note, Participant
from server.errors import UserError
from server.i18n import Text
from server.meetings import service as meetings
from server.privacy.service import erase_participant
from server.web.auth import current_user, requires_role
from server.web.deps import DB, Channels
from server.web.responses import page, see_other, status_of
from server.web.roles import ROLES, require_role


async def _admin(request: Request[Any, Any, Any], db: DB) -> User:
    return require_role(await current_user(request, db), "admin")


async def _users_page(
    db: DB, error: Text = "", status_code: int = 200, form: dict[str, Any] | None = None
) -> Template:
    return page(
        "accounts/users.html",
        status_code=status_code,
        users=await accounts.list_users(db),
        roles=ROLES,
        error=error,
        form=form or {},
    )


@get("/users")
async def users(request: Request[Any, Any, Any], db: DB) -> Template:
    await _admin(request, db)
    return await _users_page(db)


@post("/users")
async def create_user(request: Request[Any, Any, Any], db: DB) -> Any:
    await _admin(request, db)
    form = await request.form()
    email = str(form.get("email", ""))
    try:
        roles = accounts.clean_roles(form.getall("role") if "role" in form else [])
        await accounts.create_user(
            db, email, str(form.get("password", "")), display_name=str(form.get("name", ""))[:80], roles=roles
        )
    except UserError as exc:
        return await _users_page(db, exc.message, status_of(exc), {"email": email[:254]})
    return see_other("/admin/users")


@post("/users/{user_id:int}/roles")
async def change_roles(request: Request[Any, Any, Any], db: DB, user_id: FromPath[int]) -> Any:
    admin = await _admin(request, db)
    form = await request.form()
    try:
        await accounts.set_roles(db, admin, user_id, form.getall("role") if "role" in form else [])
    except UserError as exc:
        return await _users_page(db, exc.message, status_of(exc))
    return see_other("/admin/users")


@get("/sessions/{meeting_id:int}/participants")
async def participants(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    """A session's participants, by number only, to erase one's data on request."""
    await _admin(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    people = (
        await db.exec(
            select(Participant).where(Participant.meeting_id == meeting_id).order_by(col(Participant.id))
        )
    ).all()
    counts = dict(
        (
            await db.exec(
                select(Note.participant_id, func.count())
                .where(Note.meeting_id == meeting_id)
                .group_by(col(Note.participant_id))
            )
        ).all()
    )
    return page(
        "accounts/participants.html", meeting=meeting, people=[(p, counts.get(p.id, 0)) for p in people]
    )


@post("/sessions/{meeting_id:int}/participants/{participant_id:int}/erase")
async def erase(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    participant_id: FromPath[int],
) -> Any:
    admin = await _admin(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    for change in await erase_participant(db, admin, meeting, participant_id):
        publish(channels, change)
    return see_other(f"/admin/sessions/{meeting_id}/participants")


router = Router(
    path="/admin",
    guards=[requires_role("admin")],
    include_in_schema=False,
    route_handlers=[users, create_user, change_roles, participants, erase],
)
