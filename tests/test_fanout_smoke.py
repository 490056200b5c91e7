"""A small fan-out through the real server: bench/fanout.py at 300 phones, 3 notes/s for 10 s.

The same harness as the figures of record (docs/benchmarks.md), small enough for every test run:
a yoriai server process on SQLite (tests/live_server.py's), 300 phones that join through the join
page and hold a board websocket each, notes posted through the phone's outbox path, then the
same clients against the bare `websockets` baseline. It asserts what must hold on any machine
(every note reaches every phone once, no socket refused or dropped) and prints the timings
without asserting them: a loaded CI machine moves them, not the code.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bench import fanout


def test_every_note_reaches_every_phone_once(capsys: pytest.CaptureFixture[str]) -> None:
    args = fanout.parse(["--clients", "300", "--rate", "3", "--seconds", "10", "--drain", "20"])
    figures = asyncio.run(fanout.run(args))
    with capsys.disabled():
        keys = ("p50_ms", "p95_ms", "baseline_p95_ms", "ratio_p95", "connect_s", "load_average_before")
        print("\nfan-out smoke:", json.dumps({k: figures[k] for k in keys}))
    assert figures["acked"] == figures["notes"] == 30
    assert figures["lost"] == 0
    assert figures["doubled"] == 0
    assert figures["connect_errors"] == 0
    assert figures["closed_before_measuring"] == 0
    assert figures["dropped_connections"] == 0
    assert figures["baseline_lost"] == 0
