"""Late slots: recorded before their week's edit deadline, arrived after it (docs/rules.md, late slots).

They are kept and shown, and billed only once the client approves them: on the statement of the
week in which they arrived, as a line of their own, at the rate of their own week and only within
what their own week's limit left free.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from diary.limits import apply_limit
from diary.money import money
from diary.refusal import Refusal
from diary.weeks import BillingWeek, week_of


class LateStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True)
class LateSlot:
    start: datetime
    counted: int
    status: LateStatus
    billed_here: bool  # billed on the statement being computed (it arrived in that week)


@dataclass(frozen=True)
class LateLine:
    """The late slots on one week's statement: billed minutes and amount, and minutes still waiting."""

    minutes: int = 0
    amount: Decimal = Decimal("0.00")
    waiting: int = 0

    def __add__(self, other: "LateLine") -> "LateLine":
        return LateLine(self.minutes + other.minutes, self.amount + other.amount, self.waiting + other.waiting)


def is_late(*, start: datetime, tz: str, now: datetime) -> bool:
    """Whether a slot arriving at `now` comes after its week's edit deadline."""
    return now >= week_of(start, tz).edit_deadline


def late_line(slots: Sequence[LateSlot], *, free_minutes: int | None, rate: Decimal) -> LateLine:
    """The line of one own week's late slots, given in the order they were approved: approved ones
    use up what the week's limit left free; only those billed here count on this statement."""
    approved = [x for x in slots if x.status is LateStatus.APPROVED]
    billable = sum(within for x, (within, _) in zip(approved, apply_limit([x.counted for x in approved], free_minutes))
                   if x.billed_here)
    waiting = sum(x.counted for x in slots if x.status is LateStatus.PENDING and x.billed_here)
    return LateLine(billable, money(billable * rate / 60), waiting)


def check_decision(status: LateStatus, *, billed_week: BillingWeek, now: datetime) -> Refusal | None:
    """Late slots are decided once, until the review deadline of the week that bills them."""
    if status is not LateStatus.PENDING:
        return Refusal(f"Those late slots were already {status}.", "conflict")
    if now > billed_week.review_deadline:
        return Refusal(f"Those late slots were approved with week {billed_week.label}'s review.", "too_late")
    return None
