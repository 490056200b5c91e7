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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.models import Participant
from server.matching.models import Match, MatchStatus
from server.meetings.models import Meeting, MeetingKind
from server.projects.models import Evaluation, Mark, Project, ProjectDistrict, ProjectMember
from server.reports.fiscal import fiscal_year_range
from server.timeutil import JST


@dataclass
class Indicators:
    fiscal_year: int
    district_id: str | None  # None: city-wide
    participants: int  # Ⅱ-1
    carried_out: int  # Ⅱ-2
    roundtable_attendance: int
    yoriai_attendance: int
    matches: int


def _utc_bounds(year: int) -> tuple[datetime, datetime]:
    start, end = fiscal_year_range(year)
    return datetime.combine(start, time.min, JST), datetime.combine(end, time.max, JST)


async def _project_ids(db: AsyncSession, district_id: str | None) -> list[int]:
    if district_id is None:
        return list((await db.exec(select(col(Project.id)))).all())  # type: ignore[arg-type]
    query = select(ProjectDistrict.project_id).where(ProjectDistrict.district_id == district_id)
    return list((await db.exec(query)).all())


async def _attendance(db: AsyncSession, year: int, kind: str, district_id: str | None) -> int:
    start, end = fiscal_year_range(year)
    query = (
        select(func.count())
        .select_from(Participant)
        .join(Meeting, col(Meeting.id) == col(Participant.meeting_id))
        .where(Meeting.kind == kind, col(Meeting.held_on) >= start, col(Meeting.held_on) <= end)
    )
    if district_id is not None:
        query = query.where(Meeting.district_id == district_id)
    return int(await db.scalar(query) or 0)


async def _matches(db: AsyncSession, year: int, district_id: str | None) -> int:
    """Matches confirmed in the fiscal year, in the district's sessions (all sessions city-wide)."""
    start, end = _utc_bounds(year)
    query = (
        select(func.count())
        .select_from(Match)
        .join(Meeting, col(Meeting.id) == col(Match.meeting_id))
        .where(
            Match.status == MatchStatus.CONFIRMED,
            col(Match.decided_at) >= start,
            col(Match.decided_at) <= end,
        )
    )
    if district_id is not None:
        query = query.where(Meeting.district_id == district_id)
    return int(await db.scalar(query) or 0)


async def indicators(db: AsyncSession, year: int, district_id: str | None = None) -> Indicators:
    project_ids = await _project_ids(db, district_id)
    _, end = fiscal_year_range(year)
    participants = await db.scalar(
        select(func.count())
        .select_from(ProjectMember)
        .where(col(ProjectMember.project_id).in_(project_ids), col(ProjectMember.joined_on) <= end)
    )
    carried_out = await db.scalar(
        select(func.count())
        .select_from(Evaluation)
        .where(
            col(Evaluation.project_id).in_(project_ids),
            Evaluation.fiscal_year == year,
            Evaluation.mark == Mark.DONE,
        )
    )
    return Indicators(
        fiscal_year=year,
        district_id=district_id,
        participants=int(participants or 0),
        carried_out=int(carried_out or 0),
        roundtable_attendance=await _attendance(db, year, MeetingKind.ROUNDTABLE, district_id),
        yoriai_attendance=await _attendance(db, year, MeetingKind.YORIAI, district_id),
        matches=await _matches(db, year, district_id),
    )
