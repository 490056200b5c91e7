"""Several workers on PostgreSQL and Redis: a board is one board whichever worker a phone,
the projector or the facilitator reaches (as behind a load balancer)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.engines import Postgres, Redis
from tests.live_server import LiveServer, cli, free_port

STAFF = ("city@example.jp", "city-test-password")


def _token(client: httpx.Client) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def _post(client: httpx.Client, path: str, data: dict[str, str], **headers: str) -> httpx.Response:
    return client.post(path, data=data, headers={"x-csrftoken": _token(client), **headers})


@pytest.fixture(scope="module")
def city_env(
    postgres: Postgres, redis_server: Redis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """What every worker is given: one PostgreSQL database, one Redis, one data folder
    (whose secret.key all of them read, so a cookie from one is good on the others)."""
    redis_server.flush()
    name = postgres.fresh_database()
    env = {**os.environ, "YORIAI_DATA_DIR": str(tmp_path_factory.mktemp("city"))}
    env.pop("YORIAI_SECRET_KEY", None)
    env.update(YORIAI_DATABASE_URL=postgres.url(name), YORIAI_CHANNELS_URL=redis_server.url)
    cli(env, "migrate")  # already at head (the template): upgrading again must be harmless
    cli(env, "create-user", "--email", STAFF[0], "--password", STAFF[1])
    yield env
    postgres.drop(name)


def _start(env: dict[str, str], *args: str) -> LiveServer:
    port = free_port()
    server = LiveServer(
        f"http://127.0.0.1:{port}", {**env, "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}, args=args
    )
    server.start()
    return server


@pytest.fixture(scope="module")
def two_workers(city_env: dict[str, str]) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two `yoriai serve` processes on their own ports, as on two machines."""
    with ThreadPoolExecutor(2) as pool:  # started side by side: each takes seconds to import
        starting = [pool.submit(_start, city_env) for _ in range(2)]
    if failed := [f.exception() for f in starting if f.exception()]:
        for future in starting:
            if not future.exception():
                future.result().stop()
        raise failed[0]  # type: ignore[misc]
    worker_a, worker_b = (future.result() for future in starting)
    yield worker_a, worker_b
    worker_a.stop()
    worker_b.stop()


def _open_meeting(server: LiveServer, title: str) -> tuple[str, str]:
    """As staff on this worker: a new open session. (id, join code)"""
    staff = httpx.Client(base_url=server.url, timeout=10)
    assert _post(staff, "/signin", {"email": STAFF[0], "password": STAFF[1]}).status_code == 303
    created = _post(staff, "/f/sessions", {"kind": "roundtable", "district_id": "tsurukawa", "title": title})
    meeting = created.headers["location"].rsplit("/", 1)[1]
    _post(staff, f"/f/sessions/{meeting}/open", {})
    code = re.search(
        r'参加コード <strong class="mono">(\d{3}) (\d{3})', staff.get(f"/f/sessions/{meeting}").text
    )
    assert code
    return meeting, code.group(1) + code.group(2)


def _socket(server: LiveServer, meeting: str, phone: httpx.Client, after: int) -> ClientConnection:
    cookie = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
    url = server.url.replace("http://", "ws://") + f"/ws/boards/{meeting}?after={after}"
    return connect(url, additional_headers={"Cookie": cookie}, open_timeout=5)


def _receive_until(socket: ClientConnection, text: str, timeout: float = 3.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        message = str(socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if text in message:
            return message


def _seq(message: str) -> int:
    match = re.search(r'id="board-seq" data-seq="(\d+)"', message)
    assert match, message[:300]
    return int(match.group(1))


def test_a_note_posted_through_one_worker_reaches_a_phone_on_another_at_once(
    two_workers: tuple[LiveServer, LiveServer],
) -> None:
    worker_a, worker_b = two_workers
    meeting, code = _open_meeting(worker_b, "市全体")
    phone = httpx.Client(base_url=worker_b.url, timeout=10)
    assert _post(phone, f"/join/{code}", {"skip": "1"}).status_code == 303
    # The phone listens on worker A (its cookie, signed by B, is good there too).
    with _socket(worker_a, meeting, phone, after=0) as on_a:
        seen = _seq(str(on_a.recv(timeout=5)))
        sent = time.monotonic()
        posted = _post(
            phone,
            f"/b/{meeting}/notes",
            {"kind": "want", "text": "Bから貼った付箋"},
            accept="application/json",
        )
        assert posted.status_code == 200, posted.text
        message = _receive_until(on_a, "Bから貼った付箋")
        assert time.monotonic() - sent < 2.0
        after_first = _seq(message)
        assert after_first > seen

    # While the phone is away, notes are posted through B and A; it reconnects to B and catches up.
    through_b = _post(
        phone, f"/b/{meeting}/notes", {"kind": "idea", "text": "留守中の付箋"}, accept="application/json"
    )
    assert through_b.status_code == 200, through_b.text
    phone.base_url = httpx.URL(worker_a.url)
    away = _post(
        phone,
        f"/b/{meeting}/notes",
        {"kind": "idea", "text": "Aから貼った付箋"},
        accept="application/json",
    )
    assert away.status_code == 200, away.text
    with _socket(worker_b, meeting, phone, after=after_first) as on_b:
        catch_up = str(on_b.recv(timeout=5))
    assert "留守中の付箋" in catch_up and "Aから貼った付箋" in catch_up
    assert "Bから貼った付箋" not in catch_up  # already seen: not sent again
    assert _seq(catch_up) == after_first + 2


def test_wrong_join_codes_count_together_on_every_worker(
    two_workers: tuple[LiveServer, LiveServer], redis_server: Redis
) -> None:
    """Thirty wrong codes in five minutes are refused, however they are spread over workers."""
    worker_a, worker_b = two_workers
    guessers = [httpx.Client(base_url=w.url, timeout=10) for w in (worker_a, worker_b)]
    try:
        for attempt in range(30):
            answer = _post(guessers[attempt % 2], "/join", {"code": "000000"})
            assert answer.status_code in (404, 422), answer.status_code
        for guesser in guessers:
            refused = _post(guesser, "/join", {"code": "000000"})
            assert refused.status_code == 429
            assert "参加コードのまちがいが多い" in refused.text
    finally:
        redis_server.flush()  # the other tests join from this same address


def test_yoriai_serve_runs_several_workers_that_share_boards(city_env: dict[str, str]) -> None:
    """`yoriai serve --workers 2`: every request, whichever worker takes it, sees one board."""
    server = _start(city_env, "--workers", "2")
    try:
        staff = httpx.Client(base_url=server.url, timeout=10)
        _post(staff, "/signin", {"email": STAFF[0], "password": STAFF[1]})
        created = _post(
            staff,
            "/f/sessions",
            {"kind": "roundtable", "district_id": "oyama", "title": "二つのワーカー"},
        )
        meeting = created.headers["location"].rsplit("/", 1)[1]
        _post(staff, f"/f/sessions/{meeting}/open", {})
        code = re.search(
            r'参加コード <strong class="mono">(\d{3}) (\d{3})', staff.get(f"/f/sessions/{meeting}").text
        )
        assert code
        phones = [httpx.Client(base_url=server.url, timeout=10) for _ in range(3)]
        for phone in phones:
            assert _post(phone, f"/join/{code.group(1)}{code.group(2)}", {"skip": "1"}).status_code == 303
        with ExitStack() as stack:
            sockets = [stack.enter_context(_socket(server, meeting, phone, after=0)) for phone in phones]
            for n, phone in enumerate(phones):
                text = f"ワーカー越しの付箋{n}"
                assert (
                    _post(
                        phone,
                        f"/b/{meeting}/notes",
                        {"kind": "idea", "text": text},
                        accept="application/json",
                    ).status_code
                    == 200
                )
                for socket in sockets:
                    _receive_until(socket, text)
    finally:
        server.stop()


def test_several_workers_without_redis_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.live_server import ROOT

    env = {**os.environ, "YORIAI_DATA_DIR": str(tmp_path)}
    env.pop("YORIAI_CHANNELS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(free_port()), "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "Redis が必要" in result.stderr and "YORIAI_CHANNELS_URL" in result.stderr
