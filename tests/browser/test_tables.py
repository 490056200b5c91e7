"""Tables (島) in a real browser (issue 15): a console, a projector and phones at two tables, from
table cards to table work (each phone sees its own table), the plenary (every phone sees every
table) and a world-café round; and a roundtable at three tables with three hosts on tablets and nine
phones (hosts group their table's notes, a round, the plenary with a table presenting, a merge of two
tables' groups, a vote across tables, the minutes per table). Fails on any console error
(tests/browser/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import FACILITATOR, PHONE, LiveServer
from tests.browser.helpers import mouse_drag, open_projector, post_from_phone, sign_in_and_open_session


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


TABLET = {"viewport": {"width": 800, "height": 1280}, "is_mobile": True, "has_touch": True, "locale": "ja-JP"}


class LightPhone:
    """A phone that joined a table over HTTP and talks to the server without a page (posting notes,
    voting): a participant as real as any, for a fraction of a page's cost. ``page()`` opens its
    board when the test needs to look at it."""

    def __init__(
        self,
        browser: Any,
        server: LiveServer,
        code: str,
        table_code: str,
        *,
        nickname: str = "",
        device: dict[str, Any] = PHONE,
    ) -> None:
        self.server = server
        self.context = browser.new_context(**device)
        start = self.context.request.get(server.url + "/").text()
        self.token = re.search(r'name="_csrf_token" value="([^"]+)"', start).group(1)  # type: ignore[union-attr]
        form = {"nickname": nickname, "affiliation": ""} if nickname else {"skip": "1"}
        joined = self.context.request.post(
            f"{server.url}/join/{code}?t={table_code}", form=form, headers={"x-csrftoken": self.token}
        )
        assert joined.ok and "/b/" in joined.url, joined.url
        self.board = joined.url.split("?")[0]
        self.posted = 0

    def page(self) -> Any:
        page = self.context.new_page()
        page.goto(self.board)
        page.wait_for_selector(".conn--connected")
        return page

    def post(self, text: str) -> None:
        self.posted += 1
        answer = self.context.request.post(
            self.board + "/notes",
            form={"kind": "idea", "text": text, "client_id": f"{id(self)}-{self.posted}"},
            headers={"x-csrftoken": self.token, "accept": "application/json"},
        )
        assert answer.status == 200, answer.text()

    def vote(self, cluster_id: str) -> None:
        answer = self.context.request.post(
            self.board + "/votes",
            form={"target": "cluster", "id": cluster_id},
            headers={"x-csrftoken": self.token},
        )
        assert answer.status == 200 and "のこり" in answer.text(), answer.text()


_REGION_FETCHES: dict[int, list[float]] = {}


def settle(host: Any, quiet: float = 1.2, limit: float = 20.0) -> None:
    """Wait until a host's page has fetched its region for the last time for now (no fetch for
    ``quiet`` seconds). The page fetches it again after every change of its table, at most once a
    second; a test that clicks while a fetch is on its way would hold controls the swap replaces
    (a person's half-done choice or typing holds the swap back; a test's instant clicks cannot)."""
    import time

    times = _REGION_FETCHES.get(id(host))
    if times is None:
        times = _REGION_FETCHES[id(host)] = [time.monotonic()]
        host.on("requestfinished", lambda r: "/host/region" in r.url and times.append(time.monotonic()))
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        host.wait_for_timeout(200)
        if time.monotonic() - times[-1] >= quiet:
            return
    raise AssertionError("the host's page kept fetching its region")


def group_as_host(host: Any, text: str, into: str, name: str = "") -> None:
    """On a host's page: move the note with this text into a group (``new``: a new one), then name
    that group when asked."""
    from playwright.sync_api import expect

    settle(host)
    note = host.locator(".host-note", has_text=text)
    if into == "new":
        note.locator("select[name=into]").select_option("new")
    else:
        note.locator("select[name=into]").select_option(label=into)
    note.get_by_role("button", name="移す").click()  # htmx: the region comes back, no reload
    group = host.locator(".host-group", has_text=text)
    expect(group).to_be_visible()
    if name:
        group.locator("input[name=name]").fill(name)
        group.get_by_role("button", name="名前を保存").click()
        expect(host.locator(".host-group", has_text=text).locator("input[name=name]")).to_have_value(name)


def test_a_roundtable_at_three_tables_with_hosts_a_round_and_a_plenary(
    browser: Any, live_server: LiveServer
) -> None:
    """A projector, a console, three table hosts on tablets (a participant made host by a one-time
    link, one made host on the tables page, a signed-in staff member) and nine phones at three tables:
    the hosts group their table's notes, a world-café round, the plenary with one table presenting,
    a merge of two tables' groups, a vote across tables, and the minutes per table."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    console, code = sign_in_and_open_session(browser, live_server)
    session_url = console.url
    console.get_by_role("link", name="島（テーブル）に分ける").click()
    tables_url = console.url
    console.fill("#table-count", "3")
    console.get_by_role("button", name="保存").click()
    expect(console.locator("#table-name-3")).to_have_value("C")
    table_ids = {
        name: (
            console.locator("tr", has_text=f"島 {name}").locator("select[name=user_id]").get_attribute("id")
            or ""
        ).rsplit("-", 1)[1]
        for name in "ABC"
    }

    phones = {
        name: [LightPhone(browser, live_server, code, f"0{i + 1}") for _ in range(3)]
        for i, name in enumerate("ABC")
    }
    host_a = LightPhone(browser, live_server, code, "01", nickname="Aのホスト", device=TABLET).page()
    host_b = LightPhone(browser, live_server, code, "02", nickname="Bのホスト", device=TABLET).page()

    # Table A's host: a one-time link the facilitator shows; it works once.
    console.locator("tr", has_text="島 A").get_by_role("button", name="ホスト用リンク（1回かぎり）").click()
    expect(console.locator("h1")).to_have_text("島 Aのホスト用リンク")
    link = console.locator(".host-link__url a").get_attribute("href") or ""
    host_a.goto(link)
    host_a.get_by_role("button", name="ホストになる").click()
    expect(host_a.locator("h1")).to_have_text("島 Aのグループ分け（ホスト）")
    # Table B's host: made host on the tables page; their tablet loads its page with the host's link.
    console.goto(tables_url)
    console.locator("li", has_text="Bのホスト").get_by_role("button", name="ホストにする").click()
    host_b.get_by_role("link", name="島のグループ分け（ホスト）").click()
    expect(host_b.locator("h1")).to_have_text("島 Bのグループ分け（ホスト）")
    # Table C's host: a signed-in staff member assigned to it, on a tablet.
    row_c = console.locator("tr", has_text="島 C")
    row_c.locator("select[name=user_id]").select_option(label=FACILITATOR[0])
    row_c.get_by_role("button", name="職員をホストにする").click()
    staff_link = console.locator("tr", has_text="島 C").get_by_role(
        "link", name=re.compile("職員ホストのページ")
    )
    host_c = console.context.new_page()
    host_c.set_viewport_size(TABLET["viewport"])
    host_c.goto(live_server.url + (staff_link.get_attribute("href") or ""))
    expect(host_c.locator("h1")).to_have_text("島 Cのグループ分け（ホスト）")

    console.goto(session_url)
    console.wait_for_selector(".conn--connected")
    projector = open_projector(console)
    at = {name: phones[name][0].page() for name in "ABC"}  # one phone per table is looked at

    # Table work: each table writes; a phone sees its own table's notes only.
    console.get_by_role("button", name="テーブルワークにする").click()
    for phone in at.values():
        expect(phone.locator(".table-mode")).to_contain_text("テーブルワーク中")
        phone.wait_for_selector(".conn--connected")
    for host in (host_a, host_b, host_c):
        expect(host.locator("#host-loose .host-note")).to_have_count(0)
        host.evaluate("window.__stayed = 1")  # gone if the page loaded again
    texts = {
        "A": ["A：子育ての相談先", "A：学童が足りない"],
        "B": ["B：保育園の送迎", "B：駅前にベンチを"],
        "C": ["C：バスの本数", "C：坂道に手すり"],
    }
    for name, (first, second) in texts.items():
        phones[name][1].post(first)
        phones[name][2].post(second)
    phones["B"][1].post(
        "B：最後の一枚"
    )  # after every other table's notes: when it is here, they would be too
    expect(at["B"].locator("#notes .note", has_text="B：最後の一枚")).to_be_visible()
    expect(at["B"].locator("#notes .note")).to_have_count(3)
    for name in "ABC":
        expect(projector.locator(".table-block", has_text=f"島 {name}").locator(".note")).to_have_count(
            len(texts[name]) + (name == "B")
        )

    # The hosts' pages are live: each shows its own table's notes as they come, without a reload.
    for host, name in ((host_a, "A"), (host_b, "B"), (host_c, "C")):
        expect(host.locator("#host-loose .host-note")).to_have_count(len(texts[name]) + (name == "B"))
        assert host.evaluate("window.__stayed") == 1  # set before the notes were posted: no reload
    # The hosts group their own table's notes and name the groups (the 「移す」 form, or a drag).
    group_as_host(host_a, "A：子育ての相談先", "new", "A：子育て")
    group_as_host(host_a, "A：学童が足りない", "A：子育て")
    group_as_host(host_b, "B：保育園の送迎", "new", "B：保育")
    group_as_host(host_c, "C：バスの本数", "new", "C：交通")
    # The region is fetched again after the last actions (their changes come back over the socket):
    # the drag starts once that is over, or the test would hold a note that the swap replaced (a fetch
    # that comes back during a drag waits for it; one just before the press does not).
    # A live change can still replace the note between the test's look and its press (a person would
    # press again): the drag is tried up to three times, and must land.
    bus_notes = host_c.locator(".host-group", has_text="C：バスの本数").locator(".host-note")
    for attempt in range(3):
        settle(host_c)
        try:
            mouse_drag(
                host_c,
                host_c.locator(".host-note", has_text="C：坂道に手すり").locator(".note__icon"),
                host_c.locator(".host-group", has_text="C：バスの本数").locator("ul"),
            )
            expect(bus_notes).to_have_count(2, timeout=3_000)
            break
        except (PlaywrightError, AssertionError):
            if attempt == 2:
                raise
    expect(bus_notes).to_have_count(2)
    # Another table's groups never reach a host's page.
    expect(host_a.locator(".host-group", has_text="C：")).to_have_count(0)
    expect(host_b.locator(".host-note", has_text="A：")).to_have_count(
        0
    )  # another table's notes are not there
    expect(projector.locator(".cluster", has_text="A：子育て").locator(".note")).to_have_count(2)
    expect(projector.locator(".cluster", has_text="C：交通")).to_contain_text("C：バスの本数")

    # A world-café round: the hosts stay, everyone else moves; notes stay where they were written.
    console.goto(tables_url)
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="ラウンド2を始める（席がえ）").click()
    for phone in at.values():
        expect(phone.locator(".notice--round")).to_contain_text("ラウンド2：次は島")
        phone.wait_for_selector(".conn--connected")
    host_b.goto(phones["B"][0].board)
    expect(host_b.locator(".table-badge")).to_contain_text("あなたの島：B")
    moved_to = re.search(r"あなたの島：(\w)", at["A"].locator(".table-badge").inner_text()).group(1)  # type: ignore[union-attr]
    assert moved_to != "A"
    post_from_phone(at["A"], "ラウンド2：多世代の居場所")
    expect(projector.locator(".table-block", has_text=f"島 {moved_to}")).to_contain_text(
        "ラウンド2：多世代の居場所"
    )

    # The plenary: everyone sees every table; table B presents on the projector.
    console.goto(session_url)
    console.wait_for_selector(".conn--connected")
    console.get_by_role("button", name="全体共有にする").click()
    expect(at["C"].locator(".table-mode")).to_contain_text("全体共有")
    expect(at["C"].locator("#notes .note", has_text="A：子育ての相談先")).to_be_visible()
    at["C"].wait_for_selector(".conn--connected")
    console.locator(".table-column", has_text="島 B").get_by_role("button", name="発表を大きく映す").click()
    expect(projector.locator(".spotlight__name")).to_have_text("島 Bの発表")
    expect(projector.locator(".spotlight")).to_contain_text("B：駅前にベンチを")
    console.get_by_role("button", name="壁にもどす").click()
    expect(projector.locator(".spotlight")).to_have_count(0)

    # The facilitator merges table B's group into table A's: one theme of two tables.
    console.locator(".cluster", has_text="B：保育").get_by_role("button", name="統合").click()
    console.locator(".merge-form select[name=into]").select_option(label="A：子育て")
    console.get_by_role("button", name="統合する").click()
    expect(projector.locator(".cluster__name", has_text=re.compile("^B：保育$"))).to_have_count(0)
    theme = projector.locator(".cluster", has_text="A：子育て")
    expect(theme.locator(".note")).to_have_count(3)
    expect(theme).to_contain_text("B：保育園の送迎")

    # A vote across tables: phones at A, B and C vote for the theme; the result on the projector.
    console.locator("#voting-controls select[name=target]").select_option("clusters")
    console.get_by_role("button", name="設定を保存").click()
    console.get_by_role("button", name="投票を始める").click()
    at["B"].locator(".vote-toggle", has_text="A：子育て").click()
    expect(at["B"].locator(".vote-toggle", has_text="A：子育て")).to_have_attribute("aria-pressed", "true")
    theme_id = (console.locator(".cluster", has_text="A：子育て").get_attribute("id") or "").split("-")[1]
    phones["A"][1].vote(theme_id)
    phones["C"][2].vote(theme_id)
    console.get_by_role("button", name="結果を発表する").click()
    expect(projector.locator("#ranking li").first).to_contain_text("A：子育て")
    expect(projector.locator("#ranking li").first).to_contain_text("3")

    # The minutes, per table: what each table wrote and the group each note went to.
    console.goto(session_url + "/minutes")
    for name, group in (("A", "A：子育て"), ("B", "A：子育て"), ("C", "C：交通")):
        section = console.locator(f"#minutes-table-{table_ids[name]}")
        expect(section).to_contain_text(f"［{group}］")
    expect(console.locator(f"#minutes-table-{table_ids['B']}")).to_contain_text("B：駅前にベンチを")
