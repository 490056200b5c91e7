"""Trust: security headers, rate limits, sessions that keep people out where they do not belong."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import create_open_meeting, join_as, post_form, send_note


def test_every_page_carries_the_security_headers(facilitator: TestClient[Litestar]) -> None:
    meeting_id, _ = create_open_meeting(facilitator)
    pages = [
        "/",
        "/signin",
        "/f",
        f"/f/sessions/{meeting_id}",
        f"/f/sessions/{meeting_id}/projector",
        "/static/core.js",
        "/no/such/page",
        "/api/projects",
    ]
    for path in pages:
        headers = facilitator.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp.replace("style-src-attr 'unsafe-inline'", "")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_no_page_has_inline_script_or_style(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as phone:
        send_note(phone, meeting_id, "ふつうの付箋")
        phone_page = phone.get(f"/b/{meeting_id}").text
    html = [phone_page] + [
        facilitator.get(p).text for p in ("/", f"/f/sessions/{meeting_id}", "/f/sessions/new")
    ]
    for page in html:
        # Data blocks (type="application/json") are not run, so the CSP does not apply to them.
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))", page), "inline <script>"
        assert " style=" not in page and "<style" not in page and " on" + "click=" not in page


def test_guessing_join_codes_is_slowed_down_in_japanese(client: TestClient[Litestar]) -> None:
    for _ in range(30):
        assert post_form(client, "/join", {"code": "999999"}).status_code == 404
    refused = post_form(client, "/join", {"code": "999999"})
    assert refused.status_code == 429 and "少しのあいだ使えません" in refused.text


def test_guessing_passwords_is_slowed_down(client: TestClient[Litestar]) -> None:
    # Spread over many accounts, from one address: the address is refused.
    for i in range(10):
        answer = post_form(client, "/signin", {"email": f"a{i}@example.jp", "password": "wrong-pass"})
        assert answer.status_code == 401
    refused = post_form(client, "/signin", {"email": "b@example.jp", "password": "wrong-pass"})
    assert refused.status_code == 429 and "5分ほど待って" in refused.text


def test_a_phone_flooding_the_board_is_refused_and_the_board_stays_usable(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    flooder, calm = join_as(facilitator, code), join_as(facilitator, code)
    with flooder as c:
        answers = [send_note(c, meeting_id, f"連投{i}").status_code for i in range(12)]
        refused = send_note(c, meeting_id, "まだ送る")
    assert answers[:10] == [200] * 10 and answers[10:] == [429, 429]
    assert refused.status_code == 429 and "少しまって" in refused.json()["error"]
    with calm as c:
        assert send_note(c, meeting_id, "ふつうの参加者の付箋").status_code == 200
        board = c.get(f"/b/{meeting_id}").text
    assert "ふつうの参加者の付箋" in board and "連投11" not in board


def test_cookies_are_http_only_and_same_site(client: TestClient[Litestar]) -> None:
    from tests.conftest import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, create_facilitator

    first = client.get("/")
    assert (
        "samesite=lax" in first.headers["set-cookie"].lower()
        and "httponly" in first.headers["set-cookie"].lower()
        and "yoriai=" in first.headers["set-cookie"]  # the CSRF token lives in the session
    )
    create_facilitator(client)
    signed_in = post_form(client, "/signin", {"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD})
    session = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("yoriai="))
    assert (
        "httponly" in session.lower() and "samesite=lax" in session.lower() and "max-age=" in session.lower()
    )


def test_backup_while_serving_and_restore_bring_back_the_board(
    facilitator: TestClient[Litestar], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from server.backup import backup, restore

    settings = facilitator.app.state.settings
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        send_note(c, meeting_id, "バックアップ前の付箋")
        backup(settings, tmp_path / "backup.db")  # the app is serving, its connections open
        send_note(c, meeting_id, "バックアップ後の付箋")
    restore(settings, tmp_path / "backup.db")
    with phone as c:
        board = c.get(f"/b/{meeting_id}").text
    assert "バックアップ前の付箋" in board and "バックアップ後の付箋" not in board
    import pytest

    from server.errors import UserError

    with pytest.raises(UserError, match="もうあります"):
        backup(settings, tmp_path / "backup.db")
    (tmp_path / "not-a-backup.db").write_bytes(b"hello")
    with pytest.raises(UserError):
        restore(settings, tmp_path / "not-a-backup.db")


def test_ids_too_large_for_the_database_are_simply_not_found(facilitator: TestClient[Litestar]) -> None:
    huge = "9" * 30
    for path in (f"/b/{huge}", f"/f/sessions/{huge}", f"/api/projects/{huge}", f"/c/projects/{huge}"):
        response = facilitator.get(path)
        assert response.status_code in (403, 404), (path, response.status_code)
    assert "見つかりませんでした" in facilitator.get(f"/f/sessions/{huge}").text


def test_pages_and_static_files_are_gzipped_with_their_security_headers(
    facilitator: TestClient[Litestar],
) -> None:
    """A phone on a slow hall network downloads compressed pages; compression keeps the CSP."""
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        for path in (f"/b/{meeting_id}", "/static/vendor/htmx.min.js", "/static/app.css"):
            answer = c.get(path, headers={"accept-encoding": "gzip"})
            assert answer.status_code == 200
            assert answer.headers["content-encoding"] == "gzip"
            assert "script-src 'self';" in answer.headers["content-security-policy"]
        # httpx decodes it: the page reads as it did uncompressed, the live socket still works.
        assert "みんなの付箋" in c.get(f"/b/{meeting_id}", headers={"accept-encoding": "gzip"}).text
        with c.websocket_connect(f"/ws/boards/{meeting_id}?after=0&view=phone") as socket:
            assert 'id="board-seq"' in socket.receive_text()
        assert send_note(c, meeting_id, "圧縮しても届く").status_code == 200
