"""Properties that must hold for any week, not just the worked examples."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from diary.counting import counted_minutes
from diary.limits import apply_limit
from diary.review import DisputeStatus
from diary.slots import slot_floor, slots_overlapping
from diary.statements import BillItem, build_statement, classify
from diary.terms import SLOT_MINUTES, Billing, Screenshots

WEEK_START = datetime(2026, 11, 16, tzinfo=UTC)
SLOTS_IN_A_WEEK = 7 * 24 * 6

limits = st.none() | st.integers(min_value=0, max_value=SLOTS_IN_A_WEEK * 10)
bill_items = st.lists(
    st.builds(
        BillItem,
        start=st.integers(0, SLOTS_IN_A_WEEK - 1).map(lambda n: WEEK_START + timedelta(minutes=10 * n)),
        counted=st.integers(0, SLOT_MINUTES),
        manual=st.booleans(),
        dispute=st.none() | st.sampled_from(DisputeStatus),
    ),
    max_size=200,
    unique_by=lambda item: item.start,  # one slot per start, as the diary stores them
)


@given(counted=st.lists(st.integers(0, SLOT_MINUTES), max_size=300), limit=limits)
def test_apply_limit_never_bills_past_the_limit(counted, limit):
    split = apply_limit(counted, limit)
    assert [billable + over for billable, over in split] == counted
    billed = sum(billable for billable, _ in split)
    assert billed == (sum(counted) if limit is None else min(sum(counted), limit))
    first_over = next((n for n, (_, over) in enumerate(split) if over), len(split))
    assert all(billable == 0 for billable, _ in split[first_over + 1 :])  # nothing bills after the limit


@given(items=bill_items, limit=limits)
def test_every_counted_minute_lands_in_exactly_one_column(items, limit):
    bills = classify(items, limit)
    assert len(bills) == len(items)
    for item, bill in zip(items, bills):
        assert min(bill.billable, bill.over, bill.held, bill.removed) >= 0
        assert bill.billable + bill.over + bill.held + bill.removed == item.counted
    if limit is not None:
        assert sum(bill.billable + bill.held for bill in bills) <= limit


@settings(max_examples=50)
@given(items=bill_items, limit=limits, rate=st.decimals("0", "500", places=2))
def test_a_statement_adds_up(items, limit, rate):
    result = build_statement(items=items, limit_minutes=limit, rate=rate, currency="USD",
                             weekly_payment=Decimal("0"), payment_share=Decimal("1"), paused=False, bonuses=[])
    assert result.tracked_minutes + result.manual_minutes == result.counted_minutes
    parts = result.billable_minutes + result.over_limit_minutes + result.disputed_minutes + result.removed_minutes
    assert parts == result.counted_minutes
    assert limit is None or result.billable_minutes <= limit
    assert result.total == result.hours_amount


instants = st.integers(0, 4 * 3600).map(lambda s: WEEK_START + timedelta(seconds=s))


@given(
    slot_seconds=st.sampled_from([60, 600]),
    slot_at=instants,
    session_start=instants,
    length=st.none() | st.integers(0, 4 * 3600),
    screenshot_at=st.none() | instants,
    active=st.integers(0, SLOT_MINUTES),
    screenshots=st.sampled_from(Screenshots),
    billing=st.sampled_from(Billing),
)
def test_a_slot_never_counts_more_than_ten_minutes(
    slot_seconds, slot_at, session_start, length, screenshot_at, active, screenshots, billing
):
    got = counted_minutes(
        slot_start=slot_floor(slot_at, slot_seconds), slot_seconds=slot_seconds, session_start=session_start,
        session_end=None if length is None else session_start + timedelta(seconds=length),
        screenshot_at=screenshot_at, active_minutes=active, screenshots=screenshots, billing=billing,
    )
    assert 0 <= got <= SLOT_MINUTES


@given(slot_at=instants, first=st.integers(0, 600), second=st.integers(0, 600))
def test_splitting_a_session_inside_a_slot_never_counts_more(slot_at, first, second):
    slot_start = slot_floor(slot_at)
    begin = slot_start + timedelta(seconds=min(first, second))
    split = slot_start + timedelta(seconds=max(first, second))
    end = slot_start + timedelta(seconds=600)

    def minutes(start, stop):
        return counted_minutes(slot_start=slot_start, slot_seconds=600, session_start=start, session_end=stop,
                               screenshot_at=None, active_minutes=0, screenshots=Screenshots.ON,
                               billing=Billing.MINUTES)

    assert minutes(begin, split) + minutes(split, end) <= minutes(begin, end) <= SLOT_MINUTES


@given(
    slot_seconds=st.sampled_from([60, 600]),
    start=st.integers(0, 1000),
    cuts=st.lists(st.integers(1, 50), min_size=1, max_size=6),
)
def test_adjacent_slot_ranges_never_repeat_a_slot(slot_seconds, start, cuts):
    step = timedelta(seconds=slot_seconds)
    bounds = [WEEK_START + step * start]
    for cut in cuts:
        bounds.append(bounds[-1] + step * cut)
    starts = [t for a, b in zip(bounds, bounds[1:]) for t in slots_overlapping(a, b, slot_seconds)]
    assert len(starts) == len(set(starts))
    assert starts == slots_overlapping(bounds[0], bounds[-1], slot_seconds)
