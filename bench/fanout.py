"""Fan-out: how long a note takes from one phone to every phone on the board, against a bare server.

From a fresh clone: `scripts/bootstrap.sh bench` (a .venv with the bench extra: the test tools and
py-spy; the .venv of ./start.sh is enough without --profile), then

    .venv/bin/python bench/fanout.py                          # 1,000 phones, 1 board, 5 notes/s, 60 s
    .venv/bin/python bench/fanout.py --seconds 20             # a quick check
    .venv/bin/python bench/fanout.py --clients 2000 --boards 10 --urls http://127.0.0.1:8001 http://127.0.0.1:8002

Run by hand, not by the tests. Without --url/--urls it starts yoriai itself (SQLite, one worker, a
temporary data directory, through the same CLI as tests/live_server.py). With --url or --urls it uses
servers already running (for example two workers sharing Redis), signs in with --email/--password
(create that user first with `yoriai create-user`) and spreads the phones over the URLs.

What a phone does, the harness does: it joins through the join page (so it holds a participant
cookie), opens /ws/boards/{id}?view=phone with the page's Origin, and posts notes as the phone's
outbox does (POST /b/{id}/notes with a client_id, Accept: application/json). Each note's text
carries a marker with its number and the monotonic clock at sending; every client notes when it
sees the marker in a fragment. The clients run in --procs processes so that the harness is not
the bottleneck; CLOCK_MONOTONIC is shared by every process of the machine.

Two phases, reported apart. Connect: every client opens its socket and waits for its first
message (yoriai's catch-up; the server accepts a socket before it reads it), and the harness
reports how long until the last one is caught up, with the server's CPU and peak memory
meanwhile. Only then are notes posted and measured, so the steady figures never include a
catch-up still running, whatever the machine's speed.

The same clients then measure a minimal broadcast server written directly with `websockets`
(bench/fanout.py --serve-baseline PORT, in its own process): a poster sends each note over a
websocket and the server broadcasts it to the board's clients, with a payload cut from a real
yoriai fragment of the same size. That is the floor of what this machine and harness can do; the figures are printed as ratios
against it (the same clients, rate and machine load).

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import multiprocessing as mp
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, broadcast, serve

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_server import ROOT, LiveServer, cli, free_port

MARK = re.compile(rb"FO(\d+)t(\d+)e")  # note number and the sender's monotonic clock in microseconds
EMAIL, PASSWORD = "bench@example.jp", "bench-password"
HELLO = '<div id="board-seq" hx-swap-oob="true" data-seq="0"></div>'  # the baseline's first message


def now_us() -> int:
    return time.monotonic_ns() // 1000


def raise_open_files() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


Pids = tuple[int, ...]  # the server's processes (its workers), empty when unknown


def rss_mb(pid: int | Pids) -> float:
    """Resident memory of a process, or the sum over several."""
    if isinstance(pid, tuple):
        return sum(rss_mb(p) for p in pid)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int | Pids, kernel_only: bool = False) -> float:
    """User and kernel CPU of a process (or its kernel CPU only: sends and receives), or the
    sum over several."""
    if isinstance(pid, tuple):
        return sum(cpu_seconds(p, kernel_only) for p in pid)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[12]) if kernel_only else int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# --- the clients (one or more processes) ----------------------------------------------------------


Spec = tuple[str, dict[str, str], int, str]  # websocket URL, headers, board number, source address

#: Phones per source address: a hall's router puts a few dozen phones behind one address, and
#: yoriai limits joins, notes and sockets per address. The harness spreads its phones over
#: loopback addresses (127.0.0.2, 127.0.0.3, …: all of 127/8 is this machine) as real phones
#: would be spread over routers, so that those limits meet what they meet in a real city.
PHONES_PER_ADDRESS = 40


def source_address(phone: int) -> str:
    n = phone // PHONES_PER_ADDRESS
    return f"127.0.{1 + n // 250}.{2 + n % 250}"


class RawSocket(asyncio.Protocol):
    """A lean websocket client: the handshake, then the server's (unmasked) frames parsed as they
    arrive, with no task per message. 1,000 `websockets` clients cost about 80 µs of CPU per
    message received (this one about 40, most of it the kernel's receive and zlib), and on two
    cores the harness competes with the server for every cycle."""

    def __init__(self, url: str, headers: dict[str, str], deflate: bool, take: Any) -> None:
        parts = urlsplit(url)
        lines = [
            f"GET {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
            "Sec-WebSocket-Version: 13",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        if deflate:  # what browsers ask for
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.take = take
        self.buffer = bytearray()
        self.handshaken = False
        self.inflate = zlib.decompressobj(-15)
        self.parts: list[bytes] = []
        self.compressed = False
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        #: When the first message arrived (µs, monotonic): yoriai's catch-up, the baseline's hello.
        self.first: asyncio.Future[int] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        if not self.first.done():
            self.first.set_exception(ConnectionError("closed before its first message"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.handshaken:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            del self.buffer[: end + 4]
            if not head.startswith("HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(head.split("\r\n", 1)[0]))
                self.transport.close()
                return
            self.handshaken = True
            self.opened.set_result(None)
        self.frames()

    def frames(self) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            length, at = buf[1] & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    return
                length, at = int.from_bytes(buf[2:4], "big"), 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length, at = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < at + length:
                return
            first, payload = buf[0], bytes(buf[at : at + length])
            del buf[: at + length]
            opcode = first & 0x0F
            if opcode in (0, 1, 2):
                if opcode:
                    self.compressed, self.parts = bool(first & 0x40), []
                self.parts.append(payload)
                if first & 0x80:
                    message = b"".join(self.parts)
                    if self.compressed:
                        message = self.inflate.decompress(message + b"\x00\x00\xff\xff")
                    if not self.first.done():
                        self.first.set_result(now_us())
                    self.take(message)
            elif opcode == 9:
                self.control(0xA, payload)  # ping: pong
            elif opcode == 8:
                self.control(0x8, payload[:2])
                self.transport.close()

    def control(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)


class Listener:
    """Every client of one process: connect, wait for the first message (the catch-up), then
    count and time each marked note it receives."""

    def __init__(self) -> None:
        self.received: Counter[int] = Counter()
        self.doubled = 0  # a note a socket received more than once
        self.latencies_ms: list[float] = []
        self.connected: Counter[int] = Counter()  # per board: caught up and still open
        self.errors: list[str] = []
        self.dropped = 0
        self.sample: str | None = None
        self.started_us = now_us()
        self.caught_up_us: list[int] = []  # when each socket got its first message
        self.to_catch_up_ms: list[float] = []  # from starting to connect to that first message

    def take(self, message: bytes, seen: set[int]) -> None:
        arrived = now_us()
        for found in MARK.finditer(message):
            n = int(found.group(1))
            if n in seen:
                self.doubled += 1
                continue
            seen.add(n)
            self.received[n] += 1
            self.latencies_ms.append((arrived - int(found.group(2))) / 1000)
            if self.sample is None:
                self.sample = message.decode()

    async def listen(self, spec: Spec, deflate: bool, gate: asyncio.Semaphore) -> None:
        url, headers, board, address = spec
        parts = urlsplit(url)
        loop = asyncio.get_running_loop()
        seen: set[int] = set()
        try:
            async with gate:
                began = now_us()
                _, socket = await loop.create_connection(
                    lambda: RawSocket(url, headers, deflate, lambda m: self.take(m, seen)),
                    parts.hostname,
                    parts.port,
                    local_addr=(address, 0),
                )
                await asyncio.wait_for(socket.opened, 120)
            # Measured only once every socket holds what a phone shows: its catch-up has arrived
            # (the server accepts a socket before it reads the catch-up, so "open" is not "ready").
            first = await asyncio.wait_for(socket.first, 300)
        except (OSError, TimeoutError) as exc:
            self.errors.append(repr(exc))
            return
        self.caught_up_us.append(first)
        self.to_catch_up_ms.append((first - began) / 1000)
        self.connected[board] += 1
        try:
            await socket.closed
            self.dropped += 1
            self.connected[board] -= 1  # connected counts the sockets still open
        finally:
            socket.transport.close()


def client_process(specs: list[Spec], deflate: bool, pipe: Any) -> None:
    raise_open_files()
    asyncio.run(_client_main(specs, deflate, pipe))


async def _client_main(specs: list[Spec], deflate: bool, pipe: Any) -> None:
    listener = Listener()
    gate = asyncio.Semaphore(50)  # connect in waves: a phone crowd arrives over seconds, not at once
    tasks = [asyncio.create_task(listener.listen(spec, deflate, gate)) for spec in specs]
    while len(listener.caught_up_us) + len(listener.errors) < len(specs):
        await asyncio.sleep(0.02)
    pipe.send(
        {
            "connected": dict(listener.connected),
            "errors": listener.errors,
            "started_us": listener.started_us,
            "caught_up_us": max(listener.caught_up_us, default=listener.started_us),
            "to_catch_up_ms": listener.to_catch_up_ms,
        }
    )
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, pipe.recv)  # "measure" (no marked note was sent before it)
    dropped_before = listener.dropped
    pipe.send((dict(listener.connected), dropped_before))  # who should receive every note
    cpu_start = time.process_time()
    while await loop.run_in_executor(None, pipe.recv) == "count":
        pipe.send(listener.received.total())
    pipe.send(  # on "stop"
        {
            "received": dict(listener.received),
            "doubled": listener.doubled,
            "latencies_ms": listener.latencies_ms,
            "dropped": listener.dropped - dropped_before,
            "sample": listener.sample,
            "cpu_s": time.process_time() - cpu_start,
        }
    )
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class Crowd:
    """The client processes, started with their share of connections."""

    def __init__(self, specs: list[Spec], procs: int, deflate: bool) -> None:
        ctx = mp.get_context("spawn")
        self.pipes = []
        self.processes = []
        for i in range(procs):
            mine, theirs = ctx.Pipe()
            process = ctx.Process(target=client_process, args=(specs[i::procs], deflate, theirs), daemon=True)
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)

    def tell(self, message: str) -> None:
        for pipe in self.pipes:
            pipe.send(message)

    async def ask(self, message: str | None = None) -> list[Any]:
        loop = asyncio.get_running_loop()
        if message:
            self.tell(message)
        return list(await asyncio.gather(*(loop.run_in_executor(None, p.recv) for p in self.pipes)))

    async def drain(self, expected: int, timeout: float) -> None:
        """Wait until every connected client has every acknowledged note, or the timeout."""
        until = time.monotonic() + timeout
        while time.monotonic() < until and sum(await self.ask("count")) < expected:
            await asyncio.sleep(0.5)

    async def measure(self) -> tuple[Counter[int], int]:
        """Start measuring: the sockets open now per board, and how many closed since connecting."""
        answers = await self.ask("measure")
        live: Counter[int] = Counter()
        for a in answers:
            live.update(a[0])
        return live, sum(a[1] for a in answers)

    async def ready(self) -> dict[str, Any]:
        """Wait until every client has its catch-up (or failed): the connect phase's figures."""
        answers = await self.ask()
        connected: Counter[int] = Counter()
        for a in answers:
            connected.update(a["connected"])
        waits = sorted(w for a in answers for w in a["to_catch_up_ms"])
        started = min(a["started_us"] for a in answers)
        return {
            "connected": connected,
            "errors": [e for a in answers for e in a["errors"]],
            # From the first connection attempt to the last socket's catch-up.
            "seconds": (max(a["caught_up_us"] for a in answers) - started) / 1e6,
            "catch_up_p50_ms": round(statistics.median(waits), 1) if waits else 0.0,
            "catch_up_p95_ms": round(statistics.quantiles(waits, n=20)[18], 1) if len(waits) > 1 else 0.0,
        }

    def stop(self) -> None:
        for process in self.processes:
            process.join(timeout=20)
            if process.is_alive():
                process.kill()


# --- posting ----------------------------------------------------------------------------------------


async def pace(rate: float, seconds: float, post: Any) -> list[Any]:
    """Call post(n) at a steady rate, each in its own task, as many phones do."""
    tasks = []
    start = time.monotonic()
    total = int(rate * seconds)
    for n in range(total):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post(n)))
    return list(await asyncio.gather(*tasks))


def summarise(
    results: list[dict[str, Any]], acked: dict[int, int], expected_per_board: Counter[int]
) -> dict[str, Any]:
    """Latency over every (client, note) delivery; a note is lost if a connected client missed it."""
    received: Counter[int] = Counter()
    latencies: list[float] = []
    for r in results:
        received.update({int(k): v for k, v in r["received"].items()})
        latencies.extend(r["latencies_ms"])
    lost = sum(1 for n, board in acked.items() if received[n] < expected_per_board[board])
    missing = sum(max(0, expected_per_board[board] - received[n]) for n, board in acked.items())
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "deliveries": len(latencies),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        "lost": lost,
        "missing_deliveries": missing,
        "doubled": sum(r["doubled"] for r in results),
        "dropped_connections": sum(r["dropped"] for r in results),
        "harness_cpu_s": round(sum(r["cpu_s"] for r in results), 1),
    }


# --- yoriai --------------------------------------------------------------------------------------------


def csrf_from(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page) or re.search(
        r'"x-csrftoken": "([^"]+)"', page
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


async def open_boards(url: str, boards: int, email: str, password: str) -> list[tuple[int, str]]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as staff:
        token = csrf_from((await staff.get("/signin")).text)
        signed = await staff.post(
            "/signin", data={"email": email, "password": password}, headers={"x-csrftoken": token}
        )
        assert signed.status_code in (302, 303), (
            f"sign-in failed ({signed.status_code}): create the user first"
        )
        token = csrf_from((await staff.get("/f/sessions/new")).text)  # signing in renews the token
        opened = []
        for b in range(boards):
            created = await staff.post(
                "/f/sessions",
                data={"kind": "roundtable", "district_id": "tsurukawa", "title": f"ファンアウト {b + 1}"},
                headers={"x-csrftoken": token},
            )
            meeting = int(created.headers["location"].rsplit("/", 1)[1])
            await staff.post(f"/f/sessions/{meeting}/open", headers={"x-csrftoken": token})
            page = (await staff.get(f"/f/sessions/{meeting}")).text
            code = "".join(re.search(r'参加コード <strong class="mono">(\d{3}) (\d{3})', page).groups())  # type: ignore[union-attr]
            opened.append((meeting, code))
        return opened


class Phone:
    """A participant's browser: its cookies and the CSRF token of its page."""

    def __init__(
        self, url: str, meeting: int, code: str, transport: httpx.AsyncHTTPTransport, address: str
    ) -> None:
        self.url, self.meeting, self.code, self.address = url, meeting, code, address
        # Own cookies, shared connections: a client per phone with its own transport costs
        # about 1 MB and an SSL context each, which made the harness slow to start.
        self.http = httpx.AsyncClient(base_url=url, timeout=60, transport=transport, trust_env=False)
        self.token = ""

    async def join(self) -> int:
        """Join as a phone does; returns how many tries failed with a server error first."""
        self.token = csrf_from((await self.http.get(f"/join/{self.code}")).text)
        for failures in range(5):
            joined = await self.http.post(
                f"/join/{self.code}", data={"skip": "1"}, headers={"x-csrftoken": self.token}
            )
            if joined.status_code == 303:
                return failures
            # SQLite's "database is locked" when joins cross (see docs/benchmarks.md): counted, tried again.
            assert joined.status_code >= 500, f"join refused ({joined.status_code})"
            await asyncio.sleep(0.2)
        raise AssertionError("join kept failing")

    def ws_spec(self, board: int) -> Spec:
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        ws_url = self.url.replace("http", "ws", 1) + f"/ws/boards/{self.meeting}?view=phone&after=0"
        return ws_url, {"Cookie": cookie, "Origin": self.url}, board, self.address

    async def post(self, text: str, client_id: str) -> int:
        answer = await self.http.post(
            f"/b/{self.meeting}/notes",
            data={"kind": "idea", "text": text, "client_id": client_id},
            headers={"x-csrftoken": self.token, "Accept": "application/json"},
        )
        return answer.status_code


class SocketPoster:
    """A phone that posts over its board socket, as static/phone.js does while that socket is open:
    ``{"note": {...}}`` on the socket, answered ``{"ack": client_id, ...}`` on it. Its socket gets
    the board's fan-out like any phone's (read and dropped here, not measured: the crowd measures).
    With its socket closed it posts over HTTP, as the phone's outbox then does."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def open(self) -> None:
        url, headers, _, address = self.phone.ws_spec(0)
        self.ws = await connect(
            url,
            additional_headers=headers,
            compression=None,
            max_size=None,
            open_timeout=120,
            local_addr=(address, 0),
        )
        await self.ws.recv()  # the catch-up: measured like the crowd's, only once it is in
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                if isinstance(message, str) and message.startswith("{"):
                    answer = json.loads(message)
                    waiting = self.waiting.pop(answer.get("ack", ""), None)
                    if waiting is not None and not waiting.done():
                        waiting.set_result(answer)
        except Exception:  # closed: what waits is told below, and the phone falls back on HTTP
            pass
        finally:
            for waiting in self.waiting.values():
                if not waiting.done():
                    waiting.set_exception(ConnectionError("socket closed"))

    async def post(self, text: str, client_id: str) -> int:
        """The HTTP status the same answer would have had (0: none)."""
        if self.reader is None or self.reader.done():
            return await self.phone.post(text, client_id)
        answer_future = self.waiting[client_id] = asyncio.get_running_loop().create_future()
        try:
            await self.ws.send(json.dumps({"note": {"kind": "idea", "text": text, "client_id": client_id}}))
            answer = await asyncio.wait_for(answer_future, 60)
        except Exception:
            self.waiting.pop(client_id, None)
            return 0
        if "note_id" in answer:
            return 200
        return 429 if answer.get("busy") else 500 if answer.get("retry") else 400

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader


async def join_all(urls: list[str], boards: list[tuple[int, str]], clients: int) -> tuple[list[Phone], int]:
    """Every phone joins; returns them and how many join requests failed with a server error."""
    transports: dict[str, httpx.AsyncHTTPTransport] = {}
    phones = []
    for i in range(clients):
        address = source_address(i)
        if address not in transports:  # phones behind one router share its connections
            transports[address] = httpx.AsyncHTTPTransport(
                limits=httpx.Limits(max_connections=8), local_address=address
            )
        phones.append(Phone(urls[i % len(urls)], *boards[i % len(boards)], transports[address], address))
    gate = asyncio.Semaphore(8)

    async def join(phone: Phone) -> int:
        async with gate:
            return await phone.join()

    return phones, sum(await asyncio.gather(*(join(p) for p in phones)))


def note_text(n: int) -> str:
    # About the length of a real note; the marker is what the clients look for.
    return f"駅前の広場にベンチと日陰がほしい FO{n}t{now_us()}e"


async def connect_crowd(
    specs: list[Spec], args: argparse.Namespace, pid: int | Pids, profile: str | None = None
) -> tuple[Crowd, dict[str, Any]]:
    """The connect phase: every socket opens and gets its catch-up. Returns the crowd, ready to
    measure, and how long that took, with the server's CPU and its peak memory meanwhile."""
    cpu_start = cpu_seconds(pid) if pid else 0.0
    peak = rss_mb(pid) if pid else 0.0
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set() and pid:
            peak = max(peak, rss_mb(pid))
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    profiler = start_profiler(profile, pid, 3600)
    crowd = Crowd(specs, args.procs, args.deflate)
    phase = await crowd.ready()
    done.set()
    await sampler
    if profiler and profile:
        profiler.send_signal(signal.SIGINT)  # py-spy writes what it has
        profiler.wait(timeout=60)
        print_hot_spots(profile)
    return crowd, {
        "connect_s": round(phase["seconds"], 2),
        "connect_catch_up_p50_ms": phase["catch_up_p50_ms"],
        "connect_catch_up_p95_ms": phase["catch_up_p95_ms"],
        "connect_server_cpu_s": round(cpu_seconds(pid) - cpu_start, 2) if pid else None,
        "connect_peak_rss_mb": round(max(peak, rss_mb(pid)), 1) if pid else None,
        "connect_errors": len(phase["errors"]),
        "connect_error_kinds": sorted(set(phase["errors"]))[:3],
    }


async def run_yoriai(args: argparse.Namespace, urls: list[str], pid: Pids) -> dict[str, Any]:
    boards = await open_boards(urls[0], args.boards, args.email, args.password)
    join_start = time.monotonic()
    phones, join_errors = await join_all(urls, boards, args.clients)
    join_s = time.monotonic() - join_start
    rss_idle = rss_mb(pid) if pid else 0.0
    # Posters per board, spread over the board's phones, so over its source addresses (yoriai
    # limits notes per address and board, as a hall's routers spread them), so that none posts
    # more than 8 notes in 30 s (yoriai refuses a phone's 11th): over HTTP 100, or more at high
    # rates; over their sockets 20 (each holds a socket of its own here, in place of its crowd one).
    over_socket = args.post_over == "socket"
    wanted = max(20 if over_socket else 100, math.ceil(args.rate / len(boards) * 30 / 8))
    posting_phones = []
    for m, _ in boards:
        mine = [p for p in phones if p.meeting == m]
        posting_phones.append(mine[:: max(1, len(mine) // wanted)][:wanted])
    posting = {id(p) for board in posting_phones for p in board} if over_socket else set()
    specs = [p.ws_spec(i % args.boards) for i, p in enumerate(phones) if id(p) not in posting]
    crowd, connect_phase = await connect_crowd(specs, args, pid, args.profile_connect)
    socket_posters = [SocketPoster(p) for board in posting_phones for p in board] if over_socket else []
    for socket_poster in socket_posters:
        await socket_poster.open()
    by_phone = {id(sp.phone): sp for sp in socket_posters}
    posters: list[list[Phone | SocketPoster]] = [
        [by_phone.get(id(p), p) for p in board] for board in posting_phones
    ]
    rss_connected = rss_mb(pid) if pid else 0.0
    per_board, closed_early = await crowd.measure()
    connected = sum(per_board.values())
    cpu_start = cpu_seconds(pid) if pid else 0.0
    sys_start = cpu_seconds(pid, kernel_only=True) if pid else 0.0
    profiler = start_profiler(args.profile, pid, args.seconds)
    acked: dict[int, int] = {}
    post_ms: list[float] = []

    retries = 0

    async def post(n: int) -> None:
        nonlocal retries
        board = n % len(boards)
        phone = posters[board][(n // len(boards)) % len(posters[board])]
        started = time.monotonic()
        text = note_text(n)  # the clock in the marker is the first try's: retries count in the latency
        for attempt in range(5):
            try:
                status = await phone.post(text, f"fanout-{n:08d}")
            except httpx.HTTPError:
                status = 0
            if status == 200:
                acked[n] = board
                break
            if 0 < status < 500:
                break  # refused: the phone would show why, and not try again
            # No answer or a server error: the outbox keeps the note and tries again 4 s later.
            retries += 1
            if attempt < 4:
                await asyncio.sleep(4)
        post_ms.append((time.monotonic() - started) * 1000)

    await pace(args.rate, args.seconds, post)
    await crowd.drain(sum(per_board[b] for b in acked.values()), args.drain)
    if profiler:
        profiler.wait(timeout=60)
        print_hot_spots(args.profile)
    server_cpu = (cpu_seconds(pid) - cpu_start) if pid else 0.0
    server_sys = (cpu_seconds(pid, kernel_only=True) - sys_start) if pid else 0.0
    rss_end = rss_mb(pid) if pid else 0.0
    for socket_poster in socket_posters:
        await socket_poster.close()
    results = await crowd.ask("stop")
    crowd.stop()
    for address in sorted({p.address for p in phones}):  # and the transports they share
        await next(p for p in phones if p.address == address).http.aclose()
    sample = next((r["sample"] for r in results if r["sample"]), "")
    return {
        "connected": connected,
        **connect_phase,
        "closed_before_measuring": closed_early,
        "join_s": round(join_s, 1),
        "join_server_errors": join_errors,
        "post_over": args.post_over,
        "notes": int(args.rate * args.seconds),
        "acked": len(acked),
        "post_retries": retries,
        "post_p95_ms": round(statistics.quantiles(post_ms, n=20)[18], 1) if len(post_ms) > 1 else 0.0,
        **summarise(results, acked, per_board),
        "server_cpu_s": round(server_cpu, 1),
        "server_kernel_cpu_s": round(server_sys, 1),
        "server_rss_mb": round(max(rss_connected, rss_end), 1),
        "server_rss_mb_each": [round(rss_mb(p), 1) for p in pid],
        "rss_mb_per_1000_clients": round(
            (max(rss_connected, rss_end) - rss_idle) * 1000 / max(connected, 1), 1
        )
        if pid
        else None,
        "sample": sample,
    }


def start_profiler(path: str | None, pid: int | Pids, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy (pip install py-spy) on the server while the notes are posted (its first
    process, with several)."""
    if not path or not pid:
        return None
    pid = pid[0] if isinstance(pid, tuple) else pid
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install -e '.[bench]'")
    command = [str(spy), "record", "-p", str(pid), "-d", str(int(seconds)), "-f", "raw", "-o", path]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_hot_spots(path: str, top: int = 25) -> None:
    """Where the event loop's samples fall, inclusive and own (leaf) share per function
    (file:function). Samples of other threads (aiosqlite's workers, mostly waiting for work)
    are counted apart: py-spy samples them too."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = loop = 0
    for line in Path(path).read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        total += int(count)
        frames = [re.sub(r" \((?:.*/)?([^/:]+)(?::\d+)?\)$", r" \1", f) for f in stack.split(";")]
        runner = next((i for i, f in enumerate(frames) if f.startswith("Runner.run ")), None)
        if runner is None:
            continue  # not the event loop's thread
        frames = frames[runner:]  # from the loop down (above it: the same start-up frames)
        loop += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
        own[frames[-1]] += int(count)
    print(f"profile: {total} samples in {path}, {loop} of them the event loop's")
    print("  inclusive share of the event loop:")
    for name, count in inclusive.most_common(top):
        print(f"  {100 * count / max(loop, 1):5.1f}%  {name}")
    print("  own share (the function itself, or C code it called):")
    for name, count in own.most_common(top // 2):
        print(f"  {100 * count / max(loop, 1):5.1f}%  {name}")


# --- the baseline: a bare websockets broadcast server ---------------------------------------------------


def serve_baseline(port: int) -> None:
    raise_open_files()
    asyncio.run(_serve_baseline(port))


async def _serve_baseline(port: int) -> None:
    boards: dict[str, set[ServerConnection]] = {}

    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        path = ws.request.path
        if path == "/post":
            async for message in ws:  # "board\npayload": broadcast to the board's clients
                board, payload = str(message).split("\n", 1)
                broadcast(boards.get(board, set()), payload)
                await ws.send("ok")
            return
        members = boards.setdefault(path, set())
        members.add(ws)
        await ws.send(HELLO)  # what yoriai's catch-up is to its clients: the harness waits for it
        try:
            await ws.wait_closed()
        finally:
            members.discard(ws)

    # Like `yoriai serve`, it declines permessage-deflate even when the clients offer it: the
    # baseline must do the same work per message as the server it is compared with.
    async with serve(handler, "127.0.0.1", port, max_size=None, ping_interval=20, compression=None):
        await asyncio.Future()


async def run_baseline(args: argparse.Namespace, sample: str) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve-baseline", str(port)], cwd=ROOT)
    try:
        url = f"ws://127.0.0.1:{port}"
        for _ in range(100):
            try:
                async with connect(url + "/post"):
                    break
            except OSError:
                await asyncio.sleep(0.1)
        assert server.poll() is None, "the baseline server did not start"
        specs = [
            (f"{url}/b{i % args.boards}", {"Origin": "http://127.0.0.1"}, i % args.boards, source_address(i))
            for i in range(args.clients)
        ]
        rss_idle = rss_mb(server.pid)
        crowd, connect_phase = await connect_crowd(specs, args, server.pid)
        rss_connected = rss_mb(server.pid)
        per_board, closed_early = await crowd.measure()
        connected = sum(per_board.values())
        cpu_start = cpu_seconds(server.pid)
        sys_start = cpu_seconds(server.pid, kernel_only=True)
        profiler = start_profiler(args.profile_baseline, server.pid, args.seconds)
        # A payload as large as yoriai's fragment, cut from one, with the marker in the same place.
        found = re.search(r"FO\d+t\d+e", sample)
        before, after = (sample[: found.start()], sample[found.end() :]) if found else ("<div>", "</div>")
        acked: dict[int, int] = {}
        async with connect(url + "/post", max_size=None) as poster:
            lock = asyncio.Lock()

            async def post(n: int) -> None:
                board = n % args.boards
                async with lock:  # one socket: one request at a time, like HTTP/1.1 keep-alive
                    await poster.send(f"/b{board}\n{before}FO{n}t{now_us()}e{after}")
                    await poster.recv()
                acked[n] = board

            await pace(args.rate, args.seconds, post)
        await crowd.drain(sum(per_board[b] for b in acked.values()), args.drain)
        if profiler:
            profiler.wait(timeout=60)
            print_hot_spots(args.profile_baseline)
        server_cpu = cpu_seconds(server.pid) - cpu_start
        server_sys = cpu_seconds(server.pid, kernel_only=True) - sys_start
        results = await crowd.ask("stop")
        crowd.stop()
        return {
            "connected": connected,
            **connect_phase,
            "closed_before_measuring": closed_early,
            "acked": len(acked),
            **summarise(results, acked, per_board),
            "server_cpu_s": round(server_cpu, 1),
            "server_kernel_cpu_s": round(server_sys, 1),
            "rss_mb_per_1000_clients": round((rss_connected - rss_idle) * 1000 / max(connected, 1), 1),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- main --------------------------------------------------------------------------------------------


class LoggedServer(LiveServer):
    """tests/live_server.py's server, with its log kept: errors under load are findings."""

    def start(self) -> None:
        log = open(Path(self.env["YORIAI_DATA_DIR"]) / "server.log", "wb")  # noqa: SIM115
        port = self.url.rsplit(":", 1)[1]
        command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", port]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        for _ in range(200):
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the yoriai server did not start")


def start_yoriai() -> LiveServer:
    port = free_port()
    data = tempfile.mkdtemp(prefix="yoriai-fanout-")
    env = {**os.environ, "YORIAI_DATA_DIR": data, "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env.pop("YORIAI_DATABASE_URL", None)
    env.pop("YORIAI_CHANNELS_URL", None)
    cli(env, "migrate")
    cli(env, "create-user", "--email", EMAIL, "--password", PASSWORD)
    server = LoggedServer(f"http://127.0.0.1:{port}", env)
    server.start()
    return server


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--boards", type=int, default=1)
    parser.add_argument("--rate", type=float, default=5, help="notes per second, over all boards")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--url", help="a yoriai server already running")
    parser.add_argument("--urls", nargs="+", help="several workers of one yoriai (phones spread over them)")
    parser.add_argument(
        "--pid",
        type=int,
        nargs="+",
        help="with --url: the server's processes (its workers) whose CPU and memory to read",
    )
    parser.add_argument("--email", default=EMAIL)
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument(
        "--drain", type=float, default=30, help="at most this many seconds to wait for the last notes"
    )
    parser.add_argument(
        "--compression",
        choices=["deflate", "none"],
        default="deflate",
        help="offer permessage-deflate as browsers do (default; yoriai and the baseline decline it) or not",
    )
    parser.add_argument(
        "--post-over",
        choices=["socket", "http"],
        default="socket",
        help="phones post over their board socket, as static/phone.js does while it is open (default),"
        " or over HTTP, its outbox's fallback",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--profile", metavar="FILE", help="record the server with py-spy into FILE (raw format)"
    )
    parser.add_argument("--profile-baseline", metavar="FILE", help="the same for the baseline server")
    parser.add_argument(
        "--profile-connect", metavar="FILE", help="record yoriai with py-spy while the phones connect"
    )
    parser.add_argument("--serve-baseline", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.deflate = args.compression == "deflate"
    return args


def ratio(ours: float | None, base: float | None) -> float | None:
    return round(ours / base, 2) if ours is not None and base else None


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server = None
    urls = args.urls or ([args.url] if args.url else None)
    pid: Pids = tuple(args.pid or ())
    load_before = load_average()
    if urls is None:
        server = start_yoriai()
        urls = [server.url]
        pid = (server.process.pid,) if server.process else ()
        log = Path(server.env["YORIAI_DATA_DIR"]) / "server.log"
        print(f"yoriai at {server.url}, pid {pid} (py-spy record -p PID), log {log}", flush=True)
    try:
        ours = await run_yoriai(args, [u.rstrip("/") for u in urls], pid)
    finally:
        if server:
            server.stop()
    sample = ours.pop("sample")
    print("yoriai:", json.dumps(ours), flush=True)
    base = None if args.no_baseline else await run_baseline(args, sample)
    if base:
        print("baseline:", json.dumps(base), flush=True)
    b = base or {}
    per_note = ours["server_cpu_s"] * 1000 / max(ours["acked"], 1) if pid else None
    base_per_note = b["server_cpu_s"] * 1000 / max(b.get("acked", 0), 1) if base else None
    figures = {
        "clients": args.clients,
        "boards": args.boards,
        "rate": args.rate,
        "seconds": args.seconds,
        "notes": ours["notes"],
        "acked": ours["acked"],
        "p50_ms": ours["p50_ms"],
        "p95_ms": ours["p95_ms"],
        "p99_ms": ours["p99_ms"],
        "max_ms": ours["max_ms"],
        # A note never acknowledged reached nobody: it counts as lost too.
        "lost": ours["lost"] + (ours["notes"] - ours["acked"]),
        "doubled": ours["doubled"],
        "dropped_connections": ours["dropped_connections"],
        "connect_errors": ours["connect_errors"],
        "closed_before_measuring": ours["closed_before_measuring"],
        "join_s": ours["join_s"],
        "join_server_errors": ours["join_server_errors"],
        "post_p95_ms": ours["post_p95_ms"],
        "post_retries": ours["post_retries"],
        # The connect phase: every socket opened and caught up, before any note is measured.
        "connect_s": ours["connect_s"],
        "connect_catch_up_p95_ms": ours["connect_catch_up_p95_ms"],
        "connect_server_cpu_s": ours["connect_server_cpu_s"],
        "connect_peak_rss_mb": ours["connect_peak_rss_mb"],
        "baseline_p50_ms": b.get("p50_ms"),
        "baseline_p95_ms": b.get("p95_ms"),
        "baseline_p99_ms": b.get("p99_ms"),
        "baseline_lost": b.get("lost"),
        "baseline_connect_s": b.get("connect_s"),
        # Against the bare baseline of this same run, on this same machine and load.
        "ratio_p50": ratio(ours["p50_ms"], b.get("p50_ms")),
        "ratio_p95": ratio(ours["p95_ms"], b.get("p95_ms")),
        "ratio_p99": ratio(ours["p99_ms"], b.get("p99_ms")),
        "ratio_cpu_per_note": ratio(per_note, base_per_note),
        "ratio_rss_per_1000": ratio(ours["rss_mb_per_1000_clients"], b.get("rss_mb_per_1000_clients")),
        "ratio_connect_s": ratio(ours["connect_s"], b.get("connect_s")),
        "server_cpu_ms_per_note": round(per_note, 1) if per_note is not None else None,
        "baseline_cpu_ms_per_note": round(base_per_note, 1) if base_per_note is not None else None,
        "rss_mb_per_1000_clients": ours["rss_mb_per_1000_clients"],
        "baseline_rss_mb_per_1000_clients": b.get("rss_mb_per_1000_clients"),
        "server_rss_mb": ours["server_rss_mb"] if pid else None,
        "server_rss_mb_each": ours["server_rss_mb_each"] if pid else None,
        "server_cpu_s": ours["server_cpu_s"] if pid else None,
        "harness_cpu_s": ours["harness_cpu_s"],
        "fragment_bytes": len(sample.encode()),
        "compression": args.compression,
        "servers": [urlsplit(u).netloc for u in urls] if server is None else "own (SQLite, 1 worker)",
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
    print_summary(figures)
    return figures


def print_summary(f: dict[str, Any]) -> None:
    def x(key: str) -> str:
        return f"  ({f[key]}× the baseline)" if f.get(key) is not None else ""

    print(
        f"\n{f['clients']} phones on {f['boards']} board(s), {f['rate']} notes/s for {f['seconds']} s"
        f" (load {f['load_average_before'][0]} → {f['load_average_after'][0]})\n"
        f"  note → every phone: p50 {f['p50_ms']} ms{x('ratio_p50')}, p95 {f['p95_ms']} ms{x('ratio_p95')},"
        f" p99 {f['p99_ms']} ms{x('ratio_p99')}\n"
        f"  lost {f['lost']}, doubled {f['doubled']}, dropped {f['dropped_connections']},"
        f" connect errors {f['connect_errors']}\n"
        f"  connect phase: all caught up in {f['connect_s']} s{x('ratio_connect_s')},"
        f" server CPU {f['connect_server_cpu_s']} s, peak RSS {f['connect_peak_rss_mb']} MB\n"
        f"  server CPU per note {f['server_cpu_ms_per_note']} ms{x('ratio_cpu_per_note')},"
        f" RSS per 1,000 sockets {f['rss_mb_per_1000_clients']} MB{x('ratio_rss_per_1000')}\n",
        flush=True,
    )


def main() -> None:
    args = parse()
    if args.serve_baseline:
        serve_baseline(args.serve_baseline)
        return
    raise_open_files()
    print(json.dumps(asyncio.run(run(args)), ensure_ascii=False))


if __name__ == "__main__":
    main()
