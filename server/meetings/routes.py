"""The facilitator's screens: the session list, the session form, opening and closing a session, the
console, the projector and the join QR. Moderation is in moderation_routes.py, the minutes in
minutes_routes.py. Facilitators only (the router's guard)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from server.accounts.actor import Actor
from server.accounts.models import User
from server.accounts.roles import FACILITATOR
from server.boards import service as boards
from server.boards.live import Viewer, ViewMode, publish
from server.errors import UserError
from server.i18n import Text
from server.meetings import minutes_routes, moderation_routes
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingKind, MeetingStatus
from server.meetings.qr import qr_svg
from server.programmes.service import default_programme_for, get_programme, load_programmes
from server.projects import service as projects
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting, CurrentUser
from server.web.responses import page, see_other, status_of


def join_url(request: Request[Any, Any, Any], meeting: Meeting) -> str:
    """The address in the QR code: one that phones on the hall's Wi-Fi can open.

    Never taken from the request's Host header, which anyone can set (``Host: evil.example``
    would put a stranger's address on the projector): the configured public address
    (``yoriai serve`` always sets one), or the page's own origin when an operator listed it
    in ``YORIAI_ALLOWED_ORIGINS``. Only a bare app (tests) falls back to the request."""
    settings = request.app.state.settings
    origin = str(request.base_url).rstrip("/")
    if settings.public_url and origin not in settings.allowed_origins:
        origin = settings.public_url
    key = meetings.qr_key(meeting, settings.secret_key)
    return f"{origin}/join/{meeting.join_code}?k={key}"


async def _form_page(
    db: DB, meeting: Meeting | None, form: dict[str, str], error: Text = "", status_code: int = 200
) -> Template:
    return page(
        "meetings/form.html",
        status_code=status_code,
        meeting=meeting,
        form=form,
        error=error,
        districts=await meetings.districts(db),
        kinds=MeetingKind,
        programmes={slug: get_programme(slug) for slug in load_programmes()},
        programme=get_programme(form.get("programme", "")),
    )


def _form_of(meeting: Meeting) -> dict[str, str]:
    return {
        "kind": meeting.kind,
        "district_id": meeting.district_id,
        "title": meeting.title,
        "question": meeting.question,
        "held_on": meeting.held_on.isoformat() if meeting.held_on else "",
        "venue": meeting.venue,
        "programme": meeting.programme,
        "screened": "1" if meeting.screened else "",
    }


@get("/")
async def meeting_list(db: DB, user: CurrentUser) -> Template:
    return page("meetings/list.html", user=user, meetings=await meetings.list_meetings(db))


@get("/sessions/new")
async def new_meeting(request: Request[Any, Any, Any], db: DB) -> Template:
    kind = request.query_params.get("kind", MeetingKind.ROUNDTABLE)
    form = {"kind": kind, "district_id": "", "programme": default_programme_for(kind)}
    return await _form_page(db, None, form)


@post("/sessions")
async def create_meeting(db: DB, actor: CurrentActor, data: URLEncodedBody[dict[str, str]]) -> Any:
    try:
        # Next year's roundtable may review the district's open projects on its board.
        meeting = await projects.create_meeting(
            db,
            await meetings.clean_meeting_input(db, data),
            actor,
            bring_projects=data.get("bring_projects") == "1",
        )
    except UserError as exc:
        return await _form_page(db, None, data, exc.message, status_of(exc))
    return see_other(f"/f/sessions/{meeting.id}")


@get("/sessions/{meeting_id:int}/edit")
async def edit_meeting(db: DB, meeting: CurrentMeeting) -> Template:
    return await _form_page(db, meeting, _form_of(meeting))


@post("/sessions/{meeting_id:int}")
async def update_meeting(
    db: DB, channels: Channels, meeting: CurrentMeeting, data: URLEncodedBody[dict[str, str]]
) -> Any:
    try:
        change = await meetings.update_meeting(db, meeting, await meetings.clean_meeting_input(db, data))
    except UserError as exc:
        return await _form_page(db, meeting, data, exc.message, status_of(exc))
    if change is not None:  # screened mode turned on or off: every screen follows
        publish(channels, change)
    return see_other(f"/f/sessions/{meeting.id}")


@get("/programme-guide")
async def programme_guide(programme: FromQuery[str] = "") -> Template:
    """The guide under the programme picker, swapped in by htmx when the choice changes."""
    return page("meetings/_guide.html", programme=get_programme(programme))


async def _set_status(
    db: DB, channels: Channels, meeting: Meeting, actor: Actor, status: MeetingStatus
) -> Any:
    publish(channels, await meetings.set_status(db, meeting, actor, status))
    return see_other(f"/f/sessions/{meeting.id}")


@post("/sessions/{meeting_id:int}/open")
async def open_meeting(db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor) -> Any:
    return await _set_status(db, channels, meeting, actor, MeetingStatus.OPEN)


@post("/sessions/{meeting_id:int}/close")
async def close_meeting(db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor) -> Any:
    return await _set_status(db, channels, meeting, actor, MeetingStatus.CLOSED)


async def _board_page(
    request: Request[Any, Any, Any], db: DB, user: User, meeting: Meeting, template: str, mode: ViewMode
) -> Template:
    return page(
        template,
        meeting=meeting,
        view=await boards.board_view(db, meeting, include_hidden=mode == "console"),
        viewer=Viewer(mode, meeting.id or 0),
        programme=get_programme(meeting.programme),
        join_url=join_url(request, meeting),
        user=user,
    )


@get("/sessions/{meeting_id:int}")
async def console(
    request: Request[Any, Any, Any], db: DB, user: CurrentUser, meeting: CurrentMeeting
) -> Template:
    return await _board_page(request, db, user, meeting, "meetings/console.html", "console")


@get("/sessions/{meeting_id:int}/projector")
async def projector(
    request: Request[Any, Any, Any], db: DB, user: CurrentUser, meeting: CurrentMeeting
) -> Template:
    return await _board_page(request, db, user, meeting, "meetings/projector.html", "projector")


@get("/sessions/{meeting_id:int}/qr.svg", media_type="image/svg+xml")
async def join_qr(request: Request[Any, Any, Any], meeting: CurrentMeeting) -> Response[bytes]:
    return Response(
        qr_svg(join_url(request, meeting)), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[
        meeting_list,
        new_meeting,
        create_meeting,
        edit_meeting,
        update_meeting,
        programme_guide,
        open_meeting,
        close_meeting,
        console,
        projector,
        join_qr,
    ],
)
handlers = [router, moderation_routes.router, minutes_routes.router]
