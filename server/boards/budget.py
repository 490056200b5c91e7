"""What the board websockets may cost the server, whoever opens them (docs/security.md,
"Websocket budget").

Everything here is per process, like the live hub (``BoardHub``): with ``yoriai serve
--workers N`` each worker keeps its own counts, so the budgets below are per worker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

#: Catch-ups reading the database at once, per process: the websocket's first catch-up and
#: its gap fills, and ``GET /b/{id}/events`` (HTTP polling). A reconnect storm (a hall's Wi-Fi
#: coming back, or one cookie opening hundreds of sockets) then queues here instead of taking
#: every pooled connection and every turn of the event loop, so that posting a note or
#: /healthz is still answered at once. A catch-up is a few milliseconds of reads: four at a
#: time keep both cores of a laptop busy and leave most of the pool free.
CATCH_UPS_AT_ONCE = 4


@dataclass
class LiveGuards:
    """The process's guards of the live layer (one per app, in ``app.state.live_guards``)."""

    catch_ups: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CATCH_UPS_AT_ONCE))
