"""Screenshots of every page, in each language, into docs/screenshots/ (run by hand).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang ja --lang en]

Starts its own server on a free port with the demo data (server/demo.py) in a temporary folder,
drives Debian's chromium with Playwright, and writes stable names (``ja-phone.png``,
``en-projector-1024x768.png`` …) so a change shows up as a diff of the same file. The language
is chosen as a browser does, by the Accept-Language header. See docs/screenshots/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.demo import DEMO_EMAIL, DEMO_PASSWORD, SAMPLE_TITLE  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import seed_notes  # noqa: E402
from tests.live_server import LiveServer, cli, free_port  # noqa: E402

ACCEPT = {"ja": "ja-JP,ja;q=0.9", "en": "en-US,en;q=0.9"}
LOCALE = {"ja": "ja-JP", "en": "en-US"}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}
DESK = {"viewport": {"width": 1280, "height": 800}}
PROJECTORS = [(1920, 1080), (1024, 768)]


class Shooter:
    def __init__(self, out: Path, lang: str) -> None:
        self.out, self.lang, self.taken = out, lang, 0

    def __call__(self, page: Any, name: str, *, full: bool = False) -> None:
        page.wait_for_load_state("load")
        page.wait_for_timeout(400)  # live connection and fades settle
        path = self.out / f"{self.lang}-{name}.png"
        page.screenshot(path=str(path), full_page=full, animations="disabled", caret="initial")
        shrink(path)
        self.taken += 1
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def shrink(path: Path) -> None:
    """Debian's pngquant (apt-get install pngquant), when present, makes each file about a
    third of its size: 256 colours are plenty for flat UI colours and text."""
    pngquant = shutil.which("pngquant")
    if pngquant:
        subprocess.run(
            [
                pngquant,
                "--force",
                "--skip-if-larger",
                "--strip",
                "--quality=70-95",
                "--output",
                str(path),
                str(path),
            ],
            check=False,
        )


def start_server() -> LiveServer:
    port = free_port()
    data = tempfile.mkdtemp(prefix="yoriai-shots-")
    env = {**os.environ, "YORIAI_DATA_DIR": data, "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env.pop("YORIAI_DATABASE_URL", None)
    cli(env, "migrate")
    cli(env, "demo")
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    server.start()
    return server


def sign_in(page: Any, url: str) -> str:
    page.goto(url + "/signin")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("form[action='/signin'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/f$"))
    return url + str(page.get_by_role("link", name=SAMPLE_TITLE).get_attribute("href"))


def projector_shots(page: Any, shoot: Shooter, suffix: str = "") -> None:
    for width, height in PROJECTORS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        shoot(page, f"projector{suffix}-{width}x{height}")


def public_and_staff_pages(browser: Any, url: str, lang: str, shoot: Shooter) -> tuple[Any, Any, str]:
    headers = {"extra_http_headers": {"Accept-Language": ACCEPT[lang]}, "locale": LOCALE[lang]}
    phone_context = browser.new_context(**PHONE, **headers)
    phone = phone_context.new_page()
    phone.goto(url + "/")
    shoot(phone, "start")
    staff = browser.new_context(**DESK, **headers)
    page = staff.new_page()
    page.goto(url + "/signin")
    shoot(page, "signin")
    page.goto(url + "/no-such-page")
    shoot(page, "not-found")
    console = sign_in(page, url)
    shoot(page, "sessions", full=True)
    page.goto(url + "/f/sessions/new")
    shoot(page, "session-new", full=True)
    page.goto(console)
    page.wait_for_selector(".conn--connected")
    shoot(page, "console", full=True)
    code = re.sub(r"\D", "", page.locator(".console-bar .mono").inner_text())
    phone.goto(f"{url}/join/{code}")
    shoot(phone, "join")
    phone.fill("#nickname", "みどり")
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_selector(".conn--connected")
    shoot(phone, "phone")
    screened_shots(page, phone, shoot)
    projector = staff.new_page()
    projector.goto(console + "/projector")
    projector.wait_for_selector(".conn--connected")
    projector_shots(projector, shoot)
    return page, (phone, projector), console


def grouping_and_voting(page: Any, screens: tuple[Any, Any], console: str, shoot: Shooter) -> None:
    phone, projector = screens
    next_phase = page.locator("button[hx-post$='/phase/next']")
    for _ in range(4):  # check-in → review → question → divergence → grouping
        next_phase.click()
        page.wait_for_timeout(300)
    shoot(page, "console-grouping", full=True)
    next_phase.click()  # voting opens with the phase
    phone.wait_for_selector("#vote-panel .vote-toggle")
    phone.locator("#vote-panel .vote-toggle").first.click()
    phone.wait_for_selector("#vote-panel .vote-toggle--on")
    shoot(phone, "phone-voting", full=True)
    shoot(page, "console-voting", full=True)
    page.locator("button[hx-post$='/voting/reveal']").click()
    projector.wait_for_selector("#ranking")
    projector_shots(projector, shoot, "-results")
    page.locator("button[hx-post$='/voting/hide-results']").click()
    page.locator("button[hx-post$='/voting/close']").click()
    for _ in range(5):  # back to the first phase, so the next language starts where this one did
        page.locator("button[hx-post$='/phase/back']").click()
        page.wait_for_timeout(300)
    page.goto(console)


SCREENED = {  # one note per language's run, so the sample's wall holds no twin
    "ja": "母の介護で夜も眠れず、仕事をやめるか迷っています",
    "en": "となりの一人暮らしの方を最近見かけず、心配です",
}


def screened_shots(page: Any, phone: Any, shoot: Shooter) -> None:
    """Screened mode (確認してから映す) on the sample session: a phone's note waits in the console's
    確認待ちの付箋 panel, 確認中 on its author's phone; then it is let through and the mode turned off."""
    page.locator("#screening-controls button[hx-vals*='\"1\"']").click()
    phone.wait_for_selector("#screening-line:not(:empty)")
    phone.locator("input[name=kind]").nth(1).check()
    phone.fill("#note-text", SCREENED[shoot.lang])
    phone.press("#note-text", "Enter")
    phone.wait_for_selector("#notes .note .note__badge--waiting")
    # A full-page shot of a scrolled page draws the sticky bar mid-page: back to the top first.
    phone.evaluate("window.scrollTo(0, 0)")
    shoot(phone, "phone-screened", full=True)
    page.wait_for_selector("#waiting-notes .note")
    page.evaluate(
        "() => window.scrollTo(0, document.getElementById('screening-controls').getBoundingClientRect().top"
        " + scrollY - 120)"
    )
    shoot(page, "console-screened")
    page.locator("#waiting-notes .note button[hx-post$='/let-through']").first.click()
    page.wait_for_selector("#waiting-notes .note", state="detached")
    page.locator("#screening-controls button[hx-vals*='\"0\"']").click()
    page.wait_for_selector("#screening-controls button[hx-vals*='\"1\"']")


TABLES_TITLE = "鶴川地区 地区別懇談会（島で話す）"
TABLE_PEOPLE = [7, 6, 6, 6, 6, 5]  # 36 people at six tables
TABLE_NOTES = [19, 17, 16, 18, 15, 15]  # 100 notes


def seat_and_write(server: LiveServer) -> None:
    """Seat 36 people at the session's six tables and let them write 100 notes (the demo corpus's
    texts, through the services, as seed_notes does)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import col, select

    from server.boards import service as boards
    from server.boards.models import Table
    from server.config import Settings
    from server.db import make_engine, make_sessionmaker
    from server.demo import corpus_notes
    from server.meetings.models import Meeting

    rows = corpus_notes()
    # Deal the corpus out so each table gets a mix of topics and kinds, as a real table would.
    rows = [rows[(i * 7) % len(rows)] for i in range(len(rows))]

    async def run() -> None:
        engine = make_engine(Settings.from_env_with(server.env))
        try:
            async with make_sessionmaker(engine)() as db:
                meeting = (await db.exec(select(Meeting).where(Meeting.title == TABLES_TITLE))).one()
                tables = (
                    await db.exec(
                        select(Table).where(Table.meeting_id == meeting.id).order_by(col(Table.position))
                    )
                ).all()
                n = 0
                for table, people, notes in zip(tables, TABLE_PEOPLE, TABLE_NOTES, strict=True):
                    crowd = [(await boards.join_meeting(db, meeting, table=table))[0] for _ in range(people)]
                    for i in range(notes):
                        row = rows[n % len(rows)]
                        n += 1
                        await boards.post_note(
                            db, meeting, crowd[i % people], kind=row["kind"], text=row["text"]
                        )
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def tables_session(browser: Any, server: LiveServer, langs: list[str], out: Path) -> None:
    """Tables (島, docs/tables.md) at a district roundtable: a new session with six tables, 36 people
    and 100 notes; the tables page, the table cards (A5 print layout), a phone choosing its table,
    the projector in the plenary (tables side by side, two groups across tables above them), one
    table presenting, and a table's own screen."""
    staff = browser.new_context(**DESK)
    page = staff.new_page()
    sign_in(page, server.url)
    page.goto(server.url + "/f/sessions/new")
    page.select_option("#district_id", "tsurukawa")
    page.fill("#title", TABLES_TITLE)
    page.fill("#question", "10年後、鶴川で「ホッとできる」暮らしを続けるために、わたしたちは何から始める？")
    page.select_option("#programme", "district-roundtable")
    page.locator("form[action='/f/sessions'] button[type=submit]").click()
    page.locator("form[action$='/open'] button").click()
    page.wait_for_selector(".conn--connected")
    console = page.url.split("?")[0]
    code = re.sub(r"\D", "", page.locator(".console-bar .mono").inner_text())
    for _ in range(4):  # check-in → review → question → divergence (table work) → grouping (plenary)
        page.locator("button[hx-post$='/phase/next']").click()
        page.wait_for_timeout(300)
    page.goto(console + "/tables")
    page.fill("#table-count", "6")
    page.locator("form[action$='/tables'] button[type=submit]").click()
    page.wait_for_selector("#table-name-6")
    seat_and_write(server)
    page.goto(console)
    ids = page.eval_on_selector_all(".table-column .note", "ns => ns.map(n => n.dataset.note)")
    for g, name in enumerate(["買い物・移動の足", "集まれる場所"]):
        page.evaluate(
            """async ([url, ids, name]) => {
              const token = JSON.parse(document.body.getAttribute('hx-headers'))['x-csrftoken'];
              const body = new URLSearchParams([['name', name], ...ids.map(i => ['note_id', i])]);
              await fetch(url, {method: 'POST', body, headers: {'x-csrftoken': token}});
            }""",
            [console + "/clusters", ids[g * 3 :: 17][:6], name],
        )
    table_ids = page.eval_on_selector_all(
        "[hx-vals*='table_id']",
        "els => els.map(e => JSON.parse(e.getAttribute('hx-vals')).table_id)",
    )
    for lang in langs:
        shoot = Shooter(out, lang)
        headers = {"extra_http_headers": {"Accept-Language": ACCEPT[lang]}, "locale": LOCALE[lang]}
        context = browser.new_context(**DESK, **headers, reduced_motion="reduce")
        context.add_cookies(staff.cookies())
        desk = context.new_page()
        desk.goto(console + "/tables")
        shoot(desk, "tables", full=True)
        cards = context.new_page()
        cards.set_viewport_size({"width": 484, "height": 718})  # A5 less the 10 mm margins, at 96 dpi
        cards.emulate_media(media="print")
        cards.goto(console + "/tables/cards")
        cards.wait_for_function("document.querySelector('.table-card__qr').naturalWidth > 0")
        height = cards.evaluate("document.querySelector('.table-card').getBoundingClientRect().height")
        print(f"  a table card is {height:.0f}px high; A5 less its margins is 718px")
        shoot(cards, "table-card-a5")
        pdf = cards.pdf(prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
        print(f"  the cards print on {pages} A5 pages")
        phone = browser.new_context(**PHONE, **headers).new_page()
        phone.goto(f"{server.url}/join/{code}")
        shoot(phone, "phone-table-choice")
        phone.locator(".table-choice button").nth(1).click()
        phone.wait_for_selector(".conn--connected")
        shoot(phone, "phone-table")
        projector = context.new_page()
        projector.goto(console + "/projector")
        projector.wait_for_selector(".conn--connected")
        projector_shots(projector, shoot, "-tables")
        desk.goto(console)
        desk.wait_for_selector(".conn--connected")
        desk.locator(f'[hx-vals*=\'"table_id": "{table_ids[2]}"\']').click()
        projector.wait_for_selector(".spotlight")
        for width, height in PROJECTORS:
            projector.set_viewport_size({"width": width, "height": height})
            projector.wait_for_timeout(300)
            shown, total = projector.evaluate(
                """() => { const box = document.querySelector('.spotlight').getBoundingClientRect();
                  const notes = [...document.querySelectorAll('.spotlight .note')];
                  return [notes.filter(n => { const r = n.getBoundingClientRect();
                    return r.right <= box.right + 1 && r.bottom <= box.bottom + 1; }).length, notes.length]; }"""
            )
            print(f"  a table presenting at {width}×{height}: {shown} of its {total} notes on the screen")
        projector_shots(projector, shoot, "-table-presenting")
        desk.locator(".spotlight [hx-post$='/spotlight']:not([hx-vals])").first.click()
        projector.wait_for_selector(".spotlight", state="detached")
        wall = context.new_page()
        wall.set_viewport_size({"width": 1024, "height": 768})
        wall.goto(f"{console}/tables/{table_ids[0]}/wall")
        wall.wait_for_selector(".conn--connected")
        shoot(wall, "table-wall-1024x768")
        phone.context.close()
        context.close()


def coordinator_pages(page: Any, url: str, console: str, shoot: Shooter) -> None:
    pages: dict[str, str] = {
        "minutes": console + "/minutes",
        "projects": url + "/c/projects",
        "review": url + "/c/review?district=tsurukawa",
        "indicators": url + "/c/indicators",
        "report": url + "/c/report",
        "visions": url + "/c/visions",
        "vision": url + "/c/visions/tsurukawa",
        "users": url + "/admin/users",
    }
    for name, address in pages.items():
        page.goto(address)
        shoot(page, name, full=True)
    page.goto(url + "/c/projects")
    project = page.locator("a[href^='/c/projects/']").filter(has_text="サンプル").first.get_attribute("href")
    page.goto(url + str(project))
    shoot(page, "project", full=True)


def crowded_projector(browser: Any, server: LiveServer, console: str, langs: list[str], out: Path) -> None:
    """The wall at a real meeting's size, in the divergence phase (the join panel in its corner):
    120 notes, 300 notes, then 300 with half of them in six groups. Notes are put in through the
    services (tests/browser/helpers.py: seed_notes), one in ten of the longest length."""
    staff = browser.new_context(**DESK)
    page = staff.new_page()
    sign_in(page, server.url)
    page.goto(console)
    for _ in range(3):  # check-in → review → question → divergence
        page.locator("button[hx-post$='/phase/next']").click()
        page.wait_for_timeout(300)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("120", lambda: seed_notes(server, SAMPLE_TITLE, 120)),
        ("300", lambda: seed_notes(server, SAMPLE_TITLE, 300)),
        ("300-grouped", lambda: group(page, console)),
    ]
    for suffix, prepare in steps:
        prepare()
        for lang in langs:
            context = browser.new_context(
                **DESK, extra_http_headers={"Accept-Language": ACCEPT[lang]}, reduced_motion="reduce"
            )
            context.add_cookies(staff.cookies())
            projector = context.new_page()
            projector.goto(console + "/projector")
            projector.wait_for_selector(".conn--connected")
            projector_shots(projector, Shooter(out, lang), "-" + suffix)
            if suffix == "300-grouped":
                tablet_console(context, console, Shooter(out, lang))
            context.close()


def tablet_console(context: Any, console: str, shoot: Shooter) -> None:
    """The console at 300 notes on a 1024×768 tablet: the ungrouped notes, three of them selected
    (the selection bar at the top), filtered to one kind."""
    page = context.new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(console)
    page.wait_for_selector(".conn--connected")
    page.locator("[data-kind-filter='concern']").click()
    notes = page.locator("#notes .note:not(.is-filtered-out)")
    for i in range(3):
        notes.nth(i).locator(".note__check").click()
    page.evaluate(
        "() => window.scrollTo(0, document.getElementById('notes').getBoundingClientRect().top + scrollY - 330)"
    )
    shoot(page, "console-300-1024x768")
    page.close()


def group(page: Any, console: str) -> None:
    page.goto(console)
    ids = page.eval_on_selector_all("#notes .note", "ns => ns.map(n => n.dataset.note)")[:150]
    for g in range(6):
        page.evaluate(
            """async ([url, ids, name]) => {
              const token = JSON.parse(document.body.getAttribute('hx-headers'))['x-csrftoken'];
              const body = new URLSearchParams([['name', name], ...ids.map(i => ['note_id', i])]);
              await fetch(url, {method: 'POST', body, headers: {'x-csrftoken': token}});
            }""",
            [console + "/clusters", ids[g * 25 : (g + 1) * 25], f"グループ{g + 1}"],
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", action="append", choices=sorted(ACCEPT), help="default: ja and en")
    args = parser.parse_args()
    langs: list[str] = args.lang or ["ja", "en"]
    chromium = (
        os.environ.get("YORIAI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not chromium:
        print(
            "chromium が見つかりません / chromium not found: apt-get install chromium fonts-noto-cjk",
            file=sys.stderr,
        )
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    server = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            console = ""
            for lang in langs:
                print(lang)
                shoot = Shooter(args.out, lang)
                page, screens, console = public_and_staff_pages(browser, server.url, lang, shoot)
                grouping_and_voting(page, screens, console, shoot)
                coordinator_pages(page, server.url, console, shoot)
            tables_session(browser, server, langs, args.out)
            crowded_projector(browser, server, console, langs, args.out)
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
