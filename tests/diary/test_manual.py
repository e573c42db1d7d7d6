from datetime import timedelta

import pytest

from diary.manual import check_manual

from .moments import local

TZ = "Europe/Berlin"
NOW = local("2026-11-18 15:00", TZ)  # Wednesday of 2026-W47


def ask(start="2026-11-18 09:00", end="2026-11-18 10:30", *, now=NOW, seconds=600, allowed=True,
        memo="fixing the login page", occupied=()):
    return check_manual(start=local(start, TZ), end=local(end, TZ), now=now, tz=TZ, slot_seconds=seconds,
                        allowed=allowed, memo=memo, occupied=[local(t, TZ) for t in occupied])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"start": "2026-11-16 00:00", "end": "2026-11-16 00:10"},  # the week's first slot
        {"start": "2026-11-18 14:00", "end": "2026-11-18 15:00"},  # ends right now
        {"occupied": ["2026-11-18 08:50", "2026-11-18 10:30"]},  # tracked time just around it
        # last week stays open until this Monday 12:00
        {"start": "2026-11-20 09:00", "end": "2026-11-20 10:00", "now": local("2026-11-23 11:59", TZ)},
        {"start": "2026-11-22 23:00", "end": "2026-11-23 00:00", "now": local("2026-11-23 09:00", TZ)},  # Sunday 24:00
        {"start": "2026-11-18 09:00", "end": "2026-11-18 09:03", "seconds": 60},  # demo slots
    ],
)
def test_manual_time_that_follows_the_rules_is_accepted(kwargs):
    assert ask(**kwargs) is None


@pytest.mark.parametrize(
    ("kwargs", "phrases"),
    [
        ({"allowed": False}, ["does not allow manual time"]),
        ({"memo": "   "}, ["memo", "/manual 09:00-10:30 fixing the login page"]),
        ({"memo": "x" * 501}, ["500 characters"]),
        ({"end": "2026-11-18 09:00"}, ["after its start", "/manual 09:00-10:30"]),
        ({"end": "2026-11-18 08:00"}, ["after its start"]),
        ({"start": "2026-11-18 09:05"}, ["whole 10-minute slots", "/manual 09:00-10:30"]),
        ({"end": "2026-11-18 10:25"}, ["whole 10-minute slots"]),
        ({"start": "2026-11-18 09:00:30", "end": "2026-11-18 09:03", "seconds": 60}, ["whole 1-minute slots"]),
        ({"start": "2026-11-18 09:00:15", "end": "2026-11-18 09:03", "seconds": 30}, ["whole 30-second slots"]),
        ({"start": "2026-11-18 14:00", "end": "2026-11-18 16:00"}, ["passed", "now 15:00"]),
        ({"start": "2026-11-15 23:00", "end": "2026-11-16 01:00"}, ["one billing week", TZ]),
        (
            {"start": "2026-11-13 09:00", "end": "2026-11-13 10:00", "now": local("2026-11-16 12:00", TZ)},
            ["2026-W46", "Monday 2026-11-16 12:00 (Europe/Berlin)"],
        ),
        ({"start": "2026-11-04 09:00", "end": "2026-11-04 10:00"}, ["closed for edits"]),  # two weeks back
        ({"occupied": ["2026-11-18 10:20"]}, ["overlaps tracked time at 10:20"]),
        ({"occupied": ["2026-11-18 10:20", "2026-11-18 09:40"]}, ["overlaps tracked time at 09:40"]),
        (
            {"start": "2026-11-17 22:00", "end": "2026-11-18 02:00", "occupied": ["2026-11-18 01:10"]},
            ["overlaps tracked time at 2026-11-18 01:10"],
        ),
    ],
)
def test_manual_time_is_refused_with_a_reason(kwargs, phrases):
    refusal = ask(**kwargs)
    assert refusal is not None
    for phrase in phrases:
        assert phrase in refusal.message


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"allowed": False}, "forbidden"),
        ({"memo": ""}, "invalid"),
        ({"start": "2026-11-04 09:00", "end": "2026-11-04 10:00"}, "too_late"),
        ({"occupied": ["2026-11-18 10:20"]}, "conflict"),
    ],
)
def test_refusals_say_what_kind_of_no_they_are(kwargs, code):
    assert ask(**kwargs).code == code


def test_occupied_slots_are_matched_whatever_timezone_they_are_written_in():
    clash = local("2026-11-18 10:20", TZ).astimezone(local("2026-11-18 10:20", "Asia/Tokyo").tzinfo)
    refusal = check_manual(start=local("2026-11-18 09:00", TZ), end=local("2026-11-18 10:30", TZ), now=NOW, tz=TZ,
                           slot_seconds=600, allowed=True, memo="work", occupied={clash})
    assert refusal is not None and "10:20" in refusal.message


def test_the_edit_deadline_closes_last_week_at_monday_noon():
    start = "2026-11-20 09:00"
    monday_noon = local("2026-11-23 12:00", TZ)
    assert ask(start, "2026-11-20 10:00", now=monday_noon - timedelta(seconds=1)) is None
    assert ask(start, "2026-11-20 10:00", now=monday_noon) is not None
