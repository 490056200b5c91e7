"""The projector read from the back of a hall: 120 and 300 notes on a 4:3 and a 16:9 screen, every
note readable at once or within one turn of the wall's pages, the join panel shrinking to a corner
after the first phase, and the cursor and controls showing only while the mouse moves."""

from __future__ import annotations

from typing import Any

from server.demo import SAMPLE_TITLE
from tests.browser.conftest import LiveServer
from tests.browser.helpers import join_from_phone, post_from_phone, seed_notes, sign_in_demo

SCREENS = {"4:3": (1024, 768), "16:9": (1920, 1080)}
# The smallest note text the projector may show (read from 10 m; docs/accessibility.md).
FLOOR_PX = {"4:3": 20, "16:9": 24}
# What a person sees on the page shown now: each note wholly inside the wall and the screen or
# wholly outside it (never cut at an edge), none on another, no text cut off inside its card.
MEASURE = """() => {
  const wall = document.querySelector('.wall').getBoundingClientRect();
  const notes = [...document.querySelectorAll('.wall .note')];
  const inside = (b, o) => b.left >= o.left - 1 && b.right <= o.right + 1 && b.top >= o.top - 1 && b.bottom <= o.bottom + 1;
  const apart = (b, o) => b.right <= o.left + 1 || b.left >= o.right - 1 || b.bottom <= o.top + 1 || b.top >= o.bottom - 1;
  const screen = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  const shown = notes.filter(n => inside(n.getBoundingClientRect(), wall) && inside(n.getBoundingClientRect(), screen));
  const boxes = shown.map(n => n.getBoundingClientRect());
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (!apart(boxes[i], boxes[j])) overlaps++;
  const layout = document.querySelector('.projector-layout');
  const clusters = [...document.querySelectorAll('.projector .cluster')];
  return {
    notes: notes.length,
    shown: shown.map(n => n.dataset.note),
    cut: notes.filter(n => !inside(n.getBoundingClientRect(), wall) && !apart(n.getBoundingClientRect(), wall)).length,
    split: notes.filter(n => n.getClientRects().length > 1).length,
    overlaps,
    clipped: shown.filter(n => n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1
        || [...n.querySelectorAll('p')].some(p => p.scrollHeight > p.clientHeight + 1)).length,
    smallest_px: Math.min(...shown.map(n => parseFloat(getComputedStyle(n.querySelector('.note__text')).fontSize))),
    page: Number(layout.dataset.page), pages: Number(layout.dataset.pages),
    pager: document.querySelector('.wall-pager').hidden ? '' : document.querySelector('.wall-pager').innerText,
    tile: document.querySelectorAll('.note-overflow').length,
    counts_right: clusters.every(c => Number(c.querySelector('.cluster__n').textContent) === c.querySelectorAll('.note').length),
    join: layout.dataset.join,
  };
}"""


def read_every_page(projector: Any, screen: str) -> dict[str, Any]:
    """Show each page of the wall in turn (the → key, as a facilitator would) and check what is
    on it; every note must have been wholly on one page by the end of one turn."""
    projector.set_viewport_size(dict(zip(("width", "height"), SCREENS[screen], strict=True)))
    projector.wait_for_timeout(300)  # the fit runs on the next frame after a resize
    seen = dict(projector.evaluate(MEASURE))
    assert seen["page"] == 1, seen
    read: set[str] = set()
    for page in range(1, seen["pages"] + 1):
        now = dict(projector.evaluate(MEASURE))
        where = f"{screen}, page {page}: {now}"
        assert now["page"] == page and now["tile"] == 0, where
        assert now["cut"] == 0 and now["split"] == 0 and now["overlaps"] == 0 and now["clipped"] == 0, where
        assert now["smallest_px"] >= FLOOR_PX[screen], where
        assert now["counts_right"], where
        assert (now["pager"] != "") == (now["pages"] > 1), where
        if now["pages"] > 1:
            assert f"{page} / {now['pages']}" in now["pager"], where
        read |= set(now["shown"])
        projector.keyboard.press("ArrowRight")
        projector.wait_for_timeout(50)
    assert len(read) == seen["notes"], f"{screen}: {len(read)} of {seen['notes']} notes read in one turn"
    assert dict(projector.evaluate(MEASURE))["page"] == 1  # round again
    return seen


def test_the_wall_at_120_and_300_notes_on_4_3_and_16_9(browser: Any, demo_server: LiveServer) -> None:
    seed_notes(demo_server, SAMPLE_TITLE, 120)
    staff = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="ja-JP", reduced_motion="reduce"
    )
    console = staff.new_page()
    console_url = sign_in_demo(console, demo_server.url)
    projector = staff.new_page()
    projector.goto(console_url + "/projector")
    projector.wait_for_selector(".conn--connected")
    assert projector.locator(".note").count() == 120

    # 120 notes: readable at once on 16:9 (or in very few pages), in a few pages on 4:3.
    pages = {screen: read_every_page(projector, screen)["pages"] for screen in SCREENS}
    assert pages["16:9"] <= 6 and pages["4:3"] <= 12, pages
    assert projector.locator(".projector-layout").get_attribute("data-join") == "big"  # the first phase

    # A phone posts to the crowded board: its note lands at the end of the wall, nothing else moves.
    console.goto(console_url)
    code = "".join(ch for ch in console.locator(".console-bar .mono").inner_text() if ch.isdigit())
    before = projector.evaluate("() => document.querySelector('.wall .note').getBoundingClientRect().top")
    phone = join_from_phone(browser, demo_server, code)
    post_from_phone(phone, "駅前に屋根のある待合所がほしい")
    projector.wait_for_function(
        "() => document.querySelector('#notes > .note:last-child').innerText.includes('駅前に屋根')"
    )
    assert (
        projector.evaluate("() => document.querySelector('.wall .note').getBoundingClientRect().top")
        == before
    )

    # The next phase: the join panel shrinks to a corner; the facilitator can bring it back big.
    console.get_by_role("button", name="次へ ▶").click()
    projector.wait_for_function(
        "() => document.querySelector('.projector-layout').dataset.join === 'compact'"
    )
    projector.mouse.move(300, 200)
    projector.get_by_role("button", name="参加方法を大きく").click()
    assert projector.locator(".projector-layout").get_attribute("data-join") == "big"
    projector.get_by_role("button", name="参加方法を小さく").click()
    assert projector.locator(".join-panel__code").is_visible()

    # 300 notes: pages at the floor size, each note whole on one of them.
    seed_notes(demo_server, SAMPLE_TITLE, 300)
    projector.reload()
    projector.wait_for_selector(".conn--connected")
    pages = {screen: read_every_page(projector, screen)["pages"] for screen in SCREENS}
    assert 1 < pages["16:9"] <= 14 and pages["4:3"] <= 24, pages

    # The pages turn by themselves at the pace set in the controls.
    projector.mouse.move(320, 220)
    projector.select_option("[data-page-pace]", "10")
    projector.wait_for_function(
        "() => document.querySelector('.projector-layout').dataset.page === '2'", timeout=13000
    )


def test_cursor_and_full_screen_button_show_only_while_the_mouse_moves(
    browser: Any, demo_server: LiveServer
) -> None:
    staff = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="ja-JP")
    page = staff.new_page()
    projector_url = sign_in_demo(page, demo_server.url) + "/projector"
    page.goto(projector_url)
    page.wait_for_selector(".conn--connected")
    controls = page.locator(".projector-controls")
    state = "() => [getComputedStyle(document.body).cursor, getComputedStyle(document.querySelector('.projector-controls')).opacity]"
    assert page.evaluate(state) == ["none", "0"]
    page.mouse.move(400, 300)
    page.mouse.move(420, 320)
    page.wait_for_timeout(500)
    assert page.evaluate(state) == ["auto", "1"]
    controls.locator("[data-fullscreen]").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    page.wait_for_function(
        "() => document.body.classList.contains('is-fullscreen')"
    )  # set on fullscreenchange
    assert controls.locator("[data-fullscreen]").inner_text() == "全画面をやめる"
    page.evaluate("() => document.activeElement.blur()")  # a focused control stays visible
    page.wait_for_timeout(3600)  # three seconds without moving the mouse
    assert page.evaluate(state) == ["none", "0"]


def test_the_spotlight_shows_one_note_or_group_big_and_phones_see_which(
    browser: Any, demo_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    seed_notes(demo_server, SAMPLE_TITLE, 300)  # a crowded board: the wall turns pages
    staff = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", reduced_motion="reduce"
    )
    console = staff.new_page()
    console_url = sign_in_demo(console, demo_server.url)
    console.goto(console_url)
    console.wait_for_selector(".conn--connected")
    code = "".join(ch for ch in console.locator(".console-bar .mono").inner_text() if ch.isdigit())
    projector = staff.new_page()
    projector.goto(console_url + "/projector")
    projector.wait_for_selector(".conn--connected")
    phones = [join_from_phone(browser, demo_server, code) for _ in range(2)]

    # The note a phone just wrote: on the wall's last page, not the one the room is looking at.
    text = "尾根緑道の夜道に足元灯をつけたい"
    post_from_phone(phones[0], text)
    note = console.locator("#notes .note", has_text=text)
    expect(note).to_have_count(1)
    note_id = note.get_attribute("data-note")
    wall = dict(projector.evaluate(MEASURE))
    assert wall["pages"] > 1 and note_id not in wall["shown"], wall
    note.locator(".note__menu > summary").click()  # the note's 操作 menu
    note.get_by_role("button", name="大きく映す").click()
    big = projector.locator(".spotlight--projector")
    expect(big).to_contain_text(text)
    size = big.locator(".note__text").evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
    assert size >= 40, size  # far bigger than the wall's notes
    for phone in phones:
        expect(phone.locator(".spotlight--phone")).to_contain_text("いま話しているのは")
        expect(phone.locator(".spotlight--phone")).to_contain_text(text)
        expect(phone.locator(".spotlight--phone")).to_be_in_viewport()

    # Hidden while in the spotlight: gone from it everywhere at once.
    note.get_by_role("button", name="非表示").click()
    expect(projector.locator(".spotlight--projector .note")).to_have_count(0)
    for phone in phones:
        expect(phone.locator(".spotlight--phone .note")).to_have_count(0)
        expect(phone.locator("#notes .note", has_text=text)).to_have_count(0)
    # Nowhere on the other phone, not even in what its screen reader was last told.
    expect(phones[1].get_by_text(text)).to_have_count(0)  # (the author's own list keeps it)
    expect(projector.get_by_text(text)).to_have_count(0)

    # A group, then back to the wall.
    cluster = console.locator("#clusters .cluster").first
    name = cluster.locator(".cluster__name").inner_text()
    cluster.locator(".cluster__actions").get_by_role("button", name="大きく映す").click()
    expect(projector.locator(".spotlight--projector .spotlight__name")).to_have_text(name)
    expect(phones[0].locator(".spotlight--phone")).to_contain_text(name)
    console.locator(".spotlight--console").get_by_role("button", name="壁にもどす").click()
    expect(projector.locator(".spotlight--projector")).to_have_count(0)
    expect(phones[1].locator(".spotlight--phone")).to_have_count(0)
    expect(projector.locator(".wall .note").first).to_be_visible()
