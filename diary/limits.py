"""The weekly limit: counted slots in time order, the ones past the limit are over limit."""

from collections.abc import Sequence


def apply_limit(counted: Sequence[int], limit_minutes: int | None) -> list[tuple[int, int]]:
    """(billable, over) for each slot of a week, in the given (time) order; None means no limit."""
    if limit_minutes is None:
        return [(minutes, 0) for minutes in counted]
    split, used = [], 0
    for minutes in counted:
        # A slot that crosses the limit is split: its first part billable, the rest over.
        billable = min(minutes, max(0, limit_minutes - used))
        split.append((billable, minutes - billable))
        used += billable
    return split
