"""Signing staff in and out."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery, URLEncodedBody

from server.accounts import service as accounts
from server.errors import UserError
from server.web.auth import session_data
from server.web.deps import DB
from server.web.ratelimit import client_address, limits
from server.web.responses import page, see_other


def _safe_next(target: str) -> str:
    # Only paths on this site: never an open redirect to somewhere else.
    return target if target.startswith("/") and not target.startswith("//") else "/f"


@get("/signin")
async def sign_in_page(next: FromQuery[str] = "/f") -> Any:
    return page("accounts/signin.html", next=_safe_next(next))


@post("/signin")
async def sign_in(request: Request[Any, Any, Any], db: DB, data: URLEncodedBody[dict[str, str]]) -> Any:
    email, target = data.get("email", ""), _safe_next(data.get("next", "/f"))
    failures = limits(request).sign_in_failures
    address = client_address(request)
    try:
        await failures.check(address)
        user = await accounts.authenticate(db, email, data.get("password", ""))
    except UserError as exc:
        if exc.status_code == 401:
            await failures.hit(address)
        return page(
            "accounts/signin.html",
            status_code=exc.status_code,
            error=exc.message,
            email=email[:254],
            next=target,
        )
    # Keep a phone's participant tokens if staff also joined as a participant on it.
    request.set_session({**session_data(request), "user_id": user.id})
    return see_other(target)


@post("/signout")
async def sign_out(request: Request[Any, Any, Any]) -> Any:
    data = dict(session_data(request))
    data.pop("user_id", None)
    request.set_session(data)
    return see_other("/")


handlers = [sign_in_page, sign_in, sign_out]
