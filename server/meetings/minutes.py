"""Session minutes (議事録): what the meeting produced, without anything hidden."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.models import AFFILIATIONS, NOTE_KIND_LABELS, Participant
from server.boards.state import BoardView, board_view
from server.i18n import N_
from server.meetings.models import Meeting
from server.reports.tables import Table


@dataclass
class Minutes:
    meeting: Meeting
    view: BoardView  # visible notes only
    attendance: list[tuple[str, int]]  # by affiliation, "未回答" for those who chose none


async def minutes_of(db: AsyncSession, meeting: Meeting) -> Minutes:
    view = await board_view(db, meeting, include_hidden=False)
    affiliations = (
        await db.exec(select(Participant.affiliation).where(Participant.meeting_id == meeting.id))
    ).all()
    # Labels in the reader's language (the stored value is the Japanese key).
    counts = Counter(str(AFFILIATIONS.get(a or "", a or N_("未回答"))) for a in affiliations)
    return Minutes(meeting, view, sorted(counts.items(), key=lambda kv: -kv[1]))


def table_names(minutes: Minutes) -> dict[int | None, str]:
    """Each table's (島) name as the minutes show it; notes at none have an empty one."""
    names: dict[int | None, str] = {t.id: str(N_("島 %(name)s", name=t.name)) for t in minutes.view.tables}
    names[None] = ""
    return names


def notes_table(minutes: Minutes) -> Table:
    """Every visible note of the session, for CSV and Excel (hidden notes never leave). Beside
    each note's group, the group's votes: when the room voted on groups, the notes' own column
    is 0 and the spreadsheet still agrees with the minutes. The last column: the table (島) it
    was written at, when the session had tables."""
    clusters = {c.id: c for c in minutes.view.clusters}
    tables = table_names(minutes)
    rows: list[list[object]] = []
    for n in minutes.view.notes:
        cluster = clusters.get(n.cluster_id) if n.cluster_id is not None else None
        rows.append(
            [
                n.id,
                str(NOTE_KIND_LABELS.get(n.kind, n.kind)),
                n.text,
                cluster.name if cluster else "",
                n.votes,
                cluster.votes if cluster else None,
                str(N_("代理入力")) if n.by_staff else "",
                tables.get(n.table_id, ""),
            ]
        )
    # A working export for the organisers: headings in the reader's language.
    headings = [
        N_("番号"),
        N_("種類"),
        N_("付箋"),
        N_("グループ"),
        N_("票"),
        N_("グループの票"),
        N_("入力"),
        N_("島"),
    ]
    return Table(str(N_("付箋")), [str(h) for h in headings], rows)  # type: ignore[arg-type]


def groups_table(minutes: Minutes) -> Table:
    """The session's groups with their visible notes and their votes (the Excel file's second sheet)."""
    counts = Counter(n.cluster_id for n in minutes.view.notes if n.cluster_id is not None)
    rows: list[list[object]] = [[c.id, c.name, counts.get(c.id, 0), c.votes] for c in minutes.view.clusters]
    headings = [N_("番号"), N_("グループ"), N_("付箋の数"), N_("票")]
    return Table(str(N_("グループ")), [str(h) for h in headings], rows)  # type: ignore[arg-type]
