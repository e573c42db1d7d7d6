"""Days and times as people type them in chat: 2026-11-20, today, yesterday, mon; 09:00-10:30."""

import re
from datetime import date, time, timedelta

from diary.refusal import Refusal
from diary.weeks import OUT_OF_CALENDAR, in_calendar

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})")


def resolve_day(text: str | None, today: date) -> date | Refusal:
    """A day relative to the user's `today`; weekday names mean the latest such day, today included."""
    day = _day(text, today)
    if day is None:
        return Refusal(f'"{text}" is not a day; write 2026-11-20, today, yesterday or a weekday like mon.')
    return day if in_calendar(day) else Refusal(f"{OUT_OF_CALENDAR}; write a day like 2026-11-20.")


def _day(text: str | None, today: date) -> date | None:
    word = (text or "today").strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    named = [i for i, name in enumerate(WEEKDAYS) if len(word) >= 3 and name.startswith(word)]
    if named:
        return today - timedelta(days=(today.weekday() - named[0]) % 7)
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def looks_like_day(text: str) -> bool:
    """Written as a day (even one outside the calendar, which resolve_day then refuses)."""
    return _day(text, date(2000, 1, 3)) is not None


def parse_range(text: str, example: str) -> tuple[time, time] | Refusal:
    """"09:00-10:30" as two times of day; "24:00" is accepted as the end of the day (midnight)."""
    found = _RANGE.fullmatch(text.strip())
    if found is None:
        return Refusal(f'"{text}" is not a time range; write HH:MM-HH:MM, {example}.')
    h1, m1, h2, m2 = (int(x) for x in found.groups())
    if not (h1 < 24 and m1 < 60 and (h2 < 24 or (h2, m2) == (24, 0)) and m2 < 60):
        return Refusal(f'"{text}" has a time that is not on the clock; {example}.')
    return time(h1, m1), time(0) if h2 == 24 else time(h2, m2)



_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def parse_clock(text: str, example: str) -> time | Refusal:
    """"14:20" as a time of day."""
    found = _CLOCK.fullmatch(text.strip())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        return Refusal(f'"{text}" is not a time of day; write HH:MM, {example}.')
    return time(int(found[1]), int(found[2]))
