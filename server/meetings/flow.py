"""The meeting's flow (進行): moving through the programme's phases and the phase timer.

The timer lives on the server: it stores when it ends (running) or how much is left
(stopped), so every screen shows the same time and a reload changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.events import BoardChange, commit_change
from server.boards.models import BoardEventType
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.meetings.models import Meeting
from server.programmes.service import Phase, get_programme
from server.timeutil import utcnow

MAX_TIMER_S = 6 * 3600


def phases_of(meeting: Meeting) -> tuple[Phase, ...]:
    programme = get_programme(meeting.programme)
    return programme.phases if programme else ()


def current_phase(meeting: Meeting) -> Phase | None:
    phases = phases_of(meeting)
    return phases[min(meeting.phase_index, len(phases) - 1)] if phases else None


def _reset_timer_to(meeting: Meeting, seconds: int) -> None:
    meeting.timer_duration_s = seconds
    meeting.timer_ends_at = None
    meeting.timer_left_s = None


async def go_to_phase(db: AsyncSession, meeting: Meeting, actor: Actor, index: int) -> BoardChange:
    """Move to a phase: its timer is set to the phase's duration, stopped; voting follows
    the voting phase (opens when it starts, closes when the meeting moves on)."""
    require_staff(actor)
    phases = phases_of(meeting)
    if not phases:
        raise UserError(N_("この会には進行プログラムがありません。編集画面で選んでください。"))
    if not 0 <= index < len(phases):
        raise UserError(N_("その先（前）のフェーズはありません。"), ErrorKind.CONFLICT)
    was_voting = phases[meeting.phase_index].key == "voting" if meeting.phase_index < len(phases) else False
    meeting.phase_index = index
    _reset_timer_to(meeting, phases[index].minutes * 60)
    if phases[index].key == "voting":
        meeting.voting_open = True
    elif was_voting:
        meeting.voting_open = False
    # A phase may start table work or the plenary (tables: in the programme), when there are tables.
    table_work = meeting.table_work
    if meeting.table_count and phases[index].tables:
        meeting.table_work = phases[index].tables == "work"
    # Phones must load their page again when what they may see changes: then it is that event.
    moved_room = meeting.table_work != table_work
    kind = BoardEventType.TABLE_MODE_CHANGED if moved_room else BoardEventType.PHASE_CHANGED
    return await commit_change(db, meeting.id or 0, kind)


async def start_timer(db: AsyncSession, meeting: Meeting, actor: Actor) -> BoardChange:
    require_staff(actor)
    if meeting.timer_ends_at is not None:
        raise UserError(N_("タイマーはもう動いています。"), ErrorKind.CONFLICT)
    left = meeting.timer_left_s if meeting.timer_left_s is not None else meeting.timer_duration_s
    if left <= 0:
        left = meeting.timer_duration_s or 60
        meeting.timer_duration_s = max(meeting.timer_duration_s, left)
    meeting.timer_ends_at = utcnow() + timedelta(seconds=left)
    meeting.timer_left_s = None
    return await commit_change(db, meeting.id or 0, BoardEventType.TIMER_CHANGED)


async def pause_timer(db: AsyncSession, meeting: Meeting, actor: Actor) -> BoardChange:
    require_staff(actor)
    if meeting.timer_ends_at is None:
        raise UserError(N_("タイマーは止まっています。"), ErrorKind.CONFLICT)
    meeting.timer_left_s = max(0, round((meeting.timer_ends_at - utcnow()).total_seconds()))
    meeting.timer_ends_at = None
    return await commit_change(db, meeting.id or 0, BoardEventType.TIMER_CHANGED)


async def extend_timer(db: AsyncSession, meeting: Meeting, actor: Actor, seconds: int = 60) -> BoardChange:
    """+1分: adds time whether the timer runs or not (after zero, it starts from zero)."""
    require_staff(actor)
    now = utcnow()
    if meeting.timer_ends_at is not None:
        meeting.timer_ends_at = max(meeting.timer_ends_at, now) + timedelta(seconds=seconds)
    else:
        left = meeting.timer_left_s if meeting.timer_left_s is not None else meeting.timer_duration_s
        meeting.timer_left_s = min(MAX_TIMER_S, left + seconds)
    meeting.timer_duration_s = min(MAX_TIMER_S, meeting.timer_duration_s + seconds)
    return await commit_change(db, meeting.id or 0, BoardEventType.TIMER_CHANGED)


async def reset_timer(db: AsyncSession, meeting: Meeting, actor: Actor) -> BoardChange:
    require_staff(actor)
    phase = current_phase(meeting)
    _reset_timer_to(meeting, phase.minutes * 60 if phase else meeting.timer_duration_s)
    return await commit_change(db, meeting.id or 0, BoardEventType.TIMER_CHANGED)
