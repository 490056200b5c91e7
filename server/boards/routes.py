"""Participants' side of a board: the start page, joining, the phone page, posting notes,
and the websocket every screen (phone, projector, console) listens on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from litestar import MediaType, Request, Response, WebSocket, get, post, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from server.boards import service as boards
from server.boards import voting
from server.boards.budget import (
    CLOSE_POLICY,
    CLOSE_REPLACED,
    CLOSE_TOO_BIG,
    MAX_MESSAGE_BYTES,
    Holder,
    LiveGuards,
    MessageCounter,
)
from server.boards.events import BoardChange
from server.boards.live import (
    BoardStream,
    Viewer,
    ViewMode,
    publish,
    render_catch_up,
)
from server.boards.models import Participant
from server.boards.state import BoardView, board_state, list_clusters
from server.errors import ErrorKind, Forbidden, UserError
from server.i18n import N_, Text, locale_of_scope
from server.meetings import service as meetings
from server.meetings.models import Meeting
from server.privacy.service import forget_nickname
from server.projects import service as projects
from server.web.auth import current_user, participant_token, remember_participant
from server.web.dberrors import get_by_id
from server.web.deps import DB, Channels
from server.web.ratelimit import client_address, limits
from server.web.responses import page, see_other, status_of
from server.web.serversend import text_sender

logger = logging.getLogger(__name__)

# --- joining --------------------------------------------------------------------------


@get("/")
async def start_page() -> Template:
    return page("start.html")


async def _find_by_code(request: Request[Any, Any, Any], db: DB, raw: str, key: str = "") -> Meeting:
    """The open session with this code.

    A code read from the QR (with its key) is never refused. A typed code is refused while its
    address has typed too many wrong ones, even when it is right: a six-digit code has a million
    values, so a guesser must not learn a hit. The room behind that address still joins by the
    QR (the refusal says so), and staff can enter paper notes."""
    settings = request.app.state.settings
    if key:
        with contextlib.suppress(UserError):
            meeting = await meetings.find_by_join_code(db, raw)
            if meetings.qr_key_matches(meeting, settings.secret_key, key):
                return meeting
    failures = limits(request).join_code_failures
    address = client_address(request)
    await failures.check(address)
    try:
        return await meetings.find_by_join_code(db, raw)
    except UserError as exc:
        if exc.kind in (ErrorKind.NOT_FOUND, ErrorKind.INVALID):
            await failures.hit(address)
        raise


def _join_path(request: Request[Any, Any, Any], meeting: Meeting) -> str:
    """The join page's address, keeping the QR's key so the next step is not refused either."""
    key = meetings.qr_key(meeting, request.app.state.settings.secret_key)
    came_by_qr = request.query_params.get("k", "") == key
    return f"/join/{meeting.join_code}?k={key}" if came_by_qr else f"/join/{meeting.join_code}"


@post("/join")
async def submit_code(request: Request[Any, Any, Any], db: DB, data: URLEncodedBody[dict[str, str]]) -> Any:
    raw = data.get("code", "")
    try:
        meeting = await _find_by_code(request, db, raw)
    except UserError as exc:
        return page("start.html", status_code=status_of(exc), error=exc.message, code=raw[:20])
    return see_other(f"/join/{meeting.join_code}")


@get("/join/{code:str}")
async def join_page(
    request: Request[Any, Any, Any], db: DB, code: FromPath[str], k: FromQuery[str] = ""
) -> Any:
    try:
        meeting = await _find_by_code(request, db, code, k)
    except UserError as exc:
        return page("start.html", status_code=status_of(exc), error=exc.message, code=code[:20])
    assert meeting.id is not None
    if await boards.get_participant(db, meeting.id, participant_token(request, meeting.id)):
        return see_other(f"/b/{meeting.id}")
    return page("boards/join.html", meeting=meeting, action=_join_path(request, meeting))


@post("/join/{code:str}")
async def join(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    code: FromPath[str],
    data: URLEncodedBody[dict[str, str]],
    k: FromQuery[str] = "",
) -> Any:
    try:
        meeting = await _find_by_code(request, db, code, k)
    except UserError as exc:
        return page("start.html", status_code=status_of(exc), error=exc.message, code=code[:20])
    assert meeting.id is not None
    # The same phone joining again is the same participant: counted once in the attendance.
    if await boards.get_participant(db, meeting.id, participant_token(request, meeting.id)):
        return see_other(f"/b/{meeting.id}")
    nickname = "" if "skip" in data else data.get("nickname", "")
    affiliation = "" if "skip" in data else data.get("affiliation", "")
    try:
        await limits(request).joins.take(f"{meeting.id}:{client_address(request)}")
        participant, change = await boards.join_meeting(
            db, meeting, nickname=nickname, affiliation=affiliation
        )
    except UserError as exc:
        return page(
            "boards/join.html",
            status_code=status_of(exc),
            meeting=meeting,
            action=_join_path(request, meeting),
            error=exc.message,
            nickname=nickname[:40],
            affiliation=affiliation,
        )
    publish(channels, change)
    remember_participant(request, meeting.id, participant.token)
    return see_other(f"/b/{meeting.id}")


# --- the phone page -----------------------------------------------------------------------


async def _participant_for(request: Request[Any, Any, Any], db: DB, meeting: Meeting) -> Participant:
    assert meeting.id is not None
    participant = await boards.get_participant(db, meeting.id, participant_token(request, meeting.id))
    if participant is None:
        raise Forbidden(N_("この会にまだ参加していません。参加コードから入ってください。"))
    return participant


@get("/b/{meeting_id:int}")
async def phone_board(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Any:
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await boards.get_participant(db, meeting_id, participant_token(request, meeting_id))
    if participant is None:
        # The start page, never the join code: ids are sequential, so a redirect to the code
        # would hand every open session's code to anyone who walks /b/1, /b/2, ….
        return see_other("/")
    view = await boards.board_view(db, meeting, include_hidden=False)
    # The vote and project panels are part of the first paint (the same fragments their own
    # routes serve): loading them afterwards would push the note list down (a layout jump).
    return page(
        "boards/phone.html",
        meeting=meeting,
        participant=participant,
        view=view,
        viewer=Viewer("phone", meeting_id, participant.id),
        # Only while it shows: outside voting the slot is empty, and a phone page need not
        # read the board's notes a second time.
        vote_panel=(
            await _vote_context(db, meeting, participant)
            if meeting.voting_open or meeting.votes_revealed
            else None
        ),
        project_panel=await _project_context(db, meeting, participant, view=view),
    )


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    """The phone's outbox (static/app.js) asks for JSON; a plain form gets pages."""
    return "application/json" in request.headers.get("accept", "")


@post("/b/{meeting_id:int}/notes", status_code=200)
async def post_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Post a note. Sent again with the same client_id (a phone back online), it is stored once."""
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await _participant_for(request, db, meeting)
    try:
        await limits(request).notes.take(f"{meeting_id}:{participant.id}")
        await limits(request).notes_per_address.take(f"{meeting_id}:{client_address(request)}")
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
        note_id = result.note_id
    else:
        note_id = result.id
    if _wants_json(request):
        return {"note_id": note_id}
    return see_other(f"/b/{meeting_id}")


@get("/b/{meeting_id:int}/notes/{note_id:int}")
async def show_own_note(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], note_id: FromPath[int]
) -> Template:
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await _participant_for(request, db, meeting)
    note = await boards.visible_note(db, meeting, note_id)
    return page(
        "boards/_note.html",
        note=boards.note_state(note),
        viewer=Viewer("phone", meeting_id, participant.id),
        board=board_state(meeting),
    )


@get("/b/{meeting_id:int}/notes/{note_id:int}/edit")
async def edit_own_note_form(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], note_id: FromPath[int]
) -> Template:
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await _participant_for(request, db, meeting)
    note = await boards.visible_note(db, meeting, note_id)
    if note.participant_id != participant.id:
        raise Forbidden(N_("自分の付箋だけを直せます。"))
    return page(
        "boards/_note_edit.html",
        note=boards.note_state(note),
        viewer=Viewer("phone", meeting_id, participant.id),
        board=board_state(meeting),
    )


@post("/b/{meeting_id:int}/notes/{note_id:int}/edit")
async def edit_own_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    note_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await _participant_for(request, db, meeting)
    actor = boards.Actor(participant_id=participant.id)
    change = await boards.edit_note(
        db, meeting, note_id, actor, kind=data.get("kind", ""), text=data.get("text", "")
    )
    publish(channels, change)
    return page(
        "boards/_note.html",
        note=change.note,
        viewer=Viewer("phone", meeting_id, participant.id),
        board=change.board,
    )


@post("/b/{meeting_id:int}/notes/{note_id:int}/delete", media_type=MediaType.HTML, status_code=200)
async def delete_own_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    note_id: FromPath[int],
) -> str:
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await _participant_for(request, db, meeting)
    for change in await boards.delete_note(db, meeting, note_id, boards.Actor(participant_id=participant.id)):
        publish(channels, change)
    return ""  # htmx swaps the note out for nothing


@post("/b/{meeting_id:int}/me/forget")
async def forget_me(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Any:
    """A participant removes their nickname and affiliation."""
    meeting = await meetings.get_meeting(db, meeting_id)
    await forget_nickname(db, await _participant_for(request, db, meeting))
    return see_other(f"/b/{meeting_id}")


# --- dot voting from the phone ----------------------------------------------------------------


async def _vote_panel(db: DB, meeting: Meeting, participant: Participant, error: Text = "") -> Template:
    return page("boards/_vote_panel.html", **await _vote_context(db, meeting, participant, error))


async def _vote_context(
    db: DB, meeting: Meeting, participant: Participant, error: Text = ""
) -> dict[str, Any]:
    """What boards/_vote_panel.html shows this participant (its route and the phone page)."""
    if meeting.votes_revealed:
        return {"ranking": await voting.ranking(db, meeting)}
    mine = await voting.my_votes(db, participant)
    if meeting.vote_target == "clusters":
        items = [("cluster", c.id or 0, c.name) for c in await list_clusters(db, meeting.id or 0)]
    else:
        notes = await boards.list_notes(db, meeting.id or 0, include_hidden=False)
        items = [("note", n.id or 0, n.text) for n in notes]
    return {
        "ranking": None,
        "meeting_id": meeting.id,
        "items": [{"kind": k, "id": i, "label": label} for k, i, label in items],
        "mine": mine,
        "budget": meeting.vote_budget,
        "left": max(0, meeting.vote_budget - len(mine)),
        "error": error,
    }


@get("/b/{meeting_id:int}/votes")
async def vote_panel(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    meeting = await meetings.get_meeting(db, meeting_id)
    return await _vote_panel(db, meeting, await _participant_for(request, db, meeting))


@post("/b/{meeting_id:int}/votes", status_code=200)
async def vote(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    """Vote or take a vote back; the answer is the participant's refreshed panel."""
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await _participant_for(request, db, meeting)
    target, action = data.get("target", ""), data.get("action", "cast")
    try:
        target_id = int(data.get("id", ""))
        if target not in ("note", "cluster"):
            raise ValueError
    except ValueError:
        return await _vote_panel(db, meeting, participant, N_("投票先がまちがっています。"))
    act = voting.withdraw if action == "withdraw" else voting.cast
    try:
        change = await act(db, meeting, participant, target=target, target_id=target_id)
    except UserError as exc:  # refused before anything was written
        return await _vote_panel(db, meeting, participant, exc.message)
    publish(channels, change)
    return await _vote_panel(db, meeting, participant)


# --- projects from the phone (参加したい) ---------------------------------------------------------


async def _project_panel(db: DB, meeting: Meeting, participant: Participant, error: Text = "") -> Template:
    return page("projects/_phone_panel.html", **await _project_context(db, meeting, participant, error))


async def _project_context(
    db: DB, meeting: Meeting, participant: Participant, error: Text = "", view: BoardView | None = None
) -> dict[str, Any]:
    """What projects/_phone_panel.html shows this participant (its route and the phone page)."""
    view = view or await boards.board_view(db, meeting, include_hidden=False)
    joined = await projects.joined_projects(db, participant)
    return {
        "items": [(p, p["id"] in joined) for p in view.projects],
        "meeting_id": meeting.id,
        "error": error,
    }


@get("/b/{meeting_id:int}/projects")
async def project_panel(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    meeting = await meetings.get_meeting(db, meeting_id)
    return await _project_panel(db, meeting, await _participant_for(request, db, meeting))


@post("/b/{meeting_id:int}/projects/{project_id:int}/{action:str}", status_code=200)
async def take_part(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    project_id: FromPath[int],
    action: FromPath[str],
) -> Template:
    """参加したい (join) or take it back (leave); the count updates live on every screen."""
    meeting = await meetings.get_meeting(db, meeting_id)
    participant = await _participant_for(request, db, meeting)
    act = {"join": projects.join, "leave": projects.leave}.get(action)
    if act is None:
        raise UserError(N_("操作が正しくありません。"), ErrorKind.NOT_FOUND)
    try:
        change = await act(db, meeting, participant, project_id)
    except UserError as exc:  # refused before anything was written
        return await _project_panel(db, meeting, participant, exc.message)
    publish(channels, change)
    return await _project_panel(db, meeting, participant)


# --- live: websocket and its plain-HTTP twin ---------------------------------------------------


async def _watcher(
    connection: Request[Any, Any, Any] | WebSocket[Any, Any, Any],
    db: DB,
    meeting_id: int,
    view: str,
) -> tuple[Viewer, Holder, int] | None:
    """Who watches, and whose budget of sockets it counts in (the staff user, the participant).
    Staff may watch as projector or console; a participant only as their own phone.
    Each screen gets the fragments in its own language (switch cookie or Accept-Language)."""
    locale = locale_of_scope(connection.scope)
    if view in ("projector", "console"):
        user = await current_user(connection, db)
        if user is None or user.id is None or not user.has_role("facilitator"):
            return None
        mode: ViewMode = "projector" if view == "projector" else "console"
        return Viewer(mode, meeting_id, locale=locale), "staff", user.id
    participant = await boards.get_participant(db, meeting_id, participant_token(connection, meeting_id))
    if participant is None or participant.id is None:
        return None
    return Viewer("phone", meeting_id, participant.id, locale), "participant", participant.id


async def _viewer_for(
    connection: Request[Any, Any, Any] | WebSocket[Any, Any, Any],
    db: DB,
    meeting_id: int,
    view: str,
) -> Viewer | None:
    watcher = await _watcher(connection, db, meeting_id, view)
    return watcher[0] if watcher else None


def origin_allowed(socket: WebSocket[Any, Any, Any]) -> bool:
    """Browsers always send Origin on websockets: it must be this very host (or one configured)."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True  # not a browser (tests, tools): cookies still decide what it may see
    host = socket.headers.get("host", "")
    allowed = socket.app.state.settings.allowed_origins
    return urlsplit(origin).netloc == host or origin in allowed


@websocket("/ws/boards/{meeting_id:int}")
async def board_socket(
    socket: WebSocket[Any, Any, Any],
    meeting_id: FromPath[int],
    after: FromQuery[int] = 0,
    view: FromQuery[str] = "phone",
) -> None:
    try:
        await _stream_board(socket, meeting_id, after, view)
    except WebSocketDisconnect:
        pass  # the phone left: not a failure
    except Exception:
        # Litestar closes a websocket whose handler fails without logging why: say it here.
        logger.exception("board websocket %s failed", meeting_id)
        raise


async def _stream_board(socket: WebSocket[Any, Any, Any], meeting_id: int, after: int, view: str) -> None:
    if not origin_allowed(socket):
        await socket.close(code=4403, reason="origin")
        return
    maker = socket.app.state.sessionmaker
    watcher = await _socket_watcher(socket, meeting_id, view)
    if watcher is None:
        await socket.close(code=4403, reason="forbidden")  # 4xxx: htmx will not retry
        return
    viewer, holder, holder_id = watcher
    await socket.accept()
    guards: LiveGuards = socket.app.state.live_guards

    async def load_missed(since: int) -> boards.CatchUp:
        async def read() -> boards.CatchUp:
            async with maker() as db:
                current = await db.get(Meeting, meeting_id)
                assert current is not None
                return await boards.catch_up(db, current, since)

        # A few at a time, and shared by the sockets that wait for the same: a storm queues here.
        return await guards.catch_up(meeting_id, since, read)

    def fell_behind() -> None:
        # 1013 (try again later): htmx reconnects, with ?after=, and catches up from the database.
        _close_soon(socket, 1013, "behind")

    def replaced() -> None:
        # A newer socket of the same participant, staff user or address took this one's place:
        # 4008, which neither htmx nor app.js reconnects on (see budget.CLOSE_REPLACED).
        stream.stop()
        _close_soon(socket, CLOSE_REPLACED, "replaced")

    # Fragments go on the server's own send, past Litestar's wrappers (server/web/serversend.py).
    stream = BoardStream(viewer, max(after, 0), load_missed, text_sender(socket), fell_behind)
    holders: dict[Holder, str | int] = {holder: holder_id, "address": client_address(socket)}
    # Counted before the catch-up, so that a storm's older sockets stop before its reads.
    with guards.sockets.admit(meeting_id, holders, replaced):
        # Subscribe first, then read what was missed: nothing committed in between is lost.
        async with socket.app.state.board_hub.listen(meeting_id, stream):
            await stream.open()
            await _listen_for_leaving(socket)


async def _socket_watcher(
    socket: WebSocket[Any, Any, Any], meeting_id: int, view: str
) -> tuple[Viewer, Holder, int] | None:
    """Who opens this socket, read in a frame of its own: the socket lives for hours, and its
    handler's frame must not keep the session and the meeting it read (about 4 KB a socket)."""
    async with socket.app.state.sessionmaker() as db:
        meeting = await get_by_id(db, Meeting, meeting_id)
        return await _watcher(socket, db, meeting_id, view) if meeting else None


async def _listen_for_leaving(socket: WebSocket[Any, Any, Any]) -> None:
    """Screens only listen: reading notices them leave, and closes those that talk (too big:
    1009; too often: 1008)."""
    counter = MessageCounter()
    try:
        while True:
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            data = text.encode() if isinstance(text, str) else message.get("bytes")
            if isinstance(data, bytes) and len(data) > MAX_MESSAGE_BYTES:
                await _close(socket, CLOSE_TOO_BIG, "too big")
                return
            if counter.too_many(time.monotonic()):
                await _close(socket, CLOSE_POLICY, "too many messages")
                return
    except WebSocketDisconnect:
        pass


#: Closings under way (a task must be referenced until it ends).
_closing: set[asyncio.Future[None]] = set()


def _close_soon(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    closing = asyncio.ensure_future(_close(socket, code, reason))
    _closing.add(closing)
    closing.add_done_callback(_closing.discard)


async def _close(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    try:
        # A phone that stopped reading may never take the close frame either.
        await asyncio.wait_for(socket.close(code=code, reason=reason), 5)
    except Exception:
        logger.debug("closing a board socket failed", exc_info=True)


@get("/b/{meeting_id:int}/events", media_type=MediaType.HTML)
async def board_events(
    request: Request[Any, Any, Any],
    db: DB,
    meeting_id: FromPath[int],
    after: FromQuery[int] = 0,
    view: FromQuery[str] = "phone",
) -> str:
    """The same fragments as the websocket, over plain HTTP, for screens whose network blocks it."""
    meeting = await meetings.get_meeting(db, meeting_id)
    viewer = await _viewer_for(request, db, meeting_id, view)
    if viewer is None:
        raise Forbidden(N_("この会のボードを見る権限がありません。"))
    guards: LiveGuards = request.app.state.live_guards
    # Give the pooled connection back while waiting for a turn: the turns are taken by catch-ups
    # that need a connection, so a crowd of polling screens holding them all would stall both.
    await db.commit()
    async with guards.catch_ups:  # shared with the websockets' catch-ups
        missed = await boards.catch_up(db, meeting, max(after, 0))
    return render_catch_up(viewer, missed)


handlers = [
    start_page,
    submit_code,
    join_page,
    join,
    phone_board,
    post_note,
    show_own_note,
    edit_own_note_form,
    edit_own_note,
    delete_own_note,
    vote_panel,
    vote,
    project_panel,
    take_part,
    forget_me,
    board_socket,
    board_events,
]
