"""Log lines that a request cannot forge.

A path, a header or a form field can carry a newline (``%0a``) or other control characters;
written as they are, they start a new, fake line in the log (``ERROR … FORGED admin login``).
Every log record's message is escaped once, where records are made, so no call site can forget.
"""

from __future__ import annotations

import logging
from typing import Any

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def escape_controls(text: str) -> str:
    """``a\\nb`` → ``a\\\\nb``: visible, on one line."""
    return text.translate(_CONTROL)


class _EscapedRecord(logging.LogRecord):
    def getMessage(self) -> str:
        return escape_controls(super().getMessage())


def escape_control_characters_in_logs() -> None:
    """Make every log record escape control characters in its message (idempotent).

    Tracebacks are formatted apart from the message and keep their own line breaks."""
    factory: Any = logging.getLogRecordFactory()
    if factory is _EscapedRecord:
        return
    logging.setLogRecordFactory(_EscapedRecord)
