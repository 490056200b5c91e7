"""Projects: promotion from notes and clusters, members (参加したい), timeline, yearly evaluation.

Coordinators edit projects; facilitators promote them during or after a session.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards.copies import holds_description, holds_title, title_prefill
from server.boards.events import BoardChange, commit_change
from server.boards.models import AFFILIATIONS, BoardEventType, Cluster, Note, Participant
from server.boards.state import list_tables, vote_totals
from server.districts.models import District
from server.errors import ErrorKind, NotFound, UserError
from server.i18n import N_, Joined, Text
from server.matching.models import Match, MatchStatus
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingKind
from server.meetings.service import MeetingInput
from server.projects import contacts, history
from server.projects.models import (
    MARK_LABELS,
    OPEN_STATUSES,
    PROJECT_STATUS_LABELS,
    ChangeField,
    ChangeSource,
    Evaluation,
    Mark,
    MeetingProject,
    Project,
    ProjectDistrict,
    ProjectGoal,
    ProjectMember,
    ProjectOrigin,
    ProjectStatus,
    TimelineEntry,
)
from server.textutil import clean_text
from server.timeutil import utcnow
from server.visions.models import VisionGoal

# --- input --------------------------------------------------------------------------------


@dataclass
class ProjectInput:
    title: str
    description: str
    status: str
    owner: str
    district_ids: list[str] = field(default_factory=list)
    goal_ids: list[int] = field(default_factory=list)


async def clean_project_input(db: AsyncSession, form: dict[str, Any]) -> ProjectInput:
    """Check a project form; ``district_id`` and ``goal_id`` may repeat."""
    problems: list[Text] = []
    title = clean_text(str(form.get("title", "")), single_line=True)
    if not title:
        problems.append(N_("プロジェクト名を入れてください。"))
    elif len(title) > 120:
        problems.append(N_("プロジェクト名は120文字までです。"))
    description = clean_text(str(form.get("description", "")))
    if len(description) > 10000:
        problems.append(N_("説明は10000文字までです。"))
    status = str(form.get("status", ProjectStatus.IDEA))
    if status not in PROJECT_STATUS_LABELS:
        problems.append(N_("状態を一覧から選んでください。"))
    owner = clean_text(str(form.get("owner", "")), single_line=True)[:80]
    district_ids = [d for d in _many(form, "district_id") if d and d != "city"]
    known = {d.id for d in (await db.exec(select(District))).all()}
    if any(d not in known for d in district_ids):
        problems.append(N_("地区を一覧から選んでください。"))
    try:
        goal_ids = [int(g) for g in _many(form, "goal_id") if g]
    except ValueError:
        goal_ids = []
        problems.append(N_("ビジョンの目標を一覧から選んでください。"))
    if goal_ids:
        found = (await db.exec(select(VisionGoal.id).where(col(VisionGoal.id).in_(goal_ids)))).all()
        if len(set(found)) != len(set(goal_ids)):
            problems.append(N_("ビジョンの目標を一覧から選んでください。"))
    if problems:
        raise UserError(Joined(problems))
    return ProjectInput(title, description, status, owner, list(dict.fromkeys(district_ids)), goal_ids)


def _many(form: dict[str, Any], key: str) -> list[str]:
    value = form.get(key, [])
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


# --- reading ---------------------------------------------------------------------------------


async def get_project(db: AsyncSession, project_id: int) -> Project:
    project = await db.get(Project, project_id)
    if project is None:
        raise NotFound(N_("このプロジェクトは見つかりませんでした。"))
    return project


async def member_counts(db: AsyncSession, project_ids: list[int] | None = None) -> dict[int, int]:
    query = select(ProjectMember.project_id, func.count()).group_by(col(ProjectMember.project_id))
    if project_ids is not None:
        query = query.where(col(ProjectMember.project_id).in_(project_ids))
    return {pid: int(n) for pid, n in (await db.exec(query)).all()}


async def districts_of(db: AsyncSession, project_ids: list[int]) -> dict[int, list[str]]:
    rows = (
        await db.exec(select(ProjectDistrict).where(col(ProjectDistrict.project_id).in_(project_ids)))
    ).all()
    result: dict[int, list[str]] = {pid: [] for pid in project_ids}
    for row in rows:
        result[row.project_id].append(row.district_id)
    return result


async def goals_of(db: AsyncSession, project_id: int) -> list[VisionGoal]:
    query = select(VisionGoal).join(ProjectGoal, col(ProjectGoal.goal_id) == col(VisionGoal.id))
    return list((await db.exec(query.where(ProjectGoal.project_id == project_id))).all())


async def latest_evaluations(db: AsyncSession, project_ids: list[int]) -> dict[int, Evaluation]:
    rows = (
        await db.exec(
            select(Evaluation)
            .where(col(Evaluation.project_id).in_(project_ids))
            .order_by(col(Evaluation.fiscal_year))
        )
    ).all()
    return {e.project_id: e for e in rows}  # the last year wins


@dataclass
class ProjectFilters:
    district_id: str = ""
    status: str = ""
    fiscal_year: int | None = None  # projects with an evaluation that year
    goal_id: int | None = None
    sort: str = "id"


async def list_projects(db: AsyncSession, filters: ProjectFilters | None = None) -> list[Project]:
    filters = filters or ProjectFilters()
    query = select(Project)
    if filters.district_id == "city":
        query = query.where(~col(Project.id).in_(select(ProjectDistrict.project_id)))
    elif filters.district_id:
        query = query.join(ProjectDistrict, col(ProjectDistrict.project_id) == col(Project.id)).where(
            ProjectDistrict.district_id == filters.district_id
        )
    if filters.status:
        query = query.where(Project.status == filters.status)
    if filters.goal_id:
        query = query.where(
            col(Project.id).in_(select(ProjectGoal.project_id).where(ProjectGoal.goal_id == filters.goal_id))
        )
    if filters.fiscal_year:
        query = query.where(
            col(Project.id).in_(
                select(Evaluation.project_id).where(Evaluation.fiscal_year == filters.fiscal_year)
            )
        )
    order = {"title": col(Project.title), "status": col(Project.status), "created": col(Project.created_at)}
    query = query.order_by(order.get(filters.sort, col(Project.id)), col(Project.id))
    return list((await db.exec(query)).all())


async def origins_of(db: AsyncSession, project_id: int) -> list[ProjectOrigin]:
    """The notes a project came from, leaving out any a facilitator has hidden since and any
    removed by their author or erased (their text is gone: ``copies.withdraw_removed_notes``)."""
    query = (
        select(ProjectOrigin).where(ProjectOrigin.project_id == project_id).order_by(col(ProjectOrigin.id))
    )
    origins = list((await db.exec(query)).all())
    note_ids = [o.note_id for o in origins if o.note_id is not None]
    hidden_query = select(Note.id).where(col(Note.id).in_(note_ids), col(Note.hidden).is_(True))
    hidden = set((await db.exec(hidden_query)).all())
    return [o for o in origins if o.note_id not in hidden and o.text]


async def timeline_of(db: AsyncSession, project_id: int) -> list[TimelineEntry]:
    query = (
        select(TimelineEntry)
        .where(TimelineEntry.project_id == project_id)
        .order_by(col(TimelineEntry.happened_on), col(TimelineEntry.id))
    )
    return list((await db.exec(query)).all())


async def evaluations_in(db: AsyncSession, project_ids: list[int], fiscal_year: int) -> dict[int, Evaluation]:
    """Each project's evaluation for one fiscal year, in one query."""
    query = select(Evaluation).where(
        col(Evaluation.project_id).in_(project_ids), Evaluation.fiscal_year == fiscal_year
    )
    return {e.project_id: e for e in (await db.exec(query)).all()}


async def evaluations_of(db: AsyncSession, project_id: int) -> list[Evaluation]:
    query = (
        select(Evaluation).where(Evaluation.project_id == project_id).order_by(col(Evaluation.fiscal_year))
    )
    return list((await db.exec(query)).all())


async def members_over_time(db: AsyncSession, project_id: int) -> list[tuple[date, int]]:
    """The participant count after each day someone joined (参加人数の推移)."""
    query = select(ProjectMember).where(ProjectMember.project_id == project_id)
    days = [m.joined_on for m in (await db.exec(query)).all()]
    running, points = 0, []
    for day, n in sorted(Counter(days).items()):
        running += n
        points.append((day, running))
    return points


async def board_projects(db: AsyncSession, meeting_id: int) -> list[tuple[Project, bool]]:
    """The projects on a session's board, and whether each is there for review."""
    rows = (
        await db.exec(
            select(Project, MeetingProject.for_review)
            .join(MeetingProject, col(MeetingProject.project_id) == col(Project.id))
            .where(MeetingProject.meeting_id == meeting_id)
            .order_by(col(MeetingProject.for_review).desc(), col(Project.id))
        )
    ).all()
    return [(p, bool(r)) for p, r in rows]


async def joined_projects(db: AsyncSession, participant: Participant) -> set[int]:
    query = select(ProjectMember.project_id).where(ProjectMember.participant_id == participant.id)
    return set((await db.exec(query)).all())


# --- promotion -------------------------------------------------------------------------------


async def promotable_notes(
    db: AsyncSession,
    meeting: Meeting,
    *,
    note_id: int | None = None,
    cluster_id: int | None = None,
    match_id: int | None = None,
) -> tuple[list[Note], str]:
    """The visible notes a promotion would come from, and a suggested title."""
    if match_id is not None:
        # A confirmed match: its concern and its offer (or want), both still visible; titled by the concern.
        match = await db.get(Match, match_id)
        if match is None or match.meeting_id != meeting.id or match.status != MatchStatus.CONFIRMED:
            raise NotFound(N_("このマッチングは見つかりませんでした。"))
        pair = [await db.get(Note, i) for i in (match.concern_note_id, match.offer_note_id) if i is not None]
        notes = [n for n in pair if n is not None and not n.hidden]
        if len(notes) < 2:
            raise NotFound(N_("このマッチングは見つかりませんでした。"))
        return notes, title_prefill(notes[0].text)
    if cluster_id is not None:
        cluster = await db.get(Cluster, cluster_id)
        if cluster is None or cluster.meeting_id != meeting.id:
            raise NotFound(N_("このグループは見つかりませんでした。"))
        query = select(Note).where(Note.cluster_id == cluster_id, col(Note.hidden).is_(False))
        notes = list((await db.exec(query.order_by(col(Note.id)))).all())
        return notes, cluster.name
    note = await db.get(Note, note_id or 0)
    if note is None or note.meeting_id != meeting.id or note.hidden:
        raise NotFound(N_("この付箋は見つかりませんでした。"))
    return [note], title_prefill(note.text)


async def promotion_defaults(
    db: AsyncSession,
    meeting: Meeting,
    *,
    note_id: int | None = None,
    cluster_id: int | None = None,
    match_id: int | None = None,
) -> dict[str, Any]:
    """What the promotion form starts with: the notes' title and text, an idea in the session's
    district (none for a city-wide session), no goal and no owner yet."""
    notes, title = await promotable_notes(
        db, meeting, note_id=note_id, cluster_id=cluster_id, match_id=match_id
    )
    return {
        "title": title,
        "description": "\n".join(f"- {n.text}" for n in notes),
        "status": ProjectStatus.IDEA.value,
        "district_id": [] if meeting.district_id == "city" else [meeting.district_id],
        "goal_id": [],
        "owner": "",
    }


async def promote(
    db: AsyncSession,
    meeting: Meeting,
    actor: Actor,
    data: ProjectInput,
    *,
    note_id: int | None = None,
    cluster_id: int | None = None,
    match_id: int | None = None,
) -> tuple[Project, BoardChange]:
    """Make a project of a note, a cluster or a confirmed match; its origin (session, notes, votes) is kept."""
    notes, _ = await promotable_notes(db, meeting, note_id=note_id, cluster_id=cluster_id, match_id=match_id)
    if not notes:
        raise UserError(N_("このグループには表示中の付箋がありません。"))
    cluster_name = ""
    if cluster_id is not None:
        cluster = await db.get(Cluster, cluster_id)
        cluster_name = cluster.name if cluster else ""
    note_votes, _ = await vote_totals(db, meeting.id or 0, {n.id or 0 for n in notes}, set())
    # A project keeps the table (島) each of its notes came from (no statement without tables).
    table_names = (
        {t.id: t.name for t in await list_tables(db, meeting.id or 0)} if meeting.table_count else {}
    )
    project = Project(
        title=data.title,
        description=data.description,
        status=data.status,
        owner=data.owner,
        meeting_id=meeting.id,
        created_by=actor.user_id,
    )
    db.add(project)
    await db.flush()
    await _set_links(db, project, data)
    history.record(db, project.id or 0, actor, ChangeField.CREATED, ChangeSource.PROMOTION, after=data.status)
    history.record_links(
        db,
        project.id or 0,
        actor,
        ChangeSource.PROMOTION,
        districts=([], data.district_ids),
        goals=([], await goal_titles(db, data.goal_ids)),
    )
    for note in notes:
        db.add(
            ProjectOrigin(
                project_id=project.id or 0,
                note_id=note.id,
                cluster_name=cluster_name,
                table_name=table_names.get(note.table_id, ""),
                kind=note.kind,
                text=note.text,
                votes=note_votes.get(note.id or 0, 0),
                # Marked so that hiding the note can withdraw its text from here (copies.py).
                copied_to_title=holds_title(data.title, note.text),
                copied_to_description=holds_description(data.description, note.text),
            )
        )
    db.add(MeetingProject(meeting_id=meeting.id or 0, project_id=project.id or 0))
    change = await commit_change(
        db, meeting.id or 0, BoardEventType.PROJECT_PROMOTED, project_ids=[project.id or 0]
    )
    return project, change


async def _set_links(db: AsyncSession, project: Project, data: ProjectInput) -> None:
    await db.exec(delete(ProjectDistrict).where(col(ProjectDistrict.project_id) == project.id))
    await db.exec(delete(ProjectGoal).where(col(ProjectGoal.project_id) == project.id))
    for district_id in data.district_ids:
        db.add(ProjectDistrict(project_id=project.id or 0, district_id=district_id))
    for goal_id in dict.fromkeys(data.goal_ids):
        db.add(ProjectGoal(project_id=project.id or 0, goal_id=goal_id))


async def goal_titles(db: AsyncSession, goal_ids: list[int]) -> list[str]:
    """The titles of goals, in the order given (as the history keeps them)."""
    if not goal_ids:
        return []
    rows = (await db.exec(select(VisionGoal).where(col(VisionGoal.id).in_(goal_ids)))).all()
    titles = {g.id: g.title for g in rows}
    return [titles[g] for g in dict.fromkeys(goal_ids) if g in titles]


async def update_project(db: AsyncSession, project: Project, actor: Actor, data: ProjectInput) -> Project:
    pid = project.id or 0
    districts_before = (await districts_of(db, [pid]))[pid]
    goals_before = [g.title for g in await goals_of(db, pid)]
    if data.status != project.status:
        history.record(
            db, pid, actor, ChangeField.STATUS, ChangeSource.FORM, before=project.status, after=data.status
        )
    history.record_links(
        db,
        pid,
        actor,
        ChangeSource.FORM,
        districts=(districts_before, data.district_ids),
        goals=(goals_before, await goal_titles(db, data.goal_ids)),
    )
    project.title, project.description = data.title, data.description
    project.status, project.owner = data.status, data.owner
    await _set_links(db, project, data)
    await db.commit()
    return project


async def create_meeting(
    db: AsyncSession, data: MeetingInput, actor: Actor, *, bring_projects: bool
) -> Meeting:
    """A new session; a roundtable or small-area meeting may review the district's open projects
    on its board (``bring_projects``): they are put there in the same transaction."""

    async def bring(db: AsyncSession, meeting: Meeting) -> None:
        if meeting.kind in REVIEWING_KINDS:
            await bring_open_projects(db, meeting, actor)

    return await meetings.create_meeting(
        db, data, created_by=actor.user_id, prepare=bring if bring_projects else None
    )


#: The sessions that review the district's open projects (next year's roundtable).
REVIEWING_KINDS = (MeetingKind.ROUNDTABLE, MeetingKind.SMALL_AREA)


async def bring_open_projects(db: AsyncSession, meeting: Meeting, actor: Actor) -> BoardChange | None:
    """Next year's roundtable: put the district's open projects on the board for review."""
    if meeting.kind not in REVIEWING_KINDS:
        raise UserError(N_("ふりかえりに呼び出せるのは、地区別懇談会と小地域座談会です。"))
    on_board = {p.id for p, _ in await board_projects(db, meeting.id or 0)}
    query = (
        select(Project)
        .join(ProjectDistrict, col(ProjectDistrict.project_id) == col(Project.id))
        .where(ProjectDistrict.district_id == meeting.district_id, col(Project.status).in_(OPEN_STATUSES))
    )
    found = [p for p in (await db.exec(query)).all() if p.id not in on_board]
    if not found:
        return None
    for project in found:
        db.add(MeetingProject(meeting_id=meeting.id or 0, project_id=project.id or 0, for_review=True))
    return await commit_change(
        db, meeting.id or 0, BoardEventType.PROJECT_PROMOTED, project_ids=[p.id or 0 for p in found]
    )


# --- members ----------------------------------------------------------------------------------


async def _on_board(db: AsyncSession, meeting: Meeting, project_id: int) -> None:
    if await db.get(MeetingProject, (meeting.id, project_id)) is None:
        raise NotFound(N_("このプロジェクトはこの会のボードにありません。"))


async def join(db: AsyncSession, meeting: Meeting, participant: Participant, project_id: int) -> BoardChange:
    """参加したい: a participant of the session takes part; the count updates live."""
    await _on_board(db, meeting, project_id)
    if project_id in await joined_projects(db, participant):
        raise UserError(N_("このプロジェクトにはもう参加しています。"), ErrorKind.CONFLICT)
    db.add(
        ProjectMember(
            project_id=project_id,
            participant_id=participant.id,
            affiliation=participant.affiliation,
            joined_on=utcnow().date(),
        )
    )
    history.record(db, project_id, None, ChangeField.MEMBERS, ChangeSource.PHONE, after="+1")
    await db.flush()
    return await commit_change(
        db,
        meeting.id or 0,
        BoardEventType.PROJECT_JOINED,
        project_ids=[project_id],
        participant_id=participant.id,
    )


async def leave(db: AsyncSession, meeting: Meeting, participant: Participant, project_id: int) -> BoardChange:
    await _on_board(db, meeting, project_id)
    member = (
        await db.exec(
            select(ProjectMember).where(
                ProjectMember.project_id == project_id, ProjectMember.participant_id == participant.id
            )
        )
    ).first()
    if member is None:
        raise UserError(N_("このプロジェクトには参加していません。"), ErrorKind.CONFLICT)
    await db.delete(member)
    # Taking 参加したい back takes the contact left for it too (the consent sentence says so).
    await contacts.forget_participant(db, participant.id or 0, project_id)
    history.record(db, project_id, None, ChangeField.MEMBERS, ChangeSource.PHONE, after="-1")
    await db.flush()
    return await commit_change(
        db,
        meeting.id or 0,
        BoardEventType.PROJECT_LEFT,
        project_ids=[project_id],
        participant_id=participant.id,
    )


async def add_paper_members(
    db: AsyncSession, project: Project, actor: Actor, *, count: int, affiliation: str, joined_on: date
) -> None:
    """Members who signed up on paper: no personal data, just how many and their affiliation."""
    if not 1 <= count <= 200:
        raise UserError(N_("人数は1から200までです。"))
    if affiliation and affiliation not in AFFILIATIONS:
        raise UserError(N_("所属は一覧から選んでください。"))
    for _ in range(count):
        db.add(
            ProjectMember(
                project_id=project.id or 0, affiliation=affiliation, added_by_staff=True, joined_on=joined_on
            )
        )
    history.record(db, project.id or 0, actor, ChangeField.MEMBERS, ChangeSource.PAPER, after=f"+{count}")
    await db.commit()


# --- timeline and evaluation -------------------------------------------------------------------------


async def add_timeline_entry(
    db: AsyncSession, project: Project, actor: Actor, *, happened_on: date, body: str
) -> TimelineEntry:
    body = clean_text(body)
    if not body:
        raise UserError(N_("経過の内容を書いてください。"))
    if len(body) > 5000:
        raise UserError(N_("経過は5000文字までです。"))
    entry = TimelineEntry(
        project_id=project.id or 0, happened_on=happened_on, body=body, author_id=actor.user_id
    )
    db.add(entry)
    await db.commit()
    return entry


async def set_evaluation(
    db: AsyncSession, project_id: int, actor: Actor, *, fiscal_year: int, mark: str, comment: str
) -> Evaluation | None:
    """Set (or with an empty mark, clear) a project's ○/△ for a fiscal year."""
    await get_project(db, project_id)
    if not 2000 <= fiscal_year <= 2100:
        raise UserError(N_("年度が正しくありません。"))
    comment = clean_text(comment)
    if len(comment) > 500:
        raise UserError(N_("コメントは500文字までです。"))
    existing = (
        await db.exec(
            select(Evaluation).where(
                Evaluation.project_id == project_id, Evaluation.fiscal_year == fiscal_year
            )
        )
    ).first()
    if not mark:
        if existing:
            await db.delete(existing)
            await db.commit()
        return None
    if mark not in MARK_LABELS:
        raise UserError(N_("評価は ○（実施）か △（未実施・進捗遅れ）です。"))
    evaluation = existing or Evaluation(project_id=project_id, fiscal_year=fiscal_year, mark=mark)
    evaluation.mark, evaluation.comment = Mark(mark), comment
    evaluation.updated_by, evaluation.updated_at = actor.user_id, utcnow()
    db.add(evaluation)
    await db.commit()
    return evaluation
