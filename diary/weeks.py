"""Billing weeks: Monday 00:00 to Sunday 24:00 in the contract's billing timezone, DST-safe.

Every instant handed out here is UTC-aware; local wall-clock times are only used to find them.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from diary.refusal import Refusal

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LABEL = re.compile(r"(\d{4})-W(\d{1,2})")
# Files that exist in many zoneinfo folders but name no place; "localtime" would even make
# a contract's weeks depend on how the server machine is configured.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})
# The days anyone may name. Weeks and pages reach a week either side of a day, and a day at the
# end of Python's calendar (year 9999) has none: it would fail deep inside instead of being refused.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2199, 12, 31)
OUT_OF_CALENDAR = f"Days run from {FIRST_DAY} to {LAST_DAY}"


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def local_instant(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of a local date and wall-clock time.

    A wall time that DST skips is read with the offset from before the jump (PEP 495, fold=0),
    so a midnight that does not exist becomes the moment the day really starts.
    """
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def describe_instant(instant: datetime, tz: str) -> str:
    """An instant as the user's own calendar shows it: "Monday 2026-11-23 12:00 (Europe/Berlin)"."""
    local = instant.astimezone(ZoneInfo(tz))
    return f"{_DAY_NAMES[local.weekday()]} {local:%Y-%m-%d %H:%M} ({tz})"


def describe_time(instant: datetime, tz: str) -> str:
    """A time of today as the contract's clock shows it: "09:10 (America/New_York)"."""
    return f"{instant.astimezone(ZoneInfo(tz)):%H:%M} ({tz})"


def describe_span(start: datetime, end: datetime, tz: str) -> str:
    """A stretch of one day on the contract's clock: "Wed 2026-11-18 09:00–10:00 (America/New_York)"."""
    zone = ZoneInfo(tz)
    return f"{start.astimezone(zone):%a %Y-%m-%d %H:%M}–{end.astimezone(zone):%H:%M} ({tz})"


@dataclass(frozen=True)
class BillingWeek:
    monday: date
    tz: str  # IANA name

    def __post_init__(self) -> None:
        if self.monday.weekday() != 0:
            raise ValueError(f"a billing week starts on a Monday, not on {self.monday}")
        ZoneInfo(self.tz)  # an unknown zone fails here, not at some later deadline

    @property
    def start(self) -> datetime:
        return local_instant(self.monday, time(0), self.tz)

    @property
    def end(self) -> datetime:
        return self.next().start

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def edit_deadline(self) -> datetime:
        """The Monday 12:00 after the week: the freelancer's deletions and manual time close."""
        return local_instant(self.monday + timedelta(days=7), time(12, 0), self.tz)

    @property
    def review_deadline(self) -> datetime:
        """The Friday 23:59 after the edit deadline: weeks still pending are approved automatically."""
        return local_instant(self.monday + timedelta(days=11), time(23, 59), self.tz)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(7)]

    def next(self) -> "BillingWeek":
        return BillingWeek(self.monday + timedelta(days=7), self.tz)

    def previous(self) -> "BillingWeek":
        return BillingWeek(self.monday - timedelta(days=7), self.tz)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def local_day(instant: datetime, tz: str) -> date:
    """The date on the wall calendar of `tz` at an (aware) instant."""
    if instant.tzinfo is None:
        # astimezone() would read a naive value as the server's local time
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(ZoneInfo(tz)).date()


def week_of(instant: datetime, tz: str) -> BillingWeek:
    """The billing week in `tz` that contains the (aware) instant."""
    day = local_day(instant, tz)
    return BillingWeek(day - timedelta(days=day.weekday()), tz)


def parse_week(label: str, tz: str) -> BillingWeek:
    """The billing week in `tz` of an ISO week label such as "2026-W47".

    Raises ValueError with a sentence meant for the user.
    """
    found = _LABEL.fullmatch(label.strip().upper())
    if found is not None:
        try:
            monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        except ValueError:
            pass  # e.g. week 53 of a year that has 52; answered below like any other bad label
        else:
            if not in_calendar(monday):
                raise ValueError(f"{OUT_OF_CALENDAR}; name a week like 2026-W47.")
            return BillingWeek(monday, tz)
    raise ValueError(f'"{label.strip()}" is not a week; write it like 2026-W47 (year, then ISO week number).')


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """UTC start and end of a local day: 23 or 25 hours long on the days DST changes."""
    return local_instant(day, time(0), tz), local_instant(day + timedelta(days=1), time(0), tz)


def edits_open(week: BillingWeek, now: datetime) -> bool:
    return now < week.edit_deadline


def in_review(week: BillingWeek, now: datetime) -> bool:
    return week.edit_deadline <= now < week.review_deadline


def check_timezone(tz: str) -> Refusal | None:
    """None for an IANA zone name this machine knows; otherwise a refusal with an example."""
    if tz not in _NOT_PLACES and _loads(tz):
        return None
    return Refusal(f'"{tz}" is not a timezone I know; use an IANA name, e.g. tz=Europe/Berlin or tz=UTC.')


def _loads(tz: str) -> bool:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        return False
    return True
