"""The core of a meeting in real browsers: a projector and two phones, live."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import FACILITATOR, PROJECTOR, LiveServer
from tests.browser.helpers import join_from_phone

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get("YORIAI_SCREENSHOTS", "")) if os.environ.get("YORIAI_SCREENSHOTS") else None


def test_a_note_from_one_phone_shows_everywhere_and_hiding_removes_it_everywhere(
    browser, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    staff = browser.new_context(**PROJECTOR)
    console = staff.new_page()
    console.goto(live_server.url + "/signin")
    console.fill("#email", FACILITATOR[0])
    console.fill("#password", FACILITATOR[1])
    console.get_by_role("button", name="サインイン").click()
    console.get_by_role("link", name="＋ 新しい会をつくる").click()
    console.select_option("#district_id", label="鶴川地区")
    console.fill("#title", "鶴川地区 地区別懇談会")
    console.fill(
        "#question", "10年後、鶴川で「ホッとできる」暮らしを続けるために、わたしたちは何から始める？"
    )
    console.select_option("#programme", "district-roundtable")
    expect(console.locator("#guide")).to_contain_text("分")
    console.get_by_role("button", name="つくる").click()
    console.get_by_role("button", name="開始する").click()
    code = re.sub(r"\D", "", console.locator(".console-bar .mono").inner_text())
    assert len(code) == 6
    console.wait_for_selector(".conn--connected")

    projector = staff.new_page()
    projector.goto(console.url + "/projector")
    projector.wait_for_selector(".conn--connected")
    expect(projector.locator(".join-panel__code")).to_have_text(f"{code[:3]} {code[3:]}")

    phone_a = join_from_phone(browser, live_server, code)
    phone_b = join_from_phone(browser, live_server, code)
    expect(projector.locator("#participant-count")).to_have_text("2")

    phone_a.get_by_role("radio", name="やりたい").check()
    phone_a.fill("#note-text", "空き店舗で週末だけの朝市を開きたい")
    phone_a.press("#note-text", "Enter")  # the keyboard's send key posts
    for page in (projector, phone_b, phone_a, console):
        expect(page.locator("#notes .note", has_text="空き店舗で週末だけの朝市を開きたい")).to_be_visible()
    expect(phone_a.locator("#note-text")).to_have_value("")
    # The author sees it at once under the composer, not below the fold, and that it was sent.
    mine = phone_a.locator("#mine .mine__item").first
    expect(mine).to_contain_text("空き店舗で週末だけの朝市を開きたい")
    expect(mine).to_contain_text("送りました")
    expect(mine).to_be_in_viewport()
    expect(projector.locator("#notes .note--want")).to_contain_text("やりたい")

    phone_b.fill("#note-text", "軽トラックで買い物の送迎ができます")
    phone_b.get_by_role("button", name="送る").click()
    expect(projector.locator("#notes .note")).to_have_count(2)

    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        projector.wait_for_timeout(600)  # let the newest note finish fading in
        projector.screenshot(path=str(SCREENSHOTS / "projector.png"))
        phone_a.screenshot(path=str(SCREENSHOTS / "phone.png"))

    console.locator("#notes .note", has_text="空き店舗で週末だけの朝市を開きたい").get_by_role(
        "button", name="非表示"
    ).click()
    for page in (projector, phone_a, phone_b):
        expect(page.locator("#notes .note", has_text="空き店舗で週末だけの朝市")).to_have_count(0)
        expect(page.locator("#notes .note", has_text="軽トラック")).to_have_count(1)
    expect(console.locator("#notes .note--hidden")).to_contain_text("非表示中")
