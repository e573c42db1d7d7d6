from datetime import date, timedelta
from decimal import Decimal

import pytest

from diary.review import DisputeStatus
from diary.statements import BillItem, SlotBill, build_statement, classify, weekly_payment_share
from diary.weeks import BillingWeek

WEEK = BillingWeek(date(2026, 11, 16), "UTC")  # Monday 16 to Sunday 22 November
MON, TUE, WED, THU, FRI, SAT, SUN = WEEK.days
FIRST_WEEK_SHARE = ["1.00", "0.80", "0.60", "0.40", "0.20", "0.20", "0.20"]
LAST_WEEK_SHARE = ["0.20", "0.40", "0.60", "0.80", "1.00", "1.00", "1.00"]


@pytest.mark.parametrize(("start_day", "share"), list(zip(WEEK.days, FIRST_WEEK_SHARE)))
def test_first_week_share_by_start_day(start_day, share):
    assert weekly_payment_share(week=WEEK, start_day=start_day, end_day=None) == Decimal(share)


@pytest.mark.parametrize(("end_day", "share"), list(zip(WEEK.days, LAST_WEEK_SHARE)))
def test_last_week_share_by_end_day(end_day, share):
    started = date(2026, 1, 5)
    assert weekly_payment_share(week=WEEK, start_day=started, end_day=end_day) == Decimal(share)


@pytest.mark.parametrize(
    ("start_day", "end_day", "share"),
    [
        (MON, SUN, "1.00"),
        (MON, MON, "0.20"),
        (TUE, THU, "0.80"),  # min(0.80, 0.80)
        (WED, FRI, "0.60"),  # min(0.60, 1.00)
        (TUE, WED, "0.60"),  # min(0.80, 0.60)
        (SAT, SUN, "0.20"),
        (SUN + timedelta(days=1), None, "0"),  # the contract starts after this week
        (MON - timedelta(days=30), MON - timedelta(days=1), "0"),  # it ended before this week
        (MON - timedelta(days=30), SUN + timedelta(days=1), "1"),
        (MON - timedelta(days=30), None, "1"),
    ],
)
def test_weekly_payment_share_in_other_weeks(start_day, end_day, share):
    assert weekly_payment_share(week=WEEK, start_day=start_day, end_day=end_day) == Decimal(share)


def slot(n: int) -> object:
    """The n-th ten-minute slot of the week."""
    return WEEK.start + timedelta(minutes=10 * n)


def items(*specs):
    return [BillItem(start=slot(n), counted=counted, manual=manual, dispute=dispute)
            for n, counted, manual, dispute in specs]


OPEN, ANSWERED, ACCEPTED, CONFIRMED, WITHDRAWN = (
    DisputeStatus.OPEN, DisputeStatus.ANSWERED, DisputeStatus.ACCEPTED, DisputeStatus.CONFIRMED,
    DisputeStatus.WITHDRAWN,
)


def bill(billable=0, over=0, held=0, removed=0):
    return SlotBill(billable=billable, over=over, held=held, removed=removed)


@pytest.mark.parametrize(
    ("specs", "limit", "expected"),
    [
        ([(0, 10, False, None), (1, 10, False, None)], None, [bill(10), bill(10)]),
        ([(0, 10, False, None), (1, 10, False, None), (2, 10, False, None)], 25, [bill(10), bill(10), bill(5, over=5)]),
        # removed time is taken out first and never uses up the limit
        ([(0, 10, False, ACCEPTED), (1, 10, False, None), (2, 10, False, None), (3, 10, False, None)], 20,
         [bill(removed=10), bill(10), bill(10), bill(over=10)]),
        ([(0, 10, False, CONFIRMED), (1, 10, False, None)], 0, [bill(removed=10), bill(over=10)]),
        # held time stays within the limit but is not billed yet
        ([(0, 10, False, OPEN), (1, 10, False, None), (2, 10, False, None)], 20,
         [bill(held=10), bill(10), bill(over=10)]),
        ([(0, 10, False, None), (1, 10, False, ANSWERED)], 15, [bill(10), bill(over=5, held=5)]),
        ([(0, 10, False, WITHDRAWN)], None, [bill(10)]),  # a withdrawn dispute bills as usual
        ([(0, 10, True, None), (1, 7, False, None)], 12, [bill(10), bill(2, over=5)]),
        ([], 10, []),
    ],
)
def test_classify_splits_each_slot(specs, limit, expected):
    assert classify(items(*specs), limit) == expected


def test_classify_applies_the_limit_in_time_order_but_answers_in_input_order():
    late, early = items((5, 10, False, None), (0, 10, False, None))
    assert classify([late, early], 10) == [bill(over=10), bill(10)]


def statement(specs, *, limit=None, rate="40", weekly="0", share="1", paused=False, bonuses=()):
    return build_statement(
        items=items(*specs), limit_minutes=limit, rate=Decimal(rate), currency="USD",
        weekly_payment=Decimal(weekly), payment_share=Decimal(share), paused=paused,
        bonuses=[Decimal(b) for b in bonuses],
    )


def test_forty_hour_limit_and_forty_two_hours_counted():
    result = statement([(n, 10, False, None) for n in range(42 * 6)], limit=40 * 60, rate="40")
    assert (result.counted_minutes, result.billable_minutes, result.over_limit_minutes) == (2520, 2400, 120)
    assert result.tracked_minutes == 2520 and result.hours_amount == Decimal("1600.00")
    assert result.total == Decimal("1600.00")


def test_weekly_payment_on_a_contract_that_starts_on_a_wednesday():
    share = weekly_payment_share(week=WEEK, start_day=WED, end_day=None)
    result = statement([], weekly="500.00", share=str(share))
    assert (result.weekly_payment, result.total) == (Decimal("300.00"), Decimal("300.00"))


def test_no_weekly_payment_for_a_week_with_a_pause():
    assert statement([], weekly="500.00", paused=True).weekly_payment == Decimal("0")


def test_a_statement_shows_every_kind_of_time_apart():
    specs = [
        (0, 10, False, None), (1, 10, True, None), (2, 10, False, OPEN), (3, 10, False, ACCEPTED),
        (4, 10, False, None), (5, 4, False, None),
    ]
    result = statement(specs, limit=35, rate="33.33", bonuses=["50", "25.5"])
    assert (result.tracked_minutes, result.manual_minutes, result.counted_minutes) == (44, 10, 54)
    assert (result.removed_minutes, result.disputed_minutes) == (10, 10)
    assert (result.billable_minutes, result.over_limit_minutes) == (25, 9)
    assert result.hours_amount == Decimal("13.89")  # 25 min at 33.33/h = 13.8875
    assert (result.bonuses, result.total) == (Decimal("75.50"), Decimal("89.39"))
    assert (result.currency, result.rate) == ("USD", Decimal("33.33"))


@pytest.mark.parametrize(
    ("minutes", "rate", "amount"),
    [(10, "40", "6.67"), (10, "40.01", "6.67"), (20, "0.15", "0.05"), (60, "12.345", "12.35"), (0, "40", "0.00")],
)
def test_hours_amount_rounds_once_half_up(minutes, rate, amount):
    result = statement([(n, 10, False, None) for n in range(minutes // 10)], rate=rate)
    assert result.hours_amount == Decimal(amount)

