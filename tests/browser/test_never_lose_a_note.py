"""Phones that never lose a note: offline posting, a server restart, websockets blocked."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.helpers import join_from_phone, open_projector, post_from_phone, sign_in_and_open_session

pytestmark = pytest.mark.browser


def test_offline_notes_arrive_exactly_once_and_a_restart_loses_nothing(
    browser, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    projector = open_projector(console)
    phones = [join_from_phone(browser, live_server, code) for _ in range(5)]
    expect(projector.locator("#participant-count")).to_have_text("5")
    screens = [projector, *phones]

    # One phone loses the network and posts two notes: they wait on the phone, marked as such.
    offline = phones[0]
    with browser.network_down():
        offline.context.set_offline(True)
        post_from_phone(offline, "電波がなくても書いた一枚目")
        post_from_phone(offline, "電波がなくても書いた二枚目", kind="やりたい")
        expect(offline.locator(".note--pending")).to_have_count(2)
        expect(offline.locator(".note--pending").first).to_contain_text("つながったら自動で送ります")
        offline.context.set_offline(False)
        for screen in screens:
            expect(screen.locator("#notes .note", has_text="電波がなくても書いた一枚目")).to_have_count(1)
            expect(screen.locator("#notes .note", has_text="電波がなくても書いた二枚目")).to_have_count(1)
        expect(offline.locator(".note--pending")).to_have_count(0)

    # The server restarts in the middle of the meeting; a note is posted while it is down.
    with browser.network_down():
        live_server.stop()
        post_from_phone(phones[1], "サーバーが止まっている間の付箋")
        live_server.start()
        for screen in screens:
            expect(screen.locator(".conn--connected")).to_be_visible(timeout=20_000)
    post_from_phone(phones[2], "再起動のあとの付箋")
    for screen in screens:
        notes = screen.locator("#notes .note:not(.note--pending)")
        expect(notes).to_have_count(4, timeout=15_000)
        for text in ["一枚目", "二枚目", "サーバーが止まっている間", "再起動のあと"]:
            expect(screen.locator("#notes .note", has_text=text)).to_have_count(1)


def test_a_phone_whose_network_blocks_websockets_still_posts_and_sees_notes(
    browser, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    blocked = join_from_phone(
        browser,
        live_server,
        code,
        init_script="window.WebSocket = function () { throw new Error('blocked'); };",
        wait=False,
    )
    expect(blocked.locator(".conn--polling")).to_be_visible(timeout=10_000)
    other = join_from_phone(browser, live_server, code)
    post_from_phone(blocked, "WebSocketが使えない電話から")
    post_from_phone(other, "ふつうの電話から")
    for screen in (blocked, other, console):
        expect(screen.locator("#notes .note", has_text="WebSocketが使えない電話から")).to_have_count(1)
        expect(screen.locator("#notes .note", has_text="ふつうの電話から")).to_have_count(1, timeout=10_000)
