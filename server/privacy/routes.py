"""The admin's privacy pages: a session's participants (by number only) and erasing one's data
on request (their notes, votes, nickname and affiliation). Admins only (the router's guard)."""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath
from litestar.response import Template

from server.accounts.roles import ADMIN
from server.boards.live import publish
from server.privacy.service import erase_participant, participants_with_note_counts
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting
from server.web.responses import page, see_other


@get("/sessions/{meeting_id:int}/participants")
async def participants(db: DB, meeting: CurrentMeeting) -> Template:
    """A session's participants, by number only, to erase one's data on request."""
    return page(
        "accounts/participants.html", meeting=meeting, people=await participants_with_note_counts(db, meeting)
    )


@post("/sessions/{meeting_id:int}/participants/{participant_id:int}/erase")
async def erase(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    participant_id: FromPath[int],
) -> Any:
    for change in await erase_participant(db, actor, meeting, participant_id):
        publish(channels, change)
    return see_other(f"/admin/sessions/{meeting.id}/participants")


router = Router(
    path="/admin",
    guards=[requires_role(ADMIN)],
    include_in_schema=False,
    route_handlers=[participants, erase],
)
