"""Joining a session: the start page, the join code (typed or read from the QR), the join form.

Open to everyone; a typed code is refused while its address has typed too many wrong ones."""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from server.boards import service as boards
from server.boards.live import publish
from server.errors import ErrorKind, UserError
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
    if await participant_in(request, db, meeting):
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
    if await participant_in(request, db, meeting):
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


handlers = [start_page, submit_code, join_page, join]
