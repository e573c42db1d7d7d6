from datetime import date

import pytest

from diary.refusal import Refusal
from diary.review import (
    DisputeStatus,
    WeekStatus,
    approve,
    auto_approve,
    dispute_step,
    holds_time,
    open_dispute,
    removes_time,
)
from diary.weeks import BillingWeek

from .moments import local

TZ = "Europe/Berlin"
WEEK = BillingWeek(date(2026, 11, 16), TZ)
DURING_WEEK = local("2026-11-18 10:00", TZ)
MONDAY_MORNING = local("2026-11-23 11:59", TZ)
MONDAY_NOON = local("2026-11-23 12:00", TZ)  # edit deadline: the review window opens
FRIDAY_LATE = local("2026-11-27 23:58", TZ)
FRIDAY_2359 = local("2026-11-27 23:59", TZ)  # review deadline
NEXT_WEEK = local("2026-12-02 09:00", TZ)

PENDING, APPROVED, AUTO, DISPUTED = (
    WeekStatus.PENDING, WeekStatus.APPROVED, WeekStatus.AUTO_APPROVED, WeekStatus.DISPUTED,
)


def outcome(result):
    return result.message if isinstance(result, Refusal) else result


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (PENDING, MONDAY_NOON, APPROVED),
        (PENDING, FRIDAY_LATE, APPROVED),
        (DISPUTED, MONDAY_NOON, APPROVED),
        (PENDING, DURING_WEEK, "can be approved from Monday 2026-11-23 12:00 (Europe/Berlin)"),
        (PENDING, MONDAY_MORNING, "can be approved from Monday 2026-11-23 12:00"),
        (PENDING, FRIDAY_2359, "closed on Friday 2026-11-27 23:59"),
        (DISPUTED, NEXT_WEEK, "closed on Friday 2026-11-27 23:59"),
        (APPROVED, MONDAY_NOON, "already approved"),
        (AUTO, NEXT_WEEK, "approved automatically"),
    ],
)
def test_the_client_approves_in_the_review_window(status, now, expected):
    got = outcome(approve(status, week=WEEK, now=now))
    assert got == expected if isinstance(expected, WeekStatus) else expected in got


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (PENDING, MONDAY_NOON, DISPUTED),
        (DISPUTED, FRIDAY_LATE, DISPUTED),  # another range of the same week
        (PENDING, DURING_WEEK, "can be disputed from Monday 2026-11-23 12:00"),
        (PENDING, FRIDAY_2359, "can no longer be disputed"),
        (APPROVED, MONDAY_NOON, "already approved"),
        (AUTO, NEXT_WEEK, "approved automatically"),
    ],
)
def test_the_client_disputes_in_the_review_window(status, now, expected):
    got = outcome(open_dispute(status, week=WEEK, now=now))
    assert got == expected if isinstance(expected, WeekStatus) else expected in got


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (PENDING, FRIDAY_2359, AUTO),
        (PENDING, NEXT_WEEK, AUTO),
        (PENDING, FRIDAY_LATE, "only after Friday 2026-11-27 23:59"),
        (DISPUTED, NEXT_WEEK, "already disputed"),
        (APPROVED, NEXT_WEEK, "already approved"),
        (AUTO, NEXT_WEEK, "approved automatically"),
    ],
)
def test_weeks_nobody_reviewed_are_approved_after_friday_2359(status, now, expected):
    got = outcome(auto_approve(status, week=WEEK, now=now))
    assert got == expected if isinstance(expected, WeekStatus) else expected in got


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (approve(APPROVED, week=WEEK, now=MONDAY_NOON), "conflict"),
        (approve(PENDING, week=WEEK, now=DURING_WEEK), "conflict"),
        (approve(PENDING, week=WEEK, now=NEXT_WEEK), "too_late"),
        (dispute_step(DisputeStatus.WITHDRAWN, "accept"), "conflict"),
        (dispute_step(DisputeStatus.OPEN, "shrug"), "invalid"),
    ],
)
def test_review_refusals_say_what_kind_of_no_they_are(result, code):
    assert result.code == code


O, AC, AN, W, C = (DisputeStatus.OPEN, DisputeStatus.ACCEPTED, DisputeStatus.ANSWERED,
                   DisputeStatus.WITHDRAWN, DisputeStatus.CONFIRMED)
# Every state against every action: the whole dispute state machine.
STEPS = {
    O: {"accept": AC, "answer": AN, "withdraw": W, "confirm": "open and waiting for the freelancer"},
    AN: {"accept": "waiting for the client", "answer": "waiting for the client", "withdraw": W, "confirm": C},
    AC: {"accept": "already accepted", "answer": "already accepted", "withdraw": "already accepted",
         "confirm": "already accepted"},
    W: {"accept": "already withdrawn", "answer": "already withdrawn", "withdraw": "already withdrawn",
        "confirm": "already withdrawn"},
    C: {"accept": "already confirmed", "answer": "already confirmed", "withdraw": "already confirmed",
        "confirm": "already confirmed"},
}


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [(status, action, expected) for status, row in STEPS.items() for action, expected in row.items()]
    + [(O, "reject", "open and waiting for the freelancer"), (C, "", "already confirmed")],
)
def test_a_dispute_moves_only_along_its_steps(status, action, expected):
    got = outcome(dispute_step(status, action))
    assert got == expected if isinstance(expected, DisputeStatus) else expected in got


@pytest.mark.parametrize(
    ("status", "removes", "holds"),
    [(O, False, True), (AN, False, True), (AC, True, False), (C, True, False), (W, False, False)],
)
def test_what_a_dispute_does_to_the_bill(status, removes, holds):
    assert (removes_time(status), holds_time(status)) == (removes, holds)


def test_the_latest_dispute_naming_a_slot_decides_it():
    """Rule: docs/rules.md#disputes"""
    from types import SimpleNamespace

    from diary.review import dispute_of, disputes_of

    ten, eleven, noon = local("2026-11-18 10:00", TZ), local("2026-11-18 11:00", TZ), local("2026-11-18 12:00", TZ)
    first = SimpleNamespace(range_start=ten, range_end=noon, status="accepted")
    later = SimpleNamespace(range_start=eleven, range_end=noon, status="open")
    assert dispute_of(ten, [first, later]) is DisputeStatus.ACCEPTED
    assert dispute_of(eleven, [first, later]) is DisputeStatus.OPEN
    assert dispute_of(noon, [first, later]) is None  # the end of a range is outside it
    assert disputes_of([ten, eleven, noon], []) == [None, None, None]
