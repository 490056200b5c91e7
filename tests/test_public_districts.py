"""Public district pages: off until a coordinator turns them on; read-only, nothing hidden or
personal; 参加したい there goes through the consent flow; a printable QR for a notice board."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.districts import public
from server.errors import UserError
from server.projects import contacts, history
from server.projects import service as projects
from tests.conftest import Person, post_form, send_note
from tests.test_contacts import _project_with_phone
from tests.test_projects import promoted, session, staff


async def test_only_a_published_district_shows_and_signing_up_counts_with_a_contact(db: AsyncSession) -> None:
    user = await staff(db)
    meeting = await session(db)
    project_id = await promoted(db, user, meeting, ("want", "送迎したい"))
    with pytest.raises(UserError, match="公開されていません"):
        await public.public_district(db, "tsurukawa")
    with pytest.raises(UserError, match="コーディネーター"):
        await public.set_public(db, Actor(), "tsurukawa", True)  # not staff (the role is the guard's)
    await public.set_public(db, Actor.staff(user), "tsurukawa", True)
    district = await public.public_district(db, "tsurukawa")
    assert [i.project.id for i in await public.public_projects(db, district)] == [project_id]
    _, token = await public.sign_up(
        db, district, project_id, contacts.clean_contact("ゆき", "yuki@example.jp", "yes")
    )
    assert (await projects.member_counts(db, [project_id]))[project_id] == 1
    assert [(c.field, c.source, c.after) for c in await history.changes_of(db, project_id)][-1] == (
        "members",
        "public",
        1,
    )
    assert (await contacts.by_token(db, token))[1].id == project_id
    kiso = await public.set_public(db, Actor.staff(user), "kiso", True)
    with pytest.raises(UserError, match="見つかりませんでした"):
        await public.sign_up(db, kiso, project_id, contacts.clean_contact("ゆき", "yuki@example.jp", "yes"))
    with pytest.raises(UserError):
        await public.set_public(db, Actor.staff(user), "city", True)


def test_a_resident_finds_the_project_and_signs_up(coordinator: TestClient[Litestar]) -> None:
    meeting_id, project_id, phone = _project_with_phone(coordinator)
    with phone as c:
        send_note(c, meeting_id, "ないしょの困りごと", kind="concern")
    console = coordinator.get(f"/f/sessions/{meeting_id}").text
    hidden = re.search(
        r'<article id="note-(\d+)"(?:(?!</article>).)*ないしょの困りごと', console, re.S
    ).group(1)  # type: ignore[union-attr]
    assert (
        "非表示中"
        in post_form(coordinator, f"/f/sessions/{meeting_id}/notes/{hidden}/hide", {}, htmx=True).text
    )
    post_form(
        coordinator,
        f"/c/projects/{project_id}/evaluations",
        {"fiscal_year": "2026", "mark": "done", "comment": "内部のメモ"},
        htmx=True,
    )
    resident = Person(coordinator)
    with resident as c:
        assert c.get("/d/tsurukawa").status_code == 404
    settings = coordinator.get("/c/districts/tsurukawa/public").text
    assert "公開していません" in settings
    assert post_form(coordinator, "/c/districts/tsurukawa/public", {"public": "yes"}).status_code == 303
    settings = coordinator.get("/c/districts/tsurukawa/public").text
    assert "公開中です" in settings and "<svg" in settings and "/d/tsurukawa" in settings
    notice = coordinator.get("/c/districts/tsurukawa/notice").text
    assert "<svg" in notice and "鶴川地区のプロジェクト" in notice and "<?xml" not in notice
    with resident as c:
        page = c.get("/d/tsurukawa").text
        assert "週末の朝市" in page and "構想" in page and "○" in page and "参加 0人" in page
        for secret in ("ないしょの困りごと", "朝市を開きたい", "内部のメモ", "coord@example.jp"):
            assert secret not in page, secret
        english = c.get("/d/tsurukawa?lang=en").text
        assert "Tsurukawa" in english and "I want to take part" in english
        c.cookies.set("yoriai_lang", "ja")
        form_path = f"/d/tsurukawa/join/{project_id}"
        assert "だけが見ます" in c.get(form_path).text
        refused = post_form(c, form_path, {"name": "ゆき", "reach": "yuki@example.jp"})
        assert refused.status_code == 422 and "チェックを入れてください" in refused.text
        done = post_form(c, form_path, {"name": "ゆき", "reach": "yuki@example.jp", "consent": "yes"})
        assert done.status_code == 200 and "申し込みました" in done.text and 'id="withdraw-link"' in done.text
        assert "参加 1人" in c.get("/d/tsurukawa").text
        assert c.get("/d/kiso").status_code == 404 and c.get(f"/d/kiso/join/{project_id}").status_code == 404
    assert "yuki@example.jp" in coordinator.get(f"/c/projects/{project_id}/contacts").text
    assert "公開ページから" in coordinator.get(f"/c/projects/{project_id}").text
    post_form(coordinator, "/c/districts/tsurukawa/public", {"public": "no"})
    with resident as c:
        assert c.get("/d/tsurukawa").status_code == 404


def test_sign_ups_from_one_address_are_limited(coordinator: TestClient[Litestar]) -> None:
    _, project_id, _ = _project_with_phone(coordinator)
    post_form(coordinator, "/c/districts/tsurukawa/public", {"public": "yes"})
    form = {"name": "ゆき", "reach": "yuki@example.jp", "consent": "yes"}
    answers = [post_form(coordinator, f"/d/tsurukawa/join/{project_id}", form).status_code for _ in range(21)]
    assert answers[:20] == [200] * 20 and answers[20] == 429
