"""The database engine and sessions (SQLite by default, PostgreSQL at city scale)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

# Import every model so SQLModel.metadata (and Alembic) knows all tables.
from server.accounts import models as _accounts  # noqa: F401
from server.boards import models as _boards  # noqa: F401
from server.config import Settings
from server.districts import models as _districts  # noqa: F401
from server.matching import models as _matching  # noqa: F401
from server.meetings import models as _meetings  # noqa: F401
from server.projects import models as _projects  # noqa: F401
from server.sqlite_driver import connector
from server.visions import models as _visions  # noqa: F401

SessionMaker = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(foreign_keys: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets the projector read while phones write; foreign keys are off by default in SQLite.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return on_connect


def make_engine(settings: Settings, *, foreign_keys: bool = True) -> AsyncEngine:
    """The engine. Migrations pass ``foreign_keys=False``: SQLite alters a table by copying
    and dropping it, which enforced foreign keys would refuse once rows point at it."""
    if settings.is_sqlite:
        path = settings.database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # SQLAlchemy's 5 + 10 connections. Each is an aiosqlite thread with its own SQLite page
        # cache, and a crowd's websocket handshakes used to open all of a 20 + 80 pool at once
        # (about 10 MB more per 1,000 phones, docs/benchmarks.md) for reads of a millisecond:
        # they now wait their turn for a connection instead (up to 60 s, never reached), and
        # nothing waits for the catch-up semaphore while it holds one (see board_events).
        # One trip to the connection's thread per statement instead of four (server/sqlite_driver.py).
        url = make_url(settings.database_url)
        args, kwargs = url.get_dialect()().create_connect_args(url)
        engine = create_async_engine(
            settings.database_url,
            async_creator=connector(args, kwargs),
            pool_size=5,
            max_overflow=10,
            pool_timeout=60,
        )
        _WRITE_LOCKS[engine.sync_engine] = asyncio.Lock()
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(foreign_keys))
        return engine
    return create_async_engine(settings.database_url, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


#: One in-process writer at a time on SQLite (see ``writing``); none on PostgreSQL.
_WRITE_LOCKS: WeakKeyDictionary[Engine, asyncio.Lock] = WeakKeyDictionary()


@asynccontextmanager
async def writing(maker: SessionMaker) -> AsyncIterator[AsyncSession]:
    """A session for a request that may change things.

    SQLite has one write lock per file. A transaction that holds it stays open across awaits,
    and while the event loop is busy (a crowd's fan-out) those awaits can last seconds; other
    writers then wait on SQLite's lock in their threads and fail with "database is locked"
    after ``busy_timeout``: a 500 on a phone. So on SQLite the writers of this process queue
    on an asyncio lock instead, which never times out and never holds up the loop, and each
    takes SQLite's lock at BEGIN (IMMEDIATE), before reading anything it could then not
    upgrade. PostgreSQL locks rows, not the database: nothing changes there."""
    bind = maker.kw.get("bind")
    lock = _WRITE_LOCKS.get(bind.sync_engine) if isinstance(bind, AsyncEngine) else None
    if lock is None:
        async with maker() as db:
            yield db
        return
    async with lock, maker() as db:
        connection = await db.connection()
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield db
