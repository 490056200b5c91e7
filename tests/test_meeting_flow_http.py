"""The meeting's controls over HTTP and websockets: what the console, projector and phones show."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import create_open_meeting, join_as, post_form, send_note
from tests.test_live import WAIT, board_socket, note_ids, seq_of


def note_id_on(page: str, text: str) -> int:
    match = re.search(r'<article id="note-(\d+)"[^>]*>(?:(?!</article>).)*' + re.escape(text), page, re.S)
    assert match, text
    return int(match.group(1))


def test_phase_and_timer_controls_show_on_every_screen(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert "チェックイン" in console and "次へ ▶" in console and 'role="timer"' in console
    assert post_form(facilitator, f"/f/sessions/{meeting_id}/phase/next", {}, htmx=True).status_code == 204
    assert post_form(facilitator, f"/f/sessions/{meeting_id}/timer/start", {}, htmx=True).status_code == 204
    refused = post_form(facilitator, f"/f/sessions/{meeting_id}/timer/start", {}, htmx=True)
    assert refused.status_code == 409 and "もう動いています" in refused.text
    with join_as(facilitator, code) as phone:
        page = phone.get(f"/b/{meeting_id}").text
    assert "ふりかえり" in page and 'data-state="running"' in page
    projector = facilitator.get(f"/f/sessions/{meeting_id}/projector").text
    assert "ふりかえり" in projector and 'data-state="running"' in projector
    bad = post_form(facilitator, f"/f/sessions/{meeting_id}/timer/explode", {}, htmx=True)
    assert bad.status_code == 422 and "タイマーの操作" in bad.text


def test_grouping_moves_notes_live_on_the_projector(facilitator: TestClient[Litestar]) -> None:
    from tests.test_live import Person

    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        send_note(c, meeting_id, "バスの本数が減った")
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    note = note_id_on(console, "バスの本数が減った")
    staff = Person(facilitator)
    staff.cookies = facilitator.cookies
    with board_socket(staff, meeting_id, view="projector") as projector:
        projector.receive_text(timeout=WAIT)
        with staff as c:
            created = post_form(c, f"/f/sessions/{meeting_id}/clusters", {"name": "移動<script>"}, htmx=True)
            assert created.status_code == 204
        made = projector.receive_text(timeout=WAIT)
        cluster = int(re.search(r'id="cluster-(\d+)"', made).group(1))  # type: ignore[union-attr]
        assert "移動&lt;script&gt;" in made and "<script>" not in made
        with staff as c:
            moved = post_form(
                c, f"/f/sessions/{meeting_id}/notes/{note}/move", {"cluster_id": str(cluster)}, htmx=True
            )
            assert moved.status_code == 204
        message = projector.receive_text(timeout=WAIT)
    assert note_ids(message) == [note] and f'data-into="#cluster-{cluster}-notes"' in message
    with phone as c:
        phone_page = c.get(f"/b/{meeting_id}").text
    assert "バスの本数が減った" in phone_page and "移動" not in phone_page  # phones keep one flat list


def _post_many(client: TestClient[Litestar], path: str, pairs: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """A form post with repeated fields (note_id=…&note_id=…), as htmx sends a suggestion's form."""
    from urllib.parse import urlencode

    return client.post(
        path,
        content=urlencode(pairs),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-csrftoken": _token(client),
            "hx-request": "true",
        },
    )


SUGGESTION_NOTES = [
    "バスの本数が減って困る",
    "送り迎えをしてくれる人がほしい",
    "運転ボランティアならできます",
    "子ども食堂を開きたい",
    "宿題を見てあげられる",
    "学習支援の教室をつくりたい",
]


def _suggestion_forms(html: str) -> list[tuple[str, list[str]]]:
    """(suggested name, note ids) of each suggestion on the panel."""
    forms = []
    for block in html.split('class="suggestion"')[1:]:
        name = re.search(r'name="name" maxlength="40" value="([^"]*)"', block)
        assert name
        forms.append((name.group(1), re.findall(r'name="note_id" value="(\d+)"', block)))
    return forms


def test_suggestions_are_offered_with_a_reason_then_accepted_under_an_edited_name(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as c:
        for text in SUGGESTION_NOTES:
            send_note(c, meeting_id, text)
    html = facilitator.get(f"/f/sessions/{meeting_id}/suggestions").text
    assert "あくまで提案" in html
    forms = dict(_suggestion_forms(html))
    # Grouped by meaning: the transport notes share no word, and the reason says what they share instead.
    assert set(forms) == {"移動・外出の支援", "子ども・子育て支援"}
    assert "理由：ことばは違っても、どれも「移動・外出の支援」の話です" in html
    ids = forms["移動・外出の支援"]
    assert len(ids) == 3
    # The facilitator edits the name before making the group.
    made = _post_many(
        facilitator,
        f"/f/sessions/{meeting_id}/suggestions/accept",
        [("name", "足の確保<b>"), *[("note_id", i) for i in ids]],
    )
    assert made.status_code == 200
    assert "グループ「足の確保&lt;b&gt;」を作りました（3枚）" in made.text and 'role="status"' in made.text
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    cluster_html = console.split('class="cluster"', 1)[1].split("</section>", 1)[0]
    assert "足の確保&lt;b&gt;" in cluster_html
    assert all(f'id="note-{i}"' in cluster_html for i in ids)
    # Grouped notes are not proposed again.
    assert set(dict(_suggestion_forms(facilitator.get(f"/f/sessions/{meeting_id}/suggestions").text))) == {
        "子ども・子育て支援"
    }
    # In English, the reason is in English; the suggested name stays as the board's language.
    english = facilitator.get(f"/f/sessions/{meeting_id}/suggestions?lang=en").text
    assert "all of them are about “Children and childcare”" in english
    assert 'value="子ども・子育て支援"' in english
    facilitator.get(f"/f/sessions/{meeting_id}?lang=ja")


def test_a_dismissed_suggestion_is_not_offered_again(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as c:
        for text in SUGGESTION_NOTES:
            send_note(c, meeting_id, text)
    forms = dict(_suggestion_forms(facilitator.get(f"/f/sessions/{meeting_id}/suggestions").text))
    kids = forms["子ども・子育て支援"]
    gone = _post_many(
        facilitator, f"/f/sessions/{meeting_id}/suggestions/dismiss", [("note_id", i) for i in kids]
    )
    assert gone.status_code == 200 and "この提案は次から出しません" in gone.text
    after = dict(_suggestion_forms(facilitator.get(f"/f/sessions/{meeting_id}/suggestions").text))
    assert set(after) == {"移動・外出の支援"}
    # Nothing was grouped on the board.
    assert 'class="cluster"' not in facilitator.get(f"/f/sessions/{meeting_id}").text
    # Only staff may dismiss.
    with join_as(facilitator, code) as phone:
        refused = _post_many(phone, f"/f/sessions/{meeting_id}/suggestions/dismiss", [("note_id", kids[0])])
        assert refused.status_code in (401, 403)


def test_similar_notes_next_to_a_note(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as c:
        for text in [*SUGGESTION_NOTES, "バス停にベンチがほしい"]:
            send_note(c, meeting_id, text)
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    bus = note_id_on(console, "バスの本数が減って困る")
    assert f'hx-get="/f/sessions/{meeting_id}/notes/{bus}/similar"' in console
    html = facilitator.get(f"/f/sessions/{meeting_id}/notes/{bus}/similar").text
    assert "似ている付箋" in html
    listed = re.findall(r'<a href="#note-(\d+)"', html)
    texts = {note_id_on(console, t): t for t in [*SUGGESTION_NOTES, "バス停にベンチがほしい"]}
    assert 1 <= len(listed) <= 3 and str(bus) not in listed
    assert {texts[int(i)] for i in listed} <= {
        "送り迎えをしてくれる人がほしい",
        "運転ボランティアならできます",
        "バス停にベンチがほしい",
    }
    assert "（どちらも「移動・外出の支援」の話）" in html or "同じことば" in html
    missing = facilitator.get(f"/f/sessions/{meeting_id}/notes/999999/similar")
    assert missing.status_code == 404


def _token(client: TestClient[Litestar]) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client)


def test_a_phone_votes_within_its_budget_and_sees_the_results(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        for text in ["一つ目", "二つ目", "三つ目"]:
            send_note(c, meeting_id, text)
    post_form(facilitator, f"/f/sessions/{meeting_id}/voting", {"target": "notes", "budget": "2"}, htmx=True)
    post_form(facilitator, f"/f/sessions/{meeting_id}/voting/open", {}, htmx=True)
    with phone as c:
        page = c.get(f"/b/{meeting_id}").text
        # The panel is in the page itself (nothing loads late and pushes the notes down).
        assert (
            'のこり <strong id="votes-left">2</strong> / 2 票' in page and "board-status--no-posting" in page
        )
        assert f'hx-get="/b/{meeting_id}/votes"' not in page
        panel = c.get(f"/b/{meeting_id}/votes").text
        assert 'のこり <strong id="votes-left">2</strong> / 2 票' in panel
        ids = [int(i) for i in re.findall(r'"id": "(\d+)"', panel)]
        assert len(ids) == 3
        for note in ids[:2]:
            panel = post_form(
                c, f"/b/{meeting_id}/votes", {"target": "note", "id": str(note)}, htmx=True
            ).text
        assert 'id="votes-left">0<' in panel
        over = post_form(c, f"/b/{meeting_id}/votes", {"target": "note", "id": str(ids[2])}, htmx=True).text
        assert "ぜんぶ使いました" in over and 'id="votes-left">0<' in over
        blocked = send_note(c, meeting_id, "投票中に書く")
        assert blocked.status_code == 409 and "投票の時間" in blocked.json()["error"]
    post_form(facilitator, f"/f/sessions/{meeting_id}/voting/reveal", {}, htmx=True)
    ranking = facilitator.get(f"/f/sessions/{meeting_id}/ranking").text
    assert ranking.index("一つ目") < ranking.index("</ol>") and "1<small>票</small>" in ranking
    with phone as c:
        assert "投票の結果" in c.get(f"/b/{meeting_id}/votes").text
        assert "投票の結果" in c.get(f"/b/{meeting_id}").text


def test_staff_entry_marks_the_note(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    response = post_form(
        facilitator,
        f"/f/sessions/{meeting_id}/notes",
        {"kind": "offer", "text": "紙から：車を出せます"},
        htmx=True,
    )
    assert response.status_code == 200 and "代理入力" in response.text
    with join_as(facilitator, code) as c:
        page = c.get(f"/b/{meeting_id}").text
    assert "紙から：車を出せます" in page and "スタッフが書きました" in page  # phones read plain words
    empty = post_form(
        facilitator, f"/f/sessions/{meeting_id}/notes", {"kind": "offer", "text": ""}, htmx=True
    )
    assert empty.status_code == 422 and "付箋が空です" in empty.text


def test_a_resent_note_appears_once(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        first = send_note(c, meeting_id, "電波が悪い", client_id="0123456789abcdef")
        with board_socket(phone, meeting_id) as socket:
            seq = seq_of(socket.receive_text(timeout=WAIT))
        again = send_note(c, meeting_id, "電波が悪い", client_id="0123456789abcdef")
        assert first.json() == again.json()
        assert c.get(f"/b/{meeting_id}").text.count("電波が悪い") == 1
        with board_socket(phone, meeting_id, after=seq) as socket:
            from tests.test_live import assert_silent

            assert_silent(socket)  # the resend made no event


def test_a_timer_change_does_not_make_every_phone_reload_its_panels(
    facilitator: TestClient[Litestar],
) -> None:
    from tests.test_live import Person

    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    staff = Person(facilitator)
    staff.cookies = facilitator.cookies
    with board_socket(phone, meeting_id) as socket:
        first = socket.receive_text(timeout=WAIT)
        assert f'hx-get="/b/{meeting_id}/projects"' in first  # a fresh screen loads its panels once
        with staff as c:
            post_form(c, f"/f/sessions/{meeting_id}/timer/start", {}, htmx=True)
        timer = socket.receive_text(timeout=WAIT)
        with staff as c:
            post_form(c, f"/f/sessions/{meeting_id}/voting/open", {}, htmx=True)
        voting = socket.receive_text(timeout=WAIT)
    assert 'data-state="running"' in timer and "/projects" not in timer and "/votes" not in timer
    assert f'hx-get="/b/{meeting_id}/votes"' in voting and "/projects" not in voting
