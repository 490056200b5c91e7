"""Reachable members, with consent: after 参加したい a phone may leave a contact.

Who sees it: the coordinators (their list and its CSV, under /c). What for: to tell the person
about the project's activities. How long: until they withdraw it or take 参加したい back, and at
most KEEP_MONTHS (the retention command erases older ones). Withdrawing needs no account: the
phone is given a link whose token only they have (its SHA-256 is stored). Contacts never reach
minutes, public pages, the API or other exports, and are not members: indicator Ⅱ-1 counts
``ProjectMember`` as before.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.boards.models import Participant
from server.errors import ErrorKind, NotFound, UserError
from server.i18n import N_, Joined, Text
from server.meetings.models import Meeting
from server.projects.models import MeetingProject, Project, ProjectContact, ProjectMember
from server.reports.tables import Table
from server.textutil import clean_text
from server.timeutil import utcnow

#: How long a contact is kept at most (the consent sentence says so; `yoriai retention` erases older ones).
KEEP_MONTHS = 24
#: The consent sentence a contact was left under (templates/projects/contact.html); change it when the sentence changes.
CONSENT_VERSION = "2026-12"
NAME_MAX = 40
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,200}\.[^@\s.]{2,24}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9()\- ]+$")


@dataclass
class ContactInput:
    name: str
    email: str
    phone: str


def clean_contact(name: str, reach: str, consent: str) -> ContactInput:
    """Check what the phone typed: a name to be called by, an e-mail address or a phone number, and consent."""
    problems: list[Text] = []
    name = clean_text(name, single_line=True)
    if not name:
        problems.append(N_("呼び名を入れてください。"))
    elif len(name) > NAME_MAX:
        problems.append(N_("呼び名は40文字までです。"))
    # Full-width digits, ＠ and hyphens from a Japanese keyboard are read as their ASCII forms.
    reach = clean_text(unicodedata.normalize("NFKC", reach), single_line=True).replace("ー", "-")
    email = phone = ""
    if not reach:
        problems.append(N_("メールアドレスか電話番号を入れてください。"))
    elif "@" in reach:
        if len(reach) > 254 or not _EMAIL.match(reach):
            problems.append(N_("メールアドレスの形が正しくありません。"))
        else:
            email = reach
    else:
        digits = re.sub(r"\D", "", reach)
        if not _PHONE_CHARS.match(reach) or not 10 <= len(digits) <= 13 or len(reach) > 20:
            problems.append(N_("電話番号は 042-123-4567 や 090-1234-5678 の形で入れてください。"))
        else:
            phone = reach
    if consent != "yes":
        problems.append(N_("連絡先の扱いに同意するときは、チェックを入れてください。"))
    if problems:
        raise UserError(Joined(problems))
    return ContactInput(name, email, phone)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def joined_project(
    db: AsyncSession, meeting: Meeting, participant: Participant, project_id: int
) -> Project:
    """The project, if it is on this session's board and this participant said 参加したい."""
    project = await db.get(Project, project_id)
    if project is None or await db.get(MeetingProject, (meeting.id, project_id)) is None:
        raise NotFound(N_("このプロジェクトはこの会のボードにありません。"))
    member = (
        await db.exec(
            select(ProjectMember.id).where(
                ProjectMember.project_id == project_id, ProjectMember.participant_id == participant.id
            )
        )
    ).first()
    if member is None:
        raise UserError(N_("先に「参加したい」を押してください。"), ErrorKind.CONFLICT)
    return project


async def contact_of(db: AsyncSession, participant: Participant, project_id: int) -> ProjectContact | None:
    query = select(ProjectContact).where(
        ProjectContact.project_id == project_id, ProjectContact.participant_id == participant.id
    )
    return (await db.exec(query)).first()


async def leave_contact(
    db: AsyncSession, meeting: Meeting, participant: Participant, project_id: int, data: ContactInput
) -> tuple[ProjectContact, str]:
    """Store (or replace) this participant's contact for a project they joined; returns it and the
    withdrawal token, which is shown once and never stored."""
    await joined_project(db, meeting, participant, project_id)
    token = secrets.token_urlsafe(24)
    contact = await contact_of(db, participant, project_id) or ProjectContact(
        project_id=project_id, participant_id=participant.id, name="", consent="", withdraw_hash=""
    )
    contact.name, contact.email, contact.phone = data.name, data.email, data.phone
    contact.consent, contact.withdraw_hash, contact.created_at = CONSENT_VERSION, token_hash(token), utcnow()
    db.add(contact)
    await db.commit()
    return contact, token


async def withdraw_own(db: AsyncSession, meeting: Meeting, participant: Participant, project_id: int) -> None:
    """The phone that left it withdraws it (from the session's page, with its cookie)."""
    contact = await contact_of(db, participant, project_id)
    if contact is None or await db.get(MeetingProject, (meeting.id, project_id)) is None:
        raise NotFound(N_("連絡先は残っていません。"))
    await db.delete(contact)
    await db.commit()


async def by_token(db: AsyncSession, token: str) -> tuple[ProjectContact, Project]:
    """The contact a withdrawal link points at (no account: the token is the key)."""
    if not 20 <= len(token) <= 64:
        raise NotFound(WITHDRAWN)
    contact = (
        await db.exec(select(ProjectContact).where(ProjectContact.withdraw_hash == token_hash(token)))
    ).first()
    project = await db.get(Project, contact.project_id) if contact else None
    if contact is None or project is None:
        raise NotFound(WITHDRAWN)
    return contact, project


WITHDRAWN = N_("この連絡先はもうありません（取り消し済みか、保存期間が過ぎました）。")


async def withdraw_by_token(db: AsyncSession, token: str) -> Project:
    contact, project = await by_token(db, token)
    await db.delete(contact)
    await db.commit()
    return project


async def forget_participant(db: AsyncSession, participant_id: int, project_id: int | None = None) -> int:
    """Erase a participant's contacts (all, or one project's): when they take 参加したい back, or an
    admin erases their data. The caller commits."""
    query = delete(ProjectContact).where(col(ProjectContact.participant_id) == participant_id)
    if project_id is not None:
        query = query.where(col(ProjectContact.project_id) == project_id)
    result = await db.exec(query)
    return int(result.rowcount or 0)


async def retire_contacts(db: AsyncSession, *, months: int = KEEP_MONTHS, now: datetime | None = None) -> int:
    """The retention command: erase contacts left more than ``months`` ago."""
    if months < 1:
        raise UserError(N_("保存期間は1か月以上にしてください。"))
    cutoff = (now or utcnow()) - timedelta(days=30 * months)
    result = await db.exec(delete(ProjectContact).where(col(ProjectContact.created_at) < cutoff))
    await db.commit()
    return int(result.rowcount or 0)


# --- the coordinators' side ---------------------------------------------------------------------


def _require_staff(actor: Actor) -> None:
    """Staff only (the coordinators' routes are guarded for the role)."""
    require_staff(actor, N_("コーディネーターのアカウントでサインインしてください。"))


async def contacts_of(db: AsyncSession, actor: Actor, project_id: int) -> list[ProjectContact]:
    _require_staff(actor)
    query = (
        select(ProjectContact)
        .where(ProjectContact.project_id == project_id)
        .order_by(col(ProjectContact.created_at), col(ProjectContact.id))
    )
    return list((await db.exec(query)).all())


async def contact_counts(db: AsyncSession, project_ids: list[int]) -> dict[int, int]:
    query = (
        select(ProjectContact.project_id, func.count())
        .where(col(ProjectContact.project_id).in_(project_ids))
        .group_by(col(ProjectContact.project_id))
    )
    return {pid: int(n) for pid, n in (await db.exec(query)).all()}


def contacts_table(project: Project, contacts: list[ProjectContact]) -> Table:
    """The coordinator's own contact list (CSV): the only export that holds contacts."""
    return Table(
        f"連絡先 {project.title}",
        [str(N_("呼び名")), str(N_("メールアドレス")), str(N_("電話番号")), str(N_("残した日"))],
        [[c.name, c.email, c.phone, c.created_at] for c in contacts],
    )
