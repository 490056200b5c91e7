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


#: The phone's second message on its socket is swallowed, as by a socket that died without closing.
SILENT_SECOND_SEND = """
(function () {
  var send = WebSocket.prototype.send, sent = 0;
  WebSocket.prototype.send = function (data) { sent += 1; if (sent !== 2) return send.call(this, data); };
})();
"""


def test_a_connected_phone_posts_on_its_socket_and_uses_http_when_the_socket_stays_silent(
    browser, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    phone = join_from_phone(browser, live_server, code, init_script=SILENT_SECOND_SEND)
    posts: list[str] = []
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/notes" in r.url else None)

    post_from_phone(phone, "ソケットで送った付箋")
    expect(phone.locator('#mine [data-state="sent"]')).to_have_count(1)
    expect(console.locator("#notes .note", has_text="ソケットで送った付箋")).to_have_count(1)
    assert posts == []  # no HTTP request for a note while the socket is open

    post_from_phone(phone, "だまったソケットのかわりに")
    expect(phone.locator('#mine [data-state="sent"]')).to_have_count(2, timeout=20_000)
    for screen in (phone, console):
        expect(
            screen.locator("#notes .note:not(.note--pending)", has_text="だまったソケットのかわりに")
        ).to_have_count(1)
    assert len(posts) == 1  # after the socket's silence, the outbox posted it over HTTP, once
