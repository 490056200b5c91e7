"""Staff accounts: creating them and checking passwords (argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.models import User
from server.errors import UserError
from server.i18n import N_

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
        raise UserError(SIGN_IN_FAILED, status_code=401) from None
    if user is None:
        raise UserError(SIGN_IN_FAILED, status_code=401)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        await db.commit()
    return user


def clean_roles(roles: list[str]) -> str:
    from server.web.roles import ROLES

    chosen = [r for r in ROLES if r in roles]
    if not chosen:
        raise UserError(N_("役割を一つ以上選んでください。"))
    return " ".join(chosen)


async def list_users(db: AsyncSession) -> list[User]:
    return list((await db.exec(select(User).order_by(User.id))).all())  # type: ignore[arg-type]


async def set_roles(db: AsyncSession, admin: User, user_id: int, roles: list[str]) -> User:
    """Change what a staff member may do. An admin cannot take their own admin role away."""
    from server.web.roles import require_role

    require_role(admin, "admin")
    user = await db.get(User, user_id)
    if user is None:
        raise UserError(N_("このアカウントは見つかりませんでした。"), 404)
    new_roles = clean_roles(roles)
    if user.id == admin.id and "admin" not in new_roles.split():
        raise UserError(N_("自分の管理者の役割は外せません（ほかの管理者に頼んでください）。"))
    user.roles = new_roles
    await db.commit()
    return user
