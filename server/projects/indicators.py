"""The city's indicators, per fiscal year (April–March), per district or city-wide.

- Ⅱ-1 参加人数: people taking part in projects born from sessions, counted at the end of the
  fiscal year (everyone who had joined by March 31).
- Ⅱ-2 実施件数: projects evaluated ○ (carried out) for that fiscal year.
- Attendance: participants of the district roundtables and of The YORIAI held that year.
- Matches (マッチング件数): pairs of an offer (できる) or want (やりたい) note and a concern (困りごと)
  note that staff confirmed that year (by the date of confirmation), in the district's sessions (by the
  session's district). Before 2026-12 this was a proxy (projects whose origin held both an offer and a
  concern); docs/projects.md keeps the history.
A district's project figures count the projects that name that district; city-wide counts all.

Every figure of every scope and every year asked for is read in the same five queries
(``indicators_for``): a page of eleven scopes, or ten years, costs no more than one figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.models import Participant
from server.districts.data import district_label
from server.i18n import N_, LazyText
from server.matching.models import Match, MatchStatus
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingKind
from server.projects import plan
from server.projects.models import (
    Evaluation,
    FigureKind,
    IndicatorFigure,
    Mark,
    ProjectDistrict,
    ProjectMember,
)
from server.reports.fiscal import fiscal_year_of, fiscal_year_range
from server.timeutil import JST, to_jst

#: A scope: a district id, or None for city-wide (every project, every session).
Scope = str | None


@dataclass
class Indicators:
    fiscal_year: int
    district_id: str | None  # None: city-wide
    participants: int  # Ⅱ-1
    carried_out: int  # Ⅱ-2
    roundtable_attendance: int
    yoriai_attendance: int
    matches: int


#: What ``indicators_for`` finds: the indicators of each (year, scope) asked for.
Found = dict[tuple[int, Scope], Indicators]

#: The figures of ``Indicators`` by name, in the order pages show them.
FIGURES = ("participants", "carried_out", "roundtable_attendance", "yoriai_attendance", "matches")


def _utc_bounds(first: int, last: int) -> tuple[datetime, datetime]:
    start, _ = fiscal_year_range(first)
    _, end = fiscal_year_range(last)
    return datetime.combine(start, time.min, JST), datetime.combine(end, time.max, JST)


def _in_scope(scope: Scope, districts: Iterable[str | None]) -> bool:
    return scope is None or scope in districts


async def indicators_for(db: AsyncSession, years: Iterable[int], scopes: Sequence[Scope]) -> Found:
    """The indicators of every (year, scope) pair, in five queries whatever their number."""
    years = sorted(set(years))
    if not years:
        return {}
    first, last = years[0], years[-1]
    start, _ = fiscal_year_range(first)
    _, end = fiscal_year_range(last)

    districts_of: dict[int, set[str]] = defaultdict(set)
    for project_id, district_id in (
        await db.exec(select(ProjectDistrict.project_id, ProjectDistrict.district_id))
    ).all():
        districts_of[project_id].add(district_id)

    # Ⅱ-1 counts everyone who had joined by the end of the year, however long ago.
    joined = (
        await db.exec(
            select(col(ProjectMember.project_id), col(ProjectMember.joined_on), func.count())
            .where(col(ProjectMember.joined_on) <= end)
            .group_by(col(ProjectMember.project_id), col(ProjectMember.joined_on))
        )
    ).all()
    done = (
        await db.exec(
            select(Evaluation.project_id, Evaluation.fiscal_year).where(
                col(Evaluation.fiscal_year).in_(years), Evaluation.mark == Mark.DONE
            )
        )
    ).all()
    attended = (
        await db.exec(
            select(
                col(Meeting.kind),
                col(Meeting.district_id),
                col(Meeting.held_on),
                func.count(col(Participant.id)),
            )
            .join(Participant, col(Participant.meeting_id) == col(Meeting.id))
            .where(
                col(Meeting.kind).in_([MeetingKind.ROUNDTABLE, MeetingKind.YORIAI]),
                col(Meeting.held_on) >= start,
                col(Meeting.held_on) <= end,
            )
            .group_by(col(Meeting.id), col(Meeting.kind), col(Meeting.district_id), col(Meeting.held_on))
        )
    ).all()
    utc_start, utc_end = _utc_bounds(first, last)
    confirmed = (
        await db.exec(
            select(Meeting.district_id, Match.decided_at)
            .join(Meeting, col(Meeting.id) == col(Match.meeting_id))
            .where(
                Match.status == MatchStatus.CONFIRMED,
                col(Match.decided_at) >= utc_start,
                col(Match.decided_at) <= utc_end,
            )
        )
    ).all()

    result: dict[tuple[int, Scope], Indicators] = {}
    for scope in dict.fromkeys(scopes):
        joined_on: Counter[date] = Counter()
        for project_id, day, n in joined:
            if _in_scope(scope, districts_of.get(project_id, ())):
                joined_on[day] += int(n)
        carried_out = Counter(
            year for project_id, year in done if _in_scope(scope, districts_of.get(project_id, ()))
        )
        attendance: Counter[tuple[int, str]] = Counter()
        for kind, district_id, held_on, n in attended:
            if held_on is not None and _in_scope(scope, (district_id,)):
                attendance[(fiscal_year_of(held_on), kind)] += int(n)
        matches = Counter(
            fiscal_year_of(to_jst(decided_at).date())
            for district_id, decided_at in confirmed
            if decided_at is not None and _in_scope(scope, (district_id,))
        )
        for year in years:
            _, year_end = fiscal_year_range(year)
            result[(year, scope)] = Indicators(
                fiscal_year=year,
                district_id=scope,
                participants=sum(n for day, n in joined_on.items() if day <= year_end),
                carried_out=carried_out[year],
                roundtable_attendance=attendance[(year, MeetingKind.ROUNDTABLE)],
                yoriai_attendance=attendance[(year, MeetingKind.YORIAI)],
                matches=matches[year],
            )
    return result


async def indicators(db: AsyncSession, year: int, district_id: str | None = None) -> Indicators:
    """The indicators of one year and one scope (the JSON API's question)."""
    return (await indicators_for(db, [year], [district_id]))[(year, district_id)]


INDICATOR_NAMES: dict[str, LazyText] = {
    "participants": N_("Ⅱ-1 プロジェクトの参加人数"),
    "carried_out": N_("Ⅱ-2 プロジェクトの実施件数"),
    "roundtable_attendance": N_("地区別懇談会の参加者数"),
    "yoriai_attendance": N_("The YORIAI の参加者数"),
    "matches": N_("マッチング件数（成立した「できる」「やりたい」と「困りごと」の組み合わせ）"),
}
INDICATOR_UNITS: dict[str, LazyText] = {
    "participants": N_("%(n)s人"),
    "carried_out": N_("%(n)s件"),
    "roundtable_attendance": N_("%(n)s人"),
    "yoriai_attendance": N_("%(n)s人"),
    "matches": N_("%(n)s件"),
}


@dataclass
class ScopeRow:
    """One line of the indicators page: a district, or the city-wide total."""

    district_name: str | None  # the district's Japanese name (the data); None: the city-wide total
    indicators: Indicators

    @property
    def label(self) -> str:
        """The line's heading in the reader's language."""
        if self.district_name is None:
            return str(N_("市全域（合計）"))
        return district_label(self.district_name)


def _plan_years_so_far(this_year: int) -> list[int]:
    return list(range(plan.PLAN_FIRST_YEAR, min(this_year, plan.PLAN_LAST_YEAR) + 1))


async def _scopes(db: AsyncSession) -> list[tuple[str | None, Scope]]:
    """Each district's name and scope in the plan's order, the city-wide total last."""
    return [(None, None) if d.is_city_wide else (d.name, d.id) for d in await meetings.districts(db)]


def _scope_rows(scopes: list[tuple[str | None, Scope]], found: Found, year: int) -> list[ScopeRow]:
    return [ScopeRow(name, found[(year, scope)]) for name, scope in scopes]


async def scope_rows(db: AsyncSession, year: int) -> list[ScopeRow]:
    """Every district's indicators and the city-wide total for one year, in six queries."""
    scopes = await _scopes(db)
    return _scope_rows(scopes, await indicators_for(db, [year], [s for _, s in scopes]), year)


# --- over the plan's ten years -----------------------------------------------------------------


class Source(StrEnum):
    COUNTED = "counted"  # counted by yoriai from what happened in it
    ENTERED = "entered"  # entered by a coordinator from the city's records
    PLAN = "plan"  # printed in the plan itself
    TO_COME = "to_come"  # a year of the plan not reached yet


SOURCE_LABELS: dict[str, LazyText] = {
    Source.COUNTED: N_("yoriai で集計"),
    Source.ENTERED: N_("手入力"),
    Source.PLAN: N_("プランの記載"),
    Source.TO_COME: N_("これから"),
}


@dataclass
class YearFigure:
    fiscal_year: int
    value: int | None  # None: a year to come
    source: Source
    note: str = ""
    is_sample: bool = False


@dataclass
class IndicatorYears:
    """One indicator over the plan: where it started, each year so far, where it aims to be."""

    indicator: str
    baseline: IndicatorFigure | None
    target: IndicatorFigure | None
    years: list[YearFigure]

    @property
    def name(self) -> LazyText:
        return INDICATOR_NAMES[self.indicator]

    @property
    def unit(self) -> LazyText:
        return INDICATOR_UNITS[self.indicator]

    def show(self, value: int) -> str:
        """1,234人 / 1,234 people: a figure with this indicator's unit, in the reader's language."""
        return str(self.unit) % {"n": f"{value:,}"}

    @property
    def latest(self) -> YearFigure | None:
        known = [y for y in self.years if y.value is not None]
        return known[-1] if known else None


def _over_years(found: Found, entered: list[IndicatorFigure]) -> list[IndicatorYears]:
    """A figure a coordinator entered for a year stands in place of what yoriai counted (the city's
    own record of a year yoriai saw only part of); the plan's printed figures come next."""
    result = []
    for indicator in plan.PLAN_INDICATORS:
        mine = [f for f in entered if f.indicator == indicator]
        recorded = {f.fiscal_year: f for f in mine if f.kind == FigureKind.RECORDED}
        printed = {p.fiscal_year: p for p in plan.PUBLISHED if p.indicator == indicator}
        years = sorted(
            set(recorded) | set(printed) | set(range(plan.PLAN_FIRST_YEAR, plan.PLAN_LAST_YEAR + 1))
        )
        figures = []
        for year in years:
            if year in recorded:
                f = recorded[year]
                figures.append(YearFigure(year, f.value, Source.ENTERED, f.note, f.is_sample))
            elif year in printed:
                figures.append(YearFigure(year, printed[year].value, Source.PLAN, str(printed[year].source)))
            elif (year, None) in found:
                figures.append(YearFigure(year, getattr(found[(year, None)], indicator), Source.COUNTED))
            else:
                figures.append(YearFigure(year, None, Source.TO_COME))
        result.append(
            IndicatorYears(
                indicator,
                baseline=next((f for f in mine if f.kind == FigureKind.BASELINE), None),
                target=next((f for f in mine if f.kind == FigureKind.TARGET), None),
                years=figures,
            )
        )
    return result


async def indicators_over_years(db: AsyncSession, this_year: int) -> list[IndicatorYears]:
    """City-wide, each indicator of the plan from its first year (and any year entered before it)
    to its last, with its starting value and target: six queries, however many years."""
    found = await indicators_for(db, _plan_years_so_far(this_year), [None])
    return _over_years(found, await plan.figures(db))


@dataclass
class AttendanceRow:
    """A district's (or the city-wide total's) roundtable participants, year by year."""

    district_name: str | None  # None: the city-wide total
    by_year: list[int]

    @property
    def label(self) -> str:
        return ScopeRow(self.district_name, _NOTHING).label


_NOTHING = Indicators(0, None, 0, 0, 0, 0, 0)


@dataclass
class AttendanceByDistrict:
    """The roundtables' participants per fiscal year of the plan so far, per district and in total."""

    years: list[int]
    rows: list[AttendanceRow]


def _attendance(
    scopes: list[tuple[str | None, Scope]], found: Found, years: list[int]
) -> AttendanceByDistrict:
    return AttendanceByDistrict(
        years,
        [
            AttendanceRow(name, [found[(y, scope)].roundtable_attendance for y in years])
            for name, scope in scopes
        ],
    )


async def roundtable_attendance_by_district(db: AsyncSession, this_year: int) -> AttendanceByDistrict:
    """Six queries, however many districts and years."""
    scopes = await _scopes(db)
    years = _plan_years_so_far(this_year)
    return _attendance(scopes, await indicators_for(db, years, [s for _, s in scopes]), years)


# --- the coordinators' page --------------------------------------------------------------------


@dataclass
class IndicatorOverview:
    """The coordinators' indicators page: one year by district, the plan over its years, and the
    roundtables' participants by year and district."""

    year: int
    rows: list[ScopeRow]
    over_years: list[IndicatorYears]
    attendance: AttendanceByDistrict


async def overview(db: AsyncSession, year: int, this_year: int) -> IndicatorOverview:
    """All of it in seven queries (districts, figures, and one read of every year and scope)."""
    scopes = await _scopes(db)
    plan_years = _plan_years_so_far(this_year)
    found = await indicators_for(db, [year, *plan_years], [s for _, s in scopes])
    return IndicatorOverview(
        year=year,
        rows=_scope_rows(scopes, found, year),
        over_years=_over_years(found, await plan.figures(db)),
        attendance=_attendance(scopes, found, plan_years),
    )
