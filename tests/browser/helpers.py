"""Steps a browser scenario shares: the facilitator's setup and phones joining."""

from __future__ import annotations

import re
from typing import Any

from server.demo import SAMPLE_TITLE
from tests.browser.conftest import DEMO, FACILITATOR, PHONE, PROJECTOR, LiveServer


def sign_in_and_open_session(
    browser: Any, server: LiveServer, title: str = "鶴川地区 地区別懇談会"
) -> tuple[Any, str]:
    """The facilitator's console page for a new, open Tsurukawa roundtable, and its join code."""
    staff = browser.new_context(**PROJECTOR)
    console = staff.new_page()
    console.goto(server.url + "/signin")
    console.fill("#email", FACILITATOR[0])
    console.fill("#password", FACILITATOR[1])
    console.get_by_role("button", name="サインイン").click()
    console.get_by_role("link", name="＋ 新しい会をつくる").click()
    console.select_option("#district_id", label="鶴川地区")
    console.fill("#title", title)
    console.fill(
        "#question", "10年後、鶴川で「ホッとできる」暮らしを続けるために、わたしたちは何から始める？"
    )
    console.select_option("#programme", "district-roundtable")
    console.get_by_role("button", name="つくる").click()
    console.get_by_role("button", name="開始する").click()
    code = re.sub(r"\D", "", console.locator(".console-bar .mono").inner_text())
    console.wait_for_selector(".conn--connected")
    return console, code


def open_projector(console: Any) -> Any:
    projector = console.context.new_page()
    projector.goto(console.url + "/projector")
    projector.wait_for_selector(".conn--connected")
    return projector


def join_from_phone(
    browser: Any, server: LiveServer, code: str, *, init_script: str = "", wait: bool = True
) -> Any:
    context = browser.new_context(**PHONE)
    if init_script:
        context.add_init_script(init_script)
    phone = context.new_page()
    phone.goto(server.url + "/")
    phone.fill("#code", f"{code[:3]} {code[3:]}")
    phone.get_by_role("button", name="参加する").click()
    phone.get_by_role("button", name="何も入れずに参加する").click()
    if wait:
        phone.wait_for_selector(".conn--connected")
    return phone


def post_from_phone(phone: Any, text: str, kind: str = "アイデア") -> None:
    phone.get_by_role("radio", name=kind).check()
    phone.fill("#note-text", text)
    phone.press("#note-text", "Enter")


def mouse_drag(page: Any, source: Any, target: Any) -> None:
    """Drag a note with the mouse onto a list (SortableJS's fallback drag, as a person does it).
    The window is made tall enough that both ends are on screen, as on a facilitator's big display."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": 2400})
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 12)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(
            start["x"] + (end["x"] + end["width"] / 2 - start["x"]) * i / 10,
            start["y"] + (end["y"] + end["height"] / 2 - start["y"]) * i / 10,
        )
        page.wait_for_timeout(20)
    page.mouse.up()


def csrf_token(client: Any) -> str:
    page = client.get("/").text
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr,no-any-return]


def crowd_posts(server: LiveServer, code: str, meeting: str, texts: list[tuple[str, str]]) -> None:
    """Many phones post these (kind, text) notes over HTTP, ten each (the board's flood limit), each
    from its own loopback address (127.0.0.2, …) as phones on many routers: yoriai also limits
    what one address may post."""
    import httpx

    for start in range(0, len(texts), 10):
        address = f"127.0.{1 + start // 2500}.{2 + (start // 10) % 250}"
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=server.url, timeout=30, transport=transport) as phone:
            token = csrf_token(phone)
            phone.post(f"/join/{code}", data={"skip": "1"}, headers={"x-csrftoken": token})
            for i, (kind, text) in enumerate(texts[start : start + 10]):
                answer = phone.post(
                    f"/b/{meeting}/notes",
                    data={"kind": kind, "text": text, "client_id": f"crowd-{start + i:06d}"},
                    headers={"x-csrftoken": token, "accept": "application/json"},
                )
                assert answer.status_code == 200, answer.text


def sign_in_demo(page: Any, url: str) -> str:
    """The demo facilitator's console of the sample session; returns its URL."""
    page.goto(url + "/signin")
    page.fill("#email", DEMO[0])
    page.fill("#password", DEMO[1])
    page.locator("form[action='/signin'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/f$"))
    return url + str(page.get_by_role("link", name=SAMPLE_TITLE).get_attribute("href"))


def join_over_http(browser: Any, server: LiveServer, code: str, *, init_script: str = "") -> Any:
    """A phone that joins over HTTP, in its own context (its own cookie: its own participant), then
    opens its board: one page load instead of three, for tests with many phones."""
    context = browser.new_context(**PHONE)
    if init_script:
        context.add_init_script(init_script)
    start = context.request.get(server.url + "/").text()
    token = re.search(r'name="_csrf_token" value="([^"]+)"', start).group(1)  # type: ignore[union-attr]
    joined = context.request.post(
        f"{server.url}/join/{code}", form={"skip": "1"}, headers={"x-csrftoken": token}
    )
    assert joined.ok and "/b/" in joined.url, joined.url
    phone = context.new_page()
    phone.goto(joined.url)
    phone.wait_for_selector(".conn--connected")
    return phone


def seed_notes(server: LiveServer, title: str, count: int, *, people: int = 36) -> int:
    """Bring the session called ``title`` up to ``count`` visible notes through the services (as
    ``people`` participants, texts from the demo corpus, every tenth one long), straight into the
    server's database: fast, and no phone has to type. Pages opened afterwards show them. The
    session's id."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import select

    from server.boards import service as boards
    from server.boards.models import Note
    from server.config import Settings
    from server.db import make_engine, make_sessionmaker
    from server.demo import corpus_notes
    from server.meetings.models import Meeting

    long = (
        "地域のみんなが集まれる場所をつくり、子どもからお年寄りまでが気軽に立ち寄って話せるようにしたい。" * 4
    )
    rows = [(r["kind"], r["text"]) for r in corpus_notes()]

    async def run() -> int:
        engine = make_engine(Settings.from_env_with(server.env))
        try:
            async with make_sessionmaker(engine)() as db:
                meeting = (await db.exec(select(Meeting).where(Meeting.title == title))).one()
                have = len((await db.exec(select(Note.id).where(Note.meeting_id == meeting.id))).all())
                crowd = [(await boards.join_meeting(db, meeting))[0] for _ in range(people)]
                for i in range(max(0, count - have)):
                    kind, text = rows[i % len(rows)]
                    text = long[:200] if i % 10 == 0 else text
                    await boards.post_note(db, meeting, crowd[i % people], kind=kind, text=text)
                assert meeting.id is not None
                return meeting.id
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:  # Playwright's own loop runs in this thread
        return pool.submit(asyncio.run, run()).result()
