"""The facilitator's tables (島): how many and their names, who sits where, the printable table
cards with their QR codes, and the room's move between table work (テーブルワーク) and the plenary
(全体共有). The rules are in ``server/boards/tables.py``. Facilitators only (the router's guard)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from server.accounts.roles import ADMIN, COORDINATOR, FACILITATOR
from server.boards import clusters, tables
from server.boards import service as boards
from server.boards.live import Viewer, publish
from server.boards.phone_routes import group_target, host_answer, host_page
from server.errors import ErrorKind, UserError
from server.i18n import N_, Text
from server.meetings.grouping_routes import published
from server.meetings.models import Meeting
from server.meetings.qr import qr_svg
from server.meetings.routes import join_url
from server.programmes.service import get_programme
from server.textutil import is_id
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting
from server.web.responses import page, see_other, status_of


def table_join_url(request: Request[Any, Any, Any], meeting: Meeting, table: tables.TableInfo) -> str:
    """The address in a table card's QR: the session's join address, straight to this table."""
    return f"{join_url(request, meeting)}&t={table.code}"


async def _tables_page(
    db: DB, meeting: Meeting, error: Text = "", status_code: int = 200, form: dict[str, str] | None = None
) -> Template:
    infos = await tables.table_infos(db, meeting)
    return page(
        "meetings/tables.html",
        status_code=status_code,
        meeting=meeting,
        tables=infos,
        participants=await tables.seated_participants(db, meeting),
        staff_hosts=await tables.staff_hosts(db, meeting),
        staff_accounts=await tables.staff_accounts(db),
        error=error,
        form=form or {},
        default_names=[tables.default_name(i) for i in range(20)],
    )


@get("/sessions/{meeting_id:int}/tables")
async def tables_page(db: DB, meeting: CurrentMeeting) -> Template:
    return await _tables_page(db, meeting)


@post("/sessions/{meeting_id:int}/tables")
async def set_tables(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    try:
        change = await tables.set_tables(db, meeting, actor, names=tables.clean_table_form(data))
    except UserError as exc:  # refused before anything changed
        return await _tables_page(db, meeting, exc.message, status_of(exc), data)
    publish(channels, change)
    return see_other(f"/f/sessions/{meeting.id}/tables")


@post("/sessions/{meeting_id:int}/tables/mode/{mode:str}", status_code=204)
async def set_table_mode(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, mode: FromPath[str]
) -> Response[None]:
    """テーブルワーク (``work``) or 全体共有 (``plenary``)."""
    if mode not in ("work", "plenary"):
        raise UserError(N_("テーブルワークか全体共有かの指定が正しくありません。"))
    return published(channels, await tables.set_table_work(db, meeting, actor, on=mode == "work"))


@post("/sessions/{meeting_id:int}/participants/{participant_id:int}/table")
async def move_participant(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    participant_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    raw = data.get("table_id", "")
    if raw and not is_id(raw):
        raise UserError(N_("島を一覧から選んでください。"))
    publish(
        channels, await tables.move_participant(db, meeting, actor, participant_id, int(raw) if raw else None)
    )
    return see_other(f"/f/sessions/{meeting.id}/tables")


@post("/sessions/{meeting_id:int}/participants/{participant_id:int}/host")
async def set_host(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    participant_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Make someone their table's host (stays when a round reshuffles), or not."""
    publish(channels, await tables.set_host(db, meeting, actor, participant_id, host=data.get("host") == "1"))
    return see_other(f"/f/sessions/{meeting.id}/tables")


@post("/sessions/{meeting_id:int}/tables/round")
async def start_round(db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor) -> Any:
    """The next world-café round: hosts stay, everyone else moves (each phone shows its next table)."""
    publish(channels, await tables.start_round(db, meeting, actor))
    return see_other(f"/f/sessions/{meeting.id}/tables")


@get("/sessions/{meeting_id:int}/tables/{table_id:int}/wall")
async def table_wall(
    request: Request[Any, Any, Any], db: DB, meeting: CurrentMeeting, table_id: FromPath[int]
) -> Template:
    """One table's own wall, for the tablet or laptop at that table: the projector's wall with
    that table's notes only (live), its name and its card's QR."""
    table = await tables.get_table(db, meeting, table_id)
    view = await boards.board_view(db, meeting, include_hidden=False, at_table=True, table_id=table.id)
    view.tables = [t for t in view.tables if t.id == table.id]
    return page(
        "meetings/projector.html",
        meeting=meeting,
        view=view,
        viewer=Viewer("projector", meeting.id or 0, table_id=table.id),
        programme=get_programme(meeting.programme),
        join_url=table_join_url(request, meeting, view.tables[0]),
        wall_table=view.tables[0],
    )


@get("/sessions/{meeting_id:int}/tables/{table_id:int}/host")
async def staff_host_page(
    db: DB, meeting: CurrentMeeting, actor: CurrentActor, table_id: FromPath[int]
) -> Template:
    """A signed-in staff member assigned as a table's host (a tablet at the table): the host's
    page, whose forms act on that table only (403 for any other staff member)."""
    table = await tables.staff_hosted_table(db, meeting, actor, table_id)
    base = f"/f/sessions/{meeting.id}/tables/{table}/host"
    return await host_page(db, meeting, table, base=base, back=base)


@get("/sessions/{meeting_id:int}/tables/{table_id:int}/host/region")
async def staff_host_region(
    db: DB, meeting: CurrentMeeting, actor: CurrentActor, table_id: FromPath[int]
) -> Template:
    """The changing part of a staff host's page, fetched again live (static/host.js)."""
    table = await tables.staff_hosted_table(db, meeting, actor, table_id)
    return await host_page(
        db, meeting, table, base=f"/f/sessions/{meeting.id}/tables/{table}/host", region=True
    )


@post("/sessions/{meeting_id:int}/tables/{table_id:int}/host/notes/{note_id:int}/group")
async def staff_group_as_host(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    table_id: FromPath[int],
    note_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    cluster_id, new = group_target(data)
    table = await tables.staff_hosted_table(db, meeting, actor, table_id)
    publish(
        channels, await clusters.group_as_host(db, meeting, table, note_id, cluster_id=cluster_id, new=new)
    )
    return await host_answer(request, db, meeting, table, f"/f/sessions/{meeting.id}/tables/{table}/host")


@post("/sessions/{meeting_id:int}/tables/{table_id:int}/host/clusters/{cluster_id:int}/name")
async def staff_rename_as_host(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    table_id: FromPath[int],
    cluster_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    table = await tables.staff_hosted_table(db, meeting, actor, table_id)
    publish(
        channels, await clusters.rename_as_host(db, meeting, table, cluster_id, name=data.get("name", ""))
    )
    return await host_answer(request, db, meeting, table, f"/f/sessions/{meeting.id}/tables/{table}/host")


@post("/sessions/{meeting_id:int}/tables/{table_id:int}/staff-hosts")
async def set_staff_host(
    db: DB,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    table_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Assign a signed-in staff member as this table's host (or take it back)."""
    raw = data.get("user_id", "")
    if not is_id(raw):
        raise UserError(N_("職員を一覧から選んでください。"))
    await tables.set_staff_host(db, meeting, actor, table_id, int(raw), host=data.get("host", "1") == "1")
    return see_other(f"/f/sessions/{meeting.id}/tables")


@post("/sessions/{meeting_id:int}/tables/{table_id:int}/host-link")
async def make_host_link(
    request: Request[Any, Any, Any],
    db: DB,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    table_id: FromPath[int],
) -> Template:
    """A one-time link (signed, two hours, usable once) that makes whoever opens it on their
    phone this table's host: shown big with its QR, to scan or print."""
    settings = request.app.state.settings
    token = await tables.host_link(db, meeting, actor, table_id, settings.secret_key)
    table = await tables.get_table(db, meeting, table_id)
    url = f"{str(join_url(request, meeting)).split('/join/')[0]}/b/{meeting.id}/host-link/{token}"
    svg = qr_svg(url).decode()
    return page("meetings/host_link.html", meeting=meeting, table=table, url=url, qr=svg[svg.index("<svg") :])


@get("/sessions/{meeting_id:int}/tables/cards")
async def table_cards(db: DB, meeting: CurrentMeeting) -> Template:
    """One card per table (A5, two to an A4 sheet): its name, the question, a QR and the code."""
    infos = await tables.table_infos(db, meeting)
    return page(
        "meetings/table_cards.html",
        meeting=meeting,
        tables=infos,
        codes={t.id: f"{meeting.join_code[:3]} {meeting.join_code[3:]} {t.code}" for t in infos},
    )


@get("/sessions/{meeting_id:int}/tables/{table_id:int}/qr.svg", media_type="image/svg+xml")
async def table_qr(
    request: Request[Any, Any, Any], db: DB, meeting: CurrentMeeting, table_id: FromPath[int]
) -> Response[bytes]:
    table = next((t for t in await tables.table_infos(db, meeting) if t.id == table_id), None)
    if table is None:
        raise UserError(N_("その島は見つかりませんでした。"), ErrorKind.NOT_FOUND)
    return Response(
        qr_svg(table_join_url(request, meeting, table)),
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-store"},
    )


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[
        tables_page,
        set_tables,
        set_table_mode,
        move_participant,
        set_host,
        start_round,
        table_wall,
        set_staff_host,
        make_host_link,
        table_cards,
        table_qr,
    ],
)


#: A staff member assigned as a table's host may have any role (a 地区協議会 member's account):
#: the host's page checks the assignment (``tables.staff_hosted_table``).
host_router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR, COORDINATOR, ADMIN)],
    route_handlers=[staff_host_page, staff_host_region, staff_group_as_host, staff_rename_as_host],
)
