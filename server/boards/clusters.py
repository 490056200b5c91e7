"""Grouping (グループ化): clusters of notes that the facilitator makes, names, merges and splits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.events import BoardChange, commit_change
from server.boards.models import CLUSTER_NAME_MAX_LENGTH, BoardEventType, Cluster, Note
from server.boards.service import get_note, selected_notes
from server.errors import Forbidden, NotFound, UserError
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


# Table hosts (テーブルホスト): a host groups and names groups of their own table only. A group
# belongs to a table when every note in it was written at that table; a group with notes of two
# tables (a theme the facilitator merged in the plenary), or with none, is the facilitator's.


async def cluster_table(db: AsyncSession, cluster_id: int) -> int | None:
    """The table a group belongs to: the one table all its notes were written at (None: the
    group is empty, or holds notes of several tables, or of no table)."""
    tables = set((await db.exec(select(Note.table_id).where(Note.cluster_id == cluster_id))).all())
    return next(iter(tables)) if len(tables) == 1 else None


async def _hosts_cluster(db: AsyncSession, meeting: Meeting, cluster_id: int, table_id: int) -> Cluster:
    cluster = await get_cluster(db, meeting, cluster_id)
    if await cluster_table(db, cluster_id) != table_id:
        raise Forbidden(
            N_(
                "このグループはほかの島（または全体共有）のものです。ホストが扱えるのは自分の島のグループだけです。"
            )
        )
    return cluster


async def group_as_host(
    db: AsyncSession,
    meeting: Meeting,
    table_id: int,
    note_id: int,
    *,
    cluster_id: int | None,
    new: bool = False,
) -> BoardChange:
    """A table's host puts a note of their table into a group of their table, into a new group
    (「新しいグループ」, which belongs to their table), or back among the ungrouped notes. Who may
    act for ``table_id`` is checked by the caller (``tables.hosted_table``)."""
    note = await get_note(db, meeting, note_id)
    if note.table_id != table_id or note.hidden:
        raise Forbidden(N_("ほかの島の付箋です。ホストが扱えるのは自分の島の付箋だけです。"))
    if note.cluster_id is not None:
        await _hosts_cluster(db, meeting, note.cluster_id, table_id)  # not out of a plenary theme
    if new:
        return await _new_cluster(db, meeting, "", [note])
    if cluster_id is not None:
        await _hosts_cluster(db, meeting, cluster_id, table_id)
    note.cluster_id = cluster_id
    return await commit_change(db, meeting.id or 0, BoardEventType.NOTE_MOVED, note_ids=[note_id])


async def rename_as_host(
    db: AsyncSession, meeting: Meeting, table_id: int, cluster_id: int, *, name: str
) -> BoardChange:
    """A table's host names or renames a group of their own table."""
    cluster = await _hosts_cluster(db, meeting, cluster_id, table_id)
    name = clean_cluster_name(name)
    if not name:
        raise UserError(N_("グループ名を入れてください。"))
    cluster.name = name
    return await commit_change(db, meeting.id or 0, BoardEventType.CLUSTER_RENAMED, cluster_ids=[cluster_id])


async def table_groups(
    db: AsyncSession, meeting: Meeting, table_id: int
) -> tuple[list[tuple[Cluster, list[Note]]], list[Note]]:
    """What a table's host works on: the groups of their table, each with its notes, and the
    table's visible notes in no group (hidden and waiting notes never leave the console)."""
    notes = list(
        (
            await db.exec(
                select(Note)
                .where(Note.meeting_id == meeting.id, Note.table_id == table_id, col(Note.hidden).is_(False))
                .order_by(col(Note.id))
            )
        ).all()
    )
    loose = [n for n in notes if n.cluster_id is None]
    groups: list[tuple[Cluster, list[Note]]] = []
    for cluster_id in sorted({n.cluster_id for n in notes if n.cluster_id is not None}):
        if await cluster_table(db, cluster_id) == table_id:
            cluster = await get_cluster(db, meeting, cluster_id)
            groups.append((cluster, [n for n in notes if n.cluster_id == cluster_id]))
    return groups, loose
