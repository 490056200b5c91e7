"""Screened mode (確認してから映す): for welfare topics, where a note may carry someone's personal
situation, new notes appear on the projector and on other phones only once a facilitator has
let them through (通す).

While a session screens, a note posted from a phone or typed in by staff (代理入力) is stored
``waiting`` and ``hidden`` (``boards.service.post_note``): every rule that keeps hidden notes on
the console (screens, catch-ups, the events poll, minutes, exports, suggestions, matching, the
spotlight, counts) keeps it there too, and its author's phone sees it 「確認中」. An author's edit
waits again. Letting it through clears both, in one event per note (``NOTE_LET_THROUGH``), so
every screen gets it as a new note; hiding it (非表示, ``boards.service.hide_note``) clears
``waiting`` only. Turning screening off lets nothing through by itself: what waits keeps waiting
until the facilitator decides.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.events import BoardChange, commit_change
from server.boards.models import BoardEventType, Note
from server.boards.service import get_note
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.meetings.models import Meeting


def _require_screener(actor: Actor) -> None:
    require_staff(actor, N_("付箋を通せるのはファシリテーターだけです。"))


async def set_screening(db: AsyncSession, meeting: Meeting, actor: Actor, *, screened: bool) -> BoardChange:
    """Turn screened mode on or off. Off lets nothing through: waiting notes keep waiting."""
    require_staff(actor)
    meeting.screened = screened
    db.add(meeting)
    return await commit_change(db, meeting.id or 0, BoardEventType.SCREENING_CHANGED)


async def let_through(db: AsyncSession, meeting: Meeting, note_id: int, actor: Actor) -> BoardChange:
    """Let one waiting note through (通す): every screen gets it as a new note."""
    _require_screener(actor)
    note = await get_note(db, meeting, note_id)
    if not note.waiting:
        raise UserError(
            N_("この付箋は確認待ちではありません（もう通したか、非表示にしました）。"), ErrorKind.CONFLICT
        )
    note.hidden = note.waiting = False
    return await commit_change(db, note.meeting_id, BoardEventType.NOTE_LET_THROUGH, note_ids=[note_id])


async def let_all_through(db: AsyncSession, meeting: Meeting, actor: Actor) -> BoardChange:
    """Let every waiting note of the session through (すべて通す), in one change."""
    _require_screener(actor)
    waiting = list(
        (
            await db.exec(
                select(Note)
                .where(Note.meeting_id == meeting.id, col(Note.waiting).is_(True))
                .order_by(col(Note.id))
            )
        ).all()
    )
    if not waiting:
        raise UserError(N_("確認待ちの付箋はありません。"), ErrorKind.CONFLICT)
    for note in waiting:
        note.hidden = note.waiting = False
    return await commit_change(
        db, meeting.id or 0, BoardEventType.NOTE_LET_THROUGH, note_ids=[n.id or 0 for n in waiting]
    )
