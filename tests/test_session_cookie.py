"""The session cookie is written when the session changes (or grows old), not on every post;
the language is read from its own cookie, whatever else the header carries."""

from __future__ import annotations

import time

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.i18n import locale_of_scope
from server.web.sessioncookie import REWRITE_AFTER_S
from tests.conftest import create_open_meeting, csrf_token, join_as


def _session_cookie_set(response) -> bool:  # type: ignore[no-untyped-def]
    return any(value.startswith("yoriai=") for value in response.headers.get_list("set-cookie"))


def test_a_phone_posting_notes_is_not_sent_its_cookie_again_until_it_changes_or_ages(
    facilitator: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        token = csrf_token(c, f"/b/{meeting_id}")
        headers = {"x-csrftoken": token, "accept": "application/json", "accept-encoding": "gzip"}
        posted = c.post(
            f"/b/{meeting_id}/notes", data={"kind": "idea", "text": "駅前にベンチがほしい"}, headers=headers
        )
        assert posted.status_code == 200 and posted.json()["note_id"]
        assert not _session_cookie_set(posted)  # nothing in the session changed
        assert "content-encoding" not in posted.headers  # a few bytes of JSON: not gzipped
        # The cookie the phone holds still says who it is: its next note is its own.
        again = c.post(
            f"/b/{meeting_id}/notes", data={"kind": "concern", "text": "ベンチが少ない"}, headers=headers
        )
        assert again.status_code == 200
        board = c.get(f"/b/{meeting_id}").text
        assert "駅前にベンチがほしい" in board and "ベンチが少ない" in board

        # An hour on, the same post renews the cookie (a screen in use keeps its session).
        later = time.time() + REWRITE_AFTER_S + 5
        monkeypatch.setattr(time, "time", lambda: later)
        renewed = c.post(
            f"/b/{meeting_id}/notes", data={"kind": "idea", "text": "木陰のベンチ"}, headers=headers
        )
        assert renewed.status_code == 200 and _session_cookie_set(renewed)


def test_a_changed_session_is_written(client: TestClient[Litestar]) -> None:
    """The first page puts a CSRF token in the session: that response sets the cookie."""
    first = client.get("/")
    assert _session_cookie_set(first)
    assert not _session_cookie_set(client.get("/"))  # the same session: not written again


def _scope(cookie: str = "", accept_language: str = "", query: str = "") -> dict[str, object]:
    headers = [(b"accept-language", accept_language.encode()), (b"cookie", cookie.encode())]
    return {"type": "http", "headers": headers, "query_string": query.encode()}


def test_the_language_comes_from_its_own_cookie_among_others() -> None:
    session = "yoriai=" + "A" * 400 + "=="
    assert locale_of_scope(_scope(f"{session}; yoriai_lang=en", "ja")) == "en"
    assert locale_of_scope(_scope(f"yoriai_lang=en; {session}", "ja")) == "en"
    assert locale_of_scope(_scope(session, "en-US,en;q=0.9")) == "en"  # no cookie: the browser's
    assert locale_of_scope(_scope(f"{session}; xyoriai_lang=en", "ja")) == "ja"  # not our cookie
    assert locale_of_scope(_scope('yoriai_lang="en"', "")) == "en"
    assert locale_of_scope(_scope("yoriai_lang=fr; =;;; \x00", "")) == "ja"  # unknown or malformed
    assert locale_of_scope(_scope("yoriai_lang=en", "ja", "lang=ja")) == "ja"  # ?lang= wins
    assert locale_of_scope(_scope("yoriai_lang=en; yoriai_lang=ja", "en")) == "ja"  # twice: the last
    long_header = "fr;q=0.9, " * 100 + "en;q=0.1"  # not cached, still understood
    assert locale_of_scope(_scope(session, long_header)) == "en"
