"""Acting on several notes at once from the console (issue 14): move the selection into a group, make
a new group of it, hide it all. Each note changed gets its own event and sequence number in the
same transaction; phones and the projector get the change live; a bad selection changes nothing,
says why in Japanese, and is never a 500; strangers are kept out."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards import clusters
from server.boards import service as boards
from server.boards.models import BoardEvent, BoardEventType, Note
from server.errors import UserError
from tests.conftest import create_open_meeting, csrf_token, join_as, post_form, send_note
from tests.test_live import WAIT, Person, board_socket, note_ids, removed_ids, seq_of
from tests.test_projects_http import promote_first_note
from tests.test_services import new_meeting

TEXTS = ["バスの本数が減った", "送り迎えをしてほしい", "運転ボランティアならできます", "朝市を開きたい"]


def select_and_post(client: TestClient[Litestar], path: str, note_ids: list[int], **fields: str):  # type: ignore[no-untyped-def]
    """The selection bar's post, as htmx sends it: note_id=…&note_id=… and the bar's fields."""
    pairs = [("note_id", str(n)) for n in note_ids] + list(fields.items())
    return client.post(
        path,
        content=urlencode(pairs),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-csrftoken": csrf_token(client),
            "hx-request": "true",
        },
    )


def board(client: TestClient[Litestar], meeting_id: int) -> tuple[dict[str, int], int]:
    """The console's notes (text -> id) and its sequence number."""
    page = client.get(f"/f/sessions/{meeting_id}").text
    ids = {
        text: int(m.group(1))
        for text in TEXTS
        if (m := re.search(r'<article id="note-(\d+)"(?:(?!</article>).)*' + re.escape(text), page, re.S))
    }
    return ids, seq_of(page)


def open_board(client: TestClient[Litestar]) -> tuple[int, Person, dict[str, int]]:
    meeting_id, code = create_open_meeting(client)
    phone = join_as(client, code)
    with phone as c:
        for i, text in enumerate(TEXTS):
            send_note(c, meeting_id, text, kind=("concern", "want", "offer", "idea")[i])
    return meeting_id, phone, board(client, meeting_id)[0]


def cluster_ids(page: str) -> list[int]:
    return [int(c) for c in re.findall(r'<section id="cluster-(\d+)"', page)]


def test_the_selection_moves_into_a_group_at_once_and_every_screen_sees_it(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, phone, ids = open_board(facilitator)
    post_form(facilitator, f"/f/sessions/{meeting_id}/clusters", {"name": "移動・送迎"}, htmx=True)
    console, seq = facilitator.get(f"/f/sessions/{meeting_id}").text, board(facilitator, meeting_id)[1]
    (cluster,) = cluster_ids(console)
    chosen = [ids["バスの本数が減った"], ids["送り迎えをしてほしい"], ids["運転ボランティアならできます"]]
    staff = Person(facilitator)
    staff.cookies = facilitator.cookies
    with board_socket(staff, meeting_id, after=seq, view="projector") as projector:
        with staff as c:
            moved = select_and_post(
                c, f"/f/sessions/{meeting_id}/selection/move", chosen, cluster_id=str(cluster)
            )
        assert moved.status_code == 204, moved.text
        message = projector.receive_text(timeout=WAIT)
    # One message with the three notes, each going into the group, and three more numbers.
    assert sorted(note_ids(message)) == sorted(chosen)
    assert message.count(f'data-into="#cluster-{cluster}-notes"') == 3
    assert seq_of(message) == seq + 3
    projector_page = facilitator.get(f"/f/sessions/{meeting_id}/projector").text
    group = projector_page.split(f'id="cluster-{cluster}-notes"', 1)[1].split("</section>", 1)[0]
    assert all(text in group for text in TEXTS[:3]) and "朝市を開きたい" not in group
    # A phone catching up gets the three notes (phones keep one flat list).
    with phone as c:
        caught = c.get(f"/b/{meeting_id}/events?after={seq}").text
    assert sorted(note_ids(caught)) == sorted(chosen) and seq_of(caught) == seq + 3

    # Back out of any group: the empty choice.
    out = select_and_post(facilitator, f"/f/sessions/{meeting_id}/selection/move", chosen[:1], cluster_id="")
    assert out.status_code == 204
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    ungrouped = console.split('id="notes"', 1)[1]
    assert "バスの本数が減った" in ungrouped


def test_a_new_group_from_the_selection_named_or_not(facilitator: TestClient[Litestar]) -> None:
    meeting_id, _, ids = open_board(facilitator)
    seq = board(facilitator, meeting_id)[1]
    chosen = [ids["朝市を開きたい"], ids["運転ボランティアならできます"]]
    made = select_and_post(
        facilitator, f"/f/sessions/{meeting_id}/selection/group", chosen, name="やってみたい"
    )
    assert made.status_code == 204, made.text
    projector = facilitator.get(f"/f/sessions/{meeting_id}/projector").text
    (cluster,) = cluster_ids(projector)
    group = projector.split(f'id="cluster-{cluster}"', 1)[1].split("</section>", 1)[0]
    assert "やってみたい" in group and "朝市を開きたい" in group and "運転ボランティア" in group
    assert "バスの本数" not in group
    assert board(facilitator, meeting_id)[1] == seq + 3  # the group and its two notes
    # No name: 「新しいグループ」.
    select_and_post(facilitator, f"/f/sessions/{meeting_id}/selection/group", [ids["バスの本数が減った"]])
    assert "新しいグループ" in facilitator.get(f"/f/sessions/{meeting_id}/projector").text
    too_long = select_and_post(
        facilitator,
        f"/f/sessions/{meeting_id}/selection/group",
        [ids["送り迎えをしてほしい"]],
        name="名" * 41,
    )
    assert too_long.status_code == 422 and "グループ名は40文字までです" in too_long.text
    assert len(cluster_ids(facilitator.get(f"/f/sessions/{meeting_id}").text)) == 2


def test_hiding_the_selection_removes_it_from_phones_projector_and_projects(
    coordinator: TestClient[Litestar],
) -> None:
    meeting_id, phone, ids = open_board(coordinator)
    project_id = promote_first_note(coordinator, meeting_id, "朝市を開きたい")
    seq = board(coordinator, meeting_id)[1]
    chosen = [ids["朝市を開きたい"], ids["送り迎えをしてほしい"]]
    staff = Person(coordinator)
    staff.cookies = coordinator.cookies
    with board_socket(phone, meeting_id, after=seq) as socket:
        with staff as c:
            hidden = select_and_post(c, f"/f/sessions/{meeting_id}/selection/hide", chosen)
        assert hidden.status_code == 204, hidden.text
        message = socket.receive_text(timeout=WAIT)
    assert sorted(removed_ids(message)) == sorted(chosen) and note_ids(message) == []
    assert "朝市を開きたい" not in message and "送り迎え" not in message
    with phone as c:
        page = c.get(f"/b/{meeting_id}").text
    projector = coordinator.get(f"/f/sessions/{meeting_id}/projector").text
    for screen in (page, projector, coordinator.get(f"/api/projects/{project_id}").text):
        assert "朝市を開きたい" not in screen and "送り迎えをしてほしい" not in screen
    assert "バスの本数が減った" in page and "バスの本数が減った" in projector
    console = coordinator.get(f"/f/sessions/{meeting_id}").text
    assert console.count("非表示中") == 2  # the console still has them, hidden


def test_a_bad_selection_changes_nothing_and_says_why(facilitator: TestClient[Litestar]) -> None:
    meeting_id, phone, ids = open_board(facilitator)
    other_id, other_code = create_open_meeting(facilitator, title="木曽地区の会", district_id="kiso")
    with join_as(facilitator, other_code) as c:
        send_note(c, other_id, "よその会の付箋")
    other_note = int(
        re.search(r'<article id="note-(\d+)"', facilitator.get(f"/f/sessions/{other_id}").text).group(1)
    )  # type: ignore[union-attr]
    post_form(facilitator, f"/f/sessions/{meeting_id}/clusters", {"name": "まとめ"}, htmx=True)
    post_form(facilitator, f"/f/sessions/{other_id}/clusters", {"name": "よそ"}, htmx=True)
    (cluster,) = cluster_ids(facilitator.get(f"/f/sessions/{meeting_id}").text)
    (other_cluster,) = cluster_ids(facilitator.get(f"/f/sessions/{other_id}").text)
    secret = ids["送り迎えをしてほしい"]
    post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{secret}/hide", {}, htmx=True)
    with phone as c:
        send_note(c, meeting_id, "あとで消す付箋")
        mine = c.get(f"/b/{meeting_id}").text
        gone = int(re.search(r'<article id="note-(\d+)"(?:(?!</article>).)*あとで消す', mine, re.S).group(1))  # type: ignore[union-attr]
        assert post_form(c, f"/b/{meeting_id}/notes/{gone}/delete", {}, htmx=True).status_code == 200
    before = facilitator.get(f"/f/sessions/{meeting_id}").text
    seq = seq_of(before)
    good = ids["バスの本数が減った"]
    base = f"/f/sessions/{meeting_id}/selection"
    cases = [
        ([], "move", {"cluster_id": str(cluster)}, 422, "付箋が選ばれていません"),
        ([], "group", {}, 422, "付箋が選ばれていません"),
        ([], "hide", {}, 422, "付箋が選ばれていません"),
        ([good, other_note], "move", {"cluster_id": str(cluster)}, 404, "この会にない付箋があります"),
        ([good, other_note], "hide", {}, 404, "この会にない付箋があります"),
        ([good, gone], "group", {}, 404, "この会にない付箋があります"),
        ([good, secret], "move", {"cluster_id": str(cluster)}, 409, "非表示の付箋は選べません"),
        ([good, secret], "group", {"name": "x"}, 409, "非表示の付箋は選べません"),
        ([good, secret], "hide", {}, 409, "非表示の付箋は選べません"),
        ([good], "move", {"cluster_id": str(other_cluster)}, 404, "このグループは見つかりませんでした"),
        ([good], "move", {"cluster_id": "abc"}, 422, "グループの指定が正しくありません"),
    ]
    for chosen, action, fields, status, message in cases:
        answer = select_and_post(facilitator, f"{base}/{action}", chosen, **fields)
        assert answer.status_code == status, (action, chosen, answer.status_code, answer.text)
        assert message in answer.text, (action, chosen, answer.text)
        if status in (404, 409) and "付箋" in message:
            assert "何も変えていません" in answer.text
    bad_ids = facilitator.post(
        f"{base}/hide",
        content="note_id=1&note_id=abc",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-csrftoken": csrf_token(facilitator),
            "hx-request": "true",
        },
    )
    assert bad_ids.status_code == 422 and "付箋の指定が正しくありません" in bad_ids.text
    too_many = select_and_post(facilitator, f"{base}/hide", list(range(1, 503)))
    assert too_many.status_code == 422 and "500枚まで" in too_many.text
    after = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert seq_of(after) == seq  # nothing was written
    assert after.count("非表示中") == 1 and "バスの本数が減った" in after.split('id="notes"', 1)[1]
    with join_as(facilitator, other_code) as c:
        assert "よその会の付箋" in c.get(f"/b/{other_id}").text
    # The same note many times over is one note (and not "too many").
    assert select_and_post(facilitator, f"{base}/hide", [good] * 501).status_code == 204
    assert seq_of(facilitator.get(f"/f/sessions/{meeting_id}").text) == seq + 1


def test_strangers_cannot_act_on_a_selection(facilitator: TestClient[Litestar]) -> None:
    meeting_id, phone, ids = open_board(facilitator)
    _, other_code = create_open_meeting(facilitator, title="木曽地区の会", district_id="kiso")
    seq = board(facilitator, meeting_id)[1]
    stranger, nobody = join_as(facilitator, other_code), Person(facilitator)
    for person in (phone, stranger, nobody):
        for action in ("move", "group", "hide"):
            with person as c:
                answer = select_and_post(
                    c, f"/f/sessions/{meeting_id}/selection/{action}", list(ids.values())
                )
            location = answer.headers.get("location", "") or answer.headers.get("hx-redirect", "")
            assert answer.status_code == 403 or location.startswith("/signin"), (action, answer.status_code)
    assert board(facilitator, meeting_id)[1] == seq


async def test_each_note_of_a_selection_gets_its_own_event_in_one_transaction(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    participant, _ = await boards.join_meeting(db, meeting)
    for text in TEXTS:
        await boards.post_note(db, meeting, participant, kind="idea", text=text)
    notes = list((await db.exec(select(Note).where(Note.meeting_id == meeting.id))).all())
    staff = Actor(user_id=1)
    made = await clusters.group_notes(db, meeting, [n.id or 0 for n in notes[:2]], staff, name="まとめ")
    (cluster_id,) = made.clusters
    moved = await clusters.move_notes(
        db, meeting, [n.id or 0 for n in notes[2:]], staff, cluster_id=cluster_id
    )
    hidden = (await boards.hide_notes(db, meeting, [notes[0].id or 0, notes[3].id or 0], staff))[0]
    assert (moved.first_seq, moved.seq) == (made.seq + 1, made.seq + 2)
    assert (hidden.first_seq, hidden.seq) == (moved.seq + 1, moved.seq + 2)
    events = (
        await db.exec(
            select(BoardEvent).where(BoardEvent.meeting_id == meeting.id, col(BoardEvent.seq) > made.seq)
        )
    ).all()
    assert sorted((e.seq, e.type, e.note_id) for e in events) == [
        (made.seq + 1, BoardEventType.NOTE_MOVED, notes[2].id),
        (made.seq + 2, BoardEventType.NOTE_MOVED, notes[3].id),
        (made.seq + 3, BoardEventType.NOTE_HIDDEN, notes[0].id),
        (made.seq + 4, BoardEventType.NOTE_HIDDEN, notes[3].id),
    ]
    assert all(state is not None and state.hidden for state in hidden.notes.values())
    # A participant is not staff: refused.
    with pytest.raises(UserError):
        await clusters.move_notes(
            db, meeting, [notes[1].id or 0], Actor(participant_id=participant.id), cluster_id=None
        )
