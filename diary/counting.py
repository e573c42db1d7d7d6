"""What a slot counts for (DESIGN §1), in slot "minutes" from 0 to 10."""

from collections.abc import Callable
from datetime import datetime, timedelta

from diary.terms import SLOT_MINUTES, Billing, Screenshots

# (slot_start, session_start, session_end, screenshot_at, active_minutes) -> counted minutes
SlotCounter = Callable[[datetime, datetime, datetime | None, datetime | None, int], int]


def counted_minutes(
    *,
    slot_start: datetime,
    slot_seconds: int,
    session_start: datetime,
    session_end: datetime | None,
    screenshot_at: datetime | None,
    active_minutes: int,
    screenshots: Screenshots,
    billing: Billing,
) -> int:
    """The minutes one slot of one session adds to the diary; `session_end` None is an open session."""
    count = slot_counter(slot_seconds=slot_seconds, screenshots=screenshots, billing=billing)
    return count(slot_start, session_start, session_end, screenshot_at, active_minutes)


def slot_counter(*, slot_seconds: int, screenshots: Screenshots, billing: Billing) -> SlotCounter:
    """counted_minutes for one contract's terms, chosen once: a week close counts millions of slots."""
    length = timedelta(seconds=slot_seconds)
    if billing == Billing.MINUTES:
        return lambda start, session_start, session_end, shot, active: _minutes_inside(start, length, session_start, session_end)
    if screenshots == Screenshots.OFF:
        # Without screenshots, any input in the slot is the proof of work.
        return lambda start, session_start, session_end, shot, active: SLOT_MINUTES if active >= 1 else 0

    def screenshot_taken(start: datetime, session_start: datetime, session_end: datetime | None,
                         shot: datetime | None, active: int) -> int:
        # Upwork's rule: a session that ends before the slot's screenshot leaves the slot uncounted.
        if shot is None or not start <= shot < start + length or shot < session_start:
            return 0
        return SLOT_MINUTES if session_end is None or shot <= session_end else 0

    return screenshot_taken


def _minutes_inside(slot_start: datetime, length: timedelta, session_start: datetime, session_end: datetime | None) -> int:
    end = slot_start + length
    inside = min(end, session_end or end) - max(slot_start, session_start)
    if inside <= timedelta(0):
        return 0
    # timedelta // timedelta divides whole microseconds, so short demo slots round the same way.
    return min(SLOT_MINUTES, inside * SLOT_MINUTES // length)
