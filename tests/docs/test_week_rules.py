"""The worked examples of docs/rules.md about weeks, deadlines, edits, limits, review and money."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from bot.services import alerts, contracts, edits, ingest, late, manual, review, sessions, views
from bot.services.results import Done
from diary.refusal import Refusal
from diary.statements import BillItem, build_statement, weekly_payment_share
from diary.protocol import SlotAccepted
from diary.terms import ContractStatus
from diary.weeks import BillingWeek, day_bounds, week_of
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire, outbox, pair_device, ref, report, running_session_id, slots, work

W47 = BillingWeek(date(2026, 11, 16), "UTC")
MON = utc(2026, 11, 16, 9)
EDIT_DEADLINE = utc(2026, 11, 23, 12)
TUESDAY_AFTER = utc(2026, 11, 24, 9)


def _hired_and_paired(ctx, now=MON, **terms):
    hire(ctx, now, **terms)
    return pair_device(ctx, BOB, now)


def test_a_billing_week_follows_the_wall_clock_across_daylight_saving():
    """Rule: docs/rules.md#billing-weeks"""
    w43 = BillingWeek(date(2026, 10, 19), "Europe/Berlin")
    assert (w43.label, w43.start, w43.end) == ("2026-W43", utc(2026, 10, 18, 22), utc(2026, 10, 25, 23))
    assert w43.end - w43.start == timedelta(hours=169)
    sunday = day_bounds(date(2026, 10, 25), "Europe/Berlin")
    assert sunday[1] - sunday[0] == timedelta(hours=25)
    assert week_of(utc(2026, 10, 25, 23, 30), "Europe/Berlin").label == "2026-W44"


def test_edits_close_on_monday_noon_and_the_review_on_friday_night_in_the_billing_timezone():
    """Rule: docs/rules.md#deadlines"""
    assert (W47.edit_deadline, W47.review_deadline) == (utc(2026, 11, 23, 12), utc(2026, 11, 27, 23, 59))
    assert BillingWeek(date(2026, 11, 16), "Asia/Kolkata").edit_deadline == utc(2026, 11, 23, 6, 30)


def test_deleting_a_slot_removes_its_time_until_the_edit_deadline(ctx):
    """Rule: docs/rules.md#deleting-time"""
    device = _hired_and_paired(ctx)
    work(ctx, device, BOB, utc(2026, 11, 16, 10), 2)
    ten = slots(ctx)[0]
    assert views.day_diary(ctx, BOB, now=MON, day="2026-11-16").counted_minutes == 20
    refused = edits.delete_slot(ctx, ALICE, ten.id, now=utc(2026, 11, 16, 15))
    assert refused.message == "Only the freelancer of this contract can delete its tracked time."
    assert isinstance(edits.delete_slot(ctx, BOB, ten.id, now=utc(2026, 11, 16, 15)), Done)
    assert views.day_diary(ctx, BOB, now=MON, day="2026-11-16").counted_minutes == 10
    again = ingest.record_slot(ctx, device, report(ten.session_id, ten.start), None, now=utc(2026, 11, 16, 16))
    assert again.counted_minutes == 0 and views.day_diary(ctx, BOB, now=MON, day="2026-11-16").counted_minutes == 10
    too_late = edits.delete_slot(ctx, BOB, slots(ctx)[1].id, now=TUESDAY_AFTER)
    assert too_late.code == "too_late" and "2026-W47 closed for edits" in too_late.message


def test_manual_time_is_whole_slots_with_a_memo_approved_by_the_client(ctx):
    """Rule: docs/rules.md#manual-time"""
    hire(ctx, MON)
    asked_at = utc(2026, 11, 16, 15)
    for start, memo, words in ((time(13, 5), "call", "whole 10-minute slots"), (time(13), "", "needs a memo")):
        refused = manual.request(ctx, BOB, start=start, end=time(14), day="mon", memo=memo, now=asked_at)
        assert isinstance(refused, Refusal) and words in refused.message
    assert isinstance(manual.request(ctx, BOB, start=time(13), end=time(14), day="mon", memo="call with design", now=asked_at), Done)
    entry = outbox(ctx, "manual_request")[0].payload["entry_id"]
    assert isinstance(manual.decide(ctx, ALICE, entry, approve=True, now=asked_at), Done)
    monday = views.day_diary(ctx, ALICE, now=asked_at, day="2026-11-16", other=ref(BOB))
    assert (monday.counted_minutes, monday.manual_minutes) == (60, 60)
    assert views.timesheet(ctx, ALICE, now=asked_at).statement.manual_minutes == 60


def test_forty_two_hours_on_a_forty_hour_limit_bill_forty_and_alert_at_eighty_and_a_hundred_percent(ctx):
    """Rule: docs/rules.md#weekly-limit"""
    device = _hired_and_paired(ctx, limit_hours=Decimal("40"))
    for day in range(4):  # Monday to Thursday, 7 h a day
        work(ctx, device, BOB, MON + timedelta(days=day), 42)
    friday = MON + timedelta(days=4)
    work(ctx, device, BOB, friday, 24)  # 32 h
    assert alerts.limit_alerts(ctx, now=friday + timedelta(hours=4)) == 2
    assert "(80%)" in outbox(ctx, "limit")[0].payload["text"]
    work(ctx, device, BOB, friday + timedelta(hours=4), 18)  # 35 h
    saturday = MON + timedelta(days=5)
    work(ctx, device, BOB, saturday, 30)  # 40 h
    assert alerts.limit_alerts(ctx, now=saturday + timedelta(hours=5)) == 2
    assert all("40 h weekly limit" in m.payload["text"] and "reached" in m.payload["text"] for m in outbox(ctx, "limit")[2:])
    work(ctx, device, BOB, saturday + timedelta(hours=5), 12)  # 42 h
    assert alerts.limit_alerts(ctx, now=saturday + timedelta(hours=7)) == 0  # told once
    st = views.timesheet(ctx, ALICE, now=saturday + timedelta(hours=8)).statement
    assert (st.counted_minutes, st.billable_minutes, st.over_limit_minutes) == (42 * 60, 40 * 60, 2 * 60)
    assert views.day_diary(ctx, BOB, now=saturday, day="2026-11-21").over_limit_minutes == 120


def test_a_raise_applies_to_the_whole_week_and_a_cut_from_next_week(ctx):
    """Rule: docs/rules.md#terms-in-force"""
    device = _hired_and_paired(ctx)
    work(ctx, device, BOB, MON, 6)
    assert "from this week on" in contracts.set_rate(ctx, ALICE, Decimal("50"), now=utc(2026, 11, 18, 9)).headline
    assert "from next week on" in contracts.set_rate(ctx, ALICE, Decimal("30"), now=utc(2026, 11, 19, 9)).headline
    this_week = views.timesheet(ctx, ALICE, now=utc(2026, 11, 20)).statement
    assert (this_week.rate, this_week.hours_amount) == (Decimal("50"), Decimal("50.00"))
    assert views.timesheet(ctx, ALICE, now=utc(2026, 11, 24)).statement.rate == Decimal("30")
    refused = contracts.change_terms(ctx, ALICE, {"currency": "EUR"}, now=utc(2026, 11, 20))
    assert isinstance(refused, Refusal) and "end this one (/contract end) and start a new one" in refused.message


def test_a_week_closes_once_at_its_edit_deadline_with_its_statement_and_review_message(ctx):
    """Rule: docs/rules.md#closed-weeks"""
    device = _hired_and_paired(ctx)
    work(ctx, device, BOB, MON, 12)
    assert isinstance(review.close_week(ctx, 1, W47, now=EDIT_DEADLINE - timedelta(minutes=1)), Refusal)
    closed = review.close_week(ctx, 1, W47, now=EDIT_DEADLINE)
    assert (closed.statement["billable_minutes"], closed.statement["total"]) == (120, "80.00")
    review.close_week(ctx, 1, W47, now=EDIT_DEADLINE + timedelta(minutes=5))
    [message] = outbox(ctx, "review")
    assert [b["label"] for b in message.payload["buttons"]] == ["Approve", "Dispute", "Open diary"]
    contracts.set_rate(ctx, ALICE, Decimal("90"), now=TUESDAY_AFTER)
    contracts.set_limit(ctx, ALICE, Decimal("1"), now=TUESDAY_AFTER)
    contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=TUESDAY_AFTER)
    sheet = views.timesheet(ctx, ALICE, now=TUESDAY_AFTER, week="2026-W47")
    monday = views.day_diary(ctx, BOB, now=TUESDAY_AFTER, day="2026-11-16")
    assert (sheet.statement.billable_minutes, sheet.statement.total, sheet.statement.rate) == (120, Decimal("80.00"), Decimal("40"))
    assert (monday.counted_minutes, monday.over_limit_minutes) == (120, 0)


def test_a_slot_arriving_after_the_edit_deadline_is_kept_late_and_billed_once_approved(ctx):
    """Rule: docs/rules.md#late-slots"""
    device = _hired_and_paired(ctx)
    friday = utc(2026, 11, 20, 17)
    sessions.clock_in(ctx, BOB, now=friday)
    sid = running_session_id(ctx)
    on_time = ingest.record_slot(ctx, device, report(sid, friday), None, now=EDIT_DEADLINE - timedelta(minutes=1))
    late_one = ingest.record_slot(ctx, device, report(sid, friday + timedelta(minutes=10)), None, now=EDIT_DEADLINE)
    assert (on_time.counted_minutes, on_time.late, late_one.late) == (10, False, True)
    [asked] = outbox(ctx, "late_request")
    assert [b["label"] for b in asked.payload["buttons"]] == ["Approve", "Decline"]
    assert isinstance(late.decide(ctx, ALICE, asked.payload["late_request_id"], approve=True, now=TUESDAY_AFTER), Done)
    w48 = views.timesheet(ctx, ALICE, now=TUESDAY_AFTER, week="2026-W48", other=ref(BOB)).statement
    assert (w48.late_minutes, w48.late_amount, w48.total) == (10, Decimal("6.67"), Decimal("6.67"))
    w47 = views.timesheet(ctx, ALICE, now=TUESDAY_AFTER, week="2026-W47", other=ref(BOB)).statement
    assert (w47.counted_minutes, w47.total) == (10, Decimal("6.67"))


def test_the_client_approves_in_the_review_window_or_the_week_is_approved_on_friday_night(ctx):
    """Rule: docs/rules.md#approval"""
    device = _hired_and_paired(ctx)
    work(ctx, device, BOB, MON, 6)
    assert isinstance(review.approve_week(ctx, ALICE, now=utc(2026, 11, 20), week="2026-W47"), Refusal)  # too early
    review.close_week(ctx, 1, W47, now=EDIT_DEADLINE)
    assert review.auto_approve_due(ctx, now=utc(2026, 11, 27, 23, 58)) == []
    assert len(review.auto_approve_due(ctx, now=utc(2026, 11, 27, 23, 59))) == 1
    assert views.timesheet(ctx, ALICE, now=TUESDAY_AFTER, week="2026-W47").status == "auto_approved"
    assert len(outbox(ctx, "auto_approved")) == 1


def test_approving_during_the_review_window(ctx):
    """Rule: docs/rules.md#approval"""
    device = _hired_and_paired(ctx)
    work(ctx, device, BOB, MON, 6)
    assert isinstance(review.approve_week(ctx, ALICE, now=TUESDAY_AFTER, week="2026-W47"), Done)
    assert views.timesheet(ctx, BOB, now=TUESDAY_AFTER, week="2026-W47").status == "approved"
    assert outbox(ctx, "review") == []  # approving closed the week: no review request for a review given
    assert isinstance(review.approve_week(ctx, ALICE, now=TUESDAY_AFTER, week="2026-W47"), Refusal)  # once


def test_disputed_slots_are_held_then_leave_the_bill_when_the_freelancer_accepts(ctx):
    """Rule: docs/rules.md#disputes"""
    device = _hired_and_paired(ctx)
    work(ctx, device, BOB, MON, 12)
    review.close_week(ctx, 1, W47, now=EDIT_DEADLINE)
    assert isinstance(review.dispute(ctx, ALICE, start=time(10), end=time(11), day="mon", reason="no work visible", now=TUESDAY_AFTER), Done)
    held = views.timesheet(ctx, ALICE, now=TUESDAY_AFTER, week="last").statement
    assert (held.billable_minutes, held.disputed_minutes) == (60, 60)
    dispute_id = outbox(ctx, "dispute")[0].payload["dispute_id"]
    assert isinstance(review.dispute_action(ctx, BOB, dispute_id, "accept", now=TUESDAY_AFTER), Done)
    sheet = views.timesheet(ctx, ALICE, now=TUESDAY_AFTER, week="last")
    st = sheet.statement
    assert (st.billable_minutes, st.removed_minutes, st.total, sheet.status) == (60, 60, Decimal("40.00"), "approved")


def test_a_statement_prices_billable_minutes_and_rounds_half_up_to_the_cent_once():
    """Rule: docs/rules.md#statements"""
    start = datetime(2026, 11, 16, 9, tzinfo=UTC)
    items = [BillItem(start=start + timedelta(minutes=10 * i), counted=10) for i in range(45)]
    st = build_statement(items=items, limit_minutes=None, rate=Decimal("33.33"), currency="USD",
                         weekly_payment=Decimal("100"), payment_share=Decimal(1), paused=False, bonuses=[Decimal("20")])
    assert (st.billable_minutes, st.hours_amount, st.weekly_payment, st.bonuses, st.total) == (
        450, Decimal("249.98"), Decimal("100.00"), Decimal("20.00"), Decimal("369.98"))


def test_the_weekly_payment_is_shared_by_start_and_end_day_and_lost_in_a_paused_week(ctx):
    """Rule: docs/rules.md#weekly-payment"""
    assert weekly_payment_share(week=W47, start_day=date(2026, 11, 18), end_day=None) * 500 == 300
    assert weekly_payment_share(week=W47, start_day=date(2026, 11, 2), end_day=date(2026, 11, 17)) * 500 == 200
    hire(ctx, utc(2026, 11, 18, 9), weekly_payment=Decimal("500"))
    assert views.timesheet(ctx, ALICE, now=utc(2026, 11, 19)).statement.weekly_payment == Decimal("300.00")
    contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=utc(2026, 11, 24))
    contracts.set_status(ctx, ALICE, ContractStatus.ACTIVE, now=utc(2026, 11, 25))
    assert views.timesheet(ctx, ALICE, now=utc(2026, 11, 26)).statement.weekly_payment == Decimal("0.00")


def test_a_bonus_goes_on_this_weeks_statement_apart_from_the_hours(ctx):
    """Rule: docs/rules.md#bonuses"""
    device = _hired_and_paired(ctx)
    work(ctx, device, BOB, MON, 12)
    later = MON + timedelta(hours=3)
    assert isinstance(review.bonus(ctx, ALICE, ref(BOB), Decimal("-5"), now=later), Refusal)
    assert isinstance(review.bonus(ctx, ALICE, ref(BOB), Decimal("50"), note="thanks", now=later), Done)
    st = views.timesheet(ctx, ALICE, now=later).statement
    assert (st.hours_amount, st.bonuses, st.total) == (Decimal("80.00"), Decimal("50.00"), Decimal("130.00"))
    assert outbox(ctx, "bonus")[0].payload["text"] == "alice paid bob a bonus of 50.00 USD: thanks"
