"""A contract's weekly statement: what was counted, what is billed, and what it all costs."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from diary.late import LateLine
from diary.limits import apply_limit
from diary.money import money
from diary.review import DisputeStatus, holds_time, removes_time
from diary.weeks import BillingWeek

# Share of the weekly payment by weekday (Monday first) of the contract's first and last day.
_FIRST_WEEK = tuple(Decimal(share) for share in ("1.00", "0.80", "0.60", "0.40", "0.20", "0.20", "0.20"))
_LAST_WEEK = tuple(Decimal(share) for share in ("0.20", "0.40", "0.60", "0.80", "1.00", "1.00", "1.00"))


def weekly_payment_share(*, week: BillingWeek, start_day: date, end_day: date | None) -> Decimal:
    """How much of the weekly payment `week` earns, given the contract's first and last local day."""
    if start_day > week.days[-1] or (end_day is not None and end_day < week.monday):
        return Decimal(0)
    share = _FIRST_WEEK[start_day.weekday()] if start_day >= week.monday else Decimal(1)
    if end_day is not None and end_day <= week.days[-1]:
        share = min(share, _LAST_WEEK[end_day.weekday()])
    return share


@dataclass(frozen=True)
class BillItem:
    start: datetime
    counted: int  # counted minutes of the slot (0..10; manual slots 10)
    manual: bool = False
    dispute: DisputeStatus | None = None


@dataclass(frozen=True)
class SlotBill:
    """Where a slot's counted minutes went; the four always add up to them."""

    billable: int
    over: int  # past the weekly limit: shown, never billed
    held: int  # under an open or answered dispute
    removed: int  # taken out by an accepted or confirmed dispute


def classify(items: Sequence[BillItem], limit_minutes: int | None) -> list[SlotBill]:
    """One SlotBill per item, in the order given; the limit is applied in time order."""
    in_time = sorted(range(len(items)), key=lambda index: items[index].start)
    # Removed time never uses up the limit, so it is taken out before the limit applies.
    removed = {index for index in in_time if _removed(items[index])}
    kept = [index for index in in_time if index not in removed]
    bills = {index: SlotBill(billable=0, over=0, held=0, removed=items[index].counted) for index in removed}
    split = apply_limit([items[index].counted for index in kept], limit_minutes)
    bills.update((index, _within_limit(items[index], *parts)) for index, parts in zip(kept, split))
    return [bills[index] for index in range(len(items))]


def _removed(item: BillItem) -> bool:
    return item.dispute is not None and removes_time(item.dispute)


def _within_limit(item: BillItem, within: int, over: int) -> SlotBill:
    if item.dispute is not None and holds_time(item.dispute):
        return SlotBill(billable=0, over=over, held=within, removed=0)
    return SlotBill(billable=within, over=over, held=0, removed=0)


@dataclass(frozen=True)
class Statement:
    currency: str
    rate: Decimal
    tracked_minutes: int  # counted minutes of tracked slots
    manual_minutes: int  # counted minutes of manual slots
    counted_minutes: int  # tracked + manual = over + disputed + removed + billable
    over_limit_minutes: int
    disputed_minutes: int  # held by an open or answered dispute
    removed_minutes: int  # taken out by an accepted or confirmed dispute
    billable_minutes: int
    hours_amount: Decimal
    weekly_payment: Decimal
    bonuses: Decimal
    total: Decimal
    # Late slots billed here (docs/rules.md, late slots): approved ones and their amount, in the
    # total; those still waiting for the client, not billed.
    late_minutes: int = 0
    late_amount: Decimal = Decimal("0.00")
    late_waiting_minutes: int = 0


@dataclass(frozen=True)
class WeekMinutes:
    """The week's counted minutes and where they went, before anything is priced."""

    tracked: int
    manual: int
    over: int
    held: int
    removed: int
    billable: int


def week_minutes(items: Sequence[BillItem], bills: Sequence[SlotBill]) -> WeekMinutes:
    """The totals of items already classified (the bills in the same order)."""
    manual = sum(item.counted for item in items if item.manual)
    return WeekMinutes(
        tracked=sum(item.counted for item in items) - manual, manual=manual,
        over=sum(bill.over for bill in bills), held=sum(bill.held for bill in bills),
        removed=sum(bill.removed for bill in bills), billable=sum(bill.billable for bill in bills),
    )


def undisputed_day_bills(day_counted: Sequence[int], limit_minutes: int | None) -> list[SlotBill]:
    """Per-day bills of a week that nobody disputed, days in time order.

    The limit uses up counted minutes in time order, so a day's billable part is the same whether
    its slots are split one by one or its total at once; this spares classifying every slot.
    """
    return [SlotBill(billable=within, over=over, held=0, removed=0) for within, over in apply_limit(day_counted, limit_minutes)]


def build_statement(
    *,
    items: Sequence[BillItem],
    limit_minutes: int | None,
    rate: Decimal,
    currency: str,
    weekly_payment: Decimal,
    payment_share: Decimal,
    paused: bool,
    bonuses: Sequence[Decimal],
) -> Statement:
    """The week's statement; `paused` means the contract was paused at some time in the week."""
    minutes = week_minutes(items, classify(items, limit_minutes))
    return priced(minutes, rate=rate, currency=currency, weekly_payment=weekly_payment,
                  payment_share=payment_share, paused=paused, bonuses=bonuses)


def priced(
    minutes: WeekMinutes,
    *,
    rate: Decimal,
    currency: str,
    weekly_payment: Decimal,
    payment_share: Decimal,
    paused: bool,
    bonuses: Sequence[Decimal],
    late: LateLine = LateLine(),
) -> Statement:
    """The statement of a week's minutes, already classified, and of its late slots' line."""
    hours_amount = money(minutes.billable * rate / 60)
    weekly = Decimal("0.00") if paused else money(weekly_payment * payment_share)
    bonus_total = money(sum(bonuses, Decimal(0)))
    return Statement(
        currency=currency,
        rate=rate,
        tracked_minutes=minutes.tracked,
        manual_minutes=minutes.manual,
        counted_minutes=minutes.tracked + minutes.manual,
        over_limit_minutes=minutes.over,
        disputed_minutes=minutes.held,
        removed_minutes=minutes.removed,
        billable_minutes=minutes.billable,
        hours_amount=hours_amount,
        weekly_payment=weekly,
        bonuses=bonus_total,
        total=hours_amount + weekly + bonus_total + late.amount,
        late_minutes=late.minutes,
        late_amount=late.amount,
        late_waiting_minutes=late.waiting,
    )
