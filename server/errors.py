"""The one exception services raise for a rule a user broke: it carries the message to show and
what kind of refusal it is. Services never speak HTTP: the web layer maps a kind to a status
(``server.web.responses.status_of``)."""

from __future__ import annotations

from enum import StrEnum

from server.i18n import N_, Text


class ErrorKind(StrEnum):
    """Why a request is refused, in the domain's words (each has one HTTP status in the web layer)."""

    INVALID = "invalid"  # the input breaks a rule: say what to fix
    NOT_FOUND = "not_found"  # no such thing (or not one this person may know of)
    FORBIDDEN = "forbidden"  # this person may not do this
    WRONG_CREDENTIALS = "wrong_credentials"  # a wrong email or password
    CONFLICT = "conflict"  # not now: the thing is not in a state that allows it
    GONE = "gone"  # it was there, and is over
    TOO_MANY = "too_many"  # too many tries: wait a little
    UNAVAILABLE = "unavailable"  # could not be done now; trying again may work
    FAILED = "failed"  # the server's own fault (never raised by a service)


class UserError(Exception):
    """A request that breaks a rule. ``message`` is shown to the user, translated when shown
    (mark it with ``N_``: the service does not know who reads it)."""

    def __init__(self, message: Text, kind: ErrorKind = ErrorKind.INVALID) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __str__(self) -> str:
        return str(self.message)  # translated in the current language


NOT_FOUND = N_("見つかりませんでした。")
NOT_ALLOWED = N_("この操作はできません。")


class NotFound(UserError):
    def __init__(self, message: Text = NOT_FOUND) -> None:
        super().__init__(message, ErrorKind.NOT_FOUND)


class Forbidden(UserError):
    def __init__(self, message: Text = NOT_ALLOWED) -> None:
        super().__init__(message, ErrorKind.FORBIDDEN)


class Conflict(UserError):
    def __init__(self, message: Text) -> None:
        super().__init__(message, ErrorKind.CONFLICT)
