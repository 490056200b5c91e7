"""Moderation (モデレーション) on the console: hiding and showing a note (and withdrawing its text
from the projects that copied it), fixing a note's text, and screened mode (確認してから映す:
turning it on and off, letting waiting notes through). Facilitators only (the router's guard)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from server.accounts.roles import FACILITATOR
from server.boards import screening
from server.boards import service as boards
from server.boards.live import Viewer, publish
from server.boards.state import board_state, vote_totals
from server.errors import UserError
from server.i18n import N_
from server.meetings.models import Meeting
from server.textutil import is_id
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting
from server.web.responses import page

# --- moderation (モデレーション) --------------------------------------------------------------


async def _console_note(db: DB, meeting: Meeting, note_id: int, template: str, **extra: Any) -> Template:
    """One note as the console draws it (with its controls)."""
    note = await boards.get_note(db, meeting, note_id)
    note_votes, _ = await vote_totals(db, meeting.id or 0, {note_id}, set())
    return page(
        template,
        note=boards.note_state(note, note_votes.get(note_id, 0)),
        viewer=Viewer("console", meeting.id or 0),
        board=board_state(meeting),
        **extra,
    )


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/hide")
async def hide_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    note_id: FromPath[int],
) -> Template:
    """Hide a note. When a project copied its text, the console's button (``ask``) first asks
    whether to withdraw it from there too, checked by default (``decided``, ``withdraw`` per
    project). A hide without that answer withdraws it: hidden text never leaves the console."""
    form = await request.form()
    if form.get("ask") and not form.get("decided"):
        holding = await boards.projects_holding(db, meeting, note_id)
        if holding:
            return await _console_note(db, meeting, note_id, "boards/_note.html", hide_question=holding)
    withdraw_from = None
    if form.get("decided"):
        checked = form.getall("withdraw") if "withdraw" in form else []
        withdraw_from = {int(v) for v in checked if is_id(str(v))}
    changes = await boards.hide_note(db, meeting, note_id, actor, withdraw_from=withdraw_from)
    for change in changes:
        publish(channels, change)
    return page(
        "boards/_note.html",
        note=changes[0].note,
        viewer=Viewer("console", meeting.id or 0),
        board=changes[0].board,
    )


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/show")
async def show_note(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, note_id: FromPath[int]
) -> Template:
    """Show a note again; text withdrawn from a project does not come back with it."""
    change = await boards.show_note(db, meeting, note_id, actor)
    publish(channels, change)
    return page(
        "boards/_note.html", note=change.note, viewer=Viewer("console", meeting.id or 0), board=change.board
    )


@get("/sessions/{meeting_id:int}/notes/{note_id:int}")
async def moderated_note(
    request: Request[Any, Any, Any], db: DB, meeting: CurrentMeeting, note_id: FromPath[int]
) -> Template:
    template = "boards/_note_edit.html" if request.query_params.get("edit") else "boards/_note.html"
    return await _console_note(db, meeting, note_id, template)


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/edit")
async def edit_note(
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
        "boards/_note.html", note=change.note, viewer=Viewer("console", meeting.id or 0), board=change.board
    )


# --- screened mode (確認してから映す) ---------------------------------------------------------------


@post("/sessions/{meeting_id:int}/screening", status_code=204)
async def set_screening(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    """screened=1: new notes wait to be let through; screened=0: they show at once (what waits
    keeps waiting). The console's panel is redrawn by the change, on every console."""
    screened = {"1": True, "0": False}.get(data.get("screened", ""))
    if screened is None:
        raise UserError(N_("「確認してから映す」の指定が正しくありません。"))
    publish(channels, await screening.set_screening(db, meeting, actor, screened=screened))
    return Response(content=None, status_code=204)


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/let-through")
async def let_through(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, note_id: FromPath[int]
) -> Template:
    """Let one waiting note through (通す); every screen gets it as a new note."""
    change = await screening.let_through(db, meeting, note_id, actor)
    publish(channels, change)
    return page(
        "boards/_note.html", note=change.note, viewer=Viewer("console", meeting.id or 0), board=change.board
    )


@post("/sessions/{meeting_id:int}/notes/let-all-through", status_code=204)
async def let_all_through(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor
) -> Response[None]:
    """すべて通す: every waiting note, in one change; the consoles move them by websocket."""
    publish(channels, await screening.let_all_through(db, meeting, actor))
    return Response(content=None, status_code=204)


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[
        hide_note,
        show_note,
        moderated_note,
        edit_note,
        set_screening,
        let_through,
        let_all_through,
    ],
)
