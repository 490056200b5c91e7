"""Text a project copied from its origin notes (the board's rule on the projects' tables).

The promote form fills the project's title and description with the notes' text. A field counts
as copied from a note when, at promotion, it contains that note's text (the prefill kept, or only
added to): ``ProjectOrigin.copied_to_title`` / ``copied_to_description``. A field the facilitator
rewrote is their own text and is not marked.

The rule: hidden notes, and anything copied from them, never leave the console. Hiding a note
therefore withdraws its text from every project that still holds it (the title becomes a neutral
placeholder, the text is cut out of the description), unless the facilitator chooses to keep it
in a given project. Either way the project's timeline says so, without the text.

It lives with the board, where notes are hidden and removed, so that the withdrawal is part of
the same transaction and needs nothing from the projects' services (docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.boards.models import Note
from server.i18n import N_
from server.projects.models import MeetingProject, Project, ProjectOrigin, TimelineEntry
from server.timeutil import utcnow

#: The promote form suggests a note's first 60 characters as the project's title.
TITLE_PREFILL_LENGTH = 60

_BULLET_ONLY = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*$")


def title_prefill(text: str) -> str:
    return text[:TITLE_PREFILL_LENGTH]


def _pattern(text: str) -> re.Pattern[str] | None:
    """The text, matched whatever whitespace separates its words (a title folds newlines)."""
    words = text.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


def _patterns(texts: Collection[str], *, in_title: bool) -> list[re.Pattern[str]]:
    fragments = set(texts)
    if in_title:
        fragments |= {title_prefill(t) for t in texts}
    found = (_pattern(f) for f in sorted(fragments, key=len, reverse=True))
    return [p for p in found if p is not None]


def holds_title(title: str, *texts: str) -> bool:
    """Whether a title holds one of these note texts, or the prefill cut from one."""
    return any(p.search(title) for p in _patterns(texts, in_title=True))


def holds_description(description: str, *texts: str) -> bool:
    return any(p.search(description) for p in _patterns(texts, in_title=False))


def cut_from_description(description: str, *texts: str) -> str:
    """The description without these texts; a list item they leave empty goes with them."""
    cut = "\x00"  # marks where a text was (control characters never survive clean_text)
    for pattern in _patterns(texts, in_title=False):
        description = pattern.sub(cut, description)
    lines = []
    for line in description.split("\n"):
        if cut in line:
            line = line.replace(cut, "").rstrip()
            if _BULLET_ONLY.match(line):
                continue
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def withdrawn_title(project_id: int) -> str:
    """The neutral title that replaces a withdrawn one (data: in the facilitator's language)."""
    return str(N_("プロジェクト #%(id)s（題名を取り下げました）", id=project_id))


@dataclass
class Copy:
    """A project that still holds a note's text, and where."""

    project: Project
    origin: ProjectOrigin
    in_title: bool
    in_description: bool


async def copies_of(db: AsyncSession, note: Note) -> list[Copy]:
    """The projects whose title or description was copied from this note and still holds it."""
    rows = (
        await db.exec(
            select(ProjectOrigin, Project)
            .join(Project, col(Project.id) == col(ProjectOrigin.project_id))
            .where(
                ProjectOrigin.note_id == note.id,
                col(ProjectOrigin.copied_to_title) | col(ProjectOrigin.copied_to_description),
            )
            .order_by(col(Project.id))
        )
    ).all()
    copies = []
    for origin, project in rows:
        texts = (origin.text, note.text)  # as promoted, and as it reads now
        in_title = origin.copied_to_title and holds_title(project.title, *texts)
        in_description = origin.copied_to_description and holds_description(project.description, *texts)
        if in_title or in_description:
            copies.append(Copy(project, origin, in_title, in_description))
    return copies


async def withdraw_hidden_note(
    db: AsyncSession, note: Note, *, author_id: int | None, withdraw_from: Collection[int] | None = None
) -> list[Project]:
    """A note was just hidden: take its text out of the projects that copied it (all of them,
    or those in ``withdraw_from``); the others keep it, the facilitator's explicit choice.
    Each project's timeline records which, without the text. Returns the projects changed.
    The caller commits."""
    changed = []
    today = utcnow().date()
    for copy in await copies_of(db, note):
        project, origin = copy.project, copy.origin
        if withdraw_from is not None and project.id not in withdraw_from:
            body = N_(
                "元になった付箋が非表示になりました。その付箋から写した文は、"
                "ファシリテーターの判断でプロジェクトに残しています。"
            )
        else:
            texts = (origin.text, note.text)
            if copy.in_title:
                project.title = withdrawn_title(project.id or 0)
                origin.copied_to_title = False
            if copy.in_description:
                project.description = cut_from_description(project.description, *texts)
                origin.copied_to_description = False
            body = N_(
                "元になった付箋が非表示になったため、その付箋から写した文をプロジェクトから"
                "取り下げました（%(where)s）。",
                where=_where(copy),
            )
            changed.append(project)
        db.add(
            TimelineEntry(project_id=project.id or 0, happened_on=today, body=str(body), author_id=author_id)
        )
    return changed


def _where(copy: Copy) -> str:
    if copy.in_title and copy.in_description:
        return str(N_("プロジェクト名と説明"))
    return str(N_("プロジェクト名") if copy.in_title else N_("説明"))


async def boards_showing(db: AsyncSession, project_ids: Collection[int]) -> dict[int, list[int]]:
    """The sessions whose boards show these projects: session id -> project ids."""
    if not project_ids:
        return {}
    rows = (
        await db.exec(
            select(MeetingProject)
            .where(col(MeetingProject.project_id).in_(project_ids))
            .order_by(col(MeetingProject.meeting_id), col(MeetingProject.project_id))
        )
    ).all()
    shown: dict[int, list[int]] = {}
    for row in rows:
        shown.setdefault(row.meeting_id, []).append(row.project_id)
    return shown


async def withdraw_removed_notes(db: AsyncSession, notes: Collection[Note]) -> list[Project]:
    """Notes were just removed by their author, or erased on request: their text leaves every
    project too, with no choice to keep it (the person asked for it gone). Copied titles and
    descriptions are withdrawn as for a hidden note, and the project's record of the note keeps
    its kind and votes (the indicators count them) but not its text. Returns the projects
    changed; the caller commits. (Retention's ``--remove`` is different: projects keep what they
    copied, docs/security.md.)"""
    changed: dict[int, Project] = {}
    today = utcnow().date()
    for note in notes:
        for copy in await copies_of(db, note):
            texts = (copy.origin.text, note.text)
            if copy.in_title:
                copy.project.title = withdrawn_title(copy.project.id or 0)
            if copy.in_description:
                copy.project.description = cut_from_description(copy.project.description, *texts)
            changed[copy.project.id or 0] = copy.project
    ids = [n.id for n in notes if n.id is not None]
    origins = (await db.exec(select(ProjectOrigin).where(col(ProjectOrigin.note_id).in_(ids)))).all()
    for origin in origins:
        origin.text = ""
        origin.copied_to_title = origin.copied_to_description = False
        body = N_("元になった付箋が消されたため、その文をプロジェクトから取り下げました。")
        db.add(TimelineEntry(project_id=origin.project_id, happened_on=today, body=str(body)))
        if origin.project_id not in changed and (project := await db.get(Project, origin.project_id)):
            changed[origin.project_id] = project
    return list(changed.values())
