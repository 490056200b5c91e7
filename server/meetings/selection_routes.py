"""Acting on several notes at once from the console (付箋をまとめて操作): the facilitator selects
notes (tap or click their box, shift-click for a range) and moves them into a group, makes a new
group of them, or hides them all. Each posts the selected ``note_id``s with htmx and expects no
swap (204): the change comes back to every screen, this one included, over the board's websocket.
A refused selection changes nothing and answers with the message (the page's message area).
Facilitators only (the router's guard)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post

from server.accounts.roles import FACILITATOR
from server.boards import clusters
from server.boards import service as boards
from server.boards.live import publish
from server.errors import UserError
from server.i18n import N_
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting


async def _selection(request: Request[Any, Any, Any]) -> tuple[list[int], Any]:
    """The selected notes' ids, and the rest of the form."""
    form = await request.form()
    raw = form.getall("note_id") if "note_id" in form else []
    try:
        return [int(str(value)) for value in raw], form
    except ValueError:
        raise UserError(N_("付箋の指定が正しくありません。")) from None


def _cluster_id(raw: str) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        raise UserError(N_("グループの指定が正しくありません。")) from None


@post("/sessions/{meeting_id:int}/selection/move", status_code=204)
async def move_selection(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor
) -> Response[None]:
    """The selected notes into the chosen group (or back among the ungrouped: no group)."""
    note_ids, form = await _selection(request)
    cluster_id = _cluster_id(str(form.get("cluster_id", "")))
    publish(channels, await clusters.move_notes(db, meeting, note_ids, actor, cluster_id=cluster_id))
    return Response(content=None, status_code=204)


@post("/sessions/{meeting_id:int}/selection/group", status_code=204)
async def group_selection(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor
) -> Response[None]:
    """A new group of the selected notes, under the name written (or 「新しいグループ」)."""
    note_ids, form = await _selection(request)
    name = str(form.get("name", ""))
    publish(channels, await clusters.group_notes(db, meeting, note_ids, actor, name=name))
    return Response(content=None, status_code=204)


@post("/sessions/{meeting_id:int}/selection/hide", status_code=204)
async def hide_selection(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor
) -> Response[None]:
    """Hide every selected note (their text leaves the projects that copied it, too)."""
    note_ids, _ = await _selection(request)
    for change in await boards.hide_notes(db, meeting, note_ids, actor):
        publish(channels, change)
    return Response(content=None, status_code=204)


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[move_selection, group_selection, hide_selection],
)
