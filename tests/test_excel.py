"""Excel both ways: the review workbook goes out, comes back edited (by openpyxl and by
LibreOffice), is previewed row by row, and only a confirmation applies it. Hostile files are
refused with a reason and change nothing."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import Workbook, load_workbook
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import User
from server.accounts.service import create_user
from server.errors import UserError
from server.projects import sheets
from server.projects.models import Evaluation, Project, ProjectDistrict
from tests.conftest import post_form

DATA = Path(__file__).parent / "data"
# As in tests/data/make_review_fixture.py: (title, status, mark, comment), ids 1-3.
FIXTURE_PROJECTS = [
    ("週末の朝市", "running", "done", "月1回開催"),
    ("送迎ボランティア", "idea", "", ""),
    ("=見守り+ネットワーク", "preparing", "delayed", "人が足りない"),
]


async def coordinator_user(db: AsyncSession) -> User:
    return await create_user(db, "c@example.jp", "password-1234", roles="coordinator")


async def make_projects(
    db: AsyncSession, rows: list[tuple[str, str, str, str]] = FIXTURE_PROJECTS
) -> list[int]:
    ids = []
    for title, status, mark, comment in rows:
        project = Project(title=title, status=status, owner="鶴川地区協議会")
        db.add(project)
        await db.flush()
        db.add(ProjectDistrict(project_id=project.id or 0, district_id="tsurukawa"))
        if mark:
            db.add(Evaluation(project_id=project.id or 0, fiscal_year=2026, mark=mark, comment=comment))
        ids.append(project.id or 0)
    await db.commit()
    return ids


async def state(db: AsyncSession) -> dict[int, tuple[str, str, str]]:
    """(status, mark, comment) of every project for FY2026, as the database has them now."""
    query = select(Evaluation.project_id, Evaluation.mark, Evaluation.comment).where(
        Evaluation.fiscal_year == 2026
    )
    evaluations = {pid: (mark, comment) for pid, mark, comment in (await db.exec(query)).all()}
    projects = (await db.exec(select(Project.id, Project.status))).all()
    return {pid or 0: (status, *evaluations.get(pid or 0, ("", ""))) for pid, status in projects}


def workbook_bytes(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header or sheets.REVIEW_COLUMNS)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("=") and "見守り" in cell.value:
                cell.data_type = "s"  # as yoriai writes a title that looks like a formula: text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def review_row(
    project_id: int | str,
    title: str,
    status: str = "",
    mark: str = "",
    comment: str = "",
    year: str = "2026年度",
) -> list[Any]:
    return [project_id, 1, "鶴川地区", "", title, "", year, status, mark, comment]


# --- the files a coordinator brings back --------------------------------------------------------


@pytest.mark.parametrize("name", ["review-edited.xlsx", "review-libreoffice.xlsx"])
async def test_a_file_edited_and_saved_by_libreoffice_is_read_cell_by_cell(
    db: AsyncSession, name: str
) -> None:
    user = await coordinator_user(db)
    assert await make_projects(db) == [1, 2, 3]
    before = await state(db)
    plan = await sheets.plan_upload(
        db, Actor.staff(user), sheets.read_workbook((DATA / name).read_bytes()), 2000
    )
    assert [(c.row, c.project_id, c.fiscal_year, c.status, c.mark, c.comment) for c in plan.changes] == [
        (2, 1, 2026, ("running", "completed"), None, ("月1回開催", "年間12回開催、延べ300人")),
        (3, 2, 2026, None, ("", "done"), ("", "試行を始めた")),
    ]
    # The formula in 進捗評価 is refused, not evaluated; the one in 通番 is not read at all.
    assert [(r.row, r.title) for r in plan.refusals] == [(4, "=見守り+ネットワーク")]
    assert "数式" in str(plan.refusals[0].reason) and "進捗評価" in str(plan.refusals[0].reason)
    assert await state(db) == before  # a preview writes nothing
    result = await sheets.apply_plan(
        db, Actor.staff(user), sheets.load_changes(json.loads(json.dumps(sheets.dump_changes(plan.changes))))
    )
    assert len(result.applied) == 2 and not result.stale
    assert await state(db) == {
        1: ("completed", "done", "年間12回開催、延べ300人"),
        2: ("idea", "done", "試行を始めた"),
        3: ("preparing", "delayed", "人が足りない"),  # the emptied comment cell lost nothing
    }


async def test_every_reason_a_row_is_refused_is_given_with_its_row(db: AsyncSession) -> None:
    user = await coordinator_user(db)
    a, b, c = await make_projects(db)
    db.add(Project(title="週末の朝市", status="idea"))  # a second project of the same name
    await db.commit()
    data = workbook_bytes(
        [
            review_row(a, "週末の朝市", mark="◎"),
            review_row(b, "送迎ボランティア", status="やってる"),
            review_row(c, "=見守り+ネットワーク", year="来年"),
            review_row("12a", "x"),
            review_row(999, "ない"),
            review_row(a, "別の名前"),
            review_row("", "週末の朝市", mark="○"),
            review_row("", "聞いたことのない", mark="○"),
            review_row(b, "送迎ボランティア", comment="コメントだけ"),
            review_row(c, "=見守り+ネットワーク", comment="あ" * 501),
            review_row(c, "=見守り+ネットワーク", mark="○"),
            review_row(c, "=見守り+ネットワーク", mark="△"),
            review_row("", ""),
        ]
    )
    plan = await sheets.plan_upload(db, Actor.staff(user), sheets.read_workbook(data), 2026)
    reasons = {r.row: str(r.reason) for r in plan.refusals}
    expected = {
        2: "進捗評価「◎」は読めません",
        3: "状態「やってる」は読めません",
        4: "年度「来年」は読めません",
        5: "ID「12a」は数字ではありません",
        6: "ID 999 のプロジェクトは yoriai にありません",
        7: "ID 1 のプロジェクト名は「週末の朝市」です",
        8: "「週末の朝市」という名前のプロジェクトが複数あります",
        9: "「聞いたことのない」というプロジェクトは yoriai にありません",
        10: "コメントだけでは保存できません",
        11: "コメントは500文字までです（501文字あります）",
        13: "同じプロジェクトと年度の行が12行目にもあります",
    }
    assert set(reasons) == set(expected) | {14}, reasons
    assert "ID もプロジェクト名もない行です" in reasons[14]
    for row, text in expected.items():
        assert text in reasons[row], (row, reasons[row])
    assert [(ch.row, ch.mark) for ch in plan.changes] == [(12, ("delayed", "done"))]


async def test_an_upload_never_loses_what_was_not_in_the_file(db: AsyncSession) -> None:
    user = await coordinator_user(db)
    a, b, c = await make_projects(db)
    before = await state(db)
    # Only ID and 進捗評価: no 状態, no コメント column; project c is not in the file at all.
    data = workbook_bytes([[a, "△"], [b, ""]], header=["ID", "進捗評価"])
    plan = await sheets.plan_upload(db, Actor.staff(user), sheets.read_workbook(data), 2026)
    assert plan.columns == ["進捗評価"] and plan.unchanged == 1 and not plan.refusals
    await sheets.apply_plan(db, Actor.staff(user), plan.changes)
    after = await state(db)
    assert after[a] == ("running", "delayed", "月1回開催") and after[b] == before[b] and after[c] == before[c]


async def test_the_citys_progress_table_comes_back_by_project_name(db: AsyncSession) -> None:
    user = await coordinator_user(db)
    _, b, _ = await make_projects(db)
    data = workbook_bytes(
        [[1, "鶴川地区", "", "送迎ボランティア", "", "令和8年度", "○"]],
        header=["通番", "地区", "担当", "プロジェクト", "取組の方向性/概要", "年度", "進捗評価"],
    )
    plan = await sheets.plan_upload(db, Actor.staff(user), sheets.read_workbook(data), 2000)
    assert [(ch.project_id, ch.fiscal_year, ch.mark) for ch in plan.changes] == [(b, 2026, ("", "done"))]


async def test_a_row_changed_in_yoriai_after_the_preview_is_not_overwritten(db: AsyncSession) -> None:
    user = await coordinator_user(db)
    a, b, _ = await make_projects(db)
    data = workbook_bytes(
        [review_row(a, "週末の朝市", mark="△"), review_row(b, "送迎ボランティア", status="実施中")]
    )
    plan = await sheets.plan_upload(db, Actor.staff(user), sheets.read_workbook(data), 2026)
    evaluation = (await db.exec(select(Evaluation).where(Evaluation.project_id == a))).one()
    evaluation.mark = "delayed"
    evaluation.comment = "画面で直した"
    await db.commit()
    result = await sheets.apply_plan(db, Actor.staff(user), plan.changes)
    assert [c.project_id for c in result.stale] == [a] and [c.project_id for c in result.applied] == [b]
    after = await state(db)
    assert after[a] == ("running", "delayed", "画面で直した") and after[b][0] == "running"


def test_years_are_read_as_people_write_them() -> None:
    assert [
        sheets.parse_fiscal_year(t)
        for t in ("2026", "2026年度", "２０２６年度", "FY2026", "令和8年度", "令和元年度", "平成30年度")
    ] == [
        2026,
        2026,
        2026,
        2026,
        2026,
        2019,
        2018,
    ]
    assert [sheets.parse_fiscal_year(t) for t in ("26", "来年", "1999年度", "令和99年度", "")] == [None] * 5


# --- hostile and wrong files -----------------------------------------------------------------------


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def bomb() -> bytes:
    return zip_of({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (30 * 1024 * 1024)})


def billion_laughs() -> bytes:
    good = workbook_bytes([review_row(1, "週末の朝市", mark="○")])
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    evil = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "ha">{entities}]>'
        f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c>'
        "</row></sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = evil.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item, content)
    return out.getvalue()


def far_away_row() -> bytes:
    """One value a million rows down: refused without reading the million empty rows before it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "進捗評価"])
    sheet["A1000000"] = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: b"", "ファイルが空です"),
        (lambda: b"PK" + b"\0" * (2 * 1024 * 1024), "大きすぎます（2 MB まで）"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "古い形式（.xls）"),
        (
            lambda: "ID,進捗評価\r\n1,○\r\n".encode("utf-8-sig"),
            "Excel のファイル（.xlsx）として読めませんでした",
        ),
        (bomb, "中身が大きすぎます"),
        (lambda: zip_of({f"x{i}": b"" for i in range(400)} | {"xl/workbook.xml": b""}), "中身が多すぎます"),
        (lambda: zip_of({"xl/workbook.xml": b"<not a workbook"}), "として読めませんでした"),
        (billion_laughs, "として読めませんでした"),
        (
            lambda: workbook_bytes([[1, "○"]] * (sheets.MAX_ROWS + 1), header=["ID", "進捗評価"]),
            "行が多すぎます（2000行まで）",
        ),
        (far_away_row, "行が多すぎます（2000行まで）"),
        (lambda: workbook_bytes([[1, "x"]], header=["名前", "評価"]), "見出しの行"),
        (lambda: workbook_bytes([[1, "週末の朝市"]], header=["ID", "プロジェクト"]), "読み込める列"),
    ],
)
def test_files_that_cannot_be_understood_are_refused_with_a_reason(make: Any, reason: str) -> None:
    with pytest.raises(UserError) as refused:
        sheets.read_workbook(make())
    assert reason in str(refused.value)


async def test_only_staff_plan_or_apply(db: AsyncSession) -> None:
    with pytest.raises(UserError, match="コーディネーター"):
        await sheets.plan_upload(db, Actor.participant(1), sheets.ReadSheet([], [], ["進捗評価"]), 2026)
    with pytest.raises(UserError, match="コーディネーター"):
        await sheets.apply_plan(db, Actor.participant(1), [])


@pytest.mark.parametrize(
    "changes",
    [
        "",
        "{}",
        "[1]",
        '[{"row": 2}]',
        '[{"row": 2, "project_id": 1, "title": "x", "fiscal_year": 2026, "mark": ["", "perfect"]}]',
        '[{"row": 2, "project_id": "1", "title": "x", "fiscal_year": 2026}]',
    ],
)
def test_a_tampered_confirmation_is_refused(changes: str) -> None:
    with pytest.raises(UserError, match="確認の内容が読めませんでした"):
        sheets.load_changes(json.loads(changes) if changes else None)


# --- over HTTP ----------------------------------------------------------------------------------------


def promote_project(client: TestClient[Litestar], title: str) -> int:
    from tests.conftest import create_open_meeting, join_as, send_note

    meeting_id, code = create_open_meeting(client)
    with join_as(client, code) as c:
        send_note(c, meeting_id, title)
    console = client.get(f"/f/sessions/{meeting_id}").text
    note = re.search(r'<article id="note-(\d+)"', console).group(1)  # type: ignore[union-attr]
    response = post_form(
        client,
        f"/f/sessions/{meeting_id}/promote",
        {
            "note": note,
            "title": title,
            "status": "idea",
            "district_id": "tsurukawa",
            "owner": "鶴川地区協議会",
        },
    )
    assert response.status_code == 303, response.text
    return int(
        re.search(rf'href="/c/projects/(\d+)">{re.escape(title)}<', client.get("/c/projects").text).group(1)
    )  # type: ignore[union-attr]


def upload(client: TestClient[Litestar], data: bytes, year: str = "2026", name: str = "表.xlsx") -> Any:
    token = re.search(
        r'name="_csrf_token" value="([^"]+)"', client.get("/c/review/upload?district=tsurukawa").text
    ).group(1)  # type: ignore[union-attr]
    return client.post(
        "/c/review/upload",
        data={"_csrf_token": token, "district": "tsurukawa", "year": year},
        files={"file": (name, data, sheets_media)},
    )


sheets_media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cells(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_download_edit_upload_preview_confirm_cell_by_cell(coordinator: TestClient[Litestar]) -> None:
    first = promote_project(coordinator, "週末の朝市")
    second = promote_project(coordinator, "=1+1 送迎")  # formula-like title: stays text both ways
    post_form(
        coordinator,
        f"/c/projects/{first}/evaluations",
        {"fiscal_year": "2026", "mark": "done", "comment": "月1回"},
        htmx=True,
    )
    review = coordinator.get("/c/review?district=tsurukawa&year=2026").text
    assert "/c/review/workbook?year=2026&amp;district=tsurukawa" in review and "/c/review/upload?" in review
    download = coordinator.get("/c/review/workbook?district=tsurukawa&year=2026")
    assert (
        download.status_code == 200
        and "review-tsurukawa-2026.xlsx" in download.headers["content-disposition"]
    )
    original = cells(download.content)
    assert original[0] == sheets.REVIEW_COLUMNS
    assert original[1] == [
        first,
        1,
        "鶴川地区",
        "鶴川地区協議会",
        "週末の朝市",
        None,
        "2026年度",
        "構想",
        "○",
        "月1回",
    ]
    assert original[2] == [
        second,
        2,
        "鶴川地区",
        "鶴川地区協議会",
        "=1+1 送迎",
        None,
        "2026年度",
        "構想",
        None,
        None,
    ]
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.worksheets[0]
    assert sheet["E3"].data_type == "s" and sheet.data_validations.dataValidation  # text, drop-downs
    sheet["H2"], sheet["I2"], sheet["J2"] = "実施中", "△", "雨で2回中止"
    sheet["I3"] = "○"
    edited = io.BytesIO()
    book.save(edited)
    preview = upload(coordinator, edited.getvalue())
    assert preview.status_code == 200, preview.text
    assert (
        "変わる行 2 ・ 読み込めない行 0 ・ 変わらない行 0" in preview.text
        and "まだ何も変わっていません" in preview.text
    )
    assert "月1回" in preview.text and "雨で2回中止" in preview.text
    assert (
        cells(coordinator.get("/c/review/workbook?district=tsurukawa&year=2026").content) == original
    )  # nothing yet
    changes = re.search(r'name="changes" value="([^"]*)"', preview.text).group(1)  # type: ignore[union-attr]
    import html

    done = post_form(
        coordinator,
        "/c/review/upload/confirm",
        {"changes": html.unescape(changes), "district": "tsurukawa", "year": "2026"},
    )
    assert done.status_code == 200 and "2行を反映しました" in done.text
    after = cells(coordinator.get("/c/review/workbook?district=tsurukawa&year=2026").content)
    expected = [list(r) for r in original]
    expected[1][7:10] = ["実施中", "△", "雨で2回中止"]
    expected[2][8] = "○"
    assert after == expected  # every other cell as it was
    # The same file again: nothing left to change.
    assert "反映する変更はありません" in upload(coordinator, edited.getvalue()).text


def test_bad_uploads_answer_with_the_reason_and_change_nothing(coordinator: TestClient[Litestar]) -> None:
    promote_project(coordinator, "週末の朝市")
    before = coordinator.get("/c/review/workbook?district=tsurukawa&year=2026").content
    refused = upload(coordinator, b"not a spreadsheet", name="x.csv")
    assert refused.status_code == 422 and "Excel のファイル（.xlsx）として読めませんでした" in refused.text
    too_big = upload(coordinator, b"PK" + b"\0" * (3 * 1024 * 1024))
    assert too_big.status_code == 413 and "大きすぎます" in too_big.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', coordinator.get("/c/review/upload").text).group(
        1
    )  # type: ignore[union-attr]
    no_file = coordinator.post(
        "/c/review/upload", data={"_csrf_token": token, "year": "2026"}, files={"x": ("", b"")}
    )
    assert no_file.status_code == 422 and "ファイルを選んでください" in no_file.text
    tampered = post_form(coordinator, "/c/review/upload/confirm", {"changes": "[{]"})
    assert tampered.status_code == 422 and "確認の内容が読めませんでした" in tampered.text
    assert cells(coordinator.get("/c/review/workbook?district=tsurukawa&year=2026").content) == cells(before)
    assert coordinator.get("/c/review/workbook?district=nowhere").status_code == 422


async def test_the_preview_and_the_public_page_read_in_a_fixed_number_of_queries(db: AsyncSession) -> None:
    from contextlib import contextmanager

    from sqlalchemy import event

    from server.districts import public

    @contextmanager
    def counting() -> Any:
        engine = db.bind.sync_engine  # type: ignore[union-attr]
        seen: list[str] = []

        def count(*_: Any) -> None:
            seen.append("q")

        event.listen(engine, "before_cursor_execute", count)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", count)

    user = await coordinator_user(db)
    await public.set_public(db, Actor.staff(user), "tsurukawa", True)
    district = await public.public_district(db, "tsurukawa")
    counts = []
    for n in (3, 30):
        ids = await make_projects(db, [(f"計画{n}-{i}", "idea", "done", "") for i in range(n)])
        sheet = sheets.ReadSheet(
            [sheets.SheetRow(row=i + 2, project_id=pid, mark="delayed") for i, pid in enumerate(ids)],
            [],
            ["進捗評価"],
        )
        with counting() as plan_queries:
            plan = await sheets.plan_upload(db, Actor.staff(user), sheet, 2026)
        with counting() as page_queries:
            await public.public_projects(db, district)
        assert len(plan.changes) == n
        counts.append((len(plan_queries), len(page_queries)))
    assert counts[0] == counts[1] and min(counts[0]) > 0, counts
