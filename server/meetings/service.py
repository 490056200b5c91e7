"""Sessions: creating, editing, opening and closing them, and finding one by its join code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.events import BoardChange
from server.boards.models import BoardEventType
from server.boards.service import commit_change
from server.districts.models import District
from server.errors import ErrorKind, NotFound, UserError
from server.i18n import N_, Joined, Text
from server.meetings.flow import current_phase
from server.meetings.models import Meeting, MeetingKind, MeetingStatus
from server.programmes.service import get_programme
from server.textutil import clean_text
from server.timeutil import utcnow

#: Digits that cannot be mistaken when written by hand or read aloud: no 0 (O) and no 1 (l, I).
JOIN_CODE_DIGITS = "23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_DIGITS) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    """What people type: full-width digits, spaces and hyphens are all accepted."""
    table = str.maketrans("０１２３４５６７８９", "0123456789")
    return "".join(ch for ch in raw.translate(table) if ch.isdigit())


@dataclass
class MeetingInput:
    """What the facilitator typed in the session form, checked."""

    kind: str
    district_id: str
    title: str
    question: str
    held_on: date | None
    venue: str
    programme: str
    #: Screened mode (確認してから映す): new notes wait for a facilitator to let them through.
    screened: bool = False


async def clean_meeting_input(db: AsyncSession, form: dict[str, str]) -> MeetingInput:
    problems: list[Text] = []
    kind = form.get("kind", "")
    if kind not in set(MeetingKind):
        problems.append(N_("会の種類を選んでください。"))
    district_id = form.get("district_id", "")
    if not district_id or await db.get(District, district_id) is None:
        problems.append(N_("地区を選んでください（The YORIAI は「市全域」）。"))
    title = clean_text(form.get("title", ""), single_line=True)
    if not title:
        problems.append(N_("タイトルを入力してください。"))
    elif len(title) > 120:
        problems.append(N_("タイトルは120文字までです。"))
    question = clean_text(form.get("question", ""))
    if len(question) > 300:
        problems.append(N_("問いは300文字までです。"))
    held_on = None
    if raw_date := form.get("held_on", "").strip():
        try:
            held_on = date.fromisoformat(raw_date)
        except ValueError:
            problems.append(N_("日付は 2026-11-22 の形で入力してください。"))
    venue = clean_text(form.get("venue", ""), single_line=True)
    if len(venue) > 120:
        problems.append(N_("会場は120文字までです。"))
    programme = form.get("programme", "")
    if programme and get_programme(programme) is None:
        problems.append(N_("進行プログラムを一覧から選んでください。"))
    if problems:
        raise UserError(Joined(problems))
    screened = form.get("screened", "") == "1"
    return MeetingInput(kind, district_id, title, question, held_on, venue, programme, screened)


#: What a capability above this one adds to a new session, in the same transaction (e.g. the
#: district's open projects on its board): passed in, so that meetings need not know projects.
Preparation = Callable[[AsyncSession, Meeting], Awaitable[object]]


async def create_meeting(
    db: AsyncSession, data: MeetingInput, *, created_by: int | None, prepare: Preparation | None = None
) -> Meeting:
    """A new session in draft, with a join code no other live session has. ``prepare`` runs
    before the commit: what it adds is committed with the session, or nothing is."""
    for _ in range(20):
        meeting = Meeting(**vars(data), created_by=created_by, join_code=new_join_code())
        try:
            async with db.begin_nested():  # a savepoint: a clash undoes only this insert
                db.add(meeting)
        except IntegrityError:  # the code is taken by a live session: draw another
            continue
        if prepare is not None:
            await prepare(db, meeting)
        await db.commit()
        return meeting
    raise UserError(N_("参加コードを作れませんでした。もう一度お試しください。"), ErrorKind.UNAVAILABLE)


async def update_meeting(db: AsyncSession, meeting: Meeting, data: MeetingInput) -> BoardChange | None:
    """Save the session form. Turning screened mode on or off there is a board event, as from
    the console, so every screen follows (the change to publish); otherwise None."""
    screening_changed = meeting.screened != data.screened
    for key, value in vars(data).items():
        setattr(meeting, key, value)
    if screening_changed and meeting.id is not None:
        return await commit_change(db, meeting.id, BoardEventType.SCREENING_CHANGED)
    await db.commit()
    return None


async def get_meeting(db: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(N_("この会は見つかりませんでした。"))
    return meeting


async def list_meetings(db: AsyncSession) -> list[Meeting]:
    result = await db.exec(select(Meeting).order_by(col(Meeting.created_at).desc(), col(Meeting.id).desc()))
    return list(result.all())


async def find_by_join_code(db: AsyncSession, raw_code: str) -> Meeting:
    """The open session with this code, or a message saying why there is none."""
    code = normalise_join_code(raw_code)
    if len(code) != JOIN_CODE_LENGTH:
        raise UserError(
            N_("参加コードは%(n)sけたの数字です。もう一度たしかめてください。", n=JOIN_CODE_LENGTH)
        )
    result = await db.exec(select(Meeting).where(Meeting.join_code == code).order_by(col(Meeting.id).desc()))
    meetings = list(result.all())
    for meeting in meetings:
        if meeting.status == MeetingStatus.OPEN:
            return meeting
    if any(m.status == MeetingStatus.DRAFT for m in meetings):
        raise UserError(
            N_("この会はまだ始まっていません。始まってから、もう一度入れてください。"), ErrorKind.CONFLICT
        )
    if meetings:
        raise UserError(N_("この会はおわりました。ありがとうございました。"), ErrorKind.GONE)
    raise UserError(N_("この参加コードの会はありません。数字をたしかめてください。"), ErrorKind.NOT_FOUND)


async def set_status(db: AsyncSession, meeting: Meeting, actor: Actor, status: MeetingStatus) -> BoardChange:
    """Open or close a session's board; the change is an event so every screen follows."""
    require_staff(actor)
    if meeting.status == status:
        raise UserError(
            N_("この会はすでに「%(status)s」です。", status=meeting.status_label), ErrorKind.CONFLICT
        )
    if status == MeetingStatus.DRAFT:
        raise UserError(N_("終了した会を準備中に戻すことはできません。"), ErrorKind.CONFLICT)
    meeting.status = status
    if status == MeetingStatus.CLOSED:
        meeting.voting_open = False
        meeting.closed_at = utcnow()
    elif meeting.timer_duration_s == 0 and (phase := current_phase(meeting)):
        meeting.timer_duration_s = phase.minutes * 60  # the first phase's time, ready to start
    assert meeting.id is not None
    type = BoardEventType.MEETING_OPENED if status == MeetingStatus.OPEN else BoardEventType.MEETING_CLOSED
    try:
        change = await commit_change(db, meeting.id, type)
    except IntegrityError:
        # Reopening a closed session whose code a newer live session now uses.
        await db.rollback()
        raise UserError(
            N_("同じ参加コードの会が開催中のため、再開できません。"), ErrorKind.CONFLICT
        ) from None
    return change


async def districts(db: AsyncSession) -> list[District]:
    result = await db.exec(select(District).order_by(col(District.position)))
    return list(result.all())


def qr_key(meeting: Meeting, secret: str) -> str:
    """The key in the QR code's address (``/join/123456?k=…``): it proves the code was read from
    the session's own screen or table card, not guessed, so it is never refused for the many
    wrong codes that one address typed (a hall shares one address). It changes with the code."""
    message = f"join:{meeting.id}:{meeting.join_code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:24]


def qr_key_matches(meeting: Meeting, secret: str, key: str) -> bool:
    return bool(key) and hmac.compare_digest(qr_key(meeting, secret).encode(), key.encode()[:64])
