"""The week close's shortcut for undisputed weeks bills exactly what the slot-by-slot rule bills.

A week nobody disputed is billed from its days' totals (undisputed_day_bills) rather than slot by
slot (classify); see docs/decisions/0010-undisputed-weeks-summed-by-day.md. Money must not depend
on which path computed it.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from diary.statements import BillItem, classify, undisputed_day_bills
from diary.terms import SLOT_MINUTES

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
SLOTS_IN_A_WEEK = 7 * 24 * 6

week_of_slots = st.lists(
    st.tuples(st.integers(0, SLOTS_IN_A_WEEK - 1), st.integers(0, SLOT_MINUTES), st.booleans()),
    max_size=300, unique_by=lambda slot: slot[0],
)
limits = st.none() | st.integers(0, SLOTS_IN_A_WEEK * SLOT_MINUTES)


@given(slots=week_of_slots, limit=limits)
def test_day_totals_bill_the_same_as_slot_by_slot(slots, limit):
    items = sorted((BillItem(start=MONDAY + timedelta(minutes=10 * n), counted=counted, manual=manual)
                    for n, counted, manual in slots), key=lambda item: item.start)
    by_slot = classify(items, limit)
    days = [[(item, bill) for item, bill in zip(items, by_slot) if item.start.weekday() == day] for day in range(7)]
    by_day = undisputed_day_bills([sum(item.counted for item, _ in day) for day in days], limit)
    for day, bill in zip(days, by_day, strict=True):
        assert (bill.billable, bill.over) == (sum(b.billable for _, b in day), sum(b.over for _, b in day))
        assert bill.held == bill.removed == 0
