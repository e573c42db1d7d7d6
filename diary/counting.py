"""What a slot counts for (DESIGN §1), in slot "minutes" from 0 to 10."""

from datetime import datetime, timedelta

from diary.slots import slot_end
from diary.terms import SLOT_MINUTES, Billing, Screenshots


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
    if billing == Billing.MINUTES:
        return _minutes_inside(slot_start, slot_seconds, session_start, session_end)
    if screenshots == Screenshots.OFF:
        # Without screenshots, any input in the slot is the proof of work.
        return SLOT_MINUTES if active_minutes >= 1 else 0
    taken = _screenshot_taken(slot_start, slot_seconds, session_start, session_end, screenshot_at)
    return SLOT_MINUTES if taken else 0


def _screenshot_taken(
    slot_start: datetime,
    slot_seconds: int,
    session_start: datetime,
    session_end: datetime | None,
    screenshot_at: datetime | None,
) -> bool:
    # Upwork's rule: a session that ends before the slot's screenshot leaves the slot uncounted.
    if screenshot_at is None:
        return False
    in_slot = slot_start <= screenshot_at < slot_end(slot_start, slot_seconds)
    in_session = session_start <= screenshot_at and (session_end is None or screenshot_at <= session_end)
    return in_slot and in_session


def _minutes_inside(
    slot_start: datetime, slot_seconds: int, session_start: datetime, session_end: datetime | None
) -> int:
    end = slot_end(slot_start, slot_seconds)
    inside = min(end, session_end or end) - max(slot_start, session_start)
    if inside <= timedelta(0):
        return 0
    # timedelta // timedelta divides whole microseconds, so short demo slots round the same way.
    return min(SLOT_MINUTES, inside * SLOT_MINUTES // timedelta(seconds=slot_seconds))
