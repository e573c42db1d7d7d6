from datetime import date
from decimal import Decimal

import pytest

from diary.changes import Change, value_for_week
from diary.weeks import BillingWeek

from .moments import utc

WEEK = BillingWeek(date(2026, 11, 16), "UTC")  # Monday 16 to Sunday 22 November
BEFORE = utc("2026-11-01 09:00")
MONDAY = utc("2026-11-16 00:00")
WEDNESDAY = utc("2026-11-18 15:00")
FRIDAY = utc("2026-11-20 15:00")
NEXT_MONDAY = utc("2026-11-23 00:00")
NO_LIMIT = None


def d(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.parametrize(
    ("changes", "this_week", "next_week"),
    [
        ([(BEFORE, d("40"))], d("40"), d("40")),
        ([(BEFORE, d("40")), (WEDNESDAY, d("45"))], d("45"), d("45")),  # a raise applies at once
        ([(BEFORE, d("40")), (WEDNESDAY, d("30"))], d("40"), d("30")),  # a cut waits for next week
        ([(BEFORE, d("40")), (WEDNESDAY, d("30")), (FRIDAY, d("35"))], d("40"), d("35")),
        ([(BEFORE, d("40")), (WEDNESDAY, d("50")), (FRIDAY, d("45"))], d("50"), d("45")),
        ([(BEFORE, d("40")), (WEDNESDAY, NO_LIMIT)], NO_LIMIT, NO_LIMIT),  # no limit is the highest
        ([(BEFORE, NO_LIMIT), (WEDNESDAY, d("40"))], NO_LIMIT, d("40")),
        ([(BEFORE, d("40")), (MONDAY, d("30"))], d("30"), d("30")),  # set at the week's very start
        ([(BEFORE, d("40")), (NEXT_MONDAY, d("30"))], d("40"), d("30")),  # set as the week ends
        ([(WEDNESDAY, d("40"))], d("40"), d("40")),  # contract created during the week
        ([(WEDNESDAY, d("40")), (FRIDAY, d("20"))], d("40"), d("20")),
        ([(FRIDAY, d("35")), (BEFORE, d("40")), (WEDNESDAY, d("30"))], d("40"), d("35")),  # any order
    ],
)
def test_a_raise_applies_at_once_and_a_cut_from_the_next_week(changes, this_week, next_week):
    history = [Change(at=at, value=value) for at, value in changes]
    assert value_for_week(history, WEEK) == this_week
    assert value_for_week(history, WEEK.next()) == next_week


def test_weeks_before_the_first_change_use_the_initial_value():
    history = [Change(at=FRIDAY, value=d("40")), Change(at=utc("2026-12-02 10:00"), value=d("50"))]
    assert value_for_week(history, WEEK.previous()) == d("40")


def test_there_is_always_an_initial_value():
    with pytest.raises(ValueError):
        value_for_week([], WEEK)
