"""Activity: how many of the tracked minutes had any keyboard or mouse input."""

from collections.abc import Sequence

from diary.protocol import MinuteCounts


def active_minutes(minutes: Sequence[MinuteCounts | None]) -> int:
    """Minutes with at least one event; untracked minutes (None) are never active."""
    return sum(1 for minute in minutes if minute is not None and minute.active)


def tracked_minutes(minutes: Sequence[MinuteCounts | None]) -> int:
    """Minutes of the slot inside its session: the agent sends the others as None."""
    return sum(1 for minute in minutes if minute is not None)


def activity_percent(active: int, tracked: int) -> int | None:
    """Active share of tracked minutes, rounded half up; None when nothing was tracked."""
    if tracked == 0:
        return None
    # Integer arithmetic, so 12.5 % becomes 13 % exactly and never 12 % through float error.
    return (active * 200 + tracked) // (tracked * 2)
