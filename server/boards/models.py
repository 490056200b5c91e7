"""The live board of a session: participants, notes (付箋) and the board's event log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from server.i18n import N_, LazyText
from server.timeutil import utcnow


class NoteKind(StrEnum):
    CONCERN = "concern"  # 困りごと
    WANT = "want"  # やりたい
    OFFER = "offer"  # できる
    IDEA = "idea"  # アイデア


NOTE_KIND_LABELS: dict[str, LazyText] = {
    NoteKind.CONCERN: N_("困りごと"),
    NoteKind.WANT: N_("やりたい"),
    NoteKind.OFFER: N_("できる"),
    NoteKind.IDEA: N_("アイデア"),
}

#: Affiliations (所属) participants may pick, for counts only; never required.
#: The Japanese key is what is stored and counted; the value is the label shown.
AFFILIATIONS: dict[str, LazyText] = {
    "市民": N_("市民"),
    "地域活動団体": N_("地域活動団体"),
    "事業者": N_("事業者"),
    "NPO": N_("NPO"),
    "学校・大学": N_("学校・大学"),
    "行政": N_("行政"),
    "社会福祉協議会": N_("社会福祉協議会"),
}

NOTE_MAX_LENGTH = 200
NICKNAME_MAX_LENGTH = 20
CLUSTER_NAME_MAX_LENGTH = 40
TABLE_NAME_MAX_LENGTH = 20
#: At most this many tables (島) in one session (a hall holds five to eight).
MAX_TABLES = 20


class Table(SQLModel, table=True):
    """A table (島) of a session: five or six people who work on their own notes before the
    plenary (全体共有). ``code`` (two digits, "01"…) follows the session's join code on the
    table card, so that a card's QR or typed code joins straight to this table."""

    __tablename__ = "board_table"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position", name="uq_board_table_position"),
        UniqueConstraint("meeting_id", "code", name="uq_board_table_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(max_length=TABLE_NAME_MAX_LENGTH)
    position: int = 0
    code: str = Field(max_length=2)


class TableSeat(SQLModel, table=True):
    """Where someone sat in a world-café round that ended (ワールドカフェ): the next reshuffle keeps
    everyone from meeting again whoever they shared a table with in any earlier round. Plain ids,
    no foreign keys: a seat says nothing about a person, and outlives a participant erased."""

    __tablename__ = "table_seat"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    round: int
    participant_id: int
    table_id: int


class Participant(SQLModel, table=True):
    """An anonymous participant (参加者) of one session, known only by a cookie token."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    token: str = Field(max_length=64, unique=True)
    nickname: str = Field(default="", max_length=NICKNAME_MAX_LENGTH)
    affiliation: str = Field(default="", max_length=20)
    joined_at: datetime = Field(default_factory=utcnow)
    #: The table (島) this participant sits at, when the session has tables.
    table_id: int | None = Field(default=None, foreign_key="board_table.id", index=True)
    #: The table's host (テーブルホスト): stays at their table when a world-café round reshuffles.
    table_host: bool = False


class TableStaffHost(SQLModel, table=True):
    """A signed-in staff member (職員, a 地区協議会 member with an account) who hosts one table
    (テーブルホスト): on the table's host page they group and name that table's groups only."""

    __tablename__ = "table_staff_host"
    __table_args__ = (UniqueConstraint("table_id", "user_id", name="uq_table_staff_host"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    table_id: int = Field(foreign_key="board_table.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class HostLinkUse(SQLModel, table=True):
    """A one-time host link (ホスト用リンク) that was used: the link itself is signed and expires
    (``tables.host_link``); its nonce stored here makes it usable once. Plain ids, nothing about
    the person who used it."""

    __tablename__ = "host_link_use"

    nonce: str = Field(primary_key=True, max_length=32)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    used_at: datetime = Field(default_factory=utcnow)


class Cluster(SQLModel, table=True):
    """A named group of notes (グループ) made by the facilitator while grouping."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(default="", max_length=CLUSTER_NAME_MAX_LENGTH)
    created_at: datetime = Field(default_factory=utcnow)


class Note(SQLModel, table=True):
    """A sticky note (付箋) on a session's board."""

    __table_args__ = (
        # A phone may send the same note again after a dropped connection: stored once.
        UniqueConstraint("participant_id", "client_id", name="uq_note_client_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id", index=True)
    #: An id the phone made for this note, so a resend is recognised.
    client_id: str | None = Field(default=None, max_length=64)
    #: Typed in by staff for someone without a phone (代理入力).
    entered_by_staff: bool = False
    #: The table (島) it was written at: a note stays with its table when people move.
    table_id: int | None = Field(default=None, foreign_key="board_table.id", index=True)
    kind: str = Field(max_length=10)
    text: str = Field(max_length=NOTE_MAX_LENGTH)
    hidden: bool = False
    #: Screened mode (確認してから映す): posted while the session screens notes, not let through
    #: (通す) yet. A waiting note is also ``hidden``, so every rule for hidden notes covers it;
    #: letting it through clears both, hiding it clears this one only.
    waiting: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None

    @property
    def kind_label(self) -> str:
        return str(NOTE_KIND_LABELS.get(self.kind, self.kind))


class Vote(SQLModel, table=True):
    """One dot (投票) a participant put on a note or on a cluster."""

    __table_args__ = (
        UniqueConstraint("participant_id", "note_id", name="uq_vote_note"),
        UniqueConstraint("participant_id", "cluster_id", name="uq_vote_cluster"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    note_id: int | None = Field(default=None, foreign_key="note.id", ondelete="CASCADE")
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


class BoardEventType(StrEnum):
    NOTE_POSTED = "note_posted"
    NOTE_EDITED = "note_edited"
    NOTE_HIDDEN = "note_hidden"
    NOTE_SHOWN = "note_shown"
    NOTE_DELETED = "note_deleted"
    PARTICIPANT_JOINED = "participant_joined"
    MEETING_OPENED = "meeting_opened"
    MEETING_CLOSED = "meeting_closed"
    NOTE_MOVED = "note_moved"
    CLUSTER_CREATED = "cluster_created"
    CLUSTER_RENAMED = "cluster_renamed"
    CLUSTER_DELETED = "cluster_deleted"
    PHASE_CHANGED = "phase_changed"
    TIMER_CHANGED = "timer_changed"
    VOTING_CHANGED = "voting_changed"
    VOTE_CAST = "vote_cast"
    VOTE_WITHDRAWN = "vote_withdrawn"
    PROJECT_PROMOTED = "project_promoted"
    PROJECT_JOINED = "project_joined"
    PROJECT_LEFT = "project_left"
    #: A project's title or description changed (text withdrawn when its origin note was hidden).
    PROJECT_EDITED = "project_edited"
    #: The facilitator put a note or group in the spotlight, or took it away.
    SPOTLIGHT_CHANGED = "spotlight_changed"
    #: The facilitator set the session's tables (島): how many, their names.
    TABLES_CHANGED = "tables_changed"
    #: A participant sat down at a table or moved to another (by themselves or the facilitator).
    TABLE_CHOSEN = "table_chosen"
    #: The room moved between table work (テーブルワーク) and the plenary (全体共有).
    TABLE_MODE_CHANGED = "table_mode_changed"
    #: A world-café round began: everyone but the hosts moved to a new table.
    TABLE_ROUND_STARTED = "table_round_started"
    #: A facilitator let a waiting note through (通す): it appears on every screen as a new note.
    NOTE_LET_THROUGH = "note_let_through"
    #: The facilitator turned screened mode (確認してから映す) on or off.
    SCREENING_CHANGED = "screening_changed"


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
    cluster_id: int | None = None  # likewise
    project_id: int | None = None  # a project on this board (promoted, or joined from a phone)
    participant_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
