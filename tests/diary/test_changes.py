"""Terms in force (docs/rules.md#terms-in-force): when each change takes effect, and which
value governs a week or a slot."""

from datetime import date
from decimal import Decimal

import pytest

from diary.changes import Change, in_force_now, takes_effect, value_at, value_for_week
from diary.contract_terms import BY_NAME, TERMS, Applies, NoneIs
from diary.weeks import BillingWeek

from .moments import local, utc

WEEK = BillingWeek(date(2026, 11, 16), "UTC")  # Monday 16 to Sunday 22 November
BEFORE = utc("2026-11-01 09:00")
MONDAY = utc("2026-11-16 00:00")
WEDNESDAY = utc("2026-11-18 15:00")
FRIDAY = utc("2026-11-20 15:00")
NEXT_MONDAY = utc("2026-11-23 00:00")
NO_LIMIT = None


def d(text: str) -> Decimal:
    return Decimal(text)


def decided(name: str, decisions: list, tz: str = "UTC", slot_seconds: int = 600) -> list[Change]:
    """The history that `decisions` ((instant, value), the first the initial value) leave behind."""
    term, (first_at, first), *rest = BY_NAME[name], *decisions
    history = [Change(at=first_at, value=first)]
    for now, value in rest:
        in_force = in_force_now(term, history, now=now, tz=tz)
        history.append(Change(at=takes_effect(term, in_force=in_force, new=value, now=now, tz=tz, slot_seconds=slot_seconds), value=value))
    return history


@pytest.mark.parametrize(
    ("name", "decisions", "this_week", "next_week"),
    [
        ("rate", [(BEFORE, d("40"))], d("40"), d("40")),
        ("rate", [(BEFORE, d("40")), (WEDNESDAY, d("45"))], d("45"), d("45")),  # a raise applies at once
        ("rate", [(BEFORE, d("40")), (WEDNESDAY, d("30"))], d("40"), d("30")),  # a cut waits for next week
        ("rate", [(BEFORE, d("40")), (WEDNESDAY, d("30")), (FRIDAY, d("35"))], d("40"), d("35")),
        ("rate", [(BEFORE, d("40")), (WEDNESDAY, d("50")), (FRIDAY, d("45"))], d("50"), d("45")),
        ("rate", [(BEFORE, d("40")), (WEDNESDAY, d("30")), (FRIDAY, d("50"))], d("50"), d("50")),  # a later raise wins
        ("limit", [(BEFORE, d("40")), (WEDNESDAY, NO_LIMIT)], NO_LIMIT, NO_LIMIT),  # no limit is the highest
        ("limit", [(BEFORE, NO_LIMIT), (WEDNESDAY, d("40"))], NO_LIMIT, d("40")),
        ("rate", [(BEFORE, d("40")), (MONDAY, d("30"))], d("40"), d("30")),  # set at the week's very start
        ("rate", [(BEFORE, d("40")), (NEXT_MONDAY, d("30"))], d("40"), d("40")),  # set as the next week begins
        ("rate", [(WEDNESDAY, d("40"))], d("40"), d("40")),  # contract created during the week
        ("rate", [(WEDNESDAY, d("40")), (FRIDAY, d("20"))], d("40"), d("20")),
        ("rate", [(WEDNESDAY, d("40")), (FRIDAY, d("60"))], d("60"), d("60")),
        ("weekly", [(BEFORE, d("500")), (WEDNESDAY, d("100"))], d("500"), d("100")),
        ("min", [(BEFORE, d("10")), (WEDNESDAY, d("20"))], d("10"), d("20")),  # the minimum: next week either way
        ("min", [(BEFORE, d("10")), (WEDNESDAY, None)], d("10"), None),
    ],
)
def test_a_raise_applies_at_once_and_a_cut_from_the_next_week(name, decisions, this_week, next_week):
    history = decided(name, decisions)
    assert value_for_week(history, WEEK) == this_week
    assert value_for_week(history, WEEK.next()) == next_week


def test_weeks_before_the_first_change_use_the_initial_value():
    history = [Change(at=FRIDAY, value=d("40")), Change(at=utc("2026-12-02 10:00"), value=d("50"))]
    assert value_for_week(history, WEEK.previous()) == d("40")


def test_there_is_always_an_initial_value():
    with pytest.raises(ValueError):
        value_for_week([], WEEK)


def test_slot_terms_take_effect_at_the_next_slot():
    history = decided("screenshots", [(BEFORE, "on"), (utc("2026-11-18 10:04"), "off")])
    assert history[-1].at == utc("2026-11-18 10:10")
    assert value_at(history, utc("2026-11-18 10:00")) == "on"  # the slot under way when it changed
    assert value_at(history, utc("2026-11-18 10:10")) == "off"


def test_weeks_are_those_of_the_contracts_timezone():
    tz = "Europe/Berlin"
    history = decided("limit", [(BEFORE, d("40")), (local("2026-11-18 12:00", tz), d("30"))], tz=tz)
    assert history[-1].at == local("2026-11-23 00:00", tz)


@pytest.mark.parametrize(
    ("name", "old", "new", "is_raise"),
    [
        ("limit", d("40"), None, True),  # no limit is more than any limit
        ("limit", None, d("40"), False),
        ("min", d("10"), None, False),  # no minimum is less than any minimum
        ("min", None, d("10"), True),
        ("rate", d("40"), d("40"), True),
    ],
)
def test_none_stands_where_each_term_declares(name, old, new, is_raise):
    assert BY_NAME[name].is_raise(old, new) is is_raise


def test_every_term_with_a_history_says_how_none_compares_if_it_can_be_none():
    for term in TERMS:
        can_be_none = term.parse("none") is None
        assert (term.none_is is not None) == can_be_none, term.name
        assert term.applies in Applies
    assert BY_NAME["limit"].none_is == NoneIs.HIGHEST and BY_NAME["min"].none_is == NoneIs.LOWEST


def test_every_value_reads_back_from_the_history_as_it_was():
    values = {"rate": d("40.50"), "limit": None, "weekly": d("0.00"), "min": d("7.5"), "manual": False,
              "screenshots": "blur", "billing": "minutes", "idle": 15, "window": True}
    for name, value in values.items():
        term = BY_NAME[name]
        text = term.text(value)
        assert (None if text is None else term.parse(text)) == value


def test_a_week_is_paused_if_the_contract_was_paused_at_any_time_in_it():
    """Rule: docs/rules.md#weekly-payment"""
    from types import SimpleNamespace

    from diary.changes import paused_during

    week = BillingWeek(date(2026, 11, 16), "UTC")
    row = lambda at, value: SimpleNamespace(effective_at=utc(at), value=value)  # noqa: E731
    assert not paused_during([row("2026-11-01 09:00", "active")], week)
    assert paused_during([row("2026-11-01 09:00", "active"), row("2026-11-18 09:00", "paused"),
                          row("2026-11-19 09:00", "active")], week)
    assert paused_during([row("2026-11-10 09:00", "paused")], week)  # paused before, and still as it began
    assert not paused_during([row("2026-11-23 00:00", "paused")], week)  # from the next week on
