"""Late slots: kept, marked late for both, billed once approved on the week they arrived in, at their
own week's rate and within what their own week's limit left free; never lost, never billed twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot import jobs
from bot.services import contracts, ingest, late, review, sessions, views
from bot.services.results import Done
from diary.refusal import Refusal
from storage.tables import WorkSession
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire, outbox, pair_device, ref, report, running_session_id, work

MON = utc(2026, 11, 16, 9)
FRIDAY = utc(2026, 11, 20, 17)
EDIT_DEADLINE = utc(2026, 11, 23, 12)
TUESDAY = utc(2026, 11, 24, 9)


@pytest.fixture
def offline(ctx):
    return go_offline(ctx, Decimal("3"))


def go_offline(ctx, limit_hours: Decimal):
    """bob works 2 h on Monday at 40/h; on Friday his laptop goes offline for an hour and its six
    slots reach the server only after the edit deadline, once the week has closed."""
    hire(ctx, MON, limit_hours=limit_hours)
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 12)
    sessions.clock_in(ctx, BOB, now=FRIDAY)
    sid = running_session_id(ctx)
    sessions.clock_out(ctx, BOB, now=FRIDAY + timedelta(hours=1))
    jobs.week_close(ctx, now=EDIT_DEADLINE)
    answers = [ingest.record_slot(ctx, device, report(sid, FRIDAY + timedelta(minutes=10 * i)), None,
                                  now=EDIT_DEADLINE + timedelta(minutes=5)) for i in range(6)]
    assert all(a.late for a in answers)
    return device


def sheet(ctx, week: str, now=TUESDAY):
    return views.timesheet(ctx, ALICE, now=now, week=week, other=ref(BOB))


def request_id(ctx) -> int:
    [asked] = outbox(ctx, "late_request")
    return asked.payload["late_request_id"]


def test_late_slots_are_kept_and_shown_late_to_both_without_touching_their_closed_week(ctx, offline):
    before = sheet(ctx, "2026-W47")
    for who in (ALICE, BOB):
        day = views.day_diary(ctx, who, now=TUESDAY, day="2026-11-20", other=ref(BOB) if who is ALICE else None)
        cells = [c for row in day.rows for c in row.cells if c.slot_id]
        assert [c.late for c in cells] == ["pending"] * 6 and day.late_minutes == 60 and day.counted_minutes == 0
    assert (before.statement.counted_minutes, before.statement.total) == (120, Decimal("80.00"))
    [asked] = outbox(ctx, "late_request")
    assert "2026-W47" in asked.payload["text"] and "2026-W48" in asked.payload["text"]
    w48 = sheet(ctx, "2026-W48").statement
    assert (w48.late_waiting_minutes, w48.late_minutes, w48.total) == (60, 0, Decimal("0.00"))


def test_approved_late_slots_are_billed_once_on_the_week_they_arrived_in_within_their_weeks_limit(ctx, offline):
    contracts.set_rate(ctx, ALICE, Decimal("90"), now=TUESDAY)  # a raise now: W48 at 90, the late slots at W47's 40
    assert isinstance(late.decide(ctx, BOB, request_id(ctx), approve=True, now=TUESDAY), Refusal)  # the client decides
    assert isinstance(late.decide(ctx, ALICE, request_id(ctx), approve=True, now=TUESDAY), Done)
    assert isinstance(late.decide(ctx, ALICE, request_id(ctx), approve=True, now=TUESDAY), Refusal)  # once
    w48 = sheet(ctx, "2026-W48").statement
    # W47's 3 h limit had 1 h free: all six slots fit, at 40/h.
    assert (w48.late_minutes, w48.late_amount, w48.total) == (60, Decimal("40.00"), Decimal("40.00"))
    assert sheet(ctx, "2026-W47").statement.total == Decimal("80.00")
    cells = [c for row in views.day_diary(ctx, BOB, now=TUESDAY, day="2026-11-20").rows for c in row.cells if c.slot_id]
    assert {c.late for c in cells} == {"approved"}


def test_late_slots_fit_only_in_what_their_weeks_limit_left_free(ctx):
    go_offline(ctx, Decimal("2.5"))
    contracts.set_limit(ctx, ALICE, None, now=TUESDAY)  # no limit from now on: W47's stays 2.5 h
    late.decide(ctx, ALICE, request_id(ctx), approve=True, now=TUESDAY)
    w48 = sheet(ctx, "2026-W48").statement
    assert (w48.late_minutes, w48.late_amount) == (30, Decimal("20.00"))


def test_declined_late_slots_stay_in_the_diary_and_are_not_billed(ctx, offline):
    assert isinstance(late.decide(ctx, ALICE, request_id(ctx), approve=False, now=TUESDAY), Done)
    w48 = sheet(ctx, "2026-W48").statement
    assert (w48.late_minutes, w48.late_waiting_minutes, w48.total) == (0, 0, Decimal("0.00"))
    cells = [c for row in views.day_diary(ctx, BOB, now=TUESDAY, day="2026-11-20").rows for c in row.cells if c.slot_id]
    assert len(cells) == 6 and {c.late for c in cells} == {"declined"}


def test_undecided_late_slots_go_with_the_review_of_the_week_they_arrived_in(ctx, offline):
    w48_deadline, w48_review_deadline = utc(2026, 11, 30, 12), utc(2026, 12, 4, 23, 59)
    jobs.week_close(ctx, now=w48_deadline)
    closed = sheet(ctx, "2026-W48", now=w48_deadline).statement
    assert (closed.late_waiting_minutes, closed.total) == (60, Decimal("0.00"))
    jobs.review_deadline(ctx, now=w48_review_deadline)
    after = sheet(ctx, "2026-W48", now=w48_review_deadline).statement
    assert (after.late_minutes, after.late_waiting_minutes, after.total) == (60, 0, Decimal("40.00"))
    assert sheet(ctx, "2026-W48", now=w48_review_deadline).status == "auto_approved"
    jobs.review_deadline(ctx, now=w48_review_deadline + timedelta(minutes=5))
    assert sheet(ctx, "2026-W48", now=w48_review_deadline).statement == after  # once


def test_a_late_slot_sent_again_is_the_same_slot(ctx, offline):
    with ctx.unit() as s:
        sid = s.exec(select(WorkSession.id).where(WorkSession.started_at == FRIDAY)).one()
    again = ingest.record_slot(ctx, offline, report(sid, FRIDAY), None, now=TUESDAY)
    assert (again.duplicate, again.late) == (True, True)
    assert len(outbox(ctx, "late_request")) == 1

