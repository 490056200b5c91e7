"""A whole meeting in the browser: phases, timer, grouping by mouse and by touch, voting, results."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    join_from_phone,
    mouse_drag,
    open_projector,
    post_from_phone,
    sign_in_and_open_session,
)

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ["YORIAI_SCREENSHOTS"]) if os.environ.get("YORIAI_SCREENSHOTS") else None


def touch_drag(page: Any, source: Any, target: Any) -> None:
    """A finger presses a note, waits, and slides it onto the target (Chrome DevTools touch events)."""
    cdp = page.context.new_cdp_session(page)
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + 12  # on the note's label, not a button
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    page.wait_for_timeout(300)  # a press, not a scroll
    for i in range(1, 11):
        x, y = x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(30)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_meeting_from_opening_to_the_vote(browser, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    projector = open_projector(console)
    phone_a = join_from_phone(browser, live_server, code)
    phone_b = join_from_phone(browser, live_server, code)

    # Phases and timer: the projector and the phones follow the console.
    expect(projector.locator("#phase-bar")).to_contain_text("チェックイン")
    console.get_by_role("button", name="次へ ▶").click()
    for page in (projector, phone_a):
        expect(page.locator("#phase-bar")).to_contain_text("ふりかえり")
    console.get_by_role("button", name="スタート").click()
    expect(projector.locator(".timer")).to_have_attribute("data-state", "running")
    first = projector.locator(".timer__digits").inner_text()
    projector.wait_for_timeout(1500)
    assert projector.locator(".timer__digits").inner_text() != first  # it counts down
    console.get_by_role("button", name="一時停止").click()
    expect(phone_a.locator(".timer")).to_have_attribute("data-state", "paused")
    console.get_by_role("button", name="＋1分").click()
    phone_a.reload()
    expect(phone_a.locator(".timer")).to_have_attribute("data-state", "paused")  # survives a reload

    # Divergence: notes from the phones, and one typed in by staff from paper.
    for _ in range(2):
        console.get_by_role("button", name="次へ ▶").click()
    expect(projector.locator("#phase-bar")).to_contain_text("発散")
    post_from_phone(phone_a, "バスの本数が減って病院に通えない", kind="困りごと")
    post_from_phone(phone_b, "平日の昼間なら車を出せます", kind="できる")
    post_from_phone(phone_a, "子ども食堂を月に一回開きたい", kind="やりたい")
    console.fill("#proxy-text", "紙の付箋：ボランティア送迎を始める")
    console.press("#proxy-text", "Enter")
    expect(projector.locator("#notes .note")).to_have_count(4)
    expect(projector.locator(".note", has_text="紙の付箋")).to_contain_text("代理入力")

    # Grouping: make two clusters, drag notes in with the mouse, then by touch.
    console.fill("#new-cluster", "移動・送迎")
    console.get_by_role("button", name="＋ グループを作る").click()
    expect(console.locator(".cluster")).to_have_count(1)
    expect(console.locator("#new-cluster")).to_have_value("")
    console.fill("#new-cluster", "子ども")
    console.get_by_role("button", name="＋ グループを作る").click()
    expect(projector.locator(".cluster")).to_have_count(2)
    transport = console.locator(".cluster", has_text="移動・送迎").locator(".cluster__notes")
    mouse_drag(console, console.locator("#notes .note", has_text="バスの本数"), transport)
    expect(projector.locator(".cluster", has_text="移動・送迎").locator(".note")).to_have_count(1)
    touch = browser.new_context(
        viewport={"width": 1280, "height": 1600},
        has_touch=True,
        is_mobile=False,
        storage_state=console.context.storage_state(),
    )
    tablet = touch.new_page()
    tablet.goto(console.url)
    tablet.wait_for_selector(".conn--connected")
    touch_drag(
        tablet,
        tablet.locator("#notes .note", has_text="平日の昼間"),
        tablet.locator(".cluster", has_text="移動・送迎").locator(".cluster__notes"),
    )
    for page in (projector, console):
        expect(page.locator(".cluster", has_text="移動・送迎").locator(".note")).to_have_count(2)
    kids = console.locator(".cluster", has_text="子ども").locator(".cluster__notes")
    mouse_drag(console, console.locator("#notes .note", has_text="子ども食堂"), kids)
    expect(projector.locator(".cluster", has_text="子ども").locator(".note")).to_have_count(1)
    weekday = console.locator(".note", has_text="平日の昼間")
    weekday.locator(".note__menu > summary").click()  # the note's 操作 menu
    weekday.get_by_role("button", name="新グループへ").click()
    expect(projector.locator(".cluster")).to_have_count(3)
    expect(projector.locator(".cluster", has_text="移動・送迎（分割）")).to_contain_text("平日の昼間")
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        console.wait_for_timeout(500)
        console.screenshot(path=str(SCREENSHOTS / "grouping-console.png"), full_page=True)
        projector.screenshot(path=str(SCREENSHOTS / "grouping-projector.png"))

    # Voting: the voting phase opens it; phones vote within the budget; results revealed.
    console.locator("#voting-controls select[name=target]").select_option("notes")
    console.locator("#voting-controls input[name=budget]").fill("2")
    console.get_by_role("button", name="設定を保存").click()
    for _ in range(2):
        console.get_by_role("button", name="次へ ▶").click()
    expect(console.locator("#phase-bar")).to_contain_text("投票")
    expect(phone_a.locator("#vote-panel")).to_contain_text("のこり 2 / 2 票")
    expect(phone_a.locator("#composer")).to_be_hidden()
    phone_a.locator(".vote-toggle", has_text="バスの本数").click()
    expect(phone_a.locator("#votes-left")).to_have_text("1")
    phone_a.locator(".vote-toggle", has_text="平日の昼間").click()
    expect(phone_a.locator("#votes-left")).to_have_text("0")
    expect(phone_a.locator(".vote-toggle", has_text="子ども食堂")).to_be_disabled()
    phone_b.locator(".vote-toggle", has_text="バスの本数").click()
    expect(
        console.locator(
            "#note-" + console.locator(".note", has_text="バスの本数").get_attribute("data-note")
        ).locator(".votes")
    ).to_contain_text("2")
    expect(projector.locator(".note .votes")).to_have_count(0)  # totals hidden until the reveal
    console.get_by_role("button", name="結果を発表する").click()
    expect(projector.locator("#ranking li").first).to_contain_text("バスの本数")
    expect(projector.locator("#ranking li").first).to_contain_text("2")
    expect(projector.locator(".note", has_text="バスの本数").locator(".votes")).to_contain_text("2")
    expect(phone_b.locator("#vote-panel")).to_contain_text("投票の結果")
    if SCREENSHOTS:
        projector.wait_for_timeout(500)
        projector.screenshot(path=str(SCREENSHOTS / "voting-projector.png"))
        phone_a.screenshot(path=str(SCREENSHOTS / "voting-phone.png"), full_page=True)
    console.get_by_role("button", name="次へ ▶").click()
    expect(projector.locator("#phase-bar")).to_contain_text("プロジェクト")
