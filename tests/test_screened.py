"""Screened mode (確認してから映す): new notes reach the projector and other phones only once a
facilitator has let them through (通す). Until then they have every guarantee of a hidden note:
no other phone's socket, catch-up or events poll, no projector, minutes, export, suggestion or
match holds them; their author sees them 「確認中」, and the console in a panel of its own."""

from __future__ import annotations

import io
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards import screening
from server.boards import service as boards
from server.boards.change import BoardChange
from server.boards.models import BoardEventType
from server.errors import Forbidden
from server.meetings import minutes
from server.meetings import service as meetings
from server.meetings.models import MeetingStatus
from tests.conftest import Person, create_open_meeting, join_as, post_form, send_note
from tests.test_live import WAIT, assert_silent, board_socket, note_ids, removed_ids, seq_of

SECRET = "母の介護で夜も眠れず、仕事をやめるか迷っています"


def screen(client: TestClient[Litestar], meeting_id: int, on: bool = True) -> None:
    answer = post_form(
        client, f"/f/sessions/{meeting_id}/screening", {"screened": "1" if on else "0"}, htmx=True
    )
    assert answer.status_code == 204, answer.text


def post(person: Person, meeting_id: int, text: str, kind: str = "concern") -> dict[str, Any]:
    with person as c:
        answer = send_note(c, meeting_id, text, kind=kind)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]


def everything_outside_the_console(client: TestClient[Litestar], meeting_id: int, phone: Person) -> str:
    """What another phone, the projector, the minutes, the exports, the suggestions and the
    matching panel hold: a note that waits is in none of them."""
    with phone as c:
        texts = [
            c.get(f"/b/{meeting_id}").text,
            c.get(f"/b/{meeting_id}/events?after=0").text,
            c.get(f"/b/{meeting_id}/spotlight").text,
        ]
    for path in ("/projector", "/minutes", "/suggestions", "/matches", "/exports/notes.csv"):
        answer = client.get(f"/f/sessions/{meeting_id}{path}")
        assert answer.status_code == 200, (path, answer.status_code)
        texts.append(answer.content.decode("utf-8-sig"))
    workbook = load_workbook(io.BytesIO(client.get(f"/f/sessions/{meeting_id}/exports/notes.xlsx").content))
    texts += [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]
    texts.append(client.get(f"/b/{meeting_id}/events?after=0&view=projector").text)
    return "\n".join(texts)


# --- websockets: who gets what, live --------------------------------------------------------


def test_a_waiting_note_reaches_only_the_console_and_its_author_until_let_through(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    screen(facilitator, meeting_id)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    with (
        board_socket(alice, meeting_id) as alice_ws,
        board_socket(bob, meeting_id) as bob_ws,
        board_socket(staff, meeting_id, view="projector") as projector_ws,
        board_socket(staff, meeting_id, view="console") as console_ws,
    ):
        sockets = [alice_ws, bob_ws, projector_ws, console_ws]
        for socket in sockets:
            socket.receive_text(timeout=WAIT)
        sent = post(alice, meeting_id, SECRET)
        note_id = sent["note_id"]
        assert sent["waiting"] is True
        to_alice, to_bob, to_projector, to_console = (s.receive_text(timeout=WAIT) for s in sockets)

        # The author: their note, marked 確認中, still theirs to fix or delete.
        assert note_ids(to_alice) == [note_id] and SECRET in to_alice
        assert "確認中" in to_alice and "なおす" in to_alice and "通す" not in to_alice
        # Another phone and the projector: a removal of something they never had, no text, no count.
        for message in (to_bob, to_projector):
            assert removed_ids(message) == [note_id] and SECRET not in message and "確認中" not in message
        assert 'id="note-count" hx-swap-oob="true">0<' in to_bob
        assert "waiting-count" not in to_bob + to_projector
        # The console: in its waiting panel, with 通す and 非表示, and the panel's count.
        assert note_ids(to_console) == [note_id] and SECRET in to_console
        assert 'data-into="#waiting-notes"' in to_console and "通す" in to_console and "非表示" in to_console
        assert 'id="waiting-count" hx-swap-oob="true">1<' in to_console

        # A phone that reconnects, or polls, gets nothing of it either.
        with board_socket(bob, meeting_id, after=0) as again:
            caught_up = again.receive_text(timeout=WAIT)
            assert SECRET not in caught_up and note_id not in note_ids(caught_up)
        assert SECRET not in everything_outside_the_console(facilitator, meeting_id, bob)
        with alice as c:
            own = c.get(f"/b/{meeting_id}").text
            assert SECRET in own and "note__badge--waiting" in own  # the author's page keeps it, marked
            assert c.get(f"/b/{meeting_id}/notes/{note_id}").status_code == 200
        with bob as c:
            assert c.get(f"/b/{meeting_id}/notes/{note_id}").status_code == 404

        # 通す: every screen gets it as a new note, in one event.
        before = seq_of(to_bob)
        let = post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{note_id}/let-through", {}, htmx=True)
        assert let.status_code == 200 and SECRET in let.text and "確認中" not in let.text
        to_alice, to_bob, to_projector, to_console = (s.receive_text(timeout=WAIT) for s in sockets)
        for message in (to_alice, to_bob, to_projector, to_console):
            assert note_ids(message) == [note_id] and SECRET in message and "確認中" not in message
            assert seq_of(message) == before + 1
        assert 'data-into="#notes"' in to_console and 'id="waiting-count" hx-swap-oob="true">0<' in to_console
        assert 'id="note-count" hx-swap-oob="true">1<' in to_bob
        assert "なおす" in to_alice and "なおす" not in to_bob
    assert SECRET in everything_outside_the_console(facilitator, meeting_id, bob)


def test_turning_screening_on_and_off_is_an_event_and_off_lets_nothing_through(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    with (
        board_socket(bob, meeting_id) as bob_ws,
        board_socket(staff, meeting_id, view="console") as console_ws,
    ):
        first = bob_ws.receive_text(timeout=WAIT)
        console_ws.receive_text(timeout=WAIT)
        screen(facilitator, meeting_id)
        on_phone, on_console = bob_ws.receive_text(timeout=WAIT), console_ws.receive_text(timeout=WAIT)
        assert seq_of(on_phone) == seq_of(first) + 1
        assert 'class="screening-line" hx-swap-oob="true">送った付箋は' in on_phone  # the phone's small line
        assert 'id="screening-controls"' in on_console and "オフにする" in on_console
        assert 'id="screening-controls"' not in on_phone

        waiting = post(alice, meeting_id, SECRET)["note_id"]
        assert removed_ids(bob_ws.receive_text(timeout=WAIT)) == [waiting]
        console_ws.receive_text(timeout=WAIT)

        screen(facilitator, meeting_id, on=False)
        off_phone, off_console = bob_ws.receive_text(timeout=WAIT), console_ws.receive_text(timeout=WAIT)
        assert "進行役がたしかめてから" not in off_phone and SECRET not in off_phone
        assert "オンにする" in off_console and "確認待ちの付箋は自動では出ません" in off_console
        assert_silent(bob_ws)  # nothing was let through

        # A note posted now shows at once; the one that waited still waits.
        shown = post(alice, meeting_id, "駅前のベンチを増やしたい", kind="want")
        assert shown["waiting"] is False
        assert "駅前のベンチを増やしたい" in bob_ws.receive_text(timeout=WAIT)
    assert SECRET not in everything_outside_the_console(facilitator, meeting_id, bob)
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    panel = console.split('id="waiting-notes"', 1)[1].split("</section>", 1)[0]
    assert SECRET in panel and "駅前のベンチ" not in panel


# --- HTTP: the console's controls -------------------------------------------------------------


def test_let_all_through_hide_and_staff_entry_in_screened_mode(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    screen(facilitator, meeting_id)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    first = post(alice, meeting_id, "公園のトイレが夜暗い")["note_id"]
    private = post(alice, meeting_id, SECRET)["note_id"]
    proxy = post_form(
        facilitator, f"/f/sessions/{meeting_id}/notes", {"kind": "idea", "text": "紙の付箋：朝市"}, htmx=True
    )
    assert proxy.status_code == 200 and "確認待ちの付箋にあります" in proxy.text

    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert 'id="waiting-count">3<' in console and "すべて通す" in console
    waiting_panel = console.split('id="waiting-notes"', 1)[1].split("</section>", 1)[0]
    assert all(text in waiting_panel for text in ("公園のトイレ", SECRET, "紙の付箋：朝市"))
    assert "紙の付箋：朝市" not in everything_outside_the_console(facilitator, meeting_id, bob)

    # 非表示 on a waiting note: it stays hidden, and is waiting no longer.
    hidden = post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{private}/hide", {}, htmx=True)
    assert hidden.status_code == 200 and "非表示中" in hidden.text and "確認中" not in hidden.text
    assert (
        post_form(facilitator, f"/f/sessions/{meeting_id}/notes/let-all-through", {}, htmx=True).status_code
        == 204
    )
    seen = everything_outside_the_console(facilitator, meeting_id, bob)
    assert "公園のトイレが夜暗い" in seen and "紙の付箋：朝市" in seen and SECRET not in seen
    with alice as c:
        assert SECRET not in c.get(f"/b/{meeting_id}").text  # hidden: gone from its author's phone too

    # Nothing left to let through: a clear message, nothing changes.
    again = post_form(facilitator, f"/f/sessions/{meeting_id}/notes/let-all-through", {}, htmx=True)
    assert again.status_code == 409 and "確認待ちの付箋はありません" in again.text
    once_more = post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{first}/let-through", {}, htmx=True)
    assert once_more.status_code == 409 and "確認待ちではありません" in once_more.text
    bad = post_form(facilitator, f"/f/sessions/{meeting_id}/screening", {"screened": "yes"}, htmx=True)
    assert bad.status_code == 422 and "「確認してから映す」の指定が正しくありません" in bad.text
    assert 'id="waiting-count">0<' in facilitator.get(f"/f/sessions/{meeting_id}").text


def test_an_authors_edit_waits_again_while_the_session_screens(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    note_id = post(alice, meeting_id, "坂道に手すりがほしい")["note_id"]  # before screening: shown
    screen(facilitator, meeting_id)
    with alice as c:
        edited = post_form(
            c, f"/b/{meeting_id}/notes/{note_id}/edit", {"kind": "concern", "text": SECRET}, htmx=True
        )
        assert edited.status_code == 200 and "note__badge--waiting" in edited.text and SECRET in edited.text
    seen = everything_outside_the_console(facilitator, meeting_id, bob)
    assert SECRET not in seen and "坂道に手すり" not in seen
    # Its author may fix it again while it waits; a facilitator lets the new words through.
    with alice as c:
        form = c.get(f"/b/{meeting_id}/notes/{note_id}/edit")
        assert form.status_code == 200
    post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{note_id}/let-through", {}, htmx=True)
    assert SECRET in everything_outside_the_console(facilitator, meeting_id, bob)


def test_the_session_form_sets_screened_mode_and_every_screen_follows(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator, screened="1")
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert "オフにする" in console
    assert 'name="screened" value="1" checked' in facilitator.get(f"/f/sessions/{meeting_id}/edit").text
    alice = join_as(facilitator, code)
    with alice as c:
        assert 'class="screening-line">送った付箋は、進行役がたしかめてから' in c.get(f"/b/{meeting_id}").text
    assert post(alice, meeting_id, SECRET)["waiting"] is True

    with board_socket(alice, meeting_id) as phone_ws:
        phone_ws.receive_text(timeout=WAIT)
        form = {
            "kind": "roundtable",
            "district_id": "tsurukawa",
            "title": "鶴川地区 地区別懇談会",
            "programme": "district-roundtable",
        }
        with staff as c:
            saved = post_form(c, f"/f/sessions/{meeting_id}", form)  # the box unticked
            assert saved.status_code == 303
        changed = phone_ws.receive_text(timeout=WAIT)
        assert 'id="screening-line"' in changed and "進行役がたしかめてから" not in changed
    assert "オンにする" in facilitator.get(f"/f/sessions/{meeting_id}").text
    assert post(alice, meeting_id, "ふつうの付箋")["waiting"] is False


# --- strangers -------------------------------------------------------------------------------


def test_strangers_cannot_screen_or_let_notes_through(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    other_id, other_code = create_open_meeting(facilitator, title="木曽地区の会", district_id="kiso")
    screen(facilitator, meeting_id)
    author = join_as(facilitator, code)
    note_id = post(author, meeting_id, SECRET)["note_id"]
    nobody, elsewhere = Person(facilitator), join_as(facilitator, other_code)
    paths = [
        (f"/f/sessions/{meeting_id}/screening", {"screened": "0"}),
        (f"/f/sessions/{meeting_id}/notes/{note_id}/let-through", {}),
        (f"/f/sessions/{meeting_id}/notes/let-all-through", {}),
    ]
    for person in (nobody, elsewhere, author):
        with person as c:
            for path, data in paths:
                answer = post_form(c, path, data, htmx=True)
                where = answer.headers.get("location", "") or answer.headers.get("hx-redirect", "")
                assert answer.status_code == 403 or where.startswith("/signin"), (path, answer.status_code)
    # Another session's screen cannot let this one's note through.
    wrong = post_form(facilitator, f"/f/sessions/{other_id}/notes/{note_id}/let-through", {}, htmx=True)
    assert wrong.status_code == 404
    assert SECRET not in everything_outside_the_console(facilitator, meeting_id, elsewhere)
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert 'id="waiting-count">1<' in console and "オフにする" in console  # nothing changed


# --- the services --------------------------------------------------------------------------


async def test_the_services_keep_a_waiting_note_to_the_console_and_its_author(db: AsyncSession) -> None:
    data = meetings.MeetingInput("roundtable", "tsurukawa", "福祉の懇談会", "問い", None, "", "", True)
    meeting = await meetings.create_meeting(db, data, created_by=None)
    staff = Actor(user_id=1)
    await meetings.set_status(db, meeting, staff, MeetingStatus.OPEN)
    author, _ = await boards.join_meeting(db, meeting)
    other, _ = await boards.join_meeting(db, meeting)
    change = await boards.post_note(db, meeting, author, kind="concern", text=SECRET)
    assert isinstance(change, BoardChange) and change.note is not None
    note_id = change.note.id
    assert change.note.waiting and change.note.hidden
    assert change.counts.notes_visible == 0 and change.counts.notes_waiting == 1

    assert (await boards.board_view(db, meeting, include_hidden=False)).notes == []
    own = await boards.board_view(db, meeting, include_hidden=False, waiting_of=author.id)
    assert [n.text for n in own.notes] == [SECRET]
    assert (await boards.board_view(db, meeting, include_hidden=False, waiting_of=other.id)).notes == []
    console = await boards.board_view(db, meeting, include_hidden=True)
    assert [n.id for n in console.waiting_notes] == [note_id] and console.notes_in(None) == []
    assert (await minutes.minutes_of(db, meeting)).view.notes == []

    with pytest.raises(Forbidden):  # a participant lets nothing through
        await screening.let_through(db, meeting, note_id, Actor.participant(other.id))
    let = await screening.let_through(db, meeting, note_id, staff)
    assert let.type == BoardEventType.NOTE_LET_THROUGH and let.note is not None and not let.note.hidden
    assert let.counts.notes_visible == 1 and let.counts.notes_waiting == 0
    assert [n.text for n in (await minutes.minutes_of(db, meeting)).view.notes] == [SECRET]

    off = await screening.set_screening(db, meeting, staff, screened=False)
    assert off.type == BoardEventType.SCREENING_CHANGED and off.board.screened is False
    assert off.meaning.board_level
    later = await boards.post_note(db, meeting, other, kind="idea", text="ふつうの付箋")
    assert isinstance(later, BoardChange) and later.note is not None and not later.note.waiting
