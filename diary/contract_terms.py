"""The terms of a contract and the bounds a client may set them to."""

import re
from dataclasses import dataclass
from decimal import Decimal

from diary.refusal import Refusal
from diary.terms import Billing, Screenshots
from diary.text import MAX_TITLE, TITLE, checked, clean
from diary.weeks import check_timezone

MAX_RATE = Decimal("10000")


@dataclass(frozen=True)
class Terms:
    rate: Decimal
    currency: str = "USD"
    limit_hours: Decimal | None = Decimal("40")
    weekly_payment: Decimal = Decimal("0")
    manual: bool = True
    screenshots: Screenshots = Screenshots.ON
    billing: Billing = Billing.SEGMENTS
    tz: str = "UTC"
    idle_minutes: int = 10
    title: str = ""
    window: bool = False

    def __post_init__(self) -> None:
        # Cleaned here, so every way of making terms (command, form, option) keeps no control characters.
        object.__setattr__(self, "title", clean(self.title or ""))


def check_rate(rate: Decimal) -> Refusal | None:
    if not Decimal("0") < rate <= MAX_RATE:
        return Refusal(f"The hourly rate must be above 0 and at most {MAX_RATE}, e.g. rate=40.")
    return None


def check_limit(hours: Decimal | None) -> Refusal | None:
    # is_finite first: NaN and sNaN cannot be compared (sNaN even raises).
    if hours is not None and not (Decimal(hours).is_finite() and Decimal("1") <= hours <= Decimal("168")):
        return Refusal("The weekly limit is a number of hours from 1 to 168, e.g. limit=40, or limit=none.")
    return None


def check_terms(terms: Terms) -> Refusal | None:
    """The first thing wrong with these terms, as a sentence with an example, or None."""
    checks = (
        check_rate(terms.rate),
        check_limit(terms.limit_hours),
        None if re.fullmatch(r"[A-Z]{3}", terms.currency) else Refusal("The currency is a three-letter code, e.g. currency=EUR."),
        None if terms.weekly_payment >= 0 else Refusal("The weekly payment cannot be negative, e.g. weekly=500."),
        None if 1 <= terms.idle_minutes <= 60 else Refusal("Idle minutes run from 1 to 60, e.g. idle=10."),
        check_timezone(terms.tz),
        None if len(terms.title) <= MAX_TITLE else checked(terms.title, TITLE),
    )
    return next((refusal for refusal in checks if refusal is not None), None)
