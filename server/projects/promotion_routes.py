"""Promotion to projects (プロジェクト化) from the console: the form, the promotion itself, and
bringing the district's open projects onto a roundtable's board for review. Facilitators only."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.response import Template

from server.accounts.roles import FACILITATOR
from server.boards.live import publish
from server.errors import ErrorKind, UserError
from server.i18n import N_, Text
from server.meetings import service as meetings
from server.meetings.models import Meeting
from server.projects import service as projects
from server.projects.models import PROJECT_STATUS_LABELS
from server.visions.service import all_goals
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting
from server.web.responses import page, see_other, status_of


async def _promote_page(
    db: DB,
    meeting: Meeting,
    form: dict[str, Any],
    source: dict[str, int],
    error: Text = "",
    status_code: int = 200,
) -> Template:
    return page(
        "projects/promote.html",
        status_code=status_code,
        meeting=meeting,
        form=form,
        source=source,
        error=error,
        districts=await meetings.districts(db),
        goals=await all_goals(db, meeting.district_id),
        statuses=PROJECT_STATUS_LABELS,
    )


def _source(query: Any) -> dict[str, int]:
    """What is promoted: ?note=ID, ?cluster=ID or ?match=ID (a confirmed match: its two notes)."""
    for key in ("note", "cluster", "match"):
        raw = str(query.get(key, ""))
        if raw.isdigit():
            return {key: int(raw)}
    raise UserError(N_("プロジェクトにする付箋かグループを選んでください。"))


def _ids(source: dict[str, int]) -> dict[str, int | None]:
    return {
        "note_id": source.get("note"),
        "cluster_id": source.get("cluster"),
        "match_id": source.get("match"),
    }


@get("/sessions/{meeting_id:int}/promote")
async def promote_form(request: Request[Any, Any, Any], db: DB, meeting: CurrentMeeting) -> Template:
    source = _source(request.query_params)
    form = await projects.promotion_defaults(db, meeting, **_ids(source))
    return await _promote_page(db, meeting, form, source)


@post("/sessions/{meeting_id:int}/promote")
async def promote(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor
) -> Any:
    raw = await request.form()
    form = {k: raw.getall(k) if k in ("district_id", "goal_id") else raw.get(k) for k in raw}
    source = _source(raw)
    try:
        data = await projects.clean_project_input(db, form)
        _, change = await projects.promote(db, meeting, actor, data, **_ids(source))
    except UserError as exc:
        return await _promote_page(db, meeting, form, source, exc.message, status_of(exc))
    publish(channels, change)
    return see_other(f"/f/sessions/{meeting.id}#projects")


@post("/sessions/{meeting_id:int}/bring-projects", status_code=204)
async def bring_projects(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor
) -> Response[None]:
    """Next year's roundtable: the district's open projects come onto the board for review."""
    change = await projects.bring_open_projects(db, meeting, actor)
    if change is None:
        raise UserError(
            N_("ボードに出せる、この地区の進行中のプロジェクトはありません。"), ErrorKind.CONFLICT
        )
    publish(channels, change)
    return Response(content=None, status_code=204)


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[promote_form, promote, bring_projects],
)
