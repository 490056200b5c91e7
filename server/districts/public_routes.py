"""Public district pages (/d/{district}) and the coordinator's switch and printable QR notice.
Rules in ``server/districts/public.py``."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup

from server.accounts.roles import COORDINATOR
from server.districts import public
from server.districts.models import District
from server.errors import UserError
from server.meetings.qr import qr_svg
from server.projects import contacts
from server.projects.contact_routes import public_origin, withdraw_link
from server.projects.models import MARK_SYMBOLS, PROJECT_STATUS_LABELS, Project
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor
from server.web.ratelimit import client_address, limits
from server.web.responses import page, see_other, status_of


def _page_url(request: Request[Any, Any, Any], district_id: str) -> str:
    return f"{public_origin(request)}/d/{district_id}"


def _inline_qr(url: str) -> Markup:
    """The QR as inline SVG (drawn here from our own URL: nothing typed reaches it), sized by CSS."""
    svg = qr_svg(url).decode()
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'width="[^"]*" height="[^"]*"', 'class="qr" role="img" aria-hidden="true"', svg, count=1)
    return Markup(svg)


@get("/d/{district_id:str}")
async def district_page(db: DB, district_id: FromPath[str]) -> Template:
    """What a resident sees from the notice board's QR: read-only, nothing personal."""
    district = await public.public_district(db, district_id)
    return page(
        "districts/public.html",
        district=district,
        items=await public.public_projects(db, district),
        statuses=PROJECT_STATUS_LABELS,
        symbols=MARK_SYMBOLS,
    )


def _join_page(
    district: District,
    project: Project,
    *,
    form: dict[str, str] | None = None,
    error: Any = "",
    link: str = "",
    status_code: int = 200,
) -> Template:
    return page(
        "districts/public_join.html",
        status_code=status_code,
        district=district,
        project=project,
        form=form or {},
        error=error,
        link=link,
        keep_months=contacts.KEEP_MONTHS,
    )


@get("/d/{district_id:str}/join/{project_id:int}")
async def join_form(db: DB, district_id: FromPath[str], project_id: FromPath[int]) -> Template:
    district = await public.public_district(db, district_id)
    return _join_page(district, await public.public_project(db, district, project_id))


@post("/d/{district_id:str}/join/{project_id:int}", status_code=200)
async def join(
    request: Request[Any, Any, Any], db: DB, district_id: FromPath[str], project_id: FromPath[int]
) -> Template:
    district = await public.public_district(db, district_id)
    project = await public.public_project(db, district, project_id)
    form = await request.form()
    typed = {"name": str(form.get("name", "")), "reach": str(form.get("reach", ""))}
    try:
        data = contacts.clean_contact(typed["name"], typed["reach"], str(form.get("consent", "")))
        # Counted only once the form is right: typing mistakes do not use up the allowance.
        await limits(request).public_signups.take(client_address(request))
        _, token = await public.sign_up(db, district, project_id, data)
    except UserError as exc:
        return _join_page(district, project, form=typed, error=exc.message, status_code=status_of(exc))
    return _join_page(district, project, link=withdraw_link(request, token))


# --- the coordinator's side ---------------------------------------------------------------------


@get("/districts/{district_id:str}/public")
async def settings(request: Request[Any, Any, Any], db: DB, district_id: FromPath[str]) -> Template:
    district = await public.district(db, district_id)
    url = _page_url(request, district.id)
    return page(
        "districts/public_settings.html",
        district=district,
        url=url,
        qr=_inline_qr(url),
    )


@post("/districts/{district_id:str}/public")
async def switch(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, district_id: FromPath[str]
) -> Redirect:
    form = await request.form()
    await public.set_public(db, actor, district_id, str(form.get("public", "")) == "yes")
    return see_other(f"/c/districts/{district_id}/public")


@get("/districts/{district_id:str}/notice")
async def notice(request: Request[Any, Any, Any], db: DB, district_id: FromPath[str]) -> Template:
    """A page to print for a community centre's notice board: the district, a large QR, the address."""
    district = await public.district(db, district_id)
    url = _page_url(request, district.id)
    return page("districts/notice.html", district=district, url=url, qr=_inline_qr(url))


public_handlers = [district_page, join_form, join]
coordinator_router = Router(
    include_in_schema=False,
    path="/c",
    guards=[requires_role(COORDINATOR)],
    route_handlers=[settings, switch, notice],
)
