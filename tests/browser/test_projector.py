"""The projector read from the back of a hall: 200 notes on a 4:3 and a 16:9 screen, groups
folding when crowded, and the cursor and controls showing only while the mouse moves."""

from __future__ import annotations

import re
from typing import Any

from server.demo import corpus_notes
from tests.browser.conftest import LiveServer
from tests.browser.helpers import crowd_posts, sign_in_demo

SCREENS = {"4:3": (1024, 768), "16:9": (1920, 1080)}
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
  const clusters = [...document.querySelectorAll('.projector .cluster')];
  return {
    shown: shown.length,
    outside: boxes.filter(b => !(within(b, board) && within(b, screen))).length,
    overlaps,
    spilling: shown.filter(n => n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1).length,
    cut_without_ellipsis: texts.filter(t => t.scrollHeight > t.clientHeight + 1
        && getComputedStyle(t).webkitLineClamp === 'none').length,
    smallest_px: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))),
    folded: document.querySelector('.projector-layout').hasAttribute('data-fold'),
    density: document.querySelector('.projector-layout').getAttribute('data-density'),
    counts_right: clusters.every(c => Number(c.querySelector('.cluster__n').textContent) === c.querySelectorAll('.note').length),
    in_clusters: clusters.reduce((sum, c) => sum + c.querySelectorAll('.note').length, 0),
    visible_clusters: clusters.filter(c => within(c.getBoundingClientRect(), board)).length,
    clusters: clusters.length,
  };
}"""


def board_of_200(server: LiveServer, page: Any, console_url: str) -> None:
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
    assert seen["smallest_px"] >= 11, where
    assert seen["counts_right"], where
    assert seen["visible_clusters"] == seen["clusters"], where


def test_two_hundred_notes_fit_a_4_3_and_a_16_9_screen_and_groups_fold(
    browser: Any, demo_server: LiveServer
) -> None:
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    console = staff.new_page()
    console_url = sign_in_demo(console, demo_server.url)
    board_of_200(demo_server, console, console_url)
    projector = staff.new_page()
    projector.goto(console_url + "/projector")
    projector.wait_for_selector(".conn--connected")
    assert projector.locator(".note").count() == 200

    # Almost everything loose (the sample's one small group): every note on one screen.
    for screen in SCREENS:
        seen = measure(projector, screen)
        assert_readable(seen, screen)
        assert seen["shown"] == 200 - seen["in_clusters"] * seen["folded"], seen
    loose_size = measure(projector, "4:3")["smallest_px"]

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
        assert seen["shown"] == 48, seen
    assert measure(projector, "4:3")["smallest_px"] > loose_size


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
    assert controls.get_by_role("button").inner_text() == "全画面をやめる"
    page.evaluate("() => document.activeElement.blur()")  # a focused control stays visible
    page.wait_for_timeout(3600)  # three seconds without moving the mouse
    assert page.evaluate(state) == ["none", "0"]
