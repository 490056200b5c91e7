"""Time helpers: store aware UTC, show Japan time (meetings happen in Machida)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_jst(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(JST)


def format_time_ja(value: datetime | str | None) -> str:
    """14:05 in Japan time, from a datetime or its ISO form (as notes travel in events)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_jst(value).strftime("%H:%M")
