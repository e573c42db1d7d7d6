"""The earnings rules alone: when a week's amount and a bonus become available, what /paid may
mark, and sums that never mix currencies."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from diary.earnings import BonusGiven, WeekOwed, available_from, earnings, format_totals, held_amount, to_mark, totals
from diary.refusal import Refusal
from diary.weeks import BillingWeek

W47 = BillingWeek(datetime(2026, 11, 16).date(), "UTC")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def owed(status="approved", work="80.00", paid="0.00", bonuses=(), closed=True, held="0.00") -> WeekOwed:
    return WeekOwed(W47, "USD", closed, status, Decimal(work), Decimal(held), tuple(bonuses), Decimal(paid))


def test_a_week_is_available_on_the_wednesday_after_its_review_window_on_its_own_clock():
    """Rule: docs/rules.md#earnings"""
    assert available_from(W47) == at(2026, 12, 2)
    berlin = BillingWeek(datetime(2026, 10, 19).date(), "Europe/Berlin")  # its Sunday lasts 25 hours
    assert available_from(berlin) == at(2026, 11, 3, 23)  # Wednesday 2026-11-04 00:00 in Berlin, after the clocks went back
    assert available_from(W47) - W47.review_deadline > timedelta(days=3)


def test_pending_until_due_then_available_until_marked_paid():
    """Rule: docs/rules.md#earnings"""
    before = earnings(owed(), at(2026, 12, 1, 23, 59))
    assert (before.pending, before.available, before.next_due) == (Decimal("80.00"), Decimal("0.00"), at(2026, 12, 2))
    due = earnings(owed(), at(2026, 12, 2))
    assert (due.pending, due.available) == (Decimal("0.00"), Decimal("80.00"))
    paid = earnings(owed(paid="80.00"), at(2026, 12, 3))
    assert (paid.pending, paid.available, paid.paid) == (Decimal("0.00"), Decimal("0.00"), Decimal("80.00"))


def test_a_week_nobody_approved_waits_for_its_approval_and_a_disputed_one_does_not_hold_back_the_rest():
    """Rule: docs/rules.md#earnings"""
    waiting = earnings(owed(status="pending"), at(2026, 12, 5))
    assert (waiting.pending, waiting.available, waiting.next_due) == (Decimal("80.00"), Decimal("0.00"), None)
    disputed = earnings(owed(status="disputed", work="40.00", held="40.00"), at(2026, 12, 2))
    assert (disputed.available, disputed.held) == (Decimal("40.00"), Decimal("40.00"))
    assert held_amount(90, Decimal("33.33")) == Decimal("50.00")  # 1.5 h × 33.33 = 49.995, half up


def test_a_bonus_is_pending_when_given_and_available_five_days_later():
    """Rule: docs/rules.md#earnings"""
    bonus = BonusGiven(Decimal("50.00"), at(2026, 11, 18, 9))
    open_week = owed(closed=False, status="open", work="0.00", bonuses=[bonus])
    assert earnings(open_week, at(2026, 11, 23, 8, 59)).pending == Decimal("50.00")
    assert earnings(open_week, at(2026, 11, 23, 9)).available == Decimal("50.00")


def test_paid_marks_only_what_is_available_and_says_when_the_rest_will_be():
    """Rule: docs/rules.md#earnings"""
    assert to_mark(owed(), at(2026, 12, 2), "#1") == Decimal("80.00")
    early = to_mark(owed(), at(2026, 11, 24), "#1")
    assert isinstance(early, Refusal) and "available from Wednesday 2026-12-02 00:00 (UTC)" in early.message
    again = to_mark(owed(paid="80.00"), at(2026, 12, 3), "#1")
    assert isinstance(again, Refusal) and again.code == "done" and "already marked paid" in again.message
    still_open = to_mark(owed(closed=False, status="open", work="0.00"), at(2026, 11, 20), "#1")
    assert "is not closed yet" in still_open.message and "Monday 2026-11-23 12:00" in still_open.message


def test_totals_are_per_currency_and_never_added_across():
    """Rule: docs/rules.md#earnings"""
    usd, eur = earnings(owed(), at(2026, 12, 2)), earnings(owed(work="10.00"), at(2026, 12, 2))
    sums = totals([("USD", usd), ("EUR", eur), ("USD", usd)])
    assert sums.available == {"EUR": Decimal("10.00"), "USD": Decimal("160.00")}
    assert format_totals(sums.available) == "10.00 EUR · 160.00 USD"
    assert format_totals({}) == "0.00"
