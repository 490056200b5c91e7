"""Dot voting (ドット投票): settings, a budget per participant, casting and withdrawing votes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.events import BoardChange, commit_change
from server.boards.models import BoardEventType, Cluster, Note, Participant, Vote
from server.boards.service import require_open
from server.boards.state import cluster_tables, list_clusters, list_notes, vote_totals
from server.errors import ErrorKind, Forbidden, NotFound, UserError
from server.i18n import N_
from server.meetings.models import Meeting

MAX_BUDGET = 20


@dataclass
class VotingSettings:
    target: str  # "notes" or "clusters"
    budget: int
    live: bool
    posting: bool


def clean_settings(form: dict[str, str]) -> VotingSettings:
    target = form.get("target", "notes")
    if target not in ("notes", "clusters"):
        raise UserError(N_("投票の対象は「付箋」か「グループ」です。"))
    try:
        budget = int(form.get("budget", "3"))
    except ValueError:
        raise UserError(N_("一人あたりの票数は数字で入れてください。")) from None
    if not 1 <= budget <= MAX_BUDGET:
        raise UserError(N_("一人あたりの票数は1から%(max)sまでです。", max=MAX_BUDGET))
    return VotingSettings(target, budget, form.get("live") == "1", form.get("posting") == "1")


async def configure(
    db: AsyncSession, meeting: Meeting, actor: Actor, settings: VotingSettings
) -> BoardChange:
    require_staff(actor)
    if meeting.voting_open and settings.target != meeting.vote_target and await _any_votes(db, meeting):
        raise UserError(N_("投票が始まっているため、対象は変えられません。"))
    meeting.vote_target = settings.target
    meeting.vote_budget = settings.budget
    meeting.votes_live = settings.live
    meeting.posting_while_voting = settings.posting
    return await commit_change(db, meeting.id or 0, BoardEventType.VOTING_CHANGED)


async def set_open(db: AsyncSession, meeting: Meeting, actor: Actor, *, open: bool) -> BoardChange:
    require_staff(actor)
    if open:
        require_open(meeting)
    meeting.voting_open = open
    return await commit_change(db, meeting.id or 0, BoardEventType.VOTING_CHANGED)


async def reveal(db: AsyncSession, meeting: Meeting, actor: Actor, *, revealed: bool = True) -> BoardChange:
    """Show the totals and the ranking on every screen (結果発表)."""
    require_staff(actor)
    meeting.votes_revealed = revealed
    # Touch what has votes, so every screen redraws it with (or without) its total.
    note_votes, cluster_votes = await vote_totals(db, meeting.id or 0)
    return await commit_change(
        db, meeting.id or 0, BoardEventType.VOTING_CHANGED, note_ids=note_votes, cluster_ids=cluster_votes
    )


async def clear_votes(db: AsyncSession, meeting: Meeting, actor: Actor) -> BoardChange:
    """Start the voting over: every dot is taken back."""
    require_staff(actor)
    note_votes, cluster_votes = await vote_totals(db, meeting.id or 0)
    await db.exec(delete(Vote).where(col(Vote.meeting_id) == meeting.id))
    meeting.votes_revealed = False
    return await commit_change(
        db, meeting.id or 0, BoardEventType.VOTING_CHANGED, note_ids=note_votes, cluster_ids=cluster_votes
    )


async def _any_votes(db: AsyncSession, meeting: Meeting) -> bool:
    return bool(await db.scalar(select(func.count()).select_from(Vote).where(Vote.meeting_id == meeting.id)))


async def my_votes(db: AsyncSession, participant: Participant) -> set[tuple[str, int]]:
    """What this participant voted for, as ("note", id) / ("cluster", id)."""
    rows = await db.exec(select(Vote.note_id, Vote.cluster_id).where(Vote.participant_id == participant.id))
    return {("note", n) if n is not None else ("cluster", c or 0) for n, c in rows.all()}


async def _check_target(db: AsyncSession, meeting: Meeting, target: str, target_id: int) -> None:
    if target != meeting.vote_target.rstrip("s"):
        raise UserError(
            N_("いまは付箋に投票します。")
            if meeting.vote_target == "notes"
            else N_("いまはグループに投票します。")
        )
    row: Note | Cluster | None = await db.get(Note if target == "note" else Cluster, target_id)
    if row is None or row.meeting_id != meeting.id or (isinstance(row, Note) and row.hidden):
        raise NotFound(N_("投票先が見つかりませんでした。"))


async def _check_table(
    db: AsyncSession, meeting: Meeting, participant: Participant, target: str, target_id: int
) -> None:
    """During table work (テーブルワーク) a phone votes for its own table's notes and groups only."""
    if not at_table_work(meeting):
        return
    if target == "note":
        note = await db.get(Note, target_id)
        ours = note is not None and note.table_id == participant.table_id
    else:
        ours = participant.table_id in (await cluster_tables(db, meeting.id or 0, {target_id})).get(
            target_id, ()
        )
    if not ours:
        raise Forbidden(N_("テーブルワークの間は、自分の島の付箋とグループにだけ投票できます。"))


def at_table_work(meeting: Meeting) -> bool:
    return meeting.table_work and meeting.table_count > 0


async def cast(
    db: AsyncSession, meeting: Meeting, participant: Participant, *, target: str, target_id: int
) -> BoardChange:
    """Put one dot on a note or cluster; refused past the budget, and once per item."""
    require_open(meeting)
    if not meeting.voting_open:
        raise UserError(N_("いまは投票の時間ではありません。"), ErrorKind.CONFLICT)
    await _check_target(db, meeting, target, target_id)
    await _check_table(db, meeting, participant, target, target_id)
    mine = await my_votes(db, participant)
    if (target, target_id) in mine:
        raise UserError(N_("ここにはもう投票しています。"), ErrorKind.CONFLICT)
    if len(mine) >= meeting.vote_budget:
        raise UserError(
            N_(
                "票をぜんぶ使いました（%(n)s票）。どれかを取り消すと、ほかのものに投票できます。",
                n=meeting.vote_budget,
            ),
            ErrorKind.CONFLICT,
        )
    vote = Vote(meeting_id=meeting.id or 0, participant_id=participant.id or 0)
    if target == "note":
        vote.note_id = target_id
    else:
        vote.cluster_id = target_id
    db.add(vote)
    await db.flush()
    return await _vote_change(db, meeting, BoardEventType.VOTE_CAST, target, target_id, participant)


async def withdraw(
    db: AsyncSession, meeting: Meeting, participant: Participant, *, target: str, target_id: int
) -> BoardChange:
    require_open(meeting)
    if not meeting.voting_open:
        raise UserError(N_("投票はもうおわりました。"), ErrorKind.CONFLICT)
    column = Vote.note_id if target == "note" else Vote.cluster_id
    vote = (
        await db.exec(select(Vote).where(Vote.participant_id == participant.id, column == target_id))
    ).first()
    if vote is None:
        raise UserError(N_("ここには投票していません。"), ErrorKind.CONFLICT)
    await db.delete(vote)
    await db.flush()
    return await _vote_change(db, meeting, BoardEventType.VOTE_WITHDRAWN, target, target_id, participant)


async def _vote_change(
    db: AsyncSession,
    meeting: Meeting,
    type: BoardEventType,
    target: str,
    target_id: int,
    participant: Participant,
) -> BoardChange:
    note_ids, cluster_ids = ([target_id], []) if target == "note" else ([], [target_id])
    return await commit_change(
        db, meeting.id or 0, type, participant_id=participant.id, note_ids=note_ids, cluster_ids=cluster_ids
    )


@dataclass
class RankedItem:
    kind: str  # "note" or "cluster"
    id: int
    label: str
    votes: int


async def ranking(db: AsyncSession, meeting: Meeting, limit: int = 10) -> list[RankedItem]:
    """The items with votes, most first (ties by age): the projector's result after the reveal."""
    note_votes, cluster_votes = await vote_totals(db, meeting.id or 0)
    items: list[RankedItem] = []
    if cluster_votes:
        for c in (await db.exec(select(Cluster).where(col(Cluster.id).in_(cluster_votes)))).all():
            items.append(RankedItem("cluster", c.id or 0, c.name, cluster_votes[c.id or 0]))
    if note_votes:
        query = select(Note).where(col(Note.id).in_(note_votes), col(Note.hidden).is_(False))
        for n in (await db.exec(query)).all():
            items.append(RankedItem("note", n.id or 0, n.text, note_votes[n.id or 0]))
    return sorted(items, key=lambda i: (-i.votes, i.kind, i.id))[:limit]


# --- a participant's panel -----------------------------------------------------------------


@dataclass(frozen=True)
class VoteItem:
    kind: str  # "note" or "cluster"
    id: int
    label: str


@dataclass
class VotePanel:
    """What one participant's vote panel shows: the ranking once revealed; else what they may
    vote for, their votes, and what is left of their budget."""

    ranking: list[RankedItem] | None
    items: list[VoteItem] = field(default_factory=list)
    mine: set[tuple[str, int]] = field(default_factory=set)
    budget: int = 0

    @property
    def left(self) -> int:
        return max(0, self.budget - len(self.mine))


async def vote_panel(db: AsyncSession, meeting: Meeting, participant: Participant) -> VotePanel:
    if meeting.votes_revealed:
        return VotePanel(ranking=await ranking(db, meeting))
    # During table work (テーブルワーク) a phone lists its own table's notes, or the groups that
    # hold its table's notes; in the plenary, every table's.
    at_table = at_table_work(meeting)
    if meeting.vote_target == "clusters":
        groups = await list_clusters(db, meeting.id or 0)
        if at_table:
            tables_of = await cluster_tables(db, meeting.id or 0)
            groups = [c for c in groups if participant.table_id in tables_of.get(c.id or 0, ())]
        items = [VoteItem("cluster", c.id or 0, c.name) for c in groups]
    else:
        notes = await list_notes(db, meeting.id or 0, include_hidden=False)
        items = [
            VoteItem("note", n.id or 0, n.text)
            for n in notes
            if not at_table or n.table_id == participant.table_id
        ]
    return VotePanel(None, items, await my_votes(db, participant), meeting.vote_budget)


def parse_target(target: str, raw_id: str) -> tuple[str, int]:
    """What the phone's panel votes for: ("note" or "cluster", its id)."""
    try:
        target_id = int(raw_id)
    except ValueError:
        target_id = None
    if target_id is None or target not in ("note", "cluster"):
        raise UserError(N_("投票先がまちがっています。"))
    return target, target_id
