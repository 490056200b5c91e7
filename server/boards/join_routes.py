"""Joining a session: the start page, the join code (typed or read from the QR), the join form.

Open to everyone; a typed code is refused while its address has typed too many wrong ones."""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from server.boards import service as boards
from server.boards import tables
from server.boards.live import publish
from server.boards.models import Table
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.meetings import service as meetings
from server.meetings.models import Meeting
from server.web.auth import remember_participant
from server.web.deps import DB, Channels
from server.web.ratelimit import client_address, limits
from server.web.responses import page, see_other, status_of
from server.web.who import participant_in


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


def _join_path(request: Request[Any, Any, Any], meeting: Meeting, table: Table | None = None) -> str:
    """The join page's address, keeping the QR's key so the next step is not refused either,
    and the table (島) of the card it came from."""
    key = meetings.qr_key(meeting, request.app.state.settings.secret_key)
    came_by_qr = request.query_params.get("k", "") == key
    path = f"/join/{meeting.join_code}?k={key}" if came_by_qr else f"/join/{meeting.join_code}"
    if table is None:
        return path
    return f"{path}{'&' if '?' in path else '?'}t={table.code}"


async def _join_form(
    request: Request[Any, Any, Any],
    db: DB,
    meeting: Meeting,
    table: Table | None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """The join form: straight to the card's table, or a button per table (島) to choose from."""
    return page(
        "boards/join.html",
        status_code=status_code,
        meeting=meeting,
        table=table,
        tables=[] if table is not None else await tables.table_infos(db, meeting),
        action=_join_path(request, meeting, table),
        **context,
    )


@post("/join")
async def submit_code(request: Request[Any, Any, Any], db: DB, data: URLEncodedBody[dict[str, str]]) -> Any:
    raw = data.get("code", "")
    session_code, table_code = meetings.split_join_code(raw)
    try:
        meeting = await _find_by_code(request, db, session_code)
    except UserError as exc:
        return page("start.html", status_code=status_of(exc), error=exc.message, code=raw[:20])
    # A table card's eight digits join straight to its table.
    return see_other(f"/join/{meeting.join_code}" + (f"?t={table_code}" if table_code else ""))


@get("/join/{code:str}")
async def join_page(
    request: Request[Any, Any, Any],
    db: DB,
    code: FromPath[str],
    k: FromQuery[str] = "",
    t: FromQuery[str] = "",
) -> Any:
    try:
        meeting = await _find_by_code(request, db, code, k)
    except UserError as exc:
        return page("start.html", status_code=status_of(exc), error=exc.message, code=code[:20])
    assert meeting.id is not None
    if await participant_in(request, db, meeting):
        # Someone already here who scans another table's card is offered to move there.
        return see_other(f"/b/{meeting.id}" + (f"?t={t[:2]}" if t else ""))
    return await _join_form(request, db, meeting, await tables.table_by_code(db, meeting, t))


@post("/join/{code:str}")
async def join(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    code: FromPath[str],
    data: URLEncodedBody[dict[str, str]],
    k: FromQuery[str] = "",
    t: FromQuery[str] = "",
) -> Any:
    try:
        meeting = await _find_by_code(request, db, code, k)
    except UserError as exc:
        return page("start.html", status_code=status_of(exc), error=exc.message, code=code[:20])
    assert meeting.id is not None
    # The same phone joining again is the same participant: counted once in the attendance.
    if await participant_in(request, db, meeting):
        return see_other(f"/b/{meeting.id}")
    nickname = "" if "skip" in data else data.get("nickname", "")
    affiliation = "" if "skip" in data else data.get("affiliation", "")
    card_table = await tables.table_by_code(db, meeting, t)
    table = card_table or await tables.table_by_code(db, meeting, data.get("table", ""))
    try:
        if meeting.table_count and table is None:
            raise UserError(N_("座っている島を選んでください。"))
        await limits(request).joins.take(f"{meeting.id}:{client_address(request)}")
        participant, change = await boards.join_meeting(
            db, meeting, nickname=nickname, affiliation=affiliation, table=table
        )
    except UserError as exc:
        return await _join_form(
            request,
            db,
            meeting,
            card_table,
            status_code=status_of(exc),
            error=exc.message,
            nickname=nickname[:40],
            affiliation=affiliation,
        )
    publish(channels, change)
    remember_participant(request, meeting.id, participant.token)
    return see_other(f"/b/{meeting.id}")


handlers = [start_page, submit_code, join_page, join]
