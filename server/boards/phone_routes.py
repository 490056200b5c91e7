"""The participant's phone: the board page, posting notes, editing and deleting one's own notes,
and forgetting one's nickname. A participant of the session only (the ``participant``
dependency: 403 otherwise; the page itself sends a stranger to the start page)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.connection import ASGIConnection
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards import clusters, tables
from server.boards import service as boards
from server.boards.events import BoardChange
from server.boards.live import Viewer, publish
from server.boards.models import Participant
from server.boards.panel_routes import project_context, vote_context
from server.boards.state import board_state
from server.errors import UserError
from server.i18n import N_
from server.meetings.models import Meeting
from server.privacy.service import forget_nickname
from server.textutil import is_id
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting, CurrentParticipant, MaybeParticipant
from server.web.ratelimit import client_address, limits
from server.web.responses import is_htmx, page, see_other, status_of


@get("/b/{meeting_id:int}")
async def phone_board(
    db: DB, meeting: CurrentMeeting, participant_or_none: MaybeParticipant, t: FromQuery[str] = ""
) -> Any:
    participant = participant_or_none
    if participant is None:
        # The start page, never the join code: ids are sequential, so a redirect to the code
        # would hand every open session's code to anyone who walks /b/1, /b/2, ….
        return see_other("/")
    # During table work (テーブルワーク) a phone shows its own table's notes only; its own notes
    # waiting to be let through (screened mode) too: they see them 「確認中」.
    view = await boards.board_view(
        db,
        meeting,
        include_hidden=False,
        waiting_of=participant.id,
        at_table=meeting.table_work and meeting.table_count > 0,
        table_id=participant.table_id,
    )
    my_table = next((table for table in view.tables if table.id == participant.table_id), None)
    # The vote and project panels are part of the first paint (the same fragments their own
    # routes serve): loading them afterwards would push the note list down (a layout jump).
    return page(
        "boards/phone.html",
        meeting=meeting,
        participant=participant,
        view=view,
        viewer=Viewer(
            "phone",
            meeting.id or 0,
            participant.id,
            table_id=participant.table_id,
            host=participant.table_host,
        ),
        my_table=my_table,
        # Scanned another table's card: offered to move there.
        offered_table=next((x for x in view.tables if t and x.code == t[:2] and x != my_table), None),
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


async def submit_note(
    connection: ASGIConnection[Any, Any, Any, Any],
    db: AsyncSession,
    channels: ChannelsPlugin,
    meeting: Meeting,
    participant: Participant,
    *,
    kind: str,
    text: str,
    client_id: str,
) -> tuple[int, bool]:
    """A phone's note, however it came (HTTP or its board socket): the per-phone and per-address
    limits, the service, then the change published. Returns the note's id and whether it waits
    to be let through (screened mode: 「確認中」). Raises ``UserError`` when refused."""
    await limits(connection).notes.take(f"{meeting.id}:{participant.id}")
    await limits(connection).notes_per_address.take(f"{meeting.id}:{client_address(connection)}")
    result = await boards.post_note(db, meeting, participant, kind=kind, text=text, client_id=client_id)
    if isinstance(result, BoardChange):
        publish(channels, result)
        return result.note_id or 0, bool(result.note and result.note.waiting)
    return result.id or 0, result.waiting


@post("/b/{meeting_id:int}/notes", status_code=200, opt={"no_compression": True})
async def post_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Post a note. Sent again with the same client_id (a phone back online), it is stored once.
    A phone whose board socket is open posts over it instead (``live_routes``); this is its outbox's
    fallback, and the path of a plain form."""
    try:
        note_id, waiting = await submit_note(
            request,
            db,
            channels,
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


@post("/b/{meeting_id:int}/table")
async def choose_table(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    actor: CurrentActor,
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Sit down at a table (島), or move to another, from the phone."""
    raw = data.get("table_id", "")
    if not is_id(raw):
        raise UserError(N_("島を一覧から選んでください。"))
    publish(channels, await tables.choose_table(db, meeting, participant, actor, int(raw)))
    return see_other(f"/b/{meeting.id}")


@post("/b/{meeting_id:int}/notes/{note_id:int}/hide", status_code=204)
async def hide_as_host(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    note_id: FromPath[int],
) -> Response[None]:
    """A table's host (テーブルホスト) hides a note of their own table; it leaves every phone and
    the projector at once (the change comes back over the websocket)."""
    for change in await tables.hide_as_host(db, meeting, participant, note_id):
        publish(channels, change)
    return Response(content=None, status_code=204)


async def host_page(
    db: DB, meeting: Meeting, table_id: int, *, base: str, back: str = "", region: bool = False
) -> Template:
    """A table host's page (テーブルホスト), on a phone or tablet: the table's groups and its notes
    in no group, with a form to move each note and to name each group. ``base``: where its forms
    post (the participant host's /b/…/host, or the staff's /f/…/tables/N/host). ``region``: only
    the part that changes (``boards/_host_region.html``), which static/host.js fetches again when
    the board socket says the table changed, and which answers the host's htmx posts."""
    table = await tables.get_table(db, meeting, table_id)
    groups, loose = await clusters.table_groups(db, meeting, table_id)
    return page(
        "boards/_host_region.html" if region else "boards/host.html",
        meeting=meeting,
        table=table,
        groups=groups,
        loose=loose,
        base=base,
        back=back,
        # A staff host's socket names its table (checked against its assignment); a participant's
        # is their own table's.
        socket_table="" if base.startswith("/b/") else f"&table={table_id}",
    )


async def host_answer(
    request: Request[Any, Any, Any], db: DB, meeting: Meeting, table_id: int, base: str
) -> Any:
    """After a host's action: the region again for htmx (no reload), else the page (303)."""
    if is_htmx(request):
        return await host_page(db, meeting, table_id, base=base, region=True)
    return see_other(base)


def group_target(data: dict[str, str]) -> tuple[int | None, bool]:
    """The ``into`` of a host's move: a group's id, ``new`` (a new group), or empty (no group)."""
    into = data.get("into", "").strip()
    if into and not is_id(into) and into != "new":
        raise UserError(N_("グループを一覧から選んでください。"))
    return (int(into) if is_id(into) else None), into == "new"


@get("/b/{meeting_id:int}/host")
async def host_board(db: DB, meeting: CurrentMeeting, participant: CurrentParticipant) -> Template:
    """The host's page for their own table (403 for anyone who hosts no table)."""
    table_id = tables.hosted_table(participant)
    return await host_page(db, meeting, table_id, base=f"/b/{meeting.id}/host", back=f"/b/{meeting.id}")


@get("/b/{meeting_id:int}/host/region")
async def host_region(db: DB, meeting: CurrentMeeting, participant: CurrentParticipant) -> Template:
    """The changing part of the host's page, fetched again live (static/host.js); 403 for anyone
    who hosts no table. Always the table they host now (a host moved elsewhere gets the new
    table's, and the page loads itself again)."""
    table_id = tables.hosted_table(participant)
    return await host_page(db, meeting, table_id, base=f"/b/{meeting.id}/host", region=True)


@post("/b/{meeting_id:int}/host/notes/{note_id:int}/group")
async def group_as_host(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    note_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """A host puts a note of their table into a group of their table (or a new one, or none)."""
    cluster_id, new = group_target(data)
    table_id = tables.hosted_table(participant)
    publish(
        channels, await clusters.group_as_host(db, meeting, table_id, note_id, cluster_id=cluster_id, new=new)
    )
    return await host_answer(request, db, meeting, table_id, f"/b/{meeting.id}/host")


@post("/b/{meeting_id:int}/host/clusters/{cluster_id:int}/name")
async def rename_as_host(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    cluster_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """A host names a group of their own table."""
    table_id = tables.hosted_table(participant)
    publish(
        channels, await clusters.rename_as_host(db, meeting, table_id, cluster_id, name=data.get("name", ""))
    )
    return await host_answer(request, db, meeting, table_id, f"/b/{meeting.id}/host")


@get("/b/{meeting_id:int}/host-link/{token:str}")
async def host_link_page(
    request: Request[Any, Any, Any],
    db: DB,
    meeting: CurrentMeeting,
    participant_or_none: MaybeParticipant,
    token: FromPath[str],
) -> Any:
    """A one-time host link opened on a phone: asks before it makes them the table's host (a link
    preview or a second look must not use it up)."""
    if participant_or_none is None:
        return see_other("/")  # join the session first (the projector's or a table card's QR)
    table = await tables.host_link_table(db, meeting, token, request.app.state.settings.secret_key)
    return page("boards/host_link.html", meeting=meeting, table=table, token=token)


@post("/b/{meeting_id:int}/host-link/{token:str}")
async def use_host_link(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    actor: CurrentActor,
    token: FromPath[str],
) -> Any:
    """Become the host of the link's table (and sit there); the link is used up."""
    secret = request.app.state.settings.secret_key
    publish(channels, await tables.use_host_link(db, meeting, participant, actor, token, secret))
    return see_other(f"/b/{meeting.id}/host")


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
    choose_table,
    hide_as_host,
    host_board,
    host_region,
    group_as_host,
    rename_as_host,
    host_link_page,
    use_host_link,
    forget_me,
]
