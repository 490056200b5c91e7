"""Grouping (グループ化): clusters of notes that the facilitator makes, names, merges and splits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.events import BoardChange, commit_change
from server.boards.models import CLUSTER_NAME_MAX_LENGTH, BoardEventType, Cluster, Note
from server.boards.service import get_note, selected_notes
from server.errors import NotFound, UserError
from server.i18n import N_
from server.meetings.models import Meeting
from server.textutil import clean_text


def default_cluster_name() -> str:
    """A group's name is data, stored once: in the language of the facilitator who made it."""
    return str(N_("新しいグループ"))


def clean_cluster_name(name: str) -> str:
    name = clean_text(name, single_line=True)
    if len(name) > CLUSTER_NAME_MAX_LENGTH:
        raise UserError(N_("グループ名は%(max)s文字までです。", max=CLUSTER_NAME_MAX_LENGTH))
    return name


async def get_cluster(db: AsyncSession, meeting: Meeting, cluster_id: int) -> Cluster:
    cluster = await db.get(Cluster, cluster_id)
    if cluster is None or cluster.meeting_id != meeting.id:
        raise NotFound(N_("このグループは見つかりませんでした（統合されたかもしれません）。"))
    return cluster


async def _notes(db: AsyncSession, meeting: Meeting, note_ids: Sequence[int]) -> list[Note]:
    notes = list(
        (await db.exec(select(Note).where(col(Note.id).in_(note_ids), Note.meeting_id == meeting.id))).all()
    )
    if len(notes) != len(set(note_ids)):
        raise NotFound(N_("見つからない付箋があります（削除されたかもしれません）。"))
    return notes


async def create_cluster(
    db: AsyncSession, meeting: Meeting, actor: Actor, *, name: str, note_ids: Sequence[int] = ()
) -> BoardChange:
    """A new cluster, possibly with notes in it already (e.g. an accepted suggestion)."""
    require_staff(actor)
    return await _new_cluster(db, meeting, name, await _notes(db, meeting, note_ids))


async def _new_cluster(db: AsyncSession, meeting: Meeting, name: str, notes: list[Note]) -> BoardChange:
    cluster = Cluster(meeting_id=meeting.id or 0, name=clean_cluster_name(name) or default_cluster_name())
    db.add(cluster)
    await db.flush()
    for note in notes:
        note.cluster_id = cluster.id
    return await commit_change(
        db,
        meeting.id or 0,
        BoardEventType.CLUSTER_CREATED,
        cluster_ids=[cluster.id or 0],
        note_ids=[n.id or 0 for n in notes],
    )


async def rename_cluster(
    db: AsyncSession, meeting: Meeting, cluster_id: int, actor: Actor, *, name: str
) -> BoardChange:
    require_staff(actor)
    cluster = await get_cluster(db, meeting, cluster_id)
    name = clean_cluster_name(name)
    if not name:
        raise UserError(N_("グループ名を入れてください。"))
    cluster.name = name
    return await commit_change(db, meeting.id or 0, BoardEventType.CLUSTER_RENAMED, cluster_ids=[cluster_id])


async def move_note(
    db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor, *, cluster_id: int | None
) -> BoardChange:
    """Put a note into a cluster, or back among the ungrouped notes (None)."""
    require_staff(actor)
    note = await get_note(db, meeting, note_id)
    if cluster_id is not None:
        await get_cluster(db, meeting, cluster_id)
    note.cluster_id = cluster_id
    return await commit_change(db, meeting.id or 0, BoardEventType.NOTE_MOVED, note_ids=[note_id])


async def move_notes(
    db: AsyncSession, meeting: Meeting, note_ids: Sequence[int], actor: Actor, *, cluster_id: int | None
) -> BoardChange:
    """Put every selected note into a cluster, or back among the ungrouped notes (None), at once:
    one event per note, in one change and one transaction."""
    require_staff(actor)
    notes = await selected_notes(db, meeting, note_ids)
    if cluster_id is not None:
        await get_cluster(db, meeting, cluster_id)
    for note in notes:
        note.cluster_id = cluster_id
    return await commit_change(
        db, meeting.id or 0, BoardEventType.NOTE_MOVED, note_ids=[n.id or 0 for n in notes]
    )


async def group_notes(
    db: AsyncSession, meeting: Meeting, note_ids: Sequence[int], actor: Actor, *, name: str = ""
) -> BoardChange:
    """A new cluster made of the selected notes (named, or 「新しいグループ」)."""
    require_staff(actor)
    name = clean_cluster_name(name)
    return await _new_cluster(db, meeting, name, await selected_notes(db, meeting, note_ids))


async def split_off(db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor) -> BoardChange:
    """Split a cluster: this note starts a new cluster of its own, named after the old one."""
    note = await get_note(db, meeting, note_id)
    old = await get_cluster(db, meeting, note.cluster_id) if note.cluster_id else None
    name = str(N_("%(name)s（分割）", name=old.name)) if old else default_cluster_name()
    return await create_cluster(db, meeting, actor, name=name[:CLUSTER_NAME_MAX_LENGTH], note_ids=[note_id])


async def _dissolve(
    db: AsyncSession, meeting: Meeting, cluster: Cluster, *, into: int | None, also_touched: list[int]
) -> BoardChange:
    """Move a cluster's notes (into another cluster, or back among the ungrouped) and remove it."""
    moved = list((await db.exec(select(Note).where(Note.cluster_id == cluster.id))).all())
    for note in moved:
        note.cluster_id = into
    await db.flush()
    await db.delete(cluster)
    await db.flush()
    return await commit_change(
        db,
        meeting.id or 0,
        BoardEventType.CLUSTER_DELETED,
        note_ids=[n.id or 0 for n in moved],
        cluster_ids=[*also_touched, cluster.id or 0],
    )


async def merge_clusters(
    db: AsyncSession, meeting: Meeting, source_id: int, target_id: int, actor: Actor
) -> BoardChange:
    """Move every note of ``source`` into ``target`` and remove ``source``."""
    require_staff(actor)
    if source_id == target_id:
        raise UserError(N_("同じグループどうしは統合できません。"))
    source = await get_cluster(db, meeting, source_id)
    await get_cluster(db, meeting, target_id)
    return await _dissolve(db, meeting, source, into=target_id, also_touched=[target_id])


async def delete_cluster(db: AsyncSession, meeting: Meeting, cluster_id: int, actor: Actor) -> BoardChange:
    """Remove a cluster; its notes go back among the ungrouped notes."""
    require_staff(actor)
    cluster = await get_cluster(db, meeting, cluster_id)
    return await _dissolve(db, meeting, cluster, into=None, also_touched=[])
