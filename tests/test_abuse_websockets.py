"""Websockets under abuse (security review, finding 4): a catch-up storm does not starve HTTP.
Through a real ``yoriai serve`` (uvicorn), as an attacker sees it."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.live_server import LiveServer, cli, free_port

STAFF = ("abuse@example.jp", "abuse-test-password")
PER_PARTICIPANT = 4  # server.boards.budget.SOCKETS_PER_PARTICIPANT
PER_STAFF = 8  # server.boards.budget.SOCKETS_PER_STAFF
REPLACED = 4008  # the oldest socket of a budget, closed for a newer one
WAIT = 10.0  # seconds a message may take on a loaded 2-core machine


def _token(client: httpx.Client) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def _post(client: httpx.Client, path: str, data: dict[str, str], **headers: str) -> httpx.Response:
    return client.post(path, data=data, headers={"x-csrftoken": _token(client), **headers})


@dataclass
class Board:
    server: LiveServer
    meeting_id: str
    code: str
    staff: httpx.Client

    @property
    def ws_url(self) -> str:
        return self.server.url.replace("http://", "ws://") + f"/ws/boards/{self.meeting_id}"

    def join(self) -> httpx.Client:
        """A new phone (its own cookie) that joined this board."""
        phone = httpx.Client(base_url=self.server.url, timeout=WAIT)
        assert _post(phone, f"/join/{self.code}", {"skip": "1"}).status_code == 303
        return phone

    def post_note(self, phone: httpx.Client, text: str) -> None:
        answer = _post(
            phone,
            f"/b/{self.meeting_id}/notes",
            {"kind": "idea", "text": text, "client_id": ""},
            accept="application/json",
        )
        assert answer.status_code == 200, answer.text


def _cookie(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def _open(board: Board, who: httpx.Client, query: str = "after=0") -> ClientConnection:
    """A websocket as the browser of ``who`` opens it; returns once the catch-up arrived."""
    socket = await connect(
        f"{board.ws_url}?{query}", additional_headers={"Cookie": _cookie(who)}, open_timeout=WAIT
    )
    assert "board-seq" in str(await asyncio.wait_for(socket.recv(), WAIT))
    return socket


async def _close_code(socket: ClientConnection, timeout: float = WAIT) -> int | None:
    """The code the server closed this socket with (None: it is still open after ``timeout``)."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                await socket.recv()  # drain what came before the close
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006
    except TimeoutError:
        return None


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    assert match
    return int(match.group(1))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = free_port()
    env = {
        **os.environ,
        "YORIAI_DATA_DIR": str(tmp_path_factory.mktemp("abuse")),
        "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("YORIAI_DATABASE_URL", None)
    env.pop("YORIAI_CHANNELS_URL", None)
    cli(env, "migrate")
    cli(env, "create-user", "--email", STAFF[0], "--password", STAFF[1])
    live = LiveServer(f"http://127.0.0.1:{port}", env)
    live.start()
    yield live
    live.stop()


def _open_board(server: LiveServer, title: str) -> Board:
    staff = httpx.Client(base_url=server.url, timeout=WAIT)
    assert _post(staff, "/signin", {"email": STAFF[0], "password": STAFF[1]}).status_code == 303
    created = _post(staff, "/f/sessions", {"kind": "roundtable", "district_id": "tsurukawa", "title": title})
    meeting_id = created.headers["location"].rsplit("/", 1)[1]
    assert _post(staff, f"/f/sessions/{meeting_id}/open", {}).status_code == 303
    code = re.search(
        r'参加コード <strong class="mono">(\d{3}) (\d{3})', staff.get(f"/f/sessions/{meeting_id}").text
    )
    assert code
    return Board(server, meeting_id, code.group(1) + code.group(2), staff)


@pytest.fixture
def board(server: LiveServer, request: pytest.FixtureRequest) -> Board:
    return _open_board(server, request.node.name[:60])


# --- a reconnect storm does not starve HTTP ------------------------------------------------------


def _crowd(board: Board, participants: int) -> None:
    """``participants`` joins straight into the database: a board with that many events."""
    from server.boards.service import join_meeting
    from server.config import Settings
    from server.db import make_engine, make_sessionmaker
    from server.meetings.models import Meeting

    async def run() -> None:
        data_dir = Path(board.server.env["YORIAI_DATA_DIR"])
        engine = make_engine(Settings(data_dir, f"sqlite+aiosqlite:///{data_dir / 'yoriai.db'}"))
        async with make_sessionmaker(engine)() as db:
            meeting = await db.get(Meeting, int(board.meeting_id))
            assert meeting is not None
            for _ in range(participants):
                await join_meeting(db, meeting)
        await engine.dispose()

    asyncio.run(run())


class HealthProbe:
    """Asks /healthz over and over from a thread, and keeps how long each answer took."""

    def __init__(self, url: str) -> None:
        self.url, self.failures = url, 0
        self.answers: list[tuple[float, float]] = []  # (asked at, seconds it took)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    ok = client.get(f"{self.url}/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.answers.append((started, time.perf_counter() - started))
                self.failures += not ok
                self._stop.wait(0.05)

    def between(self, start: float, end: float) -> list[float]:
        """How long the answers asked in this span took, shortest first."""
        return sorted(took for asked, took in self.answers if start <= asked < end)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def test_healthz_answers_fast_while_hundreds_of_sockets_catch_up(board: Board) -> None:
    """One cookie opens 300 sockets at once with after=0, on a board of 1,500 events: each
    catch-up is one small read, a few at a time, so other requests still get their turn."""
    _crowd(board, 1500)
    attacker = board.join()

    async def storm() -> list[int | None]:
        async def one() -> int | None:
            try:
                socket = await connect(
                    f"{board.ws_url}?after=0",
                    additional_headers={"Cookie": _cookie(attacker)},
                    open_timeout=60,
                )
            except (OSError, TimeoutError, ConnectionClosed):
                return -1
            try:
                await asyncio.wait_for(socket.recv(), 60)
                return 0
            except ConnectionClosed as closed:  # replaced by a newer one before its catch-up
                return closed.rcvd.code if closed.rcvd else 1006
            except TimeoutError:
                return None
            finally:
                await socket.close()

        return await asyncio.gather(*(one() for _ in range(300)))

    with HealthProbe(board.server.url) as probe:
        time.sleep(0.3)
        started = time.perf_counter()
        outcomes = asyncio.run(storm())
        ended = time.perf_counter()
    took = ended - started
    times = probe.between(started, ended)  # only what was asked during the storm
    median, worst = statistics.median(times), times[-1]
    print(
        f"\n300 sockets on 1,500 events took {took:.1f} s; /healthz: {len(times)} answers, "
        f"median {median * 1000:.0f} ms, p90 {times[int(len(times) * 0.9)] * 1000:.0f} ms, "
        f"max {worst * 1000:.0f} ms, failures {probe.failures}; "
        f"sockets: {outcomes.count(0)} caught up, {outcomes.count(REPLACED)} replaced first, "
        f"{sum(o not in (0, REPLACED) for o in outcomes)} other"
    )
    assert probe.failures == 0
    assert median < 0.5, f"/healthz median {median:.2f} s while sockets caught up"
    assert worst < 3.0
    # Every socket was answered: its catch-up, or closed as replaced by a newer one.
    assert all(o in (0, REPLACED) for o in outcomes), outcomes
