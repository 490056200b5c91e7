"""District vision pages: each goal with the projects that serve it; coordinators edit."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromPath
from litestar.response import Template

from server.accounts.roles import COORDINATOR
from server.accounts.service import list_users
from server.errors import UserError
from server.i18n import Text
from server.meetings import service as meetings
from server.projects.models import MARK_SYMBOLS, PROJECT_STATUS_LABELS
from server.textutil import is_id
from server.visions import service as visions
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor
from server.web.responses import page, see_other, status_of


@get("/visions")
async def vision_index(db: DB) -> Template:
    return page(
        "visions/index.html", districts=[d for d in await meetings.districts(db) if not d.is_city_wide]
    )


async def _vision_page(db: DB, district_id: str, error: Text = "", status_code: int = 200) -> Template:
    district = await visions.get_district(db, district_id)
    vision = await visions.vision_of(db, district_id)
    return page(
        "visions/detail.html",
        status_code=status_code,
        district=district,
        vision=vision,
        error=error,
        goals=await visions.goal_views(db, vision),
        revisions=await visions.revisions_of(db, vision),
        statuses=PROJECT_STATUS_LABELS,
        symbols=MARK_SYMBOLS,
        editors={u.id: u.display_name or u.email for u in await list_users(db)},
    )


@get("/visions/{district_id:str}")
async def vision_detail(db: DB, district_id: FromPath[str]) -> Template:
    return await _vision_page(db, district_id)


@post("/visions/{district_id:str}/picture")
async def edit_picture(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, district_id: FromPath[str]
) -> Any:
    form = await request.form()
    await visions.get_district(db, district_id)
    try:
        await visions.edit_picture(
            db, await visions.vision_of(db, district_id), actor, str(form.get("future_picture", ""))
        )
    except UserError as exc:
        return await _vision_page(db, district_id, exc.message, status_of(exc))
    return see_other(f"/c/visions/{district_id}")


@post("/visions/{district_id:str}/goals")
async def save_goal(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, district_id: FromPath[str]
) -> Any:
    form = await request.form()
    await visions.get_district(db, district_id)
    raw_id = str(form.get("goal_id", ""))
    try:
        await visions.save_goal(
            db,
            await visions.vision_of(db, district_id),
            actor,
            title=str(form.get("title", "")),
            description=str(form.get("description", "")),
            goal_id=int(raw_id) if is_id(raw_id) else None,
        )
    except UserError as exc:
        return await _vision_page(db, district_id, exc.message, status_of(exc))
    return see_other(f"/c/visions/{district_id}")


router = Router(
    include_in_schema=False,
    path="/c",
    guards=[requires_role(COORDINATOR)],
    route_handlers=[vision_index, vision_detail, edit_picture, save_goal],
)
