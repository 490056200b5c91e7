"""Languages in real browsers: an English phone next to a Japanese projector, and the switch."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, LiveServer
from tests.browser.helpers import open_projector, sign_in_and_open_session

pytestmark = pytest.mark.browser


def test_an_english_phone_and_a_japanese_projector_share_one_board(browser, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    projector = open_projector(console)

    phone = browser.new_context(**{**PHONE, "locale": "en-GB"}).new_page()
    phone.goto(live_server.url + "/")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.fill("#code", code)
    phone.get_by_role("button", name="Join", exact=True).click()
    expect(phone.locator(".lead")).to_contain_text("no name or contact details needed")
    phone.get_by_role("button", name="Join without entering anything").click()
    phone.wait_for_selector(".conn--connected")
    # core.js's own words come from the page, in the page's language.
    expect(phone.locator(".conn__label")).to_have_text("Connected")
    expect(phone.locator(".phase-bar__now")).to_contain_text("Check-in")

    phone.get_by_role("radio", name="Offer").check()
    phone.fill("#note-text", "I can drive people to the shops")
    phone.press("#note-text", "Enter")
    expect(phone.locator(".note", has_text="I can drive")).to_contain_text("Offer")
    on_screen = projector.locator(".note", has_text="I can drive")
    expect(on_screen).to_contain_text("できる")
    expect(projector.locator(".phase-bar__now")).to_contain_text("チェックイン")

    # The switch works without an account, and is remembered.
    phone.get_by_role("link", name="日本語").click()
    expect(phone.locator("html")).to_have_attribute("lang", "ja")
    expect(phone.locator("body")).to_contain_text("みんなの付箋")
    phone.wait_for_selector(".conn--connected")
    expect(phone.locator(".conn__label")).to_have_text("つながっています")
    phone.reload()
    expect(phone.locator("html")).to_have_attribute("lang", "ja")
