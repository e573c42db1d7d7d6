"""The worked examples of docs/rules.md about slots, activity, screenshots and what a slot counts for."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from agent.slotclock import SlotClock
from agent.wire import ServerState
from bot.services import ingest, sessions, views
from diary.activity import active_minutes, activity_percent, tracked_minutes
from diary.counting import counted_minutes
from diary.protocol import MinuteCounts
from diary.review import DisputeStatus
from diary.slots import minute_index, slot_floor
from diary.statements import BillItem, build_statement
from diary.terms import Billing, Screenshots
from tests.conftest import utc
from tests.services.helpers import BOB, hire, pair_device, report, running_session_id

MON = utc(2026, 11, 16, 10)


def test_counted_time_splits_into_billable_over_held_and_removed():
    """41 counted hours, 1 of them manual, a 40 h limit and 2 h removed by an accepted dispute.

    Rule: docs/rules.md#tracked-counted-billable
    """
    monday = datetime(2026, 11, 16, 8, tzinfo=UTC)
    slots = [BillItem(start=monday + timedelta(minutes=10 * i), counted=10,
                      dispute=DisputeStatus.ACCEPTED if i < 12 else None) for i in range(240)]
    slots += [BillItem(start=monday + timedelta(days=1, minutes=10 * i), counted=10, manual=i < 6) for i in range(6)]
    st = build_statement(items=slots, limit_minutes=40 * 60, rate=Decimal("40"), currency="USD",
                         weekly_payment=Decimal(0), payment_share=Decimal(0), paused=False, bonuses=[])
    assert (st.counted_minutes, st.tracked_minutes, st.manual_minutes) == (41 * 60, 40 * 60, 60)
    assert (st.billable_minutes, st.disputed_minutes, st.removed_minutes, st.over_limit_minutes) == (39 * 60, 0, 120, 0)
    assert st.billable_minutes + st.over_limit_minutes + st.disputed_minutes + st.removed_minutes == st.counted_minutes


def test_a_slot_is_ten_minutes_on_the_clock_and_has_ten_minutes_whatever_its_length():
    """Rule: docs/rules.md#slots"""
    t = datetime(2026, 11, 16, 10, 7, 31, tzinfo=UTC)
    assert (slot_floor(t), minute_index(t)) == (datetime(2026, 11, 16, 10, 0, tzinfo=UTC), 7)
    demo = datetime(2026, 11, 16, 10, 0, 7, 500000, tzinfo=UTC)
    assert (slot_floor(demo, 10), minute_index(demo, 10)) == (datetime(2026, 11, 16, 10, 0, tzinfo=UTC), 7)


def test_activity_is_the_active_share_of_tracked_minutes_rounded_half_up():
    """Rule: docs/rules.md#activity"""
    minutes = [None, None] + [MinuteCounts(keys=4, mouse=9)] * 3 + [MinuteCounts()] * 5
    assert (active_minutes(minutes), tracked_minutes(minutes)) == (3, 8)
    assert activity_percent(3, 8) == 38
    assert activity_percent(0, 0) is None  # nothing tracked is no activity, not 0 %


class _Extreme(random.Random):
    """Draws always at one end of the range it is given."""

    def __init__(self, high: bool) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


class _NoInput:
    keys = mouse = 0


class _Sink:
    def __init__(self) -> None:
        self.finished = []

    def save_open(self, slot, screenshot=None) -> None:
        pass

    def finish(self, slot, not_before) -> None:
        self.finished.append(slot)

    def add_event(self, body, not_before) -> None:
        pass


def _screenshot_due(clock_in: datetime, high: bool) -> datetime:
    clock = SlotClock(_NoInput(), _Sink(), lambda mode: b"jpeg", lambda: None, rng=_Extreme(high))
    clock.start(ServerState(tracking=True, session_id=1, contract="Site", memo=""), clock_in)
    return clock.slot.shot_due


def test_the_screenshot_instant_is_drawn_from_the_part_of_the_slot_inside_the_session():
    """Rule: docs/rules.md#screenshots"""
    clock_in = utc(2026, 11, 16, 10, 4)
    assert _screenshot_due(clock_in, high=False) == clock_in
    assert _screenshot_due(clock_in, high=True) == utc(2026, 11, 16, 10, 10)


def test_a_screenshot_outside_its_slot_or_on_a_contract_without_screenshots_is_refused(ctx):
    """Rule: docs/rules.md#screenshots"""
    hire(ctx, MON, screenshots="off")
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    refused = ingest.record_slot(ctx, device, report(running_session_id(ctx), MON, shot_after=300), None, now=MON + timedelta(minutes=10))
    assert refused.message == "This contract takes no screenshots."


def test_segment_billing_counts_ten_minutes_not_eighteen(ctx):
    """Clock in 10:00:00, screenshot at 10:08, out at 10:18 before the second slot's screenshot at 10:19.

    Rule: docs/rules.md#segment-billing
    """
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    sid = running_session_id(ctx)
    ingest.record_slot(ctx, device, report(sid, MON, shot_after=8 * 60), None, now=MON + timedelta(minutes=10))
    out = MON + timedelta(minutes=18)
    done = sessions.clock_out(ctx, BOB, now=out)
    ingest.record_slot(ctx, device, report(sid, MON + timedelta(minutes=10), shot_after=None, active=8), None, now=out)
    assert views.day_diary(ctx, BOB, now=out, day="2026-11-16").counted_minutes == 10
    assert done.counted_minutes == 10


def _counts(**terms) -> int:
    base = {"slot_seconds": 600, "session_start": MON, "session_end": None, "screenshot_at": None,
            "screenshots": Screenshots.ON, "billing": Billing.SEGMENTS}
    return counted_minutes(**{**base, **terms})


def test_without_screenshots_a_slot_counts_when_any_minute_was_active():
    """Rule: docs/rules.md#counting-without-screenshots"""
    off = {"screenshots": Screenshots.OFF}
    assert _counts(slot_start=MON, active_minutes=1, **off) == 10
    assert _counts(slot_start=MON + timedelta(minutes=10), active_minutes=0, **off) == 0


def test_minute_billing_counts_the_whole_minutes_inside_the_session():
    """Rule: docs/rules.md#minute-billing"""
    session = {"session_start": utc(2026, 11, 16, 10, 3, 30), "session_end": utc(2026, 11, 16, 10, 27),
               "billing": Billing.MINUTES, "active_minutes": 10}
    counted = [_counts(slot_start=MON + timedelta(minutes=10 * i), **session) for i in range(3)]
    assert counted == [6, 10, 7] and sum(counted) == 23
    # the screenshot is not waited for
    assert _counts(slot_start=MON, session_start=MON, billing=Billing.MINUTES, active_minutes=0) == 10
