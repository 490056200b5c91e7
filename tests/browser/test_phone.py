"""Phones held in one hand: a 360 px wide touch screen, text of 16 px or more (iOS does not
zoom into a field), touch targets of 44 px or more, and the send key posting."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import PHONE, LiveServer
from tests.browser.helpers import sign_in_demo

SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}
# Every control a thumb may press, and every piece of text, as the phone draws them.
MEASURE = """() => {
  const seen = el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
    && !el.closest('.visually-hidden');
  const name = el => (el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))
    + ' "' + (el.innerText || el.value || '').trim().slice(0, 20) + '"';
  const controls = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
    .filter(el => seen(el) || (el.type === 'radio' && seen(el.parentElement)));
  const small = controls.filter(el => {
    const box = (el.type === 'radio' ? el.parentElement : el).getBoundingClientRect();
    return box.width < 44 || box.height < 44;
  }).map(el => name(el) + ' ' + Math.round(el.getBoundingClientRect().width) + 'x' + Math.round(el.getBoundingClientRect().height));
  const texts = [...document.querySelectorAll('body *')].filter(el => seen(el)
    && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const tiny = texts.filter(el => parseFloat(getComputedStyle(el).fontSize) < 16)
    .map(el => name(el) + ' ' + getComputedStyle(el).fontSize);
  return {controls: controls.length, texts: texts.length, small, tiny,
          wider_than_screen: document.documentElement.scrollWidth > innerWidth};
}"""


def assert_thumb_friendly(page: Any, where: str) -> None:
    seen = page.evaluate(MEASURE)
    assert seen["controls"] >= 2 and seen["texts"] >= 3, (where, seen)
    assert seen["small"] == [] and seen["tiny"] == [], (where, seen["small"], seen["tiny"])
    assert not seen["wider_than_screen"], where


def test_join_and_phone_pages_suit_one_thumb_on_a_360px_screen(browser: Any, demo_server: LiveServer) -> None:
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    console = staff.new_page()
    console.goto(sign_in_demo(console, demo_server.url))
    code = re.sub(r"\D", "", console.locator(".console-bar .mono").inner_text())

    phone = browser.new_context(**SMALL_PHONE).new_page()
    phone.goto(demo_server.url + "/")
    assert_thumb_friendly(phone, "start")
    phone.fill("#code", code)
    phone.press("#code", "Enter")
    phone.wait_for_selector("#nickname")
    assert_thumb_friendly(phone, "join")
    phone.fill("#nickname", "みどり")
    phone.press("#nickname", "Enter")
    phone.wait_for_selector(".conn--connected")

    # The send key (enterkeyhint="send") posts the note.
    assert phone.get_attribute("#note-text", "enterkeyhint") == "send"
    phone.locator("#note-text").tap()
    phone.keyboard.type("公園にベンチがほしい")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".note--own:not(.note--pending)")
    assert phone.input_value("#note-text") == ""
    phone.wait_for_selector("#project-panel:not([hidden])")
    assert_thumb_friendly(phone, "phone with notes, own note and projects")

    console.locator("button[hx-post$='/voting/open']").click()
    phone.wait_for_selector("#vote-panel .vote-toggle")
    assert_thumb_friendly(phone, "phone while voting")


# Layout shifts as the browser scores them (the Layout Instability API behind CLS), recorded
# from before the first paint. All of them: nobody touches the page while it is measured (and
# Chrome marks shifts just after a navigation Playwright started as "recent input").
RECORD_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__shifts.push(entry.value);
}).observe({type: 'layout-shift', buffered: true});
"""


def test_the_phone_page_does_not_move_after_its_first_paint(browser: Any, demo_server: LiveServer) -> None:
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    console = staff.new_page()
    console.goto(sign_in_demo(console, demo_server.url))
    code = re.sub(r"\D", "", console.locator(".console-bar .mono").inner_text())
    console.locator("button[hx-post$='/voting/open']").click()
    console.wait_for_selector("button[hx-post$='/voting/close']")

    context = browser.new_context(**SMALL_PHONE)
    context.add_init_script(RECORD_SHIFTS)
    phone = context.new_page()
    phone.goto(demo_server.url + "/")
    phone.fill("#code", code)
    phone.press("#code", "Enter")
    # A slow phone network (about 3G): anything the page fetched after its first paint would
    # arrive visibly late and push what is below it down.
    network = context.new_cdp_session(phone)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 300, "downloadThroughput": 200_000, "uploadThroughput": 100_000},
    )
    phone.get_by_role("button", name="何も入れずに参加する").click()
    # The page as a participant opens it (and reopens it), with projects and voting on it.
    for visit in ("after joining", "reloaded"):
        if visit == "reloaded":
            phone.reload()
        phone.wait_for_selector(".conn--connected")
        phone.wait_for_timeout(3000)  # the first seconds: websocket, timer, anything loading late
        assert phone.locator("#vote-panel .vote-toggle").count() > 0, visit
        assert phone.locator("#project-panel:not([hidden]) .vote-toggle").count() > 0, visit
        shifts = phone.evaluate("() => window.__shifts")
        assert sum(shifts) < 0.01, (visit, shifts)
