"""The yearly review through Excel and back: download the workbook, upload it edited, see every
change row by row, confirm. The rules are in ``server/projects/sheets.py``."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromQuery
from litestar.response import Template

from server.accounts.models import User
from server.accounts.roles import COORDINATOR
from server.errors import UserError
from server.i18n import N_
from server.meetings import service as meetings
from server.projects import service as projects
from server.projects import sheets
from server.projects.models import MARK_SYMBOLS, PROJECT_STATUS_LABELS
from server.reports.fiscal import current_fiscal_year
from server.reports.fiscal import fiscal_year_label as official_year_label
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor, CurrentUser
from server.web.responses import page, status_of
from server.web.templating import fiscal_year_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The file and the form around it; a larger body is refused by Litestar before it is read.
UPLOAD_BODY_MAX = sheets.MAX_FILE_BYTES + 64 * 1024
# The confirmation carries the changes back (at most MAX_ROWS rows of 500-character comments).
CONFIRM_BODY_MAX = 8 * 1024 * 1024


def _year(raw: str | None) -> int:
    if not raw:
        return current_fiscal_year()
    year = sheets.parse_fiscal_year(raw)
    if year is None:
        raise UserError(N_("年度が正しくありません。"))
    return year


async def _district(db: DB, raw: str) -> str:
    if raw and raw not in {d.id for d in await meetings.districts(db)}:
        raise UserError(N_("地区を一覧から選んでください。"))
    return raw


@get("/review/workbook")
async def review_workbook(
    db: DB, district: FromQuery[str] = "", year: FromQuery[str] = ""
) -> Response[bytes]:
    """The review table to edit in Excel: every project of the district (all without one)."""
    fiscal_year, district = _year(year), await _district(db, district)
    items = await projects.list_projects(db, projects.ProjectFilters(district_id=district))
    ids = [p.id or 0 for p in items]
    districts = await projects.districts_of(db, ids)
    evaluations = await projects.evaluations_in(db, ids, fiscal_year)
    names = {d.id: d.name for d in await meetings.districts(db)}
    lines = [
        sheets.ReviewLine(
            p, [names.get(d, d) for d in districts.get(p.id or 0, [])], evaluations.get(p.id or 0)
        )
        for p in items
    ]
    content = sheets.review_workbook(lines, fiscal_year, official_year_label(fiscal_year))
    filename = f"review-{district or 'all'}-{fiscal_year}.xlsx"
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


def _upload_page(
    district: str, year: int, error: Any = "", status_code: int = 200, user: User | None = None
) -> Template:
    return page(
        "projects/upload.html",
        status_code=status_code,
        user=user,
        district=district,
        year=year,
        label=fiscal_year_label(year),
        error=error,
        max_rows=sheets.MAX_ROWS,
    )


@get("/review/upload")
async def upload_form(
    db: DB, user: CurrentUser, district: FromQuery[str] = "", year: FromQuery[str] = ""
) -> Template:
    return _upload_page(await _district(db, district), _year(year), user=user)


@post("/review/upload", status_code=200, request_max_body_size=UPLOAD_BODY_MAX)
async def upload_preview(
    request: Request[Any, Any, Any], db: DB, user: CurrentUser, actor: CurrentActor
) -> Template:
    """Read the file and show what it would change; nothing is written here."""
    form = await request.form()
    district = str(form.get("district", ""))
    district = district if district in {d.id for d in await meetings.districts(db)} else ""
    year = _year(str(form.get("year", "")))
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UserError(N_("ファイルを選んでください。"))
        data = await upload.read(sheets.MAX_FILE_BYTES + 1)
        plan = await sheets.plan_upload(db, actor, sheets.read_workbook(data), year)
    except UserError as exc:
        return _upload_page(district, year, exc.message, status_of(exc), user=user)
    return page(
        "projects/upload_preview.html",
        user=user,
        plan=plan,
        district=district,
        year=year,
        label=fiscal_year_label(year),
        filename=upload.filename[:120],
        changes_json=json.dumps(sheets.dump_changes(plan.changes), ensure_ascii=False),
        statuses=PROJECT_STATUS_LABELS,
        symbols=MARK_SYMBOLS,
        fiscal_year_label=fiscal_year_label,
    )


@post("/review/upload/confirm", status_code=200, request_max_body_size=CONFIRM_BODY_MAX)
async def upload_confirm(
    request: Request[Any, Any, Any], db: DB, user: CurrentUser, actor: CurrentActor
) -> Template:
    """Apply what the preview showed, and say what was applied and what had moved meanwhile."""
    form = await request.form()
    district = str(form.get("district", ""))
    district = district if district in {d.id for d in await meetings.districts(db)} else ""
    year = _year(str(form.get("year", "")))
    try:
        raw = json.loads(str(form.get("changes", "")))
    except ValueError:
        raw = None
    result = await sheets.apply_plan(db, actor, sheets.load_changes(raw))
    return page(
        "projects/upload_done.html",
        user=user,
        result=result,
        district=district,
        year=year,
        statuses=PROJECT_STATUS_LABELS,
        symbols=MARK_SYMBOLS,
        fiscal_year_label=fiscal_year_label,
    )


router = Router(
    include_in_schema=False,
    path="/c",
    guards=[requires_role(COORDINATOR)],
    route_handlers=[review_workbook, upload_form, upload_preview, upload_confirm],
)
