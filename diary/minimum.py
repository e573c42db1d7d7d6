"""The weekly minimum (docs/rules.md#weekly-minimum): the hours a freelancer aims for in a week.

It is shown against the week's hours and, on Thursday, the freelancer is reminded when the week
so far is behind pace. It is never enforced: nothing is billed, refused or held because of it.
"""

from datetime import date, datetime, time, timedelta

from diary.statements import Statement
from diary.weeks import BillingWeek, day_bounds, local_instant

REMIND_AT = time(9, 0)  # Thursday morning, in the billing timezone
THURSDAY = 3  # days after Monday: Monday to Wednesday are behind by then


def hours_text(minutes: int) -> str:
    """Minutes as hours to a tenth, never rounded up: 750 -> "12.5", 1200 -> "20", 59 -> "0.9"."""
    tenths = minutes // 6
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def worked_minutes(statement: Statement) -> int:
    """The week's hours the minimum is measured against: its counted time, less what disputes removed."""
    return statement.counted_minutes - statement.removed_minutes


def against_minimum(worked_minutes: int, minimum_minutes: int) -> str:
    """"12.5 h of a 20 h minimum"."""
    return f"{hours_text(worked_minutes)} h of a {hours_text(minimum_minutes)} h minimum"


def reminder_window(week: BillingWeek) -> tuple[datetime, datetime]:
    """When the week's reminder may go: Thursday from 09:00 to the end of Thursday, local time
    (a worker down all of Thursday sends none: by Friday it is news no longer)."""
    thursday = week.monday + timedelta(days=THURSDAY)
    return local_instant(thursday, REMIND_AT, week.tz), day_bounds(thursday, week.tz)[1]


def days_behind(week: BillingWeek, start_day: date) -> int:
    """The days of Monday to Wednesday the contract ran: a contract started on Tuesday is behind
    by two days on Thursday, one started on Thursday by none."""
    first = max(week.monday, start_day)
    return max(0, (week.monday + timedelta(days=THURSDAY) - first).days)


def behind_pace(worked_minutes: int, minimum_minutes: int, days: int) -> bool:
    """Whether the week so far is under `days` sevenths of the minimum (3/7 for a whole week)."""
    return days > 0 and worked_minutes * 7 < minimum_minutes * days


def reminder_text(worked_minutes: int, minimum_minutes: int, days: int, about: str) -> str:
    pace = minimum_minutes * days // 7
    return (f"Your week on {about} so far: {against_minimum(worked_minutes, minimum_minutes)} "
            f"(about {hours_text(pace)} h would be on pace by Thursday). A reminder only: the minimum is never enforced.")
