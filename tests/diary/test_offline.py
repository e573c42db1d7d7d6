"""The pure rules of a clock-in made offline: which instants are taken, and the contract's status then."""

from datetime import timedelta

from diary.offline import MAX_OFFLINE, ended_after, instant_refusal, status_at
from tests.conftest import utc

NOW = utc(2026, 11, 18, 12)
MOVES = [(utc(2026, 11, 16, 9), "active"), (utc(2026, 11, 17, 9), "paused"), (utc(2026, 11, 17, 15), "active")]


def test_an_instant_up_to_two_minutes_ahead_and_up_to_seven_days_old_is_taken():
    """Rule: docs/rules.md#offline-clock-in"""
    assert instant_refusal(NOW + timedelta(minutes=2), NOW) is None
    assert instant_refusal(NOW - MAX_OFFLINE, NOW) is None
    assert "future" in instant_refusal(NOW + timedelta(minutes=3), NOW).message
    refused = instant_refusal(NOW - MAX_OFFLINE - timedelta(seconds=1), NOW)
    assert refused.code == "too_late" and "7 days" in refused.message


def test_the_status_at_an_instant_is_the_last_move_in_effect_then():
    """Rule: docs/rules.md#offline-clock-in"""
    assert status_at(MOVES, utc(2026, 11, 16, 8)) is None  # before the contract began
    assert status_at(MOVES, utc(2026, 11, 16, 10)) == "active"
    assert status_at(MOVES, utc(2026, 11, 17, 9)) == "paused"
    assert status_at(MOVES, utc(2026, 11, 17, 16)) == "active"


def test_a_session_from_an_instant_runs_until_the_next_pause_or_end():
    assert ended_after(MOVES, utc(2026, 11, 16, 10)) == (utc(2026, 11, 17, 9), "paused")
    assert ended_after(MOVES, utc(2026, 11, 17, 16)) is None
