"""The rules of a live board's notes: joining, posting, editing, hiding and deleting.

Every function that changes a board writes its events in the same transaction, commits,
and returns a ``BoardChange`` for the live layer to publish. Nothing here knows HTTP.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Sequence

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff  # Actor re-exported: boards.Actor
from server.boards.copies import boards_showing, copies_of, withdraw_hidden_note, withdraw_removed_notes
from server.boards.events import BoardChange, commit_change
from server.boards.models import (
    AFFILIATIONS,
    NICKNAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    BoardEventType,
    Note,
    NoteKind,
    Participant,
    Table,
)
from server.boards.state import (  # re-exported: the routes read a board through this module
    BoardView,
    board_counts,
    board_view,
    catch_up,
    get_participant,
    list_notes,
    note_state,
    participants_per_table,
)
from server.errors import ErrorKind, Forbidden, NotFound, UserError
from server.i18n import N_
from server.meetings.models import Meeting, MeetingStatus
from server.projects.models import Project
from server.textutil import clean_text
from server.timeutil import utcnow

__all__ = [
    "Actor",
    "BoardView",
    "board_counts",
    "board_view",
    "catch_up",
    "get_participant",
    "list_notes",
    "note_state",
]

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.DRAFT:
        raise UserError(N_("この会はまだ始まっていません。始まるまで待ってください。"), ErrorKind.CONFLICT)
    if meeting.status == MeetingStatus.CLOSED:
        raise UserError(N_("この会はおわりました。付箋はもう書けません。"), ErrorKind.CONFLICT)


def clean_note_text(text: str) -> str:
    text = clean_text(text)
    if not text:
        raise UserError(N_("付箋が空です。ひとことでも書いてください。"))
    if len(text) > NOTE_MAX_LENGTH:
        raise UserError(
            N_("付箋は%(max)s文字までです（いま%(now)s文字）。", max=NOTE_MAX_LENGTH, now=len(text))
        )
    return text


def clean_note_kind(kind: str) -> str:
    if kind not in set(NoteKind):
        raise UserError(N_("付箋の種類（困りごと・やりたい・できる・アイデア）を選んでください。"))
    return kind


async def join_meeting(
    db: AsyncSession,
    meeting: Meeting,
    *,
    nickname: str = "",
    affiliation: str = "",
    table: Table | None = None,
) -> tuple[Participant, BoardChange]:
    """A new anonymous participant. Nickname and affiliation are optional; ``table``: the table
    (島) they sit at (from its card, or chosen on the join page)."""
    require_open(meeting)
    if table is not None and table.meeting_id != meeting.id:
        raise NotFound(N_("その島は見つかりませんでした。"))
    nickname = clean_text(nickname, single_line=True)
    if len(nickname) > NICKNAME_MAX_LENGTH:
        raise UserError(N_("ニックネームは%(max)s文字までです。", max=NICKNAME_MAX_LENGTH))
    if affiliation and affiliation not in AFFILIATIONS:
        raise UserError(N_("所属は一覧から選んでください（選ばなくても参加できます）。"))
    assert meeting.id is not None
    participant = Participant(
        meeting_id=meeting.id,
        token=secrets.token_urlsafe(32),
        nickname=nickname,
        affiliation=affiliation,
        table_id=table.id if table else None,
    )
    db.add(participant)
    await db.flush()
    # The tables' counts are read only when someone sits at one (one statement more).
    seated = await participants_per_table(db, meeting.id) if table is not None else {}
    change = await commit_change(
        db, meeting.id, BoardEventType.PARTICIPANT_JOINED, participant_id=participant.id
    )
    change.table_counts = seated
    return participant, change


async def _note_by_client_id(db: AsyncSession, participant: Participant, client_id: str) -> Note | None:
    result = await db.exec(
        select(Note).where(Note.participant_id == participant.id, Note.client_id == client_id)
    )
    return result.first()


async def post_note(
    db: AsyncSession,
    meeting: Meeting,
    participant: Participant | None,
    *,
    kind: str,
    text: str,
    client_id: str = "",
) -> BoardChange | Note:
    """Post a note. A phone's resend (same ``client_id``) returns the note already stored
    instead of a change: it is stored exactly once however often it is sent."""
    assert meeting.id is not None
    try:
        require_open(meeting)
        if not meeting.posting_allowed:
            raise UserError(N_("いまは投票の時間です。付箋は投票のあとで書けます。"), ErrorKind.CONFLICT)
        note = Note(
            meeting_id=meeting.id,
            participant_id=participant.id if participant else None,
            # A note stays with the table (島) it was written at.
            table_id=participant.table_id if participant else None,
            client_id=client_id if CLIENT_ID.match(client_id) else None,
            kind=clean_note_kind(kind),
            text=clean_note_text(text),
            # Screened mode: stored, shown to the console and its author only until let through.
            hidden=meeting.screened,
            waiting=meeting.screened,
        )
    except UserError:
        # A resend of a note stored before the board closed is still answered with that note.
        if client_id and participant and (existing := await _note_by_client_id(db, participant, client_id)):
            return existing
        raise
    if not await _insert_note(db, note):  # a resend: stored already
        existing = await _note_by_client_id(db, participant, client_id) if participant else None
        if existing is None:  # pragma: no cover - the conflict is on (participant, client_id)
            raise UserError(N_("付箋を保存できませんでした。もう一度送ってください。"), ErrorKind.CONFLICT)
        return existing
    return await commit_change(
        db, meeting.id, BoardEventType.NOTE_POSTED, note_ids=[note.id or 0], new_notes=[note]
    )


#: ``_insert_note``'s statement per database, built once: the note's values are its parameters.
_INSERT_NOTE = {
    name: insert(Note.__table__)  # type: ignore[attr-defined]
    .on_conflict_do_nothing(index_elements=["participant_id", "client_id"])
    .returning(Note.__table__.c.id)  # type: ignore[attr-defined]
    for name, insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}


async def _insert_note(db: AsyncSession, note: Note) -> bool:
    """Insert a new note in one statement; False when its ``client_id`` is stored already.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (SQLite and PostgreSQL alike) instead of a
    look-up, a savepoint, the insert and its release: each is one more trip to the database
    on the way of every note to the screens (docs/benchmarks.md). The note stays outside the
    session: its state is what was just written."""
    statement = _INSERT_NOTE[db.get_bind().dialect.name]
    new_id = (await db.exec(statement, params=note.model_dump(exclude={"id"}))).scalar_one_or_none()
    if new_id is None:
        return False
    note.id = int(new_id)
    return True


async def post_note_for_someone(
    db: AsyncSession, meeting: Meeting, actor: Actor, *, kind: str, text: str, table_id: int | None = None
) -> BoardChange:
    """Staff type a paper note in for someone without a phone (代理入力), at a table (島) when
    the session has tables."""
    require_staff(actor)
    require_open(meeting)
    assert meeting.id is not None
    if table_id is not None:
        table = await db.get(Table, table_id)
        if table is None or table.meeting_id != meeting.id:
            raise NotFound(N_("その島は見つかりませんでした。"))
    elif meeting.table_count:
        raise UserError(N_("どの島の付箋か選んでください。"))
    note = Note(
        meeting_id=meeting.id,
        entered_by_staff=True,
        table_id=table_id,
        kind=clean_note_kind(kind),
        text=clean_note_text(text),
        hidden=meeting.screened,  # screened mode: a paper note waits to be let through too
        waiting=meeting.screened,
    )
    db.add(note)
    await db.flush()
    return await commit_change(
        db, meeting.id, BoardEventType.NOTE_POSTED, note_ids=[note.id or 0], new_notes=[note]
    )


async def get_note(db: AsyncSession, meeting: Meeting, note_id: int) -> Note:
    """A note as a facilitator sees it, hidden or not."""
    note = await db.get(Note, note_id)
    if note is None or note.meeting_id != meeting.id:
        raise NotFound(N_("この付箋は見つかりませんでした（削除されたかもしれません）。"))
    return note


async def visible_note(
    db: AsyncSession, meeting: Meeting, note_id: int, participant_id: int | None = None
) -> Note:
    """A note as a participant may see it: hidden notes do not exist for them, except their own
    notes waiting to be let through (screened mode), which they see 「確認中」."""
    note = await get_note(db, meeting, note_id)
    own_waiting = note.waiting and participant_id is not None and note.participant_id == participant_id
    if note.hidden and not own_waiting:
        raise NotFound(N_("この付箋は見つかりませんでした。"))
    return note


async def own_note(db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor) -> Note:
    """A visible (or waiting) note of this participant's, to edit."""
    note = await visible_note(db, meeting, note_id, actor.participant_id)
    if note.participant_id is None or note.participant_id != actor.participant_id:
        raise Forbidden(N_("自分の付箋だけを直せます。"))
    return note


def _require_author_or_facilitator(note: Note, actor: Actor) -> None:
    if actor.is_staff:
        return
    if actor.participant_id is None or note.participant_id != actor.participant_id:
        raise Forbidden(N_("自分の付箋だけを直したり消したりできます。"))


async def edit_note(
    db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor, *, kind: str, text: str
) -> BoardChange:
    note = await get_note(db, meeting, note_id)
    _require_author_or_facilitator(note, actor)
    if not actor.is_staff:
        require_open(meeting)
        # A hidden note's text is the facilitator's to handle, not its author's (a waiting one is
        # still its author's).
        if note.hidden and not note.waiting:
            raise UserError(
                N_("この付箋は非表示になっているので、直せません（消すことはできます）。"), ErrorKind.CONFLICT
            )
    note.kind = clean_note_kind(kind)
    note.text = clean_note_text(text)
    note.edited_at = utcnow()
    if not actor.is_staff and meeting.screened:
        # Screened mode: new words wait to be let through as a new note does, or a note let
        # through could be rewritten into what the facilitator would not have shown.
        note.hidden = note.waiting = True
    return await commit_change(db, note.meeting_id, BoardEventType.NOTE_EDITED, note_ids=[note_id])


async def set_note_hidden(
    db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor, *, hidden: bool
) -> BoardChange:
    """Hide (非表示) or show a note. Only facilitators moderate. Hiding withdraws the note's
    text from the projects it was copied into (``hide_note``); this returns this board's change."""
    if hidden:
        return (await hide_note(db, meeting, note_id, actor))[0]
    return await show_note(db, meeting, note_id, actor)


def _require_moderator(actor: Actor) -> None:
    require_staff(actor, N_("付箋を非表示にできるのはファシリテーターだけです。"))


async def projects_holding(db: AsyncSession, meeting: Meeting, note_id: int) -> list[Project]:
    """The projects that still hold the text of this note, not hidden yet: what the console asks
    about before hiding it (withdraw it from each, or keep it there)."""
    note = await get_note(db, meeting, note_id)
    return [] if note.hidden else [c.project for c in await copies_of(db, note)]


async def hide_note(
    db: AsyncSession,
    meeting: Meeting,
    note_id: int,
    actor: Actor,
    *,
    withdraw_from: Collection[int] | None = None,
    host_table: int | None = None,
) -> list[BoardChange]:
    """Hide a note. Hidden text never leaves the console, so in the same transaction its text is
    withdrawn from every project that copied it (or only from those in ``withdraw_from``: the
    facilitator chose to keep it in the others). The first change is this board's (the note and
    the projects on it); one more follows for each other board showing a changed project.
    ``host_table``: a participant who hosts that table (テーブルホスト, checked by the caller,
    ``tables.hide_as_host``) may hide that table's notes, and only those."""
    if host_table is None or actor.is_staff:
        _require_moderator(actor)
    note = await get_note(db, meeting, note_id)
    if not actor.is_staff and note.table_id != host_table:
        raise Forbidden(N_("ホストが非表示にできるのは、自分の島の付箋だけです。"))
    changed: list[int] = []
    note.waiting = False  # a waiting note hidden (非表示) is not let through: it stays hidden
    if not note.hidden:
        note.hidden = True
        withdrawn = await withdraw_hidden_note(db, note, author_id=actor.user_id, withdraw_from=withdraw_from)
        changed = [p.id or 0 for p in withdrawn]
    elsewhere = await boards_showing(db, changed)
    here = elsewhere.pop(note.meeting_id, [])
    changes = [
        await commit_change(
            db, note.meeting_id, BoardEventType.NOTE_HIDDEN, note_ids=[note_id], project_ids=here
        )
    ]
    for other_id, project_ids in elsewhere.items():
        changes.append(
            await commit_change(db, other_id, BoardEventType.PROJECT_EDITED, project_ids=project_ids)
        )
    return changes


#: How many notes one action on a selection may take: a whole crowded board, not a flood.
SELECTION_MAX = 500


async def selected_notes(db: AsyncSession, meeting: Meeting, note_ids: Sequence[int]) -> list[Note]:
    """The notes a facilitator selected on the console for one action on them all, in the order
    given: at least one, every one of this session and visible. Anything else refuses the whole
    selection, so nothing changes (a note hidden or deleted meanwhile by another screen, a note
    of another session, an empty selection)."""
    ids = list(dict.fromkeys(note_ids))
    if not ids:
        raise UserError(N_("付箋が選ばれていません。付箋の□をタップ（クリック）して選んでください。"))
    if len(ids) > SELECTION_MAX:
        raise UserError(N_("一度に選べる付箋は%(max)s枚までです。", max=SELECTION_MAX))
    found = (await db.exec(select(Note).where(col(Note.id).in_(ids), Note.meeting_id == meeting.id))).all()
    if len(found) != len(ids):
        raise NotFound(
            N_(
                "選んだ付箋のなかに、この会にない付箋があります（削除されたかもしれません）。何も変えていません。"
            )
        )
    if any(note.hidden for note in found):
        raise UserError(
            N_("選んだ付箋のなかに非表示の付箋があります。非表示の付箋は選べません。何も変えていません。"),
            ErrorKind.CONFLICT,
        )
    by_id = {note.id: note for note in found}
    return [by_id[note_id] for note_id in ids]


async def hide_notes(
    db: AsyncSession, meeting: Meeting, note_ids: Sequence[int], actor: Actor
) -> list[BoardChange]:
    """Hide every selected note at once (まとめて非表示): one event per note, all in one change
    with their sequence numbers, in one transaction. Their text is withdrawn from every project
    that copied it, as a hide without the console's question does: hidden text never leaves the
    console. The first change is this board's; one more follows for each other board showing a
    changed project."""
    _require_moderator(actor)
    notes = await selected_notes(db, meeting, note_ids)
    withdrawn: dict[int, Project] = {}
    for note in notes:
        note.hidden = True
        for project in await withdraw_hidden_note(db, note, author_id=actor.user_id):
            withdrawn[project.id or 0] = project
    elsewhere = await boards_showing(db, list(withdrawn))
    meeting_id = meeting.id or 0
    here = elsewhere.pop(meeting_id, [])
    changes = [
        await commit_change(
            db,
            meeting_id,
            BoardEventType.NOTE_HIDDEN,
            note_ids=[note.id or 0 for note in notes],
            project_ids=here,
        )
    ]
    for other_id, project_ids in elsewhere.items():
        changes.append(
            await commit_change(db, other_id, BoardEventType.PROJECT_EDITED, project_ids=project_ids)
        )
    return changes


async def show_note(db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor) -> BoardChange:
    """Show a hidden note again. Text withdrawn from a project stays withdrawn: a coordinator
    edits the project if it should come back."""
    _require_moderator(actor)
    note = await get_note(db, meeting, note_id)
    note.hidden = note.waiting = False  # showing a waiting note lets it through
    return await commit_change(db, note.meeting_id, BoardEventType.NOTE_SHOWN, note_ids=[note_id])


async def delete_note(db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor) -> list[BoardChange]:
    """A participant withdraws their own note: it is removed, not just hidden, and its text
    leaves the projects that copied it (see ``remove_notes``)."""
    note = await get_note(db, meeting, note_id)
    if note.participant_id is None or note.participant_id != actor.participant_id:
        raise Forbidden(N_("自分の付箋だけを消せます。"))
    return await remove_notes(db, meeting.id or 0, [note])


async def remove_notes(db: AsyncSession, meeting_id: int, notes: list[Note]) -> list[BoardChange]:
    """Remove notes for good (their author's wish, or an erasure): their text leaves the projects
    that copied it too. The first change is this board's; one follows for each other board
    showing a changed project."""
    withdrawn = await withdraw_removed_notes(db, notes)
    for note in notes:
        await db.delete(note)
    await db.flush()
    elsewhere = await boards_showing(db, [p.id or 0 for p in withdrawn])
    here = elsewhere.pop(meeting_id, [])
    note_ids = [n.id or 0 for n in notes]
    changes = [
        await commit_change(db, meeting_id, BoardEventType.NOTE_DELETED, note_ids=note_ids, project_ids=here)
    ]
    for other_id, project_ids in elsewhere.items():
        changes.append(
            await commit_change(db, other_id, BoardEventType.PROJECT_EDITED, project_ids=project_ids)
        )
    return changes
