"""Tables (島) in one session: five to eight tables of five or six people, each working on its own
notes (テーブルワーク), and a plenary (全体共有) that brings them together on the projector.

A session has no tables by default: the whole room shares one board, as before. The facilitator
sets how many and names them (A, B, C… unless the district uses its own names). Each table has a
card (卓上カード) whose QR and code join straight to it; a participant who joins by the session's
code chooses a table. People move (by themselves, or the facilitator moves them); a note stays
with the table it was written at. Every change here is a board event like any other.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.accounts.models import User
from server.boards.events import BoardChange, commit_change
from server.boards.models import (
    MAX_TABLES,
    TABLE_NAME_MAX_LENGTH,
    BoardEventType,
    HostLinkUse,
    Note,
    Participant,
    Table,
    TableSeat,
    TableStaffHost,
)
from server.boards.rounds import pairs_at, reshuffle
from server.boards.service import hide_note
from server.boards.state import TableInfo, list_tables, participants_per_table, table_infos
from server.errors import ErrorKind, Forbidden, NotFound, UserError
from server.i18n import N_
from server.meetings.models import Meeting
from server.textutil import clean_text
from server.timeutil import utcnow

__all__ = [
    "TableInfo",
    "choose_table",
    "clean_table_form",
    "default_name",
    "get_table",
    "hide_as_host",
    "host_link",
    "hosted_table",
    "list_tables",
    "move_participant",
    "set_host",
    "set_staff_host",
    "set_table_work",
    "set_tables",
    "staff_accounts",
    "staff_hosted_table",
    "staff_hosts",
    "start_round",
    "table_by_code",
    "table_code_of",
    "table_infos",
    "use_host_link",
]

#: A table card's typed code: the session's six digits and the table's two.
TABLE_CODE_LENGTH = 8


def default_name(position: int) -> str:
    """A, B, C… (then 21, 22… past Z, which no hall reaches)."""
    return chr(ord("A") + position) if position < 26 else str(position + 1)


def clean_table_form(form: dict[str, str]) -> list[str]:
    """The number of tables and their names from the facilitator's form (``count``, ``name_1``…).
    An empty name is the default letter."""
    raw = form.get("count", "").strip()
    if not raw.isdigit() or int(raw) > MAX_TABLES:
        raise UserError(N_("島の数は0から%(max)sまでの数字で入れてください（0は島なし）。", max=MAX_TABLES))
    count = int(raw)
    names: list[str] = []
    for position in range(count):
        name = clean_text(form.get(f"name_{position + 1}", ""), single_line=True) or default_name(position)
        if len(name) > TABLE_NAME_MAX_LENGTH:
            raise UserError(N_("島の名前は%(max)s文字までです。", max=TABLE_NAME_MAX_LENGTH))
        if name in names:
            raise UserError(N_("島の名前「%(name)s」が二つあります。別の名前にしてください。", name=name))
        names.append(name)
    return names


async def set_tables(db: AsyncSession, meeting: Meeting, actor: Actor, *, names: list[str]) -> BoardChange:
    """Give the session ``len(names)`` tables with these names (none: one board for the whole room).

    Tables are kept by position, so a renamed table keeps its people, notes and card. A table
    that goes away must have no notes (notes stay with their table); its people sit at no table
    until they choose again."""
    require_staff(actor)
    assert meeting.id is not None
    if len(names) > MAX_TABLES:
        raise UserError(N_("島の数は0から%(max)sまでの数字で入れてください（0は島なし）。", max=MAX_TABLES))
    existing = await list_tables(db, meeting.id)
    leaving = [t.id for t in existing if t.position >= len(names)]
    if leaving:
        written = (
            await db.exec(select(func.count()).select_from(Note).where(col(Note.table_id).in_(leaving)))
        ).one()
        if written:
            raise UserError(
                N_(
                    "付箋が書かれた島は減らせません（付箋は書かれた島に残ります）。名前を変えることはできます。"
                ),
                ErrorKind.CONFLICT,
            )
        seated = await db.exec(select(Participant).where(col(Participant.table_id).in_(leaving)))
        for participant in seated.all():
            participant.table_id = None
            db.add(participant)
        await db.flush()
    by_position = {t.position: t for t in existing}
    if leaving:  # a table that goes away has no staff host any more
        assigned = await db.exec(select(TableStaffHost).where(col(TableStaffHost.table_id).in_(leaving)))
        for row in assigned.all():
            await db.delete(row)
        await db.flush()
    for gone in existing:
        if gone.position >= len(names):
            if meeting.spotlight_table_id == gone.id:
                meeting.spotlight_table_id = None  # a table that goes away no longer presents
            await db.delete(gone)
    for position, name in enumerate(names):
        kept = by_position.get(position)
        if kept is None:
            db.add(Table(meeting_id=meeting.id, name=name, position=position, code=f"{position + 1:02d}"))
        else:
            kept.name = name
            db.add(kept)
    meeting.table_count = len(names)
    if not names:
        meeting.table_work = False
    db.add(meeting)
    return await commit_change(db, meeting.id, BoardEventType.TABLES_CHANGED)


async def get_table(db: AsyncSession, meeting: Meeting, table_id: int) -> Table:
    table = await db.get(Table, table_id)
    if table is None or table.meeting_id != meeting.id:
        raise NotFound(N_("その島は見つかりませんでした。"))
    return table


async def table_by_code(db: AsyncSession, meeting: Meeting, code: str) -> Table | None:
    """The table whose card carries this two-digit code, if the session has it."""
    if not code:
        return None
    result = await db.exec(select(Table).where(Table.meeting_id == meeting.id, Table.code == code[:2]))
    return result.first()


def table_code_of(meeting: Meeting, table: Table) -> str:
    """The code typed from a table card: the session's six digits, then the table's two."""
    return f"{meeting.join_code}{table.code}"


async def _seat(
    db: AsyncSession, meeting: Meeting, participant: Participant, table: Table | None
) -> BoardChange:
    assert meeting.id is not None and participant.id is not None
    participant.table_id = table.id if table else None
    db.add(participant)
    await db.flush()
    counts = await participants_per_table(db, meeting.id)
    change = await commit_change(db, meeting.id, BoardEventType.TABLE_CHOSEN, participant_id=participant.id)
    change.moved = {participant.id: participant.table_id}
    change.table_counts = counts
    return change


async def choose_table(
    db: AsyncSession, meeting: Meeting, participant: Participant, actor: Actor, table_id: int
) -> BoardChange:
    """A participant sits down at a table, or moves to another, from their phone."""
    if actor.participant_id != participant.id:
        raise Forbidden(N_("自分の島だけを選べます。"))
    table = await get_table(db, meeting, table_id)
    return await _seat(db, meeting, participant, table)


async def move_participant(
    db: AsyncSession, meeting: Meeting, actor: Actor, participant_id: int, table_id: int | None
) -> BoardChange:
    """The facilitator moves someone to another table (or to none)."""
    require_staff(actor)
    participant = await db.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        raise NotFound(N_("その参加者は見つかりませんでした。"))
    table = await get_table(db, meeting, table_id) if table_id is not None else None
    return await _seat(db, meeting, participant, table)


async def set_table_work(db: AsyncSession, meeting: Meeting, actor: Actor, *, on: bool) -> BoardChange:
    """Move the room to table work (each phone sees and posts to its own table) or to the
    plenary (全体共有: everyone sees every table)."""
    require_staff(actor)
    if on and not meeting.table_count:
        raise UserError(N_("島がないので、テーブルワークにできません。先に島の数を決めてください。"))
    meeting.table_work = on
    db.add(meeting)
    return await commit_change(db, meeting.id or 0, BoardEventType.TABLE_MODE_CHANGED)


async def earlier_pairs(db: AsyncSession, meeting_id: int) -> set[frozenset[int]]:
    """Everyone who shared a table in a round that ended (ワールドカフェ), as pairs."""
    seats = (
        await db.exec(
            select(TableSeat.round, TableSeat.table_id, TableSeat.participant_id).where(
                TableSeat.meeting_id == meeting_id
            )
        )
    ).all()
    met: set[frozenset[int]] = set()
    for round_number in {seat[0] for seat in seats}:
        met |= pairs_at({person: table for number, table, person in seats if number == round_number})
    return met


async def seated_participants(db: AsyncSession, meeting: Meeting) -> list[Participant]:
    """The session's participants in the order they joined, for the facilitator's table page
    (anonymous: nicknames only, when they gave one)."""
    result = await db.exec(
        select(Participant).where(Participant.meeting_id == meeting.id).order_by(col(Participant.id))
    )
    return list(result.all())


async def set_host(
    db: AsyncSession, meeting: Meeting, actor: Actor, participant_id: int, *, host: bool
) -> BoardChange:
    """Make someone their table's host (テーブルホスト), or not: a host stays when a round
    reshuffles, and may hide their own table's notes from their phone. Their phone loads its
    page again (it gets the host's controls)."""
    require_staff(actor)
    participant = await db.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        raise NotFound(N_("その参加者は見つかりませんでした。"))
    if host and participant.table_id is None:
        raise UserError(N_("島が決まっていない人はホストにできません。先に島に移してください。"))
    participant.table_host = host
    return await _seat(
        db,
        meeting,
        participant,
        await get_table(db, meeting, participant.table_id) if participant.table_id else None,
    )


async def hide_as_host(
    db: AsyncSession, meeting: Meeting, participant: Participant, note_id: int
) -> list[BoardChange]:
    """A table's host hides a note of their own table from their phone (never another table's)."""
    if not participant.table_host or participant.table_id is None:
        raise Forbidden(N_("付箋を非表示にできるのは、ファシリテーターと島のホストだけです。"))
    return await hide_note(
        db, meeting, note_id, Actor.participant(participant.id), host_table=participant.table_id
    )


async def start_round(
    db: AsyncSession, meeting: Meeting, actor: Actor, *, seed: int | None = None
) -> BoardChange:
    """A new world-café round (ワールドカフェ): the hosts stay, everyone else moves to the table
    ``rounds.reshuffle`` draws (deterministic: the seed is the session and the round unless given),
    and every phone loads its page again showing its next table. Notes stay where they were written.
    The seating of the round that ends is kept (``TableSeat``): nobody meets again, where it can
    be avoided, anyone they shared a table with in any earlier round."""
    require_staff(actor)
    assert meeting.id is not None
    if not meeting.table_count:
        raise UserError(N_("島がないので、ラウンドを始められません。先に島の数を決めてください。"))
    people = await seated_participants(db, meeting)
    table_ids = [t.id or 0 for t in await list_tables(db, meeting.id)]
    ending = meeting.table_round + 1  # round 1 is the seating before the first reshuffle
    db.add_all(
        TableSeat(meeting_id=meeting.id, round=ending, participant_id=p.id or 0, table_id=p.table_id)
        for p in people
        if p.table_id is not None
    )
    await db.flush()
    plan = reshuffle(
        {p.id or 0: p.table_id for p in people},
        table_ids,
        hosts=[p.id or 0 for p in people if p.table_host],
        met=await earlier_pairs(db, meeting.id),
        affiliations={p.id or 0: p.affiliation for p in people},
        seed=seed if seed is not None else meeting.id * 1000 + meeting.table_round + 1,
    )
    moved: dict[int, int | None] = {}
    for participant in people:
        new_table = plan.get(participant.id or 0)
        if new_table is not None and new_table != participant.table_id:
            participant.table_id = new_table
            db.add(participant)
            moved[participant.id or 0] = new_table
    meeting.table_round += 1
    db.add(meeting)
    await db.flush()
    counts = await participants_per_table(db, meeting.id)
    change = await commit_change(db, meeting.id, BoardEventType.TABLE_ROUND_STARTED)
    change.moved = moved
    change.table_counts = counts
    return change


def hosted_table(participant: Participant) -> int:
    """The table a participant hosts (テーブルホスト): their rights as a host end there."""
    if not participant.table_host or participant.table_id is None:
        raise Forbidden(
            N_("これは島のホストだけができます。ファシリテーターにホストにしてもらってください。")
        )
    return participant.table_id


#: How long a one-time host link (ホスト用リンク) works after the facilitator made it.
HOST_LINK_LIFETIME = timedelta(hours=2)


def _host_link_signature(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), f"host:{body}".encode(), hashlib.sha256).hexdigest()[:32]


async def host_link(db: AsyncSession, meeting: Meeting, actor: Actor, table_id: int, secret: str) -> str:
    """A one-time link (its token) that makes whoever opens it on their phone the host of this
    table: signed with the server's secret, valid for two hours, usable once (``use_host_link``).
    Nothing is stored until it is used."""
    require_staff(actor)
    table = await get_table(db, meeting, table_id)
    expires = int((utcnow() + HOST_LINK_LIFETIME).timestamp())
    body = f"{meeting.id}-{table.id}-{expires}-{secrets.token_hex(8)}"
    return f"{body}-{_host_link_signature(secret, body)}"


async def host_link_table(db: AsyncSession, meeting: Meeting, token: str, secret: str) -> Table:
    """The table a host link is for, if it is genuine, for this session, not expired and unused."""
    body, _, signature = token.rpartition("-")
    parts = body.split("-")
    if (
        len(parts) != 4
        or not all(p.isalnum() for p in parts)
        or not hmac.compare_digest(_host_link_signature(secret, body).encode(), signature.encode()[:64])
    ):
        raise Forbidden(
            N_("このホスト用リンクは正しくありません。ファシリテーターに新しいリンクをもらってください。")
        )
    meeting_id, table_id, expires, nonce = parts
    if meeting_id != str(meeting.id):
        raise Forbidden(N_("このホスト用リンクは、この会のものではありません。"))
    if int(expires) < utcnow().timestamp():
        raise Forbidden(
            N_(
                "このホスト用リンクは期限が切れています（2時間）。ファシリテーターに新しいリンクをもらってください。"
            )
        )
    if await db.get(HostLinkUse, nonce) is not None:
        raise Forbidden(
            N_(
                "このホスト用リンクはもう使われました（1回かぎり）。ファシリテーターに新しいリンクをもらってください。"
            )
        )
    return await get_table(db, meeting, int(table_id))


async def use_host_link(
    db: AsyncSession, meeting: Meeting, participant: Participant, actor: Actor, token: str, secret: str
) -> BoardChange:
    """The participant who opened a host link becomes the host of its table (and sits there); the
    link is used up."""
    if actor.participant_id != participant.id:
        raise Forbidden(N_("ホスト用リンクは、自分のスマホで開いてください。"))
    table = await host_link_table(db, meeting, token, secret)
    db.add(HostLinkUse(nonce=token.split("-")[3], meeting_id=meeting.id or 0))
    try:
        await db.flush()
    except IntegrityError:  # the same link used at the same moment on another phone
        await db.rollback()
        raise Forbidden(
            N_(
                "このホスト用リンクはもう使われました（1回かぎり）。ファシリテーターに新しいリンクをもらってください。"
            )
        ) from None
    participant.table_host = True
    return await _seat(db, meeting, participant, table)


async def set_staff_host(
    db: AsyncSession, meeting: Meeting, actor: Actor, table_id: int, user_id: int, *, host: bool
) -> None:
    """Assign a signed-in staff member as a table's host, or take it back (no board event: no
    screen shows it; their host's page checks it at every request)."""
    require_staff(actor)
    table = await get_table(db, meeting, table_id)
    if await db.get(User, user_id) is None:
        raise NotFound(N_("その職員は見つかりませんでした。"))
    row = (
        await db.exec(
            select(TableStaffHost).where(
                TableStaffHost.table_id == table.id, TableStaffHost.user_id == user_id
            )
        )
    ).first()
    if host and row is None:
        db.add(TableStaffHost(meeting_id=meeting.id or 0, table_id=table.id or 0, user_id=user_id))
    elif not host and row is not None:
        await db.delete(row)
    await db.commit()


async def staff_hosts(db: AsyncSession, meeting: Meeting) -> dict[int, list[User]]:
    """The staff members hosting each table, for the tables page."""
    rows = await db.exec(
        select(TableStaffHost.table_id, User)
        .join(User, col(User.id) == col(TableStaffHost.user_id))
        .where(TableStaffHost.meeting_id == meeting.id)
        .order_by(col(User.id))
    )
    hosts: dict[int, list[User]] = {}
    for table_id, user in rows.all():
        hosts.setdefault(table_id, []).append(user)
    return hosts


async def staff_hosted_table(db: AsyncSession, meeting: Meeting, actor: Actor, table_id: int) -> int:
    """The table a signed-in staff member acts for on its host page: only one they were assigned."""
    table = await get_table(db, meeting, table_id)
    assigned = (
        await db.exec(
            select(TableStaffHost.id).where(
                TableStaffHost.table_id == table.id, TableStaffHost.user_id == (actor.user_id or 0)
            )
        )
    ).first()
    if not actor.is_staff or assigned is None:
        raise Forbidden(
            N_(
                "この島のホストに割り当てられた職員だけが使えます。ファシリテーターに割り当ててもらってください。"
            )
        )
    return table.id or 0


async def staff_accounts(db: AsyncSession) -> list[User]:
    """Every staff account, for the facilitator to choose a table's staff host from."""
    return list((await db.exec(select(User).order_by(col(User.id)))).all())
