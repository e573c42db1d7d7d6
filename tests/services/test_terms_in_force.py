"""Terms in force (docs/rules.md#terms-in-force): a slot is counted under the terms in force at
its start, a week priced under the terms of that week; what is recorded or approved never
changes with a later change of terms."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.services import contracts, ingest, review, sessions, views
from bot.services.results import ContractCard, Done
from diary.contract_terms import HISTORY
from diary.refusal import Refusal
from diary.weeks import BillingWeek
from storage.tables import ContractChange
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire, pair_device, ref, report, running_session_id, work

MON = utc(2026, 11, 16, 9)
WEEK = BillingWeek(date(2026, 11, 16), "UTC")
EDIT_DEADLINE = utc(2026, 11, 23, 12)
IN_REVIEW = utc(2026, 11, 24, 9)


def record(ctx, device, start, slots: int, *, shot: bool) -> None:
    """Clock in at `start` and report `slots` active slots, with or without a screenshot."""
    sessions.clock_in(ctx, BOB, memo="work", now=start)
    session_id = running_session_id(ctx)
    for i in range(slots):
        t = start + timedelta(minutes=10 * i)
        ingest.record_slot(ctx, device, report(session_id, t, shot_after=300 if shot else None), None, now=t + timedelta(minutes=10))
    sessions.clock_out(ctx, BOB, now=start + timedelta(minutes=10 * slots))


def sheet(ctx, now, week: str | None = None):
    return views.timesheet(ctx, ALICE, now=now, week=week, other=ref(BOB))


def test_screenshots_off_does_not_reprice_slots_already_recorded(ctx):
    """Rule: docs/rules.md#terms-in-force (the example's 13:05 switch)"""
    hire(ctx, MON - timedelta(days=1))
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 6)  # an hour with screenshots: counted
    record(ctx, device, MON + timedelta(hours=2), 3, shot=False)  # 30 min without one: not counted
    before = sheet(ctx, MON + timedelta(hours=4)).statement
    assert (before.counted_minutes, before.total) == (60, Decimal("40.00"))

    changed = contracts.change_terms(ctx, ALICE, {"screenshots": "off"}, now=MON + timedelta(hours=4, minutes=5))
    assert "Screenshots: off from the next slot on (Monday 2026-11-16 13:10 (UTC))." in changed.changes
    after = sheet(ctx, MON + timedelta(hours=4, minutes=5)).statement
    assert (after.counted_minutes, after.total) == (60, Decimal("40.00"))

    record(ctx, device, MON + timedelta(hours=5), 3, shot=False)  # after the change: active minutes count
    assert sheet(ctx, MON + timedelta(hours=6)).statement.counted_minutes == 90


def test_the_slot_under_way_keeps_the_terms_it_began_with(ctx):
    hire(ctx, MON - timedelta(days=1), screenshots="off")
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="work", now=MON)
    contracts.change_terms(ctx, ALICE, {"screenshots": "on"}, now=MON + timedelta(minutes=4))
    session_id = running_session_id(ctx)
    for t in (MON, MON + timedelta(minutes=10)):  # both without a screenshot
        ingest.record_slot(ctx, device, report(session_id, t, shot_after=None), None, now=t + timedelta(minutes=10))
    sessions.clock_out(ctx, BOB, now=MON + timedelta(minutes=20))
    assert sheet(ctx, MON + timedelta(hours=1)).statement.counted_minutes == 10  # the 9:00 slot, under "off"


def approved_week(ctx, **terms) -> Decimal:
    hire(ctx, MON - timedelta(days=1), weekly_payment=Decimal("500"), **terms)
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 12)
    review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE)
    assert isinstance(review.approve_week(ctx, ALICE, now=IN_REVIEW, week="2026-W47"), Done)
    return sheet(ctx, IN_REVIEW, "2026-W47").statement.total


def test_an_approved_week_keeps_its_amounts_after_the_weekly_payment_changes(ctx):
    total = approved_week(ctx)
    assert total == Decimal("580.00")  # 2 h at 40 and a week's 500
    raised = contracts.change_terms(ctx, ALICE, {"weekly": Decimal("600")}, now=IN_REVIEW)
    assert "Weekly payment: 600.00 USD from this week on (Monday 2026-11-23 00:00 (UTC))." in raised.changes
    contracts.change_terms(ctx, ALICE, {"weekly": Decimal("100")}, now=IN_REVIEW + timedelta(hours=1))
    assert sheet(ctx, IN_REVIEW, "2026-W47").statement.total == total
    # the raise holds this week; the cut waits for the next one
    assert sheet(ctx, IN_REVIEW).statement.weekly_payment == Decimal("600.00")
    assert sheet(ctx, IN_REVIEW + timedelta(days=7)).statement.weekly_payment == Decimal("100.00")


@pytest.mark.parametrize("term, value", [("currency", "EUR"), ("tz", "Europe/Berlin")])
def test_currency_and_timezone_are_refused_once_time_is_recorded(ctx, term, value):
    total = approved_week(ctx)
    refused = contracts.change_terms(ctx, ALICE, {term: value, "weekly": Decimal("100")}, now=IN_REVIEW)
    assert isinstance(refused, Refusal)
    assert "end this one (/contract end) and start a new one" in refused.message
    shown = contracts.show(ctx, ALICE)
    assert (shown.currency, shown.tz, shown.weekly_payment) == ("USD", "UTC", Decimal("500"))
    assert sheet(ctx, IN_REVIEW, "2026-W47").statement.total == total


def test_currency_and_timezone_may_change_before_any_time_is_recorded(ctx):
    hire(ctx, MON)
    card = contracts.change_terms(ctx, ALICE, {"currency": "EUR", "tz": "Europe/Berlin"}, now=MON)
    assert (card.currency, card.tz) == ("EUR", "Europe/Berlin")
    assert "Currency: EUR from now on." in card.changes


def test_create_records_the_initial_value_of_every_term_with_a_history(ctx):
    hire(ctx, MON, limit_hours=None, min_hours=Decimal("10"), screenshots="blur", manual=False)
    with ctx.unit() as s:
        kept = {(c.field, c.value, c.effective_at) for c in s.exec(select(ContractChange))}
    values = {field: value for field, value, _ in kept}
    assert set(values) == {term.name for term in HISTORY} | {"status"}
    assert (values["limit"], values["min"], values["screenshots"], values["manual"]) == (None, "10", "blur", "off")
    assert {at for _, _, at in kept} == {MON}


def test_a_raise_applies_now_a_cut_next_week_and_a_later_raise_wins(ctx):
    hire(ctx, MON - timedelta(days=1), tz="Europe/Berlin")
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 6)
    cut = contracts.set_rate(ctx, ALICE, Decimal("30"), now=MON + timedelta(hours=2))
    assert cut.headline == "Hourly rate changed from next week on"
    assert "Hourly rate: 30.00 USD/h from next week on (Monday 2026-11-23 00:00 (Europe/Berlin))." in cut.changes
    raised = contracts.set_rate(ctx, ALICE, Decimal("45"), now=MON + timedelta(hours=3))
    assert raised.headline == "Hourly rate changed from this week on"
    assert sheet(ctx, MON + timedelta(hours=3)).statement.rate == Decimal("45")
    assert sheet(ctx, MON + timedelta(days=7)).statement.rate == Decimal("45")  # the raise came later than the cut


def test_the_weekly_minimum_applies_from_next_week_and_shows_on_the_contract(ctx):
    hire(ctx, MON)
    card = contracts.change_terms(ctx, ALICE, {"min": Decimal("10")}, now=MON)
    assert isinstance(card, ContractCard) and card.min_hours == Decimal("10")
    assert "Weekly minimum: 10 h/week from next week on (Monday 2026-11-23 00:00 (UTC))." in card.changes
    refused = contracts.change_terms(ctx, ALICE, {"min": Decimal("200")}, now=MON)
    assert isinstance(refused, Refusal) and "min=10" in refused.message


def test_the_slot_under_way_when_screenshots_go_off_keeps_its_screenshot(ctx):
    hire(ctx, MON - timedelta(days=1))
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="work", now=MON)
    session_id = running_session_id(ctx)
    contracts.change_terms(ctx, ALICE, {"screenshots": "off"}, now=MON + timedelta(minutes=5))  # after the 9:03 screenshot
    kept = ingest.record_slot(ctx, device, report(session_id, MON, shot_after=180), None, now=MON + timedelta(minutes=10))
    assert not isinstance(kept, Refusal) and kept.counted_minutes == 10
    later = ingest.record_slot(ctx, device, report(session_id, MON + timedelta(minutes=10), shot_after=180), None,
                               now=MON + timedelta(minutes=20))
    assert isinstance(later, Refusal) and "no screenshots" in later.message
    sessions.clock_out(ctx, BOB, now=MON + timedelta(minutes=20))
    assert sheet(ctx, MON + timedelta(hours=1)).statement.counted_minutes == 10


def test_the_clock_out_total_counts_each_slot_under_its_own_terms(ctx):
    hire(ctx, MON - timedelta(days=1), screenshots="off")
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="work", now=MON)
    session_id = running_session_id(ctx)
    for i in range(4):  # none with a screenshot; screenshots on from the 9:20 slot
        t = MON + timedelta(minutes=10 * i)
        if i == 2:
            contracts.change_terms(ctx, ALICE, {"screenshots": "on"}, now=t - timedelta(minutes=5))
        ingest.record_slot(ctx, device, report(session_id, t, shot_after=None), None, now=t + timedelta(minutes=10))
    out = sessions.clock_out(ctx, BOB, now=MON + timedelta(minutes=40))
    assert out.counted_minutes == 20 == sheet(ctx, MON + timedelta(hours=1)).statement.counted_minutes
