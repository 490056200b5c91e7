"""The coordinators' project screens: the list, a project's page, editing it, its timeline, members
and yearly evaluations. The yearly review table, indicators, the city's report and exports are in
``report_routes``; the JSON API other city systems read is in ``api``."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from server.accounts.roles import COORDINATOR
from server.boards.models import AFFILIATIONS
from server.errors import UserError
from server.i18n import N_, Text
from server.meetings import service as meetings
from server.projects import history
from server.projects import service as projects
from server.projects.models import (
    MARK_LABELS,
    MARK_SYMBOLS,
    PROJECT_STATUS_LABELS,
    Project,
)
from server.reports import projects as reports
from server.reports.fiscal import current_fiscal_year
from server.reports.years import parse_fiscal_year
from server.textutil import is_id
from server.visions import service as visions
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor, CurrentUser
from server.web.responses import page, see_other, status_of
from server.web.templating import fiscal_year_label


def _date(raw: str, what: Text) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError(N_("%(what)sは 2026-11-22 の形で入れてください。", what=what)) from None


async def _form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Form fields; repeated ones (district_id, goal_id) as lists."""
    form = await request.form()
    return {key: form.getall(key) if key in ("district_id", "goal_id") else form.get(key) for key in form}


# --- projects ------------------------------------------------------------------------------


@get("/projects")
async def project_list(
    request: Request[Any, Any, Any],
    db: DB,
    user: CurrentUser,
    district: FromQuery[str] = "",
    status: FromQuery[str] = "",
    year: FromQuery[str] = "",
    goal: FromQuery[str] = "",
    sort: FromQuery[str] = "id",
) -> Template:
    filters = projects.ProjectFilters(
        district_id=district,
        status=status,
        fiscal_year=parse_fiscal_year(year) if year else None,
        goal_id=int(goal) if is_id(goal) else None,
        sort=sort,
    )
    return page(
        "projects/list.html",
        user=user,
        rows=await reports.project_list(db, filters),
        filters=filters,
        districts=await meetings.districts(db),
        statuses=PROJECT_STATUS_LABELS,
        goals=await visions.all_goals(db),
        marks=MARK_SYMBOLS,
        year=year,
    )


@get("/projects/{project_id:int}")
async def project_detail(
    request: Request[Any, Any, Any], db: DB, user: CurrentUser, project_id: FromPath[int]
) -> Template:
    project = await projects.get_project(db, project_id)
    meeting = await meetings.get_meeting(db, project.meeting_id) if project.meeting_id else None
    names = {d.id: d.name for d in await meetings.districts(db)}
    return page(
        "projects/detail.html",
        user=user,
        project=project,
        meeting=meeting,
        districts=[names.get(d, d) for d in (await projects.districts_of(db, [project_id]))[project_id]],
        goals=await projects.goals_of(db, project_id),
        origins=await projects.origins_of(db, project_id),
        members=(await projects.member_counts(db, [project_id])).get(project_id, 0),
        growth=await projects.members_over_time(db, project_id),
        timeline=history.merged_timeline(
            await projects.timeline_of(db, project_id), await history.changes_of(db, project_id)
        ),
        district_names=names,
        evaluations=await projects.evaluations_of(db, project_id),
        statuses=PROJECT_STATUS_LABELS,
        marks=MARK_LABELS,
        symbols=MARK_SYMBOLS,
        affiliations=AFFILIATIONS,
        this_year=current_fiscal_year(),
        fiscal_year_label=fiscal_year_label,
        today=date.today().isoformat(),
    )


async def _edit_page(
    db: DB, project: Project, form: dict[str, Any], error: Text = "", status_code: int = 200
) -> Template:
    return page(
        "projects/form.html",
        status_code=status_code,
        project=project,
        form=form,
        error=error,
        districts=await meetings.districts(db),
        goals=await visions.all_goals(db),
        statuses=PROJECT_STATUS_LABELS,
    )


@get("/projects/{project_id:int}/edit")
async def edit_project(request: Request[Any, Any, Any], db: DB, project_id: FromPath[int]) -> Template:
    project = await projects.get_project(db, project_id)
    form = {
        "title": project.title,
        "description": project.description,
        "status": project.status,
        "owner": project.owner,
        "district_id": (await projects.districts_of(db, [project_id]))[project_id],
        "goal_id": [str(g.id) for g in await projects.goals_of(db, project_id)],
    }
    return await _edit_page(db, project, form)


@post("/projects/{project_id:int}")
async def update_project(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, project_id: FromPath[int]
) -> Any:
    project = await projects.get_project(db, project_id)
    form = await _form(request)
    try:
        await projects.update_project(db, project, actor, await projects.clean_project_input(db, form))
    except UserError as exc:
        return await _edit_page(db, project, form, exc.message, status_of(exc))
    return see_other(f"/c/projects/{project_id}")


@post("/projects/{project_id:int}/timeline")
async def add_timeline(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, project_id: FromPath[int]
) -> Any:
    form = await request.form()
    await projects.add_timeline_entry(
        db,
        await projects.get_project(db, project_id),
        actor,
        happened_on=_date(str(form.get("happened_on", "")), N_("日付")),
        body=str(form.get("body", "")),
    )
    return see_other(f"/c/projects/{project_id}#timeline")


@post("/projects/{project_id:int}/members")
async def add_members(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, project_id: FromPath[int]
) -> Any:
    form = await request.form()
    try:
        count = int(str(form.get("count", "1")))
    except ValueError:
        raise UserError(N_("人数は数字で入れてください。")) from None
    await projects.add_paper_members(
        db,
        await projects.get_project(db, project_id),
        actor,
        count=count,
        affiliation=str(form.get("affiliation", "")),
        joined_on=_date(str(form.get("joined_on", "")), N_("参加日")),
    )
    return see_other(f"/c/projects/{project_id}#members")


@post("/projects/{project_id:int}/evaluations", status_code=200)
async def set_evaluation(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, project_id: FromPath[int]
) -> Template:
    """One row of the review table (or the project page), saved as the coordinator goes."""
    form = await request.form()
    year = parse_fiscal_year(str(form.get("fiscal_year", "")))
    evaluation = await projects.set_evaluation(
        db,
        project_id,
        actor,
        fiscal_year=year,
        mark=str(form.get("mark", "")),
        comment=str(form.get("comment", "")),
    )
    return page("projects/_saved.html", evaluation=evaluation, project_id=project_id, symbols=MARK_SYMBOLS)


router = Router(
    include_in_schema=False,
    path="/c",
    guards=[requires_role(COORDINATOR)],
    route_handlers=[
        project_list,
        project_detail,
        edit_project,
        update_project,
        add_timeline,
        add_members,
        set_evaluation,
    ],
)
