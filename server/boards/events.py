"""The board's event log: every change to a board gets the next sequence number of its session.

``commit_change`` writes the events inside the transaction that makes the change, commits,
and describes the change (``server.boards.change.BoardChange``) for the live layer, which
publishes it only after that commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, bindparam, insert, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.change import BoardChange, Counts
from server.boards.models import BoardEvent, BoardEventType, Note
from server.boards.state import (
    board_state,
    counts_columns,
    counts_of,
    note_state,
    project_states,
    touched_state,
)
from server.meetings.models import Meeting
from server.timeutil import utcnow

__all__ = ["BoardChange", "commit_change", "take_seqs"]

# Built once, run with the values as parameters: building a statement with its four counting
# subqueries, and working out its cache key, cost more of a posted note's time than the
# database's own work (docs/benchmarks.md).
_MEETING_ID = bindparam("meeting_id", type_=Integer)
_TAKE_SEQS = (
    update(Meeting)
    .where(col(Meeting.id) == _MEETING_ID)
    .values(board_seq=col(Meeting.board_seq) + bindparam("count", type_=Integer))
    .returning(Meeting, *counts_columns(_MEETING_ID))
    .execution_options(populate_existing=True)
)
#: The events of a change: plain rows (their values are all known), no unit of work.
_INSERT_EVENTS = insert(BoardEvent.__table__)  # type: ignore[attr-defined]


async def take_seqs(db: AsyncSession, meeting_id: int, count: int = 1) -> tuple[range, Meeting, Counts]:
    """Take the next ``count`` sequence numbers, the session as it is now, and its counts.

    The UPDATE locks the session's row until commit, so two writers to one board are serialised
    and numbers never repeat or skip. It returns the whole row, so the meeting-level state that
    the change carries is read under that lock, by the same statement (a change sent while
    another writer changes the phase must not carry the phase from before). The board's counts
    come back with it: every change is made before its numbers are taken, so they count it,
    and they cost no trip to the database of their own."""
    await db.flush()  # what the change wrote is counted (no statement when nothing is pending)
    result = await db.exec(_TAKE_SEQS, params={"meeting_id": meeting_id, "count": count})
    meeting, *counts = result.one()
    last = int(meeting.board_seq)
    return range(last - count + 1, last + 1), meeting, counts_of(counts)


async def commit_change(
    db: AsyncSession,
    meeting_id: int,
    type: BoardEventType,
    *,
    note_ids: Iterable[int] = (),
    cluster_ids: Iterable[int] = (),
    project_ids: Iterable[int] = (),
    participant_id: int | None = None,
    new_notes: Iterable[Note] = (),
) -> BoardChange:
    """Record one event per touched note, cluster and project (at least one), commit, describe.

    ``new_notes`` are notes this transaction inserted (and lists in ``note_ids`` too): their
    state is what was just written, with no votes, so it is not read back. Every statement here
    is one more trip to the database before the change reaches the screens."""
    note_ids, cluster_ids = list(dict.fromkeys(note_ids)), list(dict.fromkeys(cluster_ids))
    project_ids = list(dict.fromkeys(project_ids))
    targets: list[dict[str, Any]] = [{"note_id": n} for n in note_ids]
    targets += [{"cluster_id": c} for c in cluster_ids] + [{"project_id": p} for p in project_ids]
    targets = targets or [{}]
    seqs, meeting, counts = await take_seqs(db, meeting_id, len(targets))
    now = utcnow()
    events = [
        {
            "meeting_id": meeting_id,
            "seq": seq,
            "type": str(type),
            "participant_id": participant_id,
            "note_id": None,
            "cluster_id": None,
            "project_id": None,
            "created_at": now,
            **target,
        }
        for seq, target in zip(seqs, targets, strict=True)
    ]
    await db.exec(_INSERT_EVENTS, params=events)
    known = {note.id: note_state(note) for note in new_notes if note.id is not None}
    notes, clusters = await touched_state(db, meeting_id, set(note_ids) - set(known), set(cluster_ids))
    notes = {note_id: known.get(note_id, notes.get(note_id)) for note_id in note_ids}
    projects = await project_states(db, meeting_id, set(project_ids))
    board = board_state(meeting)
    await db.commit()
    return BoardChange(
        meeting_id=meeting_id,
        seq=seqs[-1],
        first_seq=seqs[0],
        type=BoardEventType(type),
        notes=notes,
        clusters=clusters,
        projects=projects,
        counts=counts,
        board=board,
    )
