"""Reachable members and public district pages, in the browser (one test, to keep the suite short):
a phone leaves a contact after 参加したい, the coordinator sees it, the phone withdraws it from its
link, the coordinator no longer sees it; then a resident opens the district's public page on a
phone and taps 参加したい."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE, LiveServer
from tests.browser.helpers import join_from_phone, post_from_phone, sign_in_and_open_session

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ["YORIAI_SCREENSHOTS"]) if os.environ.get("YORIAI_SCREENSHOTS") else None


def test_a_contact_is_left_seen_withdrawn_and_a_resident_signs_up_from_the_public_page(
    browser, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    phone = join_from_phone(browser, live_server, code)
    post_from_phone(phone, "空き店舗で朝市を開きたい", kind="やりたい")
    note = console.locator("#notes .note", has_text="朝市")
    note.locator(".note__menu > summary").click()  # the note's 操作 menu
    note.get_by_role("link", name="プロジェクトにする").click()
    console.fill("#title", "週末の朝市")
    console.get_by_role("button", name="プロジェクトにする").click()
    expect(phone.locator(".project-row", has_text="週末の朝市")).to_be_visible()

    # The phone takes part, reads who will see its contact, and leaves one.
    phone.locator(".project-row", has_text="週末の朝市").get_by_role("button", name="参加したい").click()
    phone.get_by_role("link", name="連絡先を残す（任意）").click()
    expect(phone.locator("#contact-consent")).to_contain_text("コーディネーター")
    phone.fill("#contact-name", "さくら")
    phone.fill("#contact-reach", "sakura@example.jp")
    phone.get_by_role("checkbox").check()
    phone.get_by_role("button", name="連絡先を残す").click()
    expect(phone.locator("#contact-saved")).to_be_visible()
    link = str(phone.locator("#withdraw-link").get_attribute("href"))

    # The coordinator sees it.
    coordinator = console.context.new_page()
    coordinator.goto(f"{live_server.url}/c/projects")
    coordinator.get_by_role("link", name="週末の朝市").click()
    project_id = re.search(r"/c/projects/(\d+)", coordinator.url).group(1)  # type: ignore[union-attr]
    coordinator.locator("#contacts-link").click()
    expect(coordinator.locator("#contacts")).to_contain_text("sakura@example.jp")

    # The phone withdraws from its link; the coordinator no longer sees it.
    phone.goto(link)
    phone.get_by_role("button", name="連絡先を取り消す").click()
    expect(phone.locator("#contact-withdrawn")).to_be_visible()
    coordinator.reload()
    expect(coordinator.get_by_text("sakura@example.jp")).to_have_count(0)
    expect(coordinator.get_by_text("まだ連絡先はありません。")).to_be_visible()

    # The coordinator publishes the district; a resident opens it on a phone and signs up.
    coordinator.goto(f"{live_server.url}/c/districts/tsurukawa/public")
    coordinator.locator("#public-switch").click()
    expect(coordinator.locator("#public-state")).to_have_text("公開中です。")
    resident = browser.new_context(**PHONE).new_page()
    resident.goto(f"{live_server.url}/d/tsurukawa")
    card = resident.locator(f"#project-{project_id}")
    expect(card).to_contain_text("週末の朝市")
    expect(card).not_to_contain_text("空き店舗")  # the description, prefilled from the note, stays off
    card.get_by_role("link", name="参加したい").click()
    expect(resident.locator("#contact-consent")).to_contain_text("だけが見ます")
    resident.fill("#contact-name", "ゆき")
    resident.fill("#contact-reach", "090-1234-5678")
    resident.get_by_role("checkbox").check()
    resident.get_by_role("button", name="参加したい").click()
    expect(resident.locator("#signup-done")).to_contain_text("週末の朝市")
    coordinator.goto(f"{live_server.url}/c/projects/{project_id}/contacts")
    expect(coordinator.locator("#contacts")).to_contain_text("090-1234-5678")
    if SCREENSHOTS:
        resident.goto(f"{live_server.url}/d/tsurukawa")
        resident.screenshot(path=str(SCREENSHOTS / "public-district.png"), full_page=True)
        coordinator.goto(f"{live_server.url}/c/districts/tsurukawa/notice")
        coordinator.screenshot(path=str(SCREENSHOTS / "public-notice.png"))
