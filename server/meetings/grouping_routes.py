"""The facilitator's grouping controls on the console: clusters (create, move a note, split off,
rename, merge, delete), the suggested groups, and 「似ている付箋」.

Each control posts with htmx and expects no swap (204): the change comes back to every screen,
this one included, over the board's websocket. Facilitators only (the router's guard).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from server.accounts.roles import FACILITATOR
from server.boards import clusters
from server.boards.events import BoardChange
from server.boards.live import publish
from server.boards.state import list_clusters, list_notes
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.suggest.similarity import Board, suggest_groups
from server.suggest.themes import THEME_NAMES_SHOWN
from server.web.auth import requires_role
from server.web.deps import DB, Channels, CurrentActor, CurrentMeeting
from server.web.responses import page


def published(channels: Channels, change: BoardChange) -> Response[None]:
    """Publish what a control changed; the answer swaps nothing (the change comes by websocket)."""
    publish(channels, change)
    return Response(content=None, status_code=204)


def _int_or_none(raw: str) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        raise UserError(N_("グループの指定が正しくありません。")) from None


def _note_ids(form: Any) -> list[int]:
    try:
        return [int(n) for n in form.getall("note_id")] if "note_id" in form else []
    except ValueError:
        raise UserError(N_("付箋の指定が正しくありません。")) from None


# --- clusters --------------------------------------------------------------------------------


@post("/sessions/{meeting_id:int}/clusters", status_code=204)
async def create_cluster(
    request: Request[Any, Any, Any],
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
) -> Response[None]:
    form = await request.form()
    name, note_ids = str(form.get("name", "")), _note_ids(form)
    return published(
        channels, await clusters.create_cluster(db, meeting, actor, name=name, note_ids=note_ids)
    )


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/move", status_code=204)
async def move_note(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    note_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    cluster_id = _int_or_none(data.get("cluster_id", ""))
    return published(channels, await clusters.move_note(db, meeting, note_id, actor, cluster_id=cluster_id))


@get("/sessions/{meeting_id:int}/notes/{note_id:int}/move")
async def move_form(db: DB, meeting_id: FromPath[int], note_id: FromPath[int]) -> Template:
    """Moving a note with the keyboard (or a screen reader): the same move as drag and drop."""
    groups = await list_clusters(db, meeting_id)
    return page("meetings/_note_move.html", note_id=note_id, meeting_id=meeting_id, clusters=groups)


@post("/sessions/{meeting_id:int}/notes/{note_id:int}/split", status_code=204)
async def split_note(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, note_id: FromPath[int]
) -> Response[None]:
    return published(channels, await clusters.split_off(db, meeting, note_id, actor))


@get("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/rename")
async def rename_form(db: DB, meeting: CurrentMeeting, cluster_id: FromPath[int]) -> Template:
    cluster = await clusters.get_cluster(db, meeting, cluster_id)
    return page("meetings/_cluster_rename.html", cluster=cluster, meeting_id=meeting.id)


@post("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/rename", status_code=204)
async def rename_cluster(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    cluster_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    name = data.get("name", "")
    return published(channels, await clusters.rename_cluster(db, meeting, cluster_id, actor, name=name))


@get("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/merge")
async def merge_form(db: DB, meeting_id: FromPath[int], cluster_id: FromPath[int]) -> Template:
    others = [c for c in await list_clusters(db, meeting_id) if c.id != cluster_id]
    return page("meetings/_cluster_merge.html", cluster_id=cluster_id, meeting_id=meeting_id, others=others)


@post("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/merge", status_code=204)
async def merge_cluster(
    db: DB,
    channels: Channels,
    meeting: CurrentMeeting,
    actor: CurrentActor,
    cluster_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response[None]:
    into = _int_or_none(data.get("into", ""))
    if into is None:
        raise UserError(N_("統合先のグループを選んでください。"))
    return published(channels, await clusters.merge_clusters(db, meeting, cluster_id, into, actor))


@post("/sessions/{meeting_id:int}/clusters/{cluster_id:int}/delete", status_code=204)
async def delete_cluster(
    db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor, cluster_id: FromPath[int]
) -> Response[None]:
    return published(channels, await clusters.delete_cluster(db, meeting, cluster_id, actor))


# --- suggested groups and similar notes ------------------------------------------------------

#: Suggestions a facilitator dismissed, per session: the note ids of each, so that asking again does not
#: offer the same group. Kept in the application's state in this process only (a restart or another worker
#: forgets them, and the group is simply offered again), and bounded.
_DISMISSED_SESSIONS = 200
_DISMISSED_PER_SESSION = 100
#: 「似ている付箋」 lists notes at least this similar (the scale of Board.similarity: 0 unrelated, 1 same).
SIMILAR_MIN = 0.3
SIMILAR_COUNT = 3


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
    request: Request[Any, Any, Any], db: DB, channels: Channels, meeting: CurrentMeeting, actor: CurrentActor
) -> Template:
    """A suggested group becomes a cluster, under the name the facilitator left or wrote in."""
    form = await request.form()
    name, note_ids = str(form.get("name", "")), _note_ids(form)
    publish(channels, await clusters.create_cluster(db, meeting, actor, name=name, note_ids=note_ids))
    return page("meetings/_suggestion_done.html", accepted=True, name=name.strip(), count=len(note_ids))


@post("/sessions/{meeting_id:int}/suggestions/dismiss", status_code=200)
async def dismiss_suggestion(request: Request[Any, Any, Any], meeting: CurrentMeeting) -> Template:
    """Not this group: it is not offered again for this session (its notes may still group otherwise)."""
    meeting_id = meeting.id or 0
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
async def similar_notes_of(db: DB, meeting_id: FromPath[int], note_id: FromPath[int]) -> Template:
    """「似ている付箋」: the visible notes nearest to one note, each with why."""
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


router = Router(
    include_in_schema=False,
    path="/f",
    guards=[requires_role(FACILITATOR)],
    route_handlers=[
        create_cluster,
        move_note,
        move_form,
        split_note,
        rename_form,
        rename_cluster,
        merge_form,
        merge_cluster,
        delete_cluster,
        suggestions,
        accept_suggestion,
        dismiss_suggestion,
        similar_notes_of,
    ],
)
