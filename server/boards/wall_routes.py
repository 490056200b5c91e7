"""The wall's own controls: the facilitator's spotlight, and the fragment every screen loads to
show what is in it (a projector and a console as staff, a phone as a participant of the session)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from server.accounts.roles import require_role
from server.boards import service as boards
from server.boards.live import publish
from server.boards.live_routes import live_watcher
from server.boards.spotlight import set_spotlight, spotlight_of
from server.errors import Forbidden, UserError
from server.i18n import N_
from server.meetings import service as meetings
from server.web.auth import current_user, requires_role
from server.web.deps import DB, Channels
from server.web.responses import page


def _id_or_none(raw: Any) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise UserError(N_("スポットライトの指定が正しくありません。"))
    return int(text)


@post("/sessions/{meeting_id:int}/spotlight", status_code=204)
async def spotlight(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: FromPath[int]
) -> Response[None]:
    """note_id=…: that note big; cluster_id=…: that group; table_id=…: that table (島) presenting;
    none: back to the wall."""
    user = require_role(await current_user(request, db), "facilitator")
    form = await request.form()
    note_id, cluster_id = _id_or_none(form.get("note_id")), _id_or_none(form.get("cluster_id"))
    table_id = _id_or_none(form.get("table_id"))
    meeting = await meetings.get_meeting(db, meeting_id)
    change = await set_spotlight(
        db, meeting, boards.Actor(user_id=user.id), note_id=note_id, cluster_id=cluster_id, table_id=table_id
    )
    publish(channels, change)
    return Response(content=None, status_code=204)


@get("/b/{meeting_id:int}/spotlight")
async def spotlight_fragment(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], view: FromQuery[str] = "phone"
) -> Template:
    """What is in the spotlight, drawn for this screen (empty when nothing is)."""
    meeting = await meetings.get_meeting(db, meeting_id)
    watcher = await live_watcher(request, db, meeting_id, view)
    viewer = watcher[0] if watcher else None
    if viewer is None:
        raise Forbidden(N_("この会のボードを見る権限がありません。"))
    # During table work a phone sees its own table's notes only, in the spotlight too.
    at_table = viewer.mode == "phone" and meeting.table_work and meeting.table_count > 0
    spot = await spotlight_of(db, meeting, at_table=at_table, table_id=viewer.table_id)
    return page("boards/_spotlight.html", spot=spot, viewer=viewer, meeting=meeting)


facilitator_router = Router(
    include_in_schema=False, path="/f", guards=[requires_role("facilitator")], route_handlers=[spotlight]
)
board_router = Router(include_in_schema=False, path="/", route_handlers=[spotlight_fragment])
