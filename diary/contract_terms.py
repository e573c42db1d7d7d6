"""The terms of a contract: each declared once (TERMS), with the bounds a client may set them to.

Everything that handles a term — the chat parser, the commands, the contract card, the history
the ledger reads, the Discord options and the Slack form — reads its declaration here, so adding
a term is one `Term` plus the rule that uses it (docs/rules.md#terms-in-force).
"""

import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from diary.money import format_money, parse_amount
from diary.refusal import Refusal
from diary.terms import Billing, Screenshots
from diary.text import MAX_TITLE, TITLE, checked, clean
from diary.weeks import check_timezone

MAX_RATE = Decimal("10000")
WEEK_HOURS = Decimal("168")


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
    min_hours: Decimal | None = None
    webcam: bool = False

    def __post_init__(self) -> None:
        # Cleaned here, so every way of making terms (command, form, option) keeps no control characters.
        object.__setattr__(self, "title", clean(self.title or ""))


class Applies(StrEnum):
    """Which way a change of a term applies."""

    RAISE_NOW = "raise_now"  # a raise applies to the whole current week, a cut from the next one
    NEXT_WEEK = "next_week"  # from the next week, whichever way it goes
    NEXT_SLOT = "next_slot"  # from the next slot: the slot under way keeps the terms it began with
    AT_ONCE = "at_once"  # no bearing on counting or money (the title): no history
    UNTIL_RECORDED = "until_recorded"  # changes everything: only until time is recorded; no history


HISTORIED = (Applies.RAISE_NOW, Applies.NEXT_WEEK, Applies.NEXT_SLOT)


class Kind(StrEnum):
    """What a term's value is, for the forms and options that ask for it."""

    AMOUNT = "amount"  # money, typed as text and read by the amount parser
    HOURS = "hours"  # a number of hours, or none
    MINUTES = "minutes"  # a whole number of minutes
    SWITCH = "switch"  # on or off
    CHOICE = "choice"  # one of `choices`
    TEXT = "text"


class NoneIs(StrEnum):
    """Where "none" stands among numbers, to tell a raise from a cut."""

    HIGHEST = "highest"  # no weekly limit is more than any limit
    LOWEST = "lowest"  # no weekly minimum is less than any minimum


@dataclass(frozen=True)
class Term:
    name: str  # as typed in chat (`limit=40`), as a Discord option, and in the history
    attr: str  # the attribute of Terms (and of the contract card)
    column: str  # the contract's column holding the value set last
    label: str  # in sentences and on the card: "weekly limit"
    kind: Kind
    parse: Callable[[str], object]  # chat text (and the history's text) -> value, or a Refusal
    show: Callable[[object, str], str]  # (value, currency) -> text for people
    applies: Applies
    example: str  # the right form, for help and refusals: "limit=40"
    hint: str  # what to give, for a form's field or a Discord option
    none_is: NoneIs | None = None  # None: the term is never "none"
    choices: tuple[str, ...] = ()  # the only values it takes, for menus
    on_card: bool = True  # a line of its own on the contract card (currency and title are shown elsewhere)

    @property
    def has_history(self) -> bool:
        return self.applies in HISTORIED

    @property
    def default(self):
        """The value a new contract has when the term is not given (None for the rate: it must be)."""
        return DEFAULTS.get(self.attr)

    def text(self, value) -> str | None:
        """The value as the history keeps it: the chat form, which `parse` reads back."""
        if value is None:
            return None
        if isinstance(value, bool):
            return "on" if value else "off"
        return str(value)

    def is_raise(self, old, new) -> bool:
        """Whether `new` is at least `old`, "none" standing where `none_is` puts it."""
        if old is None and new is None:
            return True
        if new is None:
            return self.none_is == NoneIs.HIGHEST
        if old is None:
            return self.none_is == NoneIs.LOWEST
        return new >= old


SWITCH = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}
NONE_WORDS = ("none", "no", "off", "0", "unlimited")


def _hours(example: str) -> Callable[[str], Decimal | None | Refusal]:
    def parse(text: str) -> Decimal | None | Refusal:
        text = text.lower().removesuffix("h").strip()
        if text in NONE_WORDS:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return Refusal(f'"{text}" is not a number of hours; e.g. {example} or {example.split("=")[0]}=none.')

    return parse


def _switch(name: str) -> Callable[[str], bool | Refusal]:
    return lambda text: SWITCH[text.lower()] if text.lower() in SWITCH else Refusal(f"{name} is on or off, e.g. {name}=on.")


def _choice(name: str, allowed: tuple[str, ...]) -> Callable[[str], str | Refusal]:
    def parse(text: str) -> str | Refusal:
        if text.lower() in allowed:
            return text.lower()
        return Refusal(f"{name} is one of {'|'.join(allowed)}, e.g. {name}={allowed[0]}.")

    return parse


def _minutes(text: str) -> int | Refusal:
    digits = text.lower().removesuffix("min").removesuffix("m")
    return int(digits) if digits.isdigit() else Refusal(f'"{text}" is not a number of minutes; e.g. idle=10.')


def _show_hours(none: str, unit: str) -> Callable[[object, str], str]:
    return lambda value, currency: none if value is None else f"{value.normalize():f} {unit}"


def _on_off(value, currency: str) -> str:
    return "on" if value else "off"


def _as_is(value, currency: str) -> str:
    return str(value)


SCREENSHOTS = tuple(s.value for s in Screenshots)
BILLING = tuple(b.value for b in Billing)

TERMS: tuple[Term, ...] = (
    Term(name="rate", attr="rate", column="rate", label="hourly rate", kind=Kind.AMOUNT, parse=parse_amount,
         show=lambda v, c: f"{format_money(v, c)}/h", applies=Applies.RAISE_NOW, example="rate=40", hint="Hourly rate, e.g. 40"),
    Term(name="currency", attr="currency", column="currency", label="currency", kind=Kind.TEXT, parse=lambda t: t.upper(),
         show=_as_is, applies=Applies.UNTIL_RECORDED, example="currency=EUR", hint="A three-letter code, e.g. EUR",
         on_card=False),
    Term(name="limit", attr="limit_hours", column="weekly_limit_hours", label="weekly limit", kind=Kind.HOURS,
         parse=_hours("limit=40"), show=_show_hours("no limit", "h/week"), applies=Applies.RAISE_NOW, example="limit=40",
         hint="Hours per week, e.g. 40; none for no limit", none_is=NoneIs.HIGHEST),
    Term(name="weekly", attr="weekly_payment", column="weekly_payment", label="weekly payment", kind=Kind.AMOUNT,
         parse=parse_amount, show=lambda v, c: format_money(v, c), applies=Applies.RAISE_NOW, example="weekly=500",
         hint="A fixed amount per week on top of the hours"),
    Term(name="min", attr="min_hours", column="weekly_min_hours", label="weekly minimum", kind=Kind.HOURS,
         parse=_hours("min=10"), show=_show_hours("none", "h/week"), applies=Applies.NEXT_WEEK, example="min=10",
         hint="Hours per week the freelancer aims for, e.g. 10; none for no minimum", none_is=NoneIs.LOWEST),
    Term(name="manual", attr="manual", column="manual_allowed", label="manual time", kind=Kind.SWITCH,
         parse=_switch("manual"), show=_on_off, applies=Applies.NEXT_SLOT, example="manual=on", hint="Allow manual time"),
    Term(name="screenshots", attr="screenshots", column="screenshots", label="screenshots", kind=Kind.CHOICE,
         parse=_choice("screenshots", SCREENSHOTS), show=_as_is, applies=Applies.NEXT_SLOT, example="screenshots=blur",
         hint="Screenshots taken: on, blurred on the device, or off", choices=SCREENSHOTS),
    Term(name="billing", attr="billing", column="billing", label="billing", kind=Kind.CHOICE, parse=_choice("billing", BILLING),
         show=_as_is, applies=Applies.NEXT_SLOT, example="billing=minutes", hint="How a slot counts", choices=BILLING),
    Term(name="tz", attr="tz", column="tz", label="timezone", kind=Kind.TEXT, parse=str, show=_as_is,
         applies=Applies.UNTIL_RECORDED, example="tz=Europe/Berlin", hint="Billing timezone, e.g. Europe/Berlin"),
    Term(name="idle", attr="idle_minutes", column="idle_minutes", label="idle time-out", kind=Kind.MINUTES, parse=_minutes,
         show=lambda v, c: f"{v} min", applies=Applies.NEXT_SLOT, example="idle=10",
         hint="Minutes without input before tracking stops"),
    Term(name="window", attr="window", column="window", label="window titles", kind=Kind.SWITCH, parse=_switch("window"),
         show=_on_off, applies=Applies.NEXT_SLOT, example="window=off", hint="Record the app and window title per minute"),
    Term(name="webcam", attr="webcam", column="webcam", label="webcam", kind=Kind.SWITCH, parse=_switch("webcam"),
         show=_on_off, applies=Applies.NEXT_SLOT, example="webcam=on",
         hint="A camera frame per slot, once the freelancer consents on their computer"),
    Term(name="title", attr="title", column="title", label="title", kind=Kind.TEXT, parse=str, show=_as_is,
         applies=Applies.AT_ONCE, example='title="Landing page"', hint="e.g. Landing page", on_card=False),
)
BY_NAME = {term.name: term for term in TERMS}
DEFAULTS = {f.name: f.default for f in fields(Terms) if f.default is not MISSING}
HISTORY = tuple(term for term in TERMS if term.has_history)


def check_rate(rate: Decimal) -> Refusal | None:
    if not Decimal("0") < rate <= MAX_RATE:
        return Refusal(f"The hourly rate must be above 0 and at most {MAX_RATE}, e.g. rate=40.")
    return None


def _hours_within(hours: Decimal, low: Decimal) -> bool:
    # is_finite first: NaN and sNaN cannot be compared (sNaN even raises).
    return Decimal(hours).is_finite() and low <= hours <= WEEK_HOURS


def check_limit(hours: Decimal | None) -> Refusal | None:
    if hours is not None and not _hours_within(hours, Decimal("1")):
        return Refusal("The weekly limit is a number of hours from 1 to 168, e.g. limit=40, or limit=none.")
    return None


def check_terms(terms: Terms) -> Refusal | None:
    """The first thing wrong with these terms, as a sentence with an example, or None."""
    checks = (
        check_rate(terms.rate),
        check_limit(terms.limit_hours),
        None if re.fullmatch(r"[A-Z]{3}", terms.currency) else Refusal("The currency is a three-letter code, e.g. currency=EUR."),
        None if terms.weekly_payment >= 0 else Refusal("The weekly payment cannot be negative, e.g. weekly=500."),
        None if terms.min_hours is None or (_hours_within(terms.min_hours, Decimal("0")) and terms.min_hours > 0)
        else Refusal("The weekly minimum is a number of hours up to 168, e.g. min=10, or min=none."),
        None if 1 <= terms.idle_minutes <= 60 else Refusal("Idle minutes run from 1 to 60, e.g. idle=10."),
        check_timezone(terms.tz),
        None if len(terms.title) <= MAX_TITLE else checked(terms.title, TITLE),
    )
    return next((refusal for refusal in checks if refusal is not None), None)
