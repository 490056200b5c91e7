"""A pair of notes staff confirmed as a match (マッチング), or dismissed so it is not proposed again."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from server.i18n import N_, LazyText
from server.timeutil import utcnow

AGREED_MAX_LENGTH = 200


class MatchStatus(StrEnum):
    CONFIRMED = "confirmed"  # マッチング成立: counted in the indicator
    DISMISSED = "dismissed"  # 対象外: not proposed again


MATCH_STATUS_LABELS: dict[str, LazyText] = {
    MatchStatus.CONFIRMED: N_("マッチング成立"),
    MatchStatus.DISMISSED: N_("対象外"),
}


class Match(SQLModel, table=True):
    """An offer (できる) or want (やりたい) note and the concern (困りごと) note it answers, in one session.

    One row per pair: deciding again changes the row. A note deleted later (by its author, an admin or
    retention's --remove) leaves its id empty: the match is still counted, like a project's origin."""

    __tablename__ = "note_match"
    __table_args__ = (UniqueConstraint("offer_note_id", "concern_note_id", name="uq_note_match_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    offer_note_id: int | None = Field(default=None, foreign_key="note.id", ondelete="SET NULL", index=True)
    concern_note_id: int | None = Field(default=None, foreign_key="note.id", ondelete="SET NULL", index=True)
    status: str = Field(max_length=10, index=True)
    #: What was agreed (任意, 200字まで).
    agreed: str = Field(default="", max_length=AGREED_MAX_LENGTH)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime = Field(default_factory=utcnow, index=True)
