"""What the coordinators' pages, their exports and the JSON API read about projects, batched.

Each read takes the rows it is asked for at once: a page of three projects and a page of three
hundred make the same number of queries (tests/test_query_counts.py counts them). Route handlers
call one function here and render.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.models import Note
from server.districts.data import CITY_WIDE_ID, district_label
from server.i18n import N_, fiscal_label
from server.meetings import service as meetings
from server.projects import indicators as indicator_service
from server.projects import service as projects
from server.projects.indicators import INDICATOR_NAMES
from server.projects.models import (
    FIGURE_KIND_LABELS,
    MARK_SYMBOLS,
    PROJECT_STATUS_LABELS,
    Evaluation,
    IndicatorFigure,
    Project,
    ProjectGoal,
    ProjectOrigin,
)
from server.reports.fiscal import fiscal_year_label as official_year_label
from server.reports.tables import PROGRESS_COLUMNS, Table, to_csv, to_xlsx

#: How a project that names no district is shown: city-wide (translated when shown).
CITY_WIDE = N_("市全域")


# --- one project, as the API tells it -------------------------------------------------------


@dataclass
class ProjectSummary:
    project: Project
    district_ids: list[str]  # empty: city-wide
    goal_ids: list[int]
    members: int
    evaluations: list[Evaluation]  # by fiscal year
    origins: list[ProjectOrigin]  # visible ones only


async def project_summaries(db: AsyncSession, ids: Sequence[int]) -> list[ProjectSummary]:
    """The projects with these ids (those that exist, in this order), in seven queries."""
    ids = list(dict.fromkeys(ids))
    found = {p.id: p for p in (await db.exec(select(Project).where(col(Project.id).in_(ids)))).all()}
    districts = await projects.districts_of(db, ids)
    members = await projects.member_counts(db, ids)
    goals: dict[int, list[int]] = defaultdict(list)
    goal_rows = await db.exec(
        select(ProjectGoal).where(col(ProjectGoal.project_id).in_(ids)).order_by(col(ProjectGoal.goal_id))
    )
    for link in goal_rows.all():
        goals[link.project_id].append(link.goal_id)
    evaluations: dict[int, list[Evaluation]] = defaultdict(list)
    evaluation_rows = await db.exec(
        select(Evaluation).where(col(Evaluation.project_id).in_(ids)).order_by(col(Evaluation.fiscal_year))
    )
    for evaluation in evaluation_rows.all():
        evaluations[evaluation.project_id].append(evaluation)
    origins = await _visible_origins(db, ids)
    return [
        ProjectSummary(
            project=found[i],
            district_ids=districts.get(i, []),
            goal_ids=goals.get(i, []),
            members=members.get(i, 0),
            evaluations=evaluations.get(i, []),
            origins=origins.get(i, []),
        )
        for i in ids
        if i in found
    ]


async def _visible_origins(db: AsyncSession, ids: list[int]) -> dict[int, list[ProjectOrigin]]:
    """As ``projects.origins_of``, for many projects: hidden notes and withdrawn texts left out."""
    query = (
        select(ProjectOrigin).where(col(ProjectOrigin.project_id).in_(ids)).order_by(col(ProjectOrigin.id))
    )
    rows = list((await db.exec(query)).all())
    note_ids = [o.note_id for o in rows if o.note_id is not None]
    hidden: set[int | None] = set()
    if note_ids:
        hidden_query = select(Note.id).where(col(Note.id).in_(note_ids), col(Note.hidden).is_(True))
        hidden = set((await db.exec(hidden_query)).all())
    result: dict[int, list[ProjectOrigin]] = defaultdict(list)
    for origin in rows:
        if origin.note_id not in hidden and origin.text:
            result[origin.project_id].append(origin)
    return result


# --- the project list and its tables -------------------------------------------------------


@dataclass
class ProjectRow:
    """A line of the project list: the project, its members, districts and latest evaluation."""

    project: Project
    members: int
    district_names: list[str]  # the districts' Japanese names (the data); empty: city-wide
    latest: Evaluation | None

    @property
    def places(self) -> list[str]:
        """Where it happens, in the reader's language."""
        return [district_label(n) for n in self.district_names] or [str(CITY_WIDE)]


async def project_rows(db: AsyncSession, items: Sequence[Project]) -> list[ProjectRow]:
    """Rows for these projects in four queries, however many they are."""
    ids = [p.id or 0 for p in items]
    members = await projects.member_counts(db, ids)
    districts = await projects.districts_of(db, ids)
    latest = await projects.latest_evaluations(db, ids)
    names = await _district_names(db)
    return [
        ProjectRow(
            project=p,
            members=members.get(p.id or 0, 0),
            district_names=[names.get(d, d) for d in districts.get(p.id or 0, [])],
            latest=latest.get(p.id or 0),
        )
        for p in items
    ]


async def _district_names(db: AsyncSession) -> dict[str, str]:
    return {d.id: d.name for d in await meetings.districts(db)}


async def project_list(db: AsyncSession, filters: projects.ProjectFilters) -> list[ProjectRow]:
    """The coordinators' project list: the filtered projects and their rows."""
    return await project_rows(db, await projects.list_projects(db, filters))


async def progress_table(db: AsyncSession, year: int, district: str = "", *, era: bool = False) -> Table:
    """The yearly progress report in the columns of the city's table.

    Always in Japanese, whatever the reader's language: it is the city's official format
    (its columns, 年度 and ○/△ are what the city files), so only the page around it is translated.
    """
    items = await projects.list_projects(db, projects.ProjectFilters(district_id=district))
    rows = await project_rows(db, items)
    evaluations = await projects.evaluations_in(db, [p.id or 0 for p in items], year)
    # The city's own word for city-wide, as its district row spells it: the official table is Japanese.
    city_wide = (await _district_names(db)).get(CITY_WIDE_ID, "")
    label = official_year_label(year, era=era)
    lines: list[list[Any]] = []
    for number, row in enumerate(rows, start=1):
        evaluation = evaluations.get(row.project.id or 0)
        lines.append(
            [
                number,
                "・".join(row.district_names) or city_wide,
                row.project.owner,
                row.project.title,
                row.project.description,
                label,
                MARK_SYMBOLS[evaluation.mark] if evaluation else "",
            ]
        )
    return Table(f"進捗状況 {label}", list(PROGRESS_COLUMNS), lines)


async def projects_table(db: AsyncSession) -> Table:
    """Every project as a working list; its headings follow the reader's language."""
    rows = await project_rows(db, await projects.list_projects(db))
    headings = [
        N_("ID"),
        N_("プロジェクト"),
        N_("地区"),
        N_("状態"),
        N_("担当"),
        N_("参加人数"),
        N_("最新の評価"),
        N_("作成日"),
    ]
    return Table(
        str(N_("プロジェクト")),
        [str(h) for h in headings],
        [
            [
                r.project.id,
                r.project.title,
                "・".join(r.places),
                str(PROJECT_STATUS_LABELS[r.project.status]),
                r.project.owner,
                r.members,
                f"{fiscal_label(r.latest.fiscal_year)} {MARK_SYMBOLS[r.latest.mark]}" if r.latest else "",
                r.project.created_at.date(),
            ]
            for r in rows
        ],
    )


# --- indicators ------------------------------------------------------------------------------


IndicatorPage = indicator_service.IndicatorOverview


async def indicator_page(db: AsyncSession, year: int, this_year: int) -> IndicatorPage:
    """Everything the indicators page shows, in the same few queries whatever the number of
    districts or years."""
    return await indicator_service.overview(db, year, this_year)


async def indicator_tables(db: AsyncSession, year: int, this_year: int) -> list[Table]:
    """The indicators page as Excel sheets: the year by district, then one sheet per indicator
    over the plan's years with its starting value and target."""
    data = await indicator_page(db, year, this_year)
    names = INDICATOR_NAMES
    by_district = Table(
        str(N_("指標 %(year)s", year=fiscal_label(year))),
        [str(N_("地区"))] + [str(names[k]) for k in indicator_service.FIGURES],
        [[r.label] + [getattr(r.indicators, k) for k in indicator_service.FIGURES] for r in data.rows],
    )
    attendance = Table(
        str(INDICATOR_NAMES["roundtable_attendance"]) + str(N_("（年度×地区）")),
        [str(N_("地区"))] + [fiscal_label(y) for y in data.attendance.years],
        [[r.label, *r.by_year] for r in data.attendance.rows],
    )
    tables = [by_district]
    for item in data.over_years:
        lines: list[list[Any]] = []
        if item.baseline is not None:
            lines.append(_figure_line(item.baseline))
        for y in item.years:
            source = str(indicator_service.SOURCE_LABELS[y.source])
            note = str(N_("%(source)s（%(note)s）", source=source, note=y.note)) if y.note else source
            lines.append([str(N_("実績")), fiscal_label(y.fiscal_year), y.value, _note(note, y.is_sample)])
        if item.target is not None:
            lines.append(_figure_line(item.target))
        tables.append(
            Table(
                str(item.name),
                [str(N_("区分")), str(N_("年度")), str(N_("値")), str(N_("出典・メモ"))],
                lines,
            )
        )
    return [*tables, attendance]


def _figure_line(figure: IndicatorFigure) -> list[Any]:
    return [
        str(FIGURE_KIND_LABELS[figure.kind]),
        fiscal_label(figure.fiscal_year),
        figure.value,
        _note(figure.note, figure.is_sample),
    ]


def _note(note: str, is_sample: bool) -> str:
    return f"{N_('サンプル')} {note}".strip() if is_sample else note


# --- exports ---------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@dataclass
class Export:
    content: bytes
    filename: str
    media_type: str


async def export(
    db: AsyncSession, name: str, *, year: int, this_year: int, district: str = "", era: bool = False
) -> Export | None:
    """A coordinator's download by file name (``progress.xlsx``, ``projects.csv``,
    ``indicators.xlsx``…), or None when there is no such file."""
    stem, _, ext = name.partition(".")
    if ext not in ("csv", "xlsx"):
        return None
    if stem == "progress":
        tables = [await progress_table(db, year, district, era=era)]
    elif stem == "projects":
        tables = [await projects_table(db)]
    elif stem == "indicators" and ext == "xlsx":
        tables = await indicator_tables(db, year, this_year)
    else:
        return None
    if ext == "csv":
        return Export(to_csv(tables[0]), f"{stem}-{year}.csv", CSV)
    return Export(to_xlsx(tables), f"{stem}-{year}.xlsx", XLSX)
