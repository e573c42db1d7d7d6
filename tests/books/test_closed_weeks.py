"""A closed week's books: closed once, by whoever comes first, and frozen from then on."""

import csv
import io
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot import jobs
from bot.export import export_week
from bot.services import contracts, diary_pages, retention, review, views
from bot.services.results import Done
from diary.refusal import Refusal
from diary.terms import Billing, ContractStatus, Role, Screenshots
from diary.weeks import BillingWeek
from storage import repo
from storage.tables import Member
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


def week_views(ctx, now) -> dict:
    """What everyone is shown of week 2026-W47: timesheet, export, day diary, diary page, stored review."""
    sheet = views.timesheet(ctx, ALICE, now=now, week="2026-W47", other=ref(BOB))
    day = views.day_diary(ctx, ALICE, now=now, day="2026-11-16", other=ref(BOB))
    exported = list(csv.DictReader(io.StringIO(export_week(ctx, "2026-W47", now=now))))
    viewer = diary_pages.Viewer(member_id(ctx, "U-alice"), sheet.contract_id, Role.CLIENT, date(2026, 11, 16), "UTC")
    page = diary_pages.day_page(ctx, viewer, date(2026, 11, 16), now=now)
    with ctx.unit() as s:
        stored = repo.week_review(s, contract_id=sheet.contract_id, week_start=WEEK.monday).statement
    cells = [(c.counted, c.over_limit, c.disputed) for row in day.rows for c in row.cells if c.slot_id]
    return {"sheet": (sheet.statement, sheet.days, sheet.limit_hours), "export": exported, "stored": stored,
            "day": (day.counted_minutes, day.over_limit_minutes, cells), "page": (page.week.statement, page.diary.rows)}


def member_id(ctx, external_id: str) -> int:
    with ctx.unit() as s:
        return s.exec(select(Member).where(Member.external_id == external_id)).one().id


def test_an_approved_week_keeps_its_amount_whatever_the_terms_become(ctx, worked):
    jobs.week_close(ctx, now=EDIT_DEADLINE)
    assert isinstance(review.approve_week(ctx, ALICE, now=IN_REVIEW, other=ref(BOB)), Done)
    before = week_views(ctx, IN_REVIEW)
    assert before["sheet"][0].total == Decimal("80.00") and before["export"][-1]["total"] == "80.00"
    later = IN_REVIEW + timedelta(hours=1)
    assert isinstance(contracts.change_terms(ctx, ALICE, {"currency": "EUR"}, now=later), Refusal)
    changed = contracts.change_terms(ctx, ALICE, {"weekly": Decimal("100"), "screenshots": Screenshots.OFF, "billing": Billing.MINUTES,
                                                  "min": Decimal("30"), "idle": 5, "manual": False}, now=later)
    assert not isinstance(changed, Refusal)
    contracts.set_rate(ctx, ALICE, Decimal("90"), now=later)
    contracts.set_limit(ctx, ALICE, Decimal("1"), now=later)
    contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=later)
    retention.delete_old_screenshots(ctx, now=later, days=0)
    assert week_views(ctx, later) == before


def test_a_dispute_is_the_one_thing_that_moves_a_closed_week_and_every_view_follows(ctx, worked):
    jobs.week_close(ctx, now=EDIT_DEADLINE)
    contracts.set_rate(ctx, ALICE, Decimal("90"), now=IN_REVIEW)
    assert isinstance(review.dispute(ctx, ALICE, start=time(9), end=time(10), day="2026-11-16", reason="idle", now=IN_REVIEW), Done)
    held = week_views(ctx, IN_REVIEW)
    assert (held["sheet"][0].disputed_minutes, held["sheet"][0].total, held["stored"]["total"]) == (60, Decimal("40.00"), "40.00")
    assert held["export"][-1]["disputed_hours"] == "1.00" and held["day"][2][:6] == [(10, False, True)] * 6
    dispute_id = outbox(ctx, "dispute")[0].payload["dispute_id"]
    assert isinstance(review.dispute_action(ctx, BOB, dispute_id, "accept", now=IN_REVIEW), Done)
    removed = week_views(ctx, IN_REVIEW)
    assert (removed["sheet"][0].removed_minutes, removed["sheet"][0].total, removed["stored"]["total"]) == (60, Decimal("40.00"), "40.00")
    assert removed["sheet"][0].rate == Decimal("40")
