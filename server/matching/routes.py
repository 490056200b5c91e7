"""Matching on screen: the console's panel during the meeting (/f) and the coordinators' page per district
afterwards (/c/matching). Thin: the rules are in service.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from server.accounts.actor import Actor
from server.accounts.roles import COORDINATOR, FACILITATOR
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.matching import service as matching
from server.matching.models import MatchStatus
from server.meetings import service as meetings
from server.meetings.models import Meeting
from server.suggest.themes import THEME_NAMES_SHOWN
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor, CurrentMeeting, CurrentUser
from server.web.responses import is_htmx, page, see_other

#: The coordinators' page proposes pairs for this many of the district's latest sessions.
SESSIONS_WITH_PROPOSALS = 10


def _int(raw: Any) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise UserError(N_("付箋の指定が正しくありません。")) from None


async def _decide(
    request: Request[Any, Any, Any], db: DB, actor: Actor, meeting: Meeting, *, console: bool = False
) -> Template | Redirect:
    form = await request.form()
    status = str(form.get("status", ""))
    await matching.decide(
        db,
        meeting,
        actor,
        offer_id=_int(form.get("offer_id", "")),
        concern_id=_int(form.get("concern_id", "")),
        status=status,
        agreed=str(form.get("agreed", "")),
    )
    if not is_htmx(request):
        back = str(form.get("back", ""))
        return see_other(back if back.startswith("/c/matching") else f"/f/sessions/{meeting.id}")
    if not console:
        return page("matching/_decided.html", confirmed=status == MatchStatus.CONFIRMED)
    # The console's panel also lists the session's matches: it is sent again out of band, so a pair just
    # confirmed (or dismissed after all) shows there at once.
    return page(
        "matching/_decided.html",
        confirmed=status == MatchStatus.CONFIRMED,
        session_matches=await matching.confirmed_matches(db, [meeting]),
        can_promote=True,
    )


# --- on the console, during the meeting ---------------------------------------------------------


@get("/sessions/{meeting_id:int}/matches")
async def console_panel(db: DB, meeting: CurrentMeeting) -> Template:
    """Proposed pairs of the session's visible notes, and the matches confirmed so far."""
    return page(
        "matching/_panel.html",
        meeting=meeting,
        proposals=await matching.proposals(db, meeting),
        confirmed=await matching.confirmed_matches(db, [meeting]),
        themes=THEME_NAMES_SHOWN,
        back="",
        can_promote=True,
    )


@post("/sessions/{meeting_id:int}/matches", status_code=200)
async def console_decide(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meeting: CurrentMeeting
) -> Template | Redirect:
    return await _decide(request, db, actor, meeting, console=True)


# --- the coordinators' page, after the meeting ------------------------------------------------------


@get("/matching")
async def coordinator_page(db: DB, user: CurrentUser, district: FromQuery[str] = "") -> Template:
    """A district's matches across sessions and years, and what is still proposed in its latest sessions."""
    districts = await meetings.districts(db)
    if district and district not in {d.id for d in districts}:
        raise UserError(N_("地区が正しくありません。"), ErrorKind.NOT_FOUND)
    sessions = await matching.district_meetings(db, district) if district else []
    proposed = []
    for meeting in sessions[:SESSIONS_WITH_PROPOSALS]:
        found = await matching.proposals(db, meeting)
        if found:
            proposed.append((meeting, found))
    return page(
        "matching/coordinator.html",
        user=user,
        district=district,
        districts=districts,
        confirmed=await matching.confirmed_matches(db, sessions),
        proposed=proposed,
        themes=THEME_NAMES_SHOWN,
        back=f"/c/matching?district={district}",
        can_promote=user.has_role(FACILITATOR),
    )


@post("/matching/{meeting_id:int}", status_code=200)
async def coordinator_decide(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meeting: CurrentMeeting
) -> Template | Redirect:
    return await _decide(request, db, actor, meeting)


facilitator_router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[console_panel, console_decide],
)
coordinator_router = Router(
    include_in_schema=False,
    path="/c",
    guards=[requires_role(COORDINATOR)],
    route_handlers=[coordinator_page, coordinator_decide],
)
