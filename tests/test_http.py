"""The screens over HTTP: what a facilitator and a participant see, and bad input."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import Person, create_open_meeting, join_as, post_form, send_note


def test_healthz_answers_when_the_database_does(client: TestClient[Litestar]) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_favicon_is_linked_and_answers_at_the_old_address(client: TestClient[Litestar]) -> None:
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").text
    moved = client.get("/favicon.ico", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/static/favicon.svg"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_the_start_page_asks_for_the_code_with_a_numeric_keypad(client: TestClient[Litestar]) -> None:
    html = client.get("/").text
    assert "参加コード" in html and 'inputmode="numeric"' in html
    assert '<meta charset="utf-8">' in html and "/static/vendor/htmx.min.js" in html


def test_every_asset_is_served_by_yoriai_itself(client: TestClient[Litestar]) -> None:
    html = client.get("/").text
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), f"{src} is not same-origin"
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src


def test_staff_pages_send_strangers_to_sign_in(client: TestClient[Litestar]) -> None:
    response = client.get("/f", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_a_wrong_password_is_refused_in_japanese(client: TestClient[Litestar]) -> None:
    response = post_form(client, "/signin", {"email": "nobody@example.jp", "password": "whatever123"})
    assert response.status_code == 401
    assert "メールアドレスかパスワードが違います" in response.text
    assert client.get("/f", follow_redirects=False).status_code == 303


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    facilitator: TestClient[Litestar],
) -> None:
    response = facilitator.post(
        "/f/sessions", data={"kind": "roundtable", "district_id": "tsurukawa", "title": "x"}
    )
    assert response.status_code == 403
    assert "この操作はできません" in response.text
    assert "<td><a" not in facilitator.get("/f").text


def test_a_facilitator_creates_edits_opens_and_closes_a_tsurukawa_roundtable(
    facilitator: TestClient[Litestar],
) -> None:
    form = facilitator.get("/f/sessions/new").text
    assert "鶴川地区" in form and "市全域" in form and "地区別懇談会" in form
    assert "district-roundtable" in form  # the programme picker
    meeting_id, code = create_open_meeting(facilitator)
    listing = facilitator.get("/f").text
    assert "鶴川地区 地区別懇談会" in listing and "開催中" in listing and f"{code[:3]} {code[3:]}" in listing
    edit = post_form(
        facilitator,
        f"/f/sessions/{meeting_id}",
        {
            "kind": "roundtable",
            "district_id": "tsurukawa",
            "title": "鶴川地区 懇談会（第2回）",
            "programme": "",
        },
    )
    assert edit.status_code == 303
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert "鶴川地区 懇談会（第2回）" in console and "終了する" in console
    assert post_form(facilitator, f"/f/sessions/{meeting_id}/close", {}).status_code == 303
    assert "終了" in facilitator.get("/f").text


def test_a_session_form_with_mistakes_keeps_what_was_typed(facilitator: TestClient[Litestar]) -> None:
    response = post_form(
        facilitator, "/f/sessions", {"kind": "roundtable", "district_id": "", "title": "<b>わたしの会</b>"}
    )
    assert response.status_code == 422
    assert "地区を選んでください" in response.text
    assert "&lt;b&gt;わたしの会&lt;/b&gt;" in response.text and "<b>わたしの会</b>" not in response.text


def test_the_programme_picker_shows_the_guide(facilitator: TestClient[Litestar]) -> None:
    html = facilitator.get("/f/programme-guide?programme=the-yoriai").text
    assert "分" in html and "<ol" in html and "手引き" in html


def test_the_projector_shows_the_question_the_code_and_a_local_qr(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator, question="10年後、鶴川で何から始める？")
    html = facilitator.get(f"/f/sessions/{meeting_id}/projector").text
    assert "10年後、鶴川で何から始める？" in html
    assert f"{code[:3]} {code[3:]}" in html
    assert f'src="/f/sessions/{meeting_id}/qr.svg"' in html
    qr = facilitator.get(f"/f/sessions/{meeting_id}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in qr.content


def test_a_participant_joins_by_code_and_posts_a_note(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with Person(facilitator) as c:
        redirect = post_form(c, "/join", {"code": f"{code[:3]} {code[3:]}"})
        assert redirect.headers["location"] == f"/join/{code}"
        join_page = c.get(f"/join/{code}").text
        assert "名前や連絡先はいりません" in join_page and "市民" in join_page
        assert post_form(c, f"/join/{code}", {"skip": "1"}).headers["location"] == f"/b/{meeting_id}"
        posted = send_note(c, meeting_id, "坂道で買い物がつらい", kind="concern")
        assert posted.status_code == 200 and isinstance(posted.json()["note_id"], int)
        board = c.get(f"/b/{meeting_id}").text
    assert "坂道で買い物がつらい" in board and "あなた" in board
    assert "坂道で買い物がつらい" in facilitator.get(f"/f/sessions/{meeting_id}/projector").text


def test_bad_codes_get_a_clear_message(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        unknown = post_form(c, "/join", {"code": "999999"})
        assert unknown.status_code == 404 and "この参加コードの会はありません" in unknown.text
        short = post_form(c, "/join", {"code": "12"})
        assert short.status_code == 422 and "6けた" in short.text
    post_form(facilitator, f"/f/sessions/{meeting_id}/close", {})
    with phone as c:
        closed = post_form(c, "/join", {"code": code})
        assert closed.status_code == 410 and "おわりました" in closed.text


def test_an_empty_or_long_note_gets_a_message_and_nothing_is_stored(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as c:
        empty = send_note(c, meeting_id, "  ")
        assert empty.status_code == 422 and "付箋が空です" in empty.json()["error"]
        long_text = "長" * 201
        too_long = send_note(c, meeting_id, long_text)
        assert too_long.status_code == 422 and "200文字まで" in too_long.json()["error"]
        assert 'みんなの付箋 (<span id="note-count">0</span>)' in c.get(f"/b/{meeting_id}").text


def test_a_note_on_a_closed_board_is_refused(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    post_form(facilitator, f"/f/sessions/{meeting_id}/close", {})
    with phone as c:
        response = send_note(c, meeting_id, "まだ書きたい")
        assert response.status_code == 409 and "おわりました" in response.json()["error"]
        board = c.get(f"/b/{meeting_id}").text
    assert "この会はおわりました" in board and "まだ書きたい</p>" not in board


def test_a_stranger_cannot_post_or_see_a_board(facilitator: TestClient[Litestar]) -> None:
    meeting_id, _ = create_open_meeting(facilitator)
    with Person(facilitator) as c:
        assert c.get(f"/b/{meeting_id}", follow_redirects=False).status_code == 303
        response = send_note(c, meeting_id, "入りこむ")
        assert response.status_code == 403 and "参加していません" in response.text
        assert c.get(f"/b/{meeting_id}/events").status_code == 403


def test_participants_cannot_moderate_or_touch_others_notes(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    with alice as c:
        send_note(c, meeting_id, "アリスの付箋", kind="idea")
        note_id = int(re.search(r'id="note-(\d+)"', c.get(f"/b/{meeting_id}").text).group(1))  # type: ignore[union-attr]
    with bob as c:
        hide = post_form(c, f"/f/sessions/{meeting_id}/notes/{note_id}/hide", {}, htmx=True)
        assert hide.status_code in (401, 403)
        edit = post_form(
            c, f"/b/{meeting_id}/notes/{note_id}/edit", {"kind": "idea", "text": "ボブが書きかえ"}, htmx=True
        )
        assert edit.status_code == 403 and "自分の付箋" in edit.text
        delete = post_form(c, f"/b/{meeting_id}/notes/{note_id}/delete", {}, htmx=True)
        assert delete.status_code == 403
        board = c.get(f"/b/{meeting_id}").text
    assert "アリスの付箋" in board and "ボブが書きかえ" not in board


def test_user_text_is_escaped_everywhere_it_shows(facilitator: TestClient[Litestar]) -> None:
    payload = '<script>alert(1)</script><img src=x onerror=alert(2) hx-get="/f">'
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code, nickname="<b>名</b>") as c:
        send_note(c, meeting_id, payload, kind="idea")
        pages = [c.get(f"/b/{meeting_id}").text, c.get(f"/b/{meeting_id}/events?after=0").text]
    pages += [facilitator.get(f"/f/sessions/{meeting_id}{suffix}").text for suffix in ("", "/projector")]
    for html in pages:
        assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>名</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hidden_notes_never_reach_participants_pages(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        send_note(c, meeting_id, "家族の個人的な事情", kind="concern")
        note_id = int(re.search(r'id="note-(\d+)"', c.get(f"/b/{meeting_id}").text).group(1))  # type: ignore[union-attr]
    hidden = post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{note_id}/hide", {}, htmx=True)
    assert hidden.status_code == 200 and "非表示中" in hidden.text
    with phone as c:
        assert "家族の個人的な事情" not in c.get(f"/b/{meeting_id}").text
        assert "家族の個人的な事情" not in c.get(f"/b/{meeting_id}/events?after=0").text
        assert c.get(f"/b/{meeting_id}/notes/{note_id}").status_code == 404
    assert "家族の個人的な事情" not in facilitator.get(f"/f/sessions/{meeting_id}/projector").text
    assert "家族の個人的な事情" in facilitator.get(f"/f/sessions/{meeting_id}").text  # the console keeps it


def test_an_unknown_page_is_a_japanese_404(client: TestClient[Litestar]) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "見つかりませんでした" in response.text


def test_pages_and_messages_are_served_as_html(client: TestClient[Litestar]) -> None:
    for response in (client.get("/"), client.get("/signin"), client.get("/no/such/page")):
        assert response.headers["content-type"].startswith("text/html")


def test_a_participant_fixes_their_own_note_and_a_facilitator_fixes_any(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        send_note(c, meeting_id, "朝市をひらく", kind="idea")
        note_id = int(re.search(r'id="note-(\d+)"', c.get(f"/b/{meeting_id}").text).group(1))  # type: ignore[union-attr]
        form = c.get(f"/b/{meeting_id}/notes/{note_id}/edit").text
        assert "朝市をひらく</textarea>" in form and "保存" in form and "やめる" in form
        bad = post_form(c, f"/b/{meeting_id}/notes/{note_id}/edit", {"kind": "idea", "text": ""}, htmx=True)
        assert bad.status_code == 422 and "付箋が空です" in bad.text
        fixed = post_form(
            c,
            f"/b/{meeting_id}/notes/{note_id}/edit",
            {"kind": "want", "text": "週末に朝市をひらきたい"},
            htmx=True,
        )
        assert (
            fixed.status_code == 200
            and "週末に朝市をひらきたい" in fixed.text
            and "なおしました" in fixed.text
        )
    console_form = facilitator.get(f"/f/sessions/{meeting_id}/notes/{note_id}?edit=1").text
    assert "週末に朝市をひらきたい</textarea>" in console_form
    by_staff = post_form(
        facilitator,
        f"/f/sessions/{meeting_id}/notes/{note_id}/edit",
        {"kind": "want", "text": "週末に朝市を開きたい"},
        htmx=True,
    )
    assert by_staff.status_code == 200 and "非表示" in by_staff.text
    with phone as c:
        assert "週末に朝市を開きたい" in c.get(f"/b/{meeting_id}").text
        deleted = post_form(c, f"/b/{meeting_id}/notes/{note_id}/delete", {}, htmx=True)
        assert deleted.status_code == 200 and deleted.text == ""
        assert "週末に朝市" not in c.get(f"/b/{meeting_id}").text


def test_the_demo_data_gives_a_newcomer_a_full_board(settings) -> None:  # type: ignore[no-untyped-def]
    import anyio

    from server.app import create_app
    from server.db import make_engine, make_sessionmaker
    from server.demo import DEMO_EMAIL, DEMO_PASSWORD, SAMPLE_TITLE, load_demo

    async def load_twice() -> None:
        engine = make_engine(settings)
        async with make_sessionmaker(engine)() as db:
            await load_demo(db)
            await load_demo(db)
        await engine.dispose()

    anyio.run(load_twice)
    with TestClient(create_app(settings)) as c:
        post_form(c, "/signin", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        listing = c.get("/f").text
        assert listing.count(SAMPLE_TITLE) == 1 and "開催中" in listing
        meeting_id = re.search(r'href="/f/sessions/(\d+)"', listing).group(1)  # type: ignore[union-attr]
        projector = c.get(f"/f/sessions/{meeting_id}/projector").text
        indicators = c.get("/c/indicators").text
    assert projector.count('class="note note--') == 12
    # The demo's starting values and targets are made up: each is marked サンプル, and once only.
    years = re.search(r'id="years-participants">(.*?)</table>', indicators, re.S).group(1)  # type: ignore[union-attr]
    assert years.count("サンプル") >= 2 and "600人" in years and years.count("目標値") == 1
    assert all(f"note--{kind}" in projector for kind in ("concern", "want", "offer", "idea"))
    assert 'id="participant-count">6<' in projector
