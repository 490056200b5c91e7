"""The board's event log: every change to a board gets the next sequence number of its session.

``record_event`` must be called inside the transaction that makes the change, so a change
and its event are committed together or not at all. The live layer publishes only after
that commit (see ``boards.live``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.models import BoardEvent
from server.meetings.models import Meeting


async def next_seq(db: AsyncSession, meeting_id: int) -> int:
    """Take the next sequence number. The UPDATE locks the session's row until commit,
    so two writers to one board are serialised and numbers never repeat or skip."""
    result = await db.exec(
        update(Meeting)
        .where(col(Meeting.id) == meeting_id)
        .values(board_seq=col(Meeting.board_seq) + 1)
        .returning(col(Meeting.board_seq))
    )
    return int(result.scalar_one())


async def record_event(
    db: AsyncSession,
    meeting_id: int,
    type: str,
    *,
    note_id: int | None = None,
    participant_id: int | None = None,
) -> BoardEvent:
    event = BoardEvent(
        meeting_id=meeting_id,
        seq=await next_seq(db, meeting_id),
        type=type,
        note_id=note_id,
        participant_id=participant_id,
    )
    db.add(event)
    return event


async def events_after(db: AsyncSession, meeting_id: int, after: int) -> list[BoardEvent]:
    result = await db.exec(
        select(BoardEvent)
        .where(BoardEvent.meeting_id == meeting_id, BoardEvent.seq > after)
        .order_by(col(BoardEvent.seq))
    )
    return list(result.all())


@dataclass
class BoardChange:
    """What a committed change means for the screens: published on the board's channel."""

    meeting_id: int
    seq: int
    type: str
    note: dict[str, Any] | None = None  # the note's state after the change (None if gone)
    note_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    status: str | None = None
