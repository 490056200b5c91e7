"""What the board websockets may cost the server, whoever opens them (docs/security.md,
"Websocket budget").

Everything here is per process, like the live hub (``BoardHub``): with ``yoriai serve
--workers N`` each worker keeps its own counts, so the budgets below are per worker.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

#: Catch-ups reading the database at once, per process: the websocket's first catch-up and
#: its gap fills, and ``GET /b/{id}/events`` (HTTP polling). A reconnect storm (a hall's Wi-Fi
#: coming back, or one cookie opening hundreds of sockets) then queues here instead of taking
#: every pooled connection and every turn of the event loop, so that posting a note or
#: /healthz is still answered at once. A catch-up is a few milliseconds of reads: four at a
#: time keep both cores of a laptop busy and leave most of the pool free.
CATCH_UPS_AT_ONCE = 4

#: Sockets one holder may keep open on one board. A phone needs one; a few more allow a second
#: tab or a reload whose old socket is not gone yet. Staff run the projector and the console,
#: often on two machines. An address is shared by a whole hall behind one router (hundreds of
#: phones on the venue's Wi-Fi), so its cap is one no real hall reaches: it only bounds a
#: script that makes up participants.
SOCKETS_PER_PARTICIPANT = 4
SOCKETS_PER_STAFF = 8
SOCKETS_PER_ADDRESS = 400

#: The close code of a socket that made room for a newer one of the same holder. htmx's ws
#: extension reconnects only after 1006, 1011, 1012 and 1013, and static/core.js treats 4008 as
#: final too (no reconnect, no polling; the screen says it is open elsewhere): a closed tab
#: that came back would close the newest socket in turn, and two tabs would take turns for ever.
CLOSE_REPLACED = 4008

#: A phone sends its notes on its socket (a note is at most 200 characters; static/phone.js sends
#: a longer text over HTTP, which says why it is refused); screens send nothing else (no
#: ``ws-send``; votes and moves are HTTP posts). A frame bigger than this is refused with 1009:
#: uvicorn reads no more than its header (``ws_max_size`` in ``yoriai serve``, so thirty 15 MB
#: frames no longer cost the server 770 MB), and the handler checks too, under any server.
MAX_MESSAGE_BYTES = 4096
CLOSE_TOO_BIG = 1009

#: A socket that talks more is closed with 1008 (policy violation) past this many messages in this
#: many seconds: a phone sends one note at a time and at most ten in 30 s (the note limits).
MAX_MESSAGES = 20
MESSAGES_WINDOW_S = 10.0
CLOSE_POLICY = 1008

Holder = Literal["participant", "staff", "address"]

LIMITS: dict[Holder, int] = {
    "participant": SOCKETS_PER_PARTICIPANT,
    "staff": SOCKETS_PER_STAFF,
    "address": SOCKETS_PER_ADDRESS,
}


class _Slot:
    """One open socket, in the lists of each of its holders (compared by identity)."""

    def __init__(self, keys: list[tuple[int, Holder, str]], close: Callable[[], None]) -> None:
        self.keys = keys
        self.close = close


class SocketBudget:
    """The sockets each holder keeps open on each board, oldest first. A socket over a budget
    makes the holder's oldest socket close (``close``), so whoever opens one more always gets
    it, and a holder never keeps more than its budget."""

    def __init__(self, limits: dict[Holder, int] | None = None) -> None:
        self.limits = limits or LIMITS
        self._held: dict[tuple[int, Holder, str], dict[_Slot, None]] = {}

    @contextmanager
    def admit(
        self, meeting_id: int, holders: dict[Holder, str | int], close: Callable[[], None]
    ) -> Iterator[None]:
        """Count a socket for each of its holders while inside; ``close`` is called (at most
        once) if a newer socket of one of them takes its place."""
        slot = _Slot([(meeting_id, kind, str(who)) for kind, who in holders.items()], close)
        for key in slot.keys:
            self._held.setdefault(key, {})[slot] = None
        try:
            for key in slot.keys:
                held = self._held.get(key, {})
                while len(held) > self.limits[key[1]]:
                    oldest = next(iter(held))
                    self._release(oldest)
                    oldest.close()
            yield
        finally:
            self._release(slot)

    def count(self, meeting_id: int, kind: Holder, who: str | int) -> int:
        return len(self._held.get((meeting_id, kind, str(who)), {}))

    def _release(self, slot: _Slot) -> None:
        for key in slot.keys:
            held = self._held.get(key)
            if held is not None:
                held.pop(slot, None)
                if not held:
                    del self._held[key]


class MessageCounter:
    """One socket's incoming messages in a sliding window."""

    __slots__ = ("_times", "limit", "window_s")

    def __init__(self, limit: int = MAX_MESSAGES, window_s: float = MESSAGES_WINDOW_S) -> None:
        self.limit, self.window_s = limit, window_s
        # Made at the first message: screens send none, and an empty deque is 0.6 KB a socket.
        self._times: deque[float] | None = None

    def too_many(self, now: float) -> bool:
        """Count one message at ``now``: True when it is over the limit."""
        if self._times is None:
            self._times = deque()
        while self._times and self._times[0] <= now - self.window_s:
            self._times.popleft()
        self._times.append(now)
        return len(self._times) > self.limit


T = TypeVar("T")


@dataclass
class LiveGuards:
    """The process's guards of the live layer (one per app, in ``app.state.live_guards``)."""

    catch_ups: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CATCH_UPS_AT_ONCE))
    sockets: SocketBudget = field(default_factory=SocketBudget)
    #: Reads waiting for a turn, per (board, seq they start after).
    _queued: dict[tuple[int, int], asyncio.Task[Any]] = field(default_factory=dict)

    async def catch_up(self, board: int, after: int, read: Callable[[], Awaitable[T]]) -> T:
        """``read()`` in a turn of ``catch_ups``, shared by every socket of the board that asks
        for the same ``after`` while it waits for its turn: a hall whose phones connect or
        reconnect together (all with ``after=0``, or all with the last seq before the Wi-Fi
        dropped) costs a few reads, not one per phone. Only a read that has not started yet is
        joined: each socket subscribed before asking, so a read that starts after that misses
        nothing the socket's feed does not bring."""
        key = (board, after)
        task = self._queued.get(key)
        if task is None:
            task = self._queued[key] = asyncio.ensure_future(self._in_turn(key, read))
            task.add_done_callback(_retrieve)
        # Shielded: a socket that leaves while it waits does not cancel the others' read.
        return cast(T, await asyncio.shield(task))

    async def _in_turn(self, key: tuple[int, int], read: Callable[[], Awaitable[T]]) -> T:
        try:
            async with self.catch_ups:
                self._forget(key)  # from now on, a socket that asks starts a read of its own
                return await read()
        finally:
            self._forget(key)

    def _forget(self, key: tuple[int, int]) -> None:
        if self._queued.get(key) is asyncio.current_task():
            del self._queued[key]


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Its sockets get a failed read's error; if all left meanwhile, nobody must be told."""
    if not task.cancelled():
        task.exception()
