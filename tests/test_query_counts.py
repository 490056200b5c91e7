"""Pages and the API make a number of SQL statements that does not grow with the rows they show.

Each read is counted at two sizes (3 rows, then 30) and must make the same number of statements:
a query per row (an N+1 loop) would add 27. The count is taken on every engine of the process by
SQLAlchemy's ``before_cursor_execute`` event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import anyio
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.accounts.service import find_user
from server.boards import service as boards
from server.boards.models import Note, Vote
from server.db import make_engine, make_sessionmaker
from server.matching.models import Match, MatchStatus
from server.meetings import service as meetings
from server.meetings.models import MeetingStatus
from server.projects import plan
from server.projects.models import (
    Evaluation,
    FigureKind,
    Mark,
    Project,
    ProjectDistrict,
    ProjectGoal,
    ProjectMember,
    ProjectOrigin,
)
from server.visions import service as visions

DISTRICTS = ["tsurukawa", "kiso", "oyama", "aihara", "minami"]


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements run while inside, on any engine."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def statements_for(client: TestClient[Litestar], path: str) -> int:
    client.get(path)  # once to warm up whatever is loaded once per process
    with counted() as statements:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return len(statements)


def grow(client: TestClient[Litestar], upto: int, board_id: int | None = None) -> int:
    """Add projects, sessions, notes, votes, matches and plan figures until there are ``upto`` of
    each; returns the id of the session whose board holds the notes."""

    async def run() -> int:
        engine = make_engine(client.app.state.settings)
        async with make_sessionmaker(engine)() as db:
            meeting_id = await _grow(db, upto, board_id)
        await engine.dispose()
        return meeting_id

    return anyio.run(run)


async def _grow(db: AsyncSession, upto: int, board_id: int | None) -> int:
    user = await find_user(db, "coord@example.jp")
    assert user is not None
    if board_id is None:
        board = await _session(db, "tsurukawa", "roundtable", date(2026, 6, 1))
    else:
        board = await meetings.get_meeting(db, board_id)
    vision = await visions.vision_of(db, "tsurukawa")
    goal = (await visions.goals_of(db, vision) or [None])[0] or await visions.save_goal(
        db, vision, Actor.staff(user), title="移動に困らない", description=""
    )
    have = await _count(db, Project)
    voter, _ = await boards.join_meeting(db, board)
    for i in range(have, upto):
        district = DISTRICTS[i % len(DISTRICTS)]
        year = 2021 + i % 5  # FY2021–FY2025; every project is also evaluated for FY2026
        meeting = await _session(
            db, district if i % 3 else "city", "roundtable" if i % 3 else "yoriai", date(year, 7, 1)
        )
        person, _ = await boards.join_meeting(db, meeting)
        note = Note(meeting_id=board.id or 0, participant_id=voter.id, kind="offer", text=f"できること{i}")
        concern = Note(meeting_id=board.id or 0, participant_id=voter.id, kind="concern", text=f"困りごと{i}")
        db.add_all([note, concern])
        await db.flush()
        db.add(Vote(meeting_id=board.id or 0, participant_id=voter.id, note_id=note.id))
        db.add(
            Match(
                meeting_id=meeting.id or 0,
                offer_note_id=note.id,
                concern_note_id=concern.id,
                status=MatchStatus.CONFIRMED,
                decided_at=datetime(year, 8, 1, tzinfo=UTC),
            )
        )
        project = Project(
            title=f"プロジェクト{i}", owner="地区協議会", status="running", meeting_id=meeting.id
        )
        db.add(project)
        await db.flush()
        pid = project.id or 0
        db.add_all(
            [
                ProjectDistrict(project_id=pid, district_id=district),
                ProjectGoal(project_id=pid, goal_id=goal.id or 0),
                ProjectMember(project_id=pid, participant_id=person.id, joined_on=date(year, 9, 1)),
                ProjectMember(project_id=pid, added_by_staff=True, joined_on=date(year, 10, 1)),
                Evaluation(project_id=pid, fiscal_year=2026, mark=Mark.DONE),
                Evaluation(project_id=pid, fiscal_year=year, mark=Mark.DELAYED),
                ProjectOrigin(project_id=pid, note_id=note.id, kind="offer", text=note.text, votes=1),
            ]
        )
        await db.commit()
        # Years before yoriai, entered by hand: one more each time.
        await plan.set_figure(
            db,
            Actor.staff(user),
            indicator="participants",
            kind=FigureKind.RECORDED,
            fiscal_year=2000 + i,
            value=str(i),
        )
    return board.id or 0


async def _session(db: AsyncSession, district: str, kind: str, held: date):  # type: ignore[no-untyped-def]
    data = meetings.MeetingInput(kind, district, "会", "問い", held, "", "district-roundtable")
    meeting = await meetings.create_meeting(db, data, created_by=None)
    await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.OPEN)
    return meeting


async def _count(db: AsyncSession, model: type) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


def note_path(client: TestClient[Litestar], meeting_id: int) -> str:
    console = client.get(f"/f/sessions/{meeting_id}").text
    note_id = re.findall(r'<article id="note-(\d+)"', console)[-1]
    return f"/f/sessions/{meeting_id}/notes/{note_id}"


PAGES = [
    "/api/projects",
    "/api/projects/1",
    "/api/indicators?year=2026",
    "/c/indicators?year=2026",
    "/c/projects",
    "/c/projects/1",
    "/c/visions/tsurukawa",
    "/c/report?year=2026&district=tsurukawa",
    "/c/exports/progress.xlsx?year=2026",
    "/c/exports/projects.csv",
    "/c/exports/indicators.xlsx?year=2026",
    "/c/review?district=tsurukawa&year=2026",
]


def test_query_counts_stay_flat_from_3_to_30_rows(coordinator: TestClient[Litestar]) -> None:
    board = grow(coordinator, 3)
    small = {path: statements_for(coordinator, path) for path in PAGES}
    small["console note"] = statements_for(coordinator, note_path(coordinator, board))
    grow(coordinator, 30, board)
    large = {path: statements_for(coordinator, path) for path in PAGES}
    large["console note"] = statements_for(coordinator, note_path(coordinator, board))
    assert "プロジェクト29" in coordinator.get("/c/projects").text
    assert large == small, {k: (small[k], large[k]) for k in small if small[k] != large[k]}
