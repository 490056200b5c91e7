"""The facilitator's controls during a meeting: phases and timer, grouping, voting, staff entry.

Each control posts with htmx and expects no swap (204): the change comes back to every
screen, this one included, over the board's websocket.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from server.accounts.models import User
from server.boards import clusters, voting
from server.boards import service as boards
from server.boards.events import BoardChange
from server.boards.live import publish
from server.boards.state import list_clusters, list_notes
from server.errors import ErrorKind, UserError
from server.i18n import N_, Text
from server.meetings import flow
from server.meetings import service as meetings
from server.meetings.models import Meeting
from server.projects import service as projects
from server.projects.models import PROJECT_STATUS_LABELS
from server.suggest.similarity import Board, suggest_groups
from server.suggest.themes import THEME_NAMES_SHOWN
from server.visions.service import all_goals
from server.web.auth import current_user, requires_role
from server.web.deps import DB, Channels
from server.web.responses import page, see_other, status_of
from server.web.roles import require_role

Action = Callable[[Meeting, boards.Actor], Awaitable[BoardChange]]


async def _staff(request: Request[Any, Any, Any], db: DB) -> User:
    return require_role(await current_user(request, db), "facilitator")


async def _apply(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: int, action: Action
) -> Response[None]:
    """Run one control on the session and publish what it changed."""
    user = await _staff(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    publish(channels, await action(meeting, boards.Actor(user_id=user.id)))
    return Response(content=None, status_code=204)


def _int_or_none(raw: str) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        raise UserError(N_("グループの指定が正しくありません。")) from None


# --- phases and timer ---------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/phase/{direction:str}", status_code=204)
async def change_phase(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    direction: FromPath[str],
) -> Response[None]:
    step = {"next": 1, "back": -1}.get(direction)
    if step is None:
        raise UserError(N_("進め方の指定が正しくありません。"))
    return await _apply(
        request, db, channels, meeting_id, lambda m, _: flow.go_to_phase(db, m, m.phase_index + step)
    )


TIMER_ACTIONS = {
    "start": flow.start_timer,
    "pause": flow.pause_timer,
    "extend": flow.extend_timer,
    "reset": flow.reset_timer,
}


@post("/sessions/{meeting_id:int}/timer/{action:str}", status_code=204)
async def timer(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    action: FromPath[str],
) -> Response[None]:
    run = TIMER_ACTIONS.get(action)
    if run is None:
        raise UserError(N_("タイマーの操作が正しくありません。"))
    return await _apply(request, db, channels, meeting_id, lambda m, _: run(db, m))


# --- grouping ------------------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/clusters", status_code=204)
async def create_cluster(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: FromPath[int]
) -> Response[None]:
    form = await request.form()
    name = str(form.get("name", ""))
    try:
        note_ids = [int(n) for n in form.getall("note_id")] if "note_id" in form else []
    except ValueError:
        raise UserError(N_("付箋の指定が正しくありません。")) from None
    return await _apply(
        request,
        db,
        channels,
        meeting_id,
        lambda m, actor: clusters.create_cluster(db, m, actor, name=name, note_ids=note_ids),
    )


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/move", status_code=204)
async def move_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    note_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    cluster_id = _int_or_none(data.get("cluster_id", ""))
    return await _apply(
        request,
        db,
        channels,
        meeting_id,
        lambda m, actor: clusters.move_note(db, m, note_id, actor, cluster_id=cluster_id),
    )


@get("/sessions/{meeting_id:int}/notes/{note_id:int}/move")
async def move_form(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], note_id: FromPath[int]
) -> Template:
    """Moving a note with the keyboard (or a screen reader): the same move as drag and drop."""
    await _staff(request, db)
    groups = await list_clusters(db, meeting_id)
    return page("meetings/_note_move.html", note_id=note_id, meeting_id=meeting_id, clusters=groups)


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/split", status_code=204)
async def split_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    note_id: FromPath[int],
) -> Response[None]:
    return await _apply(
        request, db, channels, meeting_id, lambda m, actor: clusters.split_off(db, m, note_id, actor)
    )


@get("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/rename")
async def rename_form(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], cluster_id: FromPath[int]
) -> Template:
    await _staff(request, db)
    cluster = await clusters.get_cluster(db, await meetings.get_meeting(db, meeting_id), cluster_id)
    return page("meetings/_cluster_rename.html", cluster=cluster, meeting_id=meeting_id)


@post("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/rename", status_code=204)
async def rename_cluster(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    cluster_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    name = data.get("name", "")
    return await _apply(
        request,
        db,
        channels,
        meeting_id,
        lambda m, actor: clusters.rename_cluster(db, m, cluster_id, actor, name=name),
    )


@get("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/merge")
async def merge_form(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], cluster_id: FromPath[int]
) -> Template:
    await _staff(request, db)
    others = [c for c in await list_clusters(db, meeting_id) if c.id != cluster_id]
    return page("meetings/_cluster_merge.html", cluster_id=cluster_id, meeting_id=meeting_id, others=others)


@post("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/merge", status_code=204)
async def merge_cluster(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    cluster_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    into = _int_or_none(data.get("into", ""))
    if into is None:
        raise UserError(N_("統合先のグループを選んでください。"))
    return await _apply(
        request,
        db,
        channels,
        meeting_id,
        lambda m, actor: clusters.merge_clusters(db, m, cluster_id, into, actor),
    )


@post("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/delete", status_code=204)
async def delete_cluster(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    cluster_id: FromPath[int],
) -> Response[None]:
    return await _apply(
        request, db, channels, meeting_id, lambda m, actor: clusters.delete_cluster(db, m, cluster_id, actor)
    )


#: Suggestions a facilitator dismissed, per session: the note ids of each, so that asking again does not
#: offer the same group. Kept in the application's state in this process only (a restart or another worker
#: forgets them, and the group is simply offered again), and bounded.
_DISMISSED_SESSIONS = 200
_DISMISSED_PER_SESSION = 100
#: 「似ている付箋」 lists notes at least this similar (the scale of Board.similarity: 0 unrelated, 1 same).
SIMILAR_MIN = 0.3
SIMILAR_COUNT = 3


def _note_ids(form: Any) -> list[int]:
    try:
        return [int(n) for n in form.getall("note_id")] if "note_id" in form else []
    except ValueError:
        raise UserError(N_("付箋の指定が正しくありません。")) from None


def _dismissed(request: Request[Any, Any, Any]) -> OrderedDict[int, list[frozenset[int]]]:
    state = request.app.state
    if "dismissed_suggestions" not in state:
        state["dismissed_suggestions"] = OrderedDict()
    dismissed: OrderedDict[int, list[frozenset[int]]] = state["dismissed_suggestions"]
    return dismissed


@get("/sessions/{meeting_id:int}/suggestions")
async def suggestions(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    """Proposed groups among the visible notes not yet in a cluster (computed here, offline), less the
    ones dismissed."""
    await _staff(request, db)
    notes = [n for n in await list_notes(db, meeting_id, include_hidden=False) if n.cluster_id is None]
    dismissed = _dismissed(request).get(meeting_id, [])
    groups = [
        g
        for g in suggest_groups([(n.id or 0, n.text) for n in notes])
        if not any(set(g.note_ids) <= gone for gone in dismissed)
    ]
    return page(
        "meetings/_suggestions.html",
        groups=groups,
        texts={n.id: n.text for n in notes},
        themes=THEME_NAMES_SHOWN,
        meeting_id=meeting_id,
    )


@post("/sessions/{meeting_id:int}/suggestions/accept", status_code=200)
async def accept_suggestion(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: FromPath[int]
) -> Template:
    """A suggested group becomes a cluster, under the name the facilitator left or wrote in."""
    user = await _staff(request, db)
    form = await request.form()
    name, note_ids = str(form.get("name", "")), _note_ids(form)
    meeting = await meetings.get_meeting(db, meeting_id)
    publish(
        channels,
        await clusters.create_cluster(
            db, meeting, boards.Actor(user_id=user.id), name=name, note_ids=note_ids
        ),
    )
    return page("meetings/_suggestion_done.html", accepted=True, name=name.strip(), count=len(note_ids))


@post("/sessions/{meeting_id:int}/suggestions/dismiss", status_code=200)
async def dismiss_suggestion(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    """Not this group: it is not offered again for this session (its notes may still group otherwise)."""
    await _staff(request, db)
    await meetings.get_meeting(db, meeting_id)
    note_ids = frozenset(_note_ids(await request.form()))
    if len(note_ids) >= 2:
        dismissed = _dismissed(request)
        gone = dismissed.setdefault(meeting_id, [])
        dismissed.move_to_end(meeting_id)
        gone.append(note_ids)
        del gone[:-_DISMISSED_PER_SESSION]
        while len(dismissed) > _DISMISSED_SESSIONS:
            dismissed.popitem(last=False)
    return page("meetings/_suggestion_done.html", accepted=False, name="", count=len(note_ids))


@get("/sessions/{meeting_id:int}/notes/{note_id:int}/similar")
async def similar_notes_of(
    request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int], note_id: FromPath[int]
) -> Template:
    """「似ている付箋」: the visible notes nearest to one note, each with why."""
    await _staff(request, db)
    notes = await list_notes(db, meeting_id, include_hidden=False)
    index = next((i for i, n in enumerate(notes) if n.id == note_id), None)
    if index is None:
        raise UserError(N_("付箋が見つかりませんでした。"), ErrorKind.NOT_FOUND)
    board = Board([n.text for n in notes])
    nearest = [
        (notes[j], board.shared(index, j), board.common_theme(index, j))
        for j in board.nearest(index, SIMILAR_COUNT)
        if board.similarity[index, j] >= SIMILAR_MIN
    ]
    return page("meetings/_similar_notes.html", note_id=note_id, nearest=nearest, themes=THEME_NAMES_SHOWN)


# --- voting ----------------------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/voting", status_code=204)
async def voting_settings(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    settings = voting.clean_settings(data)
    return await _apply(
        request, db, channels, meeting_id, lambda m, actor: voting.configure(db, m, actor, settings)
    )


VOTING_ACTIONS: dict[str, Callable[[DB, Meeting, boards.Actor], Awaitable[BoardChange]]] = {
    "open": lambda db, m, a: voting.set_open(db, m, a, open=True),
    "close": lambda db, m, a: voting.set_open(db, m, a, open=False),
    "reveal": lambda db, m, a: voting.reveal(db, m, a, revealed=True),
    "hide-results": lambda db, m, a: voting.reveal(db, m, a, revealed=False),
    "clear": voting.clear_votes,
}


@post("/sessions/{meeting_id:int}/voting/{action:str}", status_code=204)
async def voting_action(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    action: FromPath[str],
) -> Response[None]:
    run = VOTING_ACTIONS.get(action)
    if run is None:
        raise UserError(N_("投票の操作が正しくありません。"))
    return await _apply(request, db, channels, meeting_id, lambda m, actor: run(db, m, actor))


@get("/sessions/{meeting_id:int}/ranking")
async def ranking(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    await _staff(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    return page("meetings/_ranking.html", ranking=await voting.ranking(db, meeting))


# --- staff entry (代理入力) ---------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/notes", status_code=200)
async def staff_note(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    user = await _staff(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    kind, text = data.get("kind", ""), data.get("text", "")
    try:
        change = await boards.post_note_for_someone(
            db, meeting, boards.Actor(user_id=user.id), kind=kind, text=text
        )
    except UserError as exc:
        return page(
            "boards/_proxy_form.html",
            status_code=status_of(exc),
            meeting=meeting,
            kind=kind,
            text=text[:1000],
            error=exc.message,
        )
    publish(channels, change)
    return page("boards/_proxy_form.html", meeting=meeting, kind=kind, sent=True)


# --- promotion to projects (プロジェクト化) -------------------------------------------------------


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
        goals=await all_goals(db),
        statuses=PROJECT_STATUS_LABELS,
    )


def _source(query: Any) -> dict[str, int]:
    """What is promoted: ?note=ID, ?cluster=ID or ?match=ID (a confirmed match: its two notes)."""
    for key in ("note", "cluster", "match"):
        raw = str(query.get(key, ""))
        if raw.isdigit():
            return {key: int(raw)}
    raise UserError(N_("プロジェクトにする付箋かグループを選んでください。"))


@get("/sessions/{meeting_id:int}/promote")
async def promote_form(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Template:
    await _staff(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    source = _source(request.query_params)
    notes, title = await projects.promotable_notes(
        db,
        meeting,
        note_id=source.get("note"),
        cluster_id=source.get("cluster"),
        match_id=source.get("match"),
    )
    form = {
        "title": title,
        "description": "\n".join(f"- {n.text}" for n in notes),
        "status": "idea",
        "district_id": [] if meeting.district_id == "city" else [meeting.district_id],
        "goal_id": [],
        "owner": "",
    }
    return await _promote_page(db, meeting, form, source)


@post("/sessions/{meeting_id:int}/promote")
async def promote(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: FromPath[int]
) -> Any:
    user = await _staff(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    raw = await request.form()
    form = {k: raw.getall(k) if k in ("district_id", "goal_id") else raw.get(k) for k in raw}
    source = _source(raw)
    try:
        data = await projects.clean_project_input(db, form)
        _, change = await projects.promote(
            db,
            meeting,
            user,
            data,
            note_id=source.get("note"),
            cluster_id=source.get("cluster"),
            match_id=source.get("match"),
        )
    except UserError as exc:
        return await _promote_page(db, meeting, form, source, exc.message, status_of(exc))
    publish(channels, change)
    return see_other(f"/f/sessions/{meeting_id}#projects")


@post("/sessions/{meeting_id:int}/bring-projects", status_code=204)
async def bring_projects(
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting_id: FromPath[int]
) -> Response[None]:
    """Next year's roundtable: the district's open projects come onto the board for review."""
    user = await _staff(request, db)
    meeting = await meetings.get_meeting(db, meeting_id)
    change = await projects.bring_open_projects(db, meeting, user)
    if change is None:
        raise UserError(
            N_("ボードに出せる、この地区の進行中のプロジェクトはありません。"), ErrorKind.CONFLICT
        )
    publish(channels, change)
    return Response(content=None, status_code=204)


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role("facilitator")],
    route_handlers=[
        change_phase,
        timer,
        create_cluster,
        move_note,
        split_note,
        rename_form,
        rename_cluster,
        merge_form,
        move_form,
        merge_cluster,
        delete_cluster,
        suggestions,
        accept_suggestion,
        dismiss_suggestion,
        similar_notes_of,
        voting_settings,
        voting_action,
        ranking,
        staff_note,
        promote_form,
        promote,
        bring_projects,
    ],
)
