"""Status history: every change of a project's status, districts, goals and members is recorded
with who and when, and shown on the project's timeline. Nothing about a participant is kept."""

from __future__ import annotations

import re
from datetime import date

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards import service as boards
from server.projects import history, sheets
from server.projects import service as projects
from server.projects.models import ProjectChange
from server.visions import service as visions
from tests.conftest import create_open_meeting, join_as, post_form, send_note
from tests.test_projects import promoted, session, staff


async def test_every_change_is_recorded_with_who_and_when(db: AsyncSession) -> None:
    user = await staff(db)
    meeting = await session(db)
    project_id = await promoted(db, user, meeting, ("want", "送迎したい"))
    vision = await visions.vision_of(db, "tsurukawa")
    goal = await visions.save_goal(db, vision, Actor.staff(user), title="移動に困らない", description="")
    project = await projects.get_project(db, project_id)
    data = projects.ProjectInput(project.title, "", "running", "", ["tsurukawa", "kiso"], [goal.id or 0])
    await projects.update_project(db, project, Actor.staff(user), data)
    await projects.update_project(db, project, Actor.staff(user), data)  # the same again: nothing new
    await projects.add_paper_members(
        db, project, Actor.staff(user), count=3, affiliation="", joined_on=date(2026, 12, 1)
    )
    phone, _ = await boards.join_meeting(db, meeting)
    other, _ = await boards.join_meeting(db, meeting)
    await projects.join(db, meeting, phone, project_id)
    await projects.join(db, meeting, other, project_id)
    await projects.leave(db, meeting, phone, project_id)
    sheet = sheets.ReadSheet([sheets.SheetRow(row=2, project_id=project_id, status="paused")], [], ["状態"])
    plan = await sheets.plan_upload(db, Actor.staff(user), sheet, 2026)
    await sheets.apply_plan(db, Actor.staff(user), plan.changes)
    changes = await history.changes_of(db, project_id)
    assert [(c.field, c.source, c.before, c.after, c.who) for c in changes] == [
        ("created", "promotion", "", "running", "s@example.jp"),
        ("districts", "promotion", [], ["tsurukawa"], "s@example.jp"),
        ("districts", "form", ["tsurukawa"], ["tsurukawa", "kiso"], "s@example.jp"),
        ("goals", "form", [], ["移動に困らない"], "s@example.jp"),
        ("members", "paper", 0, 3, "s@example.jp"),
        ("members", "phone", 0, 1, ""),  # +1 +1 -1 from phones that day, in one line
        ("status", "excel", "running", "paused", "s@example.jp"),
    ]
    assert changes[5].count == 3 and all(c.at for c in changes)
    # Nothing in the history can point at a participant.
    assert not {"participant_id", "client_id", "nickname"} & set(ProjectChange.model_fields)
    assert len((await db.exec(select(ProjectChange))).all()) == 9


def test_the_timeline_shows_how_the_project_got_here(coordinator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    phone = join_as(coordinator, code)
    with phone as c:
        send_note(c, meeting_id, "朝市を開きたい")
    console = coordinator.get(f"/f/sessions/{meeting_id}").text
    note = re.search(r'<article id="note-(\d+)"', console).group(1)  # type: ignore[union-attr]
    post_form(
        coordinator,
        f"/f/sessions/{meeting_id}/promote",
        {"note": note, "title": "週末の朝市", "status": "idea", "district_id": "tsurukawa"},
    )
    project_id = int(
        re.search(r'href="/c/projects/(\d+)">週末の朝市', coordinator.get("/c/projects").text).group(1)
    )  # type: ignore[union-attr]
    with phone as c:
        post_form(c, f"/b/{meeting_id}/projects/{project_id}/join", {}, htmx=True)
    edited = post_form(
        coordinator,
        f"/c/projects/{project_id}",
        {"title": "週末の朝市", "status": "running", "district_id": "kiso"},
    )
    assert edited.status_code == 303
    page = coordinator.get(f"/c/projects/{project_id}").text
    timeline = page[page.index('id="timeline"') :]
    assert "プロジェクトになりました（状態：構想）" in timeline and "地区：鶴川地区</div>" in timeline
    assert re.search(r"状態：構想 → <strong>実施中</strong>", timeline)
    assert re.search(r"地区：鶴川地区 → <strong>木曽地区</strong>", timeline)
    assert (
        "参加人数 +1人" in timeline
        and "スマホから" in timeline
        and "画面で編集・coord@example.jp" in timeline
    )
    coordinator.cookies.set("yoriai_lang", "en")
    english = coordinator.get(f"/c/projects/{project_id}").text
    assert "Status" in english and "Kiso" in english
