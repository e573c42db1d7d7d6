import pytest

from diary import activity
from diary.activity import active_minutes, activity_percent, slot_counts
from diary.protocol import MinuteCounts

IDLE = MinuteCounts(keys=0, mouse=0)
TYPING = MinuteCounts(keys=42, mouse=0)
POINTING = MinuteCounts(keys=0, mouse=7)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        ([None] * 10, 0),
        ([IDLE] * 10, 0),
        ([TYPING] * 10, 10),
        ([TYPING, POINTING, IDLE, None] + [IDLE] * 6, 2),
        ([None] * 5 + [POINTING] * 5, 5),
        ([], 0),
    ],
)
def test_a_minute_is_active_when_it_has_any_input(minutes, expected):
    assert active_minutes(minutes) == expected


@pytest.mark.parametrize(
    ("active", "tracked", "expected"),
    [
        (0, 0, None),
        (0, 10, 0),
        (10, 10, 100),
        (5, 10, 50),
        (1, 8, 13),  # 12.5 rounds half up
        (1, 3, 33),
        (2, 3, 67),
        (1, 200, 1),  # 0.5
        (1, 201, 0),  # 0.497...
        (2043, 2400, 85),
    ],
)
def test_activity_percent_rounds_half_up(active, tracked, expected):
    assert activity_percent(active, tracked) == expected


def test_the_diary_shows_a_slots_counts_and_each_minute():
    """Rule: docs/rules.md#activity"""
    stored = [[42, 0], [0, 7], [0, 0], None] + [[1, 1]] * 6  # as a slot keeps its minutes
    counts = slot_counts(stored)
    assert (counts.keys, counts.mouse) == (48, 13)
    assert counts.minutes == (activity.ACTIVE, activity.ACTIVE, activity.IDLE, activity.OFF) + (activity.ACTIVE,) * 6
    assert slot_counts(None) is None  # manual time has no minutes
