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


def test_suggestions_are_offered_and_accepted(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as c:
        for text in [
            "バスの本数が減って困る",
            "バスが来ないので通院できない",
            "バス停まで遠い",
            "子ども食堂を開きたい",
        ]:
            send_note(c, meeting_id, text)
    html = facilitator.get(f"/f/sessions/{meeting_id}/suggestions").text
    assert "あくまで提案" in html
    ids = re.findall(r'name="note_id" value="(\d+)"', html)
    assert len(ids) >= 2
    accepted = facilitator.post(
        f"/f/sessions/{meeting_id}/clusters",
        content="&".join(["name=%E7%A7%BB%E5%8B%95"] + [f"note_id={i}" for i in ids]),
        headers={"content-type": "application/x-www-form-urlencoded", "x-csrftoken": _token(facilitator)},
    )
    assert accepted.status_code == 204
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    cluster_html = console.split('class="cluster"', 1)[1].split("</section>", 1)[0]
    assert all(f'id="note-{i}"' in cluster_html for i in ids)


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
