"""Tables (島) in a real browser (issue 15): a console, a projector and phones at two tables, from
table cards to table work (each phone sees its own table), the plenary (every phone sees every
table) and a world-café round. Fails on any console error (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import PHONE, LiveServer
from tests.browser.helpers import open_projector, post_from_phone, sign_in_and_open_session


def phone_at_table(browser: Any, server: LiveServer, code: str, table: str) -> Any:
    """A phone that types the session's code on the start page and picks its table's button."""
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(server.url + "/")
    phone.fill("#code", f"{code[:3]} {code[3:]}")
    phone.get_by_role("button", name="参加する").click()
    phone.get_by_role("button", name=f"島 {table}").click()
    phone.wait_for_selector(".conn--connected")
    return phone


def phone_by_table_code(browser: Any, server: LiveServer, code: str, table_code: str) -> Any:
    """A phone that types a table card's eight digits: it joins straight to that table."""
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(server.url + "/")
    phone.fill("#code", f"{code[:3]} {code[3:]} {table_code}")
    phone.get_by_role("button", name="参加する").click()
    phone.get_by_role("button", name="何も入れずに参加する").click()
    phone.wait_for_selector(".conn--connected")
    return phone


def test_two_tables_from_table_work_to_the_plenary_and_a_second_round(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    console.get_by_role("link", name="島（テーブル）に分ける").click()
    console.fill("#table-count", "2")
    console.get_by_role("button", name="保存").click()
    expect(console.locator("#table-name-2")).to_have_value("B")
    cards = console.context.new_page()
    cards.goto(console.url + "/cards")
    expect(cards.locator(".table-card")).to_have_count(2)
    expect(cards.locator(".table-card__code").nth(1)).to_have_text(f"{code[:3]} {code[3:]} 02")
    assert cards.evaluate("document.querySelector('.table-card__qr').naturalWidth") > 0  # the QR is drawn
    cards.close()
    console.get_by_role("link", name="← 進行画面へ").click()
    console.wait_for_selector(".conn--connected")
    projector = open_projector(console)

    at_a = phone_at_table(browser, live_server, code, "A")
    at_b = phone_by_table_code(browser, live_server, code, "02")
    expect(at_a.locator(".table-badge")).to_contain_text("あなたの島：A")
    expect(at_b.locator(".table-badge")).to_contain_text("あなたの島：B")
    expect(projector.locator(".table-block", has_text="島 A").locator(".table-block__count")).to_have_text(
        "1人"
    )
    expect(projector.locator(".table-block", has_text="島 B").locator(".table-block__count")).to_have_text(
        "1人"
    )

    # Table work: each phone loads its page again and sees its own table only.
    console.get_by_role("button", name="テーブルワークにする").click()
    expect(console.locator("#table-mode")).to_contain_text("テーブルワーク中")
    for phone in (at_a, at_b):
        expect(phone.locator(".table-mode")).to_contain_text("テーブルワーク中")
        phone.wait_for_selector(".conn--connected")
    post_from_phone(at_a, "Aの島：空き家で子ども食堂")
    post_from_phone(at_b, "Bの島：駅前にベンチを")
    expect(at_b.locator("#notes .note", has_text="Bの島：駅前にベンチを")).to_be_visible()
    expect(at_a.locator("#notes .note", has_text="Aの島：空き家で子ども食堂")).to_be_visible()
    # The projector shows both tables side by side, each with its own notes.
    expect(projector.locator(".table-block", has_text="島 A").locator(".note")).to_have_text(
        [re.compile("空き家で子ども食堂")]
    )
    expect(projector.locator(".table-block", has_text="島 B").locator(".note")).to_have_text(
        [re.compile("駅前にベンチを")]
    )
    at_b.wait_for_timeout(500)  # anything of table A would have arrived by now
    expect(at_b.locator("#notes .note", has_text="空き家で子ども食堂")).to_have_count(0)
    expect(at_a.locator("#notes .note", has_text="駅前にベンチを")).to_have_count(0)

    # The plenary: every phone sees every table.
    console.get_by_role("button", name="全体共有にする").click()
    expect(console.locator("#table-mode")).to_contain_text("全体共有")
    for phone in (at_a, at_b):
        expect(phone.locator(".table-mode")).to_contain_text("全体共有")
        expect(phone.locator("#notes .note", has_text="空き家で子ども食堂")).to_be_visible()
        expect(phone.locator("#notes .note", has_text="駅前にベンチを")).to_be_visible()
        phone.wait_for_selector(".conn--connected")
    post_from_phone(at_a, "全体で：朝市をやろう")
    expect(at_b.locator("#notes .note", has_text="全体で：朝市をやろう")).to_be_visible()
    expect(projector.locator(".table-block", has_text="島 A").locator(".note")).to_have_count(2)

    # A world-café round: nobody is a host, so the two swap tables; each phone says where to go,
    # and the notes stay with the table they were written at.
    console.goto(console.url + "/tables")
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="ラウンド2を始める（席がえ）").click()
    expect(at_a.locator(".notice--round")).to_have_text("ラウンド2：次は島 B へ")
    expect(at_b.locator(".notice--round")).to_have_text("ラウンド2：次は島 A へ")
    expect(at_a.locator(".table-badge")).to_contain_text("あなたの島：B")
    for phone in (at_a, at_b):
        phone.wait_for_selector(".conn--connected")
    expect(projector.locator(".table-block", has_text="島 A").locator(".note")).to_have_count(2)
    expect(projector.locator(".table-block", has_text="島 B").locator(".table-block__count")).to_have_text(
        "1人"
    )
