"""A closed week's books: closed once, by whoever comes first, and frozen from then on."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot import jobs
from bot.services import review, views
from bot.services.results import Done
from diary.weeks import BillingWeek
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire, outbox, pair_device, ref, work

MON = utc(2026, 11, 16, 9)
EDIT_DEADLINE = utc(2026, 11, 23, 12)
IN_REVIEW = utc(2026, 11, 24, 9)
WEEK = BillingWeek(date(2026, 11, 16), "UTC")


@pytest.fixture
def worked(ctx):
    """alice hires bob at 40/h; bob works 2 h on Monday."""
    hire(ctx, MON, limit_hours=Decimal("40"))
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 12)
    return device


def test_an_approval_before_the_close_job_closes_the_week_and_no_review_request_follows(ctx, worked):
    approved = review.approve_week(ctx, ALICE, now=EDIT_DEADLINE + timedelta(minutes=1), other=ref(BOB))
    assert isinstance(approved, Done)
    assert jobs.week_close(ctx, now=EDIT_DEADLINE + timedelta(minutes=5)).startswith("week-close: 0 weeks closed")
    assert outbox(ctx, "review") == []
    sheet = views.timesheet(ctx, ALICE, now=IN_REVIEW, week="2026-W47", other=ref(BOB))
    assert (sheet.status, sheet.statement.total) == ("approved", Decimal("80.00"))


def test_an_approval_closes_the_weeks_before_it_that_the_job_missed(ctx, worked):
    """The job was down for two Mondays: the earlier week still gets its review request."""
    work(ctx, worked, BOB, MON + timedelta(days=7), 6)
    later = EDIT_DEADLINE + timedelta(days=7, minutes=1)
    assert isinstance(review.approve_week(ctx, ALICE, now=later, other=ref(BOB)), Done)
    assert [m.payload["week"] for m in outbox(ctx, "review")] == ["2026-W47"]
    assert jobs.week_close(ctx, now=later).startswith("week-close: 0 weeks closed")
    first = views.timesheet(ctx, ALICE, now=later, week="2026-W47", other=ref(BOB))
    assert (first.status, first.statement.total) == ("pending", Decimal("80.00"))
