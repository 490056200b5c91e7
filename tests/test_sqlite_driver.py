"""SQLite in one trip per statement (server/sqlite_driver.py): rows, counts and transactions as sqlite3 gives them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from server.config import Settings
from server.db import make_engine


def test_one_trip_cursor_returns_rows_counts_and_keeps_transactions(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine = make_engine(Settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
                inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('あ') RETURNING id"))
                assert inserted.scalar_one() == 1
                await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "い"}, {"n": "う"}])
                updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
                assert updated.rowcount == 2
                conflict = await conn.execute(
                    text("INSERT INTO t (name) VALUES ('あ') ON CONFLICT DO NOTHING RETURNING id")
                )
                assert conflict.scalar_one_or_none() is None
            async with engine.connect() as conn:
                await conn.execute(text("INSERT INTO t (name) VALUES ('え')"))
                await conn.rollback()  # rolled back: nothing of it stays
                names = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
                assert names == ["あ", "い!", "う!"]
        finally:
            await engine.dispose()

    asyncio.run(scenario())
