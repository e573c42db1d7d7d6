"""Activity: how many of the tracked minutes had any keyboard or mouse input."""

from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class SlotCounts:
    """A slot's input as the diary shows it: key presses and mouse events summed over its minutes,
    and each of its ten minutes as active, idle (tracked, no input) or off (outside the session)."""

    keys: int
    mouse: int
    minutes: tuple[str, ...]  # ten of ACTIVE, IDLE, OFF


ACTIVE, IDLE, OFF = "active", "idle", "off"


def slot_counts(stored: Sequence[Sequence[int] | None] | None) -> SlotCounts | None:
    """The counts of a slot's stored minutes (`[keys, mouse]` or null each); None for a slot
    without them (manual time)."""
    if stored is None:
        return None
    kept = [m for m in stored if m is not None]
    marks = tuple(OFF if m is None else ACTIVE if (m[0] or m[1]) else IDLE for m in stored)
    return SlotCounts(keys=sum(m[0] for m in kept), mouse=sum(m[1] for m in kept), minutes=marks)
