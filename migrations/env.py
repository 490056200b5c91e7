"""Alembic environment: async engine, the URL from yoriai's settings, every SQLModel table."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import server.db  # noqa: F401  (imports every model)
from server.config import Settings
from server.db import make_engine

target_metadata = SQLModel.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite can only alter tables by copying them; PostgreSQL alters them in place.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.dialect.name == "sqlite":
        # Foreign keys were off while tables were copied: check nothing now points nowhere.
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")


async def _run_async() -> None:
    settings = context.config.attributes.get("settings") or Settings.from_env()
    # SQLite only: its foreign keys are off while batch migrations copy tables (checked after).
    # PostgreSQL keeps enforcing them throughout, as its ALTER TABLE needs no copies.
    engine = make_engine(settings, foreign_keys=not settings.is_sqlite)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("yoriai migrations run online only: use `yoriai migrate`.")
asyncio.run(_run_async())
