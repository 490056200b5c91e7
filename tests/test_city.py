"""City scale: what must hold on PostgreSQL as on SQLite (this module runs on both engines),
and Redis-backed rate limits shared by several workers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import col, select

from server.accounts.actor import Actor
from server.boards import service as boards
from server.boards.models import BoardEvent
from server.config import Settings
from server.db import make_engine, make_sessionmaker
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingStatus
from tests.conftest import create_open_meeting, join_as, post_form
from tests.engines import Postgres, Redis, execute_sql, run_coroutine
from tests.live_server import ROOT

WRITERS, NOTES_EACH = 8, 12


async def test_concurrent_writers_to_one_board_never_repeat_or_lose_a_sequence_number(
    settings: Settings,
) -> None:
    """Eight sessions (as eight workers would) post to one board at once: every change gets
    its own number and the numbers have no gap."""
    engine = make_engine(settings)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as db:
            data = meetings.MeetingInput("roundtable", "tsurukawa", "鶴川", "問い", None, "", "")
            meeting = await meetings.create_meeting(db, data, created_by=None)
            await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.OPEN)
            meeting_id = meeting.id
            assert meeting_id is not None

        async def writer(n: int) -> list[int]:
            async with maker() as db:
                board = await db.get(Meeting, meeting_id)
                assert board is not None
                person, joined = await boards.join_meeting(db, board, nickname=f"p{n}", affiliation="")
                seqs = [joined.seq]
                for i in range(NOTES_EACH):
                    posted = await boards.post_note(db, board, person, kind="idea", text=f"{n}-{i}")
                    seqs.append(posted.seq)
                return seqs

        results = await asyncio.gather(*(writer(n) for n in range(WRITERS)))
        async with maker() as db:
            logged = (
                await db.exec(select(BoardEvent.seq).where(col(BoardEvent.meeting_id) == meeting_id))
            ).all()
            board = await db.get(Meeting, meeting_id)
            assert board is not None
    finally:
        await engine.dispose()
    handed_out = sorted(seq for seqs in results for seq in seqs)
    total = 1 + WRITERS * (1 + NOTES_EACH)  # opening, then each writer's join and notes
    assert handed_out == list(range(2, total + 1))
    assert sorted(logged) == list(range(1, total + 1))
    assert board.board_seq == total


@pytest.mark.parametrize("huge", [2**31, 2**63, int("9" * 30)])
def test_ids_too_large_for_the_database_are_not_found_not_errors(
    facilitator: TestClient[Litestar], huge: int
) -> None:
    """PostgreSQL's integers are 32 bits: past that asyncpg refuses the value, and SQLite's
    driver overflows past 64 bits. Either way the page simply does not exist."""
    for path in (f"/b/{huge}", f"/f/sessions/{huge}", f"/api/projects/{huge}", f"/c/projects/{huge}"):
        response = facilitator.get(path)
        assert response.status_code in (403, 404), (path, response.status_code, response.text[:300])
    page = facilitator.get(f"/f/sessions/{huge}")
    assert page.status_code == 404 and "見つかりませんでした" in page.text
    posted = post_form(facilitator, f"/b/{huge}/notes", {"kind": "idea", "text": "x"})
    assert posted.status_code in (403, 404)
    meeting_id, _ = create_open_meeting(facilitator)
    hide = post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{huge}/hide", {})
    assert hide.status_code == 404, hide.text[:300]


def test_a_note_longer_than_a_column_allows_is_refused_with_a_message(
    facilitator: TestClient[Litestar],
) -> None:
    """PostgreSQL enforces column lengths that SQLite ignores: the rules must catch them first."""
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as phone:
        long_nick = post_form(phone, f"/join/{code}", {"nickname": "あ" * 500, "affiliation": "い" * 500})
        assert long_nick.status_code in (303, 422), long_nick.text[:300]
        response = post_form(
            phone, f"/b/{meeting_id}/notes", {"kind": "idea", "text": "あ" * 5000, "client_id": "c" * 500}
        )
    assert response.status_code == 422, response.text[:300]
    assert "200文字まで" in response.text


def test_backup_on_postgresql_points_to_pg_dump(settings: Settings, backend: str, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "YORIAI_DATABASE_URL": settings.database_url}
    env["YORIAI_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "backup", str(tmp_path / "copy.db")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if backend == "sqlite":
        assert result.returncode == 0 and (tmp_path / "copy.db").exists()
    else:
        assert result.returncode == 1
        assert (
            "pg_dump" in result.stderr and "pg_restore" in result.stderr and "docs/deploy.md" in result.stderr
        )
        assert not (tmp_path / "copy.db").exists()


async def test_rate_limits_in_redis_are_shared_by_every_worker(redis_server: Redis) -> None:
    """Two workers' limit objects on one Redis count together: a guesser gains nothing by
    spreading tries over workers."""
    from redis.asyncio import Redis as AsyncRedis

    from server.errors import ErrorKind, UserError
    from server.web.ratelimit import redis_limits

    redis_server.flush()
    first, second = AsyncRedis.from_url(redis_server.url), AsyncRedis.from_url(redis_server.url)
    try:
        worker_a, worker_b = redis_limits(first), redis_limits(second)
        for _ in range(5):  # five each: under the limit of ten alone, at it together
            await worker_a.sign_in_failures.hit("10.0.0.7")
            await worker_b.sign_in_failures.hit("10.0.0.7")
        with pytest.raises(UserError, match="5分ほど待って") as refused:
            await worker_b.sign_in_failures.check("10.0.0.7")
        assert refused.value.kind == ErrorKind.TOO_MANY
        await worker_b.sign_in_failures.check("10.0.0.8")  # someone else is not affected
    finally:
        await first.aclose()
        await second.aclose()


def test_the_migrations_run_on_postgresql_from_the_first_schema_keeping_data(postgres: Postgres) -> None:
    """The same Alembic scripts as on SQLite: upgrade step by step with a meeting in the
    database, then down to nothing and up again."""
    from alembic import command

    from server.migrate import alembic_config, upgrade

    name = f"yoriai_migrations_{os.getpid()}"
    postgres.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    settings = Settings(database_url=postgres.url(name), secret_key="k")
    dsn = postgres.dsn(name)
    try:
        command.upgrade(alembic_config(settings), "0001")
        run_coroutine(
            execute_sql(
                dsn,
                "INSERT INTO meeting (kind, district_id, title, question, venue, status, programme, join_code,"
                " board_seq, created_at) VALUES ('roundtable', 'kiso', '木曽地区 懇談会', '', '', 'open', '',"
                " '234567', 1, '2025-11-01 10:00:00+00')",
                "INSERT INTO participant (meeting_id, token, nickname, affiliation, joined_at)"
                " VALUES (1, 't', '', '', '2025-11-01 10:00:00+00')",
                "INSERT INTO note (meeting_id, participant_id, kind, text, hidden, created_at)"
                " VALUES (1, 1, 'idea', '残る付箋', false, '2025-11-01 10:05:00+00')",
            )
        )
        command.upgrade(alembic_config(settings), "0004")
        run_coroutine(
            execute_sql(
                dsn,
                "INSERT INTO project (title, description, status, owner, meeting_id, created_at)"
                " VALUES ('残る付箋', '- 残る付箋', 'idea', '', 1, '2025-11-01 10:10:00+00')",
                "INSERT INTO projectorigin (project_id, note_id, cluster_name, kind, text, votes)"
                " VALUES (1, 1, '', 'idea', '残る付箋', 0)",
            )
        )
        upgrade(settings)
        marks = run_coroutine(_fetch(dsn, "SELECT copied_to_title, copied_to_description FROM projectorigin"))
        assert marks == (True, True)
        meeting = run_coroutine(
            _fetch(dsn, "SELECT title, phase_index, vote_budget, voting_open FROM meeting")
        )
        note = run_coroutine(_fetch(dsn, "SELECT text, cluster_id, entered_by_staff FROM note"))
        assert meeting == ("木曽地区 懇談会", 0, 3, False)
        assert note == ("残る付箋", None, False)
        command.downgrade(alembic_config(settings), "base")
        assert run_coroutine(_fetch(dsn, "SELECT to_regclass('meeting')")) == (None,)
        upgrade(settings)
        assert run_coroutine(_fetch(dsn, "SELECT count(*) FROM district")) == (11,)
    finally:
        postgres.drop(name)


async def _fetch(dsn: str, query: str) -> tuple[object, ...]:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        return tuple(await connection.fetchrow(query))
    finally:
        await connection.close()


@pytest.mark.parametrize("huge", [2**31, int("9" * 30)])
def test_a_websocket_to_a_board_id_too_large_is_refused_like_any_unknown_board(
    client: TestClient[Litestar], huge: int
) -> None:
    from litestar.exceptions import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(f"/ws/boards/{huge}") as ws:
        ws.receive_text()
    assert closed.value.code == 4403


def test_workers_starting_at_once_all_sign_cookies_with_one_generated_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without YORIAI_SECRET_KEY, workers that start together read the same secret.key: the
    first one creates it, the others never write their own over it."""
    from concurrent.futures import ThreadPoolExecutor

    from server.config import _secret_key

    monkeypatch.delenv("YORIAI_SECRET_KEY", raising=False)
    for attempt in range(20):
        data_dir = tmp_path / str(attempt)
        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(_secret_key, [data_dir] * 8))
        assert len(keys) == 1 and len(keys.pop()) == 64
        assert oct((data_dir / "secret.key").stat().st_mode & 0o777) == "0o600"
