"""The participant's phone: the board page, posting notes, editing and deleting one's own notes,
and forgetting one's nickname. A participant of the session only (the ``participant``
dependency: 403 otherwise; the page itself sends a stranger to the start page)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from server.boards import service as boards
from server.boards.events import BoardChange
from server.boards.live import Viewer, publish
from server.boards.panel_routes import project_context, vote_context
from server.boards.state import board_state
from server.errors import UserError
from server.privacy.service import forget_nickname
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting, CurrentParticipant, MaybeParticipant
from server.web.ratelimit import client_address, limits
from server.web.responses import page, see_other, status_of


@get("/b/{meeting_id:int}")
async def phone_board(db: DB, meeting: CurrentMeeting, participant_or_none: MaybeParticipant) -> Any:
    participant = participant_or_none
    if participant is None:
        # The start page, never the join code: ids are sequential, so a redirect to the code
        # would hand every open session's code to anyone who walks /b/1, /b/2, ….
        return see_other("/")
    # Their own notes waiting to be let through (screened mode) too: they see them 「確認中」.
    view = await boards.board_view(db, meeting, include_hidden=False, waiting_of=participant.id)
    # The vote and project panels are part of the first paint (the same fragments their own
    # routes serve): loading them afterwards would push the note list down (a layout jump).
    return page(
        "boards/phone.html",
        meeting=meeting,
        participant=participant,
        view=view,
        viewer=Viewer("phone", meeting.id or 0, participant.id),
        # Only while it shows: outside voting the slot is empty, and a phone page need not
        # read the board's notes a second time.
        vote_panel=(
            await vote_context(db, meeting, participant)
            if meeting.voting_open or meeting.votes_revealed
            else None
        ),
        project_panel=await project_context(db, meeting, participant, view=view),
    )


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    """The phone's outbox (static/app.js) asks for JSON; a plain form gets pages."""
    return "application/json" in request.headers.get("accept", "")


@post("/b/{meeting_id:int}/notes", status_code=200)
async def post_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Post a note. Sent again with the same client_id (a phone back online), it is stored once."""
    try:
        await limits(request).notes.take(f"{meeting.id}:{participant.id}")
        await limits(request).notes_per_address.take(f"{meeting.id}:{client_address(request)}")
        result = await boards.post_note(
            db,
            meeting,
            participant,
            kind=data.get("kind", ""),
            text=data.get("text", ""),
            client_id=data.get("client_id", ""),
        )
    except UserError as exc:
        if _wants_json(request):
            return Response({"error": str(exc.message)}, status_code=status_of(exc))
        raise
    if isinstance(result, BoardChange):
        publish(channels, result)
        note_id, waiting = result.note_id, bool(result.note and result.note.waiting)
    else:
        note_id, waiting = result.id, result.waiting
    if _wants_json(request):
        # waiting: screened mode; the phone shows it 「確認中」 until a facilitator lets it through.
        return {"note_id": note_id, "waiting": waiting}
    return see_other(f"/b/{meeting.id}")


@get("/b/{meeting_id:int}/notes/{note_id:int}")
async def show_own_note(
    db: DB, meeting: CurrentMeeting, participant: CurrentParticipant, note_id: FromPath[int]
) -> Template:
    note = await boards.visible_note(db, meeting, note_id, participant.id)
    return page(
        "boards/_note.html",
        note=boards.note_state(note),
        viewer=Viewer("phone", meeting.id or 0, participant.id),
        board=board_state(meeting),
    )


@get("/b/{meeting_id:int}/notes/{note_id:int}/edit")
async def edit_own_note_form(
    db: DB, meeting: CurrentMeeting, actor: CurrentActor, note_id: FromPath[int]
) -> Template:
    note = await boards.own_note(db, meeting, note_id, actor)
    return page(
        "boards/_note_edit.html",
        note=boards.note_state(note),
        viewer=Viewer("phone", meeting.id or 0, actor.participant_id),
        board=board_state(meeting),
    )


@post("/b/{meeting_id:int}/notes/{note_id:int}/edit")
async def edit_own_note(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    note_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    change = await boards.edit_note(
        db, meeting, note_id, actor, kind=data.get("kind", ""), text=data.get("text", "")
    )
    publish(channels, change)
    return page(
        "boards/_note.html",
        note=change.note,
        viewer=Viewer("phone", meeting.id or 0, actor.participant_id),
        board=change.board,
    )


@post("/b/{meeting_id:int}/notes/{note_id:int}/delete", media_type=MediaType.HTML, status_code=200)
async def delete_own_note(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, note_id: FromPath[int]
) -> str:
    for change in await boards.delete_note(db, meeting, note_id, actor):
        publish(channels, change)
    return ""  # htmx swaps the note out for nothing


@post("/b/{meeting_id:int}/me/forget")
async def forget_me(db: DB, meeting: CurrentMeeting, participant: CurrentParticipant) -> Any:
    """A participant removes their nickname and affiliation."""
    await forget_nickname(db, participant)
    return see_other(f"/b/{meeting.id}")


handlers = [
    phone_board,
    post_note,
    show_own_note,
    edit_own_note_form,
    edit_own_note,
    delete_own_note,
    forget_me,
]
