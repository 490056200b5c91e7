"""The facilitator's screens: the session list, the session form, the console and the projector."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from server.accounts.models import User
from server.boards import service as boards
from server.boards.live import Viewer, ViewMode, publish
from server.boards.state import board_state, vote_totals
from server.errors import ErrorKind, Forbidden, UserError
from server.i18n import N_, Text
from server.meetings import service as meetings
from server.meetings.minutes import minutes_of, notes_table
from server.meetings.models import Meeting, MeetingKind, MeetingStatus
from server.meetings.qr import qr_svg
from server.programmes.service import default_programme_for, get_programme, load_programmes
from server.projects import service as projects
from server.projects.copies import copies_of
from server.reports.tables import to_csv, to_xlsx
from server.web.auth import current_user, requires_signed_in
from server.web.deps import DB, Channels
from server.web.responses import page, see_other, status_of
from server.web.roles import require_role


async def _facilitator(request: Request[Any, Any, Any], db: DB) -> User:
    return require_role(await current_user(request, db), "facilitator")


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
    }


@get("/")
async def meeting_list(request: Request[Any, Any, Any], db: DB) -> Template:
    user = await _facilitator(request, db)
    return page("meetings/list.html", user=user, meetings=await meetings.list_meetings(db))


@get("/sessions/new")
async def new_meeting(request: Request[Any, Any, Any], db: DB) -> Template:
    await _facilitator(request, db)
    kind = request.query_params.get("kind", MeetingKind.ROUNDTABLE)
    form = {"kind": kind, "district_id": "", "programme": default_programme_for(kind)}
    return await _form_page(db, None, form)


@post("/sessions")
async def create_meeting(
    request: Request[Any, Any, Any], db: DB, data: URLEncodedBody[dict[str, str]]
) -> Any:
    user = await _facilitator(request, db)
    try:
        meeting = await meetings.create_meeting(
            db, await meetings.clean_meeting_input(db, data), created_by=user.id
        )
    except UserError as exc:
        return await _form_page(db, None, data, exc.message, status_of(exc))
    if data.get("bring_projects") == "1" and meeting.kind != MeetingKind.YORIAI:
        # Next year's roundtable reviews the district's open projects on its board.
        await projects.bring_open_projects(db, meeting, user)
    return see_other(f"/f/sessions/{meeting.id}")


@get("/sessions/{meeting_id:int}/edit")
async def edit_meeting(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    return await _form_page(db, meeting, _form_of(meeting))


@post("/sessions/{meeting_id:int}")
async def update_meeting(
    request: Request[Any, Any, Any],
    db: DB,
    meeting_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    try:
        await meetings.update_meeting(db, meeting, await meetings.clean_meeting_input(db, data))
    except UserError as exc:
        return await _form_page(db, meeting, data, exc.message, status_of(exc))
    return see_other(f"/f/sessions/{meeting.id}")


@get("/programme-guide")
async def programme_guide(
    request: Request[Any, Any, Any], db: DB, programme: FromQuery[str] = ""
) -> Template:
    """The guide under the programme picker, swapped in by htmx when the choice changes."""
    await _facilitator(request, db)
    return page("meetings/_guide.html", programme=get_programme(programme))


async def _set_status(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: int,
    status: MeetingStatus,
) -> Any:
    await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    publish(channels, await meetings.set_status(db, meeting, status))
    return see_other(f"/f/sessions/{meeting_id}")


@post("/sessions/{meeting_id:int}/open")
async def open_meeting(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: FromPath[int]
) -> Any:
    return await _set_status(request, db, channels, meeting_id, MeetingStatus.OPEN)


@post("/sessions/{meeting_id:int}/close")
async def close_meeting(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: FromPath[int]
) -> Any:
    return await _set_status(request, db, channels, meeting_id, MeetingStatus.CLOSED)


async def _board_page(
    request: Request[Any, Any, Any], db: DB, meeting_id: int, template: str, mode: ViewMode
) -> Template:
    user = await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    return page(
        template,
        meeting=meeting,
        view=await boards.board_view(db, meeting, include_hidden=mode == "console"),
        viewer=Viewer(mode, meeting_id),
        programme=get_programme(meeting.programme),
        join_url=join_url(request, meeting),
        user=user,
    )


@get("/sessions/{meeting_id:int}")
async def console(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    return await _board_page(request, db, meeting_id, "meetings/console.html", "console")


@get("/sessions/{meeting_id:int}/projector")
async def projector(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    return await _board_page(request, db, meeting_id, "meetings/projector.html", "projector")


@get("/sessions/{meeting_id:int}/qr.svg", media_type="image/svg+xml")
async def join_qr(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Response[bytes]:
    await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    return Response(
        qr_svg(join_url(request, meeting)), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


# --- moderation (モデレーション) --------------------------------------------------------------


async def _console_note(db: DB, meeting: Meeting, note_id: int, template: str, **extra: Any) -> Template:
    """One note as the console draws it (with its controls)."""
    note = await boards.get_note(db, meeting, note_id)
    note_votes, _ = await vote_totals(db, meeting.id or 0, {note_id}, set())
    return page(
        template,
        note=boards.note_state(note, note_votes.get(note_id, 0)),
        viewer=Viewer("console", meeting.id or 0),
        board=board_state(meeting),
        **extra,
    )


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/hide")
async def hide_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    note_id: FromPath[int],
) -> Template:
    """Hide a note. When a project copied its text, the console's button (``ask``) first asks
    whether to withdraw it from there too, checked by default (``decided``, ``withdraw`` per
    project). A hide without that answer withdraws it: hidden text never leaves the console."""
    user = await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    form = await request.form()
    if form.get("ask") and not form.get("decided"):
        note = await boards.get_note(db, meeting, note_id)
        copies = [] if note.hidden else await copies_of(db, note)
        if copies:
            return await _console_note(
                db, meeting, note_id, "boards/_note.html", hide_question=[c.project for c in copies]
            )
    withdraw_from = None
    if form.get("decided"):
        checked = form.getall("withdraw") if "withdraw" in form else []
        withdraw_from = {int(v) for v in checked if str(v).isdigit()}
    changes = await boards.hide_note(
        db, meeting, note_id, boards.Actor(user_id=user.id), withdraw_from=withdraw_from
    )
    for change in changes:
        publish(channels, change)
    return page(
        "boards/_note.html",
        note=changes[0].note,
        viewer=Viewer("console", meeting_id),
        board=changes[0].board,
    )


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/show")
async def show_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    note_id: FromPath[int],
) -> Template:
    """Show a note again; text withdrawn from a project does not come back with it."""
    user = await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    change = await boards.show_note(db, meeting, note_id, boards.Actor(user_id=user.id))
    publish(channels, change)
    return page(
        "boards/_note.html", note=change.note, viewer=Viewer("console", meeting_id), board=change.board
    )


@get("/sessions/{meeting_id:int}/notes/{note_id:int}")
async def moderated_note(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], note_id: FromPath[int]
) -> Template:
    await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    template = "boards/_note_edit.html" if request.query_params.get("edit") else "boards/_note.html"
    return await _console_note(db, meeting, note_id, template)


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/edit")
async def edit_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    note_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    user = await _facilitator(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    change = await boards.edit_note(
        db,
        meeting,
        note_id,
        boards.Actor(user_id=user.id),
        kind=data.get("kind", ""),
        text=data.get("text", ""),
    )
    publish(channels, change)
    return page(
        "boards/_note.html", note=change.note, viewer=Viewer("console", meeting_id), board=change.board
    )


# --- minutes and exports (議事録) ----------------------------------------------------------------


async def _staff_for_minutes(request: Request[Any, Any, Any], db: DB) -> None:
    user = await current_user(request, db)
    if user is None or not (user.has_role("facilitator") or user.has_role("coordinator")):
        raise Forbidden(N_("スタッフのアカウントでサインインしてください。"))


@get("/sessions/{meeting_id:int}/minutes")
async def minutes_page(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    """A printable page (the browser's print makes the PDF, offline)."""
    await _staff_for_minutes(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    return page(
        "meetings/minutes.html", minutes=await minutes_of(db, meeting), viewer=Viewer("projector", meeting_id)
    )


@get("/sessions/{meeting_id:int}/exports/{name:str}")
async def export_notes(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], name: FromPath[str]
) -> Response[bytes]:
    await _staff_for_minutes(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    table = notes_table(await minutes_of(db, meeting))
    if name == "notes.csv":
        content, media_type = to_csv(table), "text/csv; charset=utf-8"
    elif name == "notes.xlsx":
        content, media_type = (
            to_xlsx([table]),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise UserError(N_("そのファイルは作れません。"), ErrorKind.NOT_FOUND)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''session-{meeting_id}-{name}"},
    )


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_signed_in],
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
        hide_note,
        show_note,
        moderated_note,
        edit_note,
        minutes_page,
        export_notes,
    ],
)
handlers = [router]
