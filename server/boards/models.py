"""The live board of a session: participants, notes (付箋) and the board's event log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from server.timeutil import utcnow


class NoteKind(StrEnum):
    CONCERN = "concern"  # 困りごと
    WANT = "want"  # やりたい
    OFFER = "offer"  # できる
    IDEA = "idea"  # アイデア


NOTE_KIND_LABELS: dict[str, str] = {
    NoteKind.CONCERN: "困りごと",
    NoteKind.WANT: "やりたい",
    NoteKind.OFFER: "できる",
    NoteKind.IDEA: "アイデア",
}

#: Affiliations (所属) participants may pick, for counts only; never required.
AFFILIATIONS: list[str] = [
    "市民",
    "地域活動団体",
    "事業者",
    "NPO",
    "学校・大学",
    "行政",
    "社会福祉協議会",
]

NOTE_MAX_LENGTH = 200
NICKNAME_MAX_LENGTH = 20


class Participant(SQLModel, table=True):
    """An anonymous participant (参加者) of one session, known only by a cookie token."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    token: str = Field(max_length=64, unique=True)
    nickname: str = Field(default="", max_length=NICKNAME_MAX_LENGTH)
    affiliation: str = Field(default="", max_length=20)
    joined_at: datetime = Field(default_factory=utcnow)


class Note(SQLModel, table=True):
    """A sticky note (付箋) on a session's board."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    kind: str = Field(max_length=10)
    text: str = Field(max_length=NOTE_MAX_LENGTH)
    hidden: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None

    @property
    def kind_label(self) -> str:
        return NOTE_KIND_LABELS.get(self.kind, self.kind)


class BoardEventType(StrEnum):
    NOTE_POSTED = "note_posted"
    NOTE_EDITED = "note_edited"
    NOTE_HIDDEN = "note_hidden"
    NOTE_SHOWN = "note_shown"
    NOTE_DELETED = "note_deleted"
    PARTICIPANT_JOINED = "participant_joined"
    MEETING_OPENED = "meeting_opened"
    MEETING_CLOSED = "meeting_closed"


class BoardEvent(SQLModel, table=True):
    """One change to a board, written in the same transaction as the change itself.

    ``seq`` counts 1, 2, 3… per session. It carries no note text on purpose: a client
    catching up is sent the *current* state of the notes the events touched, so the
    text of a note hidden or deleted since never leaves the server again.
    """

    __table_args__ = (UniqueConstraint("meeting_id", "seq", name="uq_board_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    seq: int
    type: str = Field(max_length=30)
    note_id: int | None = None  # no foreign key: the note may have been deleted since
    participant_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
