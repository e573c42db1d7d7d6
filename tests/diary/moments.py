"""Instants written the way people read them, for the diary tests."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utc(text: str) -> datetime:
    """'2026-11-18 10:00' as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, tz: str) -> datetime:
    """'2026-11-18 10:00' on the wall clock of `tz`, as an aware instant."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))
