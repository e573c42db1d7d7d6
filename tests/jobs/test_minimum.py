"""The weekly minimum: Thursday's reminder to a freelancer behind pace, once per contract and week,
in each contract's billing timezone; and the minimum shown against the week's hours, a closed
week's as its books keep it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot import jobs
from bot.services import contracts, views
from diary.terms import ContractStatus
from storage.tables import WeekReview
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, CAROL, hire, outbox, pair_device, person, ref, work

DAVE = person("dave")
EARLIER = utc(2026, 10, 19, 12)  # the week before: the contracts run all of week 2026-W44
# Thursday 2026-10-29 09:00 in three zones: Berlin left summer time on the Sunday before (UTC+1),
# New York leaves it on the Sunday after (UTC-4), Auckland is in its summer time (UTC+13).
THU_AUCKLAND, THU_BERLIN, THU_NEW_YORK = utc(2026, 10, 28, 20), utc(2026, 10, 29, 8), utc(2026, 10, 29, 13)
MINUTE = timedelta(minutes=1)


def reminded(ctx, at) -> list[str]:
    jobs.minimum_reminder(ctx, now=at)
    return sorted(row.channel for row in outbox(ctx, "minimum"))


def test_the_reminder_goes_on_thursday_at_nine_in_each_billing_timezone_and_once(ctx):
    """Rule: docs/rules.md#weekly-minimum"""
    for who, tz in ((BOB, "Europe/Berlin"), (CAROL, "America/New_York"), (DAVE, "Pacific/Auckland")):
        hire(ctx, EARLIER, freelancer=who, tz=tz, min_hours=Decimal("10"))
    assert reminded(ctx, THU_AUCKLAND - MINUTE) == []
    assert reminded(ctx, THU_AUCKLAND) == ["@U-dave"]
    assert reminded(ctx, THU_BERLIN - MINUTE) == ["@U-dave"]
    assert reminded(ctx, THU_BERLIN) == ["@U-bob", "@U-dave"]
    assert reminded(ctx, THU_NEW_YORK - MINUTE) == ["@U-bob", "@U-dave"]
    assert reminded(ctx, THU_NEW_YORK) == ["@U-bob", "@U-carol", "@U-dave"]
    assert jobs.minimum_reminder(ctx, now=THU_NEW_YORK + timedelta(hours=3)).startswith("minimum-reminder: 0")
    assert reminded(ctx, THU_NEW_YORK + timedelta(hours=3)) == ["@U-bob", "@U-carol", "@U-dave"]  # never twice
    [bobs] = [row for row in outbox(ctx, "minimum") if row.channel == "@U-bob"]
    assert bobs.payload["text"] == ("Your week on contract #1 so far: 0 h of a 10 h minimum (about 4.2 h would be on pace "
                                    "by Thursday). A reminder only: the minimum is never enforced.")


def test_a_worker_that_missed_thursday_sends_nothing_on_friday(ctx):
    """Rule: docs/rules.md#weekly-minimum"""
    hire(ctx, EARLIER, tz="Europe/Berlin", min_hours=Decimal("10"))
    assert reminded(ctx, utc(2026, 10, 29, 23)) == []  # Friday 00:00 in Berlin
    assert reminded(ctx, utc(2026, 10, 29, 22, 59)) == ["@U-bob"]


MON = utc(2026, 11, 16, 9)  # week 2026-W47, UTC
THURSDAY = utc(2026, 11, 19, 9)


@pytest.mark.parametrize("slots, told", [(0, True), (25, True), (26, False), (60, False)])
def test_the_reminder_goes_only_when_the_week_so_far_is_under_three_sevenths(ctx, slots, told):
    """Rule: docs/rules.md#weekly-minimum"""
    hire(ctx, MON - timedelta(days=7), min_hours=Decimal("10"))  # 3/7 of 10 h is 4:17
    if slots:
        work(ctx, pair_device(ctx, BOB, MON), BOB, MON, slots)
    assert reminded(ctx, THURSDAY) == (["@U-bob"] if told else [])
    if told and slots:
        assert "4.1 h of a 10 h minimum" in outbox(ctx, "minimum")[0].payload["text"]


def test_no_reminder_when_paused_ended_without_a_minimum_or_started_on_thursday(ctx):
    """Rule: docs/rules.md#weekly-minimum"""
    paused, ended = person("paula", "C2"), person("eve", "C3")
    for who in (BOB, paused, ended):
        hire(ctx, MON - timedelta(days=7), client=ALICE if who is BOB else person("alice", who.channel), freelancer=who,
             min_hours=Decimal("10"))
    hire(ctx, MON - timedelta(days=7), client=person("alice", "C4"), freelancer=CAROL)  # no minimum
    hire(ctx, THURSDAY - timedelta(hours=1), client=person("alice", "C5"), freelancer=DAVE, min_hours=Decimal("10"))
    contracts.set_status(ctx, person("alice", "C2"), ContractStatus.PAUSED, now=MON)
    contracts.set_status(ctx, person("alice", "C3"), ContractStatus.ENDED, now=MON)
    assert reminded(ctx, THURSDAY) == ["@U-bob"]


def test_a_minimum_set_this_week_applies_from_the_next(ctx):
    """Rule: docs/rules.md#weekly-minimum"""
    hire(ctx, MON - timedelta(days=7))
    changed = contracts.change_terms(ctx, ALICE, {"min": Decimal("10")}, now=MON)
    assert "Weekly minimum: 10 h/week from next week on" in changed.changes[0]
    assert reminded(ctx, THURSDAY) == []
    assert views.timesheet(ctx, BOB, now=THURSDAY).against_minimum is None
    assert reminded(ctx, THURSDAY + timedelta(days=7)) == ["@U-bob"]
    assert views.timesheet(ctx, BOB, now=THURSDAY + timedelta(days=7)).against_minimum == "0 h of a 10 h minimum"


REVIEW_OPEN = utc(2026, 11, 23, 13)


def test_a_closed_week_shows_the_minimum_of_its_own_week(ctx):
    """Rule: docs/rules.md#weekly-minimum"""
    hire(ctx, MON - timedelta(days=7), min_hours=Decimal("10"))
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 9)
    contracts.change_terms(ctx, ALICE, {"min": Decimal("20")}, now=MON + timedelta(days=2))  # from week 2026-W48
    jobs.week_close(ctx, now=REVIEW_OPEN)
    [review_message] = outbox(ctx, "review")
    assert "Weekly minimum: 1.5 h of a 10 h minimum (a goal, not enforced)" in review_message.payload["text"]
    contracts.change_terms(ctx, ALICE, {"min": None}, now=REVIEW_OPEN)  # from week 2026-W49
    later = REVIEW_OPEN + timedelta(days=10)
    assert views.timesheet(ctx, ALICE, now=later, week="2026-W47", other=ref(BOB)).against_minimum == "1.5 h of a 10 h minimum"
    assert views.timesheet(ctx, ALICE, now=later, week="2026-W48", other=ref(BOB)).against_minimum == "0 h of a 20 h minimum"
    assert views.timesheet(ctx, ALICE, now=later, week="2026-W49", other=ref(BOB)).against_minimum is None
    with ctx.unit() as s:
        review = s.exec(select(WeekReview).where(WeekReview.week_start == MON.date())).one()
        assert review.books["min"] == 600
        review.books = {k: v for k, v in review.books.items() if k != "min"}  # as a week closed before books kept it
    assert views.timesheet(ctx, ALICE, now=later, week="2026-W47", other=ref(BOB)).against_minimum == "1.5 h of a 10 h minimum"
