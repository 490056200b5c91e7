"""Meetings: what the product calls a *session* (セッション/会).

The class is named ``Meeting`` so that it never gets confused with a database session.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from server.i18n import N_, LazyText
from server.timeutil import utcnow


class MeetingKind(StrEnum):
    ROUNDTABLE = "roundtable"  # 地区別懇談会
    YORIAI = "yoriai"  # The YORIAI (フューチャーセッション)
    SMALL_AREA = "small_area"  # 小地域座談会


MEETING_KIND_LABELS: dict[str, LazyText] = {
    MeetingKind.ROUNDTABLE: N_("地区別懇談会"),
    MeetingKind.YORIAI: N_("The YORIAI"),
    MeetingKind.SMALL_AREA: N_("小地域座談会"),
}


class MeetingStatus(StrEnum):
    DRAFT = "draft"  # 準備中: participants cannot join yet
    OPEN = "open"  # 開催中: the board takes notes
    CLOSED = "closed"  # 終了: read-only


MEETING_STATUS_LABELS: dict[str, LazyText] = {
    MeetingStatus.DRAFT: N_("準備中"),
    MeetingStatus.OPEN: N_("開催中"),
    MeetingStatus.CLOSED: N_("終了"),
}


class Meeting(SQLModel, table=True):
    """A session: one meeting with one live board (ボード)."""

    __table_args__ = (
        # A join code is unique among sessions that are not closed, so it can be reused later.
        Index(
            "uq_meeting_live_join_code",
            "join_code",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=MeetingKind.ROUNDTABLE, max_length=20)
    district_id: str = Field(foreign_key="district.id", max_length=40)
    title: str = Field(max_length=120)
    question: str = Field(default="", max_length=300)  # 問い
    held_on: date | None = None
    venue: str = Field(default="", max_length=120)
    status: str = Field(default=MeetingStatus.DRAFT, max_length=10, index=True)
    programme: str = Field(default="", max_length=60)  # slug of a file in sessions/
    join_code: str = Field(max_length=6, index=True)
    #: The last sequence number given to an event of this session's board.
    board_seq: int = 0

    # The meeting's flow (進行): the current phase of its programme and the phase timer.
    phase_index: int = 0
    #: Seconds the timer was set to; it runs until ``timer_ends_at``, or holds ``timer_left_s`` when stopped.
    timer_duration_s: int = 0
    timer_ends_at: datetime | None = None
    timer_left_s: int | None = None

    # Dot voting (投票): open or not, on notes or clusters, a budget per participant.
    voting_open: bool = False
    vote_target: str = Field(default="notes", max_length=10)
    vote_budget: int = 3
    #: Show totals while voting goes on (else only once revealed).
    votes_live: bool = False
    votes_revealed: bool = False
    #: Let participants keep posting notes while voting is open.
    posting_while_voting: bool = False
    #: The one note or group shown big on the projector and marked on phones (at most one is set).
    spotlight_note_id: int | None = None
    spotlight_cluster_id: int | None = None
    #: Screened mode (確認してから映す): new notes wait for a facilitator to let them through
    #: before the projector and other phones show them (server/boards/screening.py).
    screened: bool = False
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    #: When the board was last closed; the retention command counts from here.
    closed_at: datetime | None = None
    #: When the retention command anonymised or removed its notes.
    notes_retired_at: datetime | None = None

    @property
    def kind_label(self) -> str:
        return str(MEETING_KIND_LABELS.get(self.kind, self.kind))  # in the reader's language

    @property
    def status_label(self) -> str:
        return str(MEETING_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.OPEN

    @property
    def posting_allowed(self) -> bool:
        return self.is_open and (not self.voting_open or self.posting_while_voting)

    @property
    def votes_visible(self) -> bool:
        """Whether totals may be shown beyond the facilitator's console."""
        return self.votes_live or self.votes_revealed

    @property
    def join_code_spaced(self) -> str:
        """The code as read aloud: 482 917."""
        return f"{self.join_code[:3]} {self.join_code[3:]}"
