"""How the diary pages name things: links that keep the signed token, and numbers as people read them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from diary.weeks import BillingWeek

ACTIVITY_STEPS = range(1, 11)  # the activity bar's ten segments (slots without per-minute counts)
# A minute of the activity strip: a letter and a shape as well as a colour, for whoever cannot tell colours apart.
MINUTE_LETTERS = {"active": "A", "idle": "i", "off": "–"}
MINUTE_WORDS = {"active": "active (input)", "idle": "no input", "off": "outside the session"}


@dataclass(frozen=True)
class Urls:
    """Every link of a page carries the token: it is the only key to the diary."""

    root: str  # the app's root path, "" unless mounted under a prefix
    token: str

    @property
    def base(self) -> str:
        return f"{self.root}/diary/{self.token}"

    @property
    def css(self) -> str:
        return f"{self.root}/static/diary.css"

    def day(self, day: date, **extra: str) -> str:
        return f"{self.base}?{urlencode({'day': day.isoformat(), **extra})}"

    def week(self, week: BillingWeek) -> str:
        return f"{self.base}?{urlencode({'week': week.label})}"

    def shot(self, slot_id: int, *, thumb: bool = False) -> str:
        return f"{self.base}/shots/{slot_id}" + ("?size=thumb" if thumb else "")

    def webcam(self, slot_id: int) -> str:
        return f"{self.base}/webcam/{slot_id}"

    def delete(self, slot_id: int) -> str:
        return f"{self.base}/slots/{slot_id}/delete"


def clock(instant: datetime | time) -> str:
    return f"{instant:%H:%M}"


def long_day(day: date) -> str:
    return f"{day:%A, %d %B %Y}"


def percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def hours(value: Decimal) -> str:
    """40.00 -> "40", 37.50 -> "37.5": a limit as people write it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def deleted_notice(text: str | None) -> str | None:
    """The "slot deleted" line after a delete; only a well-formed time is echoed back."""
    if not text:
        return None
    try:
        return f"Deleted the slot at {time.fromisoformat(text):%H:%M}: its screenshot and its time are gone."
    except ValueError:
        return None


def week_containing(day: date, tz: str) -> BillingWeek:
    return BillingWeek(day - timedelta(days=day.weekday()), tz)
