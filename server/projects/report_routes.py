"""The coordinators' yearly screens: the review table (○/△ per fiscal year), the plan's indicators
(this year and over the plan's years, with the figures entered by hand), the city's progress report
(進捗状況) and every download. Pages read through ``server.reports``, one call each."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from markupsafe import Markup

from server.accounts.roles import COORDINATOR
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.i18n import get_locale as current_locale
from server.meetings import service as meetings
from server.projects import indicators as indicator_service
from server.projects import plan
from server.projects import service as projects
from server.projects.models import FIGURE_KIND_LABELS, MARK_LABELS, PROJECT_STATUS_LABELS
from server.projects.plan import PLAN_FIRST_YEAR, PLAN_LAST_YEAR
from server.reports import projects as reports
from server.reports.charts import bar_chart_svg
from server.reports.fiscal import current_fiscal_year
from server.reports.fiscal import fiscal_year_label as official_year_label
from server.reports.years import parse_fiscal_year
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor, CurrentUser
from server.web.responses import page, see_other
from server.web.templating import fiscal_year_label

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
    fiscal_year = parse_fiscal_year(year)
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
    fiscal_year = parse_fiscal_year(year)
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
        fiscal_year=parse_fiscal_year(str(form.get("fiscal_year", "")) or "x"),
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
        db,
        name,
        year=parse_fiscal_year(year),
        this_year=current_fiscal_year(),
        district=district,
        era=era == "1",
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
    fiscal_year = parse_fiscal_year(year)
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
    route_handlers=[review, yearly_report, indicator_page, set_indicator_figure, export],
)
