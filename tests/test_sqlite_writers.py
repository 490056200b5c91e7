"""Many phones at once on the laptop's SQLite: joins and notes queue for the write lock in
the process instead of failing with "database is locked" (a 500 the phone would see)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import event
from sqlmodel import select
from websockets.asyncio.client import connect

from server.accounts.actor import Actor
from server.boards import service as boards
from server.boards.models import BoardEvent, Note
from server.config import Settings
from server.db import make_engine, make_sessionmaker, writing
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingStatus
from tests.live_server import LiveServer, cli, free_port

STAFF = ("hall@example.jp", "hall-test-password")
PHONES = 50


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`yoriai serve` on SQLite, as on the hall's laptop."""
    port = free_port()
    env = {**os.environ, "YORIAI_DATA_DIR": str(tmp_path_factory.mktemp("hall"))}
    for name in ("YORIAI_SECRET_KEY", "YORIAI_DATABASE_URL", "YORIAI_CHANNELS_URL"):
        env.pop(name, None)
    env["YORIAI_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    cli(env, "migrate")
    cli(env, "create-user", "--email", STAFF[0], "--password", STAFF[1])
    live = LiveServer(f"http://127.0.0.1:{port}", env)
    live.start()
    yield live
    live.stop()


async def _token(client: httpx.AsyncClient, path: str = "/") -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get(path)).text)
    assert match
    return match.group(1)


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, str], **headers: str) -> httpx.Response:
    return await client.post(path, data=data, headers={"x-csrftoken": await _token(client), **headers})


async def _open_meeting(url: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as staff:
        assert (await _post(staff, "/signin", {"email": STAFF[0], "password": STAFF[1]})).status_code == 303
        created = await _post(
            staff, "/f/sessions", {"kind": "roundtable", "district_id": "tsurukawa", "title": "満員の会"}
        )
        meeting = created.headers["location"].rsplit("/", 1)[1]
        assert (await _post(staff, f"/f/sessions/{meeting}/open", {})).status_code == 303
        page = (await staff.get(f"/f/sessions/{meeting}")).text
        code = re.search(r'参加コード <strong class="mono">(\d{3}) (\d{3})', page)
        assert code
        return meeting, code.group(1) + code.group(2)


async def _phone(url: str, meeting: str, code: str, n: int) -> tuple[int, int, httpx.Cookies]:
    """One phone: joins, then posts one note. (join status, post status, its cookies)"""
    async with httpx.AsyncClient(base_url=url, timeout=60) as phone:
        joined = await _post(phone, f"/join/{code}", {"skip": "1"})
        posted = await _post(
            phone,
            f"/b/{meeting}/notes",
            {"kind": "idea", "text": f"同時に貼った付箋{n:03d}", "client_id": f"phone-{n}"},
            accept="application/json",
        )
        return joined.status_code, posted.status_code, phone.cookies


def test_fifty_phones_joining_and_posting_at_once_all_succeed_and_nothing_is_lost(
    server: LiveServer,
) -> None:
    async def crowd() -> tuple[list[tuple[int, int, httpx.Cookies]], str]:
        meeting, code = await _open_meeting(server.url)
        phones = await asyncio.gather(*(_phone(server.url, meeting, code, n) for n in range(PHONES)))
        async with httpx.AsyncClient(base_url=server.url, cookies=phones[0][2]) as first:
            return phones, (await first.get(f"/b/{meeting}/events")).text

    results, board = asyncio.run(crowd())
    assert [joined for joined, _, _ in results] == [303] * PHONES
    assert [posted for _, posted, _ in results] == [200] * PHONES
    # Every phone sees every note on the board afterwards, each once.
    assert sorted(set(re.findall(r"同時に貼った付箋\d{3}", board))) == [
        f"同時に貼った付箋{n:03d}" for n in range(PHONES)
    ]
    assert len(re.findall(r"同時に貼った付箋\d{3}", board)) == PHONES


async def test_a_writer_that_holds_its_transaction_long_makes_the_others_wait_not_fail(
    settings: Settings,
) -> None:
    """A write transaction left open across a slow await (a busy loop) while 50 phones join and
    post: each waits its turn; without the in-process queue SQLite would answer "database is
    locked" after its busy timeout (shortened here so that the test is quick)."""
    engine = make_engine(settings)

    def short_busy_timeout(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA busy_timeout=50")
        cursor.close()

    event.listen(engine.sync_engine, "connect", short_busy_timeout)
    maker = make_sessionmaker(engine)
    async with writing(maker) as db:
        data = meetings.MeetingInput("roundtable", "tsurukawa", "満員の会", "問い", None, "", "")
        meeting = await meetings.create_meeting(db, data, created_by=None)
        await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.OPEN)
    meeting_id = meeting.id
    assert meeting_id is not None

    async def slow_writer() -> None:
        async with writing(maker) as db:
            current = await db.get(Meeting, meeting_id)
            assert current is not None
            person, _ = await boards.join_meeting(db, current, nickname="", affiliation="")
            await asyncio.sleep(0.5)  # the transaction is open: SQLite's write lock is held
            await boards.post_note(db, current, person, kind="idea", text="ゆっくり貼った付箋")

    async def phone(n: int) -> None:
        async with writing(maker) as db:
            current = await db.get(Meeting, meeting_id)
            assert current is not None
            person, _ = await boards.join_meeting(db, current, nickname="", affiliation="")
            await boards.post_note(db, current, person, kind="idea", text=f"付箋{n}")

    slow = asyncio.create_task(slow_writer())
    await asyncio.sleep(0.05)
    await asyncio.gather(slow, *(phone(n) for n in range(PHONES)))

    async with maker() as db:
        texts = (await db.exec(select(Note.text).where(Note.meeting_id == meeting_id))).all()
        seqs = (await db.exec(select(BoardEvent.seq).where(BoardEvent.meeting_id == meeting_id))).all()
    await engine.dispose()
    assert sorted(texts) == sorted(["ゆっくり貼った付箋", *(f"付箋{n}" for n in range(PHONES))])
    # Every change got its own sequence number, with no gap: opened, then a join and a note each.
    assert sorted(seqs) == list(range(1, 2 + 2 * (PHONES + 1)))


def test_board_sockets_are_not_compressed(server: LiveServer) -> None:
    """A browser offers permessage-deflate; `yoriai serve` declines it (0.5 KB fragments: the
    CPU and the 45 KB per socket it costs buy nearly nothing), and the board still streams."""

    async def listen() -> tuple[str | None, str]:
        meeting, code = await _open_meeting(server.url)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as phone:
            assert (await _post(phone, f"/join/{code}", {"skip": "1"})).status_code == 303
            cookie = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
        url = server.url.replace("http://", "ws://") + f"/ws/boards/{meeting}?after=0"
        async with connect(
            url, additional_headers={"Cookie": cookie}, compression="deflate", open_timeout=10
        ) as socket:
            assert socket.response is not None
            return socket.response.headers.get("Sec-WebSocket-Extensions"), str(await socket.recv())

    extensions, first = asyncio.run(listen())
    assert extensions is None
    assert 'id="board-seq"' in first  # the catch-up arrived, uncompressed
