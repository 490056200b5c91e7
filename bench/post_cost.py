"""What one posted note costs the server, with no crowd: CPU per POST against GET /healthz.

From a fresh clone (`scripts/bootstrap.sh bench`):

    .venv/bin/python bench/post_cost.py                   # 400 notes, then 400 GET /healthz
    .venv/bin/python bench/post_cost.py --profile FILE    # the same, the server under py-spy

A diagnosis of the post's own path (HTTP, middleware, the database), not of the fan-out:
`bench/fanout.py` is the figure of record. It starts yoriai as fan-out does (SQLite, one
worker), opens a board, joins 64 phones from 8 loopback addresses (so the per-phone and
per-address note limits are never reached) and posts notes one after another, as a phone's
outbox does. It prints the median and p95 time of a POST, the server's CPU per POST and per
`GET /healthz` (the framework's floor: no database, no session) in the same run, and their
ratio, which moves much less than the absolute figures with the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import (
    EMAIL,
    PASSWORD,
    Phone,
    cpu_seconds,
    open_boards,
    print_hot_spots,
    start_profiler,
    start_yoriai,
)


async def measure(notes: int, profile: str | None) -> dict[str, float]:
    server = start_yoriai()
    assert server.process is not None
    pid = server.process.pid
    try:
        ((meeting, code),) = await open_boards(server.url, 1, EMAIL, PASSWORD)
        phones = []
        for a in range(8):
            address = f"127.0.1.{a + 1}"
            transport = httpx.AsyncHTTPTransport(local_address=address)
            for _ in range(8):
                phone = Phone(server.url, meeting, code, transport, address)
                await phone.join()
                phones.append(phone)
        for i in range(10):  # warm: templates, statement caches, the database file
            assert await phones[i].post(f"warm {i}", f"warm{i}") == 200
        profiler = start_profiler(profile, pid, 3600)
        if profiler:
            time.sleep(1.5)  # py-spy attaches
        cpu_before, times = cpu_seconds(pid), []
        for i in range(notes):
            started = time.perf_counter()
            status = await phones[i % len(phones)].post(f"駅前の広場にベンチがほしい {i}", f"c{i}")
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, f"note {i} refused ({status})"
        post_cpu = (cpu_seconds(pid) - cpu_before) / notes * 1000
        if profiler and profile:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
            print_hot_spots(profile)
        async with httpx.AsyncClient(base_url=server.url) as client:
            cpu_before = cpu_seconds(pid)
            for _ in range(notes):
                assert (await client.get("/healthz")).status_code == 200
            health_cpu = (cpu_seconds(pid) - cpu_before) / notes * 1000
    finally:
        server.stop()
    times.sort()
    return {
        "notes": notes,
        "post_p50_ms": round(statistics.median(times), 2),
        "post_p95_ms": round(times[int(0.95 * (notes - 1))], 2),
        "server_cpu_ms_per_post": round(post_cpu, 2),
        "server_cpu_ms_per_healthz": round(health_cpu, 2),
        "ratio_post_to_healthz": round(post_cpu / health_cpu, 2) if health_cpu else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notes", type=int, default=400)
    parser.add_argument("--profile", help="record the server with py-spy into this file")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.notes, args.profile))))


if __name__ == "__main__":
    main()
