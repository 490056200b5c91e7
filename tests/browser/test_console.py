"""The facilitator's console at a real meeting's size (issue 14): 300 notes on a 1024×768 touch
tablet. Notes are filtered and searched, selected by tapping their boxes (and Shift+click for a
range, and the keyboard), moved into a group, made into a new group, dragged onto a group with a
finger, and hidden at once; the projector and a phone follow live."""

from __future__ import annotations

from typing import Any

from server.demo import SAMPLE_TITLE
from tests.browser.conftest import LiveServer
from tests.browser.helpers import join_from_phone, seed_notes, sign_in_demo

TABLET = {
    "viewport": {"width": 1024, "height": 768},
    "has_touch": True,
    "is_mobile": False,
    "locale": "ja-JP",
    "reduced_motion": "reduce",
}
SHOWN = "#clusters .note:not(.is-filtered-out), #notes .note:not(.is-filtered-out)"


def ids_of(page: Any, selector: str) -> list[str]:
    return list(page.eval_on_selector_all(selector, "notes => notes.map(n => n.dataset.note)"))


def cluster_id(console: Any, name: str) -> str:
    heading = console.locator("#clusters .cluster__name", has_text=name)
    return str(heading.get_attribute("id")).removeprefix("cluster-").removesuffix("-name")


def touch_drag(page: Any, source: Any, target: Any) -> None:
    """A finger's long press on a note, then a slow drag onto the target, as on a tablet (touch
    events through the DevTools protocol: SortableJS waits for a press before it drags). The
    target's place is read once the drag has begun (the drop dock appears only then)."""
    start = source.bounding_box()
    assert start and start["y"] + 20 <= page.viewport_size["height"], start
    cdp = page.context.new_cdp_session(page)
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + 20

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    page.wait_for_timeout(300)  # a long press: a quick swipe scrolls instead
    moved = 0
    while not page.evaluate("() => document.body.classList.contains('is-dragging')"):
        moved += 3
        assert moved < 60, "the long press did not start a drag"
        touch("touchMove", x0, y0 + moved)
        page.wait_for_timeout(40)
    end = target.bounding_box()
    assert end and end["y"] >= 0 and end["y"] + end["height"] / 2 <= page.viewport_size["height"], end
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    for i in range(1, 16):
        touch("touchMove", x0 + (x1 - x0) * i / 15, y0 + moved + (y1 - y0 - moved) * i / 15)
        page.wait_for_timeout(30)
    touch("touchEnd", x1, y1)
    cdp.detach()


def test_300_notes_grouped_on_a_touch_tablet_by_selection_and_by_drag(
    browser: Any, demo_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    seed_notes(demo_server, SAMPLE_TITLE, 300)
    staff = browser.new_context(**TABLET)
    console = staff.new_page()
    console_url = sign_in_demo(console, demo_server.url)
    console.goto(console_url)
    console.wait_for_selector(".conn--connected")
    assert console.locator("#clusters .note, #notes .note").count() == 300
    code = "".join(ch for ch in console.locator(".console-bar .mono").inner_text() if ch.isdigit())
    projector = staff.new_page()
    projector.goto(console_url + "/projector")
    projector.wait_for_selector(".conn--connected")
    phone = join_from_phone(browser, demo_server, code)
    console.bring_to_front()
    group = cluster_id(console, "移動・送迎")
    bar = console.locator("#selection-bar")
    expect(bar).to_be_hidden()

    # Filter by kind: only できる notes are left, and the bar says how many.
    console.get_by_role("button", name="できる", exact=True).tap()
    offers = console.locator(SHOWN)
    shown = offers.count()
    assert 0 < shown < 300
    assert console.locator(".note--offer:not(.is-filtered-out)").count() == shown
    expect(console.locator("[data-filter-summary]")).to_contain_text(f"当てはまる付箋 {shown}枚")

    # Tap two boxes, then Shift+click a third: the range between is selected too.
    ungrouped = console.locator("#notes .note:not(.is-filtered-out)")
    picked = [ungrouped.nth(i).get_attribute("data-note") for i in range(5)]
    ungrouped.nth(0).locator(".note__pick").tap()
    ungrouped.nth(1).locator(".note__pick").tap()
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("2枚を選択中")
    ungrouped.nth(4).locator(".note__check").click(modifiers=["Shift"])
    expect(bar).to_contain_text("5枚を選択中")
    assert sorted(ids_of(console, ".note--selected")) == sorted(picked)
    bar.locator("#selection-cluster").select_option(label="移動・送迎")
    bar.get_by_role("button", name="グループへ移動").tap()
    expect(bar).to_be_hidden()
    for page in (console, projector):
        expect(page.locator(f"#cluster-{group}-notes .note")).to_have_count(2 + 5)  # the demo's two
    assert set(picked) <= set(ids_of(projector, f"#cluster-{group}-notes .note"))
    assert console.locator(".note--selected").count() == 0

    # Search, within the kind: a word of one note; Esc in the field clears the search.
    console.get_by_role("button", name="すべて", exact=True).tap()
    console.keyboard.press("/")
    expect(console.locator("#note-search")).to_be_focused()
    console.keyboard.type("子ども食堂")
    matching = console.locator(SHOWN)
    expect(matching.first).to_contain_text("子ども食堂")
    found = matching.count()
    assert 0 < found < 300
    for i in range(found):
        expect(matching.nth(i).locator(".note__text")).to_contain_text("子ども食堂")
    console.keyboard.press("Escape")
    expect(console.locator(SHOWN)).to_have_count(300)

    # The keyboard: j to the first notes, x to select, n to name a new group, Enter.
    console.keyboard.press("j")
    first = console.evaluate("() => document.activeElement.dataset.note")
    assert first, "j focuses a note"
    console.keyboard.press("x")
    console.keyboard.press("j")
    console.keyboard.press("j")
    console.keyboard.press("x")
    expect(bar).to_contain_text("2枚を選択中")
    chosen = ids_of(console, ".note--selected")
    assert first in chosen
    console.keyboard.press("n")
    expect(console.locator("#selection-name")).to_be_focused()
    console.keyboard.type("子育て")  # typing a name: the letters are not shortcuts
    console.keyboard.press("Enter")
    new_group = console.locator(
        "#clusters .cluster", has=console.locator(".cluster__name", has_text="子育て")
    )
    expect(new_group.locator(".note")).to_have_count(2)
    assert sorted(ids_of(console, f"#{new_group.get_attribute('id')} .note")) == sorted(chosen)
    expect(
        projector.locator(".cluster", has=projector.locator(".cluster__name", has_text="子育て")).locator(
            ".note"
        )
    ).to_have_count(2)

    # A finger drags one note onto a group: anywhere on its card takes it. Searching first keeps
    # the board short, as a facilitator looking for one note does.
    console.keyboard.press("/")
    console.keyboard.type("子ども食堂")
    note = console.locator("#notes .note:not(.is-filtered-out)").first
    dragged = note.get_attribute("data-note")
    target = console.locator(f"#cluster-{group}")
    # The group's card just below the sticky bar, the note further down the same screen.
    console.evaluate(
        """(card) => window.scrollBy(0, card.getBoundingClientRect().top
             - document.getElementById('board-tools').getBoundingClientRect().bottom - 4)""",
        target.element_handle(),
    )
    touch_drag(console, note, target)
    expect(projector.locator(f"#cluster-{group}-notes #note-{dragged}")).to_have_count(1)
    expect(console.locator(f"#cluster-{group}-notes #note-{dragged}")).to_have_count(1)

    # Far down the board, with two notes selected: dragging one of them onto the drop dock (the
    # groups along the bottom of the screen while a note is dragged) moves both.
    console.locator("#note-search").fill("")
    console.locator("#note-search").dispatch_event("input")
    far = console.locator("#notes .note:not(.note--hidden)")
    pair = [far.nth(200).get_attribute("data-note"), far.nth(201).get_attribute("data-note")]
    for note_id in pair:
        console.locator(f"#note-{note_id}").scroll_into_view_if_needed()
        console.locator(f"#note-{note_id} .note__pick").tap()
    expect(bar).to_contain_text("2枚を選択中")
    dock = console.locator(".drop-dock__target", has_text="子育て")
    touch_drag(console, console.locator(f"#note-{pair[0]}"), dock)
    for page in (console, projector):
        kosodate = page.locator(".cluster", has=page.locator(".cluster__name", has_text="子育て"))
        expect(kosodate.locator(".note")).to_have_count(4)
        for note_id in pair:
            expect(kosodate.locator(f"#note-{note_id}")).to_have_count(1)
    expect(console.locator(".drop-dock")).to_be_hidden()
    expect(bar).to_be_hidden()

    # Hide two at once: gone from the phone and the projector, still on the console as hidden.
    console.locator("#note-search").fill("")
    console.locator("#note-search").dispatch_event("input")
    rest = console.locator("#notes .note:not(.note--hidden)")
    gone = [rest.nth(0).get_attribute("data-note"), rest.nth(1).get_attribute("data-note")]
    for note_id in gone:
        expect(phone.locator(f"#note-{note_id}")).to_have_count(1)
        console.locator(f"#note-{note_id} .note__pick").tap()
    bar.get_by_role("button", name="まとめて非表示").tap()
    for note_id in gone:
        expect(console.locator(f"#note-{note_id}.note--hidden")).to_have_count(1)
        expect(projector.locator(f"#note-{note_id}")).to_have_count(0)
        expect(phone.locator(f"#note-{note_id}")).to_have_count(0)
    expect(bar).to_be_hidden()

    # Letters typed in a field are text, not shortcuts: nothing is selected, hidden or moved.
    search = console.locator("#note-search")
    console.keyboard.press("/")
    console.keyboard.type("xhgjnk")
    expect(search).to_have_value("xhgjnk")
    expect(search).to_be_focused()
    expect(bar).to_be_hidden()
    console.keyboard.press("Escape")
    expect(search).to_have_value("")
    expect(console.locator(SHOWN)).to_have_count(300)

    # g selects the focused note and goes to the choice of group; Esc lets go.
    target_note = console.locator("#notes .note:not(.note--hidden)").first
    target_id = target_note.get_attribute("data-note")
    target_note.focus()
    console.keyboard.press("g")
    expect(console.locator("#selection-cluster")).to_be_focused()
    expect(bar).to_contain_text("1枚を選択中")
    console.keyboard.press("Escape")  # in the select: a field, so the shortcut leaves it alone
    target_note.focus()
    console.keyboard.press("Escape")
    expect(bar).to_be_hidden()

    # h hides the focused note; the focus stays on it.
    console.keyboard.press("h")
    expect(console.locator(f"#note-{target_id}.note--hidden")).to_have_count(1)
    expect(phone.locator(f"#note-{target_id}")).to_have_count(0)
    expect(projector.locator(f"#note-{target_id}")).to_have_count(0)
    console.wait_for_function(f"() => document.activeElement.id === 'note-{target_id}'")
