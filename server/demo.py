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

from server.accounts.actor import Actor
from server.accounts.models import User
from server.accounts.service import create_user, find_user
from server.boards import clusters
from server.boards import service as boards
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingKind, MeetingStatus
from server.projects import plan
from server.projects import service as projects
from server.projects.models import FigureKind
from server.reports.fiscal import current_fiscal_year
from server.visions import service as visions

DEMO_EMAIL = "demo@yoriai.example"
DEMO_PASSWORD = "yoriai-demo"
#: The demo account can do everything, so a newcomer sees every screen.
DEMO_ROLES = "facilitator coordinator admin"
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


SAMPLE_GOALS = [
    (
        "だれもが気軽に立ち寄れる居場所がある",
        "（サンプル）子どもから高齢の方まで、ふらっと立ち寄って話せる場所が身近にある。",
    ),
    ("困ったときに声をかけ合える", "（サンプル）ちょっとした困りごとを近所で助け合える関係ができている。"),
    ("移動や買い物に困らない", "（サンプル）坂道や交通の不便があっても、買い物や通院に出かけられる。"),
]


async def load_sample_visions(db: AsyncSession, user: User) -> None:
    """Sample visions for the ten districts, marked サンプル (never the city's own words)."""
    for district in await meetings.districts(db):
        if district.is_city_wide:
            continue
        vision = await visions.vision_of(db, district.id)
        if vision.future_picture:
            continue
        vision.future_picture = (
            f"（サンプル）10年後の{district.name}は、となり近所の顔が見え、困ったときに頼り合える、"
            "ホッとできるまちになっています。"
        )
        vision.is_sample = True
        await db.commit()
        for title, description in SAMPLE_GOALS:
            goal = await visions.save_goal(
                db, vision, Actor.staff(user), title=title, description=description
            )
            goal.is_sample = True
        await db.commit()


async def load_sample_project(db: AsyncSession, meeting: Meeting, user: User) -> None:
    """One project promoted from the sample board, with members and an evaluation."""
    notes = await boards.list_notes(db, meeting.id or 0, include_hidden=False)
    picked = [n for n in notes if n.kind in ("concern", "offer")][:2]
    vision = await visions.vision_of(db, "tsurukawa")
    goals = [g for g in await visions.goals_of(db, vision) if "移動" in g.title]
    data = projects.ProjectInput(
        title="（サンプル）買い物と通院の送迎ボランティア",
        description="（サンプル）車を出せる人と、買い物や通院に困っている人をつなぐ。",
        status="running",
        owner="鶴川地区協議会（サンプル）",
        district_ids=["tsurukawa"],
        goal_ids=[g.id or 0 for g in goals],
    )
    cluster = await clusters.create_cluster(
        db, meeting, Actor.staff(user), name="移動・送迎", note_ids=[n.id or 0 for n in picked]
    )
    project, _ = await projects.promote(
        db, meeting, Actor.staff(user), data, cluster_id=next(iter(cluster.clusters))
    )
    await projects.add_paper_members(
        db, project, Actor.staff(user), count=3, affiliation="市民", joined_on=date.today()
    )
    await projects.set_evaluation(
        db,
        project.id or 0,
        Actor.staff(user),
        fiscal_year=current_fiscal_year() - 1,
        mark="done",
        comment="（サンプル）月2回の送迎を実施",
    )


#: Starting values and targets for the demo's indicators: made up (the plan's own are not in
#: yoriai), so each is marked サンプル on the page and in the Excel export.
SAMPLE_FIGURES = (
    ("participants", FigureKind.BASELINE, 2021, 150),
    ("participants", FigureKind.TARGET, 2031, 600),
    ("carried_out", FigureKind.BASELINE, 2021, 5),
    ("carried_out", FigureKind.TARGET, 2031, 30),
)


async def load_sample_figures(db: AsyncSession, user: User) -> None:
    """Sample starting values and targets, unless a coordinator has entered figures already."""
    if await plan.figures(db):
        return
    for indicator, kind, year, value in SAMPLE_FIGURES:
        await plan.set_figure(
            db,
            Actor.staff(user),
            indicator=indicator,
            kind=kind,
            fiscal_year=year,
            value=str(value),
            note="デモ用の数値です。市の数値ではありません。",
            is_sample=True,
        )


async def load_demo(db: AsyncSession) -> str:
    user = await find_user(db, DEMO_EMAIL) or await create_user(
        db, DEMO_EMAIL, DEMO_PASSWORD, display_name="デモ ファシリテーター", roles=DEMO_ROLES
    )
    if user.roles != DEMO_ROLES:
        user.roles = DEMO_ROLES
        await db.commit()
    await load_sample_visions(db, user)
    await load_sample_figures(db, user)
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
    await meetings.set_status(db, meeting, Actor.staff(user), MeetingStatus.OPEN)
    people = [
        (await boards.join_meeting(db, meeting, nickname=nick, affiliation=aff))[0]
        for nick, aff in SAMPLE_PEOPLE
    ]
    for i, (kind, text) in enumerate(_pick_notes()):
        await boards.post_note(db, meeting, people[i % len(people)], kind=kind, text=text)
    await load_sample_project(db, meeting, user)
    return f"デモデータを入れました / demo data loaded: {SAMPLE_TITLE} (参加コード {meeting.join_code})"
