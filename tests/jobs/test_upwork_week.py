"""The whole Upwork week, run by the jobs: tracked and manual time, the week close with its review
message, a dispute, Thursday's reminder and Friday's automatic approval, each message once."""

import io
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from PIL import Image

from bot import jobs
from bot.services import ingest, manual, review, sessions, views
from bot.services.results import Done
from tests.conftest import utc
from tests.jobs.helpers import deliver
from diary.protocol import MinuteCounts, SlotReport
from tests.services.helpers import ALICE, BOB, hire, outbox, pair_device, person, ref, running_session_id, work

MON = utc(2026, 11, 16, 9)
EDIT_DEADLINE = utc(2026, 11, 23, 12)
IN_REVIEW = utc(2026, 11, 24, 10)
ALICE_C2, CAROL = person("alice", "C2"), person("carol", "C2")


@pytest.fixture
def week(ctx):
    """alice hires bob (channel C1) and carol (C2); both work, bob also gets an hour of manual time."""
    hire(ctx, MON, limit_hours=Decimal("40"))
    hire(ctx, MON, client=ALICE_C2, freelancer=CAROL)
    bob, carol = pair_device(ctx, BOB, MON), pair_device(ctx, CAROL, MON)
    work(ctx, bob, BOB, MON, 12)
    work(ctx, bob, BOB, MON + timedelta(days=1), 6)
    work(ctx, carol, CAROL, MON, 6)
    asked = manual.request(ctx, BOB, start=time(13), end=time(14), day="2026-11-18", memo="call with the designer",
                           now=utc(2026, 11, 18, 15))
    assert isinstance(asked, Done)
    entry = outbox(ctx, "manual_request")[0].payload["entry_id"]
    assert isinstance(manual.decide(ctx, ALICE, entry, approve=True, now=utc(2026, 11, 18, 16)), Done)


def status(ctx, actor, other) -> str:
    return views.timesheet(ctx, actor, now=IN_REVIEW, week="2026-W47", other=ref(other)).status


async def test_the_week_closes_is_reviewed_reminded_and_approved_with_each_message_once(ctx, week):
    assert jobs.week_close(ctx, now=EDIT_DEADLINE - timedelta(minutes=1)).startswith("week-close: 0 weeks closed")
    assert jobs.week_close(ctx, now=EDIT_DEADLINE).startswith("week-close: 2 weeks closed")
    assert jobs.week_close(ctx, now=EDIT_DEADLINE + timedelta(minutes=5)).startswith("week-close: 0 weeks closed")
    bobs, carols = outbox(ctx, "review")
    assert (bobs.channel, carols.channel) == ("C1", "C2")
    assert [b["label"] for b in bobs.payload["buttons"]] == ["Approve", "Dispute", "Open diary"]
    assert bobs.payload["title"] == "Week 2026-W47 of bob"
    text = bobs.payload["text"]
    assert "Mon 2:00 · Tue 1:00 · Wed 1:00 · Thu 0:00 · Fri 0:00 · Sat 0:00 · Sun 0:00" in text
    assert "4:00 counted (tracked 3:00, manual 1:00) · 0:00 over limit · activity 100%" in text
    assert "4:00 billable × 40.00 USD/h = 160.00 USD" in text and "Total 160.00 USD" in text
    assert bobs.payload["chart"]["bars"][:3] == [["Mon", 120, 0, 0], ["Tue", 60, 0, 0], ["Wed", 60, 0, 0]]
    first = await deliver(ctx, EDIT_DEADLINE)
    assert {row_id for row_id, _ in first.sent} >= {bobs.id, carols.id}
    chart = Image.open(io.BytesIO(ctx.blobs.get(bobs.payload["image_key"])))  # drawn on the way out
    assert (chart.format, chart.size) == ("PNG", (560, 260))

    disputed = review.dispute(ctx, ALICE_C2, start=time(9), end=time(9, 30), day="2026-11-16", reason="no work visible", now=IN_REVIEW)
    assert isinstance(disputed, Done) and status(ctx, ALICE_C2, CAROL) == "disputed"
    dispute_id = outbox(ctx, "dispute")[0].payload["dispute_id"]
    assert isinstance(review.dispute_action(ctx, CAROL, dispute_id, "accept", now=IN_REVIEW), Done)
    assert status(ctx, ALICE_C2, CAROL) == "approved"

    thursday = utc(2026, 11, 26, 9)
    assert jobs.review_reminder(ctx, now=thursday - timedelta(minutes=1)) == "review-reminder: 0 reminders queued"
    assert jobs.review_reminder(ctx, now=thursday) == "review-reminder: 1 reminders queued"
    assert jobs.review_reminder(ctx, now=thursday + timedelta(hours=1)) == "review-reminder: 0 reminders queued"
    (reminder,) = outbox(ctx, "reminder")
    assert reminder.channel == "@U-alice" and "Week 2026-W47 of bob is waiting for your review" in reminder.payload["text"]
    assert [b["label"] for b in reminder.payload["buttons"]] == ["Approve", "Dispute", "Open diary"]

    friday = utc(2026, 11, 27, 23, 59)
    assert jobs.review_deadline(ctx, now=friday - timedelta(minutes=1)) == "review-deadline: 0 weeks approved automatically"
    assert jobs.review_deadline(ctx, now=friday) == "review-deadline: 1 weeks approved automatically"
    assert jobs.review_deadline(ctx, now=friday + timedelta(minutes=5)) == "review-deadline: 0 weeks approved automatically"
    (approved,) = outbox(ctx, "auto_approved")
    assert approved.channel == "C1" and "approved automatically" in approved.payload["text"] and "160.00 USD" in approved.payload["text"]
    assert (status(ctx, ALICE, BOB), status(ctx, ALICE_C2, CAROL)) == ("auto_approved", "approved")
    carol_week = views.timesheet(ctx, ALICE_C2, now=IN_REVIEW, week="2026-W47").statement
    assert (carol_week.removed_minutes, carol_week.billable_minutes) == (30, 30)

    rest = await deliver(ctx, friday + timedelta(minutes=1))
    everything = [row_id for row_id, _ in first.sent + rest.sent]
    assert sorted(everything) == [row.id for row in outbox(ctx)]  # every message, none twice


BERLIN_MON = date(2026, 10, 19)  # week 2026-W43; summer time ends on its Sunday, 25 October


async def test_a_week_with_a_dst_change_closes_and_is_approved_on_berlin_time(ctx):
    hire(ctx, utc(2026, 10, 19, 7), tz="Europe/Berlin")
    device = pair_device(ctx, BOB, utc(2026, 10, 19, 7))
    work(ctx, device, BOB, utc(2026, 10, 19, 7), 6)  # Monday 09:00-10:00 CEST
    work(ctx, device, BOB, utc(2026, 10, 24, 22), 24)  # Sunday 00:00 CEST to 03:00 CET: four hours of a 25-hour day
    deadline = utc(2026, 10, 26, 11)  # Monday 12:00 CET
    assert jobs.week_close(ctx, now=deadline - timedelta(seconds=1)).startswith("week-close: 0 weeks")
    assert jobs.week_close(ctx, now=deadline).startswith("week-close: 1 weeks")
    (posted,) = outbox(ctx, "review")
    assert posted.payload["week"] == "2026-W43"
    assert "Mon 1:00 · Tue 0:00 · Wed 0:00 · Thu 0:00 · Fri 0:00 · Sat 0:00 · Sun 4:00" in posted.payload["text"]
    assert "Friday 2026-10-30 23:59 (Europe/Berlin)" in posted.payload["text"]
    assert jobs.review_reminder(ctx, now=utc(2026, 10, 29, 7, 59)).startswith("review-reminder: 0")
    assert jobs.review_reminder(ctx, now=utc(2026, 10, 29, 8)).startswith("review-reminder: 1")  # Thursday 09:00 CET
    assert jobs.review_deadline(ctx, now=utc(2026, 10, 30, 22, 58)).startswith("review-deadline: 0")
    assert jobs.review_deadline(ctx, now=utc(2026, 10, 30, 22, 59)).startswith("review-deadline: 1")  # Friday 23:59 CET
    sent = await deliver(ctx, utc(2026, 10, 30, 23))
    assert sorted(row_id for row_id, _ in sent.sent) == [row.id for row in outbox(ctx)]


def test_an_empty_week_is_closed_without_a_review_message_or_approval_notice(ctx):
    hire(ctx, MON)
    assert jobs.week_close(ctx, now=EDIT_DEADLINE).startswith("week-close: 1 weeks closed")
    assert jobs.review_deadline(ctx, now=utc(2026, 11, 28)).startswith("review-deadline: 1")
    assert outbox(ctx, "review") == [] and outbox(ctx, "auto_approved") == []


def test_the_review_message_counts_activity_over_the_minutes_actually_tracked(ctx):
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    session_id = running_session_id(ctx)
    partly = [None] * 3 + [MinuteCounts(keys=1)] * 4 + [MinuteCounts()] * 3  # 7 minutes tracked, 4 active
    for start, minutes in ((MON, partly), (MON + timedelta(minutes=10), [MinuteCounts(mouse=2)] * 5 + [MinuteCounts()] * 5)):
        shot = start + timedelta(minutes=8)
        ingest.record_slot(ctx, device, SlotReport(session_id=session_id, slot_start=start, minutes=minutes, screenshot_at=shot),
                           None, now=start + timedelta(minutes=10))
    diary = views.day_diary(ctx, BOB, now=MON + timedelta(hours=1))
    jobs.week_close(ctx, now=EDIT_DEADLINE)
    (posted,) = outbox(ctx, "review")
    assert diary.activity == 53 and "activity 53%" in posted.payload["text"]  # 9 active of 17 tracked minutes
