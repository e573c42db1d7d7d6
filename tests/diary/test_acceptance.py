"""The checks a new slot passes before it is recorded (pure: no server, no database)."""

from datetime import timedelta

from diary.acceptance import check_report
from diary.protocol import SlotReport
from diary.terms import Screenshots

from .moments import utc

START = utc("2026-11-18 10:00")


def report(start=START, shot=START + timedelta(minutes=4)) -> SlotReport:
    return SlotReport(session_id=1, slot_start=start, minutes=[{"keys": 3, "mouse": 2}] * 10, screenshot_at=shot)


def check(rep: SlotReport, *, has_image=True, screenshots=Screenshots.ON, since=None, now=START + timedelta(minutes=11)):
    return check_report(rep, has_image=has_image, session_start=START - timedelta(hours=1), session_end=None,
                        screenshots=screenshots, screenshots_from=since, slot_seconds=600, now=now)


def test_a_slot_on_the_grid_inside_its_session_with_its_screenshot_is_taken():
    """Rule: docs/rules.md#slots"""
    assert check(report()) is None
    assert check(report(start=START + timedelta(minutes=3))).message.startswith("slot_start must be a multiple of 600 s")
    assert "future" in check(report(start=START + timedelta(hours=1)), now=START).message


def test_a_screenshot_outside_its_slot_or_without_its_instant_is_refused():
    """Rule: docs/rules.md#screenshots"""
    assert check(report(shot=START + timedelta(minutes=10))).message == "screenshot_at must lie inside the slot."
    assert check(report(shot=None)).message == "A screenshot needs its screenshot_at instant."


def test_screenshots_switched_off_refuse_them_only_from_the_slot_after_the_change():
    """Rule: docs/rules.md#terms-in-force"""
    off_before = check(report(), screenshots=Screenshots.OFF, since=START - timedelta(minutes=1))
    assert off_before.message == "This contract takes no screenshots."
    # The slot under way when they were switched off keeps its screenshot.
    assert check(report(), screenshots=Screenshots.OFF, since=START + timedelta(minutes=5)) is None
    assert check(report(shot=None), has_image=False, screenshots=Screenshots.OFF, since=START) is None
