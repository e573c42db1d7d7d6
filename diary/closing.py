"""Which weeks are due to close: those past their edit deadline, oldest first (docs/rules.md#closed-weeks)."""

from datetime import date, datetime, timedelta
from functools import lru_cache

from diary.weeks import BillingWeek, week_of


def weeks_due(*, tz: str, start_day: date, end_day: date | None, last_closed: date | None, now: datetime) -> list[BillingWeek]:
    """The contract's weeks past their edit deadline and not closed yet, oldest first; weeks are
    closed in order, so `last_closed` (the Monday of the latest closed week) says where to go on."""
    week = BillingWeek(last_closed, tz).next() if last_closed else week_of_day(start_day, tz)
    last = last_closable(tz, now)
    if end_day is not None:
        last = min(last, week_of_day(end_day, tz), key=lambda w: w.monday)
    due = []
    while week.monday <= last.monday:
        due.append(week)
        week = week.next()
    return due


@lru_cache(maxsize=1024)  # the same for every contract in a timezone
def last_closable(tz: str, now: datetime) -> BillingWeek:
    """The latest week in `tz` whose edit deadline has passed by `now`."""
    last = week_of(now, tz).previous()
    return last if now >= last.edit_deadline else last.previous()


def week_of_day(day: date, tz: str) -> BillingWeek:
    return BillingWeek(day - timedelta(days=day.weekday()), tz)
