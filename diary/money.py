"""Money: Decimal, rounded half up to the cent; amounts typed by people; hours and money as text."""

import re
from decimal import ROUND_HALF_UP, Decimal

from diary.refusal import Refusal

CENT = Decimal("0.01")
MAX_WHOLE_DIGITS = 12  # beyond any real rate or bonus, and safe for a Numeric column
_EXAMPLE = "e.g. 40, 40.50 or 1,200.00"
# An optional minus on either side of an optional currency sign, so "-$40" and "$-40" are both
# recognised as negative and answered as such rather than as garbage.
_AMOUNT = re.compile(r"(-?)[$€£]?(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal | Refusal:
    """An amount typed in chat ("40", "40.5", "$40", "1,200.00") to the cent, or why it is not one."""
    found = _AMOUNT.fullmatch(text.strip())
    if found is None:
        return Refusal(f"That is not an amount; write it like {_EXAMPLE}.")
    minus, minus_after_sign, whole, cents = found.groups()
    if minus or minus_after_sign:
        return Refusal(f"An amount can't be negative; write it like {_EXAMPLE}.")
    return _checked_amount(whole.replace(",", ""), cents or "0")


def _checked_amount(whole: str, cents: str) -> Decimal | Refusal:
    if len(cents) > 2:
        return Refusal("Amounts are in whole cents, with at most two decimals, e.g. 40.50.")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        return Refusal(f"That amount is too large; write it like {_EXAMPLE}.")
    return money(f"{whole}.{cents}")


def minutes_to_hours(minutes: int) -> Decimal:
    """Hours for display (450 -> 7.50); bills are computed from minutes, never from this."""
    return money(Decimal(minutes) / 60)


def format_minutes(minutes: int) -> str:
    """h:mm, as timesheets show it: 450 -> "7:30", 10 -> "0:10"."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


def format_money(amount: Decimal, currency: str) -> str:
    """Grouped thousands, always two decimals, then the contract's currency: "1,320.00 USD"."""
    return f"{money(amount):,.2f} {currency}"
