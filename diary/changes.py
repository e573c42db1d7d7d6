"""Rate and weekly limit over time: a raised value applies at once, a lowered one from the next week.

So a freelancer is never paid less for hours already worked in a week, and a client's raise
counts for the whole week it was given in.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from diary.weeks import BillingWeek


@dataclass(frozen=True)
class Change:
    at: datetime
    value: Decimal | None  # None = no limit, which is higher than any number


def value_for_week(changes: Sequence[Change], week: BillingWeek) -> Decimal | None:
    """The value that governs `week`; the earliest change is the contract's initial value."""
    ordered = sorted(changes, key=lambda change: change.at)
    if not ordered:
        raise ValueError("a rate or limit needs at least its initial value")
    before = [change for change in ordered if change.at <= week.start]
    value = before[-1].value if before else ordered[0].value
    for change in ordered:
        if week.start < change.at < week.end:
            value = _higher(value, change.value)
    return value


def _higher(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None:
        return None
    return max(a, b)
