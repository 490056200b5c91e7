"""A phone posts its notes over the board socket it already holds (static/phone.js), with the
same rules as POST /b/{id}/notes, and gets the answer on that socket only."""

from __future__ import annotations

import json
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from tests.conftest import Person, create_open_meeting, join_as, post_form, send_note
from tests.test_live import WAIT, assert_silent, board_socket, note_ids

CLIENT_ID = "c0ffee00c0ffee00"


def say(
    socket: WebSocketTestSession, kind: str = "concern", text: str = "", client_id: str = CLIENT_ID
) -> None:
    socket.send_text(json.dumps({"note": {"kind": kind, "text": text, "client_id": client_id}}))


def answer_and_fragment(socket: WebSocketTestSession) -> tuple[dict[str, Any], str]:
    """The socket's answer (JSON) and the live fragment of the note, in whichever order they come."""
    answer: dict[str, Any] | None = None
    fragment = ""
    while answer is None or not fragment:
        message = socket.receive_text(timeout=WAIT)
        if message.startswith("{"):
            answer = json.loads(message)
        else:
            fragment = message
    return answer, fragment


def test_a_note_posted_on_the_socket_reaches_every_phone_and_its_author_hears_back(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob = join_as(facilitator, code), join_as(facilitator, code)
    with board_socket(alice, meeting_id) as alice_ws, board_socket(bob, meeting_id) as bob_ws:
        alice_ws.receive_text(timeout=WAIT), bob_ws.receive_text(timeout=WAIT)
        say(alice_ws, "concern", "バス停まで歩くのがつらい")
        answer, fragment = answer_and_fragment(alice_ws)
        to_bob = bob_ws.receive_text(timeout=WAIT)
        assert answer == {"ack": CLIENT_ID, "note_id": note_ids(fragment)[0], "waiting": False}
        assert "バス停まで歩くのがつらい" in fragment and "なおす" in fragment  # the author's own controls
        assert "バス停まで歩くのがつらい" in to_bob and "なおす" not in to_bob
        assert not to_bob.startswith("{")  # the answer goes to its author only
        # Sent again (the answer was lost, or the socket closed and the outbox used HTTP): stored once.
        with alice as c:
            again = send_note(c, meeting_id, "バス停まで歩くのがつらい", kind="concern", client_id=CLIENT_ID)
        assert again.json()["note_id"] == answer["note_id"]
        say(alice_ws, "concern", "バス停まで歩くのがつらい")
        assert json.loads(alice_ws.receive_text(timeout=WAIT))["note_id"] == answer["note_id"]
        assert_silent(bob_ws)


def test_a_refused_note_is_answered_in_the_phones_language_and_changes_nothing(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice, bob, english = join_as(facilitator, code), join_as(facilitator, code), join_as(facilitator, code)
    english.cookies["yoriai_lang"] = "en"
    with board_socket(english, meeting_id) as socket:
        socket.receive_text(timeout=WAIT)
        say(socket, "idea", "")
        error = json.loads(socket.receive_text(timeout=WAIT))["error"]
    assert error.isascii() and "empty" in error.lower()
    with board_socket(alice, meeting_id) as alice_ws, board_socket(bob, meeting_id) as bob_ws:
        alice_ws.receive_text(timeout=WAIT), bob_ws.receive_text(timeout=WAIT)
        say(alice_ws, "concern", "   ")
        assert json.loads(alice_ws.receive_text(timeout=WAIT)) == {
            "ack": CLIENT_ID,
            "error": "付箋が空です。ひとことでも書いてください。",
            "busy": False,
        }
        say(alice_ws, "gossip", "となりの人のうわさ")
        assert "付箋の種類" in json.loads(alice_ws.receive_text(timeout=WAIT))["error"]
        say(alice_ws, "idea", "長" * 300)
        assert "文字までです" in json.loads(alice_ws.receive_text(timeout=WAIT))["error"]
        assert_silent(bob_ws)  # nothing was stored, so nothing was sent
        with staff as c:
            post_form(c, f"/f/sessions/{meeting_id}/close", {})
        alice_ws.receive_text(timeout=WAIT), bob_ws.receive_text(timeout=WAIT)  # the session closed
        say(alice_ws, "idea", "まだ書きたい")
        assert json.loads(alice_ws.receive_text(timeout=WAIT))["error"]
        assert_silent(bob_ws)


def test_a_phone_posting_too_fast_is_told_to_wait(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice = join_as(facilitator, code)
    with board_socket(alice, meeting_id) as socket:
        socket.receive_text(timeout=WAIT)
        answers = []
        for n in range(11):  # ten notes in 30 s per phone (server/web/ratelimit.py)
            say(socket, "idea", f"アイデア {n}", client_id=f"note-{n:04d}-abcdef")
            answer, _ = (
                answer_and_fragment(socket) if n < 10 else (json.loads(socket.receive_text(timeout=WAIT)), "")
            )
            answers.append(answer)
    assert all("note_id" in a for a in answers[:10])
    assert answers[10]["busy"] is True and "早すぎます" in answers[10]["error"]


def test_screens_cannot_post_on_a_socket_and_junk_is_ignored(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    alice = join_as(facilitator, code)
    with (
        board_socket(staff, meeting_id, view="projector") as projector,
        board_socket(alice, meeting_id) as phone,
    ):
        projector.receive_text(timeout=WAIT), phone.receive_text(timeout=WAIT)
        say(projector, "idea", "プロジェクターから書いた")
        junk_messages = (
            "ping",
            "{",
            "[" * 3000,
            '{"note": "x"}',
            "[1, 2]",
            "null",
            '{"note": {"text": 3, "kind": []}}',
        )
        for junk in junk_messages:
            phone.send_text(junk)
        answer = json.loads(phone.receive_text(timeout=WAIT))  # only the last note-shaped one is answered
        assert answer["ack"] == "" and "付箋" in answer["error"]
        assert_silent(projector)  # nothing was posted, from either
        say(phone, "want", "まだ話せます")  # the socket still works
        answer, fragment = answer_and_fragment(phone)
    assert "note_id" in answer and "まだ話せます" in fragment
