"""Roles of staff accounts: facilitator (runs sessions, promotes), coordinator (visions and
projects), admin (accounts). A person can have several.

Roles are checked in one place: the web layer's guards (``server.web.auth.requires_role``),
declared on each router or handler. Services never check a role; they get an ``Actor``."""

from __future__ import annotations

from server.accounts.models import User
from server.errors import Forbidden
from server.i18n import N_, Text

FACILITATOR, COORDINATOR, ADMIN = "facilitator", "coordinator", "admin"
ROLES = {FACILITATOR: N_("ファシリテーター"), COORDINATOR: N_("コーディネーター"), ADMIN: N_("管理者")}
ROLE_MESSAGES = {
    FACILITATOR: N_("ファシリテーターのアカウントでサインインしてください。"),
    COORDINATOR: N_("コーディネーターのアカウントでサインインしてください。"),
    ADMIN: N_("管理者のアカウントでサインインしてください。"),
}
#: Refused to a staff member who has none of several roles (e.g. minutes: facilitator or coordinator).
ANY_STAFF_MESSAGE = N_("スタッフのアカウントでサインインしてください。")


def require_role(user: User | None, *roles: str) -> User:
    """This user, when they have one of these roles; otherwise Forbidden (for guards)."""
    if user is None or not any(user.has_role(role) for role in roles):
        message: Text = ROLE_MESSAGES[roles[0]] if len(roles) == 1 else ANY_STAFF_MESSAGE
        raise Forbidden(message)
    return user
