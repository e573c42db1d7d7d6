"""Manual time: whole slots with a memo, in the past, in an open week, never over tracked time."""

from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from diary.text import MEMO, checked
from diary.refusal import Refusal
from diary.slots import is_aligned, slots_overlapping
from diary.weeks import describe_instant, edits_open, local_day, week_of

EXAMPLE = "e.g. /manual 09:00-10:30 fixing the login page"


def check_manual(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: str,
    slot_seconds: int,
    allowed: bool,
    memo: str,
    occupied: Collection[datetime],
) -> Refusal | None:
    """None when [start, end) may be asked for as manual time; else why not. `occupied`: slot starts in use."""
    return (
        _check_allowed(allowed)
        or _check_memo(memo)
        or _check_range(start, end, slot_seconds)
        or _check_past(end, now, tz)
        or _check_week(start, end, now, tz)
        or _check_free(start, end, slot_seconds, occupied, tz)
    )


def _check_allowed(allowed: bool) -> Refusal | None:
    if allowed:
        return None
    return Refusal(
        "This contract does not allow manual time; the client can turn it on in the contract settings.", "forbidden"
    )


def _check_memo(memo: str) -> Refusal | None:
    cleaned = checked(memo, MEMO)
    if isinstance(cleaned, Refusal):
        return cleaned
    if not cleaned:
        return Refusal(f"Manual time needs a memo saying what you worked on, {EXAMPLE}.")
    return None


def _check_range(start: datetime, end: datetime, slot_seconds: int) -> Refusal | None:
    if end <= start:
        return Refusal(f"The end of manual time must come after its start, {EXAMPLE}.")
    if not (is_aligned(start, slot_seconds) and is_aligned(end, slot_seconds)):
        return Refusal(f"Manual time is whole {_slot_size(slot_seconds)} slots, {EXAMPLE}.")
    return None


def _slot_size(slot_seconds: int) -> str:
    if slot_seconds % 60 == 0:
        return f"{slot_seconds // 60}-minute"
    return f"{slot_seconds}-second"  # demo slots


def _check_past(end: datetime, now: datetime, tz: str) -> Refusal | None:
    if end <= now:
        return None
    return Refusal(f"Manual time can only cover time that has passed; it is now {_clock(now, tz)} ({tz}).")


def _check_week(start: datetime, end: datetime, now: datetime, tz: str) -> Refusal | None:
    week = week_of(start, tz)
    if end > week.end:
        return Refusal(
            f"Manual time must stay inside one billing week (Monday to Sunday, {tz}); "
            "ask for each week separately."
        )
    if edits_open(week, now):
        return None
    return Refusal(
        f"Week {week.label} closed for edits on {describe_instant(week.edit_deadline, tz)}; "
        "manual time can go into this week, or into last week until Monday 12:00.",
        "too_late",
    )


def _check_free(
    start: datetime, end: datetime, slot_seconds: int, occupied: Collection[datetime], tz: str
) -> Refusal | None:
    taken = [slot for slot in slots_overlapping(start, end, slot_seconds) if slot in occupied]
    if not taken:
        return None
    # Name the clash on the user's clock; add its date only when it is not the day the range starts.
    shown = _clock(taken[0], tz, dated=not _same_day(start, taken[0], tz))
    return Refusal(f"This range overlaps tracked time at {shown}; choose a range that leaves it out.", "conflict")


def _same_day(a: datetime, b: datetime, tz: str) -> bool:
    return local_day(a, tz) == local_day(b, tz)


def _clock(instant: datetime, tz: str, *, dated: bool = False) -> str:
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%Y-%m-%d %H:%M}" if dated else f"{local:%H:%M}"
