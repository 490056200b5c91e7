"""The live layer over real websockets (Litestar's test client): who sees what, and reconnects."""

from __future__ import annotations

import queue
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from tests.conftest import Person, create_open_meeting, join_as, post_form, send_note

WAIT = 5.0  # seconds a message may take to arrive


def seq_of(message: str) -> int:
    match = re.search(r'id="board-seq" data-seq="(\d+)"', message)
    assert match, message
    return int(match.group(1))


def note_ids(message: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article id="note-(\d+)"', message)]


def removed_ids(message: str) -> list[int]:
    return [int(n) for n in re.findall(r'<div id="note-(\d+)" hx-swap-oob="delete">', message)]


def assert_silent(socket: WebSocketTestSession, seconds: float = 0.3) -> None:
    with pytest.raises(queue.Empty):
        socket.receive_text(timeout=seconds)


@contextmanager
def board_socket(
    person: Person, meeting_id: int, *, after: int = 0, view: str = "phone"
) -> Iterator[WebSocketTestSession]:
    with person as c, c.websocket_connect(f"/ws/boards/{meeting_id}?after={after}&view={view}") as socket:
        yield socket


def post_note(person: Person, meeting_id: int, text: str, kind: str = "idea") -> None:
    with person as c:
        response = send_note(c, meeting_id, text, kind=kind)
        assert response.status_code == 200, response.text


def test_two_participants_see_each_others_notes_live(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    with board_socket(alice, meeting_id) as alice_ws, board_socket(bob, meeting_id) as bob_ws:
        first_alice, first_bob = alice_ws.receive_text(timeout=WAIT), bob_ws.receive_text(timeout=WAIT)
        assert 'id="participant-count" hx-swap-oob="true">2<' in first_bob
        post_note(alice, meeting_id, "空き家を集いの場にしたい", kind="want")
        for socket in (alice_ws, bob_ws):
            message = socket.receive_text(timeout=WAIT)
            assert "空き家を集いの場にしたい" in message and "やりたい" in message
        post_note(bob, meeting_id, "車を出せます", kind="offer")
        to_alice, to_bob = alice_ws.receive_text(timeout=WAIT), bob_ws.receive_text(timeout=WAIT)
    assert "車を出せます" in to_alice and "車を出せます" in to_bob
    # Only the author gets the controls for their own note.
    assert "なおす" in to_bob and "なおす" not in to_alice
    assert seq_of(to_alice) == seq_of(to_bob) == seq_of(first_alice) + 2


def test_a_hidden_note_disappears_from_every_screen_at_once(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    post_note(alice, meeting_id, "ここだけの話ですが…")
    with (
        board_socket(alice, meeting_id) as alice_ws,
        board_socket(bob, meeting_id) as bob_ws,
        board_socket(staff, meeting_id, view="projector") as projector_ws,
        board_socket(staff, meeting_id, view="console") as console_ws,
    ):
        sockets = [alice_ws, bob_ws, projector_ws, console_ws]
        snapshots = [s.receive_text(timeout=WAIT) for s in sockets]
        assert all("ここだけの話ですが…" in m for m in snapshots)
        (note_id,) = note_ids(snapshots[0])
        with staff as c:
            assert (
                post_form(c, f"/f/sessions/{meeting_id}/notes/{note_id}/hide", {}, htmx=True).status_code
                == 200
            )
        for socket in (alice_ws, bob_ws, projector_ws):
            message = socket.receive_text(timeout=WAIT)
            assert removed_ids(message) == [note_id] and "ここだけの話" not in message
            # Only the targets a screen has: the projector shows no count of notes.
            assert ('id="note-count"' in message) == (socket is not projector_ws)
        console = console_ws.receive_text(timeout=WAIT)
        assert note_ids(console) == [note_id] and "非表示中" in console and "表示する" in console


def test_a_reconnecting_client_gets_exactly_what_it_missed(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    post_note(alice, meeting_id, "見たことのある付箋")
    with board_socket(bob, meeting_id) as socket:
        last_seen = seq_of(socket.receive_text(timeout=WAIT))
    # Bob's phone is away while two notes come and one old one is changed.
    post_note(alice, meeting_id, "見逃した付箋その1")
    post_note(alice, meeting_id, "見逃した付箋その2")
    with board_socket(bob, meeting_id, after=last_seen) as socket:
        missed = socket.receive_text(timeout=WAIT)
        assert "見逃した付箋その1" in missed and "見逃した付箋その2" in missed
        assert "見たことのある付箋" not in missed
        assert seq_of(missed) == last_seen + 2
        assert_silent(socket)  # nothing is sent twice
        post_note(alice, meeting_id, "つながってからの付箋")
        live = socket.receive_text(timeout=WAIT)
        assert "つながってからの付箋" in live and "見逃した" not in live
        assert seq_of(live) == last_seen + 3


def test_a_client_that_is_up_to_date_gets_nothing_until_something_happens(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice = join_as(facilitator, code)
    with board_socket(alice, meeting_id) as socket:
        current = seq_of(socket.receive_text(timeout=WAIT))
    with board_socket(alice, meeting_id, after=current) as socket:
        assert_silent(socket)


def test_a_stranger_cannot_listen_to_a_board(facilitator: TestClient[Litestar]) -> None:
    meeting_id, _ = create_open_meeting(facilitator)
    stranger = Person(facilitator)
    for view in ("phone", "projector", "console"):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            board_socket(stranger, meeting_id, view=view) as socket,
        ):
            socket.receive_text(timeout=WAIT)
        assert closed.value.code == 4403


def test_a_participant_cannot_listen_as_the_console(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice = join_as(facilitator, code)
    with pytest.raises(WebSocketDisconnect), board_socket(alice, meeting_id, view="console") as socket:
        socket.receive_text(timeout=WAIT)


def test_websockets_from_another_origin_are_refused(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice = join_as(facilitator, code)
    with alice as c:
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            c.websocket_connect(
                f"/ws/boards/{meeting_id}", headers={"origin": "http://evil.example"}
            ) as socket,
        ):
            socket.receive_text(timeout=WAIT)
        assert closed.value.code == 4403
        with c.websocket_connect(
            f"/ws/boards/{meeting_id}", headers={"origin": "http://testserver.local"}
        ) as socket:
            assert "board-seq" in socket.receive_text(timeout=WAIT)


def test_closing_the_session_tells_every_phone(facilitator: TestClient[Litestar], staff: Person) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice = join_as(facilitator, code)
    with board_socket(alice, meeting_id) as socket:
        socket.receive_text(timeout=WAIT)
        with staff as c:
            post_form(c, f"/f/sessions/{meeting_id}/close", {})
        message = socket.receive_text(timeout=WAIT)
    assert "board-status--closed" in message and "この会はおわりました" in message


def test_a_polling_screen_waiting_for_its_turn_holds_no_database_connection(
    facilitator: TestClient[Litestar],
) -> None:
    """Catch-ups take a turn, then a pooled connection; a polling screen (GET /events) must not
    hold a connection while it waits for a turn, or a crowd of them holding the whole pool would
    stall the catch-ups that hold the turns (until the pool's timeout)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from server.boards.budget import CATCH_UPS_AT_ONCE

    class Turns(asyncio.Semaphore):
        waiting = 0

        async def acquire(self) -> bool:
            self.waiting += 1
            try:
                return await super().acquire()
            finally:
                self.waiting -= 1

    meeting_id, code = create_open_meeting(facilitator)
    alice = join_as(facilitator, code)
    app = facilitator.app
    turns = app.state.live_guards.catch_ups = Turns(CATCH_UPS_AT_ONCE)
    pool = app.state.sessionmaker.kw["bind"].pool
    portal = facilitator.blocking_portal
    for _ in range(CATCH_UPS_AT_ONCE):  # every turn taken, as by catch-ups in a storm
        portal.call(turns.acquire)
    with alice as c, ThreadPoolExecutor(6) as threads:
        polls = [threads.submit(c.get, f"/b/{meeting_id}/events?after=0") for _ in range(6)]
        try:
            deadline = time.monotonic() + 20
            while portal.call(lambda: turns.waiting) < 6 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert portal.call(lambda: turns.waiting) == 6
            held_while_waiting = portal.call(pool.checkedout)
        finally:
            for _ in range(CATCH_UPS_AT_ONCE):
                portal.call(turns.release)
        assert all(poll.result(timeout=20).status_code == 200 for poll in polls)
    assert held_while_waiting == 0


async def test_sockets_waiting_for_the_same_catch_up_share_one_read_but_never_one_begun() -> None:
    """A hall that connects at once (every phone after=0) waits for a few turns; those waiting
    for the same board and seq share one read. A read that has begun is never joined: it may
    have missed what was committed before the newcomer subscribed."""
    import asyncio

    from server.boards.budget import CATCH_UPS_AT_ONCE, LiveGuards

    guards = LiveGuards()
    reads: list[int] = []
    gate = asyncio.Event()

    async def read() -> int:
        reads.append(len(reads) + 1)
        number = len(reads)
        await gate.wait()
        return number

    for _ in range(CATCH_UPS_AT_ONCE):  # every turn taken
        await guards.catch_ups.acquire()
    waiting = [asyncio.ensure_future(guards.catch_up(1, 0, read)) for _ in range(50)]
    other_board = asyncio.ensure_future(guards.catch_up(2, 0, read))
    other_seq = asyncio.ensure_future(guards.catch_up(1, 7, read))
    await asyncio.sleep(0)
    waiting[0].cancel()  # a phone that leaves while it waits takes no one's read with it
    for _ in range(CATCH_UPS_AT_ONCE):
        guards.catch_ups.release()
    await asyncio.sleep(0.01)
    assert len(reads) == 3  # one read per (board, seq), all begun now
    late = asyncio.ensure_future(guards.catch_up(1, 0, read))  # after the read began: its own
    await asyncio.sleep(0.01)
    gate.set()
    results = await asyncio.gather(*waiting[1:], other_board, other_seq, late)
    assert len(set(results[:49])) == 1
    assert len(set(results)) == 4 and len(reads) == 4
    assert waiting[0].cancelled()


# --- BoardStream on its own: the races a test client cannot time -------------------------


def a_board():  # type: ignore[no-untyped-def]
    from server.boards.state import board_state
    from server.meetings.models import Meeting

    return board_state(Meeting(id=1, district_id="tsurukawa", title="t", join_code="234567", status="open"))


def a_note(note_id: int, text: str, *, hidden: bool = False):  # type: ignore[no-untyped-def]
    from server.boards.change import NoteState

    return NoteState(
        id=note_id,
        kind="idea",
        text=text,
        hidden=hidden,
        participant_id=9,
        cluster_id=None,
        client_id=None,
        by_staff=False,
        created_at="2026-11-22T10:00:00+00:00",
        edited=False,
        votes=0,
    )


def a_change(seq: int, notes: dict, *, type: str | None = "note_posted"):  # type: ignore[no-untyped-def,type-arg]
    from server.boards.change import BoardChange, Counts
    from server.boards.models import BoardEventType

    return BoardChange(
        meeting_id=1,
        seq=seq,
        first_seq=seq if type else 0,
        type=BoardEventType(type) if type else None,
        notes=notes,
        counts=Counts(participants=1, notes_visible=1, notes_total=1),
        board=a_board(),
    )


def published(seq: int, note_id: int, text: str) -> bytes:
    """A note_posted change as the board's channel carries it."""
    return a_change(seq, {note_id: a_note(note_id, text)}).encode()  # type: ignore[no-any-return]


class FakeBoard:
    """A database stand-in: notes 1..n were posted as events 1..n."""

    def __init__(self) -> None:
        self.notes: dict[int, str] = {}

    def post(self, text: str) -> int:
        note_id = len(self.notes) + 1
        self.notes[note_id] = text
        return note_id

    async def load_missed(self, after: int):  # type: ignore[no-untyped-def]
        from server.boards.live import Outgoing

        notes = {i: a_note(i, t) for i, t in self.notes.items() if i > after}
        return Outgoing(a_change(max([after, *self.notes]), notes, type=None))


async def test_a_change_published_during_the_catch_up_is_sent_once() -> None:
    from server.boards.live import BoardStream, Viewer

    board, sent = FakeBoard(), []

    async def send(text: str) -> None:
        sent.append(text)

    board.post("一枚目")
    stream = BoardStream(Viewer("phone", 1, 5), 0, board.load_missed, send)
    board.post("二枚目")  # committed after subscribing, before the catch-up read: in both
    await stream.catch_up()
    await stream.on_published(published(2, 2, "二枚目"))
    assert len(sent) == 1 and "一枚目" in sent[0] and "二枚目" in sent[0]


async def test_a_gap_in_what_is_published_is_filled_from_the_database() -> None:
    from server.boards.live import BoardStream, Viewer

    board, sent = FakeBoard(), []

    async def send(text: str) -> None:
        sent.append(text)

    stream = BoardStream(Viewer("phone", 1, 5), 0, board.load_missed, send)
    await stream.catch_up()
    board.post("三番目に届く")
    board.post("先に届く")
    await stream.on_published(published(2, 2, "先に届く"))  # event 1's publication is late
    await stream.on_published(published(1, 1, "三番目に届く"))
    joined = "".join(sent[1:])
    assert joined.count("三番目に届く") == 1 and joined.count("先に届く") == 1
    assert seq_of(sent[-1]) == 2


async def test_a_change_decoded_once_for_many_screens_still_hides_hidden_notes_from_phones() -> None:
    """The console, phones and the author's phone share one decoded change: each still gets
    only what it may see (the console's view must not leak to phones through the shared copy)."""
    from server.boards.live import BoardStream, Viewer

    message = a_change(1, {1: a_note(1, "非表示にした付箋", hidden=True)}).encode()
    board, screens = FakeBoard(), {}
    for name, viewer in {
        "console": Viewer("console", 1),
        "phone": Viewer("phone", 1, 5),
        "author": Viewer("phone", 1, 9),
        "other phone": Viewer("phone", 1, 6),
    }.items():
        sent: list[str] = []
        screens[name] = sent

        async def send(text: str, sent: list[str] = sent) -> None:
            sent.append(text)

        await BoardStream(viewer, 0, board.load_missed, send).on_published(message)
    assert "非表示にした付箋" in screens["console"][0]
    for phone in ("phone", "author", "other phone"):
        assert "非表示にした付箋" not in screens[phone][0]
        assert removed_ids(screens[phone][0]) == [1]
        assert seq_of(screens[phone][0]) == 1


async def test_a_phone_that_stops_reading_is_dropped_and_holds_up_no_one() -> None:
    """A socket whose sends never finish (a phone gone quiet with a full buffer) must not delay
    the board's other screens; once too far behind it is dropped, to reconnect and catch up."""
    import asyncio

    from server.boards.live import BoardStream, Viewer

    board = FakeBoard()
    stuck = asyncio.Event()  # never set: the stalled socket's send waits forever
    received: dict[str, list[str]] = {"a": [], "b": [], "stalled": []}
    dropped: list[str] = []

    def stream_for(name: str) -> BoardStream:
        async def send(text: str) -> None:
            received[name].append(text)
            if name == "stalled" and len(received[name]) > 1:
                await stuck.wait()

        return BoardStream(Viewer("phone", 1, 5), 0, board.load_missed, send, lambda: dropped.append(name))

    streams = [stream_for(name) for name in received]
    for stream in streams:
        await stream.open()
    changes = BoardStream.MAX_PENDING + 10
    for n in range(1, changes + 1):
        board.post(f"付箋{n}")
        for stream in streams:
            stream.push(published(n, n, f"付箋{n}"))  # never waits, whatever a socket does
    for name in ("a", "b"):
        assert [seq_of(m) for m in received[name][1:]] == list(range(1, changes + 1))
    assert dropped == ["stalled"]
    assert len(received["stalled"]) == 2  # the catch-up and the first change, then it stalled
    streams[2].push(published(changes + 1, changes + 1, "あとの付箋"))  # a dropped socket gets nothing more
    assert len(received["stalled"]) == 2
    await asyncio.sleep(0)
    for stream in streams:
        stream.stop()


async def test_run_now_finishes_what_need_not_wait_and_hands_the_rest_to_a_task() -> None:
    import asyncio
    import contextlib

    from server.web.eager import run_now

    done: list[str] = []

    async def quick() -> None:
        done.append("quick")

    async def slow(gate: asyncio.Event, fail: bool) -> None:
        done.append("slow started")
        await gate.wait()
        if fail:
            raise ValueError("壊れた")
        done.append("slow finished")

    assert run_now(quick()) is None and done == ["quick"]
    gate = asyncio.Event()
    task = run_now(slow(gate, fail=False))
    assert task is not None and done[-1] == "slow started"
    gate.set()
    await task
    assert done[-1] == "slow finished"
    failing = run_now(slow(asyncio.Event(), fail=True))
    assert failing is not None
    failing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await failing
    assert failing.cancelled()
    gate2 = asyncio.Event()
    broken = run_now(slow(gate2, fail=True))
    assert broken is not None
    gate2.set()
    try:
        await broken
    except ValueError as exc:
        assert str(exc) == "壊れた"
    else:
        raise AssertionError("the error did not reach the task")


def test_a_catch_up_rendered_once_for_many_phones_still_gives_an_author_their_own_note() -> None:
    from server.boards.live import Outgoing, Viewer

    missed = Outgoing(a_change(1, {1: a_note(1, "わたしの付箋")}, type=None))  # by participant 9
    other = missed.fragment_for(Viewer("phone", 1, 5))
    author = missed.fragment_for(Viewer("phone", 1, 9))
    assert "note--own" in author and "note--own" not in other
    assert missed.fragment_for(Viewer("phone", 1, 6)) is other  # rendered once, shared
    assert "note--own" not in missed.fragment_for(Viewer("projector", 1))


def test_a_frame_built_once_reads_as_the_same_message_at_every_size() -> None:
    """The frame written to every phone is what a browser's websocket reads as the fragment:
    short, medium (16-bit length) and long (64-bit length) messages, Japanese included."""
    from websockets.frames import Opcode
    from websockets.protocol import Protocol, Side, State

    from server.web.serversend import text_frame

    for text in ("付箋", "あ" * 60, "<div>付箋</div>" * 400, "x" * 70_000):
        client = Protocol(Side.CLIENT, state=State.OPEN, max_size=None)
        client.receive_data(text_frame(text))
        [event] = client.events_received()
        assert event.opcode is Opcode.TEXT and event.fin and event.data.decode() == text


async def test_a_socket_that_cannot_take_a_frame_now_gets_it_through_send_in_order() -> None:
    """Frames go straight to sockets that can take them; a socket whose buffer is full (the
    writer refuses) gets the change through its send instead, in order, none lost or doubled."""
    from server.boards.live import BoardStream, Viewer

    board, written, sent = FakeBoard(), [], []
    can_write = [True]

    def write_frame(frame: bytes) -> bool:
        if can_write[0]:
            written.append(frame)
        return can_write[0]

    async def send(text: str) -> None:
        sent.append(text)

    stream = BoardStream(Viewer("phone", 1, 5), 0, board.load_missed, send, None, write_frame)
    await stream.open()  # the catch-up goes through send
    for n in range(1, 7):
        board.post(f"付箋{n}")
        can_write[0] = n not in (3, 4)
        stream.push(published(n, n, f"付箋{n}"))
    assert [seq_of(m) for m in sent[1:]] == [3, 4]
    seqs = [seq_of(frame[frame.index(b"<") :].decode()) for frame in written]
    assert seqs == [1, 2, 5, 6]
