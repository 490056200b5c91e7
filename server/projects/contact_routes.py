"""Contacts left after 参加したい: the phone's consent page, the withdrawal link (no account), and
the coordinators' list and CSV. Rules in ``server/projects/contacts.py``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.response import Template

from server.accounts.roles import COORDINATOR
from server.errors import UserError
from server.i18n import Text
from server.meetings.models import Meeting
from server.projects import contacts
from server.projects import service as projects
from server.projects.models import Project
from server.reports.tables import to_csv
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor, CurrentMeeting, CurrentParticipant, CurrentUser
from server.web.responses import page, status_of


def public_origin(request: Request[Any, Any, Any]) -> str:
    """The origin for links and QR codes that leave the page (as ``join_url`` does): the configured
    public address, or the page's own origin when an operator listed it; never a Host header alone."""
    settings = request.app.state.settings
    origin = str(request.base_url).rstrip("/")
    if settings.public_url and origin not in settings.allowed_origins:
        origin = settings.public_url
    return origin


def withdraw_link(request: Request[Any, Any, Any], token: str) -> str:
    return f"{public_origin(request)}/contact/{token}"


def _contact_page(
    meeting: Meeting,
    project: Project,
    *,
    form: dict[str, str] | None = None,
    error: Text = "",
    saved: Any = None,
    link: str = "",
    status_code: int = 200,
) -> Template:
    return page(
        "projects/contact.html",
        status_code=status_code,
        meeting=meeting,
        project=project,
        form=form or {},
        error=error,
        saved=saved,
        link=link,
        keep_months=contacts.KEEP_MONTHS,
    )


@get("/b/{meeting_id:int}/contact/{project_id:int}")
async def contact_form(
    db: DB, meeting: CurrentMeeting, participant: CurrentParticipant, project_id: FromPath[int]
) -> Template:
    """After 参加したい: the consent sentence and the form (or the contact already left, to withdraw)."""
    project = await contacts.joined_project(db, meeting, participant, project_id)
    return _contact_page(meeting, project, saved=await contacts.contact_of(db, participant, project_id))


@post("/b/{meeting_id:int}/contact/{project_id:int}", status_code=200)
async def leave_contact(
    request: Request[Any, Any, Any],
    db: DB,
    meeting: CurrentMeeting,
    participant: CurrentParticipant,
    project_id: FromPath[int],
) -> Template:
    project = await contacts.joined_project(db, meeting, participant, project_id)
    form = await request.form()
    typed = {"name": str(form.get("name", "")), "reach": str(form.get("reach", ""))}
    try:
        data = contacts.clean_contact(typed["name"], typed["reach"], str(form.get("consent", "")))
        saved, token = await contacts.leave_contact(db, meeting, participant, project_id, data)
    except UserError as exc:
        return _contact_page(meeting, project, form=typed, error=exc.message, status_code=status_of(exc))
    return _contact_page(meeting, project, saved=saved, link=withdraw_link(request, token))


@post("/b/{meeting_id:int}/contact/{project_id:int}/withdraw", status_code=200)
async def withdraw_own(
    db: DB, meeting: CurrentMeeting, participant: CurrentParticipant, project_id: FromPath[int]
) -> Template:
    project = await projects.get_project(db, project_id)
    await contacts.withdraw_own(db, meeting, participant, project_id)
    return page("projects/contact_withdrawn.html", project=project, back=f"/b/{meeting.id}")


@get("/contact/{token:str}")
async def withdraw_page(db: DB, token: FromPath[str]) -> Template:
    """The link the phone was given: no account, the token is the key."""
    _, project = await contacts.by_token(db, token)
    return page("projects/contact_withdraw.html", project=project, token=token)


@post("/contact/{token:str}", status_code=200)
async def withdraw_by_link(db: DB, token: FromPath[str]) -> Template:
    project = await contacts.withdraw_by_token(db, token)
    return page("projects/contact_withdrawn.html", project=project, back="/")


# --- the coordinators -----------------------------------------------------------------------------


@get("/projects/{project_id:int}/contacts")
async def contact_list(db: DB, user: CurrentUser, actor: CurrentActor, project_id: FromPath[int]) -> Template:
    project = await projects.get_project(db, project_id)
    return page(
        "projects/contacts.html",
        user=user,
        project=project,
        contacts=await contacts.contacts_of(db, actor, project_id),
        members=(await projects.member_counts(db, [project_id])).get(project_id, 0),
    )


@get("/projects/{project_id:int}/contacts.csv")
async def contact_csv(db: DB, actor: CurrentActor, project_id: FromPath[int]) -> Response[bytes]:
    """The coordinator's own contact list: the one export that holds contacts (formula-safe CSV)."""
    project = await projects.get_project(db, project_id)
    table = contacts.contacts_table(project, await contacts.contacts_of(db, actor, project_id))
    return Response(
        to_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''contacts-{project_id}.csv",
        },
    )


#: Mounted with ``server.web.who.participant_dependencies`` (the /b/ routes' actor is the participant).
phone_handlers = [contact_form, leave_contact, withdraw_own, withdraw_page, withdraw_by_link]
coordinator_router = Router(
    include_in_schema=False,
    path="/c",
    guards=[requires_role(COORDINATOR)],
    route_handlers=[contact_list, contact_csv],
)
