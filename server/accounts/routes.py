"""Signing staff in and out, and changing one's password."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from server.accounts import service as accounts
from server.errors import ErrorKind, UserError
from server.i18n import N_
from server.web.auth import requires_signed_in, session_data, staff_token
from server.web.csrf import renew_token
from server.web.deps import DB, CurrentUser
from server.web.ratelimit import client_address, limits
from server.web.responses import page, see_other, status_of


def _safe_next(target: str) -> str:
    # Only paths on this site: never an open redirect to somewhere else.
    return target if target.startswith("/") and not target.startswith("//") else "/f"


@get("/signin")
async def sign_in_page(next: FromQuery[str] = "/f", changed: FromQuery[str] = "") -> Any:
    return page("accounts/signin.html", next=_safe_next(next), changed=changed == "1")


@post("/signin")
async def sign_in(request: Request[Any, Any, Any], db: DB, data: URLEncodedBody[dict[str, str]]) -> Any:
    email, target = data.get("email", ""), _safe_next(data.get("next", "/f"))
    rules = limits(request)
    account = accounts.normalise_email(email)[:254]
    try:
        # Guessing one account is stopped per account, from every address together; an
        # address that failed often is refused only its wrong passwords (below), so one
        # person on a hall's shared router cannot lock the staff out.
        await rules.sign_in_account_failures.check(account)
        try:
            user = await accounts.authenticate(db, email, data.get("password", ""))
        except UserError as exc:
            if exc.kind == ErrorKind.WRONG_CREDENTIALS:
                await rules.sign_in_account_failures.hit(account)
                await rules.sign_in_failures.take(client_address(request))
            raise
    except UserError as exc:
        return page(
            "accounts/signin.html",
            status_code=status_of(exc),
            error=exc.message,
            email=email[:254],
            next=target,
        )
    end = staff_token(request)
    if end:  # someone else's session on this browser ends with the new one
        await accounts.end_session(db, end)
    token = await accounts.start_session(db, user)
    # Keep a phone's participant tokens if staff also joined as a participant on it.
    data_ = {k: v for k, v in session_data(request).items() if k != "user_id"}
    request.set_session(renew_token({**data_, "staff": token}))
    return see_other(target)


@post("/signout")
async def sign_out(request: Request[Any, Any, Any], db: DB) -> Any:
    """Ends this browser's staff session on the server: a copy of the cookie opens nothing."""
    if token := staff_token(request):
        await accounts.end_session(db, token)
    data = {k: v for k, v in session_data(request).items() if k not in ("staff", "user_id")}
    request.set_session(data)
    return see_other("/")


@get("/account/password", guards=[requires_signed_in])
async def password_page(user: CurrentUser) -> Template:
    return page("accounts/password.html", user=user)


@post("/account/password", guards=[requires_signed_in])
async def change_password(
    request: Request[Any, Any, Any], db: DB, user: CurrentUser, data: URLEncodedBody[dict[str, str]]
) -> Any:
    """A new password signs every browser out, this one included: sign in again with it."""
    account = await accounts.get_user(db, user.id or 0)  # in this request's session, to change it
    try:
        if data.get("new", "") != data.get("again", ""):
            raise UserError(N_("新しいパスワードが二つの欄で違います。"))
        await limits(request).sign_in_account_failures.check(account.email)
        await accounts.change_password(db, account, data.get("current", ""), data.get("new", ""))
    except UserError as exc:
        if exc.kind == ErrorKind.WRONG_CREDENTIALS:
            await limits(request).sign_in_account_failures.hit(account.email)
        return page("accounts/password.html", status_code=status_of(exc), user=account, error=exc.message)
    request.set_session({k: v for k, v in session_data(request).items() if k != "staff"})
    return see_other("/signin?changed=1")


handlers = [sign_in_page, sign_in, sign_out, password_page, change_password]
