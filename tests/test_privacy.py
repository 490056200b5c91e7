"""Privacy: participants remove their nickname, an admin erases a participant, retention retires old notes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.accounts.service import create_user
from server.boards import service as boards
from server.boards.models import Note, Participant
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingStatus
from server.privacy.service import retire_old_notes
from server.projects import service as projects
from server.timeutil import utcnow
from tests.conftest import create_facilitator, create_open_meeting, join_as, post_form, send_note, sign_in
from tests.test_live import WAIT, board_socket, removed_ids


def test_a_participant_removes_their_nickname(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code, nickname="さくら") as c:
        assert "あなたは「さくら」" in c.get(f"/b/{meeting_id}").text
        assert post_form(c, f"/b/{meeting_id}/me/forget", {}).status_code == 303
        page = c.get(f"/b/{meeting_id}").text
    assert "さくら" not in page and "ニックネームと所属を消す" not in page


def test_an_admin_erases_a_participants_data_live(client: TestClient[Litestar]) -> None:
    from tests.conftest import Person

    create_facilitator(client, roles="facilitator admin", email="admin@example.jp")
    sign_in(client, "admin@example.jp")
    meeting_id, code = create_open_meeting(client)
    asking, other = join_as(client, code, nickname="消してほしい人"), join_as(client, code)
    with asking as c:
        send_note(c, meeting_id, "消してほしい付箋")
    with other as c:
        send_note(c, meeting_id, "残る付箋")
    page = client.get(f"/admin/sessions/{meeting_id}/participants").text
    assert "消してほしい人" in page and "消してほしい付箋" not in page  # numbers and counts, not the notes
    first_id = re.findall(r"/participants/(\d+)/erase", page)[0]
    staff = Person(client)
    staff.cookies = client.cookies
    with board_socket(other, meeting_id) as socket:
        socket.receive_text(timeout=WAIT)
        with staff as c:
            assert (
                post_form(c, f"/admin/sessions/{meeting_id}/participants/{first_id}/erase", {}).status_code
                == 303
            )
        assert removed_ids(socket.receive_text(timeout=WAIT))
    projector = client.get(f"/f/sessions/{meeting_id}/projector").text
    assert "消してほしい付箋" not in projector and "残る付箋" in projector
    assert 'id="participant-count">2<' in projector  # still counted as an attendee
    assert "消してほしい人" not in client.get(f"/admin/sessions/{meeting_id}/participants").text


async def test_retention_anonymises_or_removes_old_notes_and_keeps_projects(db: AsyncSession) -> None:
    user = await create_user(db, "r@example.jp", "password-123", roles="facilitator coordinator")
    data = meetings.MeetingInput("roundtable", "tsurukawa", "昔の会", "", None, "", "")
    old = await meetings.create_meeting(db, data, created_by=None)
    await meetings.set_status(db, old, Actor(user_id=1), MeetingStatus.OPEN)
    person, _ = await boards.join_meeting(db, old, nickname="むかしの人", affiliation="市民")
    change = await boards.post_note(db, old, person, kind="idea", text="昔の付箋")
    assert not isinstance(change, Note)
    project, _ = await projects.promote(
        db,
        old,
        Actor.staff(user),
        projects.ProjectInput("朝市", "", "idea", "", [], []),
        note_id=change.note_id,
    )
    await meetings.set_status(db, old, Actor(user_id=1), MeetingStatus.CLOSED)
    recent = await meetings.create_meeting(db, data, created_by=None)
    await meetings.set_status(db, recent, Actor(user_id=1), MeetingStatus.OPEN)
    await meetings.set_status(db, recent, Actor(user_id=1), MeetingStatus.CLOSED)
    old.closed_at = utcnow() - timedelta(days=400)
    await db.commit()

    anonymised = await retire_old_notes(db, months=12, remove=False)
    assert (anonymised.sessions, anonymised.notes) == (1, 1)
    note = (await db.exec(select(Note).where(Note.meeting_id == old.id))).one()
    people = (await db.exec(select(Participant).where(Participant.meeting_id == old.id))).all()
    assert note.participant_id is None and note.text == "昔の付箋"
    assert all((p.nickname, p.affiliation) == ("", "") for p in people) and len(people) == 1
    removed = await retire_old_notes(db, months=12, remove=True)
    assert (
        removed.notes == 1 and (await db.exec(select(Note).where(Note.meeting_id == old.id))).first() is None
    )
    assert [o.text for o in await projects.origins_of(db, project.id or 0)] == [
        "昔の付箋"
    ]  # the project keeps its origin
    assert (await db.get(Meeting, recent.id)) is not None


@pytest.mark.parametrize("how", ["author deletes", "admin erases"])
def test_a_removed_note_takes_its_text_out_of_the_project_it_became(
    client: TestClient[Litestar], how: str
) -> None:
    from tests.conftest import Person
    from tests.test_projects_http import (
        SECRET,
        everything_outside_the_console,
        note_id_of,
        promote_with_the_prefill,
    )

    create_facilitator(client, roles="facilitator coordinator admin", email="all@example.jp")
    sign_in(client, "all@example.jp")
    meeting_id, code = create_open_meeting(client)
    author = join_as(client, code)
    with author as c:
        send_note(c, meeting_id, SECRET)
    note_id = note_id_of(client, meeting_id, SECRET)
    project_id = promote_with_the_prefill(client, meeting_id, note_id)
    assert SECRET in client.get(f"/api/projects/{project_id}").text
    if how == "author deletes":
        with author as c:
            deleted = post_form(c, f"/b/{meeting_id}/notes/{note_id}/delete", {}, htmx=True)
            assert deleted.status_code == 200
    else:
        page = client.get(f"/admin/sessions/{meeting_id}/participants").text
        first_id = re.findall(r"/participants/(\d+)/erase", page)[0]
        assert (
            post_form(client, f"/admin/sessions/{meeting_id}/participants/{first_id}/erase", {}).status_code
            == 303
        )
    for shown in everything_outside_the_console(client, meeting_id, project_id):
        assert SECRET not in shown
    assert SECRET not in client.get(f"/f/sessions/{meeting_id}").text  # nor on the console: it is gone
    project = client.get(f"/api/projects/{project_id}").json()
    assert project["origins"] == [] and f"#{project_id}" in project["title"]
    with Person(client) as stranger:  # the public API says the same to anyone
        assert SECRET not in stranger.get(f"/api/projects/{project_id}").text
