"""How a project got here: every change of its status, districts, goals and members, with who
and when, shown on its timeline among the dated entries coordinators write.

Recorded by the service that makes the change, in the same transaction (``record``). A phone's
参加したい is recorded as "+1 from a phone", never as who: the history holds nothing about a
participant, so erasing a participant or the retention command has nothing to remove here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import User
from server.projects.models import ChangeField, ChangeSource, ProjectChange, TimelineEntry
from server.timeutil import to_jst


def record(
    db: AsyncSession,
    project_id: int,
    actor: Actor | None,
    field: ChangeField,
    source: ChangeSource,
    *,
    before: str | list[str] = "",
    after: str | list[str] = "",
) -> None:
    """Add one change to the session (the caller commits it with the change itself)."""
    db.add(
        ProjectChange(
            project_id=project_id,
            field=field,
            source=source,
            user_id=actor.user_id if actor else None,
            before=_text(before),
            after=_text(after),
        )
    )


def _text(value: str | list[str]) -> str:
    return json.dumps(value, ensure_ascii=False)[:4000] if isinstance(value, list) else value[:4000]


def record_links(
    db: AsyncSession,
    project_id: int,
    actor: Actor | None,
    source: ChangeSource,
    *,
    districts: tuple[list[str], list[str]],
    goals: tuple[list[str], list[str]],
) -> None:
    """Districts and goals (before, after), each recorded only if it changed (order ignored)."""
    for field, (before, after) in ((ChangeField.DISTRICTS, districts), (ChangeField.GOALS, goals)):
        if sorted(before) != sorted(after):
            record(db, project_id, actor, field, source, before=before, after=after)


@dataclass
class Change:
    """A change as the timeline shows it."""

    field: str
    source: str
    before: Any
    after: Any
    who: str  # the staff member's name or e-mail; "" for phones
    at: datetime
    count: int = 1  # members: phones' changes of one day are shown together

    @property
    def day(self) -> date:
        return to_jst(self.at).date()


def _value(field: str, raw: str) -> Any:
    if field in (ChangeField.DISTRICTS, ChangeField.GOALS):
        try:
            value = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []
    return raw


async def changes_of(db: AsyncSession, project_id: int) -> list[Change]:
    """A project's changes, oldest first, in one query; member changes from phones (or from the
    public page) in a row on the same day are added up into one line ("+3 −1" reads as +2)."""
    query = (
        select(ProjectChange, User)
        .join(User, col(User.id) == col(ProjectChange.user_id), isouter=True)
        .where(ProjectChange.project_id == project_id)
        .order_by(col(ProjectChange.changed_at), col(ProjectChange.id))
    )
    result: list[Change] = []
    for change, user in (await db.exec(query)).all():
        who = (user.display_name or user.email) if user else ""
        if change.field == ChangeField.MEMBERS:
            delta = _delta(change.after)
            last = result[-1] if result else None
            if (
                change.source in (ChangeSource.PHONE, ChangeSource.PUBLIC)
                and last is not None
                and last.field == ChangeField.MEMBERS
                and last.source == change.source
                and last.day == to_jst(change.changed_at).date()
            ):
                last.after += delta
                last.count += 1
                continue
            result.append(Change(change.field, change.source, 0, delta, who, change.changed_at))
            continue
        result.append(
            Change(
                change.field,
                change.source,
                _value(change.field, change.before),
                _value(change.field, change.after),
                who,
                change.changed_at,
            )
        )
    return result


def _delta(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        return 0


@dataclass
class TimelineItem:
    day: date
    entry: TimelineEntry | None = None
    change: Change | None = None


def merged_timeline(entries: list[TimelineEntry], changes: list[Change]) -> list[TimelineItem]:
    """Entries and changes by day (Japan time), entries first on a day they share."""
    items = [TimelineItem(e.happened_on, entry=e) for e in entries]
    items += [TimelineItem(c.day, change=c) for c in changes]
    return sorted(items, key=lambda i: (i.day, i.entry is None))
