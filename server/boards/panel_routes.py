"""The phone's two panels: dot voting (投票) and the projects on the board (参加したい).

Each answers with the participant's refreshed panel; the phone page draws both in its first
paint with the same contexts. A participant of the session only (the ``participant`` dependency)."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from server.boards import service as boards
from server.boards import voting
from server.boards.live import publish
from server.boards.models import Participant
from server.boards.state import BoardView
from server.errors import ErrorKind, UserError
from server.i18n import N_, Text
from server.meetings.models import Meeting
from server.projects import service as projects
from server.web.deps import DB, Channels, CurrentMeeting, CurrentParticipant
from server.web.responses import page

# --- dot voting from the phone ----------------------------------------------------------------


async def vote_context(
    db: DB, meeting: Meeting, participant: Participant, error: Text = ""
) -> dict[str, Any]:
    """What boards/_vote_panel.html shows this participant (its route and the phone page)."""
    panel = await voting.vote_panel(db, meeting, participant)
    if panel.ranking is not None:
        return {"ranking": panel.ranking}
    return {
        "ranking": None,
        "meeting_id": meeting.id,
        "items": panel.items,
        "mine": panel.mine,
        "budget": panel.budget,
        "left": panel.left,
        "error": error,
    }


async def _vote_panel(db: DB, meeting: Meeting, participant: Participant, error: Text = "") -> Template:
    return page("boards/_vote_panel.html", **await vote_context(db, meeting, participant, error))


@get("/b/{meeting_id:int}/votes")
async def vote_panel(db: DB, meeting: CurrentMeeting, participant: CurrentParticipant) -> Template:
    return await _vote_panel(db, meeting, participant)


@post("/b/{meeting_id:int}/votes", status_code=200)
async def vote(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    """Vote or take a vote back; the answer is the participant's refreshed panel."""
    act = voting.withdraw if data.get("action", "cast") == "withdraw" else voting.cast
    try:
        target, target_id = voting.parse_target(data.get("target", ""), data.get("id", ""))
        change = await act(db, meeting, participant, target=target, target_id=target_id)
    except UserError as exc:  # refused before anything was written
        return await _vote_panel(db, meeting, participant, exc.message)
    publish(channels, change)
    return await _vote_panel(db, meeting, participant)


# --- projects from the phone (参加したい) ---------------------------------------------------------


async def project_context(
    db: DB, meeting: Meeting, participant: Participant, error: Text = "", view: BoardView | None = None
) -> dict[str, Any]:
    """What projects/_phone_panel.html shows this participant (its route and the phone page)."""
    view = view or await boards.board_view(db, meeting, include_hidden=False)
    joined = await projects.joined_projects(db, participant)
    return {
        "items": [(p, p.id in joined) for p in view.projects],
        "meeting_id": meeting.id,
        "error": error,
    }


async def _project_panel(db: DB, meeting: Meeting, participant: Participant, error: Text = "") -> Template:
    return page("projects/_phone_panel.html", **await project_context(db, meeting, participant, error))


@get("/b/{meeting_id:int}/projects")
async def project_panel(db: DB, meeting: CurrentMeeting, participant: CurrentParticipant) -> Template:
    return await _project_panel(db, meeting, participant)


@post("/b/{meeting_id:int}/projects/{project_id:int}/{action:str}", status_code=200)
async def take_part(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    project_id: FromPath[int],
    action: FromPath[str],
) -> Template:
    """参加したい (join) or take it back (leave); the count updates live on every screen."""
    act = {"join": projects.join, "leave": projects.leave}.get(action)
    if act is None:
        raise UserError(N_("操作が正しくありません。"), ErrorKind.NOT_FOUND)
    try:
        change = await act(db, meeting, participant, project_id)
    except UserError as exc:  # refused before anything was written
        return await _project_panel(db, meeting, participant, exc.message)
    publish(channels, change)
    return await _project_panel(db, meeting, participant)


handlers = [vote_panel, vote, project_panel, take_part]
