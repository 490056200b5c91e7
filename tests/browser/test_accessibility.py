"""axe-core over every page, with the demo data, in each language: no serious or critical
WCAG 2.1 A/AA violation anywhere (labels, contrast, landmarks, names of controls…).

One browser, one staff context and one phone context per language; the meeting is walked
through all its phases, so the console, projector and phones are checked as they look then.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from server.demo import SAMPLE_TITLE
from tests.browser.axe import BLOCKING, STRUCTURE, WCAG_AA, describe, run_axe
from tests.browser.conftest import DEMO, PHONE, LiveServer

ACCEPT_LANGUAGE = {"ja": "ja-JP,ja;q=0.9", "en": "en-US,en;q=0.9"}
LOCALE = {"ja": "ja-JP", "en": "en-US"}


class Audit:
    """Runs axe on pages as the walk reaches them and keeps what it finds."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.problems: list[str] = []

    def check(self, page: Any, where: str) -> None:
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)  # let htmx settle swaps made on load
        # A new note fades in: measure its colours once the fade is over, not halfway.
        page.wait_for_function(
            "() => document.getAnimations().every(a => a.effect.getTiming().iterations === Infinity"
            " || a.playState !== 'running')"
        )
        self.pages.append(where)
        found = run_axe(page, [*WCAG_AA, "best-practice"])
        if os.environ.get("YORIAI_AXE_ALL"):  # show every finding, without failing on the minor ones
            print("\n".join(describe(where, found)))
        blocking = [v for v in found if v["impact"] in BLOCKING or v["id"] in STRUCTURE]
        self.problems.extend(describe(where, blocking))


def contexts(browser: Any, lang: str) -> tuple[Any, Any]:
    headers = {"Accept-Language": ACCEPT_LANGUAGE[lang]}
    staff = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale=LOCALE[lang], extra_http_headers=headers
    )
    phone = browser.new_context(**{**PHONE, "locale": LOCALE[lang]}, extra_http_headers=headers)
    return staff, phone


def public_pages(browser: Any, page: Any, url: str, audit: Audit) -> None:
    page.goto(url + "/")
    audit.check(page, "start")
    # The error pages answer with their status: the browser logs it as an error, expected here only.
    with browser.expecting_errors("the server responded with a status of 404"):
        page.fill("#code", "000 000")
        page.locator("form[action='/join'] button[type=submit]").click()
        page.wait_for_selector("#code-error")
        audit.check(page, "start, wrong code")
        page.goto(url + "/no-such-page")
        audit.check(page, "404")
    page.goto(url + "/signin")
    audit.check(page, "sign-in")
    with browser.expecting_errors("the server responded with a status of 401"):
        page.fill("#email", DEMO[0])
        page.fill("#password", "wrong-password")
        page.locator("form[action='/signin'] button[type=submit]").click()
        page.wait_for_selector(".notice--error")
        audit.check(page, "sign-in, wrong password")
    page.fill("#password", DEMO[1])
    page.locator("form[action='/signin'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/f$"))


def session_pages(page: Any, url: str, audit: Audit) -> tuple[str, str]:
    """The session list and forms; returns the sample session's console URL and join code."""
    audit.check(page, "session list")
    console_url = url + str(page.get_by_role("link", name=SAMPLE_TITLE).get_attribute("href"))
    page.goto(url + "/f/sessions/new")
    audit.check(page, "session form (new)")
    page.goto(console_url + "/edit")
    audit.check(page, "session form (edit)")
    page.goto(console_url)
    page.wait_for_selector(".conn--connected")
    code = re.sub(r"\D", "", page.locator(".console-bar .mono").inner_text())
    return console_url, code


def console_tools(page: Any, audit: Audit) -> None:
    """The console with its inline forms open: suggestions, rename, merge, editing a note."""
    page.locator("button[hx-get$='/suggestions']").click()
    page.wait_for_selector("#suggestions")
    page.locator("button[hx-get$='/rename']").first.click()
    page.wait_for_selector("form[id$='-name'] input[name=name]")
    page.locator("button[hx-get$='/merge']").first.click()
    page.wait_for_selector(".merge-form")
    page.locator("#notes .note__menu > summary").nth(1).click()  # a note's 操作 menu, open
    page.locator("#notes .note__menu > summary").first.click()
    page.locator("#notes button[hx-get$='?edit=1']").first.click()
    page.wait_for_selector(".note--editing")
    audit.check(page, "console with suggestions, rename, merge, a note's menu and note editing open")
    page.reload()
    page.wait_for_selector(".conn--connected")


def walk_phases(console: Any, projector: Any, phone: Any, audit: Audit) -> None:
    """Every phase of the programme, as the console, projector and a phone show it."""
    total = int(console.locator(".phase-bar__step").inner_text().split("/")[1].strip("）) "))
    for step in range(1, total + 1):
        if step > 1:
            console.locator("button[hx-post$='/phase/next']").click()
            console.wait_for_function(
                "s => document.querySelector('.phase-bar__step').textContent.includes(s + '/')", arg=str(step)
            )
            projector.wait_for_timeout(300)
        audit.check(console, f"console, phase {step}")
        if console.locator("button[hx-post$='/voting/close']").count():  # voting is open now
            phone.wait_for_selector("#vote-panel .vote-toggle")
            phone.locator("#vote-panel .vote-toggle").first.click()
            phone.wait_for_selector("#vote-panel .vote-toggle--on")
            audit.check(phone, "phone, voting open")
            audit.check(projector, "projector, voting open")
            console.locator("button[hx-post$='/voting/reveal']").click()
            projector.wait_for_selector("#ranking")
            phone.wait_for_selector("#vote-panel .ranking")
            audit.check(projector, "projector, results revealed")
            audit.check(phone, "phone, results revealed")
    audit.check(projector, "projector, last phase")


def coordinator_pages(page: Any, url: str, console_url: str, audit: Audit) -> None:
    meeting = console_url.rsplit("/", 1)[1]
    note = page.locator(".note[data-note]").first.get_attribute("data-note")
    simple = {
        "minutes": console_url + "/minutes",
        "promote a note": f"{console_url}/promote?note={note}",
        "accounts (admin)": url + "/admin/users",
        "participants' data (admin)": f"{url}/admin/sessions/{meeting}/participants",
        "projects list": url + "/c/projects",
        "review table": url + "/c/review",
        "report": url + "/c/report",
        "indicators": url + "/c/indicators",
        "visions index": url + "/c/visions",
        "vision detail": url + "/c/visions/tsurukawa",
    }
    for where, address in simple.items():
        page.goto(address)
        audit.check(page, where)
    page.goto(url + "/c/projects")
    project = url + str(
        page.locator("a[href^='/c/projects/']").filter(has_text="サンプル").first.get_attribute("href")
    )
    page.goto(project)
    audit.check(page, "project detail")
    page.goto(project + "/edit")
    audit.check(page, "project form")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_serious_accessibility_violation_on_any_page(
    browser: Any, demo_server: LiveServer, lang: str
) -> None:
    url, audit = demo_server.url, Audit()
    staff, phones = contexts(browser, lang)
    page = staff.new_page()
    public_pages(browser, page, url, audit)
    console_url, code = session_pages(page, url, audit)
    console_tools(page, audit)

    phone = phones.new_page()
    phone.goto(f"{url}/join/{code}")
    audit.check(phone, "join")
    phone.locator("button[name=skip]").click()
    phone.wait_for_selector(".conn--connected")
    phone.wait_for_selector("#project-panel:not([hidden])")  # the sample project (loads after the page)
    phone.fill("#note-text", "バス停にベンチがほしい")
    phone.locator("#composer button[type=submit]").click()
    phone.wait_for_selector(".note--own:not(.note--pending)")
    audit.check(phone, "phone with notes, own note and project panel")

    projector = staff.new_page()
    projector.goto(console_url + "/projector")
    projector.wait_for_selector(".conn--connected")
    audit.check(projector, "projector")
    walk_phases(page, projector, phone, audit)
    coordinator_pages(page, url, console_url, audit)

    assert len(audit.pages) >= 35, audit.pages
    assert not audit.problems, "axe found serious or critical violations:\n" + "\n".join(audit.problems)


def test_grouping_by_keyboard_alone_and_new_notes_announced(browser: Any, demo_server: LiveServer) -> None:
    """A facilitator without a mouse moves a note into a group (Tab, Enter, arrow keys); a
    phone with a screen reader hears the new note once, from the polite live region."""
    staff, phones = contexts(browser, "ja")
    console = staff.new_page()
    public_pages(browser, console, demo_server.url, Audit())
    _, code = session_pages(console, demo_server.url, Audit())
    note = console.locator("#notes .note").first
    note_id = note.get_attribute("data-note")
    note.locator(".note__menu > summary").focus()  # the note's 操作 menu opens with Enter
    console.keyboard.press("Enter")
    move = note.locator("button[hx-get$='/move']")
    move.wait_for()
    move.focus()
    console.keyboard.press("Enter")
    select = console.locator(f"#move-{note_id}")
    select.wait_for()
    # Focus lands in the form (htmx focuses it as the swap settles: wait for it, on a busy machine).
    console.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === 'move-{note_id}'"
    )
    group = select.locator("option").first.inner_text()
    console.keyboard.press("Tab")
    console.keyboard.press("Enter")
    moved = console.locator(f".cluster #note-{note_id}")
    moved.wait_for()
    assert moved.locator("xpath=ancestor::section[1]").locator(".cluster__name").inner_text() == group
    console.wait_for_function(f"() => document.activeElement.closest('#note-{note_id}') !== null")

    phone = phones.new_page()
    phone.goto(f"{demo_server.url}/join/{code}")
    phone.locator("button[name=skip]").click()
    phone.wait_for_selector(".conn--connected")
    console.fill("#proxy-text", "図書館の前に花だんを")
    console.locator("#proxy-form button[type=submit]").click()
    announcer = phone.locator("#announcer")
    phone.wait_for_function("() => document.getElementById('announcer').textContent.includes('花だん')")
    assert announcer.get_attribute("aria-live") == "polite"
    assert "困りごと" in announcer.inner_text()
    assert phone.locator("#notes").get_attribute("aria-live") is None  # the board is not re-read
