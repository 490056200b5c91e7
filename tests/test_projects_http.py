"""Projects over HTTP: promotion, 参加したい, the coordinator's pages, exports, the JSON API, permissions."""

from __future__ import annotations

import html
import io
import re

from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from tests.conftest import (
    Person,
    create_facilitator,
    create_open_meeting,
    join_as,
    post_form,
    send_note,
    sign_in,
)
from tests.test_live import WAIT, board_socket, removed_ids, seq_of


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


SECRET = "田中さんの家の前の道が暗くて夜は危ない"


def note_id_of(client: TestClient[Litestar], meeting_id: int, text: str) -> str:
    console = client.get(f"/f/sessions/{meeting_id}").text
    found = re.search(r'<article id="note-(\d+)"(?:(?!</article>).)*' + re.escape(text), console, re.S)
    assert found
    return found.group(1)


def promote_with_the_prefill(client: TestClient[Litestar], meeting_id: int, note_id: str) -> int:
    """Promote a note leaving the form as it is suggested (title and description are its text)."""
    form = client.get(f"/f/sessions/{meeting_id}/promote?note={note_id}").text
    title = re.search(r'name="title"[^>]* value="([^"]*)"', form)
    description = re.search(r'name="description"[^>]*>([^<]*)</textarea>', form)
    assert title and description
    data = {
        "note": note_id,
        "title": html.unescape(title.group(1)),
        "description": html.unescape(description.group(1)),
        "status": "idea",
        "district_id": "tsurukawa",
    }
    assert (data["title"], data["description"]) == (SECRET, f"- {SECRET}")
    assert post_form(client, f"/f/sessions/{meeting_id}/promote", data).status_code == 303
    return max(p["id"] for p in client.get("/api/projects").json())


def ask_to_hide(client: TestClient[Litestar], meeting_id: int, note_id: str, project_id: int) -> None:
    """The console's 非表示 button: a note a project copied asks first, withdrawing checked."""
    asked = post_form(client, f"/f/sessions/{meeting_id}/notes/{note_id}/hide", {"ask": "1"}, htmx=True)
    assert asked.status_code == 200 and "非表示中" not in asked.text
    assert f"プロジェクト『{SECRET}』からもこの付箋の文を取り下げる" in asked.text
    assert f'name="withdraw" value="{project_id}" checked autofocus' in asked.text
    assert 'name="decided" value="1"' in asked.text


def everything_outside_the_console(
    client: TestClient[Litestar], meeting_id: int, project_id: int
) -> list[str]:
    """What phones, the projector, the API, minutes, exports and the report show."""
    xlsx = client.get("/c/exports/projects.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert xlsx.status_code == 200 and sheet is not None
    progress = load_workbook(
        io.BytesIO(client.get("/c/exports/progress.xlsx?district=tsurukawa").content)
    ).active
    assert progress is not None
    return [
        client.get(f"/f/sessions/{meeting_id}/projector").text,
        client.get(f"/b/{meeting_id}/events?after=0&view=projector").text,
        client.get(f"/api/projects/{project_id}").text,
        client.get("/api/projects").text,
        client.get(f"/f/sessions/{meeting_id}/minutes").text,
        client.get(f"/f/sessions/{meeting_id}/exports/notes.csv").content.decode("utf-8-sig"),
        client.get("/c/exports/projects.csv").content.decode("utf-8-sig"),
        " ".join(str(c.value) for row in sheet.iter_rows() for c in row),
        " ".join(str(c.value) for row in progress.iter_rows() for c in row),
        client.get("/c/report?district=tsurukawa").text,
        client.get(f"/c/projects/{project_id}").text,
    ]


def test_hiding_a_promoted_note_withdraws_its_text_from_the_project(
    coordinator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    phone = join_as(coordinator, code)
    with phone as c:
        send_note(c, meeting_id, SECRET, kind="concern")
    note_id = note_id_of(coordinator, meeting_id, SECRET)
    project_id = promote_with_the_prefill(coordinator, meeting_id, note_id)
    before = everything_outside_the_console(coordinator, meeting_id, project_id)
    assert all(SECRET in output for output in before)  # what the finding saw
    staff = Person(coordinator)
    staff.cookies = coordinator.cookies
    with board_socket(phone, meeting_id) as socket:
        last = seq_of(socket.receive_text(timeout=WAIT))
        with staff as c:
            ask_to_hide(c, meeting_id, note_id, project_id)
            hidden = post_form(
                c,
                f"/f/sessions/{meeting_id}/notes/{note_id}/hide",
                {"decided": "1", "withdraw": str(project_id)},
                htmx=True,
            )
        assert hidden.status_code == 200 and "非表示中" in hidden.text
        live = socket.receive_text(timeout=WAIT)  # what every phone is sent
        assert removed_ids(live) == [int(note_id)] and SECRET not in live
        assert f"プロジェクト #{project_id}（題名を取り下げました）" in live
    with phone as c:
        phone_views = [
            c.get(f"/b/{meeting_id}").text,
            c.get(f"/b/{meeting_id}/projects").text,
            c.get(f"/b/{meeting_id}/events?after=0").text,
            c.get(f"/b/{meeting_id}/events?after={last}").text,
        ]
    after = everything_outside_the_console(coordinator, meeting_id, project_id)
    for output in phone_views + after:
        assert SECRET not in output and SECRET[:10] not in output
    project = coordinator.get(f"/api/projects/{project_id}").json()
    assert (project["title"], project["description"], project["origins"]) == (
        f"プロジェクト #{project_id}（題名を取り下げました）",
        "",
        [],
    )
    assert "その付箋から写した文をプロジェクトから取り下げました" in after[-1]
    # Showing the note again does not put the text back into the project.
    assert (
        post_form(coordinator, f"/f/sessions/{meeting_id}/notes/{note_id}/show", {}, htmx=True).status_code
        == 200
    )
    assert SECRET not in coordinator.get(f"/api/projects/{project_id}").json()["title"]


def test_the_facilitator_may_keep_the_text_in_the_project(coordinator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    with join_as(coordinator, code) as c:
        send_note(c, meeting_id, SECRET, kind="concern")
    note_id = note_id_of(coordinator, meeting_id, SECRET)
    project_id = promote_with_the_prefill(coordinator, meeting_id, note_id)
    ask_to_hide(coordinator, meeting_id, note_id, project_id)
    kept = post_form(
        coordinator, f"/f/sessions/{meeting_id}/notes/{note_id}/hide", {"decided": "1"}, htmx=True
    )
    assert kept.status_code == 200 and "非表示中" in kept.text
    project = coordinator.get(f"/api/projects/{project_id}").json()
    assert (project["title"], project["description"], project["origins"]) == (SECRET, f"- {SECRET}", [])
    page = coordinator.get(f"/c/projects/{project_id}").text
    assert "ファシリテーターの判断でプロジェクトに残しています" in page
    assert SECRET not in coordinator.get(f"/f/sessions/{meeting_id}/exports/notes.csv").content.decode(
        "utf-8-sig"
    )


def test_hiding_leaves_a_title_the_facilitator_wrote(coordinator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(coordinator)
    with join_as(coordinator, code) as c:
        send_note(c, meeting_id, SECRET, kind="concern")
        send_note(c, meeting_id, "ほかの付箋")
    project_id = promote_first_note(coordinator, meeting_id, SECRET)  # title 週末の朝市, description its text
    note_id = note_id_of(coordinator, meeting_id, SECRET)
    # A hide with no answer (not the console's button) withdraws: the safe default.
    assert (
        post_form(coordinator, f"/f/sessions/{meeting_id}/notes/{note_id}/hide", {}, htmx=True).status_code
        == 200
    )
    project = coordinator.get(f"/api/projects/{project_id}").json()
    assert (project["title"], project["description"]) == ("週末の朝市", "")
    # A note no project copied hides at once, without a question.
    other = note_id_of(coordinator, meeting_id, "ほかの付箋")
    hidden = post_form(coordinator, f"/f/sessions/{meeting_id}/notes/{other}/hide", {"ask": "1"}, htmx=True)
    assert "非表示中" in hidden.text and "取り下げる" not in hidden.text


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


def test_the_plans_indicators_over_the_years_on_the_page_and_in_excel(
    coordinator: TestClient[Litestar],
) -> None:
    for data in (
        {
            "indicator": "participants",
            "kind": "baseline",
            "fiscal_year": "2020",
            "value": "120",
            "note": "計画策定時",
        },
        {"indicator": "participants", "kind": "target", "fiscal_year": "2031", "value": "1000"},
    ):
        response = post_form(coordinator, "/c/indicators/figures", data)
        assert response.status_code == 303 and response.headers["location"].endswith("#over-the-years")
    page = coordinator.get("/c/indicators?year=2026").text
    table = re.search(r'id="years-participants">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "基準値" in table and "120人" in table and "計画策定時" in table
    assert "目標値" in table and "2031年度" in table and "1,000人" in table
    assert "2022年度" in table and "これから" in table
    roundtables = re.search(r'id="years-roundtable_attendance">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "375人" in roundtables and "プランの記載" in roundtables
    bad = post_form(
        coordinator,
        "/c/indicators/figures",
        {"indicator": "participants", "kind": "target", "fiscal_year": "2031", "value": "多い"},
    )
    assert bad.status_code == 422 and "整数" in bad.text
    missing = post_form(coordinator, "/c/indicators/figures", {"indicator": "participants", "kind": "target"})
    assert missing.status_code == 422 and "年度" in missing.text
    xlsx = coordinator.get("/c/exports/indicators.xlsx?year=2026")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 7 and book.sheetnames[0] == "指標 2026年度"
    rows = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    assert rows[0] == ["区分", "年度", "値", "出典・メモ"]
    assert rows[1] == ["基準値", "2020年度", 120, "計画策定時"]
    assert rows[-1] == ["目標値", "2031年度", 1000, None]
    by_district = [[c.value for c in row] for row in book.worksheets[-1].iter_rows()]
    assert by_district[0][:2] == ["地区", "2022年度"] and by_district[-1][0] == "市全域（合計）"
    assert coordinator.get("/c/exports/indicators.csv").status_code == 404
    english = coordinator.get("/c/indicators?year=2026", headers={"accept-language": "en"}).text
    assert "Baseline" in english and "FY2031" in english


def test_a_city_wide_project_says_so_in_the_readers_language(coordinator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(coordinator, kind="yoriai", district_id="city", title="The YORIAI")
    with join_as(coordinator, code) as c:
        send_note(c, meeting_id, "大学と連携したい", kind="want")
    note_id = re.search(r'<article id="note-(\d+)"', coordinator.get(f"/f/sessions/{meeting_id}").text).group(
        1
    )  # type: ignore[union-attr]
    response = post_form(
        coordinator,
        f"/f/sessions/{meeting_id}/promote",
        {"note": note_id, "title": "大学との連携", "description": "", "status": "idea", "owner": ""},
    )
    assert response.status_code == 303, response.text
    assert "<td>市全域</td>" in coordinator.get("/c/projects").text
    assert "<td>City-wide</td>" in coordinator.get("/c/projects", headers={"accept-language": "en"}).text
    report = coordinator.get("/c/report?year=2026").text
    assert "市全域 取組の進捗状況" in report and "<td>市全域</td>" in report
