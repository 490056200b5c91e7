"""Live: the websocket every screen (phone, projector, console) listens on, and its plain-HTTP
twin for screens whose network blocks websockets. Who may watch is decided here
(``live_watcher``): a socket lives for hours, so it reads who opens it once, in a frame of its
own, rather than through the per-request dependencies of ``server.web.who``."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from litestar import MediaType, Request, WebSocket, get, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath, FromQuery

from server.accounts.actor import Actor
from server.accounts.roles import FACILITATOR
from server.boards import service as boards
from server.boards import tables
from server.boards.budget import (
    CLOSE_POLICY,
    CLOSE_REPLACED,
    CLOSE_TOO_BIG,
    MAX_MESSAGE_BYTES,
    Holder,
    LiveGuards,
    MessageCounter,
)
from server.boards.live import BoardStream, Outgoing, Viewer, ViewMode
from server.boards.phone_routes import submit_note
from server.boards.service import CLIENT_ID
from server.boards.state import meeting_with_participant
from server.errors import ErrorKind, Forbidden, UserError
from server.i18n import N_, locale_of_scope, use_locale
from server.meetings.models import Meeting
from server.web.auth import current_user, participant_token
from server.web.dberrors import get_by_id
from server.web.deps import DB, CurrentMeeting
from server.web.ratelimit import client_address
from server.web.serversend import frame_writer, text_sender
from server.web.who import NOT_A_PARTICIPANT

logger = logging.getLogger(__name__)


#: Who watches a board, and whose budget of sockets it counts in (the staff user, the participant).
Watcher = tuple[Viewer, Holder, int]


async def live_watcher(
    connection: Request[Any, Any, Any] | WebSocket[Any, Any, Any], db: DB, meeting_id: int, view: str
) -> Watcher | None:
    """Staff may watch as projector or console; a participant only as their own phone.
    Each screen gets the fragments in its own language (switch cookie or Accept-Language).
    A projector with ``?table=N`` is one table's (島) own wall: it gets that table's notes only.
    A table host's page (``view=host``) listens as its table's wall (``_host_watcher``)."""
    locale = locale_of_scope(connection.scope)
    if view == "host":
        return await _host_watcher(connection, db, meeting_id, locale)
    if view in ("projector", "console"):
        user = await current_user(connection, db)
        if user is None or user.id is None or not user.has_role(FACILITATOR):
            return None
        mode: ViewMode = "projector" if view == "projector" else "console"
        table = connection.query_params.get("table", "")
        table_id = int(table) if mode == "projector" and table.isdigit() and len(table) < 10 else None
        return Viewer(mode, meeting_id, locale=locale, table_id=table_id), "staff", user.id
    participant = await boards.get_participant(db, meeting_id, participant_token(connection, meeting_id))
    if participant is None or participant.id is None:
        return None
    return (
        Viewer("phone", meeting_id, participant.id, locale, participant.table_id, participant.table_host),
        "participant",
        participant.id,
    )


async def _host_watcher(
    connection: Request[Any, Any, Any] | WebSocket[Any, Any, Any], db: DB, meeting_id: int, locale: str
) -> Watcher | None:
    """A table host's page (テーブルホスト) listens as its table's own wall does: the same viewer,
    so the same rendering per table, never one per socket (static/host.js only reads from it
    whether the table changed). A staff host names the table (``?table=N``) and must be assigned
    to it; a participant must host their own table. Anyone else: refused."""
    table = connection.query_params.get("table", "")
    if table:
        user = await current_user(connection, db)
        meeting = await db.get(Meeting, meeting_id)
        if user is None or user.id is None or meeting is None or not table.isdigit() or len(table) > 9:
            return None
        try:
            table_id = await tables.staff_hosted_table(db, meeting, Actor.staff(user), int(table))
        except UserError:
            return None
        return Viewer("projector", meeting_id, locale=locale, table_id=table_id), "staff", user.id
    participant = await boards.get_participant(db, meeting_id, participant_token(connection, meeting_id))
    if participant is None or participant.id is None or not participant.table_host:
        return None
    if participant.table_id is None:
        return None
    return (
        Viewer("projector", meeting_id, locale=locale, table_id=participant.table_id),
        "participant",
        participant.id,
    )


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

    async def load_missed(since: int) -> Outgoing:
        async def read() -> Outgoing:
            async with maker() as db:
                current = await db.get(Meeting, meeting_id)
                assert current is not None
                # Shared by the sockets that wait for the same read: rendered once for them all.
                return Outgoing(await boards.catch_up(db, current, since))

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
    stream = BoardStream(
        viewer, max(after, 0), load_missed, text_sender(socket), fell_behind, frame_writer(socket)
    )
    holders: dict[Holder, str | int] = {holder: holder_id, "address": client_address(socket)}
    # Counted before the catch-up, so that a storm's older sockets stop before its reads.
    with guards.sockets.admit(meeting_id, holders, replaced):
        # Subscribe first, then read what was missed: nothing committed in between is lost.
        async with socket.app.state.board_hub.listen(meeting_id, stream):
            await stream.open()
            await _listen(socket, viewer)


async def _socket_watcher(socket: WebSocket[Any, Any, Any], meeting_id: int, view: str) -> Watcher | None:
    """Who opens this socket, read in a frame of its own: the socket lives for hours, and its
    handler's frame must not keep the session and the meeting it read (about 4 KB a socket)."""
    async with socket.app.state.sessionmaker() as db:
        meeting = await get_by_id(db, Meeting, meeting_id)
        return await live_watcher(socket, db, meeting_id, view) if meeting else None


async def _listen(socket: WebSocket[Any, Any, Any], viewer: Viewer) -> None:
    """Reading notices a screen leave. A phone posts its notes here, on the socket it already
    holds (``_post_note``); anything else a screen says is ignored. Too big: 1009; too often:
    1008 (a phone posts at most ten notes in 30 s, one at a time)."""
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
            if viewer.mode == "phone" and viewer.participant_id is not None and isinstance(text, str):
                answer = await _post_note(socket, viewer, text)
                if answer is not None and not await _answer(socket, answer):
                    return
    except WebSocketDisconnect:
        pass


async def _answer(socket: WebSocket[Any, Any, Any], answer: str) -> bool:
    """Answer a phone on its socket; False when the socket closed meanwhile (replaced by a newer
    one, or gone): the phone's outbox, hearing nothing, sends the note again over HTTP."""
    try:
        await socket.send_text(answer)
    except Exception:
        logger.debug("answering on a board socket failed", exc_info=True)
        return False
    return True


#: A posted note's fields, as the HTTP form has them.
_NOTE_FIELDS = ("kind", "text", "client_id")


async def _post_note(socket: WebSocket[Any, Any, Any], viewer: Viewer, message: str) -> str | None:
    """A note a phone posts over its board socket: ``{"note": {"kind", "text", "client_id"}}``.

    The same rules as ``POST /b/{id}/notes`` (``phone_routes.submit_note``: limits, the service,
    the change published), without an HTTP request per note, which is most of what a note cost
    the server before its fan-out (docs/benchmarks.md). Answered on this socket only:
    ``{"ack": client_id, "note_id": N, "waiting": bool}``, or ``{"ack": client_id, "error": text}``
    (with ``"busy": true`` when it is only too fast: the phone keeps the note and sends it later),
    or ``{"ack": client_id, "retry": true}`` when the server failed (the phone sends it again;
    the client_id keeps it stored once). Anything else is ignored: None."""
    try:
        payload = json.loads(message)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None
    note = payload.get("note") if isinstance(payload, dict) else None
    if not isinstance(note, dict):
        return None
    fields = {name: value if isinstance(value := note.get(name), str) else "" for name in _NOTE_FIELDS}
    client_id = fields["client_id"] if CLIENT_ID.match(fields["client_id"]) else ""
    with use_locale(viewer.locale):
        try:
            async with socket.app.state.sessionmaker() as db:
                token = participant_token(socket, viewer.meeting_id) or ""
                meeting, participant = await meeting_with_participant(db, viewer.meeting_id, token)
                if meeting is None or participant is None or participant.id != viewer.participant_id:
                    raise Forbidden(NOT_A_PARTICIPANT)  # forgotten, or its session deleted
                note_id, waiting = await submit_note(
                    socket, db, socket.app.plugins.get(ChannelsPlugin), meeting, participant, **fields
                )
        except UserError as exc:
            refusal = {"ack": client_id, "error": str(exc.message), "busy": exc.kind is ErrorKind.TOO_MANY}
            return json.dumps(refusal, ensure_ascii=False)
        except Exception:
            logger.exception("a note posted on board socket %s failed", viewer.meeting_id)
            return json.dumps({"ack": client_id, "retry": True})
    return json.dumps({"ack": client_id, "note_id": note_id, "waiting": waiting})


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
    meeting: CurrentMeeting,
    after: FromQuery[int] = 0,
    view: FromQuery[str] = "phone",
) -> str:
    """The same fragments as the websocket, over plain HTTP, for screens whose network blocks it."""
    watcher = await live_watcher(request, db, meeting.id or 0, view)
    if watcher is None:
        raise Forbidden(N_("この会のボードを見る権限がありません。"))
    guards: LiveGuards = request.app.state.live_guards
    # Give the pooled connection back while waiting for a turn: the turns are taken by catch-ups
    # that need a connection, so a crowd of polling screens holding them all would stall both.
    await db.commit()
    async with guards.catch_ups:  # shared with the websockets' catch-ups
        missed = await boards.catch_up(db, meeting, max(after, 0))
    return Outgoing(missed).fragment_for(watcher[0])


handlers = [board_socket, board_events]
