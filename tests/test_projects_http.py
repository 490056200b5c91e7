"""Projects over HTTP: promotion, 参加したい, the coordinator's pages, exports, the JSON API, permissions."""

from __future__ import annotations

import re

from litestar import Litestar
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


def promote_first_note(client: TestClient[Litestar], meeting_id: int, text: str) -> int:
    console = client.get(f"/f/sessions/{meeting_id}").text
    note_id = re.search(
        r'<article id="note-(\d+)"(?:(?!</article>).)*' + re.escape(text), console, re.S
    ).group(1)  # type: ignore[union-attr]
    form = client.get(f"/f/sessions/{meeting_id}/promote?note={note_id}").text
    assert text in form and 'value="tsurukawa" checked' in form
    response = post_form(
        client,
        f"/f/sessions/{meeting_id}/promote",
        {
            "note": note_id,
            "title": "週末の朝市",
            "description": "- " + text,
            "status": "idea",
            "district_id": "tsurukawa",
            "owner": "鶴川地区協議会",
        },
    )
    assert response.status_code == 303, response.text
    listing = client.get("/c/projects").text
    return int(re.search(r'href="/c/projects/(\d+)">週末の朝市', listing).group(1))  # type: ignore[union-attr]


def test_a_promoted_note_becomes_a_project_that_phones_can_join(coordinator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    phone = join_as(coordinator, code)
    with phone as c:
        send_note(c, meeting_id, "空き店舗で朝市を開きたい", kind="want")
    project_id = promote_first_note(coordinator, meeting_id, "空き店舗で朝市を開きたい")
    assert "週末の朝市" in coordinator.get(f"/f/sessions/{meeting_id}/projector").text
    with phone as c:
        panel = c.get(f"/b/{meeting_id}/projects").text
        assert "週末の朝市" in panel and "参加したい" in panel
        joined = post_form(c, f"/b/{meeting_id}/projects/{project_id}/join", {}, htmx=True).text
        assert "参加しています" in joined and f'id="project-{project_id}-members">1<' in joined
        again = post_form(c, f"/b/{meeting_id}/projects/{project_id}/join", {}, htmx=True).text
        assert "もう参加しています" in again
    page = coordinator.get(f"/c/projects/{project_id}").text
    assert "空き店舗で朝市を開きたい" in page and "参加 1人" in page and "鶴川地区 地区別懇談会" in page


def test_the_review_table_saves_as_you_go_and_the_indicators_follow(
    coordinator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    with join_as(coordinator, code) as c:
        send_note(c, meeting_id, "朝市を開きたい")
    project_id = promote_first_note(coordinator, meeting_id, "朝市を開きたい")
    table = coordinator.get("/c/review?district=tsurukawa&year=2026").text
    assert "週末の朝市" in table and "○ 実施" in table
    saved = post_form(
        coordinator,
        f"/c/projects/{project_id}/evaluations",
        {"fiscal_year": "2026", "mark": "done", "comment": "月1回開催"},
        htmx=True,
    )
    assert saved.status_code == 200 and "保存しました（○）" in saved.text
    assert 'value="done" selected' in coordinator.get("/c/review?district=tsurukawa&year=2026").text
    indicators = coordinator.get("/c/indicators?year=2026").text
    row = re.search(r"<th scope=\"row\">鶴川地区</th>(.*?)</tr>", indicators, re.S).group(1)  # type: ignore[union-attr]
    assert re.findall(r"<td>(\d+)</td>", row)[1] == "1"  # Ⅱ-2
    assert "<svg" in indicators and "令和" in coordinator.get("/c/indicators?year=2026&era=1").text
    bad = post_form(
        coordinator,
        f"/c/projects/{project_id}/evaluations",
        {"fiscal_year": "20x6", "mark": "done"},
        htmx=True,
    )
    assert bad.status_code == 422 and "年度" in bad.text


def test_exports_and_the_api_leave_hidden_notes_out(coordinator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    with join_as(coordinator, code) as c:
        send_note(c, meeting_id, "朝市を開きたい")
        send_note(c, meeting_id, "家族の秘密の事情", kind="concern")
    project_id = promote_first_note(coordinator, meeting_id, "朝市を開きたい")
    secret = re.search(
        r'<article id="note-(\d+)"(?:(?!</article>).)*家族の秘密',
        coordinator.get(f"/f/sessions/{meeting_id}").text,
        re.S,
    ).group(1)  # type: ignore[union-attr]
    post_form(coordinator, f"/f/sessions/{meeting_id}/notes/{secret}/hide", {}, htmx=True)
    outputs = [
        coordinator.get(f"/f/sessions/{meeting_id}/minutes").text,
        coordinator.get(f"/f/sessions/{meeting_id}/exports/notes.csv").content.decode("utf-8-sig"),
        coordinator.get("/api/projects").text,
        coordinator.get(f"/api/projects/{project_id}").text,
    ]
    for output in outputs:
        assert "家族の秘密の事情" not in output
    assert "朝市を開きたい" in outputs[1] and "朝市を開きたい" in outputs[3]
    xlsx = coordinator.get("/c/exports/progress.xlsx?year=2026&district=tsurukawa")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert coordinator.get("/api/indicators?district=atlantis").json() == {"error": "unknown district"}
    assert "/api/projects" in coordinator.get("/schema/openapi.json").json()["paths"]


def test_only_coordinators_reach_the_coordinators_pages(client: TestClient[Litestar]) -> None:
    assert client.get("/c/projects", follow_redirects=False).headers["location"].startswith("/signin")
    create_facilitator(client, roles="facilitator")
    sign_in(client)
    _, code = create_open_meeting(client)
    forbidden = client.get("/c/projects")
    assert forbidden.status_code == 403 and "コーディネーター" in forbidden.text
    refused = post_form(client, "/c/visions/tsurukawa/picture", {"future_picture": "勝手に書きかえ"})
    assert refused.status_code == 403
    with join_as(client, code) as phone:
        as_participant = post_form(phone, "/c/visions/tsurukawa/goals", {"title": "参加者が書いた"})
        assert as_participant.status_code == 303 and as_participant.headers["location"].startswith("/signin")
    with Person(client) as stranger:
        assert stranger.get("/c/review", follow_redirects=False).status_code == 303
    create_facilitator(client, roles="coordinator", email="c2@example.jp")
    sign_in(client, "c2@example.jp")
    vision = client.get("/c/visions/tsurukawa").text
    assert "勝手に書きかえ" not in vision and "参加者が書いた" not in vision


def test_visions_are_edited_with_markdown_made_safe(coordinator: TestClient[Litestar]) -> None:
    response = post_form(
        coordinator,
        "/c/visions/kiso/picture",
        {"future_picture": "**10年後**の木曽 <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 303
    page = coordinator.get("/c/visions/kiso").text
    assert (
        "<strong>10年後</strong>" in page
        and "<script>alert(1)" not in page
        and 'href="javascript' not in page
    )
    post_form(coordinator, "/c/visions/kiso/goals", {"title": "居場所がある", "description": "だれでも"})
    page = coordinator.get("/c/visions/kiso").text
    assert "居場所がある" in page and "この目標に向けたプロジェクトはまだありません" in page
    post_form(coordinator, "/c/visions/kiso/picture", {"future_picture": "二度目の将来像"})
    history = coordinator.get("/c/visions/kiso").text.split("編集の履歴", 1)[1]
    assert "coord@example.jp が将来像を編集。以前の文：<span hx-disable>**10年後**の木曽" in history
    assert coordinator.get("/c/visions/atlantis").status_code == 404


def test_an_admin_creates_accounts_and_sets_roles(client: TestClient[Litestar]) -> None:
    create_facilitator(client, roles="admin", email="admin@example.jp")
    sign_in(client, "admin@example.jp")
    made = post_form(
        client,
        "/admin/users",
        {"email": "new@example.jp", "password": "long-password", "role": "coordinator"},
    )
    assert made.status_code == 303
    page = client.get("/admin/users").text
    assert "new@example.jp" in page
    new_id = re.search(
        r'action="/admin/users/(\d+)/roles"(?:(?!</tr>).)*?new@example\.jp|new@example\.jp(?:(?!</tr>).)*?action="/admin/users/(\d+)/roles"',
        page,
        re.S,
    )
    assert new_id
    user_id = new_id.group(1) or new_id.group(2)
    assert post_form(client, f"/admin/users/{user_id}/roles", {"role": "facilitator"}).status_code == 303
    own = re.search(r'admin@example\.jp(?:(?!</tr>).)*?action="/admin/users/(\d+)/roles"', page, re.S).group(
        1
    )  # type: ignore[union-attr]
    refused = post_form(client, f"/admin/users/{own}/roles", {"role": "facilitator"})
    assert refused.status_code == 422 and "管理者の役割は外せません" in refused.text
    short = post_form(
        client, "/admin/users", {"email": "x@example.jp", "password": "short", "role": "facilitator"}
    )
    assert short.status_code == 422 and "8文字以上" in short.text
    create_facilitator(client, roles="facilitator", email="f2@example.jp")
    sign_in(client, "f2@example.jp")
    assert client.get("/admin/users").status_code == 403


def test_next_years_roundtable_starts_with_the_open_projects_and_the_report_prints(
    coordinator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    with join_as(coordinator, code) as c:
        send_note(c, meeting_id, "朝市を開きたい")
    project_id = promote_first_note(coordinator, meeting_id, "朝市を開きたい")
    post_form(
        coordinator,
        f"/c/projects/{project_id}/evaluations",
        {"fiscal_year": "2026", "mark": "done"},
        htmx=True,
    )
    next_year, next_code = create_open_meeting(
        coordinator, title="鶴川地区 地区別懇談会 2027", bring_projects="1"
    )
    assert "週末の朝市" in coordinator.get(f"/f/sessions/{next_year}/projector").text
    with join_as(coordinator, next_code) as c:
        panel = c.get(f"/b/{next_year}/projects").text
        assert "ふりかえり" in panel and "週末の朝市" in panel
    report = coordinator.get("/c/report?district=tsurukawa&year=2026").text
    assert "鶴川地区 取組の進捗状況（2026年度・令和8年度）" in report
    assert "<td>週末の朝市</td>" in report and "<td>○</td>" in report and "data-print" in report
