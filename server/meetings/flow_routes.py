"""The facilitator's controls during a meeting: phases and timer, voting, and staff entry
(代理入力). Grouping is in grouping_routes.py, promotion in server/projects/promotion_routes.py.

Each control posts with htmx and expects no swap (204): the change comes back to every
screen, this one included, over the board's websocket. Facilitators only (the router's guard).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Response, Router, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from server.accounts.actor import Actor
from server.accounts.roles import FACILITATOR
from server.boards import service as boards
from server.boards import tables, voting
from server.boards.events import BoardChange
from server.boards.live import publish
from server.errors import UserError
from server.i18n import N_
from server.meetings import flow
from server.meetings.grouping_routes import published
from server.meetings.models import Meeting
from server.textutil import is_id
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting
from server.web.responses import page, status_of

# --- phases and timer ---------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/phase/{direction:str}", status_code=204)
async def change_phase(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, direction: FromPath[str]
) -> Response[None]:
    step = {"next": 1, "back": -1}.get(direction)
    if step is None:
        raise UserError(N_("進め方の指定が正しくありません。"))
    return published(channels, await flow.go_to_phase(db, meeting, actor, meeting.phase_index + step))


TIMER_ACTIONS: dict[str, Callable[[DB, Meeting, Actor], Awaitable[BoardChange]]] = {
    "start": flow.start_timer,
    "pause": flow.pause_timer,
    "extend": flow.extend_timer,
    "reset": flow.reset_timer,
}


@post("/sessions/{meeting_id:int}/timer/{action:str}", status_code=204)
async def timer(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, action: FromPath[str]
) -> Response[None]:
    run = TIMER_ACTIONS.get(action)
    if run is None:
        raise UserError(N_("タイマーの操作が正しくありません。"))
    return published(channels, await run(db, meeting, actor))


# --- voting ----------------------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/voting", status_code=204)
async def voting_settings(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    settings = voting.clean_settings(data)
    return published(channels, await voting.configure(db, meeting, actor, settings))


VOTING_ACTIONS: dict[str, Callable[[DB, Meeting, Actor], Awaitable[BoardChange]]] = {
    "open": lambda db, m, a: voting.set_open(db, m, a, open=True),
    "close": lambda db, m, a: voting.set_open(db, m, a, open=False),
    "reveal": lambda db, m, a: voting.reveal(db, m, a, revealed=True),
    "hide-results": lambda db, m, a: voting.reveal(db, m, a, revealed=False),
    "clear": voting.clear_votes,
}


@post("/sessions/{meeting_id:int}/voting/{action:str}", status_code=204)
async def voting_action(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, action: FromPath[str]
) -> Response[None]:
    run = VOTING_ACTIONS.get(action)
    if run is None:
        raise UserError(N_("投票の操作が正しくありません。"))
    return published(channels, await run(db, meeting, actor))


@get("/sessions/{meeting_id:int}/ranking")
async def ranking(db: DB, meeting: CurrentMeeting) -> Template:
    return page("meetings/_ranking.html", ranking=await voting.ranking(db, meeting))


# --- staff entry (代理入力) ---------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/notes", status_code=200)
async def staff_note(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    kind, text, raw_table = data.get("kind", ""), data.get("text", ""), data.get("table_id", "")
    # The table (島) select is drawn again as it was (the staff member types the next note there).
    choices = await tables.list_tables(db, meeting.id or 0) if meeting.table_count else []
    try:
        if raw_table and not is_id(raw_table):
            raise UserError(N_("島を一覧から選んでください。"))
        change = await boards.post_note_for_someone(
            db, meeting, actor, kind=kind, text=text, table_id=int(raw_table) if raw_table else None
        )
    except UserError as exc:
        return page(
            "boards/_proxy_form.html",
            status_code=status_of(exc),
            meeting=meeting,
            kind=kind,
            text=text[:1000],
            error=exc.message,
            tables=choices,
            table_id=raw_table,
        )
    publish(channels, change)
    # Screened mode: the note waits on the console to be let through; the form says so.
    waiting = bool(change.note and change.note.waiting)
    return page(
        "boards/_proxy_form.html",
        meeting=meeting,
        kind=kind,
        sent=True,
        waiting=waiting,
        tables=choices,
        table_id=raw_table,
    )


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[change_phase, timer, voting_settings, voting_action, ranking, staff_note],
)
