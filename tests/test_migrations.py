"""Migrations upgrade a database that already holds a meeting, without losing it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from server.config import Settings
from server.migrate import alembic_config, upgrade


def test_upgrading_from_the_first_schema_keeps_sessions_and_notes(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'old.db'}", secret_key="k"
    )
    command.upgrade(alembic_config(settings), "0001")
    with sqlite3.connect(tmp_path / "old.db") as db:
        db.execute(
            "INSERT INTO meeting (kind, district_id, title, question, venue, status, programme, join_code,"
            " board_seq, created_at) VALUES ('roundtable', 'kiso', '木曽地区 懇談会', '', '', 'open', '',"
            " '234567', 1, '2025-11-01 10:00:00')"
        )
        db.execute(
            "INSERT INTO participant (meeting_id, token, nickname, affiliation, joined_at)"
            " VALUES (1, 't', '', '', '2025-11-01 10:00:00')"
        )
        db.execute(
            "INSERT INTO note (meeting_id, participant_id, kind, text, hidden, created_at)"
            " VALUES (1, 1, 'idea', '残る付箋', 0, '2025-11-01 10:05:00')"
        )
    upgrade(settings)
    with sqlite3.connect(tmp_path / "old.db") as db:
        meeting = db.execute("SELECT title, phase_index, vote_budget, voting_open FROM meeting").fetchone()
        note = db.execute("SELECT text, cluster_id, entered_by_staff FROM note").fetchone()
    assert meeting == ("木曽地区 懇談会", 0, 3, 0)
    assert note == ("残る付箋", None, 0)


def test_upgrading_marks_what_existing_projects_copied_from_their_notes(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'old.db'}", secret_key="k"
    )
    command.upgrade(alembic_config(settings), "0004")
    with sqlite3.connect(tmp_path / "old.db") as db:
        for title, description in (
            ("空き店舗で朝市", "- 空き店舗で\n朝市を開きたい"),
            ("週末の朝市", "地元の野菜"),
        ):
            db.execute(
                "INSERT INTO project (title, description, status, owner, created_at)"
                " VALUES (?, ?, 'idea', '', '2025-11-01 10:00:00')",
                (title, description),
            )
        for project_id, text in (
            (1, "空き店舗で朝市"),
            (1, "空き店舗で 朝市を開きたい"),
            (2, "空き店舗で朝市"),
        ):
            db.execute(
                "INSERT INTO projectorigin (project_id, note_id, cluster_name, kind, text, votes)"
                " VALUES (?, NULL, '', 'want', ?, 0)",
                (project_id, text),
            )
    upgrade(settings)
    with sqlite3.connect(tmp_path / "old.db") as db:
        marks = db.execute(
            "SELECT project_id, copied_to_title, copied_to_description FROM projectorigin ORDER BY id"
        ).fetchall()
    assert marks == [(1, 1, 0), (1, 0, 1), (2, 0, 0)]
