"""The one exception services raise for a rule a user broke: it carries the message to show."""

from __future__ import annotations

from server.i18n import N_, Text


class UserError(Exception):
    """A request that breaks a rule. ``message`` is shown to the user, translated when shown
    (mark it with ``N_``: the service does not know who reads it)."""

    def __init__(self, message: Text, status_code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return str(self.message)  # translated in the current language


NOT_FOUND = N_("見つかりませんでした。")
NOT_ALLOWED = N_("この操作はできません。")


class NotFound(UserError):
    def __init__(self, message: Text = NOT_FOUND) -> None:
        super().__init__(message, status_code=404)


class Forbidden(UserError):
    def __init__(self, message: Text = NOT_ALLOWED) -> None:
        super().__init__(message, status_code=403)
