"""Screened mode across a projector, a console and two phones: a note waits, 「確認中」 on its
author's phone only, until the facilitator lets it through; then every screen shows it."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer
from tests.browser.helpers import join_from_phone, open_projector, post_from_phone, sign_in_and_open_session

SECRET = "母の介護で夜も眠れず、仕事をやめるか迷っています"


def same_seq(page: Any, reference: Any) -> None:
    """Wait until ``page`` has applied every change ``reference`` has: what it lacks now, it never got."""
    from playwright.sync_api import expect

    seq = reference.locator("#board-seq").get_attribute("data-seq")
    expect(page.locator("#board-seq")).to_have_attribute("data-seq", seq)


def test_a_note_waits_for_the_facilitator_then_reaches_every_screen(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server, title="福祉の懇談会")
    projector = open_projector(console)
    author, other = join_from_phone(browser, live_server, code), join_from_phone(browser, live_server, code)

    # Screening on, from the console: phones say notes are checked before they appear.
    controls = console.locator("#screening-controls")
    controls.get_by_role("button", name="オンにする").click()
    expect(controls.get_by_role("button", name="オフにする")).to_be_visible()
    for phone in (author, other):
        expect(phone.locator("#screening-line")).to_contain_text("進行役がたしかめてから")

    # The author's note: 確認中 on their phone, in the console's waiting panel, nowhere else.
    post_from_phone(author, SECRET, kind="困りごと")
    expect(author.locator("#mine .mine__item").first).to_contain_text("確認中")
    expect(author.locator("#notes .note", has_text=SECRET).locator(".note__badge--waiting")).to_have_text(
        "確認中"
    )
    waiting = console.locator("#waiting-notes .note", has_text=SECRET)
    expect(waiting).to_have_count(1)
    expect(console.locator("#waiting-count")).to_have_text("1")
    for screen in (other, projector):
        same_seq(screen, console)
        expect(screen.get_by_text(SECRET)).to_have_count(0)
    expect(other.locator("#announcer")).not_to_contain_text(SECRET)  # nor what its screen reader was told
    expect(other.locator("#note-count")).to_have_text("0")

    # 通す: the projector and the other phone get it as a new note; the author's mark goes.
    waiting.get_by_role("button", name="通す").click()
    expect(projector.locator(".wall .note", has_text=SECRET)).to_have_count(1)
    expect(other.locator("#notes .note", has_text=SECRET)).to_have_count(1)
    expect(other.locator("#note-count")).to_have_text("1")
    expect(author.locator("#mine .mine__item").first).to_contain_text("みんなの画面に出ています")
    expect(author.locator("#notes .note", has_text=SECRET).locator(".note__badge--waiting")).to_have_count(0)
    expect(console.locator("#notes .note", has_text=SECRET)).to_have_count(1)
    expect(console.locator("#waiting-notes .note")).to_have_count(0)
    expect(console.locator(".waiting-panel__empty")).to_be_visible()

    # Two more wait (one typed in by staff); すべて通す lets both through at once.
    post_from_phone(other, "坂道に手すりがほしい", kind="やりたい")
    console.locator("#proxy-text").fill("紙の付箋：見守りの当番表")
    console.locator("#proxy-form").get_by_role("button", name="貼る").click()
    expect(console.locator("#proxy-form")).to_contain_text("確認待ちの付箋にあります")
    expect(console.locator("#waiting-notes .note")).to_have_count(2)
    same_seq(projector, console)
    expect(projector.locator(".wall .note")).to_have_count(1)
    console.get_by_role("button", name="すべて通す").click()
    for text in ("坂道に手すりがほしい", "紙の付箋：見守りの当番表"):
        expect(projector.locator(".wall .note", has_text=text)).to_have_count(1)
        expect(author.locator("#notes .note", has_text=text)).to_have_count(1)
    expect(console.locator("#waiting-count")).to_have_text("0")

    # Off again: the phones' line goes, and a new note shows at once.
    controls.get_by_role("button", name="オフにする").click()
    expect(controls).to_contain_text("確認待ちの付箋は自動では出ません")
    expect(other.locator("#screening-line")).to_be_hidden()
    post_from_phone(other, "朝市を開きたい", kind="やりたい")
    expect(projector.locator(".wall .note", has_text="朝市を開きたい")).to_have_count(1)
