"""Slots as billing reads them: one sequence per field, in time order.

The week close reads millions of slots, and the rules and sums then go through each field in a
loop of their own; a contract's week read for a view is turned into the same shape, so there is
one way the books are computed whatever read them.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple


class SlotColumns(NamedTuple):
    starts: Sequence[datetime]
    session_ids: Sequence[int | None]
    screenshots: Sequence[datetime | None]
    active: Sequence[int]
    manual: Sequence[bool]

    def stretch(self, begin: int, end: int) -> "SlotColumns":
        """Slots begin..end (not the fields: this is a tuple of them)."""
        return SlotColumns(*(field[begin:end] for field in self))


def columns_of(slots: Sequence) -> SlotColumns:
    """Rows with Slot's attributes (start, session_id, screenshot_at, active_minutes, manual), as columns."""
    return SlotColumns([x.start for x in slots], [x.session_id for x in slots], [x.screenshot_at for x in slots],
                       [x.active_minutes for x in slots], [x.manual for x in slots])
