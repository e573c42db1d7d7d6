"""What a slot counts for, in slot "minutes" from 0 to 10 (docs/rules.md#segment-billing,
docs/rules.md#counting-without-screenshots, docs/rules.md#minute-billing)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from diary.terms import SLOT_MINUTES, Billing, Screenshots


class RunCounter(Protocol):
    """The counted minutes of each slot of a run of one session's slots (`session_end` None: an
    open session); `starts`, `shots` (screenshot instants) and `active` (active minutes) in step."""

    def __call__(self, *, session_start: datetime, session_end: datetime | None, starts: Sequence[datetime],
                 shots: Sequence[datetime | None], active: Sequence[int]) -> list[int]: ...


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
    count = run_counter(slot_seconds=slot_seconds, screenshots=screenshots, billing=billing)
    return count(session_start=session_start, session_end=session_end, starts=(slot_start,), shots=(screenshot_at,),
                 active=(active_minutes,))[0]


def run_counter(*, slot_seconds: int, screenshots: Screenshots, billing: Billing) -> RunCounter:
    """counted_minutes for one contract's terms, over the slots of one session at a time: a week
    close counts millions of slots, so the rule is a loop over them rather than a call for each."""
    length = timedelta(seconds=slot_seconds)
    if billing == Billing.MINUTES:
        def minutes_inside(*, session_start: datetime, session_end: datetime | None, starts: Sequence[datetime],
                           shots: Sequence[datetime | None], active: Sequence[int]) -> list[int]:
            return [_minutes_inside(start, length, session_start, session_end) for start in starts]
        return minutes_inside
    if screenshots == Screenshots.OFF:
        # Without screenshots, any input in the slot is the proof of work.
        def any_input(*, session_start: datetime, session_end: datetime | None, starts: Sequence[datetime],
                      shots: Sequence[datetime | None], active: Sequence[int]) -> list[int]:
            return [SLOT_MINUTES if a >= 1 else 0 for a in active]
        return any_input

    def screenshot_taken(*, session_start: datetime, session_end: datetime | None, starts: Sequence[datetime],
                         shots: Sequence[datetime | None], active: Sequence[int]) -> list[int]:
        # Upwork's rule: a slot counts once its screenshot, taken inside the slot and the session,
        # has been taken; a session that ends before that instant leaves the slot uncounted.
        if session_end is None:
            return [SLOT_MINUTES if shot is not None and start <= shot < start + length and session_start <= shot else 0
                    for start, shot in zip(starts, shots, strict=True)]
        return [SLOT_MINUTES if shot is not None and start <= shot < start + length and session_start <= shot <= session_end else 0
                for start, shot in zip(starts, shots, strict=True)]

    return screenshot_taken


def _minutes_inside(slot_start: datetime, length: timedelta, session_start: datetime, session_end: datetime | None) -> int:
    end = slot_start + length
    inside = min(end, session_end or end) - max(slot_start, session_start)
    if inside <= timedelta(0):
        return 0
    # timedelta // timedelta divides whole microseconds, so short demo slots round the same way.
    return min(SLOT_MINUTES, inside * SLOT_MINUTES // length)
