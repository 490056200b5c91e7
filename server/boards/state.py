"""Reading a board: the state screens draw, and what a reconnecting screen missed.

The shapes are those of ``server.boards.change``: the same ones serve page renders, published
changes and catch-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, Integer, String, bindparam, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.change import (
    BoardChange,
    BoardState,
    ClusterState,
    Counts,
    NoteState,
    ProjectState,
    TimerState,
    VotingState,
)
from server.boards.models import BoardEvent, Cluster, Note, Participant, Table, Vote
from server.meetings.models import Meeting
from server.projects.models import MeetingProject, Project, ProjectMember
from server.timeutil import utcnow


def note_state(note: Note, votes: int = 0) -> NoteState:
    """What screens need to draw a note (the author's id stays on the server)."""
    return NoteState(
        id=note.id or 0,
        kind=note.kind,
        text=note.text,
        hidden=note.hidden,
        participant_id=note.participant_id,
        cluster_id=note.cluster_id,
        client_id=note.client_id,
        by_staff=note.entered_by_staff,
        created_at=note.created_at.isoformat(),
        edited=note.edited_at is not None,
        votes=votes,
        table_id=note.table_id,
        waiting=note.waiting,
    )


def cluster_state(cluster: Cluster, votes: int = 0, tables: tuple[int, ...] = ()) -> ClusterState:
    return ClusterState(id=cluster.id or 0, name=cluster.name, votes=votes, tables=tables)


async def cluster_tables(
    db: AsyncSession, meeting_id: int, cluster_ids: set[int] | None = None
) -> dict[int, tuple[int, ...]]:
    """The tables (島) whose notes each group holds (one statement; none for a session without tables)."""
    query = (
        select(Note.cluster_id, Note.table_id)
        .distinct()
        .where(
            Note.meeting_id == meeting_id, col(Note.cluster_id).is_not(None), col(Note.table_id).is_not(None)
        )
    )
    if cluster_ids is not None:
        query = query.where(col(Note.cluster_id).in_(cluster_ids))
    found: dict[int, list[int]] = {}
    for cluster_id, table_id in (await db.exec(query)).all():
        found.setdefault(cluster_id or 0, []).append(table_id or 0)
    return {cluster_id: tuple(sorted(tables)) for cluster_id, tables in found.items()}


def timer_state(meeting: Meeting) -> TimerState:
    """The phase timer as every screen must show it: from the server's clock, not the device's."""
    now = utcnow()
    if meeting.timer_ends_at is not None:
        left = max(0, round((meeting.timer_ends_at - now).total_seconds()))
        state = "running"
        ends_at_ms = int(meeting.timer_ends_at.timestamp() * 1000)
    else:
        left = meeting.timer_left_s if meeting.timer_left_s is not None else meeting.timer_duration_s
        state = (
            "paused" if meeting.timer_left_s is not None and left != meeting.timer_duration_s else "stopped"
        )
        ends_at_ms = 0
    return TimerState(
        state=state,
        left_s=left,
        duration_s=meeting.timer_duration_s,
        ends_at_ms=ends_at_ms,
        now_ms=int(now.timestamp() * 1000),
    )


def board_state(meeting: Meeting) -> BoardState:
    """The meeting-level state: status, phase, timer and voting."""
    return BoardState(
        status=meeting.status,
        programme=meeting.programme,
        phase_index=meeting.phase_index,
        timer=timer_state(meeting),
        voting=VotingState(
            open=meeting.voting_open,
            target=meeting.vote_target,
            budget=meeting.vote_budget,
            live=meeting.votes_live,
            revealed=meeting.votes_revealed,
            visible=meeting.votes_visible,
            posting=meeting.posting_while_voting,
        ),
        posting_allowed=meeting.posting_allowed,
        # "note-12", "cluster-3" or "": what the projector shows big (server/boards/spotlight.py).
        spotlight=(
            f"note-{meeting.spotlight_note_id}"
            if meeting.spotlight_note_id
            else f"cluster-{meeting.spotlight_cluster_id}"
            if meeting.spotlight_cluster_id
            else f"table-{meeting.spotlight_table_id}"
            if meeting.spotlight_table_id
            else ""
        ),
        tables=meeting.table_count,
        table_work=meeting.table_work and meeting.table_count > 0,
        screened=meeting.screened,
    )


def counts_columns(meeting_id: int | BindParameter[int]) -> tuple[Any, Any, Any, Any]:
    """Participants, visible notes, all notes and waiting notes (screened mode) of a session, as
    four scalar subqueries: read
    by ``board_counts``, and by the statement that takes a change's sequence numbers
    (``boards.events.take_seqs``) so that a change's counts cost no trip of their own."""
    participants = (
        select(func.count()).select_from(Participant).where(Participant.meeting_id == meeting_id)
    ).scalar_subquery()
    notes = select(func.count()).select_from(Note).where(Note.meeting_id == meeting_id)
    return (
        participants,
        notes.where(col(Note.hidden).is_(False)).scalar_subquery(),
        notes.scalar_subquery(),
        notes.where(col(Note.waiting).is_(True)).scalar_subquery(),
    )


def counts_of(row: Sequence[Any]) -> Counts:
    """``Counts`` from the four values of ``counts_columns``."""
    return Counts(
        participants=int(row[0] or 0),
        notes_visible=int(row[1] or 0),
        notes_total=int(row[2] or 0),
        notes_waiting=int(row[3] or 0),
    )


async def board_counts(db: AsyncSession, meeting_id: int) -> Counts:
    """Participants, visible, all and waiting notes of a session, in one statement."""
    return counts_of((await db.exec(select(*counts_columns(meeting_id)))).one())


async def vote_totals(
    db: AsyncSession, meeting_id: int, note_ids: set[int] | None = None, cluster_ids: set[int] | None = None
) -> tuple[dict[int, int], dict[int, int]]:
    """Votes per note and per cluster of a session (or of just these), in one query."""
    query = select(Vote.note_id, Vote.cluster_id, func.count()).where(Vote.meeting_id == meeting_id)
    if note_ids is not None and cluster_ids is not None:
        query = query.where(or_(col(Vote.note_id).in_(note_ids), col(Vote.cluster_id).in_(cluster_ids)))
    rows = await db.exec(query.group_by(col(Vote.note_id), col(Vote.cluster_id)))
    notes: dict[int, int] = {}
    clusters: dict[int, int] = {}
    for note_id, cluster_id, n in rows.all():
        if note_id is not None:
            notes[note_id] = int(n)
        elif cluster_id is not None:
            clusters[cluster_id] = int(n)
    return notes, clusters


async def list_notes(
    db: AsyncSession, meeting_id: int, *, include_hidden: bool, waiting_of: int | None = None
) -> list[Note]:
    """A session's notes; without ``include_hidden``, the visible ones, and the waiting notes
    (screened mode) of the participant ``waiting_of`` only: their author sees them 「確認中」."""
    query = select(Note).where(Note.meeting_id == meeting_id)
    if not include_hidden and waiting_of is not None:
        own_waiting = col(Note.waiting).is_(True) & (col(Note.participant_id) == waiting_of)
        query = query.where(or_(col(Note.hidden).is_(False), own_waiting))
    elif not include_hidden:
        query = query.where(col(Note.hidden).is_(False))
    result = await db.exec(query.order_by(col(Note.id)))
    return list(result.all())


async def list_clusters(db: AsyncSession, meeting_id: int) -> list[Cluster]:
    result = await db.exec(select(Cluster).where(Cluster.meeting_id == meeting_id).order_by(col(Cluster.id)))
    return list(result.all())


@dataclass(frozen=True)
class TableInfo:
    """A table (島) as screens list it: its name, its card's code and who sits there."""

    id: int
    name: str
    position: int
    code: str
    participants: int = 0


async def list_tables(db: AsyncSession, meeting_id: int) -> list[Table]:
    result = await db.exec(select(Table).where(Table.meeting_id == meeting_id).order_by(col(Table.position)))
    return list(result.all())


async def participants_per_table(db: AsyncSession, meeting_id: int) -> dict[int, int]:
    """How many participants sit at each table (島) of a session (0 included), in one statement."""
    rows = await db.exec(
        select(Table.id, func.count(col(Participant.id)))
        .outerjoin(Participant, col(Participant.table_id) == col(Table.id))
        .where(Table.meeting_id == meeting_id)
        .group_by(col(Table.id))
    )
    return {int(table_id): int(n) for table_id, n in rows.all() if table_id is not None}


async def table_infos(db: AsyncSession, meeting: Meeting) -> list[TableInfo]:
    """The session's tables in order, with their participants; none (no statement) without tables."""
    if not meeting.table_count or meeting.id is None:
        return []
    seated = await participants_per_table(db, meeting.id)
    return [
        TableInfo(t.id or 0, t.name, t.position, t.code, seated.get(t.id or 0, 0))
        for t in await list_tables(db, meeting.id)
    ]


@dataclass
class BoardView:
    """Everything a page needs to draw a whole board."""

    notes: list[NoteState]
    clusters: list[ClusterState]
    counts: Counts
    board: BoardState
    projects: list[ProjectState] = field(default_factory=list)
    #: The session's tables (島), in order; empty when the whole room shares one board.
    tables: list[TableInfo] = field(default_factory=list)

    def notes_in(self, cluster_id: int | None) -> list[NoteState]:
        """The notes of a group (None: in none), waiting notes left out (their own panel)."""
        return [n for n in self.notes if n.cluster_id == cluster_id and not n.waiting]

    @property
    def waiting_notes(self) -> list[NoteState]:
        """Notes not let through yet (screened mode): the console's panel of them."""
        return [n for n in self.notes if n.waiting]

    def loose_notes_at(self, table_id: int | None) -> list[NoteState]:
        """The notes of one table (or of none) that are in no group yet."""
        return [n for n in self.notes if n.cluster_id is None and n.table_id == table_id]


async def board_view(
    db: AsyncSession,
    meeting: Meeting,
    *,
    include_hidden: bool,
    waiting_of: int | None = None,
    at_table: bool = False,
    table_id: int | None = None,
) -> BoardView:
    """A whole board: every note (the console, ``include_hidden``), or the visible ones and the
    waiting notes of the participant ``waiting_of`` (their phone); ``at_table``: only the notes
    written at ``table_id`` (a phone during table work, a table's own wall)."""
    assert meeting.id is not None
    note_votes, cluster_votes = await vote_totals(db, meeting.id)
    notes = await list_notes(db, meeting.id, include_hidden=include_hidden, waiting_of=waiting_of)
    if at_table:
        notes = [n for n in notes if n.table_id == table_id]
    clusters = await list_clusters(db, meeting.id)
    tables_of = await cluster_tables(db, meeting.id) if meeting.table_count else {}
    if at_table:  # a table's wall (and a phone during table work): the groups holding its notes
        clusters = [c for c in clusters if table_id in tables_of.get(c.id or 0, ())]
    on_board = set(
        (
            await db.exec(select(MeetingProject.project_id).where(MeetingProject.meeting_id == meeting.id))
        ).all()
    )
    projects = await project_states(db, meeting.id, on_board)
    return BoardView(
        notes=[note_state(n, note_votes.get(n.id or 0, 0)) for n in notes],
        clusters=[
            cluster_state(c, cluster_votes.get(c.id or 0, 0), tables_of.get(c.id or 0, ())) for c in clusters
        ],
        counts=await board_counts(db, meeting.id),
        board=board_state(meeting),
        projects=[p for p in projects.values() if p],
        tables=await table_infos(db, meeting),
    )


async def project_states(
    db: AsyncSession, meeting_id: int, project_ids: set[int]
) -> dict[int, ProjectState | None]:
    """Projects on this board (promoted here or brought for review), with their member counts."""
    if not project_ids:
        return {}
    rows = (
        await db.exec(
            select(Project, MeetingProject.for_review)
            .join(MeetingProject, col(MeetingProject.project_id) == col(Project.id))
            .where(MeetingProject.meeting_id == meeting_id, col(Project.id).in_(project_ids))
        )
    ).all()
    members = dict(
        (
            await db.exec(
                select(ProjectMember.project_id, func.count())
                .where(col(ProjectMember.project_id).in_(project_ids))
                .group_by(col(ProjectMember.project_id))
            )
        ).all()
    )
    states: dict[int, ProjectState | None] = dict.fromkeys(sorted(project_ids))
    for project, for_review in rows:
        states[project.id or 0] = ProjectState(
            id=project.id or 0,
            title=project.title,
            status=project.status,
            members=int(members.get(project.id or 0, 0)),
            for_review=bool(for_review),
        )
    return states


@dataclass(frozen=True)
class Touched:
    """What the events after a seq touched: the last seq, and the notes, clusters and projects."""

    last_seq: int | None  # None: no event after it
    note_ids: set[int]
    cluster_ids: set[int]
    project_ids: set[int]


async def touched_after(db: AsyncSession, meeting_id: int, after: int) -> Touched:
    """One small read, however long the log: the distinct (note, cluster, project) triples of
    the events after ``after``, each with its last seq. A thousand ``participant_joined`` events
    are one row, and no event becomes an ORM object (a reconnecting crowd used to load every
    event since ``after`` to collect a handful of ids). One statement, so the seq and the ids
    come from the same snapshot."""
    rows = (
        await db.exec(
            select(BoardEvent.note_id, BoardEvent.cluster_id, BoardEvent.project_id, func.max(BoardEvent.seq))
            .where(BoardEvent.meeting_id == meeting_id, BoardEvent.seq > after)
            .group_by(col(BoardEvent.note_id), col(BoardEvent.cluster_id), col(BoardEvent.project_id))
        )
    ).all()
    return Touched(
        last_seq=max((int(seq) for *_, seq in rows), default=None),
        note_ids={note_id for note_id, _, _, _ in rows if note_id is not None},
        cluster_ids={cluster_id for _, cluster_id, _, _ in rows if cluster_id is not None},
        project_ids={project_id for _, _, project_id, _ in rows if project_id is not None},
    )


async def touched_state(
    db: AsyncSession, meeting_id: int, note_ids: set[int], cluster_ids: set[int]
) -> tuple[dict[int, NoteState | None], dict[int, ClusterState | None]]:
    """The current state of these notes and clusters (None for those that are gone)."""
    if not note_ids and not cluster_ids:
        return {}, {}
    note_votes, cluster_votes = await vote_totals(db, meeting_id, note_ids, cluster_ids)
    notes: dict[int, NoteState | None] = dict.fromkeys(sorted(note_ids))
    clusters: dict[int, ClusterState | None] = dict.fromkeys(sorted(cluster_ids))
    if note_ids:
        for note in (await db.exec(select(Note).where(col(Note.id).in_(note_ids)))).all():
            notes[note.id or 0] = note_state(note, note_votes.get(note.id or 0, 0))
    if cluster_ids:
        tables_of = await cluster_tables(db, meeting_id, cluster_ids)
        for cluster in (await db.exec(select(Cluster).where(col(Cluster.id).in_(cluster_ids)))).all():
            clusters[cluster.id or 0] = cluster_state(
                cluster, cluster_votes.get(cluster.id or 0, 0), tables_of.get(cluster.id or 0, ())
            )
    return notes, clusters


async def catch_up(db: AsyncSession, meeting: Meeting, after: int) -> BoardChange:
    """What a screen that saw events up to ``after`` is missing: the current state of
    everything the events after it touched, as one change with no type."""
    assert meeting.id is not None
    touched = await touched_after(db, meeting.id, after)
    notes, clusters = await touched_state(db, meeting.id, touched.note_ids, touched.cluster_ids)
    return BoardChange(
        meeting_id=meeting.id,
        seq=touched.last_seq if touched.last_seq is not None else max(after, 0),
        notes=notes,
        clusters=clusters,
        projects=await project_states(db, meeting.id, touched.project_ids),
        counts=await board_counts(db, meeting.id),
        board=board_state(meeting),
    )


#: Built once (``meeting_with_participant``): the phone's every request runs it.
_MEETING_WITH_PARTICIPANT = (
    select(Meeting, Participant)
    .outerjoin(
        Participant,
        (col(Participant.meeting_id) == col(Meeting.id))
        & (col(Participant.token) == bindparam("token", type_=String)),
    )
    .where(col(Meeting.id) == bindparam("meeting_id", type_=Integer))
)


async def meeting_with_participant(
    db: AsyncSession, meeting_id: int, token: str
) -> tuple[Meeting | None, Participant | None]:
    """A session and the participant of ``token`` in it, in one statement: a phone's every
    request needs both, and a note waits for each trip to the database."""
    result = await db.exec(_MEETING_WITH_PARTICIPANT, params={"meeting_id": meeting_id, "token": token})
    row = result.first()
    return (row[0], row[1]) if row is not None else (None, None)


async def get_participant(db: AsyncSession, meeting_id: int, token: str | None) -> Participant | None:
    if not token:
        return None
    result = await db.exec(
        select(Participant).where(Participant.token == token, Participant.meeting_id == meeting_id)
    )
    return result.first()
