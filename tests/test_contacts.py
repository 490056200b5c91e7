"""Reachable members, with consent: a phone leaves a contact after 参加したい, the coordinators see
and export it, the phone withdraws it from a link (no account); it goes when they take 参加したい
back, when an admin erases them and with retention; it never leaves the coordinators' list."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards import service as boards
from server.errors import UserError
from server.privacy.service import erase_participant
from server.projects import contacts, indicators
from server.projects import service as projects
from server.projects.models import ProjectContact
from server.timeutil import utcnow
from tests.conftest import (
    Person,
    create_facilitator,
    create_open_meeting,
    join_as,
    post_form,
    send_note,
    sign_in,
)
from tests.test_projects import promoted, session, staff

NAME, EMAIL, PHONE = '=HYPERLINK("x")さくら', "sakura.contact@example.jp", "090-9876-5432"


@pytest.mark.parametrize(
    ("name", "reach", "consent", "problem"),
    [
        ("", EMAIL, "yes", "呼び名を入れてください"),
        ("あ" * 41, EMAIL, "yes", "呼び名は40文字まで"),
        ("さくら", "", "yes", "メールアドレスか電話番号を入れてください"),
        ("さくら", "sakura@", "yes", "メールアドレスの形が正しくありません"),
        ("さくら", "12345", "yes", "電話番号は"),
        ("さくら", "電話して", "yes", "電話番号は"),
        ("さくら", EMAIL, "", "チェックを入れてください"),
    ],
)
def test_a_contact_needs_a_name_a_way_to_reach_and_consent(
    name: str, reach: str, consent: str, problem: str
) -> None:
    with pytest.raises(UserError, match=problem):
        contacts.clean_contact(name, reach, consent)


def test_a_japanese_keyboard_is_understood() -> None:
    assert contacts.clean_contact(" さくら ", "０９０ー１２３４ー５６７８", "yes").phone == "090-1234-5678"
    assert (
        contacts.clean_contact("さくら", "ｓａｋｕｒａ＠ｅｘａｍｐｌｅ．ｊｐ", "yes").email
        == "sakura@example.jp"
    )


async def test_left_seen_withdrawn_and_the_count_of_members_unchanged(db: AsyncSession) -> None:
    user = await staff(db)
    meeting = await session(db)
    project_id = await promoted(db, user, meeting, ("want", "送迎したい"))
    phone, _ = await boards.join_meeting(db, meeting)
    data = contacts.clean_contact("さくら", EMAIL, "yes")
    with pytest.raises(UserError, match="先に「参加したい」を押してください"):
        await contacts.leave_contact(db, meeting, phone, project_id, data)
    await projects.join(db, meeting, phone, project_id)
    before = await indicators.indicators(db, 2026, "tsurukawa")
    contact, token = await contacts.leave_contact(db, meeting, phone, project_id, data)
    assert contact.consent == contacts.CONSENT_VERSION and token not in contact.withdraw_hash
    assert [(c.name, c.email) for c in await contacts.contacts_of(db, Actor.staff(user), project_id)] == [
        ("さくら", EMAIL)
    ]
    assert (await indicators.indicators(db, 2026, "tsurukawa")).participants == before.participants
    with pytest.raises(UserError, match="コーディネーター"):
        await contacts.contacts_of(db, Actor(), project_id)  # not staff (the role is the guard's)
    # Leaving it again replaces it, with a new link: the old one stops working.
    _, new_token = await contacts.leave_contact(
        db, meeting, phone, project_id, contacts.clean_contact("さく", PHONE, "yes")
    )
    with pytest.raises(UserError, match="もうありません"):
        await contacts.by_token(db, token)
    assert (await contacts.withdraw_by_token(db, new_token)).id == project_id
    assert await contacts.contacts_of(db, Actor.staff(user), project_id) == []
    with pytest.raises(UserError, match="もうありません"):
        await contacts.withdraw_by_token(db, new_token)
    assert (await indicators.indicators(db, 2026, "tsurukawa")).participants == before.participants


async def test_taking_part_back_erasure_and_retention_erase_contacts(db: AsyncSession) -> None:
    user = await staff(db, "facilitator coordinator admin")
    meeting = await session(db)
    project_id = await promoted(db, user, meeting, ("want", "送迎したい"))
    people = [(await boards.join_meeting(db, meeting))[0] for _ in range(3)]
    for person in people:
        await projects.join(db, meeting, person, project_id)
        await contacts.leave_contact(
            db, meeting, person, project_id, contacts.clean_contact("人", EMAIL, "yes")
        )
    await projects.leave(db, meeting, people[0], project_id)
    await db.commit()
    await erase_participant(db, Actor.staff(user), meeting, people[1].id or 0)
    await db.commit()
    left = (await db.exec(select(ProjectContact.participant_id))).all()
    assert left == [people[2].id]
    assert await contacts.retire_contacts(db, months=24, now=utcnow() + timedelta(days=30 * 23)) == 0
    assert await contacts.retire_contacts(db, months=24, now=utcnow() + timedelta(days=30 * 24 + 1)) == 1
    assert (await db.exec(select(ProjectContact))).all() == []


# --- over HTTP -----------------------------------------------------------------------------------------


def _project_with_phone(client: TestClient[Litestar]) -> tuple[int, int, Person]:
    meeting_id, code = create_open_meeting(client)
    phone = join_as(client, code)
    with phone as c:
        send_note(c, meeting_id, "朝市を開きたい")
    note = re.search(r'<article id="note-(\d+)"', client.get(f"/f/sessions/{meeting_id}").text).group(1)  # type: ignore[union-attr]
    post_form(
        client,
        f"/f/sessions/{meeting_id}/promote",
        {"note": note, "title": "週末の朝市", "status": "idea", "district_id": "tsurukawa"},
    )
    project_id = int(
        re.search(r'href="/c/projects/(\d+)">週末の朝市', client.get("/c/projects").text).group(1)
    )  # type: ignore[union-attr]
    return meeting_id, project_id, phone


def test_a_phone_leaves_a_contact_the_coordinator_sees_it_and_the_phone_withdraws(
    coordinator: TestClient[Litestar],
) -> None:
    meeting_id, project_id, phone = _project_with_phone(coordinator)
    form_path = f"/b/{meeting_id}/contact/{project_id}"
    with phone as c:
        assert c.get(form_path).status_code == 409  # 参加したい first
        joined = post_form(c, f"/b/{meeting_id}/projects/{project_id}/join", {}, htmx=True).text
        assert f'href="{form_path}"' in joined
        page = c.get(form_path).text
        assert "コーディネーター" in page and "だけが見ます" in page and "最長2年" in page
        refused = post_form(c, form_path, {"name": NAME, "reach": EMAIL})
        assert (
            refused.status_code == 422
            and "チェックを入れてください" in refused.text
            and EMAIL in refused.text
        )
        saved = post_form(c, form_path, {"name": NAME, "reach": EMAIL, "consent": "yes"})
        assert saved.status_code == 200 and "連絡先を残しました" in saved.text
        link = re.search(r'id="withdraw-link" href="([^"]+)"', saved.text).group(1)  # type: ignore[union-attr]
        assert "/contact/" in link and "連絡先を取り消す" in c.get(form_path).text
    listing = coordinator.get(f"/c/projects/{project_id}/contacts").text
    assert EMAIL in listing and "さくら" in listing and "1人のうち 1人" in listing
    csv = coordinator.get(f"/c/projects/{project_id}/contacts.csv").content.decode("utf-8-sig")
    assert EMAIL in csv and "'=HYPERLINK" in csv  # a name typed as a formula stays text
    assert 'id="contacts-link"' in coordinator.get(f"/c/projects/{project_id}").text
    stranger = Person(coordinator)  # the link works without the phone's cookie and without an account
    with stranger as c:
        path = link.split("testserver.local", 1)[-1]
        assert "週末の朝市" in c.get(path).text
        assert "消しました" in post_form(c, path, {}).text
        gone = c.get(path)
        assert gone.status_code == 404 and "もうありません" in gone.text
    assert EMAIL not in coordinator.get(f"/c/projects/{project_id}/contacts").text


def test_contacts_never_leave_the_coordinators_list(client: TestClient[Litestar]) -> None:
    create_facilitator(client, roles="facilitator coordinator admin", email="all@example.jp")
    sign_in(client, "all@example.jp")
    meeting_id, project_id, phone = _project_with_phone(client)
    with phone as c:
        post_form(c, f"/b/{meeting_id}/projects/{project_id}/join", {}, htmx=True)
        post_form(
            c, f"/b/{meeting_id}/contact/{project_id}", {"name": NAME, "reach": PHONE, "consent": "yes"}
        )
    assert PHONE in client.get(f"/c/projects/{project_id}/contacts").text
    places = [
        f"/f/sessions/{meeting_id}/minutes",
        f"/f/sessions/{meeting_id}/exports/notes.csv",
        f"/f/sessions/{meeting_id}/exports/notes.xlsx",
        f"/f/sessions/{meeting_id}",
        f"/f/sessions/{meeting_id}/projector",
        f"/c/projects/{project_id}",
        "/c/projects",
        "/c/exports/projects.csv",
        "/c/exports/projects.xlsx",
        "/c/exports/progress.csv?district=tsurukawa",
        "/c/exports/progress.xlsx?district=tsurukawa",
        "/c/review/workbook?district=tsurukawa",
        "/c/report?district=tsurukawa",
        "/api/projects",
        f"/api/projects/{project_id}",
        "/api/indicators",
        "/schema/openapi.json",
    ]
    for path in places:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content
        if body[:2] == b"PK":  # xlsx: look inside the zip's XML
            import zipfile

            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(n) for n in archive.namelist())
        for secret in (PHONE, "さくら"):
            assert secret.encode() not in body, (path, secret)
    with phone as c:
        assert (
            PHONE not in c.get(f"/b/{meeting_id}").text
            and PHONE not in c.get(f"/b/{meeting_id}/projects").text
        )
