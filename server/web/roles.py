"""Roles of staff accounts: facilitator (runs sessions, promotes), coordinator (visions and
projects), admin (accounts). A person can have several."""

from __future__ import annotations

from server.accounts.models import User
from server.errors import Forbidden
from server.i18n import N_

ROLES = {"facilitator": N_("ファシリテーター"), "coordinator": N_("コーディネーター"), "admin": N_("管理者")}
ROLE_MESSAGES = {
    "facilitator": N_("ファシリテーターのアカウントでサインインしてください。"),
    "coordinator": N_("コーディネーターのアカウントでサインインしてください。"),
    "admin": N_("管理者のアカウントでサインインしてください。"),
}


def require_role(user: User | None, role: str) -> User:
    if user is None or not user.has_role(role):
        raise Forbidden(ROLE_MESSAGES[role])
    return user
