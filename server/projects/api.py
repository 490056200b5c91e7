"""The JSON API other city systems read: projects and indicators (read-only, no personal data).

Litestar describes it in the OpenAPI schema it serves at /schema (openapi.json at /schema/openapi.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar import Router, get
from litestar.params import FromPath, FromQuery

from server.errors import ErrorKind, NotFound, UserError
from server.i18n import N_
from server.meetings import service as meetings
from server.projects import indicators as indicator_service
from server.projects import service as projects
from server.projects.models import MARK_SYMBOLS
from server.reports import projects as reports
from server.reports.fiscal import current_fiscal_year
from server.web.deps import DB


@dataclass
class EvaluationOut:
    fiscal_year: int
    mark: str  # "○" or "△"
    comment: str


@dataclass
class OriginOut:
    kind: str
    text: str
    votes: int
    #: The table (島) the note was written at ("" when its session had no tables).
    table: str = ""


@dataclass
class ProjectOut:
    id: int
    title: str
    description: str
    status: str
    owner: str
    districts: list[str]  # district ids; empty: city-wide
    goal_ids: list[int]
    members: int
    session_id: int | None
    created_on: date
    evaluations: list[EvaluationOut]
    origins: list[OriginOut]


@dataclass
class IndicatorsOut:
    fiscal_year: int
    district: str | None
    participants: int
    carried_out: int
    roundtable_attendance: int
    yoriai_attendance: int
    matches: int


def _project_out(summary: reports.ProjectSummary) -> ProjectOut:
    project = summary.project
    return ProjectOut(
        id=project.id or 0,
        title=project.title,
        description=project.description,
        status=project.status,
        owner=project.owner,
        districts=summary.district_ids,
        goal_ids=summary.goal_ids,
        members=summary.members,
        session_id=project.meeting_id,
        created_on=project.created_at.date(),
        evaluations=[
            EvaluationOut(e.fiscal_year, MARK_SYMBOLS[e.mark], e.comment) for e in summary.evaluations
        ],
        origins=[OriginOut(o.kind, o.text, o.votes, o.table_name) for o in summary.origins],
    )


@get("/projects", summary="Projects (プロジェクト)")
async def list_projects(
    db: DB, district: FromQuery[str] = "", status: FromQuery[str] = ""
) -> list[ProjectOut]:
    """Every project, optionally of one district (or "city" for city-wide) or one status."""
    items = await projects.list_projects(db, projects.ProjectFilters(district_id=district, status=status))
    return [_project_out(s) for s in await reports.project_summaries(db, [p.id or 0 for p in items])]


@get("/projects/{project_id:int}", summary="One project")
async def get_project(db: DB, project_id: FromPath[int]) -> ProjectOut:
    found = await reports.project_summaries(db, [project_id])
    if not found:
        raise NotFound(N_("このプロジェクトは見つかりませんでした。"))
    return _project_out(found[0])


@get("/indicators", summary="Indicators (指標) for a fiscal year")
async def get_indicators(
    db: DB, year: FromQuery[int | None] = None, district: FromQuery[str] = ""
) -> IndicatorsOut:
    """Ⅱ-1, Ⅱ-2, attendance and matches; city-wide unless a district id is given."""
    fiscal_year = year or current_fiscal_year()
    if not 2000 <= fiscal_year <= 2100:
        raise UserError("year must be a fiscal year between 2000 and 2100", ErrorKind.INVALID)
    if district and district not in {d.id for d in await meetings.districts(db)}:
        raise UserError("unknown district", ErrorKind.NOT_FOUND)
    scope = district if district and district != "city" else None
    i = await indicator_service.indicators(db, fiscal_year, scope)
    return IndicatorsOut(
        i.fiscal_year,
        i.district_id,
        i.participants,
        i.carried_out,
        i.roundtable_attendance,
        i.yoriai_attendance,
        i.matches,
    )


router = Router(path="/api", route_handlers=[list_projects, get_project, get_indicators], tags=["yoriai"])
