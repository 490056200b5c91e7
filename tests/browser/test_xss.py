"""An XSS corpus put through every field a user can type; no page may run it or act on it."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from tests.browser.conftest import FACILITATOR, PHONE, PROJECTOR, LiveServer
from tests.xss_corpus import PAYLOADS

pytestmark = pytest.mark.browser


def seed(server: LiveServer) -> dict[str, Any]:
    """Every payload through the services, as the forms would pass them on."""
    result: dict[str, Any] = {}

    async def run() -> None:
        from server.accounts.actor import Actor
        from server.accounts.service import find_user
        from server.boards import clusters
        from server.boards import service as boards
        from server.config import Settings
        from server.db import make_engine, make_sessionmaker
        from server.meetings import service as meetings
        from server.meetings.models import MeetingStatus
        from server.projects import service as projects
        from server.visions import service as visions

        engine = make_engine(Settings.from_env_with(server.env))
        async with make_sessionmaker(engine)() as db:
            user = await find_user(db, FACILITATOR[0])
            assert user is not None
            user.roles = "facilitator coordinator admin"
            await db.commit()
            data = meetings.MeetingInput(
                "roundtable",
                "tsurukawa",
                PAYLOADS[0][:120],
                " ".join(PAYLOADS[:8])[:300],
                None,
                PAYLOADS[1][:120],
                "district-roundtable",
            )
            meeting = await meetings.create_meeting(db, data, created_by=user.id)
            await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.OPEN)
            staff = boards.Actor(user_id=user.id)
            note_ids = []
            for payload in PAYLOADS:
                nickname = payload[:20]
                person, _ = await boards.join_meeting(db, meeting, nickname=nickname)
                change = await boards.post_note(db, meeting, person, kind="idea", text=payload[:200])
                note_ids.append(change.note_id)  # type: ignore[union-attr]
            for payload, note_id in zip(PAYLOADS[:20], note_ids, strict=False):
                await clusters.create_cluster(db, meeting, staff, name=payload[:40], note_ids=[note_id])
            vision = await visions.vision_of(db, "tsurukawa")
            await visions.edit_picture(db, vision, Actor.staff(user), "\n\n".join(PAYLOADS)[:5000])
            goal_ids = []
            for payload in PAYLOADS[:10]:
                goal = await visions.save_goal(
                    db, vision, Actor.staff(user), title=payload[:120], description=payload
                )
                goal_ids.append(goal.id)
            project_ids = []
            for payload, note_id in zip(PAYLOADS[:12], note_ids, strict=False):
                project, _ = await projects.promote(
                    db,
                    meeting,
                    Actor.staff(user),
                    projects.ProjectInput(
                        payload[:120], payload, "running", payload[:80], ["tsurukawa"], goal_ids[:1]
                    ),
                    note_id=note_id,
                )
                project_ids.append(project.id)
                await projects.add_timeline_entry(
                    db, project, Actor.staff(user), happened_on=project.created_at.date(), body=payload
                )
                await projects.set_evaluation(
                    db,
                    project.id or 0,
                    Actor.staff(user),
                    fiscal_year=2026,
                    mark="done",
                    comment=payload[:500],
                )
            result.update(
                meeting=meeting.id, code=meeting.join_code, project=project_ids[0], promoted=note_ids[:12]
            )
        await engine.dispose()

    thread = threading.Thread(target=lambda: asyncio.run(run()))
    thread.start()
    thread.join()
    assert result, "seeding failed"
    return result


def watch(page: Any, hits: list[str]) -> None:
    page.on(
        "dialog", lambda dialog: (hits.append(f"dialog on {page.url}: {dialog.message}"), dialog.dismiss())
    )
    page.on("request", lambda request: "/xss-probe" in request.url and hits.append(f"request {request.url}"))


INSPECT = """() => {
  const found = [];
  // A JSON data block (the page's words for core.js) is never run; anything else inline would be.
  for (const s of document.querySelectorAll('script')) {
    if (!s.src && !(s.id === 'ui-strings' && s.type === 'application/json')) found.push('inline script');
  }
  for (const el of document.querySelectorAll('body *')) {
    for (const a of el.getAttributeNames()) {
      if (a.startsWith('on')) found.push('handler ' + a + ' on ' + el.tagName);
    }
  }
  for (const a of document.querySelectorAll('[href^="javascript" i], [src^="javascript" i]')) found.push('javascript: link');
  return found;
}"""


def test_no_payload_runs_or_fires_htmx_on_any_page(browser, live_server: LiveServer) -> None:
    ids = seed(live_server)
    meeting, project = ids["meeting"], ids["project"]
    hits: list[str] = []
    staff = browser.new_context(**PROJECTOR)
    page = staff.new_page()
    watch(page, hits)
    page.goto(live_server.url + "/signin")
    page.fill("#email", FACILITATOR[0])
    page.fill("#password", FACILITATOR[1])
    page.get_by_role("button", name="サインイン").click()
    staff_pages = [
        "/f",
        f"/f/sessions/{meeting}",
        f"/f/sessions/{meeting}/projector",
        f"/f/sessions/{meeting}/edit",
        f"/f/sessions/{meeting}/minutes",
        f"/f/sessions/{meeting}/suggestions",
        f"/f/sessions/{meeting}/ranking",
        "/c/projects",
        f"/c/projects/{project}",
        f"/c/projects/{project}/edit",
        "/c/visions/tsurukawa",
        "/c/review?district=tsurukawa&year=2026",
        "/c/report?district=tsurukawa&year=2026",
        "/c/indicators?year=2026",
        f"/admin/sessions/{meeting}/participants",
        "/admin/users",
    ]
    for path in staff_pages:
        page.goto(live_server.url + path)
        page.wait_for_timeout(300)
        assert page.evaluate(INSPECT) == [], path
    # Hiding a promoted note asks about the project it was copied into, naming it.
    page.goto(f"{live_server.url}/f/sessions/{meeting}")
    for note_id in ids["promoted"]:
        page.locator(f"#note-{note_id}").get_by_role("button", name="非表示").click()
        page.locator(f"#note-{note_id} .note__question").wait_for()
    assert page.evaluate(INSPECT) == [], "hide questions"
    phone = browser.new_context(**PHONE).new_page()
    watch(phone, hits)
    phone.goto(f"{live_server.url}/join/{ids['code']}")
    phone.fill("#nickname", "<svg onload=alert(1)>"[:20])
    phone.get_by_role("button", name="参加する", exact=True).click()
    phone.wait_for_selector(".conn--connected")
    phone.fill("#note-text", PAYLOADS[12])  # an htmx attribute payload, posted live
    phone.press("#note-text", "Enter")
    phone.wait_for_timeout(1000)
    assert phone.locator("#notes .note", has_text="xss-probe/1").count() >= 1  # shown, as text
    # 参加したい: the change brings each phone the project's title live.
    phone.locator(".project-row").first.get_by_role("button", name="参加したい").click()
    phone.locator(".project-row").first.get_by_role("button", name="✓ 参加しています（やめる）").wait_for()
    phone.wait_for_timeout(500)
    assert phone.evaluate(INSPECT) == [], "project joined live"
    for path in (f"/b/{meeting}", f"/b/{meeting}/projects"):
        phone.goto(live_server.url + path)
        phone.wait_for_timeout(500)
        assert phone.evaluate(INSPECT) == [], path
    assert hits == []
