"""Cleaning what people type before it is stored."""

from __future__ import annotations

import re
import unicodedata

# Control characters (NUL, escape, …) have no place in a note; newlines and tabs do.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str, *, single_line: bool = False) -> str:
    """NFC-normalised, control characters removed, trimmed; newlines folded if single_line."""
    value = _CONTROLS.sub("", unicodedata.normalize("NFC", value)).replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        value = " ".join(value.split())
    return value.strip()


def is_id(text: str) -> bool:
    """A record's id as a form sends it: ASCII digits, at most 12. (``"²".isdigit()`` is true but
    ``int("²")`` fails, and a 25-digit number overflows the database's integer: both would be 500s.)"""
    return text.isascii() and text.isdigit() and 0 < len(text) <= 12
