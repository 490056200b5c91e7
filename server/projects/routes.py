"""The coordinators' screens: projects, the yearly review table, indicators, exports, and the
JSON API other city systems read."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from markupsafe import Markup

from server.accounts.roles import COORDINATOR
from server.boards.models import AFFILIATIONS
from server.errors import ErrorKind, UserError
from server.i18n import N_, Text
from server.i18n import get_locale as current_locale
from server.meetings import service as meetings
from server.projects import history, plan
from server.projects import indicators as indicator_service
from server.projects import service as projects
from server.projects.models import (
    FIGURE_KIND_LABELS,
    MARK_LABELS,
    MARK_SYMBOLS,
    PROJECT_STATUS_LABELS,
    Project,
)
from server.projects.plan import PLAN_FIRST_YEAR, PLAN_LAST_YEAR
from server.reports import projects as reports
from server.reports.charts import bar_chart_svg
from server.reports.fiscal import current_fiscal_year
from server.reports.fiscal import fiscal_year_label as official_year_label
from server.visions import service as visions
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor, CurrentUser
from server.web.responses import page, see_other, status_of
from server.web.templating import fiscal_year_label


def _year(raw: str | None) -> int:
    try:
        year = int(raw) if raw else current_fiscal_year()
    except ValueError:
        raise UserError(N_("年度は数字で入れてください（例：2026）。")) from None
    if not 2000 <= year <= 2100:
        raise UserError(N_("年度が正しくありません。"))
    return year


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
        fiscal_year=_year(year) if year else None,
        goal_id=int(goal) if goal.isdigit() else None,
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
    year = _year(str(form.get("fiscal_year", "")))
    evaluation = await projects.set_evaluation(
        db,
        project_id,
        actor,
        fiscal_year=year,
        mark=str(form.get("mark", "")),
        comment=str(form.get("comment", "")),
    )
    return page("projects/_saved.html", evaluation=evaluation, project_id=project_id, symbols=MARK_SYMBOLS)


# --- the yearly review table -------------------------------------------------------------------


@get("/review")
async def review(
    request: Request[Any, Any, Any],
    db: DB,
    user: CurrentUser,
    district: FromQuery[str] = "",
    year: FromQuery[str] = "",
) -> Template:
    """All of a district's projects for one fiscal year in one table: ○/△ and a comment per row."""
    fiscal_year = _year(year)
    items = (
        await projects.list_projects(db, projects.ProjectFilters(district_id=district)) if district else []
    )
    ids = [p.id or 0 for p in items]
    evaluations = await projects.evaluations_in(db, ids, fiscal_year)
    return page(
        "projects/review.html",
        user=user,
        district=district,
        year=fiscal_year,
        label=fiscal_year_label(fiscal_year),
        rows=[(p, evaluations.get(p.id or 0)) for p in items],
        districts=await meetings.districts(db),
        marks=MARK_LABELS,
        statuses=PROJECT_STATUS_LABELS,
    )


# --- indicators --------------------------------------------------------------------------------


@get("/indicators")
async def indicator_page(
    request: Request[Any, Any, Any],
    db: DB,
    user: CurrentUser,
    year: FromQuery[str] = "",
    era: FromQuery[str] = "",
) -> Template:
    fiscal_year = _year(year)
    data = await reports.indicator_page(db, fiscal_year, current_fiscal_year())
    return page(
        "projects/indicators.html",
        user=user,
        year=fiscal_year,
        data=data,
        names=indicator_service.INDICATOR_NAMES,
        charts=_indicator_charts(data),
        year_charts=_year_charts(data),
        era=era == "1",
        label=fiscal_year_label(fiscal_year, era=era == "1"),
        kinds=FIGURE_KIND_LABELS,
        sources=indicator_service.SOURCE_LABELS,
        plan_years=(PLAN_FIRST_YEAR, PLAN_LAST_YEAR),
    )


def _indicator_charts(data: reports.IndicatorPage) -> list[Markup]:
    """Ⅱ-1 and Ⅱ-2 by district for the year."""
    districts_only = [r for r in data.rows if r.indicators.district_id]
    by_district = [
        bar_chart_svg(
            f"{indicator_service.INDICATOR_NAMES[key]}（{fiscal_year_label(data.year)}）"
            if current_locale() == "ja"
            else f"{indicator_service.INDICATOR_NAMES[key]} ({fiscal_year_label(data.year)})",
            [r.label for r in districts_only],
            [getattr(r.indicators, key) for r in districts_only],
            unit=str(indicator_service.INDICATOR_UNITS[key]),
        )
        for key in ("participants", "carried_out")
    ]
    return by_district


def _year_charts(data: reports.IndicatorPage) -> dict[str, Markup]:
    """Each indicator over the years it has figures for, drawn beside its table."""
    return {
        item.indicator: bar_chart_svg(
            str(item.name),
            [fiscal_year_label(y.fiscal_year) for y in item.years if y.value is not None],
            [y.value for y in item.years if y.value is not None],
            unit=str(item.unit),
        )
        for item in data.over_years
    }


@post("/indicators/figures")
async def set_indicator_figure(request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Any:
    """A starting value, a target or a year before yoriai, entered by hand (empty value: cleared)."""
    form = await request.form()
    await plan.set_figure(
        db,
        actor,
        indicator=str(form.get("indicator", "")),
        kind=str(form.get("kind", "")),
        fiscal_year=_year(str(form.get("fiscal_year", "")) or "x"),
        value=str(form.get("value", "")),
        note=str(form.get("note", "")),
    )
    return see_other("/c/indicators#over-the-years")


# --- exports -----------------------------------------------------------------------------------


def _download(content: bytes, filename: str, media_type: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


@get("/exports/{name:str}")
async def export(
    request: Request[Any, Any, Any],
    db: DB,
    name: FromPath[str],
    year: FromQuery[str] = "",
    district: FromQuery[str] = "",
    era: FromQuery[str] = "",
) -> Response[bytes]:
    found = await reports.export(
        db, name, year=_year(year), this_year=current_fiscal_year(), district=district, era=era == "1"
    )
    if found is None:
        raise UserError(N_("そのファイルは作れません。"), ErrorKind.NOT_FOUND)
    return _download(found.content, found.filename, found.media_type)


@get("/report")
async def yearly_report(
    request: Request[Any, Any, Any],
    db: DB,
    district: FromQuery[str] = "",
    year: FromQuery[str] = "",
    era: FromQuery[str] = "",
) -> Template:
    """The district's yearly progress report as a printable page (the city's columns, in Japanese)."""
    fiscal_year = _year(year)
    names = {d.id: d.name for d in await meetings.districts(db)}
    return page(
        "projects/report.html",
        table=await reports.progress_table(db, fiscal_year, district, era=era == "1"),
        year=fiscal_year,
        era=era == "1",
        district=district,
        district_name=names.get(district) or reports.CITY_WIDE,
        # The printed heading is the city's: Japanese, with both the year and the era.
        label=official_year_label(fiscal_year),
        era_label=official_year_label(fiscal_year, era=True),
    )


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
        review,
        yearly_report,
        indicator_page,
        set_indicator_figure,
        export,
    ],
)
