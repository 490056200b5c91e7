"""The request's database session: one per request, a writer's for anything but GET, HEAD and
OPTIONS, and always closed.

Litestar closes a generator dependency after the response is built, but only when every
dependency of the handler was resolved: when a later one refuses (``meeting``: no such session,
``participant``: not joined; ``server.web.who``), it never closes the ones already open. A
writer's session left open would hold SQLite's in-process write lock for good, so the session is
also kept on the scope, and ``CloseRequestSession`` closes it once the answer is sent if nothing
else did (a refusal's answer is short)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import SessionMaker, writing

#: Requests that change nothing: they read without queueing for SQLite's write lock.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_OPEN = "yoriai_db"


def request_db(maker: SessionMaker) -> Callable[[Request[Any, Any, Any]], AsyncIterator[AsyncSession]]:
    """The ``db`` dependency of the app."""

    async def provide_db(request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
        stack = AsyncExitStack()
        if request.method in SAFE_METHODS:
            db = await stack.enter_async_context(maker())
        else:
            db = await stack.enter_async_context(writing(maker))  # one writer at a time on SQLite
        request.scope[_OPEN] = stack  # type: ignore[literal-required]
        try:
            yield db
        finally:
            await _close(request.scope)

    return provide_db


async def _close(scope: Scope) -> None:
    stack: AsyncExitStack | None = scope.pop(_OPEN, None)  # type: ignore[misc]
    if stack is not None:
        await stack.aclose()


class CloseRequestSession:
    """ASGI middleware: closes the request's session if its dependency was never closed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                await _close(scope)
