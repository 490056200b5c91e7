"""Text a project copied from its origin notes.

The promote form fills the project's title and description with the notes' text. A field counts
as copied from a note when, at promotion, it contains that note's text (the prefill kept, or only
added to): ``ProjectOrigin.copied_to_title`` / ``copied_to_description``. A field the facilitator
rewrote is their own text and is not marked.
"""

from __future__ import annotations

import re
from collections.abc import Collection

#: The promote form suggests a note's first 60 characters as the project's title.
TITLE_PREFILL_LENGTH = 60


def title_prefill(text: str) -> str:
    return text[:TITLE_PREFILL_LENGTH]


def _pattern(text: str) -> re.Pattern[str] | None:
    """The text, matched whatever whitespace separates its words (a title folds newlines)."""
    words = text.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


def _patterns(texts: Collection[str], *, in_title: bool) -> list[re.Pattern[str]]:
    fragments = set(texts)
    if in_title:
        fragments |= {title_prefill(t) for t in texts}
    found = (_pattern(f) for f in sorted(fragments, key=len, reverse=True))
    return [p for p in found if p is not None]


def holds_title(title: str, *texts: str) -> bool:
    """Whether a title holds one of these note texts, or the prefill cut from one."""
    return any(p.search(title) for p in _patterns(texts, in_title=True))


def holds_description(description: str, *texts: str) -> bool:
    return any(p.search(description) for p in _patterns(texts, in_title=False))
