"""Soak run: many phones for many minutes, reconnecting, posting; the server's memory must stay flat.

    .venv/bin/python bench/soak.py                       # 200 phones, 10 minutes (starts its own server)
    .venv/bin/python bench/soak.py --phones 50 --minutes 1

Run by hand, not by the tests. Every phone holds a websocket like the phone page does and
reconnects every 20–60 s with the last sequence number it saw; together they post about
two notes a second through the same HTTP path the phone page uses. The server's resident
memory is sampled every 10 s. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_server import LiveServer, cli, free_port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def form(client: httpx.AsyncClient, path: str, data: dict[str, str], **headers: str) -> httpx.Response:
    page = (await client.get("/")).text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return await client.post(path, data=data, headers={"x-csrftoken": token, **headers})


class Phone:
    def __init__(self, server: str, meeting: str, client: httpx.AsyncClient) -> None:
        self.server, self.meeting, self.client = server, meeting, client
        self.last_seq, self.reconnects, self.errors, self.messages = 0, 0, 0, 0

    async def listen(self, until: float) -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        url = self.server.replace("http", "ws") + f"/ws/boards/{self.meeting}"
        while time.monotonic() < until:
            stay = min(random.uniform(20, 60), until - time.monotonic())
            try:
                async with websockets.connect(
                    f"{url}?after={self.last_seq}", additional_headers={"Cookie": cookie}
                ) as ws:
                    deadline = time.monotonic() + stay
                    while (left := deadline - time.monotonic()) > 0:
                        try:
                            message = await asyncio.wait_for(ws.recv(), timeout=left)
                        except TimeoutError:
                            break
                        self.messages += 1
                        if seq := re.search(r'data-seq="(\d+)"', str(message)):
                            self.last_seq = int(seq.group(1))
            except (OSError, websockets.WebSocketException):
                self.errors += 1
                await asyncio.sleep(1)
            self.reconnects += 1


async def soak(phones: int, minutes: float, url: str | None) -> dict[str, object]:
    server = None
    if url is None:
        port = free_port()
        data = tempfile.mkdtemp(prefix="yoriai-soak-")
        env = {**os.environ, "YORIAI_DATA_DIR": data, "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        env.pop("YORIAI_DATABASE_URL", None)
        cli(env, "migrate")
        cli(env, "create-user", "--email", "soak@example.jp", "--password", "soak-password")
        server = LiveServer(f"http://127.0.0.1:{port}", env)
        server.start()
        url = server.url
    limits = httpx.Limits(max_connections=phones + 10)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as staff:
        await form(staff, "/signin", {"email": "soak@example.jp", "password": "soak-password"})
        created = await form(
            staff, "/f/sessions", {"kind": "roundtable", "district_id": "tsurukawa", "title": "ソーク"}
        )
        meeting = created.headers["location"].rsplit("/", 1)[1]
        await form(staff, f"/f/sessions/{meeting}/open", {})
        code = "".join(
            re.search(
                r'参加コード <strong class="mono">(\d{3}) (\d{3})',
                (await staff.get(f"/f/sessions/{meeting}")).text,
            ).groups()
        )  # type: ignore[union-attr]
    clients = [httpx.AsyncClient(base_url=url, timeout=30) for _ in range(phones)]
    for client in clients:
        await form(client, f"/join/{code}", {"skip": "1"})
    pid = server.process.pid if server and server.process else 0
    samples: list[float] = []
    posted, refused, failed = 0, 0, 0
    until = time.monotonic() + minutes * 60
    crowd = [Phone(url, meeting, c) for c in clients]

    async def post_notes() -> None:
        nonlocal posted, refused, failed
        n = 0
        while time.monotonic() < until:
            phone = random.choice(crowd)
            n += 1
            try:
                answer = await form(
                    phone.client,
                    f"/b/{meeting}/notes",
                    {"kind": "idea", "text": f"ソークの付箋 {n}", "client_id": f"soak-{n:08d}"},
                    accept="application/json",
                )
                posted += answer.status_code == 200
                refused += answer.status_code == 429
                failed += answer.status_code not in (200, 429)
            except httpx.HTTPError:
                failed += 1
            await asyncio.sleep(0.5)

    async def sample() -> None:
        while time.monotonic() < until:
            if pid:
                samples.append(rss_mb(pid))
            await asyncio.sleep(10)

    started = time.monotonic()
    await asyncio.gather(post_notes(), sample(), *(p.listen(until) for p in crowd))
    for client in clients:
        await client.aclose()
    warm = samples[len(samples) // 5 :] or samples
    result = {
        "phones": phones,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "notes_posted": posted,
        "posts_refused_429": refused,
        "post_errors": failed,
        "reconnects": sum(p.reconnects for p in crowd),
        "ws_errors": sum(p.errors for p in crowd),
        "messages_received": sum(p.messages for p in crowd),
        "rss_mb_start": round(samples[0], 1) if samples else None,
        "rss_mb_end": round(samples[-1], 1) if samples else None,
        "rss_mb_max": round(max(samples), 1) if samples else None,
        "rss_growth_mb_after_warmup": round(warm[-1] - warm[0], 1) if len(warm) > 1 else None,
        "rss_median_mb_after_warmup": round(statistics.median(warm), 1) if warm else None,
        # One sample a minute, to see whether memory levels off or keeps climbing.
        "rss_mb_per_minute": [round(v, 1) for v in samples[::6]],
    }
    if server:
        stop_started = time.monotonic()
        server.stop()
        result["shutdown_s"] = round(time.monotonic() - stop_started, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--url", help="an already running server (memory is then not sampled)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(soak(args.phones, args.minutes, args.url)), ensure_ascii=False))


if __name__ == "__main__":
    main()
