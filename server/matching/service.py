"""Proposed matches of a session, and confirming or dismissing them (facilitators during the meeting,
coordinators afterwards). Raises UserError; no HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.accounts.models import User
from server.boards.models import Note
from server.boards.state import list_notes
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.matching.models import AGREED_MAX_LENGTH, Match, MatchStatus
from server.matching.proposals import ANSWERING_KINDS, CONCERN_KIND, Proposal, propose
from server.meetings.models import Meeting
from server.textutil import clean_text
from server.timeutil import utcnow


@dataclass(frozen=True)
class ShownProposal:
    proposal: Proposal
    offer: Note
    concern: Note


@dataclass(frozen=True)
class ShownMatch:
    """A decided pair as staff see it. A note hidden or deleted since is None: its text is never shown."""

    match: Match
    meeting: Meeting
    offer: Note | None
    concern: Note | None
    decided_by: str
    #: What was agreed: left out too when either note is hidden (staff may have copied its words into it).
    agreed: str


async def decided_pairs(db: AsyncSession, meeting_id: int) -> set[tuple[int, int]]:
    rows = (
        await db.exec(
            select(Match.offer_note_id, Match.concern_note_id).where(Match.meeting_id == meeting_id)
        )
    ).all()
    return {(o, c) for o, c in rows if o is not None and c is not None}


async def proposals(db: AsyncSession, meeting: Meeting) -> list[ShownProposal]:
    """Pairs proposed among the session's visible notes, best first, less the pairs already decided."""
    notes = await list_notes(db, meeting.id or 0, include_hidden=False)
    by_id = {n.id: n for n in notes}
    found = propose(
        [(n.id or 0, n.kind, n.text) for n in notes], exclude=await decided_pairs(db, meeting.id or 0)
    )
    return [ShownProposal(p, by_id[p.offer_id], by_id[p.concern_id]) for p in found]


async def decide(
    db: AsyncSession,
    meeting: Meeting,
    actor: Actor,
    *,
    offer_id: int,
    concern_id: int,
    status: str,
    agreed: str = "",
) -> Match:
    """Confirm or dismiss a pair of the session's visible notes (again: the decision is changed).
    A facilitator decides on the console, a coordinator afterwards (their routes' guards say so)."""
    require_staff(actor, N_("ファシリテーターかコーディネーターのアカウントでサインインしてください。"))
    if status not in (MatchStatus.CONFIRMED, MatchStatus.DISMISSED):
        raise UserError(N_("マッチングの指定が正しくありません。"))
    agreed = clean_text(agreed).strip()
    if len(agreed) > AGREED_MAX_LENGTH:
        raise UserError(N_("合意したことは%(n)s文字以内で書いてください。", n=AGREED_MAX_LENGTH))
    offer, concern = await db.get(Note, offer_id), await db.get(Note, concern_id)
    if (
        offer is None
        or concern is None
        or offer.meeting_id != meeting.id
        or concern.meeting_id != meeting.id
        or offer.hidden
        or concern.hidden
    ):
        raise UserError(N_("付箋が見つかりませんでした。"), ErrorKind.NOT_FOUND)
    if offer.kind not in ANSWERING_KINDS or concern.kind != CONCERN_KIND:
        raise UserError(N_("「できる」か「やりたい」の付箋と、「困りごと」の付箋を選んでください。"))
    match = (
        await db.exec(
            select(Match).where(Match.offer_note_id == offer_id, Match.concern_note_id == concern_id)
        )
    ).first() or Match(
        meeting_id=meeting.id or 0, offer_note_id=offer_id, concern_note_id=concern_id, status=status
    )
    match.status = status
    match.agreed = agreed if status == MatchStatus.CONFIRMED else ""
    match.decided_by = actor.user_id
    match.decided_at = utcnow()
    db.add(match)
    await db.commit()
    await db.refresh(match)
    return match


async def confirmed_matches(db: AsyncSession, meetings: Sequence[Meeting]) -> list[ShownMatch]:
    """The confirmed matches of these sessions, newest first; hidden notes' text left out."""
    by_meeting = {m.id: m for m in meetings}
    if not by_meeting:
        return []
    query = select(Match).where(
        col(Match.meeting_id).in_(list(by_meeting)), Match.status == MatchStatus.CONFIRMED
    )
    matches = list((await db.exec(query.order_by(col(Match.decided_at).desc(), col(Match.id).desc()))).all())
    note_ids = {i for m in matches for i in (m.offer_note_id, m.concern_note_id) if i is not None}
    notes = {n.id: n for n in (await db.exec(select(Note).where(col(Note.id).in_(note_ids)))).all()}
    user_ids = {m.decided_by for m in matches if m.decided_by is not None}
    users = {u.id: u for u in (await db.exec(select(User).where(col(User.id).in_(user_ids)))).all()}

    def visible(note_id: int | None) -> Note | None:
        note = notes.get(note_id) if note_id is not None else None
        return note if note is not None and not note.hidden else None

    shown = []
    for m in matches:
        offer, concern = visible(m.offer_note_id), visible(m.concern_note_id)
        shown.append(
            ShownMatch(
                match=m,
                meeting=by_meeting[m.meeting_id],
                offer=offer,
                concern=concern,
                decided_by=(users[m.decided_by].display_name or users[m.decided_by].email)
                if m.decided_by in users
                else "",
                agreed=m.agreed if offer is not None and concern is not None else "",
            )
        )
    return shown


async def district_meetings(db: AsyncSession, district_id: str) -> list[Meeting]:
    """A district's sessions (city-wide: The YORIAI's), newest first."""
    query = select(Meeting).where(Meeting.district_id == district_id)
    return list((await db.exec(query.order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc()))).all())
