"""Public district pages: a coordinator publishes a district's projects at /d/{district}.

Read-only, for residents who were not in the hall (a QR on a community centre's notice board):
each project's title, status, the vision goals it serves, its participant count and its latest
yearly evaluation (○/△ and the year: not the coordinator's comment). Nothing hidden or personal:
no description (the promote form prefills it with participants' notes), no notes, no origin, no
comments, no contacts, no names. 参加したい there goes through
the same consent sentence as on a phone and needs a contact (with no session to come from, a
contact is what makes it a sign-up rather than a number anyone can push up); it adds a member,
as a paper sign-up does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.districts.models import District
from server.errors import NotFound
from server.i18n import N_
from server.projects import contacts, history
from server.projects import service as projects
from server.projects.models import (
    ChangeField,
    ChangeSource,
    Evaluation,
    Project,
    ProjectContact,
    ProjectDistrict,
    ProjectGoal,
    ProjectMember,
)
from server.timeutil import utcnow
from server.visions.models import VisionGoal

NOT_PUBLIC = N_("このページは公開されていません。")


async def set_public(db: AsyncSession, actor: Actor, district_id: str, public: bool) -> District:
    require_staff(actor, N_("コーディネーターのアカウントでサインインしてください。"))
    district = await db.get(District, district_id)
    if district is None or district.is_city_wide:
        raise NotFound(N_("この地区は見つかりませんでした。"))
    district.public_page = public
    db.add(district)
    await db.commit()
    return district


async def district(db: AsyncSession, district_id: str) -> District:
    """A district (not the city-wide scope), public or not: its settings and its notice."""
    found = await db.get(District, district_id)
    if found is None or found.is_city_wide:
        raise NotFound(N_("この地区は見つかりませんでした。"))
    return found


async def public_district(db: AsyncSession, district_id: str) -> District:
    district = await db.get(District, district_id)
    if district is None or district.is_city_wide or not district.public_page:
        raise NotFound(NOT_PUBLIC)
    return district


@dataclass
class PublicProject:
    project: Project
    goals: list[VisionGoal] = field(default_factory=list)
    latest: Evaluation | None = None
    members: int = 0


async def public_projects(db: AsyncSession, district: District) -> list[PublicProject]:
    """The district's projects as the public page shows them: four queries, whatever their number."""
    items = await projects.list_projects(db, projects.ProjectFilters(district_id=district.id))
    ids = [p.id or 0 for p in items]
    goals: dict[int, list[VisionGoal]] = {pid: [] for pid in ids}
    query = (
        select(ProjectGoal.project_id, VisionGoal)
        .join(VisionGoal, col(VisionGoal.id) == col(ProjectGoal.goal_id))
        .where(col(ProjectGoal.project_id).in_(ids), col(VisionGoal.archived).is_(False))
        .order_by(col(VisionGoal.position), col(VisionGoal.id))
    )
    for pid, goal in (await db.exec(query)).all():
        goals[pid].append(goal)
    latest = await projects.latest_evaluations(db, ids)
    members = await projects.member_counts(db, ids)
    return [
        PublicProject(p, goals[p.id or 0], latest.get(p.id or 0), members.get(p.id or 0, 0)) for p in items
    ]


async def public_project(db: AsyncSession, district: District, project_id: int) -> Project:
    """A project of this published district (anything else is not found)."""
    link = await db.get(ProjectDistrict, (project_id, district.id))
    project = await db.get(Project, project_id) if link else None
    if project is None:
        raise NotFound(N_("このプロジェクトは見つかりませんでした。"))
    return project


async def sign_up(
    db: AsyncSession, district: District, project_id: int, data: contacts.ContactInput
) -> tuple[Project, str]:
    """参加したい from the public page: a member (counted as any 参加したい) and the contact left with
    consent; returns the project and the contact's withdrawal token (shown once)."""
    project = await public_project(db, district, project_id)
    token = secrets.token_urlsafe(24)
    db.add(
        ProjectMember(project_id=project_id, affiliation="", added_by_staff=False, joined_on=utcnow().date())
    )
    db.add(
        ProjectContact(
            project_id=project_id,
            participant_id=None,
            name=data.name,
            email=data.email,
            phone=data.phone,
            consent=contacts.CONSENT_VERSION,
            withdraw_hash=contacts.token_hash(token),
        )
    )
    history.record(db, project_id, None, ChangeField.MEMBERS, ChangeSource.PUBLIC, after="+1")
    await db.commit()
    return project, token
