"""Tables (島) in one session (issue 15): setting them, table cards, joining and moving, table
work and the plenary on every screen, and the minutes per table."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards import rounds, tables
from server.boards import service as boards
from server.boards.events import BoardChange
from server.boards.live import Outgoing, Viewer
from server.boards.models import BoardEvent, BoardEventType, Note, Participant
from server.errors import ErrorKind, UserError
from server.meetings import service as meetings
from server.meetings.minutes import minutes_of, notes_table
from server.meetings.models import Meeting, MeetingStatus
from tests.conftest import Person, create_open_meeting, post_form
from tests.test_live import WAIT, assert_silent, board_socket, note_ids, post_note, seq_of

STAFF = Actor(user_id=1)


async def new_meeting(db: AsyncSession, title: str = "鶴川地区 地区別懇談会") -> Meeting:
    data = meetings.MeetingInput("roundtable", "tsurukawa", title, "10年後の鶴川は？", None, "", "")
    meeting = await meetings.create_meeting(db, data, created_by=None)
    await meetings.set_status(db, meeting, STAFF, MeetingStatus.OPEN)
    return meeting


async def with_tables(db: AsyncSession, meeting: Meeting, *names: str) -> list[tables.TableInfo]:
    await tables.set_tables(db, meeting, STAFF, names=list(names))
    return await tables.table_infos(db, meeting)


# --- the rules (services) -----------------------------------------------------------------


async def test_tables_are_set_by_number_with_letters_by_default_and_renamed_in_place(
    db: AsyncSession,
) -> None:
    meeting = await new_meeting(db)
    assert tables.clean_table_form({"count": "3", "name_2": " 駅前 "}) == ["A", "駅前", "C"]
    made = await with_tables(db, meeting, *tables.clean_table_form({"count": "3", "name_2": "駅前"}))
    assert [(t.name, t.code) for t in made] == [("A", "01"), ("駅前", "02"), ("C", "03")]
    assert meeting.table_count == 3
    renamed = await with_tables(db, meeting, "あおば", "駅前", "C", "D")
    assert [t.id for t in renamed[:3]] == [t.id for t in made]  # the same tables, renamed
    assert [t.name for t in renamed] == ["あおば", "駅前", "C", "D"]
    events = (await db.exec(select(BoardEvent.type).where(BoardEvent.meeting_id == meeting.id))).all()
    assert events.count(BoardEventType.TABLES_CHANGED) == 2


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"count": "x"}, "島の数は0から20まで"),
        ({"count": "21"}, "島の数は0から20まで"),
        ({"count": "2", "name_1": "B"}, "島の名前「B」が二つあります"),
        ({"count": "1", "name_1": "あ" * 21}, "島の名前は20文字まで"),
    ],
)
def test_a_wrong_table_form_says_what_to_fix(form: dict[str, str], message: str) -> None:
    with pytest.raises(UserError) as refused:
        tables.clean_table_form(form)
    assert message in str(refused.value.message)


async def test_a_table_with_notes_cannot_go_away_and_an_empty_one_unseats_its_people(
    db: AsyncSession,
) -> None:
    meeting = await new_meeting(db)
    _a, b, c = await with_tables(db, meeting, "A", "B", "C")
    at_b, _ = await boards.join_meeting(db, meeting, table=await tables.get_table(db, meeting, b.id))
    at_c, _ = await boards.join_meeting(db, meeting, table=await tables.get_table(db, meeting, c.id))
    await boards.post_note(db, meeting, at_b, kind="idea", text="Bの付箋")
    with pytest.raises(UserError) as refused:
        await tables.set_tables(db, meeting, STAFF, names=["A"])
    assert refused.value.kind == ErrorKind.CONFLICT and meeting.table_count == 3
    await with_tables(db, meeting, "A", "B")  # C had nobody's notes: it goes, its people stand
    await db.refresh(at_c)
    assert at_c.table_id is None and meeting.table_count == 2


async def test_a_note_stays_with_the_table_it_was_written_at(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    a, b = await with_tables(db, meeting, "A", "B")
    table_a = await tables.get_table(db, meeting, a.id)
    alice, joined = await boards.join_meeting(db, meeting, table=table_a)
    assert alice.table_id == a.id and joined.table_counts == {a.id: 1, b.id: 0}
    first = await boards.post_note(db, meeting, alice, kind="idea", text="Aで書いた")
    assert isinstance(first, BoardChange) and first.note is not None and first.note.table_id == a.id
    moved = await tables.choose_table(db, meeting, alice, Actor.participant(alice.id), b.id)
    assert moved.moved == {alice.id: b.id} and moved.table_counts == {a.id: 0, b.id: 1}
    second = await boards.post_note(db, meeting, alice, kind="idea", text="Bで書いた")
    assert isinstance(second, BoardChange) and second.note is not None and second.note.table_id == b.id
    notes = (await db.exec(select(Note.text, Note.table_id).order_by(col(Note.id)))).all()
    assert notes == [("Aで書いた", a.id), ("Bで書いた", b.id)]


async def test_only_the_participant_chooses_their_table_and_only_staff_move_people(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    other = await new_meeting(db, "木曽地区の会")
    a, b = await with_tables(db, meeting, "A", "B")
    (elsewhere,) = await with_tables(db, other, "X")
    alice, _ = await boards.join_meeting(db, meeting)
    bob, _ = await boards.join_meeting(db, meeting)
    with pytest.raises(UserError) as refused:
        await tables.choose_table(db, meeting, alice, Actor.participant(bob.id), a.id)
    assert refused.value.kind == ErrorKind.FORBIDDEN
    with pytest.raises(UserError) as refused:
        await tables.move_participant(db, meeting, Actor.participant(alice.id), bob.id or 0, a.id)
    assert refused.value.kind == ErrorKind.FORBIDDEN
    with pytest.raises(UserError) as refused:
        await tables.choose_table(db, meeting, alice, Actor.participant(alice.id), elsewhere.id)
    assert refused.value.kind == ErrorKind.NOT_FOUND  # another session's table
    change = await tables.move_participant(db, meeting, STAFF, bob.id or 0, b.id)
    assert change.type == BoardEventType.TABLE_CHOSEN and change.moved == {bob.id: b.id}
    assert (await db.get(Participant, bob.id)).table_id == b.id  # type: ignore[union-attr]


async def test_table_work_needs_tables_and_travels_with_every_change(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    with pytest.raises(UserError) as refused:
        await tables.set_table_work(db, meeting, STAFF, on=True)
    assert "島がないので" in str(refused.value.message)
    with pytest.raises(UserError):
        await tables.set_table_work(db, meeting, Actor.participant(1), on=False)
    await with_tables(db, meeting, "A", "B")
    change = await tables.set_table_work(db, meeting, STAFF, on=True)
    assert change.type == BoardEventType.TABLE_MODE_CHANGED and change.board.table_work
    assert change.meaning.reloads_phones and not change.meaning.reloads_screens
    plenary = await tables.set_table_work(db, meeting, STAFF, on=False)
    assert not plenary.board.table_work
    await tables.set_table_work(db, meeting, STAFF, on=True)
    await tables.set_tables(db, meeting, STAFF, names=[])  # no tables: back to one board
    assert not meeting.table_work and meeting.table_count == 0


async def test_staff_entry_chooses_a_table_of_this_session(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    other = await new_meeting(db, "木曽地区の会")
    _a, b = await with_tables(db, meeting, "A", "B")
    (elsewhere,) = await with_tables(db, other, "X")
    with pytest.raises(UserError) as refused:
        await boards.post_note_for_someone(db, meeting, STAFF, kind="idea", text="紙の付箋")
    assert "どの島の付箋か" in str(refused.value.message)
    with pytest.raises(UserError) as refused:
        await boards.post_note_for_someone(db, meeting, STAFF, kind="idea", text="紙", table_id=elsewhere.id)
    assert refused.value.kind == ErrorKind.NOT_FOUND
    change = await boards.post_note_for_someone(
        db, meeting, STAFF, kind="idea", text="紙の付箋", table_id=b.id
    )
    assert change.note is not None and change.note.table_id == b.id and change.note.by_staff


def test_a_table_cards_code_is_the_session_code_and_two_digits() -> None:
    assert meetings.split_join_code("482 917 03") == ("482917", "03")
    assert meetings.split_join_code("４８２９１７") == ("482917", "")


async def test_the_minutes_carry_the_table_of_each_note(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    _a, b = await with_tables(db, meeting, "A", "B")
    alice, _ = await boards.join_meeting(db, meeting, table=await tables.get_table(db, meeting, b.id))
    await boards.post_note(db, meeting, alice, kind="want", text="Bの朝市")
    minutes = await minutes_of(db, meeting)
    table = notes_table(minutes)
    assert table.columns[-1] == "島"
    assert [row[-1] for row in table.rows] == ["島 B"]
    assert [(t.name, t.participants) for t in minutes.view.tables] == [("A", 0), ("B", 1)]


async def test_the_live_layer_renders_once_per_kind_of_viewer_and_table(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    a, b = await with_tables(db, meeting, "A", "B")
    alice, _ = await boards.join_meeting(db, meeting, table=await tables.get_table(db, meeting, a.id))
    await tables.set_table_work(db, meeting, STAFF, on=True)
    change = await boards.post_note(db, meeting, alice, kind="idea", text="Aの話")
    assert isinstance(change, BoardChange)
    outgoing = Outgoing(change)
    at_a = [Viewer("phone", meeting.id or 0, 100 + i, "ja", a.id) for i in range(3)]
    at_b = [Viewer("phone", meeting.id or 0, 200 + i, "ja", b.id) for i in range(3)]
    fragments_a = {id(outgoing.fragment_for(v)) for v in at_a}
    fragments_b = {id(outgoing.fragment_for(v)) for v in at_b}
    assert len(fragments_a) == 1 and len(fragments_b) == 1  # rendered once per table, not per phone
    assert "Aの話" in outgoing.fragment_for(at_a[0])
    assert "Aの話" not in outgoing.fragment_for(at_b[0]) and "<article" not in outgoing.fragment_for(at_b[0])
    assert "Aの話" in outgoing.fragment_for(Viewer("projector", meeting.id or 0, locale="ja"))
    # In the plenary every phone shares one rendering and sees every table.
    await tables.set_table_work(db, meeting, STAFF, on=False)
    plenary = await boards.post_note(db, meeting, alice, kind="idea", text="全体で")
    assert isinstance(plenary, BoardChange)
    shared = Outgoing(plenary)
    assert shared.fragment_for(at_a[0]) is shared.fragment_for(at_b[0])
    assert "全体で" in shared.fragment_for(at_b[0])


# --- over HTTP: the table page, the cards, joining ------------------------------------------


def table_ids(client: TestClient[Litestar], meeting_id: int) -> dict[str, int]:
    page = client.get(f"/f/sessions/{meeting_id}").text
    return {
        name: int(table_id)
        for table_id, name in re.findall(
            r'<h3 id="table-(\d+)-name" class="table-column__name">島 (\S+) ', page
        )
    }


def set_tables(client: TestClient[Litestar], meeting_id: int, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return post_form(client, f"/f/sessions/{meeting_id}/tables", data)


def join_table(client: TestClient[Litestar], code: str, table_code: str) -> Person:
    person = Person(client)
    with person as c:
        response = post_form(c, f"/join/{code}", {"nickname": "", "affiliation": "", "table": table_code})
        assert response.status_code == 303, response.text
    return person


def test_the_facilitator_sets_tables_and_prints_a_card_per_table(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    assert "島（テーブル）に分ける" in facilitator.get(f"/f/sessions/{meeting_id}").text
    wrong = set_tables(facilitator, meeting_id, {"count": "30"})
    assert wrong.status_code == 422 and "島の数は0から20まで" in wrong.text
    assert set_tables(facilitator, meeting_id, {"count": "3", "name_1": "あおば"}).status_code == 303
    page = facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    assert 'value="あおば"' in page and 'value="B"' in page and f"{code}02" in page
    ids = table_ids(facilitator, meeting_id)
    assert list(ids) == ["あおば", "B", "C"]
    cards = facilitator.get(f"/f/sessions/{meeting_id}/tables/cards").text
    assert cards.count('class="table-card"') == 3 and "島 あおば" in cards and "10年後の鶴川は？" in cards
    assert f"{code[:3]} {code[3:]} 02" in cards and f"/tables/{ids['B']}/qr.svg" in cards
    qr = facilitator.get(f"/f/sessions/{meeting_id}/tables/{ids['B']}/qr.svg")
    assert (
        qr.status_code == 200 and "<svg" in qr.text and qr.headers["content-type"].startswith("image/svg+xml")
    )
    other_id, _ = create_open_meeting(facilitator, title="木曽地区の会", district_id="kiso")
    assert facilitator.get(f"/f/sessions/{other_id}/tables/{ids['B']}/qr.svg").status_code == 404


def test_joining_by_the_session_code_asks_which_table_and_a_card_joins_straight(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    stranger = Person(facilitator)
    with stranger as c:
        page = c.get(f"/join/{code}").text
        assert 'name="table" value="01"' in page and 'name="table" value="02"' in page
        refused = post_form(c, f"/join/{code}", {"nickname": ""})
        assert refused.status_code == 422 and "座っている島を選んでください" in refused.text
        # A table card's eight digits, typed on the start page, lead to that table.
        typed = post_form(c, "/join", {"code": f"{code[:3]} {code[3:]} 02"})
        assert typed.headers["location"] == f"/join/{code}?t=02"
        card = c.get(f"/join/{code}?t=02").text
        assert "島 B" in card and 'name="table"' not in card
        joined = post_form(c, f"/join/{code}?t=02", {"nickname": ""})
        assert joined.status_code == 303
        phone = c.get(f"/b/{meeting_id}").text
        assert "あなたの島：B" in phone
        # Scanning another table's card offers to move; moving is one button.
        offered = c.get(f"/b/{meeting_id}?t=01").text
        assert "島 A に移る" in offered
        table_a = re.search(
            r'name="table_id" value="(\d+)">\s*<button type="submit" class="button button--primary">島 A に移る',
            offered,
        )
        assert table_a
        assert post_form(c, f"/b/{meeting_id}/table", {"table_id": table_a.group(1)}).status_code == 303
        assert "あなたの島：A" in c.get(f"/b/{meeting_id}").text
        assert post_form(c, f"/b/{meeting_id}/table", {"table_id": "x"}).status_code == 422


def test_staff_entry_at_a_table_and_the_minutes_per_table(facilitator: TestClient[Litestar]) -> None:
    meeting_id, _code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    ids = table_ids(facilitator, meeting_id)
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert 'id="proxy-table"' in console
    sent = post_form(
        facilitator,
        f"/f/sessions/{meeting_id}/notes",
        {"kind": "idea", "text": "紙の付箋", "table_id": str(ids["B"])},
        htmx=True,
    )
    assert sent.status_code == 200 and "「代理入力」として貼りました。" in sent.text
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    column_b = console.split(f'id="table-{ids["B"]}-notes"', 1)[1].split("</section>", 1)[0]
    assert "紙の付箋" in column_b
    minutes = facilitator.get(f"/f/sessions/{meeting_id}/minutes").text
    assert "島ごとの付箋" in minutes and "島 B（0人・付箋1枚）" in minutes
    csv = facilitator.get(f"/f/sessions/{meeting_id}/exports/notes.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith(",島") and csv.splitlines()[1].endswith(",島 B")


# --- live: a phone at table B during table work, and in the plenary -------------------------


def test_a_phone_at_table_b_gets_table_bs_notes_during_table_work_and_everything_in_plenary(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    alice = join_table(facilitator, code, "01")
    bob, carol = join_table(facilitator, code, "02"), join_table(facilitator, code, "02")
    with staff as c:
        assert post_form(c, f"/f/sessions/{meeting_id}/tables/mode/work", {}, htmx=True).status_code == 204
    with (
        board_socket(alice, meeting_id) as alice_ws,
        board_socket(bob, meeting_id) as bob_ws,
        board_socket(carol, meeting_id) as carol_ws,
        board_socket(staff, meeting_id, view="projector") as projector_ws,
    ):
        for socket in (alice_ws, bob_ws, carol_ws, projector_ws):
            socket.receive_text(timeout=WAIT)
        post_note(alice, meeting_id, "Aの島の話")
        to_alice, to_bob = alice_ws.receive_text(timeout=WAIT), bob_ws.receive_text(timeout=WAIT)
        assert "Aの島の話" in to_alice and "Aの島の話" not in to_bob and note_ids(to_bob) == []
        assert seq_of(to_bob) == seq_of(to_alice)  # B's phone still counts the room and keeps the seq
        assert "Aの島の話" not in carol_ws.receive_text(timeout=WAIT)
        projector = projector_ws.receive_text(timeout=WAIT)
        assert "Aの島の話" in projector and 'data-into="#table-' in projector
        post_note(bob, meeting_id, "Bの島の話")
        assert "Bの島の話" in carol_ws.receive_text(timeout=WAIT)
        assert "Bの島の話" not in alice_ws.receive_text(timeout=WAIT)
        projector_ws.receive_text(timeout=WAIT)
        bob_ws.receive_text(timeout=WAIT)
        # The phone's page during table work: its table's notes only.
        with bob as c:
            page = c.get(f"/b/{meeting_id}").text
        assert "Bの島の話" in page and "Aの島の話" not in page and "テーブルワーク中" in page
        # The plenary: every phone loads its page again, and then sees every table.
        with staff as c:
            assert (
                post_form(c, f"/f/sessions/{meeting_id}/tables/mode/plenary", {}, htmx=True).status_code
                == 204
            )
        for socket in (alice_ws, bob_ws, carol_ws):
            assert "data-reload-page" in socket.receive_text(timeout=WAIT)
        assert "data-reload-page" not in projector_ws.receive_text(timeout=WAIT)
        post_note(alice, meeting_id, "全体共有で")
        assert "全体共有で" in bob_ws.receive_text(timeout=WAIT)
    with bob as c:
        page = c.get(f"/b/{meeting_id}").text
    assert "Aの島の話" in page and "Bの島の話" in page and "全体共有で" in page


def test_a_phone_the_facilitator_moves_follows_its_new_table(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    ids = table_ids(facilitator, meeting_id)
    alice, bob = join_table(facilitator, code, "01"), join_table(facilitator, code, "02")
    with staff as c:
        post_form(c, f"/f/sessions/{meeting_id}/tables/mode/work", {}, htmx=True)
        tables_page = c.get(f"/f/sessions/{meeting_id}/tables").text
    bob_id = re.findall(r"/participants/(\d+)/table", tables_page)[1]
    with board_socket(alice, meeting_id) as alice_ws, board_socket(bob, meeting_id) as bob_ws:
        alice_ws.receive_text(timeout=WAIT)
        bob_ws.receive_text(timeout=WAIT)
        with staff as c:
            moved = post_form(
                c, f"/f/sessions/{meeting_id}/participants/{bob_id}/table", {"table_id": str(ids["A"])}
            )
            assert moved.status_code == 303
        assert "data-reload-page" in bob_ws.receive_text(timeout=WAIT)
        assert "data-reload-page" not in alice_ws.receive_text(timeout=WAIT)
        post_note(alice, meeting_id, "Aにようこそ")
        assert "Aにようこそ" in bob_ws.receive_text(timeout=WAIT)  # the socket renders for table A now
        alice_ws.receive_text(timeout=WAIT)
        assert_silent(bob_ws)
    with staff as c:
        counts = c.get(f"/f/sessions/{meeting_id}").text
    assert f'<span id="table-{ids["A"]}-count">2</span>' in counts


# --- world-café rounds -------------------------------------------------------------------------

NINE = {1: 10, 2: 10, 3: 10, 4: 20, 5: 20, 6: 20, 7: 30, 8: 30, 9: 30}


@pytest.mark.parametrize("seed", range(12))
def test_a_reshuffle_keeps_the_hosts_and_nobody_meets_again(seed: int) -> None:
    plan = rounds.reshuffle(NINE, [10, 20, 30], hosts=[1, 4, 7], seed=seed)
    assert [plan[host] for host in (1, 4, 7)] == [10, 20, 30]
    assert sorted(Counter(plan.values()).values()) == [3, 3, 3]
    assert rounds.repeated_pairs(plan, rounds.pairs_at(NINE)) == set()
    assert all(plan[person] != NINE[person] for person in (2, 3, 5, 6, 8, 9))


def test_a_reshuffle_is_the_same_for_the_same_seed_and_spreads_affiliations() -> None:
    assert rounds.reshuffle(NINE, [10, 20, 30], hosts=[1], seed=7) == rounds.reshuffle(
        NINE, [10, 20, 30], hosts=[1], seed=7
    )
    plans = {tuple(sorted(rounds.reshuffle(NINE, [10, 20, 30], seed=s).items())) for s in range(6)}
    assert len(plans) > 1  # the seed draws among the equally good
    # Nine people not seated yet, three of them 行政 staff: the staff end up at three tables.
    staff = {2: "行政", 3: "行政", 4: "行政"}
    unseated: dict[int, int | None] = dict.fromkeys(range(1, 10))
    for seed in range(6):
        plan = rounds.reshuffle(unseated, [10, 20, 30], affiliations=staff, seed=seed)
        assert len({plan[p] for p in staff}) == 3 and sorted(Counter(plan.values()).values()) == [3, 3, 3]
    # Where meeting again cannot be avoided (two tables, six people), as few pairs as can be.
    six = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2}
    plan = rounds.reshuffle(six, [1, 2], seed=0)
    assert len(rounds.repeated_pairs(plan, rounds.pairs_at(six))) == 2  # 2+1 at each table: 1 + 1


async def test_a_round_moves_everyone_but_the_hosts_and_notes_stay(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    infos = await with_tables(db, meeting, "A", "B", "C")
    people = []
    for info in infos:
        table = await tables.get_table(db, meeting, info.id)
        for _ in range(3):
            people.append((await boards.join_meeting(db, meeting, table=table))[0])
    hosts = people[::3]
    for host in hosts:
        await tables.set_host(db, meeting, STAFF, host.id or 0, host=True)
    with pytest.raises(UserError):
        await tables.set_host(db, meeting, Actor.participant(people[1].id), people[1].id or 0, host=True)
    await boards.post_note(db, meeting, people[1], kind="idea", text="最初の島で")
    before = {p.id: p.table_id for p in people}
    change = await tables.start_round(db, meeting, STAFF)
    assert change.type == BoardEventType.TABLE_ROUND_STARTED and change.meaning.reloads_phones
    assert meeting.table_round == 1
    after = {p.id: (await db.get(Participant, p.id)).table_id for p in people}  # type: ignore[union-attr]
    assert all(after[h.id] == before[h.id] for h in hosts)
    assert set(change.moved) == {p.id for p in people if p not in hosts}
    assert all(after[p] != before[p] for p in change.moved)
    note = (await db.exec(select(Note).where(Note.text == "最初の島で"))).one()
    assert note.table_id == before[people[1].id]
    again = await tables.start_round(db, meeting, STAFF, seed=5)
    assert meeting.table_round == 2 and again.seq > change.seq


def test_a_table_host_hides_notes_of_their_own_table_only(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    host, guest, other = (
        join_table(facilitator, code, "01"),
        join_table(facilitator, code, "01"),
        join_table(facilitator, code, "02"),
    )
    post_note(guest, meeting_id, "Aの島：家族のこと")
    post_note(other, meeting_id, "Bの島：駅前")
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    ids = dict(
        re.findall(r'<article id="note-(\d+)".*?<p class="note__text" hx-disable>([^<]+)</p>', console, re.S)
    )
    note_a = next(n for n, text in ids.items() if text.startswith("Aの島"))
    note_b = next(n for n, text in ids.items() if text.startswith("Bの島"))
    with guest as c:  # not a host yet
        assert post_form(c, f"/b/{meeting_id}/notes/{note_a}/hide", {}, htmx=True).status_code == 403
    host_id = re.findall(
        r"/participants/(\d+)/host", facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    )[0]
    with board_socket(host, meeting_id) as host_ws, board_socket(other, meeting_id) as other_ws:
        host_ws.receive_text(timeout=WAIT)
        other_ws.receive_text(timeout=WAIT)
        with staff as c:
            assert (
                post_form(
                    c, f"/f/sessions/{meeting_id}/participants/{host_id}/host", {"host": "1"}
                ).status_code
                == 303
            )
        assert "data-reload-page" in host_ws.receive_text(timeout=WAIT)  # the host's phone gets its controls
        other_ws.receive_text(timeout=WAIT)
        with host as c:
            page = c.get(f"/b/{meeting_id}").text
            assert f"/b/{meeting_id}/notes/{note_a}/hide" in page and f"/notes/{note_b}/hide" not in page
            assert post_form(c, f"/b/{meeting_id}/notes/{note_b}/hide", {}, htmx=True).status_code == 403
            assert post_form(c, f"/b/{meeting_id}/notes/{note_a}/hide", {}, htmx=True).status_code == 204
        hidden = other_ws.receive_text(timeout=WAIT)
        assert f'<div id="note-{note_a}" hx-swap-oob="delete">' in hidden and "家族のこと" not in hidden
        assert "家族のこと" not in host_ws.receive_text(timeout=WAIT)
    with guest as c:
        assert "家族のこと" not in c.get(f"/b/{meeting_id}").text
    with staff as c:
        assert "家族のこと" in c.get(f"/f/sessions/{meeting_id}").text  # the console still has it
        minutes = c.get(f"/f/sessions/{meeting_id}/minutes").text
    assert "Bの島：駅前" in minutes and "家族のこと" not in minutes


async def test_a_third_round_keeps_apart_who_met_in_either_earlier_round(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    infos = await with_tables(db, meeting, "A", "B", "C")
    people = []
    for info in infos:
        table = await tables.get_table(db, meeting, info.id)
        for _ in range(3):
            people.append((await boards.join_meeting(db, meeting, table=table))[0])
    for host in people[::3]:
        await tables.set_host(db, meeting, STAFF, host.id or 0, host=True)

    async def seating() -> dict[int, int]:
        rows = await db.exec(
            select(Participant.id, Participant.table_id).where(Participant.meeting_id == meeting.id)
        )
        return {int(p): int(t) for p, t in rows.all() if p is not None and t is not None}

    first = await seating()
    await tables.start_round(db, meeting, STAFF)
    second = await seating()
    await tables.start_round(db, meeting, STAFF)
    third = await seating()
    assert rounds.repeated_pairs(second, rounds.pairs_at(first)) == set()
    assert rounds.repeated_pairs(third, rounds.pairs_at(first) | rounds.pairs_at(second)) == set()
    assert await tables.earlier_pairs(db, meeting.id or 0) == rounds.pairs_at(first) | rounds.pairs_at(second)


def test_one_table_presents_on_the_projector_and_a_phone_at_another_table_does_not_see_it_in_table_work(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    ids = table_ids(facilitator, meeting_id)
    at_a, at_b = join_table(facilitator, code, "01"), join_table(facilitator, code, "02")
    post_note(at_a, meeting_id, "Aの発表：空き家")
    post_note(at_b, meeting_id, "Bの発表：ベンチ")
    with staff as c:
        other_id, _ = create_open_meeting(c, title="木曽地区の会", district_id="kiso")
        refused = post_form(c, f"/f/sessions/{other_id}/spotlight", {"table_id": str(ids["B"])}, htmx=True)
        assert refused.status_code == 404  # another session's table
        assert (
            post_form(
                c, f"/f/sessions/{meeting_id}/spotlight", {"table_id": str(ids["B"])}, htmx=True
            ).status_code
            == 204
        )
        projector = c.get(f"/b/{meeting_id}/spotlight?view=projector").text
        assert "島 Bの発表" in projector and "ベンチ" in projector and "空き家" not in projector
        post_form(c, f"/f/sessions/{meeting_id}/tables/mode/work", {}, htmx=True)
    with at_a as c:  # table work: table A's phone sees nothing of table B, in the spotlight either
        assert "ベンチ" not in c.get(f"/b/{meeting_id}/spotlight?view=phone").text
    with at_b as c:
        assert "ベンチ" in c.get(f"/b/{meeting_id}/spotlight?view=phone").text
    with board_socket(staff, meeting_id, view="projector") as projector_ws:
        projector_ws.receive_text(timeout=WAIT)
        post_note(at_b, meeting_id, "Bの発表：もう一枚")
        # A note of the presenting table reloads the spotlight on the projector.
        assert 'id="spotlight-slot"' in projector_ws.receive_text(timeout=WAIT)


async def test_a_programmes_phases_start_table_work_and_the_plenary_when_there_are_tables(
    db: AsyncSession,
) -> None:
    from server.meetings import flow

    data = meetings.MeetingInput("roundtable", "tsurukawa", "懇談会", "問い", None, "", "district-roundtable")
    without = await meetings.create_meeting(db, data, created_by=None)
    await meetings.set_status(db, without, STAFF, MeetingStatus.OPEN)
    keys = [phase.key for phase in flow.phases_of(without)]
    divergence, grouping = keys.index("divergence"), keys.index("grouping")
    plain = await flow.go_to_phase(db, without, STAFF, divergence)
    assert plain.type == BoardEventType.PHASE_CHANGED and not without.table_work  # no tables: one board
    with_tables_meeting = await meetings.create_meeting(db, data, created_by=None)
    await meetings.set_status(db, with_tables_meeting, STAFF, MeetingStatus.OPEN)
    await with_tables(db, with_tables_meeting, "A", "B")
    work = await flow.go_to_phase(db, with_tables_meeting, STAFF, divergence)
    assert work.type == BoardEventType.TABLE_MODE_CHANGED and work.board.table_work
    assert work.board.phase_index == divergence  # the phase moved on too
    plenary = await flow.go_to_phase(db, with_tables_meeting, STAFF, grouping)
    assert plenary.type == BoardEventType.TABLE_MODE_CHANGED and not plenary.board.table_work
    voting = await flow.go_to_phase(db, with_tables_meeting, STAFF, grouping + 1)
    assert voting.type == BoardEventType.PHASE_CHANGED  # a phase that says nothing leaves the room as it is


def test_a_tables_own_wall_shows_and_receives_that_table_only(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    ids = table_ids(facilitator, meeting_id)
    at_a, at_b = join_table(facilitator, code, "01"), join_table(facilitator, code, "02")
    post_note(at_a, meeting_id, "Aの壁：一枚目")
    post_note(at_b, meeting_id, "Bの壁：一枚目")
    with staff as c:
        wall = c.get(f"/f/sessions/{meeting_id}/tables/{ids['A']}/wall").text
        assert "Aの壁：一枚目" in wall and "Bの壁" not in wall and f"{code[:3]} {code[3:]} 01" in wall
        assert f"view=projector&amp;table={ids['A']}" in wall
    with board_socket(staff, meeting_id, view=f"projector&table={ids['A']}") as wall_ws:
        wall_ws.receive_text(timeout=WAIT)
        post_note(at_b, meeting_id, "Bの壁：二枚目")
        from_b = wall_ws.receive_text(timeout=WAIT)
        assert "二枚目" not in from_b and note_ids(from_b) == []
        post_note(at_a, meeting_id, "Aの壁：二枚目")
        assert "Aの壁：二枚目" in wall_ws.receive_text(timeout=WAIT)
        join_table(facilitator, code, "02")  # someone sits at B: the wall of A gets no count of B
        assert f'id="table-{ids["B"]}-count"' not in wall_ws.receive_text(timeout=WAIT)


def test_a_project_keeps_the_table_its_note_came_from(coordinator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    set_tables(coordinator, meeting_id, {"count": "2", "name_2": "駅前"})
    at_b = join_table(coordinator, code, "02")
    post_note(at_b, meeting_id, "駅前にベンチを置きたい", kind="want")
    console = coordinator.get(f"/f/sessions/{meeting_id}").text
    note = re.search(r'<article id="note-(\d+)"', console).group(1)  # type: ignore[union-attr]
    promoted = post_form(
        coordinator,
        f"/f/sessions/{meeting_id}/promote",
        {"note": note, "title": "駅前のベンチ", "status": "idea"},
    )
    assert promoted.status_code in (200, 303), promoted.text
    project = re.search(r'/c/projects/(\d+)"', coordinator.get("/c/projects").text)
    assert project
    assert "・ 島 駅前" in coordinator.get(f"/c/projects/{project.group(1)}").text
    origins = coordinator.get(f"/api/projects/{project.group(1)}").json()["origins"]
    assert [(o["text"], o["table"]) for o in origins] == [("駅前にベンチを置きたい", "駅前")]


@pytest.mark.parametrize("raw", ["²", "１", "9" * 25])
def test_an_odd_table_or_staff_id_gets_a_message_not_a_server_error(
    facilitator: TestClient[Litestar], raw: str
) -> None:
    """A stranger's form fields: a digit that is not ASCII (int() refuses it) or an id too long for
    the database's integer are refused with a message when a phone chooses its table."""
    meeting_id, code = create_open_meeting(facilitator)
    with join_table(facilitator, code, "") as phone:  # the form is read before any table is looked up
        answer = post_form(phone, f"/b/{meeting_id}/table", {"table_id": raw})
        assert answer.status_code == 422, answer.text
        assert "島を一覧から選んでください" in answer.text


@pytest.mark.parametrize("raw", ["²", "9" * 25])
def test_an_odd_goal_id_in_the_project_list_filter_shows_the_list_not_a_server_error(
    coordinator: TestClient[Litestar], raw: str
) -> None:
    """The project list's goal filter from a hand-edited address: ignored, the list is shown."""
    answer = coordinator.get("/c/projects", params={"goal": raw})
    assert answer.status_code == 200, answer.text
    assert "プロジェクト" in answer.text
