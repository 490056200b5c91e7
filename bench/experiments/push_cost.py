"""The board stream's own Python per socket: a change pushed to 1,000 streams whose writer does
nothing, so that what is left is ``BoardStream.push`` and ``Outgoing.frame_for`` (the fan-out's
part that is not the socket's write). Prints the best of 20 pushes, in µs per socket.

    .venv/bin/python bench/experiments/push_cost.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.boards.live import BoardStream, Outgoing, Viewer
from tests.test_live import a_change, a_note

SOCKETS = 1000


async def measure() -> float:
    async def load_missed(after: int) -> Outgoing:
        return Outgoing(a_change(0, {}, type=None))  # an empty board: the catch-up

    async def send(text: str) -> None:
        pass  # only the catch-up is sent this way; every change is written by the writer

    written = 0

    def write(frame: bytes) -> bool:
        nonlocal written
        written += 1
        return True

    streams = []
    for i in range(SOCKETS):
        stream = BoardStream(Viewer("phone", 1, 100 + i), 0, load_missed, send, None, write)
        await stream.open()
        streams.append(stream)
    best = float("inf")
    for seq in range(1, 24):
        change = Outgoing(a_change(seq, {seq: a_note(seq, "バス停まで歩くのがつらい")}))
        started = time.perf_counter()
        for stream in streams:
            stream.push(change)
        if seq > 3:  # the first pushes warm the templates
            best = min(best, time.perf_counter() - started)
    assert written == 23 * SOCKETS, "a change was queued instead of written: not the path measured"
    return best / SOCKETS * 1e6


if __name__ == "__main__":
    print(f"BoardStream.push per socket, writer doing nothing: {asyncio.run(measure()):.2f} µs")
