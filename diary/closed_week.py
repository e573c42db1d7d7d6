"""What a week's close fixes for good (docs/rules.md#closed-weeks).

At the edit deadline each slot's counted minutes, the week's limit and its prices are fixed; the
week's own disputes are the only thing that moves its billable time afterwards. So the stored
books hold the counted minutes of every slot (only those short of a full slot are written out:
on Monday millions of slots close, nearly all of them full), and a slot's status (billable, over
limit, held, removed) is the same classification of those minutes under the disputes of the day.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from diary.late import LateLine
from diary.statements import Statement, WeekMinutes, priced
from diary.terms import SLOT_MINUTES


@dataclass(frozen=True)
class DayBook:
    """One local day of a closed week, as stored: counted and manual minutes, and where they went."""

    counted: int
    manual: int
    billable: int
    over: int
    held: int
    removed: int


@dataclass(frozen=True)
class ClosedBooks:
    limit_minutes: int | None
    days: tuple[DayBook, ...]  # Monday first
    short: dict[int, int]  # slot start (Unix seconds) -> counted minutes, for slots short of a full slot
    minimum_minutes: int | None = None  # the week's weekly minimum (shown against its hours, never enforced)
    minimum_kept: bool = True  # False: closed before books kept the minimum; its term's history tells it

    def counted(self, start: datetime) -> int:
        return self.short.get(int(start.timestamp()), SLOT_MINUTES)


def short_slots(starts: Sequence[datetime], counts: Sequence[int]) -> dict[int, int]:
    """The slots (by start) that counted less than a full slot, with what they counted."""
    return {int(starts[i].timestamp()): count for i, count in enumerate(counts) if count != SLOT_MINUTES}


def books_json(books: ClosedBooks) -> dict:
    kept = {"limit": books.limit_minutes, "days": [list(vars(day).values()) for day in books.days],
            "short": {str(start): counted for start, counted in books.short.items()}}
    return {**kept, "min": books.minimum_minutes} if books.minimum_kept else kept


def books_of(stored: dict) -> ClosedBooks:
    return ClosedBooks(stored["limit"], tuple(DayBook(*day) for day in stored["days"]),
                       {int(start): counted for start, counted in stored["short"].items()}, stored.get("min"), "min" in stored)


def statement_of(stored: dict) -> Statement:
    money = {"rate", "hours_amount", "weekly_payment", "bonuses", "total", "late_amount"}
    return Statement(**{key: Decimal(value) if key in money else value for key, value in stored.items()})


def restated(before: Statement, minutes: WeekMinutes, late: LateLine) -> Statement:
    """The statement of a closed week whose review moved time (disputes, late slots decided): its
    prices stay as they were fixed."""
    return priced(minutes, rate=before.rate, currency=before.currency, weekly_payment=before.weekly_payment,
                  payment_share=Decimal(1), paused=False, bonuses=[before.bonuses], late=late)
