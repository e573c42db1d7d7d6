"""The week as the client meets it: timesheet, manual time, close, approve, dispute, bonus, limit."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.services import contracts, manual, review, views
from bot.services.results import Done, Timesheet
from diary.refusal import Refusal
from diary.weeks import BillingWeek
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire, outbox, pair_device, ref, slots, work
from datetime import date, time

MON = utc(2026, 11, 16, 9)
EDIT_DEADLINE = utc(2026, 11, 23, 12)
IN_REVIEW = utc(2026, 11, 24, 9)
WEEK = BillingWeek(date(2026, 11, 16), "UTC")


@pytest.fixture
def worked(ctx):
    """alice hires bob at 40/h with a 40 h limit; bob works 2 h on Monday."""
    hire(ctx, MON, limit_hours=Decimal("40"))
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 12)
    return device


def test_the_timesheet_shows_the_week_per_day_with_the_amount(ctx, worked):
    sheet = views.timesheet(ctx, ALICE, now=MON + timedelta(hours=3), other=ref(BOB))
    assert isinstance(sheet, Timesheet) and sheet.week == "2026-W47" and sheet.status == "open"
    assert [d.counted for d in sheet.days] == [120, 0, 0, 0, 0, 0, 0]
    assert (sheet.statement.billable_minutes, sheet.statement.total) == (120, Decimal("80.00"))


def test_the_day_diary_has_six_cells_per_hour_with_activity(ctx, worked):
    day = views.day_diary(ctx, BOB, now=MON + timedelta(hours=3))
    assert [row.start.hour for row in day.rows] == [9, 10]
    assert [c.activity for c in day.rows[0].cells] == [10] * 6
    assert all(c.memo == "work" for c in day.rows[0].cells) and day.activity == 100


def test_manual_time_waits_for_the_client_and_then_counts_marked_manual(ctx, worked):
    asked = manual.request(ctx, BOB, start=time(13), end=time(14), day="2026-11-16", memo="call with design", now=MON + timedelta(hours=6))
    assert isinstance(asked, Done)
    request = outbox(ctx, "manual_request")[0]
    assert [b["label"] for b in request.payload["buttons"]] == ["Approve", "Decline"]
    entry = request.payload["entry_id"]
    assert isinstance(manual.decide(ctx, BOB, entry, approve=True, now=MON), Refusal)
    assert isinstance(manual.decide(ctx, ALICE, entry, approve=True, now=MON + timedelta(hours=7)), Done)
    day = views.day_diary(ctx, ALICE, now=MON + timedelta(hours=7), other=ref(BOB))
    assert (day.counted_minutes, day.manual_minutes) == (180, 60)
    assert isinstance(manual.decide(ctx, ALICE, entry, approve=False, now=MON), Refusal)  # already decided


@pytest.mark.parametrize(
    "start, end, day, memo, words",
    [
        (time(9, 30), time(10), "2026-11-16", "x", "overlaps"),
        (time(13, 5), time(14), "2026-11-16", "x", "whole"),
        (time(13), time(14), "2026-11-16", "", "memo"),
        (time(13), time(14), "2026-11-30", "x", "has passed"),
        (time(13), time(14), "2026-11-09", "x", "closed for edits"),
    ],
)
def test_bad_manual_requests_are_refused(ctx, worked, start, end, day, memo, words):
    result = manual.request(ctx, BOB, start=start, end=end, day=day, memo=memo, now=MON + timedelta(hours=6))
    assert isinstance(result, Refusal) and words in result.message.lower()
    assert outbox(ctx, "manual_request") == []


def test_manual_time_is_refused_where_the_contract_does_not_allow_it(ctx):
    hire(ctx, MON, manual=False)
    result = manual.request(ctx, BOB, start=time(8), end=time(9), day="2026-11-16", memo="x", now=MON)
    assert isinstance(result, Refusal) and "does not allow" in result.message


def test_closing_the_week_posts_the_review_with_buttons_once(ctx, worked):
    assert isinstance(review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE - timedelta(minutes=1)), Refusal)
    review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE)
    review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE)
    posts = outbox(ctx, "review")
    assert len(posts) == 1 and [b["label"] for b in posts[0].payload["buttons"]] == ["Approve", "Dispute", "Open diary"]
    assert "2:00 counted" in posts[0].payload["text"] and "80.00 USD" in posts[0].payload["text"]


def test_only_the_client_approves_and_only_in_the_review_window(ctx, worked):
    review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE)
    refused = review.approve_week(ctx, BOB, now=IN_REVIEW, week="2026-W47")
    assert isinstance(refused, Refusal) and "client" in refused.message
    early = review.approve_week(ctx, ALICE, now=MON + timedelta(days=2), week="2026-W47")
    assert isinstance(early, Refusal)
    assert isinstance(review.approve_week(ctx, ALICE, now=IN_REVIEW, week="2026-W47"), Done)
    sheet = views.timesheet(ctx, ALICE, now=IN_REVIEW, week="2026-W47")
    assert sheet.status == "approved"
    assert isinstance(review.approve_week(ctx, ALICE, now=IN_REVIEW, week="2026-W47"), Refusal)


def test_an_accepted_dispute_takes_those_slots_off_the_bill(ctx, worked):
    review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE)
    opened = review.dispute(ctx, ALICE, start=time(10), end=time(11), day="2026-11-16", reason="no work visible", now=IN_REVIEW)
    assert isinstance(opened, Done)
    dispute_id = outbox(ctx, "dispute")[0].payload["dispute_id"]
    held = views.timesheet(ctx, ALICE, now=IN_REVIEW, week="2026-W47")
    assert (held.status, held.statement.billable_minutes, held.statement.disputed_minutes) == ("disputed", 60, 60)
    assert isinstance(review.dispute_action(ctx, ALICE, dispute_id, "accept", now=IN_REVIEW), Refusal)
    assert isinstance(review.dispute_action(ctx, BOB, dispute_id, "accept", now=IN_REVIEW), Done)
    after = views.timesheet(ctx, ALICE, now=IN_REVIEW, week="2026-W47")
    assert (after.status, after.statement.billable_minutes, after.statement.removed_minutes) == ("approved", 60, 60)
    assert after.statement.total == Decimal("40.00")


def test_an_answered_dispute_is_withdrawn_or_confirmed_by_the_client(ctx, worked):
    review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE)
    review.dispute(ctx, ALICE, start=time(9), end=time(10), day="mon", reason="idle", now=IN_REVIEW)
    dispute_id = outbox(ctx, "dispute")[0].payload["dispute_id"]
    assert isinstance(review.dispute_action(ctx, BOB, dispute_id, "answer", now=IN_REVIEW), Refusal)  # empty answer
    review.dispute_action(ctx, BOB, dispute_id, "answer", now=IN_REVIEW, text="I was reading the spec")
    answer = outbox(ctx, "dispute")[-1]
    assert [b["label"] for b in answer.payload["buttons"]] == ["Withdraw", "Confirm"]
    assert isinstance(review.dispute_action(ctx, BOB, dispute_id, "withdraw", now=IN_REVIEW), Refusal)
    review.dispute_action(ctx, ALICE, dispute_id, "withdraw", now=IN_REVIEW)
    assert views.timesheet(ctx, ALICE, now=IN_REVIEW, week="2026-W47").statement.billable_minutes == 120


def test_undecided_weeks_are_approved_automatically_after_friday(ctx, worked):
    review.close_week(ctx, 1, WEEK, now=EDIT_DEADLINE)
    assert review.auto_approve_due(ctx, now=utc(2026, 11, 27, 23, 58)) == []
    assert len(review.auto_approve_due(ctx, now=utc(2026, 11, 27, 23, 59))) == 1
    assert views.timesheet(ctx, BOB, now=IN_REVIEW, week="2026-W47").status == "auto_approved"


def test_a_bonus_shows_on_the_statement_apart_from_hours(ctx, worked):
    assert isinstance(review.bonus(ctx, BOB, ref(BOB), Decimal("50"), now=MON), Refusal)
    assert isinstance(review.bonus(ctx, ALICE, ref(BOB), Decimal("50"), note="thanks", now=MON + timedelta(hours=3)), Done)
    st = views.timesheet(ctx, ALICE, now=MON + timedelta(hours=3)).statement
    assert (st.hours_amount, st.bonuses, st.total) == (Decimal("80.00"), Decimal("50.00"), Decimal("130.00"))


def test_forty_two_hours_on_a_forty_hour_limit_bill_forty(ctx):
    hire(ctx, MON, limit_hours=Decimal("40"))
    device = pair_device(ctx, BOB, MON)
    for day in range(6):
        work(ctx, device, BOB, MON - timedelta(hours=1) + timedelta(days=day), 42)
    sheet = views.timesheet(ctx, ALICE, now=utc(2026, 11, 22, 20))
    st = sheet.statement
    assert (st.counted_minutes, st.billable_minutes, st.over_limit_minutes) == (42 * 60, 40 * 60, 2 * 60)
    assert st.hours_amount == Decimal("1600.00")
    saturday = views.day_diary(ctx, BOB, now=utc(2026, 11, 22, 20), day="2026-11-21")
    assert saturday.over_limit_minutes == 120 and saturday.counted_minutes == 420


def test_weekly_payment_is_pro_rated_from_a_wednesday_start(ctx):
    hire(ctx, utc(2026, 11, 18, 9), weekly_payment=Decimal("500"))
    st = views.timesheet(ctx, ALICE, now=utc(2026, 11, 19)).statement
    assert (st.weekly_payment, st.total) == (Decimal("300.00"), Decimal("300.00"))


def test_a_week_paused_at_any_time_has_no_weekly_payment(ctx):
    hire(ctx, utc(2026, 11, 9, 9), weekly_payment=Decimal("500"))
    from diary.terms import ContractStatus

    contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=utc(2026, 11, 17))
    contracts.set_status(ctx, ALICE, ContractStatus.ACTIVE, now=utc(2026, 11, 18))
    assert views.timesheet(ctx, ALICE, now=utc(2026, 11, 19)).statement.weekly_payment == Decimal("0.00")
    assert views.timesheet(ctx, ALICE, now=utc(2026, 11, 19), week="last").statement.weekly_payment == Decimal("500.00")


def test_a_lowered_limit_applies_from_next_week(ctx, worked):
    contracts.set_limit(ctx, ALICE, Decimal("1"), now=MON + timedelta(hours=3))
    assert views.timesheet(ctx, ALICE, now=MON + timedelta(hours=3)).statement.over_limit_minutes == 0
    raised = contracts.set_limit(ctx, ALICE, None, now=MON + timedelta(hours=3))
    assert "from this week on" in raised.headline
    assert len(slots(ctx)) == 12
