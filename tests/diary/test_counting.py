from datetime import timedelta

import pytest

from diary.counting import counted_minutes, run_counter
from diary.terms import Billing, Screenshots

from .moments import utc

ON, BLUR, OFF = Screenshots.ON, Screenshots.BLUR, Screenshots.OFF
SEGMENTS, MINUTES = Billing.SEGMENTS, Billing.MINUTES


def count(slot, session_start, session_end, screenshot, *, active=5, screenshots=ON, billing=SEGMENTS, seconds=600):
    return counted_minutes(
        slot_start=utc(slot),
        slot_seconds=seconds,
        session_start=utc(session_start),
        session_end=utc(session_end) if session_end else None,
        screenshot_at=utc(screenshot) if screenshot else None,
        active_minutes=active,
        screenshots=screenshots,
        billing=billing,
    )


def test_worked_example_ten_minutes_not_eighteen():
    # Clock in 10:00, screenshot 10:08, work until 10:18, clock out before the 10:10 slot's
    # screenshot instant (10:19): only the first slot counts.
    session = ("2026-11-18 10:00:00", "2026-11-18 10:18:00")
    first = count("2026-11-18 10:00", *session, "2026-11-18 10:08")
    second = count("2026-11-18 10:10", *session, "2026-11-18 10:19")
    assert (first, second, first + second) == (10, 0, 10)


@pytest.mark.parametrize(
    ("slot", "start", "end", "screenshot", "screenshots", "expected"),
    [
        ("10:00", "10:00", "10:18", "10:08", ON, 10),
        ("10:00", "10:00", "10:18", "10:08", BLUR, 10),
        ("10:00", "10:00", None, "10:00", ON, 10),  # open session, screenshot at the slot's first instant
        ("10:00", "10:00", "10:08", "10:08", ON, 10),  # screenshot exactly as the session ends
        ("10:00", "10:00", "10:07", "10:08", ON, 0),  # clocked out before the screenshot
        ("10:00", "10:05", None, "10:03", ON, 0),  # screenshot before this session began
        ("10:00", "10:00", None, "10:12", ON, 0),  # screenshot belongs to the next slot
        ("10:00", "10:00", None, None, ON, 0),  # no screenshot taken
        ("10:00", "10:00", None, None, BLUR, 0),
    ],
)
def test_segments_count_a_full_slot_once_its_screenshot_is_taken(slot, start, end, screenshot, screenshots, expected):
    day = "2026-11-18 "
    got = count(day + slot, day + start, day + end if end else None, day + screenshot if screenshot else None,
                screenshots=screenshots)
    assert got == expected


@pytest.mark.parametrize(("active", "screenshot", "expected"), [(1, None, 10), (10, None, 10), (0, None, 0), (0, "10:05", 0)])
def test_segments_without_screenshots_count_a_slot_with_any_active_minute(active, screenshot, expected):
    got = count("2026-11-18 10:00", "2026-11-18 10:00", None,
                f"2026-11-18 {screenshot}" if screenshot else None, active=active, screenshots=OFF)
    assert got == expected


@pytest.mark.parametrize(
    ("slot", "start", "end", "seconds", "expected"),
    [
        ("10:00:00", "10:00:00", "10:18:00", 600, 10),
        ("10:10:00", "10:00:00", "10:18:00", 600, 8),
        ("10:00:00", "10:03:30", None, 600, 6),  # 6.5 minutes inside: whole minutes only
        ("10:00:00", "10:02:00", "10:07:00", 600, 5),
        ("10:00:00", "09:00:00", "09:50:00", 600, 0),  # session before the slot
        ("10:00:00", "10:20:00", None, 600, 0),  # session after the slot
        ("10:00:00", "10:00:00", "10:00:45", 60, 7),  # demo slots: a "minute" is 6 s, 45 s is 7.5 of them
        ("10:00:00", "09:59:00", "10:01:00", 60, 10),
    ],
)
def test_minutes_billing_counts_the_minutes_inside_the_session(slot, start, end, seconds, expected):
    day = "2026-11-18 "
    got = count(day + slot, day + start, day + end if end else None, None, active=0, billing=MINUTES, seconds=seconds)
    assert got == expected


def test_minutes_billing_ignores_activity_and_screenshots():
    for screenshots in (ON, BLUR, OFF):
        got = count("2026-11-18 10:00", "2026-11-18 10:00", None, None, active=0, screenshots=screenshots, billing=MINUTES)
        assert got == 10


@pytest.mark.parametrize(("screenshots", "billing"), [(ON, SEGMENTS), (OFF, SEGMENTS), (ON, MINUTES)])
@pytest.mark.parametrize("session_end", [None, "2026-11-18 10:47:30"])
def test_a_run_of_one_session_s_slots_counts_each_as_it_counts_alone(screenshots, billing, session_end):
    # The week close counts a session's slots in one go; each must count what it counts alone.
    session_start, end = utc("2026-11-18 10:02:00"), utc(session_end) if session_end else None
    starts = [utc("2026-11-18 10:00") + timedelta(minutes=10 * i) for i in range(6)]
    shots = [None, starts[1] + timedelta(seconds=599), starts[2] + timedelta(minutes=12), starts[3],
             starts[4] + timedelta(minutes=7, seconds=31), starts[5] + timedelta(seconds=1)]
    active = [3, 0, 10, 1, 0, 7]
    run = run_counter(slot_seconds=600, screenshots=screenshots, billing=billing)
    alone = [counted_minutes(slot_start=start, slot_seconds=600, session_start=session_start, session_end=end,
                             screenshot_at=shot, active_minutes=a, screenshots=screenshots, billing=billing)
             for start, shot, a in zip(starts, shots, active, strict=True)]
    assert run(session_start=session_start, session_end=end, starts=starts, shots=shots, active=active) == alone
    assert run(session_start=session_start, session_end=end, starts=[], shots=[], active=[]) == []
