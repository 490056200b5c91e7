"""The one exception services raise for a rule a user broke: it carries the message to show."""

from __future__ import annotations


class UserError(Exception):
    """A request that breaks a rule. ``message`` is shown to the user as is (Japanese)."""

    def __init__(self, message: str, status_code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class NotFound(UserError):
    def __init__(self, message: str = "見つかりませんでした。") -> None:
        super().__init__(message, status_code=404)


class Forbidden(UserError):
    def __init__(self, message: str = "この操作はできません。") -> None:
        super().__init__(message, status_code=403)
