"""Who asks a service for a change: a staff member or a participant of a session.

The one type every service takes. The web layer builds it once per request from the signed-in
staff user or the participant's cookie (``server.web.who``), after the guards have checked the
roles. A service uses it only for rules about a particular object (the author of a note may
edit it; a participant may not group notes) and to record who did what."""

from __future__ import annotations

from dataclasses import dataclass

from server.accounts.models import User
from server.errors import Forbidden
from server.i18n import N_, Text


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    participant_id: int | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(user_id=user.id)

    @classmethod
    def participant(cls, participant_id: int | None) -> Actor:
        return cls(participant_id=participant_id)

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None


STAFF_ONLY = N_("この操作はファシリテーターだけができます。")


def require_staff(actor: Actor, message: Text = STAFF_ONLY) -> None:
    """A rule of the object, not a role: only staff (never a participant) change this."""
    if not actor.is_staff:
        raise Forbidden(message)
