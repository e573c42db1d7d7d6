"""What a contract owes its freelancer, week by week: pending, available, paid (docs/rules.md#earnings).

Tally moves no money; it records what is owed and what the client marked paid. A week's amounts
are those of its statement as the week's close stored it, never priced again: the work (hours,
weekly payment, approved late slots) is pending from the close and available ten days after the
week's last day once the week is reviewed; each bonus is pending when given and available five
days later. The part of the week held by a dispute is shown apart until the dispute settles.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from diary.money import format_money, money
from diary.refusal import Refusal
from diary.weeks import BillingWeek, day_bounds, describe_instant

DAYS_AFTER_WEEK = 10  # after the week's last day: the Wednesday after its review window
BONUS_DELAY = timedelta(days=5)
ZERO = Decimal("0.00")
# The week was reviewed: approved by the client or automatically, or disputed (only the disputed
# slots wait for the dispute; the rest of the week is not held back).
REVIEWED = frozenset({"approved", "auto_approved", "disputed"})


def available_from(week: BillingWeek) -> datetime:
    """When a reviewed week's amount becomes due: the start of the tenth day after its last day."""
    return day_bounds(week.days[-1] + timedelta(days=DAYS_AFTER_WEEK), week.tz)[0]


@dataclass(frozen=True)
class BonusGiven:
    amount: Decimal
    at: datetime

    @property
    def due(self) -> datetime:
        return self.at + BONUS_DELAY


@dataclass(frozen=True)
class WeekOwed:
    """One contract's week as stored: its closed statement (if closed), bonuses and paid marks."""

    week: BillingWeek
    currency: str
    closed: bool
    status: str  # the review's status; "open" before the week closed
    work: Decimal  # the stored total without its bonuses; 0 before the week closed
    held: Decimal  # what the minutes held by an open dispute would bill, at the week's rate
    bonuses: tuple[BonusGiven, ...] = ()
    paid: Decimal = ZERO
    paid_at: datetime | None = None  # the latest mark


@dataclass(frozen=True)
class WeekEarnings:
    pending: Decimal
    available: Decimal
    paid: Decimal
    held: Decimal
    next_due: datetime | None  # when the next pending part becomes available (None: waits for approval)
    paid_at: datetime | None = None


def held_amount(disputed_minutes: int, rate: Decimal) -> Decimal:
    return money(disputed_minutes * rate / 60)


def _work_due(owed: WeekOwed, now: datetime) -> bool:
    return owed.closed and owed.status in REVIEWED and now >= available_from(owed.week)


def earnings(owed: WeekOwed, now: datetime) -> WeekEarnings:
    """The week's amounts at `now`: pending + available + paid is all it earned so far."""
    earned = owed.work + sum((b.amount for b in owed.bonuses), ZERO)
    due = (owed.work if _work_due(owed, now) else ZERO) + sum((b.amount for b in owed.bonuses if now >= b.due), ZERO)
    available = max(ZERO, due - owed.paid)
    pending = max(ZERO, earned - max(due, owed.paid))
    return WeekEarnings(pending=pending, available=available, paid=owed.paid, held=owed.held,
                        next_due=_next_due(owed, now) if pending else None, paid_at=owed.paid_at)


def _next_due(owed: WeekOwed, now: datetime) -> datetime | None:
    waiting = [b.due for b in owed.bonuses if now < b.due]
    if owed.closed and owed.work and not _work_due(owed, now) and (owed.status in REVIEWED or now < available_from(owed.week)):
        waiting.append(available_from(owed.week))
    return min(waiting, default=None)


def to_mark(owed: WeekOwed, now: datetime, where: str) -> Decimal | Refusal:
    """What `/paid` marks paid on this week (its available amount), or why nothing; `where` names
    the contract in the sentence. A week already marked is answered with code "done"."""
    e, label = earnings(owed, now), owed.week.label
    if e.available:
        return e.available
    if e.pending:
        return Refusal(f"Week {label} of {where} is not available yet: {_when(owed, e)}.", "conflict")
    if e.paid:
        marked = describe_instant(owed.paid_at, owed.week.tz) if owed.paid_at else "earlier"
        return Refusal(f"Week {label} of {where} was already marked paid ({format_money(e.paid, owed.currency)}, "
                       f"{marked}); nothing changed.", "done")
    if not owed.closed:
        return Refusal(f"Week {label} of {where} is not closed yet: its amount is pending from "
                       f"{describe_instant(owed.week.edit_deadline, owed.week.tz)} and available from "
                       f"{describe_instant(available_from(owed.week), owed.week.tz)}.", "conflict")
    return Refusal(f"Week {label} of {where} owes nothing.", "not_found")


def _when(owed: WeekOwed, e: WeekEarnings) -> str:
    amount = format_money(e.pending, owed.currency)
    if e.next_due is None:
        return f"{amount} becomes available once the week is approved"
    return f"{amount} pending, available from {describe_instant(e.next_due, owed.week.tz)}"


@dataclass(frozen=True)
class Totals:
    """Sums per currency: amounts in different currencies are never added up."""

    pending: dict[str, Decimal]
    available: dict[str, Decimal]
    paid: dict[str, Decimal]
    held: dict[str, Decimal]


def totals(rows: Iterable[tuple[str, object]]) -> Totals:
    """The sums of (currency, amounts) rows, per currency: amounts are anything with pending,
    available, paid and held (a week's earnings, a contract's)."""
    sums = {name: defaultdict(lambda: ZERO) for name in ("pending", "available", "paid", "held")}
    for currency, e in rows:
        for name, table in sums.items():
            table[currency] += getattr(e, name)
    return Totals(**{name: dict(sorted(table.items())) for name, table in sums.items()})


def format_totals(amounts: dict[str, Decimal]) -> str:
    """ "80.00 USD · 20.00 EUR", or "0.00" when there is nothing."""
    shown = [format_money(amount, currency) for currency, amount in amounts.items() if amount]
    return " · ".join(shown) if shown else "0.00"
