"""The rules of a live board: joining, posting, editing, hiding and deleting notes.

Every function that changes a board writes its event in the same transaction, commits,
and returns a ``BoardChange`` for the live layer to publish. Nothing here knows HTTP.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.events import BoardChange, events_after, record_event
from server.boards.models import (
    AFFILIATIONS,
    NICKNAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    BoardEventType,
    Note,
    NoteKind,
    Participant,
)
from server.errors import Forbidden, NotFound, UserError
from server.meetings.models import Meeting, MeetingStatus
from server.textutil import clean_text
from server.timeutil import utcnow


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: a facilitator (staff account) or a participant of the session."""

    user_id: int | None = None
    participant_id: int | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.user_id is not None


# --- reading ---------------------------------------------------------------------------


def note_state(note: Note) -> dict[str, Any]:
    """What screens need to draw a note (the author's id stays on the server)."""
    return {
        "id": note.id,
        "kind": note.kind,
        "text": note.text,
        "hidden": note.hidden,
        "participant_id": note.participant_id,
        "created_at": note.created_at.isoformat(),
        "edited": note.edited_at is not None,
    }


async def board_counts(db: AsyncSession, meeting_id: int) -> dict[str, int]:
    participants = await db.scalar(
        select(func.count()).select_from(Participant).where(Participant.meeting_id == meeting_id)
    )
    visible = await db.scalar(
        select(func.count())
        .select_from(Note)
        .where(Note.meeting_id == meeting_id, col(Note.hidden).is_(False))
    )
    total = await db.scalar(select(func.count()).select_from(Note).where(Note.meeting_id == meeting_id))
    return {"participants": participants or 0, "notes_visible": visible or 0, "notes_total": total or 0}


async def list_notes(db: AsyncSession, meeting_id: int, *, include_hidden: bool) -> list[Note]:
    query = select(Note).where(Note.meeting_id == meeting_id)
    if not include_hidden:
        query = query.where(col(Note.hidden).is_(False))
    result = await db.exec(query.order_by(col(Note.id)))
    return list(result.all())


@dataclass
class CatchUp:
    """What a client that saw events up to ``after`` is missing, as current state."""

    last_seq: int
    notes: dict[int, dict[str, Any] | None]  # note id -> state, or None when deleted
    counts: dict[str, int]
    status: str


async def catch_up(db: AsyncSession, meeting: Meeting, after: int) -> CatchUp:
    """The current state of everything the events after ``after`` touched."""
    assert meeting.id is not None
    events = await events_after(db, meeting.id, after)
    touched = {e.note_id for e in events if e.note_id is not None}
    notes: dict[int, dict[str, Any] | None] = dict.fromkeys(touched)
    if touched:
        result = await db.exec(select(Note).where(col(Note.id).in_(touched)).order_by(col(Note.id)))
        for note in result.all():
            assert note.id is not None
            notes[note.id] = note_state(note)
    last_seq = events[-1].seq if events else max(after, 0)
    return CatchUp(last_seq, notes, await board_counts(db, meeting.id), meeting.status)


async def get_participant(db: AsyncSession, meeting_id: int, token: str | None) -> Participant | None:
    if not token:
        return None
    result = await db.exec(
        select(Participant).where(Participant.token == token, Participant.meeting_id == meeting_id)
    )
    return result.first()


# --- changing ----------------------------------------------------------------------------


async def commit_change(
    db: AsyncSession,
    meeting_id: int,
    type: str,
    note: Note | None = None,
    note_id: int | None = None,
    participant_id: int | None = None,
) -> BoardChange:
    """Record the event, commit, and describe the change for the live layer."""
    event = await record_event(
        db, meeting_id, type, note_id=note.id if note else note_id, participant_id=participant_id
    )
    counts = await board_counts(db, meeting_id)
    await db.commit()
    return BoardChange(
        meeting_id=meeting_id,
        seq=event.seq,
        type=type,
        note=note_state(note) if note else None,
        note_id=note.id if note else note_id,
        counts=counts,
    )


def _require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.DRAFT:
        raise UserError("この会はまだ始まっていません。始まるまでお待ちください。", 409)
    if meeting.status == MeetingStatus.CLOSED:
        raise UserError("この会は終了しました。付箋はもう貼れません。", 409)


def clean_note_text(text: str) -> str:
    text = clean_text(text)
    if not text:
        raise UserError("付箋が空です。ひとことでも書いてください。")
    if len(text) > NOTE_MAX_LENGTH:
        raise UserError(f"付箋は{NOTE_MAX_LENGTH}文字までです（いま{len(text)}文字）。")
    return text


def clean_note_kind(kind: str) -> str:
    if kind not in set(NoteKind):
        raise UserError("付箋の種類（困りごと・やりたい・できる・アイデア）を選んでください。")
    return kind


async def join_meeting(
    db: AsyncSession, meeting: Meeting, *, nickname: str = "", affiliation: str = ""
) -> tuple[Participant, BoardChange]:
    """A new anonymous participant. Nickname and affiliation are optional."""
    _require_open(meeting)
    nickname = clean_text(nickname, single_line=True)
    if len(nickname) > NICKNAME_MAX_LENGTH:
        raise UserError(f"ニックネームは{NICKNAME_MAX_LENGTH}文字までです。")
    if affiliation and affiliation not in AFFILIATIONS:
        raise UserError("所属は一覧から選んでください（選ばなくても参加できます）。")
    assert meeting.id is not None
    participant = Participant(
        meeting_id=meeting.id, token=secrets.token_urlsafe(32), nickname=nickname, affiliation=affiliation
    )
    db.add(participant)
    await db.flush()
    change = await commit_change(
        db, meeting.id, BoardEventType.PARTICIPANT_JOINED, participant_id=participant.id
    )
    return participant, change


async def post_note(
    db: AsyncSession, meeting: Meeting, participant: Participant | None, *, kind: str, text: str
) -> BoardChange:
    _require_open(meeting)
    assert meeting.id is not None
    note = Note(
        meeting_id=meeting.id,
        participant_id=participant.id if participant else None,
        kind=clean_note_kind(kind),
        text=clean_note_text(text),
    )
    db.add(note)
    await db.flush()
    return await commit_change(db, meeting.id, BoardEventType.NOTE_POSTED, note)


async def _get_note(db: AsyncSession, meeting: Meeting, note_id: int) -> Note:
    note = await db.get(Note, note_id)
    if note is None or note.meeting_id != meeting.id:
        raise NotFound("この付箋は見つかりませんでした（削除されたかもしれません）。")
    return note


def _require_author_or_facilitator(note: Note, actor: Actor) -> None:
    if actor.is_facilitator:
        return
    if actor.participant_id is None or note.participant_id != actor.participant_id:
        raise Forbidden("自分の付箋だけを直したり消したりできます。")


async def edit_note(
    db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor, *, kind: str, text: str
) -> BoardChange:
    note = await _get_note(db, meeting, note_id)
    _require_author_or_facilitator(note, actor)
    if not actor.is_facilitator:
        _require_open(meeting)
    note.kind = clean_note_kind(kind)
    note.text = clean_note_text(text)
    note.edited_at = utcnow()
    return await commit_change(db, note.meeting_id, BoardEventType.NOTE_EDITED, note)


async def set_note_hidden(
    db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor, *, hidden: bool
) -> BoardChange:
    """Hide (非表示) or show a note. Only facilitators moderate."""
    if not actor.is_facilitator:
        raise Forbidden("付箋を非表示にできるのはファシリテーターだけです。")
    note = await _get_note(db, meeting, note_id)
    note.hidden = hidden
    type = BoardEventType.NOTE_HIDDEN if hidden else BoardEventType.NOTE_SHOWN
    return await commit_change(db, note.meeting_id, type, note)


async def delete_note(db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor) -> BoardChange:
    """A participant withdraws their own note: it is removed, not just hidden."""
    note = await _get_note(db, meeting, note_id)
    if note.participant_id is None or note.participant_id != actor.participant_id:
        raise Forbidden("自分の付箋だけを消せます。")
    await db.delete(note)
    await db.flush()
    return await commit_change(db, meeting.id or 0, BoardEventType.NOTE_DELETED, note_id=note_id)


async def visible_note(db: AsyncSession, meeting: Meeting, note_id: int) -> Note:
    """A note as a participant may see it: hidden notes do not exist for them."""
    note = await _get_note(db, meeting, note_id)
    if note.hidden:
        raise NotFound("この付箋は見つかりませんでした。")
    return note


async def any_note(db: AsyncSession, meeting: Meeting, note_id: int) -> Note:
    """A note as a facilitator sees it, hidden or not."""
    return await _get_note(db, meeting, note_id)
