"""The projector read from the back of a hall: 200 notes on a 4:3 and a 16:9 screen, groups
folding when crowded, and the cursor and controls showing only while the mouse moves."""

from __future__ import annotations

import re
from typing import Any

from server.demo import corpus_notes
from tests.browser.conftest import LiveServer
from tests.browser.helpers import crowd_posts, join_from_phone, post_from_phone, sign_in_demo

SCREENS = {"4:3": (1024, 768), "16:9": (1920, 1080)}
# The smallest note text the projector may show (read from 10 m; docs/accessibility.md).
FLOOR_PX = {"4:3": 20, "16:9": 24}
CLAMP_LINES = 4
# What a person sees of each shown note: inside the board and the screen, not on another note,
# its text not spilling out of the card (a long text on a crowded board ends in an ellipsis).
MEASURE = """() => {
  const board = document.querySelector('.projector-board').getBoundingClientRect();
  const shown = [...document.querySelectorAll('.projector-board .note')].filter(n => n.getClientRects().length);
  const boxes = shown.map(n => n.getBoundingClientRect());
  const within = (b, o) => b.left >= o.left - 1 && b.right <= o.right + 1 && b.top >= o.top - 1 && b.bottom <= o.bottom + 1;
  const screen = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
  }
  const texts = shown.map(n => n.querySelector('.note__text'));
  const lines = t => Math.round(t.clientHeight / parseFloat(getComputedStyle(t).lineHeight));
  const loose = [...document.querySelectorAll('#notes > .note')];
  const tile = document.querySelector('.note-overflow');
  const clusters = [...document.querySelectorAll('.projector .cluster')];
  return {
    shown: shown.length,
    outside: boxes.filter(b => !(within(b, board) && within(b, screen))).length,
    overlaps,
    spilling: shown.filter(n => n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1).length,
    cut_without_ellipsis: texts.filter(t => t.scrollHeight > t.clientHeight + 1
        && getComputedStyle(t).webkitLineClamp === 'none').length,
    smallest_px: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))),
    most_lines: Math.max(...texts.map(lines)),
    loose: loose.length,
    loose_shown: loose.filter(n => n.getClientRects().length).length,
    newest_shown: loose.length > 0 && loose[loose.length - 1].getClientRects().length > 0,
    tile_shown: !!tile.getClientRects().length,
    tile_count: Number(tile.querySelector('.note-overflow__n').textContent),
    tile_text: tile.innerText,
    tile_inside: within(tile.getBoundingClientRect(), board),
    empty_below: board.bottom - Math.max(...boxes.map(b => b.bottom)),
    folded: document.querySelector('.projector-layout').hasAttribute('data-fold'),
    density: document.querySelector('.projector-layout').getAttribute('data-density'),
    counts_right: clusters.every(c => Number(c.querySelector('.cluster__n').textContent) === c.querySelectorAll('.note').length),
    in_clusters: clusters.reduce((sum, c) => sum + c.querySelectorAll('.note').length, 0),
    visible_clusters: clusters.filter(c => within(c.getBoundingClientRect(), board)).length,
    clusters: clusters.length,
  };
}"""


def board_of_200(server: LiveServer, page: Any, console_url: str) -> str:
    """Fill the demo session up to 200 notes; its join code."""
    page.goto(console_url)
    code = re.sub(r"\D", "", page.locator(".console-bar .mono").inner_text())
    have = page.locator(".note").count()
    rows = corpus_notes()
    texts = [(r["kind"], r["text"]) for r in rows]
    long = (
        "地域のみんなが集まれる場所をつくり、子どもからお年寄りまでが気軽に立ち寄って話せるようにしたい。" * 4
    )
    notes = [(k, long[:200] if i % 10 == 0 else t) for i, (k, t) in enumerate((texts * 2)[: 200 - have])]
    crowd_posts(server, code, console_url.rsplit("/", 1)[1], notes)
    return code


def measure(projector: Any, screen: str) -> dict[str, Any]:
    projector.set_viewport_size(dict(zip(("width", "height"), SCREENS[screen], strict=True)))
    projector.wait_for_timeout(400)  # the fit runs on the next frame after a resize
    return dict(projector.evaluate(MEASURE))


def assert_readable(seen: dict[str, Any], screen: str) -> None:
    where = f"{screen}: {seen}"
    assert seen["outside"] == 0, where
    assert seen["overlaps"] == 0, where
    assert seen["spilling"] == 0, where
    assert seen["cut_without_ellipsis"] == 0, where
    assert seen["smallest_px"] >= FLOOR_PX[screen], where
    assert seen["most_lines"] <= CLAMP_LINES or seen["density"] != "3", where
    assert seen["counts_right"], where
    assert seen["visible_clusters"] == seen["clusters"], where
    # The loose notes not shown are exactly the ones the tile counts, and the newest are shown.
    assert seen["tile_shown"] == (seen["loose_shown"] < seen["loose"]), where
    assert seen["tile_count"] == seen["loose"] - seen["loose_shown"] or not seen["tile_shown"], where
    assert seen["newest_shown"], where
    if seen["tile_shown"]:
        assert seen["tile_inside"] and str(seen["tile_count"]) in seen["tile_text"], where
        assert seen["empty_below"] < 12, where  # the rows share the board's whole height


def test_two_hundred_notes_fit_a_4_3_and_a_16_9_screen_and_groups_fold(
    browser: Any, demo_server: LiveServer
) -> None:
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    console = staff.new_page()
    console_url = sign_in_demo(console, demo_server.url)
    code = board_of_200(demo_server, console, console_url)
    projector = staff.new_page()
    projector.goto(console_url + "/projector")
    projector.wait_for_selector(".conn--connected")
    assert projector.locator(".note").count() == 200

    # Almost everything loose (the sample's one small group): the notes never shrink below
    # the floor; the newest that fit are shown and one tile counts the rest.
    for screen in SCREENS:
        seen = measure(projector, screen)
        assert_readable(seen, screen)
        assert seen["tile_shown"] and seen["loose_shown"] >= 10, seen

    # A phone posts to the crowded board: its note appears (as the newest), the oldest shown
    # one gives way, and the tile counts one more.
    before = measure(projector, "16:9")
    phone = join_from_phone(browser, demo_server, code)
    post_from_phone(phone, "駅前に屋根のある待合所がほしい")
    projector.wait_for_function(
        "() => [...document.querySelectorAll('#notes > .note')].some(n =>"
        " n.innerText.includes('駅前に屋根のある待合所がほしい') && n.getClientRects().length)"
    )
    projector.wait_for_timeout(300)
    after = dict(projector.evaluate(MEASURE))
    assert_readable(after, "16:9")
    assert after["loose_shown"] == before["loose_shown"], after
    assert after["tile_count"] == before["tile_count"] + 1, after

    # Grouped: 150 notes into six groups, live. The groups fold to name and count, and the
    # 50 notes left loose grow back to a size read from further away.
    console.reload()
    ids = console.eval_on_selector_all("#notes .note", "ns => ns.map(n => n.dataset.note)")[:150]
    for g in range(6):
        console.evaluate(
            """async ([url, ids, name]) => {
              const token = JSON.parse(document.body.getAttribute('hx-headers'))['x-csrftoken'];
              const body = new URLSearchParams([['name', name], ...ids.map(i => ['note_id', i])]);
              await fetch(url, {method: 'POST', body, headers: {'x-csrftoken': token}});
            }""",
            [console_url + "/clusters", ids[g * 25 : (g + 1) * 25], f"グループ{g + 1}"],
        )
    projector.wait_for_function("() => document.querySelectorAll('.projector .cluster').length === 7")
    projector.wait_for_timeout(500)
    for screen in SCREENS:
        seen = measure(projector, screen)
        assert_readable(seen, screen)
        assert seen["folded"], seen
        assert seen["in_clusters"] == 152, seen
        assert seen["loose"] == 49, seen  # 48, and the phone's


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
    controls.get_by_role("button").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    page.wait_for_function(
        "() => document.body.classList.contains('is-fullscreen')"
    )  # set on fullscreenchange
    assert controls.get_by_role("button").inner_text() == "全画面をやめる"
    page.evaluate("() => document.activeElement.blur()")  # a focused control stays visible
    page.wait_for_timeout(3600)  # three seconds without moving the mouse
    assert page.evaluate(state) == ["none", "0"]
