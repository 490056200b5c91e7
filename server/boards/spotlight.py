"""The spotlight (スポットライト): the one note or group being discussed, big on the projector and
marked on every phone, until the facilitator goes back to the wall.

Only visible notes are ever in it: a hidden note cannot be put there, and one hidden while there
leaves it on every screen at once (templates/boards/_live.html deletes its copy too).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.events import BoardChange, commit_change
from server.boards.models import BoardEventType, Cluster, Note, Table
from server.errors import NotFound
from server.i18n import N_
from server.meetings.models import Meeting


@dataclass
class Spotlight:
    """What the screens show big: one note, or a group's name and its visible notes."""

    notes: list[Note]
    cluster: Cluster | None = None
    #: A table (島) presenting (発表): its visible notes, grouped or not.
    table: Table | None = None


async def set_spotlight(
    db: AsyncSession,
    meeting: Meeting,
    actor: Actor,
    *,
    note_id: int | None = None,
    cluster_id: int | None = None,
    table_id: int | None = None,
) -> BoardChange:
    """Put one visible note, one group, or one table (島, while it presents) in the spotlight;
    none: back to the wall."""
    require_staff(actor)
    if note_id is not None:
        note = await db.get(Note, note_id)
        if note is None or note.meeting_id != meeting.id or note.hidden:
            raise NotFound(N_("付箋が見つかりませんでした。"))
    if cluster_id is not None:
        cluster = await db.get(Cluster, cluster_id)
        if cluster is None or cluster.meeting_id != meeting.id:
            raise NotFound(N_("グループが見つかりませんでした。"))
    if table_id is not None:
        table = await db.get(Table, table_id)
        if table is None or table.meeting_id != meeting.id:
            raise NotFound(N_("その島は見つかりませんでした。"))
    meeting.spotlight_note_id = note_id
    meeting.spotlight_cluster_id = None if note_id is not None else cluster_id
    meeting.spotlight_table_id = None if note_id is not None or cluster_id is not None else table_id
    db.add(meeting)
    return await commit_change(db, meeting.id or 0, BoardEventType.SPOTLIGHT_CHANGED)


async def spotlight_of(
    db: AsyncSession, meeting: Meeting, *, at_table: bool = False, table_id: int | None = None
) -> Spotlight | None:
    """What is in the spotlight now, visible notes only; None when nothing (or nothing left) is.
    ``at_table``: only the notes of ``table_id`` (a phone during table work sees no other table's)."""
    if meeting.spotlight_note_id is not None:
        note = await db.get(Note, meeting.spotlight_note_id)
        if note is None or note.meeting_id != meeting.id or note.hidden:
            return None
        if at_table and note.table_id != table_id:
            return None
        return Spotlight([note])
    if meeting.spotlight_cluster_id is not None:
        cluster = await db.get(Cluster, meeting.spotlight_cluster_id)
        if cluster is None or cluster.meeting_id != meeting.id:
            return None
        notes = await db.exec(
            select(Note)
            .where(Note.cluster_id == cluster.id, col(Note.hidden).is_(False))
            .order_by(col(Note.id))
        )
        shown = [n for n in notes.all() if not at_table or n.table_id == table_id]
        return Spotlight(shown, cluster)
    if meeting.spotlight_table_id is not None:
        table = await db.get(Table, meeting.spotlight_table_id)
        if table is None or table.meeting_id != meeting.id or (at_table and table.id != table_id):
            return None
        notes = await db.exec(
            select(Note).where(Note.table_id == table.id, col(Note.hidden).is_(False)).order_by(col(Note.id))
        )
        return Spotlight(list(notes.all()), table=table)
    return None
