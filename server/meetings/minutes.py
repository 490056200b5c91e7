"""Session minutes (議事録): what the meeting produced, without anything hidden."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.models import NOTE_KIND_LABELS, Participant
from server.boards.state import BoardView, board_view
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
    counts = Counter(a or "未回答" for a in affiliations)
    return Minutes(meeting, view, sorted(counts.items(), key=lambda kv: -kv[1]))


def notes_table(minutes: Minutes) -> Table:
    """Every visible note of the session, for CSV and Excel (hidden notes never leave)."""
    clusters = {c["id"]: c["name"] for c in minutes.view.clusters}
    rows: list[list[object]] = [
        [
            n["id"],
            NOTE_KIND_LABELS.get(n["kind"], n["kind"]),
            n["text"],
            clusters.get(n["cluster_id"], ""),
            n["votes"],
            "代理入力" if n["by_staff"] else "",
        ]
        for n in minutes.view.notes
    ]
    return Table("付箋", ["番号", "種類", "付箋", "グループ", "票", "入力"], rows)  # type: ignore[arg-type]
