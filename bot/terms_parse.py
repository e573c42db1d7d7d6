"""`key=value` contract options as typed in chat, into diary Terms (shape only; bounds are diary's)."""

from decimal import Decimal, InvalidOperation

from diary.contract_terms import Terms
from diary.money import parse_amount
from diary.refusal import Refusal
from diary.terms import Billing, Screenshots

KNOWN = {"rate", "currency", "limit", "weekly", "manual", "screenshots", "billing", "tz", "idle", "title", "window", "contract"}
SWITCH = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}


def _limit(text: str) -> Decimal | None | Refusal:
    text = text.lower().removesuffix("h").strip()
    if text in ("none", "no", "off", "0", "unlimited"):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return Refusal(f'"{text}" is not a number of hours; e.g. limit=40 or limit=none.')


def _choice(key: str, text: str, allowed):
    if text.lower() in allowed:
        return text.lower()
    return Refusal(f"{key} is one of {'|'.join(allowed)}, e.g. {key}={next(iter(allowed))}.")


def _idle(text: str) -> int | Refusal:
    digits = text.lower().removesuffix("m").removesuffix("min")
    return int(digits) if digits.isdigit() else Refusal(f'"{text}" is not a number of minutes; e.g. idle=10.')


PARSERS = {
    "rate": parse_amount,
    "weekly": parse_amount,
    "currency": lambda t: t.upper(),
    "limit": _limit,
    "manual": lambda t: SWITCH[t.lower()] if t.lower() in SWITCH else Refusal("manual is on or off, e.g. manual=on."),
    "window": lambda t: SWITCH[t.lower()] if t.lower() in SWITCH else Refusal("window is on or off, e.g. window=off."),
    "screenshots": lambda t: _choice("screenshots", t, [s.value for s in Screenshots]),
    "billing": lambda t: _choice("billing", t, [b.value for b in Billing]),
    "tz": str,
    "idle": _idle,
    "title": str,
}
FIELDS = {"weekly": "weekly_payment", "limit": "limit_hours", "idle": "idle_minutes"}


def parse_terms(options: dict[str, str]) -> Terms | Refusal:
    unknown = sorted(set(options) - KNOWN)
    if unknown:
        return Refusal(f"I don't know the option {unknown[0]}=; see /tally help for the contract options.")
    values = {}
    for key, text in options.items():
        if key == "contract":
            continue
        value = PARSERS[key](text)
        if isinstance(value, Refusal):
            return value
        values[FIELDS.get(key, key)] = value
    return Terms(**values)
