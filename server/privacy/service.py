"""Privacy: a participant's own data, an admin erasing it, and retention of old sessions' notes.

What is kept when notes go: the sessions, the projects (with the origin text copied when they
were promoted), and the counts (attendance, members, votes per project origin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards.events import BoardChange
from server.boards.models import Note, Participant, Vote
from server.boards.service import remove_notes
from server.errors import NotFound, UserError
from server.i18n import N_
from server.meetings.models import Meeting, MeetingStatus
from server.projects.contacts import forget_participant
from server.projects.models import ProjectMember
from server.timeutil import utcnow


async def forget_nickname(db: AsyncSession, participant: Participant) -> None:
    """A participant removes their nickname and affiliation (参加者自身による削除)."""
    participant.nickname, participant.affiliation = "", ""
    await db.commit()


async def participants_with_note_counts(db: AsyncSession, meeting: Meeting) -> list[tuple[Participant, int]]:
    """A session's participants in the order they joined, each with how many notes they wrote
    (what an admin sees before erasing one's data; no names)."""
    people = (
        await db.exec(
            select(Participant).where(Participant.meeting_id == meeting.id).order_by(col(Participant.id))
        )
    ).all()
    counts: dict[int | None, int] = dict(
        (
            await db.exec(
                select(Note.participant_id, func.count())
                .where(Note.meeting_id == meeting.id)
                .group_by(col(Note.participant_id))
            )
        ).all()
    )
    return [(p, counts.get(p.id, 0)) for p in people]


async def erase_participant(
    db: AsyncSession, actor: Actor, meeting: Meeting, participant_id: int
) -> list[BoardChange]:
    """An admin erases one participant's data from a session: their notes and votes go (with
    what projects copied from the notes), and the contacts they left for projects; their nickname
    and affiliation are cleared; they still count as one attendee."""
    participant = await db.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        raise NotFound(N_("この参加者は見つかりませんでした。"))
    notes = list((await db.exec(select(Note).where(Note.participant_id == participant_id))).all())
    await db.exec(delete(Vote).where(col(Vote.participant_id) == participant_id))
    for member in (
        await db.exec(select(ProjectMember).where(ProjectMember.participant_id == participant_id))
    ).all():
        member.affiliation = ""
    participant.nickname, participant.affiliation = "", ""
    await forget_participant(db, participant_id)  # the contacts they left for projects
    return await remove_notes(db, meeting.id or 0, notes)


@dataclass
class RetentionResult:
    sessions: int
    notes: int


async def retire_old_notes(
    db: AsyncSession, *, months: int, remove: bool, now: datetime | None = None
) -> RetentionResult:
    """Notes of sessions closed more than ``months`` ago: anonymised (no link to who wrote them,
    no nicknames) or removed. Sessions, projects and counts stay."""
    if months < 1:
        raise UserError(N_("保存期間は1か月以上にしてください。"))
    cutoff = (now or utcnow()) - timedelta(days=30 * months)
    query = select(Meeting).where(
        Meeting.status == MeetingStatus.CLOSED,
        col(Meeting.closed_at).is_not(None),
        col(Meeting.closed_at) < cutoff,
    )
    sessions = list((await db.exec(query)).all())
    touched = 0
    for meeting in sessions:
        notes = list((await db.exec(select(Note).where(Note.meeting_id == meeting.id))).all())
        for note in notes:
            if remove:
                await db.delete(note)
            else:
                note.participant_id, note.client_id = None, None
        people = (await db.exec(select(Participant).where(Participant.meeting_id == meeting.id))).all()
        for person in people:
            person.nickname, person.affiliation = "", ""
        meeting.notes_retired_at = utcnow()
        touched += len(notes)
    await db.commit()
    return RetentionResult(len(sessions), touched)
