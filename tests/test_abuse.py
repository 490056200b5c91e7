"""The outside probes of the second trust review (issue 11), automated.

Each test is one finding, tried the way the outsider tried it: with no cookie, another meeting's
cookie, a copied cookie, a planted cookie, fresh cookies from one address, a forged Host header.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta
from pathlib import Path

import anyio
import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select

from server.accounts.models import StaffSession
from server.app import create_app
from server.config import Settings
from server.db import make_engine, make_sessionmaker
from server.timeutil import utcnow
from tests.conftest import (
    FACILITATOR_EMAIL,
    FACILITATOR_PASSWORD,
    Person,
    create_facilitator,
    create_open_meeting,
    csrf_token,
    join_as,
    post_form,
    send_note,
    sign_in,
)
from tests.live_server import LiveServer, cli, free_port

# --- 1. the join code does not leak ------------------------------------------------------------


def test_a_stranger_walking_board_ids_gets_the_start_page_and_no_code(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    _, other_code = create_open_meeting(facilitator, title="木曽地区の会", district_id="kiso")
    stranger, other_phone = Person(facilitator), join_as(facilitator, other_code)
    for person in (stranger, other_phone):
        with person as c:
            for path in (f"/b/{meeting_id}", f"/b/{meeting_id}/events", f"/b/{meeting_id}/votes"):
                answer = c.get(path, follow_redirects=False)
                assert code not in answer.headers.get("location", "") and code not in answer.text
            redirect = c.get(f"/b/{meeting_id}", follow_redirects=False)
            assert redirect.status_code == 303 and redirect.headers["location"] == "/"


# --- 3. joining again, flooding from one address, the attendance figure -------------------------


def _attendance(client: TestClient[Litestar]) -> int:
    return int(client.get("/api/indicators?year=2026").json()["roundtable_attendance"])


def test_a_phone_that_joins_again_is_counted_once(facilitator: TestClient[Litestar]) -> None:
    _, code = create_open_meeting(facilitator)
    before = _attendance(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        again = post_form(c, f"/join/{code}", {"nickname": "", "affiliation": ""})
        assert again.status_code == 303 and again.headers["location"].startswith("/b/")
        assert c.get(f"/join/{code}", follow_redirects=False).status_code == 303
    assert _attendance(facilitator) == before + 1


def test_fresh_participants_from_one_address_cannot_flood_past_the_address_limit(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phones = [join_as(facilitator, code) for _ in range(10)]
    accepted = refused = 0
    for n in range(10):  # each phone stays within its own 10 per 30 s
        for i, phone in enumerate(phones):
            with phone as c:
                answer = send_note(c, meeting_id, f"連投 {i}-{n}")
            if answer.status_code == 200:
                accepted += 1
            else:
                assert answer.status_code == 429 and "早すぎます" in answer.json()["error"]
                refused += 1
    assert accepted == 90 and refused == 10
    board = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert board.count("連投 ") == 90


def test_joining_from_one_address_is_limited_in_japanese(facilitator: TestClient[Litestar]) -> None:
    _, code = create_open_meeting(facilitator)
    limit = facilitator.app.state.rate_limits.joins
    for _ in range(limit.limit):
        join_as(facilitator, code)
    with Person(facilitator) as c:
        refused = post_form(c, f"/join/{code}", {"nickname": "", "affiliation": ""})
    assert refused.status_code == 429 and "少しまってから" in refused.text


# --- lower risk: a blocked address, the QR key, sign-in per account ---------------------------


def test_a_blocked_address_still_joins_by_the_qr_but_not_by_a_typed_code(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    qr_svg = facilitator.get(f"/f/sessions/{meeting_id}").text
    link = re.search(r"/join/\d{6}\?k=([0-9a-f]+)", qr_svg)
    assert link, "the console shows the QR's address with its key"
    key = link.group(1)
    with Person(facilitator) as guesser:
        for _ in range(30):
            assert post_form(guesser, "/join", {"code": "999999"}).status_code == 404
        typed = post_form(guesser, "/join", {"code": code})
        assert typed.status_code == 429 and "QRコード" in typed.text
        wrong_key = guesser.get(f"/join/{code}?k={'0' * len(key)}")
        assert wrong_key.status_code == 429
    with Person(facilitator) as neighbour:  # the same router, a real phone with the QR
        page = neighbour.get(f"/join/{code}?k={key}")
        assert page.status_code == 200 and f'action="/join/{code}?k={key}"' in page.text
        joined = post_form(neighbour, f"/join/{code}?k={key}", {"nickname": "", "affiliation": ""})
        assert joined.status_code == 303 and joined.headers["location"] == f"/b/{meeting_id}"


def test_sign_in_failures_count_per_account_and_a_right_password_passes_a_blocked_address(
    client: TestClient[Litestar],
) -> None:
    create_facilitator(client)
    per_address = client.app.state.rate_limits.sign_in_failures
    for i in range(10):  # one address guesses other accounts until it is blocked
        post_form(client, "/signin", {"email": f"x{i}@example.jp", "password": "wrong-pass"})
    assert post_form(client, "/signin", {"email": "y@example.jp", "password": "nope"}).status_code == 429
    right = post_form(client, "/signin", {"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD})
    assert right.status_code == 303  # a colleague behind the same router still signs in
    post_form(client, "/signout", {})
    for _ in range(10):  # one account guessed from ever new addresses
        per_address._hits.clear()
        post_form(client, "/signin", {"email": FACILITATOR_EMAIL, "password": "wrong-pass"})
    per_address._hits.clear()
    locked = post_form(client, "/signin", {"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD})
    assert locked.status_code == 429 and "15分" in locked.text


# --- 5. a staff session ends on the server ------------------------------------------------------


def _copy_cookies(client: TestClient[Litestar]) -> httpx.Cookies:
    copy = httpx.Cookies()
    for cookie in client.cookies.jar:
        copy.set(cookie.name, cookie.value or "", domain=cookie.domain, path=cookie.path)
    return copy


def _opens_console(client: TestClient[Litestar], cookies: httpx.Cookies) -> bool:
    saved = client.cookies
    client.cookies = cookies
    try:
        return client.get("/f", follow_redirects=False).status_code == 200
    finally:
        client.cookies = saved


def test_signing_out_ends_the_session_for_a_copied_cookie(facilitator: TestClient[Litestar]) -> None:
    copied = _copy_cookies(facilitator)
    assert _opens_console(facilitator, copied)
    assert post_form(facilitator, "/signout", {}).status_code == 303
    assert not _opens_console(facilitator, copied)
    assert facilitator.get("/f", follow_redirects=False).headers["location"].startswith("/signin")


def test_a_password_change_and_a_removed_role_end_every_session(client: TestClient[Litestar]) -> None:
    create_facilitator(client, roles="facilitator admin", email="admin@example.jp")
    create_facilitator(client)
    laptop, tablet = Person(client), Person(client)
    for person in (laptop, tablet):
        with person as c:
            sign_in(c)
    with laptop as c:
        form = {"current": FACILITATOR_PASSWORD, "new": "a new password 2", "again": "a new password 2"}
        changed = post_form(c, "/account/password", form)
        assert changed.status_code == 303 and changed.headers["location"].startswith("/signin")
        assert c.get("/f", follow_redirects=False).status_code == 303
    with tablet as c:
        assert c.get("/f", follow_redirects=False).status_code == 303  # the other device too
        post_form(c, "/signin", {"email": FACILITATOR_EMAIL, "password": "a new password 2"})
        assert c.get("/f", follow_redirects=False).status_code == 200
    with Person(client) as admin:
        sign_in(admin, "admin@example.jp")
        users = admin.get("/admin/users").text
        user_id = re.search(r'action="/admin/users/(\d+)/roles"', users.split(FACILITATOR_EMAIL, 1)[1])
        assert user_id
        post_form(admin, f"/admin/users/{user_id.group(1)}/roles", {"role": "coordinator"})
    with tablet as c:
        assert c.get("/f", follow_redirects=False).status_code == 303


def test_an_idle_staff_session_expires(facilitator: TestClient[Litestar]) -> None:
    assert facilitator.get("/f", follow_redirects=False).status_code == 200

    async def age_sessions() -> None:
        engine = make_engine(facilitator.app.state.settings)
        async with make_sessionmaker(engine)() as db:
            for session in (await db.exec(select(StaffSession))).all():
                session.last_seen_at = utcnow() - timedelta(hours=9)
            await db.commit()
        await engine.dispose()

    anyio.run(age_sessions)
    assert facilitator.get("/f", follow_redirects=False).headers["location"].startswith("/signin")


# --- 6. control characters in paths and log lines ----------------------------------------------


def test_a_nul_byte_in_a_static_path_is_not_found(client: TestClient[Litestar]) -> None:
    for path in ("/static/app.css%00.txt", "/static/%00", "/static/app.css%0a.txt", "/b/1%00"):
        answer = client.get(path)
        assert answer.status_code == 404 and "Traceback" not in answer.text
    assert client.get("/static/app.css").status_code == 200


def test_a_request_cannot_forge_a_log_line(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.get("/static/x%0aERROR - yoriai - FORGED admin login%00")
    client.get("/no/such%0d%0aFORGED")
    logging.getLogger("yoriai").error("unhandled error on %s", "/x\nERROR - yoriai - FORGED admin login")
    for record in caplog.records:
        assert "\n" not in record.getMessage() and "\r" not in record.getMessage()
    assert any("\\nERROR - yoriai - FORGED" in r.getMessage() for r in caplog.records)


# --- 7, 8. caching and HSTS -----------------------------------------------------------------------


def test_nothing_personal_or_staff_only_is_cached(facilitator: TestClient[Litestar]) -> None:
    create_facilitator(facilitator, roles="facilitator coordinator admin", email="all@example.jp")
    sign_in(facilitator, "all@example.jp")
    meeting_id, code = create_open_meeting(facilitator)
    staff_pages = [
        "/f",
        f"/f/sessions/{meeting_id}",
        f"/f/sessions/{meeting_id}/projector",
        "/admin/users",
        f"/admin/sessions/{meeting_id}/participants",
        f"/f/sessions/{meeting_id}/exports/notes.csv",
        f"/f/sessions/{meeting_id}/minutes",
        "/c/exports/projects.csv",
    ]
    for path in staff_pages:
        answer = facilitator.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-store", path
    with join_as(facilitator, code) as phone:
        assert phone.get(f"/b/{meeting_id}").headers["cache-control"] == "no-store"
    assert "no-store" not in facilitator.get("/static/app.css").headers.get("cache-control", "")


def test_hsts_only_where_tls_is(settings: Settings) -> None:
    from dataclasses import replace

    with TestClient(create_app(settings), base_url="http://hall.local") as plain:
        assert "strict-transport-security" not in plain.get("/").headers
    with TestClient(create_app(settings), base_url="https://yoriai.example.jp") as tls:
        assert tls.get("/").headers["strict-transport-security"].startswith("max-age=31536000")
    with TestClient(create_app(replace(settings, secure_cookies=True))) as behind_proxy:
        assert "max-age=" in behind_proxy.get("/signin").headers["strict-transport-security"]


# --- lower risk: CSRF bound to the session, hidden notes, the Host header ------------------------


def test_a_planted_csrf_token_from_another_session_is_refused(facilitator: TestClient[Litestar]) -> None:
    attacker = Person(facilitator)
    with attacker as c:
        planted = csrf_token(c)  # a valid token, with the cookies that go with it
    # Cookie injection (a sibling site, the hall's network): every cookie of the attacker's
    # but the staff session itself is planted in the victim's browser beside their own.
    for cookie in attacker.cookies.jar:
        if cookie.name != "yoriai":
            facilitator.cookies.set(cookie.name, cookie.value or "", domain=cookie.domain, path=cookie.path)
    answer = facilitator.post(
        "/f/sessions",
        data={"kind": "roundtable", "district_id": "tsurukawa", "title": "乗っ取り", "_csrf_token": planted},
        headers={"x-csrftoken": planted},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "乗っ取り" not in facilitator.get("/f").text


def test_an_author_cannot_edit_a_hidden_note(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    with join_as(facilitator, code) as phone:
        note_id = send_note(phone, meeting_id, "消される付箋").json()["note_id"]
        phone_cookies = phone.cookies
    post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{note_id}/hide", {}, htmx=True)
    saved = facilitator.cookies
    facilitator.cookies = phone_cookies
    try:
        edit = post_form(
            facilitator,
            f"/b/{meeting_id}/notes/{note_id}/edit",
            {"kind": "idea", "text": "こっそり書きかえ"},
            htmx=True,
        )
    finally:
        facilitator.cookies = saved
    assert edit.status_code in (404, 409)
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert "消される付箋" in console and "こっそり書きかえ" not in console


def test_the_join_address_does_not_follow_a_forged_host(settings: Settings) -> None:
    from dataclasses import replace

    app = create_app(replace(settings, public_url="http://192.168.1.20:8000"))
    with TestClient(app, base_url="http://evil.example") as client:
        create_facilitator(client)
        sign_in(client)
        meeting_id, _ = create_open_meeting(client)
        console = client.get(f"/f/sessions/{meeting_id}").text
    assert "evil.example/join" not in console and "http://192.168.1.20:8000/join/" in console


# --- lower risk: X-Forwarded-For is believed only from a configured proxy ------------------------


def test_a_client_cannot_choose_its_rate_limit_address_with_x_forwarded_for(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "YORIAI_DATA_DIR": str(tmp_path), "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    for name in ("YORIAI_DATABASE_URL", "YORIAI_TRUSTED_PROXIES", "YORIAI_CHANNELS_URL"):
        env.pop(name, None)
    cli(env, "migrate")
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    server.start()
    try:
        with httpx.Client(base_url=server.url) as guesser:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', guesser.get("/").text)
            assert token
            for i in range(31):
                answer = guesser.post(
                    "/join",
                    data={"code": "999999"},
                    headers={"x-csrftoken": token.group(1), "x-forwarded-for": f"10.9.{i}.1"},
                )
            assert answer.status_code == 429  # every "address" was the one real address
            https = guesser.get("/", headers={"x-forwarded-proto": "https"})
            assert "strict-transport-security" not in https.headers  # nor may it claim TLS
    finally:
        server.stop()
