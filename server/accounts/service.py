"""Staff accounts: creating them and checking passwords (argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.models import User
from server.errors import UserError

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the timing of both failures alike.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 8
SIGN_IN_FAILED = "メールアドレスかパスワードが違います。"


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    db: AsyncSession, email: str, password: str, *, display_name: str = "", roles: str = "facilitator"
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise UserError("メールアドレスの形が正しくありません。")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")
    if await find_user(db, email):
        raise UserError("このメールアドレスはすでに登録されています。")
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
        raise UserError(SIGN_IN_FAILED, status_code=401) from None
    if user is None:
        raise UserError(SIGN_IN_FAILED, status_code=401)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        await db.commit()
    return user
