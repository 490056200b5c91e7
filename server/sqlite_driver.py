"""SQLite through aiosqlite, one trip to its thread per statement.

aiosqlite runs each SQLite connection in a thread of its own and hands it one call at a time.
SQLAlchemy's adapter makes four calls per statement: open a cursor, execute, fetch the rows,
close the cursor. Each is a trip to that thread and back to the event loop, and while the loop
is busy (a note going out to a thousand phones) each trip waits its turn: a posted note's five
statements were about twenty trips, most of the time a note spent in its POST
(docs/benchmarks.md). Here the cursor does the four in one call in the connection's thread,
then hands the rows, the description, ``rowcount`` and ``lastrowid`` over as plain values.

The SQLite connection, its thread, its transactions and what each statement does are
aiosqlite's and sqlite3's own; only the number of trips changes. PostgreSQL is untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import aiosqlite

_Description = tuple[tuple[Any, ...], ...] | None


def _run(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> tuple[_Description, list[Any], int, int | None]:
    """In the connection's thread: the whole statement, rows included."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        # rowcount and lastrowid after the fetch: a statement with RETURNING is done only then.
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor:
    """What SQLAlchemy's adapter needs of an aiosqlite cursor, one trip per statement."""

    __slots__ = ("_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def _call(self, sql: str, parameters: Any, many: bool) -> OneTripCursor:
        connection = self._connection
        self.description, self._rows, self.rowcount, self.lastrowid = await connection.call(
            _run, connection.sqlite, sql, parameters, many
        )
        return self

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        return await self._call(sql, parameters, False)

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> OneTripCursor:
        return await self._call(sql, parameters, True)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def close(self) -> None:
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors make one trip per statement."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection, to be used in the connection's own thread only."""
        return self._conn

    def call(self, fn: Callable[..., Any], *args: Any) -> Coroutine[Any, Any, Any]:
        """Run ``fn(*args)`` in the connection's thread."""
        return self._execute(fn, *args)


def connector(args: Sequence[Any], kwargs: Mapping[str, Any]) -> Callable[[], Coroutine[Any, Any, Any]]:
    """SQLAlchemy's ``async_creator``: a connection opened with the dialect's own arguments."""

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(lambda: sqlite3.connect(*args, **kwargs), iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy's aiosqlite dialect does
        await connection
        return connection

    return connect
