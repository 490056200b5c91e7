"""District visions: reading them with the projects that serve each goal, and editing them
with every previous version kept (who, when)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.districts.models import District
from server.errors import NotFound, UserError
from server.i18n import N_, Text
from server.projects.models import Evaluation, Project, ProjectGoal
from server.textutil import clean_text
from server.timeutil import utcnow
from server.visions.models import Vision, VisionGoal, VisionRevision


async def get_district(db: AsyncSession, district_id: str) -> District:
    district = await db.get(District, district_id)
    if district is None or district.is_city_wide:
        raise NotFound(N_("この地区は見つかりませんでした。"))
    return district


async def vision_of(db: AsyncSession, district_id: str) -> Vision:
    """The district's vision; an empty one is made the first time it is asked for."""
    vision = (await db.exec(select(Vision).where(Vision.district_id == district_id))).first()
    if vision is None:
        vision = Vision(district_id=district_id)
        db.add(vision)
        await db.commit()
    return vision


async def goals_of(db: AsyncSession, vision: Vision) -> list[VisionGoal]:
    query = select(VisionGoal).where(VisionGoal.vision_id == vision.id, col(VisionGoal.archived).is_(False))
    return list((await db.exec(query.order_by(col(VisionGoal.position), col(VisionGoal.id)))).all())


@dataclass
class GoalView:
    goal: VisionGoal
    projects: list[tuple[Project, Evaluation | None]]


async def goal_views(db: AsyncSession, vision: Vision) -> list[GoalView]:
    """Each goal with the projects that serve it and their latest evaluation."""
    goals = await goals_of(db, vision)
    links = (
        await db.exec(
            select(ProjectGoal.goal_id, Project)
            .join(Project, col(Project.id) == col(ProjectGoal.project_id))
            .where(col(ProjectGoal.goal_id).in_([g.id for g in goals]))
            .order_by(col(Project.id))
        )
    ).all()
    project_ids = [p.id for _, p in links]
    evaluations = (
        await db.exec(
            select(Evaluation)
            .where(col(Evaluation.project_id).in_(project_ids))
            .order_by(col(Evaluation.fiscal_year))
        )
    ).all()
    latest = {e.project_id: e for e in evaluations}
    return [
        GoalView(goal, [(p, latest.get(p.id or 0)) for goal_id, p in links if goal_id == goal.id])
        for goal in goals
    ]


def _clean(value: str, limit: int, what: Text) -> str:
    value = clean_text(value)
    if len(value) > limit:
        raise UserError(N_("%(what)sは%(limit)s文字までです。", what=what, limit=limit))
    return value


async def edit_picture(db: AsyncSession, vision: Vision, actor: Actor, text: str) -> Vision:
    """Edit 地区の将来像; the text before the edit is kept as a revision."""
    text = _clean(text, 5000, N_("地区の将来像"))
    db.add(VisionRevision(vision_id=vision.id or 0, body=vision.future_picture, edited_by=actor.user_id))
    vision.future_picture, vision.is_sample = text, False
    vision.updated_by, vision.updated_at = actor.user_id, utcnow()
    await db.commit()
    return vision


async def save_goal(
    db: AsyncSession,
    vision: Vision,
    actor: Actor,
    *,
    title: str,
    description: str,
    goal_id: int | None = None,
) -> VisionGoal:
    """Add a goal, or edit one (keeping what it said before)."""
    title = clean_text(title, single_line=True)
    if not title:
        raise UserError(N_("目標の見出しを入れてください。"))
    if len(title) > 120:
        raise UserError(N_("目標の見出しは120文字までです。"))
    description = _clean(description, 5000, N_("目標の説明"))
    if goal_id is None:
        position = len(await goals_of(db, vision))
        goal = VisionGoal(vision_id=vision.id or 0, title=title, description=description, position=position)
    else:
        goal = await _goal(db, vision, goal_id)
        db.add(
            VisionRevision(
                vision_id=vision.id or 0,
                goal_id=goal.id,
                title=goal.title,
                body=goal.description,
                edited_by=actor.user_id,
            )
        )
        goal.title, goal.description, goal.is_sample = title, description, False
    goal.updated_by, goal.updated_at = actor.user_id, utcnow()
    db.add(goal)
    await db.commit()
    return goal


async def _goal(db: AsyncSession, vision: Vision, goal_id: int) -> VisionGoal:
    goal = await db.get(VisionGoal, goal_id)
    if goal is None or goal.vision_id != vision.id:
        raise NotFound(N_("この目標は見つかりませんでした。"))
    return goal


async def revisions_of(db: AsyncSession, vision: Vision) -> list[VisionRevision]:
    query = select(VisionRevision).where(VisionRevision.vision_id == vision.id)
    return list(
        (
            await db.exec(query.order_by(col(VisionRevision.edited_at).desc(), col(VisionRevision.id).desc()))
        ).all()
    )


async def all_goals(db: AsyncSession, district_id: str | None = None) -> list[tuple[VisionGoal, str]]:
    """Every goal with its district's id, for pickers, in the districts' order; with
    ``district_id`` (a session's district) only that district's goals, unless it is the city-wide
    scope (The YORIAI), which may serve any district's goals."""
    query = (
        select(VisionGoal, Vision.district_id)
        .join(Vision, col(Vision.id) == col(VisionGoal.vision_id))
        .join(District, col(District.id) == col(Vision.district_id))
        .where(col(VisionGoal.archived).is_(False))
    )
    if district_id is not None:
        district = await db.get(District, district_id)
        if district is not None and not district.is_city_wide:
            query = query.where(col(Vision.district_id) == district_id)
    rows = (
        await db.exec(
            query.order_by(col(District.position), col(Vision.district_id), col(VisionGoal.position))
        )
    ).all()
    return [(g, d) for g, d in rows]
