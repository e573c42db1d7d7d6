from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diary.weeks import (
    BillingWeek,
    check_timezone,
    day_bounds,
    describe_instant,
    edits_open,
    in_review,
    local_day,
    parse_week,
    week_of,
)

from .moments import local, utc

BERLIN, NEW_YORK, LORD_HOWE = "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("instant", "tz", "monday", "label"),
    [
        (utc("2026-11-18 12:00"), "UTC", date(2026, 11, 16), "2026-W47"),
        (utc("2026-11-22 23:30"), "UTC", date(2026, 11, 16), "2026-W47"),
        (utc("2026-11-22 23:30"), BERLIN, date(2026, 11, 23), "2026-W48"),  # already Monday 00:30 there
        (utc("2026-11-16 03:00"), NEW_YORK, date(2026, 11, 9), "2026-W46"),  # still Sunday evening there
        (utc("2026-11-16 00:00"), "UTC", date(2026, 11, 16), "2026-W47"),  # Monday 00:00 starts the week
        (utc("2026-12-30 10:00"), "UTC", date(2026, 12, 28), "2026-W53"),
        (utc("2027-01-01 10:00"), "UTC", date(2026, 12, 28), "2026-W53"),  # ISO year, not calendar year
    ],
)
def test_week_of_finds_the_local_monday(instant, tz, monday, label):
    week = week_of(instant, tz)
    assert (week.monday, week.label, week.contains(instant)) == (monday, label, True)


@pytest.mark.parametrize(
    ("monday", "tz", "hours"),
    [
        (date(2026, 11, 16), "UTC", 168),
        (date(2026, 11, 16), BERLIN, 168),
        (date(2026, 3, 23), BERLIN, 167),  # clocks go forward on Sunday 29 March
        (date(2026, 10, 19), BERLIN, 169),  # clocks go back on Sunday 25 October
        (date(2026, 3, 2), NEW_YORK, 167),  # forward on Sunday 8 March
        (date(2026, 10, 26), NEW_YORK, 169),  # back on Sunday 1 November
        (date(2026, 9, 28), LORD_HOWE, 167.5),  # half-hour DST
        (date(2026, 3, 30), LORD_HOWE, 168.5),
    ],
)
def test_a_week_with_a_dst_change_has_the_right_length(monday, tz, hours):
    week = BillingWeek(monday, tz)
    assert week.end - week.start == timedelta(hours=hours)
    assert week.start.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == datetime.combine(monday, time(0))
    assert week.end.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == datetime.combine(monday + timedelta(days=7), time(0))


@pytest.mark.parametrize(
    ("monday", "tz", "edit_utc", "review_utc"),
    [
        (date(2026, 11, 16), "UTC", "2026-11-23 12:00", "2026-11-27 23:59"),
        (date(2026, 10, 19), BERLIN, "2026-10-26 11:00", "2026-10-30 22:59"),  # CET after the change
        (date(2026, 3, 23), BERLIN, "2026-03-30 10:00", "2026-04-03 21:59"),  # CEST after the change
        (date(2026, 10, 26), NEW_YORK, "2026-11-02 17:00", "2026-11-07 04:59"),  # EST; Saturday in UTC
    ],
)
def test_deadlines_land_on_local_monday_noon_and_friday_2359(monday, tz, edit_utc, review_utc):
    week = BillingWeek(monday, tz)
    assert (week.edit_deadline, week.review_deadline) == (utc(edit_utc), utc(review_utc))
    edit = week.edit_deadline.astimezone(ZoneInfo(tz))
    review = week.review_deadline.astimezone(ZoneInfo(tz))
    assert (edit.date(), edit.time()) == (monday + timedelta(days=7), time(12, 0))
    assert (review.strftime("%A"), review.time()) == ("Friday", time(23, 59))
    assert review.date() == monday + timedelta(days=11)


@pytest.mark.parametrize(
    ("instant", "tz", "day", "text"),
    [
        (utc("2026-11-22 23:30"), "UTC", date(2026, 11, 22), "Sunday 2026-11-22 23:30 (UTC)"),
        (utc("2026-11-22 23:30"), BERLIN, date(2026, 11, 23), "Monday 2026-11-23 00:30 (Europe/Berlin)"),
        (utc("2026-11-23 02:00"), NEW_YORK, date(2026, 11, 22), "Sunday 2026-11-22 21:00 (America/New_York)"),
    ],
)
def test_instants_read_on_the_local_calendar(instant, tz, day, text):
    assert (local_day(instant, tz), describe_instant(instant, tz)) == (day, text)


def test_naive_instants_are_refused_rather_than_read_as_server_time():
    with pytest.raises(ValueError, match="aware"):
        week_of(datetime(2026, 11, 18, 12, 0), "UTC")


def test_a_week_knows_its_days_and_neighbours():
    week = BillingWeek(date(2026, 11, 16), BERLIN)
    assert week.days == [date(2026, 11, day) for day in range(16, 23)]
    assert (week.next().label, week.previous().label) == ("2026-W48", "2026-W46")
    assert week.next().start == week.end and week.previous().end == week.start
    assert week.contains(week.start) and not week.contains(week.end)
    assert not week.contains(week.start - timedelta(microseconds=1))


def test_a_billing_week_starts_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        BillingWeek(date(2026, 11, 18), "UTC")


@pytest.mark.parametrize(
    ("label", "monday"),
    [
        ("2026-W47", date(2026, 11, 16)),
        (" 2026-w47 ", date(2026, 11, 16)),
        ("2026-W1", date(2025, 12, 29)),
        ("2026-W53", date(2026, 12, 28)),
        ("2020-W53", date(2020, 12, 28)),
    ],
)
def test_parse_week_reads_iso_week_labels(label, monday):
    week = parse_week(label, BERLIN)
    assert (week.monday, week.tz) == (monday, BERLIN)


@pytest.mark.parametrize("label", ["2026-47", "W47", "2025-W53", "2026-W54", "2026-W00", "", "next week", "2026-W4x"])
def test_parse_week_refuses_other_text_with_an_example(label):
    with pytest.raises(ValueError, match="2026-W47"):
        parse_week(label, "UTC")


@pytest.mark.parametrize(
    ("day", "tz", "hours"),
    [
        (date(2026, 11, 18), BERLIN, 24),
        (date(2026, 3, 29), BERLIN, 23),
        (date(2026, 10, 25), BERLIN, 25),
        (date(2026, 3, 8), NEW_YORK, 23),
        (date(2026, 3, 8), "UTC", 24),
    ],
)
def test_day_bounds_cover_the_local_day(day, tz, hours):
    start, end = day_bounds(day, tz)
    assert end - start == timedelta(hours=hours)
    assert start == local(f"{day} 00:00", tz) and start.tzinfo == UTC


@pytest.mark.parametrize(
    ("now", "open_for_edits", "reviewing"),
    [
        (local("2026-11-18 09:00", BERLIN), True, False),  # during the week
        (local("2026-11-23 11:59", BERLIN), True, False),  # next Monday morning
        (local("2026-11-23 12:00", BERLIN), False, True),
        (local("2026-11-27 23:58", BERLIN), False, True),
        (local("2026-11-27 23:59", BERLIN), False, False),
        (local("2026-12-01 09:00", BERLIN), False, False),
    ],
)
def test_edits_then_review_follow_the_deadlines(now, open_for_edits, reviewing):
    week = BillingWeek(date(2026, 11, 16), BERLIN)
    assert (edits_open(week, now), in_review(week, now)) == (open_for_edits, reviewing)


@pytest.mark.parametrize("tz", ["UTC", BERLIN, NEW_YORK, "Asia/Kathmandu"])
def test_known_timezones_pass(tz):
    assert check_timezone(tz) is None


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "America", "../etc/passwd", "/etc/localtime", "localtime", "Europe/Berlin "])
def test_unknown_timezones_are_refused_with_an_example(tz):
    refusal = check_timezone(tz)
    assert refusal is not None and "tz=Europe/Berlin" in refusal.message


DST_ZONES = {BERLIN: HOUR, NEW_YORK: HOUR, "Europe/London": HOUR, "Australia/Sydney": HOUR, LORD_HOWE: HOUR / 2}


@settings(max_examples=40, deadline=None)
@given(tz=st.sampled_from(sorted(DST_ZONES)), year=st.integers(min_value=1997, max_value=2099))
def test_every_week_of_a_dst_year_is_monday_to_monday_and_two_change_length(tz, year):
    first = week_of(datetime(year, 1, 8, tzinfo=UTC), tz)
    weeks = [BillingWeek(first.monday + timedelta(weeks=n), tz) for n in range(52)]
    zone = ZoneInfo(tz)
    for week in weeks:
        assert week.start.astimezone(zone).replace(tzinfo=None) == datetime.combine(week.monday, time(0))
    changed = sorted(week.end - week.start for week in weeks if week.end - week.start != timedelta(days=7))
    shift = DST_ZONES[tz]
    assert changed == [timedelta(days=7) - shift, timedelta(days=7) + shift]


@settings(max_examples=40, deadline=None)
@given(tz=st.sampled_from(sorted(DST_ZONES) + ["UTC"]), day=st.dates(date(1990, 1, 1), date(2099, 12, 31)))
def test_local_days_tile_their_week(tz, day):
    week = week_of(datetime.combine(day, time(12), tzinfo=UTC), tz)
    bounds = [day_bounds(each, tz) for each in week.days]
    assert bounds[0][0] == week.start and bounds[-1][1] == week.end
    assert all(bounds[n][1] == bounds[n + 1][0] for n in range(6))
