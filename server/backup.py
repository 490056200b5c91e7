"""Backups of the embedded SQLite database: a consistent copy even while yoriai serves.

SQLite's online backup API copies a snapshot page by page while readers and writers carry
on. PostgreSQL has its own tools (pg_dump / pg_restore): see docs/deploy.md.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from server.config import Settings
from server.errors import UserError


def sqlite_path(settings: Settings) -> Path:
    if not settings.is_sqlite:
        raise UserError(
            "yoriai backup / restore は SQLite 用です。PostgreSQL では pg_dump -Fc でバックアップし、"
            "pg_restore で戻してください（docs/deploy.md）。"
            " / yoriai backup and restore are for SQLite. On PostgreSQL back up with pg_dump -Fc"
            " and restore with pg_restore (see docs/deploy.md)."
        )
    return Path(settings.database_url.split("///", 1)[1])


def backup(settings: Settings, target: Path) -> Path:
    """Copy the live database to ``target`` (a new file)."""
    source = sqlite_path(settings)
    if not source.exists():
        raise UserError(f"データベースが見つかりません: {source}")
    if target.exists():
        raise UserError(f"{target} はもうあります。別の名前を指定してください。")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    copy.close()
    return target


def restore(settings: Settings, backup_file: Path) -> None:
    """Put a backup back in place of the live database (stop the server first)."""
    sqlite_path(settings)  # PostgreSQL: refuse before reading anything
    if not backup_file.exists():
        raise UserError(f"バックアップが見つかりません: {backup_file}")
    with sqlite3.connect(backup_file) as copy:
        try:
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError:
            raise UserError("これは yoriai のバックアップではないようです。") from None
        if not {"alembic_version", "meeting", "note"} <= tables:
            raise UserError("これは yoriai のバックアップではないようです。")
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise UserError("バックアップが壊れています。")
        target = sqlite_path(settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(target) as live:
            copy.backup(live)
        live.close()
