"""The slot clock, driven by an injected clock and a fake input source: no sleeping, no display."""

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from agent.slotclock import SlotClock
from agent.wire import ServerState, WindowInfo
from diary.terms import Screenshots
from tests.agent.fakes import FakeInput, RecordingSink

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(minutes: float, base: datetime = T0) -> datetime:
    return base + timedelta(minutes=minutes)


class FixedDraw(random.Random):
    """Draws the screenshot instant at a chosen fraction of the tracked part, the upload spread at 0."""

    def __init__(self, fraction: float) -> None:
        super().__init__(0)
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


class Rig:
    def __init__(self, rng: random.Random | None = None, **settings: object) -> None:
        self.input, self.sink, self.captured = FakeInput(), RecordingSink(), []
        self.clock = SlotClock(
            self.input, self.sink, self.capture, lambda: WindowInfo("code", "agent.py"), rng=rng or random.Random(1)
        )
        self.state = ServerState(tracking=True, session_id=5, contract="Site", memo="login page", **settings)

    def capture(self, mode: Screenshots) -> bytes | None:
        self.captured.append(mode)
        return None if mode == Screenshots.OFF else b"jpeg"

    def run_until(self, now: datetime, end: datetime, busy: bool = True) -> datetime:
        """Tick as the runner does: at every instant next_wake names, up to `end`.

        `busy` moves the mouse once before each tick, so idle time does not end the session.
        """
        while (wake := self.clock.next_wake(now)) is not None and wake <= end:
            now = wake
            self.input.type(mouse=int(busy))
            self.clock.tick(now)
        return now


def test_a_full_slot_has_each_minutes_counts_and_a_screenshot():
    rig = Rig()
    rig.clock.start(rig.state, T0)
    for minute in range(10):
        rig.input.type(keys=minute, mouse=2 * minute)
        rig.run_until(at(minute), at(minute + 1), busy=False)
    [slot] = rig.sink.finished
    assert slot.counts() == [(m, 2 * m) for m in range(10)]
    assert slot.report["slot_start"] == T0.isoformat()
    assert T0 <= datetime.fromisoformat(slot.report["screenshot_at"]) < at(10)
    assert slot.report["memo"] == "login page" and rig.sink.screenshots == [b"jpeg"]
    assert at(10) <= slot.not_before <= at(11)  # uploads spread over the minute after the boundary


@pytest.mark.parametrize(
    "start, tracked",
    [(at(0), list(range(10))), (at(3.5), list(range(3, 10))), (at(9.9), [9])],
)
def test_minutes_before_clock_in_are_not_tracked(start, tracked):
    rig = Rig()
    rig.clock.start(rig.state, start)
    rig.run_until(start, at(10))
    [slot] = rig.sink.finished
    assert [i for i, m in enumerate(slot.counts()) if m is not None] == tracked
    assert start <= datetime.fromisoformat(slot.report["screenshot_at"]) < at(10)


def test_the_screenshot_instant_is_spread_over_the_tracked_part_of_the_slot():
    instants = []
    for seed in range(300):
        rig = Rig(rng=random.Random(seed))
        rig.clock.start(rig.state, at(6))
        rig.run_until(at(6), at(10))
        instants.append((datetime.fromisoformat(rig.sink.finished[0].report["screenshot_at"]) - at(6)).total_seconds())
    assert 0 <= min(instants) < 10 and 230 < max(instants) < 240
    assert 100 < statistics.mean(instants) < 140  # uniform over 240 s: mean 120


@pytest.mark.parametrize(
    "fraction, stop, screenshot, tracked",
    [
        # docs/rules.md#segment-billing: shot at 10:08, work until 10:18, out before the 10:18:30 instant.
        (0.85, at(18), None, 8),
        (0.1, at(17), at(11), 7),
        (0.5, at(15), at(15), 5),  # out on the very instant: the screenshot was taken
    ],
)
def test_clock_out_queues_the_partial_slot_at_once(fraction, stop, screenshot, tracked):
    rig = Rig(rng=FixedDraw(fraction))
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, stop)
    rig.clock.stop(stop)
    first, partial = rig.sink.finished
    assert first.report["screenshot_at"] == at(10 * fraction).isoformat()
    assert partial.not_before == stop
    assert [m is not None for m in partial.counts()] == [i < tracked for i in range(10)]
    assert partial.report["screenshot_at"] == (screenshot.isoformat() if screenshot else None)
    assert len(rig.captured) == (2 if screenshot else 1)


@pytest.mark.parametrize("mode", list(Screenshots))
def test_the_contracts_screenshot_setting_reaches_the_capture(mode):
    rig = Rig(screenshots=mode)
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, at(10))
    [slot] = rig.sink.finished
    assert rig.captured == [mode]
    assert (slot.report["screenshot_at"] is None) == (mode == Screenshots.OFF)
    assert rig.sink.screenshots == ([] if mode == Screenshots.OFF else [b"jpeg"])


@pytest.mark.parametrize("opted_in, window", [(True, {"app": "code", "title": "agent.py"}), (False, None)])
def test_the_active_window_is_read_only_when_the_contract_opts_in(opted_in, window):
    rig = Rig(window=opted_in)
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, at(10))
    assert rig.sink.finished[0].report["window"] == window


class Focus:
    """The focused window the clock reads, changed by the test between minutes; counts the reads."""

    def __init__(self) -> None:
        self.now, self.reads = WindowInfo("code", "agent.py"), 0

    def __call__(self) -> WindowInfo | None:
        self.reads += 1
        return self.now


def test_window_on_samples_the_focused_window_once_a_minute_never_while_private_nor_a_private_app():
    """Rule: docs/rules.md#apps"""
    rig, focus = Rig(window=True), Focus()
    rig.clock.window, rig.clock.private_apps = focus, ("*bank*",)
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, at(3.5))
    focus.now = WindowInfo("firefox", "Online Banking")  # a private app, minutes 4 and 5
    rig.run_until(at(3.5), at(5.5))
    focus.now = WindowInfo("firefox", "Pull request #12")
    rig.run_until(at(5.5), at(6.5))
    rig.clock.pause(at(6.5))  # private from 10:06:30 to 10:08:30: minutes 7 and 8 are not read
    reads = focus.reads
    rig.run_until(at(6.5), at(8.5))
    assert focus.reads == reads
    rig.clock.resume(at(8.5))
    rig.run_until(at(8.5), at(10))
    code, fox = {"app": "code", "title": "agent.py"}, {"app": "firefox", "title": "Pull request #12"}
    windows = rig.sink.finished[0].report["windows"]
    assert windows == [code, code, code, code, None, None, fox, None, fox, fox]
    assert "Online Banking" not in str(rig.sink.finished[0].report)


def test_window_off_never_reads_the_window_nor_sends_samples():
    rig, focus = Rig(window=False), Focus()
    rig.clock.window = focus
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, at(10))
    assert focus.reads == 0 and "windows" not in rig.sink.finished[0].report


def test_window_turned_off_mid_slot_sends_none_of_that_slots_samples():
    rig = Rig(window=True)
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, at(4))
    rig.clock.update(ServerState(tracking=True, session_id=5, contract="Site", memo="login page", window=False))
    rig.run_until(at(4), at(10))
    report = rig.sink.finished[0].report
    assert "windows" not in report and report["window"] is None


def test_no_input_for_idle_minutes_stops_tracking_and_tells_the_server():
    rig = Rig(idle_minutes=3)
    rig.clock.start(rig.state, T0)
    rig.input.type(mouse=40)
    went_idle = [t for t in (at(m) for m in range(1, 8)) if not rig.clock.tracking or rig.clock.tick(t)]
    assert went_idle[0] == at(4)  # input seen at the 10:01 tick, three quiet minutes after
    assert not rig.clock.tracking
    assert rig.sink.events == [{"kind": "idle_stop", "at": at(4).isoformat()}]
    [partial] = rig.sink.finished
    assert partial.counts()[:4] == [(0, 40), (0, 0), (0, 0), (0, 0)]


def test_demo_length_slots_keep_ten_minutes_and_scale_idle():
    rig = Rig(slot_seconds=10, idle_minutes=5)
    start = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
    rig.clock.start(rig.state, start)
    for second in range(20):
        if second < 12:
            rig.input.type(keys=1)
        rig.run_until(start + timedelta(seconds=second), start + timedelta(seconds=second + 1), busy=False)
    first, second_slot = rig.sink.finished
    assert first.counts() == [(1, 0)] * 10
    assert second_slot.counts()[:2] == [(1, 0), (1, 0)]
    assert rig.sink.events == [{"kind": "idle_stop", "at": (start + timedelta(seconds=17)).isoformat()}]


def test_a_slot_checkpointed_before_a_crash_is_taken_up_again():
    before = Rig()
    before.clock.start(before.state, T0)
    before.input.type(keys=7)
    before.run_until(T0, at(3), busy=False)
    checkpoint = before.clock.slot  # what the queue holds when the process is killed here

    after = Rig()
    after.clock.start(after.state, at(5), resume=checkpoint)
    after.input.type(keys=2)
    after.run_until(at(5), at(10), busy=False)
    [slot] = after.sink.finished
    assert slot.counts()[0] == (7, 0) and slot.counts()[5] == (2, 0)
    assert all(m is not None for m in slot.counts())


def test_a_new_memo_applies_to_the_slot_being_recorded():
    rig = Rig()
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, at(4))
    rig.clock.update(ServerState(tracking=True, session_id=5, memo="checkout page"))
    rig.run_until(at(4), at(10))
    assert rig.sink.finished[0].report["memo"] == "checkout page"


def test_the_next_wake_is_the_screenshot_instant_or_the_next_minute():
    rig = Rig(rng=FixedDraw(0.35))
    rig.clock.start(rig.state, T0)
    assert rig.clock.next_wake(T0) == at(1)
    assert rig.clock.next_wake(at(3)) == at(3.5)
    rig.clock.tick(at(3.5))
    assert rig.clock.next_wake(at(3.5)) == at(4)


def test_private_time_is_neither_counted_nor_captured_and_the_slot_goes_on_after_it():
    rig = Rig(FixedDraw(0.5))
    rig.clock.start(rig.state, T0)
    now = rig.run_until(T0, at(3))
    rig.clock.pause(now)  # private from 10:03
    rig.input.type(keys=50, mouse=50)  # typed while private: never counted
    assert rig.clock.next_wake(now) == at(10)
    rig.clock.tick(at(6))
    assert rig.captured == [] and rig.sink.finished == []  # the 10:05 screenshot instant passed unseen
    rig.clock.resume(at(7))
    now = rig.run_until(at(7), at(10))
    [first] = rig.sink.finished
    counts = first.counts()
    assert counts[3:7] == [None] * 4  # the private minutes are outside the session
    assert all(c is not None for c in counts[:3] + counts[7:]) and sum(c[0] for c in counts if c) == 0
    assert len(rig.captured) == 1 and first.report["screenshot_at"] >= at(7).isoformat()  # drawn again after it


def test_a_slot_that_ends_while_private_is_queued_with_what_it_had_and_none_opens_until_resumed():
    rig = Rig(FixedDraw(0.9))
    rig.clock.start(rig.state, T0)
    rig.run_until(T0, at(2))
    rig.clock.pause(at(2))
    rig.clock.tick(at(10))
    assert [f.report["slot_start"] for f in rig.sink.finished] == [T0.isoformat()] and rig.clock.slot is None
    assert rig.clock.tracking and rig.clock.next_wake(at(25)) is None
    rig.clock.resume(at(25))
    assert rig.clock.slot.start == at(20) and rig.clock.slot.tracked_from == at(25)
    rig.clock.stop(at(26))
    assert rig.sink.finished[-1].counts()[:5] == [None] * 5
