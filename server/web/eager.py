"""Run a coroutine at once, and give it a task only if it has to wait.

The live board writes each change to hundreds of sockets. Writing to a socket whose buffer has
room never waits, so a task (or a queue and a wake-up) per socket and change is pure overhead;
but a socket that is slow to read must not hold up the others. ``run_now`` runs the coroutine
in the caller's turn of the event loop up to its first real wait, and only then hands it to a
task that carries on from there. It is the core of Python 3.12's eager tasks
(``asyncio.eager_task_factory``), which 3.11 lacks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any


def run_now(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run ``coro`` now; None if it finished without waiting, else the task that carries on."""
    try:
        waiting = coro.send(None)
    except StopIteration:
        return None
    except BaseException:
        coro.close()
        raise
    return asyncio.ensure_future(_carry_on(coro, waiting))


async def _carry_on(coro: Coroutine[Any, Any, None], waiting: Any) -> None:
    await _Resume(coro, waiting)


class _Resume:
    """An awaitable that passes what ``coro`` waits on to the task, and the task's answers
    (a result, an error, a cancellation) back to ``coro``, as ``await`` itself does."""

    def __init__(self, coro: Coroutine[Any, Any, None], waiting: Any) -> None:
        self._coro, self._waiting = coro, waiting

    def __await__(self) -> Generator[Any, Any, None]:
        waiting = self._waiting
        while True:
            try:
                answer = yield waiting
            except BaseException as exc:  # a cancellation or an error: handed on, as await does
                try:
                    waiting = self._coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting = self._coro.send(answer)
                except StopIteration:
                    return
