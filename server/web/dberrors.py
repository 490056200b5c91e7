"""Values the database refuses. PostgreSQL checks what SQLite lets through: integers past
32 bits (an id typed into a URL) and text longer than its column. Neither is a server fault."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from litestar import Request, Response
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import NOT_FOUND, ErrorKind, UserError
from server.i18n import N_
from server.web.responses import internal_error_handler, user_error_handler

logger = logging.getLogger("yoriai")
Row = TypeVar("Row")

NUMERIC_OUT_OF_RANGE = "22003"
DATA_EXCEPTION_CLASS = "22"  # SQLSTATE class 22: the value does not fit (length, format, range)


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or "")


def is_out_of_range(exc: DBAPIError) -> bool:
    """An integer too large for its column: asyncpg refuses it before sending the query
    ("value out of int32 range"); the server says 22003."""
    return "out of int" in str(exc.orig) or _sqlstate(exc) == NUMERIC_OUT_OF_RANGE


async def get_by_id(db: AsyncSession, model: type[Row], row_id: int) -> Row | None:
    """``db.get``, where an id too large for the database is simply not there. For the
    websocket, which the HTTP exception handlers below do not cover."""
    try:
        return await db.get(model, row_id)
    except OverflowError:  # SQLite's driver: past 64 bits
        return None
    except DBAPIError as exc:
        if is_out_of_range(exc):
            await db.rollback()
            return None
        raise


def database_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    if is_out_of_range(exc):
        # An id that large cannot exist, like an id that overflows SQLite's driver.
        return user_error_handler(request, UserError(NOT_FOUND, ErrorKind.NOT_FOUND))
    if _sqlstate(exc).startswith(DATA_EXCEPTION_CLASS):
        logger.warning("value refused by the database on %s: %s", request.url.path, exc.orig)
        message = N_("入力が長すぎるか、形式が正しくありません。内容をお確かめください。")
        return user_error_handler(request, UserError(message, ErrorKind.INVALID))
    return internal_error_handler(request, exc)
