"""Staff accounts: creating them and checking passwords (argon2id)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import StaffSession, User
from server.accounts.roles import ROLES
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.timeutil import utcnow

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the timing of both failures alike.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 8
SIGN_IN_FAILED = N_("メールアドレスかパスワードが違います。")


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    db: AsyncSession, email: str, password: str, *, display_name: str = "", roles: str = "facilitator"
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise UserError(N_("メールアドレスの形が正しくありません。"))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(N_("パスワードは%(min)s文字以上にしてください。", min=MIN_PASSWORD_LENGTH))
    if await find_user(db, email):
        raise UserError(N_("このメールアドレスはすでに登録されています。"))
    user = User(email=email, password_hash=_hasher.hash(password), display_name=display_name, roles=roles)
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user


async def find_user(db: AsyncSession, email: str) -> User | None:
    result = await db.exec(select(User).where(User.email == normalise_email(email)))
    return result.first()


async def authenticate(db: AsyncSession, email: str, password: str) -> User:
    """The user with this e-mail and password, or a UserError with one message for both mistakes."""
    user = await find_user(db, email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise UserError(SIGN_IN_FAILED, ErrorKind.WRONG_CREDENTIALS) from None
    if user is None:
        raise UserError(SIGN_IN_FAILED, ErrorKind.WRONG_CREDENTIALS)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        await db.commit()
    return user


def clean_roles(roles: list[str]) -> str:
    chosen = [r for r in ROLES if r in roles]
    if not chosen:
        raise UserError(N_("役割を一つ以上選んでください。"))
    return " ".join(chosen)


async def get_user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise UserError(N_("このアカウントは見つかりませんでした。"), ErrorKind.NOT_FOUND)
    return user


async def list_users(db: AsyncSession) -> list[User]:
    return list((await db.exec(select(User).order_by(User.id))).all())  # type: ignore[arg-type]


async def set_roles(db: AsyncSession, actor: Actor, user_id: int, roles: list[str]) -> User:
    """Change what a staff member may do. An admin cannot take their own admin role away."""
    user = await db.get(User, user_id)
    if user is None:
        raise UserError(N_("このアカウントは見つかりませんでした。"), ErrorKind.NOT_FOUND)
    new_roles = clean_roles(roles)
    if user.id == actor.user_id and "admin" not in new_roles.split():
        raise UserError(N_("自分の管理者の役割は外せません（ほかの管理者に頼んでください）。"))
    removed = set(user.roles.split()) - set(new_roles.split())
    user.roles = new_roles
    if removed:  # what they could do a minute ago must not go on in an open tab
        await _delete_sessions(db, user.id)
    await db.commit()
    return user


async def change_password(db: AsyncSession, user: User, current: str, new: str) -> None:
    """A new password; every browser signed in with the old one is signed out (this one included)."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise UserError(N_("いまのパスワードが違います。"), ErrorKind.WRONG_CREDENTIALS) from None
    await set_password(db, user, new)


async def set_password(db: AsyncSession, user: User, new: str) -> None:
    if len(new) < MIN_PASSWORD_LENGTH:
        raise UserError(N_("パスワードは%(min)s文字以上にしてください。", min=MIN_PASSWORD_LENGTH))
    user.password_hash = _hasher.hash(new)
    await _delete_sessions(db, user.id)
    await db.commit()


# --- staff sessions (サインイン中の端末) -------------------------------------------------------------

#: Signed out after this long without a request: a console left open on a hall's PC overnight.
#: Long enough for an evening's meeting, whose screens reconnect at least this often.
IDLE_TIMEOUT = timedelta(hours=8)
#: Signed out after this long whatever happens (the cookie's own lifetime).
MAX_AGE = timedelta(days=7)
#: last_seen_at is written at most this often: one write per five minutes, not one per request.
TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(db: AsyncSession, user: User) -> str:
    """Sign a browser in: the token goes into its cookie, its hash into the database."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    db.add(StaffSession(token_hash=_hash(token), user_id=user.id))
    await db.commit()
    return token


def session_expired(session: StaffSession, now: datetime) -> bool:
    return now - _aware(session.last_seen_at) > IDLE_TIMEOUT or now - _aware(session.created_at) > MAX_AGE


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def find_session(db: AsyncSession, token: str) -> tuple[StaffSession, User] | None:
    """The live session and its user for this cookie token, or None (unknown, ended or expired)."""
    if not token or len(token) > 100:
        return None
    row = (
        await db.exec(
            select(StaffSession, User)
            .join(User, col(User.id) == col(StaffSession.user_id))
            .where(StaffSession.token_hash == _hash(token))
        )
    ).first()
    if row is None or session_expired(row[0], utcnow()):
        return None
    return row[0], row[1]


def needs_touch(session: StaffSession) -> bool:
    return utcnow() - _aware(session.last_seen_at) > TOUCH_EVERY


async def touch_session(db: AsyncSession, session_id: int) -> None:
    """Note that the session was used now (for the idle timeout)."""
    session = await db.get(StaffSession, session_id)
    if session is not None:
        session.last_seen_at = utcnow()
        await db.commit()


async def end_session(db: AsyncSession, token: str) -> None:
    """Sign-out: this browser's session ends on the server, so a copied cookie opens nothing."""
    await db.exec(delete(StaffSession).where(col(StaffSession.token_hash) == _hash(token)))
    await db.commit()


async def _delete_sessions(db: AsyncSession, user_id: int | None) -> None:
    await db.exec(delete(StaffSession).where(col(StaffSession.user_id) == user_id))
