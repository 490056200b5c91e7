"""The admin's page for staff accounts: create them and set their roles. (Erasing a participant's
data, also the admin's, is in server/privacy/routes.py.)"""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromPath
from litestar.response import Template

from server.accounts import service as accounts
from server.accounts.roles import ADMIN, ROLES
from server.errors import UserError
from server.i18n import Text
from server.web.auth import requires_role
from server.web.deps import DB, CurrentActor
from server.web.responses import page, see_other, status_of


async def _users_page(
    db: DB, error: Text = "", status_code: int = 200, form: dict[str, Any] | None = None
) -> Template:
    return page(
        "accounts/users.html",
        status_code=status_code,
        users=await accounts.list_users(db),
        roles=ROLES,
        error=error,
        form=form or {},
    )


@get("/users")
async def users(db: DB) -> Template:
    return await _users_page(db)


@post("/users")
async def create_user(request: Request[Any, Any, Any], db: DB) -> Any:
    form = await request.form()
    email = str(form.get("email", ""))
    try:
        roles = accounts.clean_roles(form.getall("role") if "role" in form else [])
        await accounts.create_user(
            db, email, str(form.get("password", "")), display_name=str(form.get("name", ""))[:80], roles=roles
        )
    except UserError as exc:
        return await _users_page(db, exc.message, status_of(exc), {"email": email[:254]})
    return see_other("/admin/users")


@post("/users/{user_id:int}/roles")
async def change_roles(
    request: Request[Any, Any, Any], db: DB, actor: CurrentActor, user_id: FromPath[int]
) -> Any:
    form = await request.form()
    try:
        await accounts.set_roles(db, actor, user_id, form.getall("role") if "role" in form else [])
    except UserError as exc:
        return await _users_page(db, exc.message, status_of(exc))
    return see_other("/admin/users")


router = Router(
    path="/admin",
    guards=[requires_role(ADMIN)],
    include_in_schema=False,
    route_handlers=[users, create_user, change_roles],
)
