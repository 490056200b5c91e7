"""What the screens of a board are sent: one typed change, for live changes and catch-ups alike.

A committed change to a board (a note posted, a group renamed, the phase moved on) and a
catch-up (what a screen that saw events up to N is missing) are the same thing to a screen:
the current state of some notes, groups (clusters) and projects, the counts, the session's
state and the new sequence number. ``BoardChange`` is that shape. It is published as JSON
(msgspec: encoded once, decoded once per process and typed on the way in) and rendered by one
renderer (``server.boards.live``), once per kind of viewer.

What a kind of event means for the screens (does it change the session's own state, which
panels must phones fetch again) is declared once, in ``MEANINGS``, next to nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from server.boards.models import BoardEventType


class NoteState(msgspec.Struct, frozen=True, kw_only=True):
    """A note (付箋) as screens draw it. ``participant_id`` decides who gets the author's
    controls; it is never rendered."""

    id: int
    kind: str
    text: str
    hidden: bool
    participant_id: int | None
    cluster_id: int | None
    client_id: str | None
    by_staff: bool
    created_at: str
    edited: bool
    votes: int = 0
    #: The table (島) it was written at: during table work only that table's phones get it.
    table_id: int | None = None
    #: Not let through yet (screened mode): ``hidden`` too; only the console and its author see it.
    waiting: bool = False


class ClusterState(msgspec.Struct, frozen=True, kw_only=True):
    """A group of notes (グループ) with its votes."""

    id: int
    name: str
    votes: int = 0
    #: The tables (島) its notes were written at: a table's own wall shows the groups that hold
    #: its notes only.
    tables: tuple[int, ...] = ()


class ProjectState(msgspec.Struct, frozen=True, kw_only=True):
    """A project on this board (promoted here, or brought for review: ふりかえり)."""

    id: int
    title: str
    status: str
    members: int
    for_review: bool


class Counts(msgspec.Struct, frozen=True, kw_only=True):
    participants: int = 0
    notes_visible: int = 0
    notes_total: int = 0
    #: Notes waiting to be let through (screened mode): the console's count only.
    notes_waiting: int = 0


class TimerState(msgspec.Struct, frozen=True, kw_only=True):
    """The phase timer from the server's clock: screens count down from ``ends_at_ms``
    corrected by ``now_ms``, never from the device's own clock alone."""

    state: str  # "running", "paused" or "stopped"
    left_s: int
    duration_s: int
    ends_at_ms: int
    now_ms: int


class VotingState(msgspec.Struct, frozen=True, kw_only=True):
    open: bool
    target: str
    budget: int
    live: bool
    revealed: bool
    visible: bool
    posting: bool


class BoardState(msgspec.Struct, frozen=True, kw_only=True):
    """The session's own state: status, programme and phase, timer, voting."""

    status: str
    programme: str
    phase_index: int
    timer: TimerState
    voting: VotingState
    posting_allowed: bool
    #: What the projector shows big: "note-12", "cluster-3" or "" (server/boards/spotlight.py).
    spotlight: str = ""
    #: How many tables (島) the session has (0: one board for the whole room).
    tables: int = 0
    #: Table work (テーブルワーク): each phone sees its own table's notes only; else the plenary.
    table_work: bool = False
    #: Screened mode: new notes wait for a facilitator to let them through (boards/screening.py).
    screened: bool = False


@dataclass(frozen=True)
class Meaning:
    """What an event means for the screens beyond the notes, groups and projects it carries."""

    #: The session's own state changed: status, phase bar, timer and voting controls are redrawn.
    board_level: bool = False
    #: Phones fetch their vote panel again (it depends on the phase and the voting rules).
    reloads_votes: bool = False
    #: Phones fetch their project panel again (a project appeared).
    reloads_projects: bool = False
    #: Phones load their page again: which notes they may see changed (table work or plenary).
    reloads_phones: bool = False
    #: Every screen loads its page again: the tables (島) themselves changed.
    reloads_screens: bool = False


#: Every kind of event not listed here changes notes, groups, projects or counts only.
MEANINGS: dict[BoardEventType, Meaning] = {
    BoardEventType.MEETING_OPENED: Meaning(board_level=True, reloads_votes=True),
    BoardEventType.MEETING_CLOSED: Meaning(board_level=True, reloads_votes=True),
    BoardEventType.PHASE_CHANGED: Meaning(board_level=True, reloads_votes=True),
    BoardEventType.VOTING_CHANGED: Meaning(board_level=True, reloads_votes=True),
    BoardEventType.TIMER_CHANGED: Meaning(board_level=True),
    BoardEventType.PROJECT_PROMOTED: Meaning(board_level=True, reloads_projects=True),
    BoardEventType.SPOTLIGHT_CHANGED: Meaning(board_level=True),
    BoardEventType.TABLES_CHANGED: Meaning(board_level=True, reloads_phones=True, reloads_screens=True),
    BoardEventType.TABLE_MODE_CHANGED: Meaning(board_level=True, reloads_phones=True),
    BoardEventType.TABLE_ROUND_STARTED: Meaning(board_level=True, reloads_phones=True),
    BoardEventType.SCREENING_CHANGED: Meaning(board_level=True),
}
#: A catch-up may stand for any events at all: everything is redrawn and fetched again.
CATCH_UP = Meaning(board_level=True, reloads_votes=True, reloads_projects=True)
ONLY_ITSELF = Meaning()


class BoardChange(msgspec.Struct, kw_only=True):
    """A committed change (``type`` set), or a catch-up (``type`` None), as screens get it.

    One change may span several events (``first_seq``..``seq``), e.g. a merge that moves
    many notes. ``notes``, ``clusters`` and ``projects`` map ids to their current state, or to
    None for what is gone (deleted, or hidden: screens that may not see it remove it)."""

    meeting_id: int
    seq: int
    counts: Counts
    board: BoardState
    type: BoardEventType | None = None
    first_seq: int = 0
    notes: dict[int, NoteState | None] = msgspec.field(default_factory=dict)
    clusters: dict[int, ClusterState | None] = msgspec.field(default_factory=dict)
    projects: dict[int, ProjectState | None] = msgspec.field(default_factory=dict)
    #: Participants who changed table (島) in this change, and their new table: their phone
    #: follows them (it loads its page again, and its socket renders for the new table).
    moved: dict[int, int | None] = msgspec.field(default_factory=dict)
    #: Participants per table, when this change moved people between tables (else empty).
    table_counts: dict[int, int] = msgspec.field(default_factory=dict)

    @property
    def meaning(self) -> Meaning:
        if self.type is None:
            return CATCH_UP
        return MEANINGS.get(self.type, ONLY_ITSELF)

    @property
    def note(self) -> NoteState | None:
        """The one note a single-note change is about."""
        return next(iter(self.notes.values()), None)

    @property
    def note_id(self) -> int | None:
        return next(iter(self.notes), None)

    @property
    def authors(self) -> frozenset[int]:
        """The participants whose notes this change carries: they get the author's controls."""
        return frozenset(
            note.participant_id
            for note in self.notes.values()
            if note is not None and note.participant_id is not None
        )

    def encode(self) -> bytes:
        return _encoder.encode(self)

    @staticmethod
    def decode(data: bytes | str) -> BoardChange:
        return _decoder.decode(data)


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(BoardChange)
