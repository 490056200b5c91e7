"""The permission matrix, walked over the app's whole route table.

Every route must have a rule below (a new route without one fails), and every actor is tried
on every route: allowed actors are never refused, the others always are (403, or sent to
sign in / to join). docs/security.md shows the same matrix.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from tests.conftest import (
    Person,
    create_facilitator,
    create_open_meeting,
    join_as,
    post_form,
    send_note,
    sign_in,
)

ANON, PART, OTHER, FAC, COORD, ADMIN = (
    "anonymous",
    "participant",
    "other participant",
    "facilitator",
    "coordinator",
    "admin",
)
EVERYONE = {ANON, PART, OTHER, FAC, COORD, ADMIN}

# (method, path) -> who may use it. Participant routes mean: a participant of *that* session.
RULES: dict[tuple[str, str], set[str]] = {
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/favicon.ico"): EVERYONE,
    ("GET", "/signin"): EVERYONE,
    ("POST", "/signin"): EVERYONE,
    ("POST", "/signout"): EVERYONE,
    ("GET", "/"): EVERYONE,
    ("POST", "/join"): EVERYONE,
    ("GET", "/join/{code:str}"): EVERYONE,
    ("POST", "/join/{code:str}"): EVERYONE,
    ("GET", "/static/{file_path:path}"): EVERYONE,
    ("GET", "/schema"): EVERYONE,
    ("GET", "/schema/openapi.json"): EVERYONE,
    ("GET", "/schema/{path:str}"): EVERYONE,
    ("GET", "/api/projects"): EVERYONE,
    ("GET", "/api/projects/{project_id:int}"): EVERYONE,
    ("GET", "/api/indicators"): EVERYONE,
    # Withdrawing a contact from the link the phone was given: no account, the token is the key.
    ("GET", "/contact/{token:str}"): EVERYONE,
    ("POST", "/contact/{token:str}"): EVERYONE,
    # A district's public page, when a coordinator turned it on (404 otherwise, for everyone).
    ("GET", "/d/{district_id:str}"): EVERYONE,
    ("GET", "/d/{district_id:str}/join/{project_id:int}"): EVERYONE,
    ("POST", "/d/{district_id:str}/join/{project_id:int}"): EVERYONE,
    # Any staff member changes their own password.
    ("GET", "/account/password"): {FAC, COORD, ADMIN},
    ("POST", "/account/password"): {FAC, COORD, ADMIN},
    # A table's host (テーブルホスト) hides their table's notes from the phone: no one in this world
    # is a host, so everyone is refused (tests/test_tables.py tries a host).
    ("POST", "/b/{meeting_id:int}/notes/{note_id:int}/hide"): set(),
    # A host groups and names groups of their own table (tests/test_table_hosts.py tries hosts):
    # nobody here hosts a table, so everyone is refused.
    ("GET", "/b/{meeting_id:int}/host"): set(),
    ("GET", "/b/{meeting_id:int}/host/region"): set(),  # the part of it fetched again live
    ("POST", "/b/{meeting_id:int}/host/notes/{note_id:int}/group"): set(),
    ("POST", "/b/{meeting_id:int}/host/clusters/{cluster_id:int}/name"): set(),
    # A one-time host link: the signed token is the key; a forged one is refused for everyone.
    ("GET", "/b/{meeting_id:int}/host-link/{token:str}"): set(),
    ("POST", "/b/{meeting_id:int}/host-link/{token:str}"): set(),
    # A staff member assigned as a table's host (any role) acts on that table only: nobody in this
    # world is assigned, so every staff member is refused (tests/test_table_hosts.py assigns one).
    ("GET", "/f/sessions/{meeting_id:int}/tables/{table_id:int}/host"): set(),
    ("GET", "/f/sessions/{meeting_id:int}/tables/{table_id:int}/host/region"): set(),
    ("POST", "/f/sessions/{meeting_id:int}/tables/{table_id:int}/host/notes/{note_id:int}/group"): set(),
    ("POST", "/f/sessions/{meeting_id:int}/tables/{table_id:int}/host/clusters/{cluster_id:int}/name"): set(),
    # Acting on several selected notes at once (the console's selection bar): facilitators only;
    # no cookie, a participant of this session or of another one is refused (and nothing changes:
    # tests/test_console_batch.py).
    ("POST", "/f/sessions/{meeting_id:int}/selection/move"): {FAC},
    ("POST", "/f/sessions/{meeting_id:int}/selection/group"): {FAC},
    ("POST", "/f/sessions/{meeting_id:int}/selection/hide"): {FAC},
    ("GET", "/f/sessions/{meeting_id:int}/minutes"): {FAC, COORD},
    ("GET", "/f/sessions/{meeting_id:int}/exports/{name:str}"): {FAC, COORD},
    # Screened mode (確認してから映す): turning it on and off, letting waiting notes through.
    ("POST", "/f/sessions/{meeting_id:int}/screening"): {FAC},
    ("POST", "/f/sessions/{meeting_id:int}/notes/{note_id:int}/let-through"): {FAC},
    ("POST", "/f/sessions/{meeting_id:int}/notes/let-all-through"): {FAC},
}
PREFIX_RULES = [("/f", {FAC}), ("/c/", {COORD}), ("/admin/", {ADMIN}), ("/b/", {PART}), ("/ws/", {PART})]


def rule_for(method: str, path: str) -> set[str]:
    if (method, path) in RULES:
        return RULES[(method, path)]
    for prefix, allowed in PREFIX_RULES:
        if path.startswith(prefix):
            return allowed
    raise AssertionError(f"no permission rule for {method} {path}: add one to tests/test_permissions.py")


def concrete(path: str, ids: dict[str, Any]) -> str:
    values = {
        "meeting_id": ids["meeting"],
        "note_id": ids["note"],
        "cluster_id": ids["cluster"],
        "project_id": ids["project"],
        "user_id": ids["user"],
        "participant_id": 1,
        "district_id": "tsurukawa",
        "code": ids["code"],
        "file_path": "app.css",
        "name": "notes.csv" if "/f/" in path else "projects.csv",
        "direction": "next",
        "action": "start",
        "path": "openapi.json",
        "token": "not-a-real-withdrawal-token",
        "table_id": ids["table"],
        "mode": "work",
    }
    path = re.sub(r"\{(\w+):\w+\}", lambda m: str(values[m.group(1)]), path)
    if path.endswith("/voting/start"):
        path = path.replace("/voting/start", "/voting/open")
    if re.search(r"/projects/\d+/start$", path):
        path = path[: -len("start")] + "join"
    return path


def refused(response: Any, path: str) -> bool:
    """Kept out: 403, sent to sign in (a redirect, or htmx's HX-Redirect), or sent to join
    (or, from a closed session's phone page, to the start page)."""
    location = response.headers.get("location", "") or response.headers.get("hx-redirect", "")
    sent_away = location.startswith(("/signin", "/join")) or (path.startswith("/b/") and location == "/")
    return response.status_code == 403 or (response.status_code in (302, 303, 401) and sent_away)


@pytest.fixture
def world(client: TestClient[Litestar]) -> dict[str, Any]:
    """A session with a note, a cluster and a project, and one person of each kind."""
    create_facilitator(client, roles="facilitator coordinator admin", email="setup@example.jp")
    sign_in(client, "setup@example.jp")
    meeting_id, code = create_open_meeting(client)
    other_id, other_code = create_open_meeting(client, title="木曽地区の会", district_id="kiso")
    participant = join_as(client, code)
    with participant as c:
        send_note(c, meeting_id, "朝市を開きたい")
    console = client.get(f"/f/sessions/{meeting_id}").text
    note = int(re.search(r'<article id="note-(\d+)"', console).group(1))  # type: ignore[union-attr]
    post_form(client, f"/f/sessions/{meeting_id}/clusters", {"name": "まとめ"}, htmx=True)
    cluster = int(re.search(r'id="cluster-(\d+)"', client.get(f"/f/sessions/{meeting_id}").text).group(1))  # type: ignore[union-attr]
    post_form(
        client, f"/f/sessions/{meeting_id}/promote", {"note": str(note), "title": "朝市", "status": "idea"}
    )
    project = int(re.search(r'/c/projects/(\d+)"', client.get("/c/projects").text).group(1))  # type: ignore[union-attr]
    other = join_as(client, other_code)
    # Two tables (島) in the session and one in the other, set once everyone has joined: every
    # table route is tried with another session's cookie too.
    post_form(client, f"/f/sessions/{meeting_id}/tables", {"count": "2"})
    post_form(client, f"/f/sessions/{other_id}/tables", {"count": "1"})
    table = int(re.search(r'id="table-(\d+)-name"', client.get(f"/f/sessions/{meeting_id}").text).group(1))  # type: ignore[union-attr]
    people: dict[str, Person] = {ANON: Person(client), PART: participant, OTHER: other}
    for role in (FAC, COORD, ADMIN):
        create_facilitator(client, roles=role, email=f"{role}@example.jp")
        person = Person(client)
        with person as c:
            sign_in(c, f"{role}@example.jp")
        people[role] = person
    ids = {
        "meeting": meeting_id,
        "note": note,
        "cluster": cluster,
        "project": project,
        "user": 1,
        "code": code,
        "table": table,
    }
    return {"people": people, "ids": ids, "other": other_id}


def test_every_route_has_a_rule_and_keeps_out_who_does_not_belong(
    client: TestClient[Litestar], world: dict[str, Any]
) -> None:
    checked = 0
    for route in client.app.routes:
        methods = sorted(
            m for m in (getattr(route, "methods", None) or {"WS"}) if m not in ("HEAD", "OPTIONS")
        )
        for method in methods:
            allowed = rule_for(method, route.path)
            path = concrete(route.path, world["ids"])
            for actor, person in world["people"].items():
                with person as c:
                    ok = _try(c, method, path)
                    if path == "/signout" and actor in (FAC, COORD, ADMIN):
                        sign_in(c, f"{actor}@example.jp")  # back in, for the routes still to try
                assert ok == (actor in allowed), (
                    f"{actor} on {method} {path}: {'allowed' if ok else 'refused'}"
                )
                checked += 1
    assert checked > 300


def _try(client: TestClient[Litestar], method: str, path: str) -> bool:
    """Whether this actor got in (True) or was kept out (False)."""
    if method == "WS":
        try:
            with client.websocket_connect(path + "?after=0") as socket:
                socket.receive_text(timeout=5)
            return True
        except WebSocketDisconnect as closed:
            assert closed.code == 4403
            return False
    if method == "GET":
        response = client.get(path, follow_redirects=False)
    else:
        response = post_form(client, path, {"text": "マトリクス", "kind": "idea", "name": "x"}, htmx=True)
    assert response.status_code < 500, f"{method} {path}: {response.status_code}"
    return not refused(response, path)
