"""A session's minutes (議事録): the printable page and the notes as CSV or Excel. For the
facilitators and the coordinators alike (the router's guard)."""

from __future__ import annotations

from litestar import Response, Router, get
from litestar.params import FromPath
from litestar.response import Template

from server.accounts.roles import COORDINATOR, FACILITATOR
from server.boards.live import Viewer
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.meetings.minutes import groups_table, minutes_of, notes_table
from server.reports.tables import to_csv, to_xlsx
from server.web.auth import requires_role
from server.web.deps import DB, CurrentMeeting
from server.web.responses import page

# --- minutes and exports (議事録) ----------------------------------------------------------------


@get("/sessions/{meeting_id:int}/minutes")
async def minutes_page(db: DB, meeting: CurrentMeeting) -> Template:
    """A printable page (the browser's print makes the PDF, offline)."""
    return page(
        "meetings/minutes.html",
        minutes=await minutes_of(db, meeting),
        viewer=Viewer("projector", meeting.id or 0),
    )


@get("/sessions/{meeting_id:int}/exports/{name:str}")
async def export_notes(db: DB, meeting: CurrentMeeting, name: FromPath[str]) -> Response[bytes]:
    meeting_id = meeting.id
    minutes = await minutes_of(db, meeting)
    table = notes_table(minutes)
    if name == "notes.csv":
        content, media_type = to_csv(table), "text/csv; charset=utf-8"
    elif name == "groups.csv":
        content, media_type = to_csv(groups_table(minutes)), "text/csv; charset=utf-8"
    elif name == "notes.xlsx":
        content, media_type = (
            to_xlsx([table, groups_table(minutes)]),
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
    guards=[requires_role(FACILITATOR, COORDINATOR)],
    route_handlers=[minutes_page, export_notes],
)
