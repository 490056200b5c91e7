"""Demo data: a facilitator account and one open sample session with a dozen notes.

Everything here is sample text (サンプル), written for the demo, never the city's own words.
Loading twice changes nothing.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.service import create_user, find_user
from server.boards import service as boards
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingKind, MeetingStatus

DEMO_EMAIL = "demo@yoriai.example"
DEMO_PASSWORD = "yoriai-demo"
SAMPLE_TITLE = "【サンプル】鶴川地区 地区別懇談会"
SAMPLE_QUESTION = "10年後、鶴川で「ホッとできる」暮らしを続けるために、わたしたちは何から始める？"
CORPUS = Path(__file__).parent / "data" / "corpus_notes.tsv"

# (topic, kind) pairs picked from the corpus so the sample board shows all four kinds.
SAMPLE_PICKS = [
    ("shopping", "concern"),
    ("transport", "offer"),
    ("kids", "want"),
    ("disaster", "idea"),
    ("vacant", "idea"),
    ("isolation", "concern"),
    ("multigen", "want"),
    ("info", "offer"),
    ("environment", "idea"),
    ("health", "want"),
    ("youth", "concern"),
    ("watch", "offer"),
]
SAMPLE_PEOPLE = [
    ("", "市民"),
    ("さくら", "地域活動団体"),
    ("", "事業者"),
    ("たろう", "NPO"),
    ("", "学校・大学"),
    ("", "市民"),
]


def corpus_notes() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _pick_notes() -> list[tuple[str, str]]:
    rows = corpus_notes()
    picked: list[tuple[str, str]] = []
    for topic, kind in SAMPLE_PICKS:
        match = next(r for r in rows if r["topic"] == topic and r["kind"] == kind)
        picked.append((match["kind"], match["text"]))
    return picked


async def load_demo(db: AsyncSession) -> str:
    user = await find_user(db, DEMO_EMAIL) or await create_user(
        db, DEMO_EMAIL, DEMO_PASSWORD, display_name="デモ ファシリテーター"
    )
    existing = (await db.exec(select(Meeting).where(Meeting.title == SAMPLE_TITLE))).first()
    if existing:
        return f"デモデータはもう入っています / demo data already loaded (参加コード {existing.join_code})"
    data = meetings.MeetingInput(
        kind=MeetingKind.ROUNDTABLE,
        district_id="tsurukawa",
        title=SAMPLE_TITLE,
        question=SAMPLE_QUESTION,
        held_on=date.today(),
        venue="鶴川市民センター（サンプル）",
        programme="district-roundtable",
    )
    meeting = await meetings.create_meeting(db, data, created_by=user.id)
    await meetings.set_status(db, meeting, MeetingStatus.OPEN)
    people = [
        (await boards.join_meeting(db, meeting, nickname=nick, affiliation=aff))[0]
        for nick, aff in SAMPLE_PEOPLE
    ]
    for i, (kind, text) in enumerate(_pick_notes()):
        await boards.post_note(db, meeting, people[i % len(people)], kind=kind, text=text)
    return f"デモデータを入れました / demo data loaded: {SAMPLE_TITLE} (参加コード {meeting.join_code})"
