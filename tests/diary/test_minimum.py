from datetime import UTC, date, datetime

import pytest

from diary.minimum import against_minimum, behind_pace, days_behind, hours_text, reminder_window
from diary.weeks import BillingWeek


@pytest.mark.parametrize("minutes, text", [(0, "0"), (59, "0.9"), (750, "12.5"), (1200, "20"), (1199, "19.9")])
def test_hours_are_shown_to_a_tenth_never_rounded_up(minutes, text):
    """Rule: docs/rules.md#weekly-minimum"""
    assert hours_text(minutes) == text


def test_the_week_reads_against_its_minimum():
    """Rule: docs/rules.md#weekly-minimum"""
    assert against_minimum(750, 1200) == "12.5 h of a 20 h minimum"


@pytest.mark.parametrize("worked, days, behind", [(514, 3, True), (515, 3, False), (171, 1, True), (172, 1, False), (0, 0, False)])
def test_behind_pace_is_under_the_share_of_the_week_gone(worked, days, behind):
    """Rule: docs/rules.md#weekly-minimum"""
    assert behind_pace(worked, 1200, days) is behind  # 20 h: 3/7 is 514.3 minutes, 1/7 is 171.4


@pytest.mark.parametrize("start, days", [(date(2026, 11, 2), 3), (date(2026, 11, 16), 3), (date(2026, 11, 17), 2),
                                         (date(2026, 11, 18), 1), (date(2026, 11, 19), 0)])
def test_a_contract_started_this_week_is_behind_only_by_its_own_days(start, days):
    """Rule: docs/rules.md#weekly-minimum"""
    assert days_behind(BillingWeek(date(2026, 11, 16), "UTC"), start) == days


@pytest.mark.parametrize("tz, begins, ends", [
    ("UTC", datetime(2026, 11, 19, 9, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)),
    ("America/Los_Angeles", datetime(2026, 11, 19, 17, tzinfo=UTC), datetime(2026, 11, 20, 8, tzinfo=UTC)),
    ("Pacific/Auckland", datetime(2026, 11, 18, 20, tzinfo=UTC), datetime(2026, 11, 19, 11, tzinfo=UTC)),
])
def test_the_reminder_goes_on_thursday_from_nine_local_time(tz, begins, ends):
    """Rule: docs/rules.md#weekly-minimum"""
    assert reminder_window(BillingWeek(date(2026, 11, 16), tz)) == (begins, ends)
