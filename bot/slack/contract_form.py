"""The new-contract modal's fields as contract options, each checked on its own for its own error."""

from bot.terms_parse import parse_terms
from diary.contract_terms import TERMS, Terms, check_terms
from diary.refusal import Refusal, then

OPTIONS = tuple(term.name for term in TERMS)


def options(values: dict[str, str]) -> dict[str, str]:
    """The filled-in fields as `key=value` options; empty ones keep the contract defaults."""
    return {key: values[key] for key in OPTIONS if values.get(key)}


def problems(values: dict[str, str]) -> dict[str, Refusal]:
    """What is wrong, field by field, so the modal can show each message under its field."""
    found = {}
    if not values.get("freelancer"):
        found["freelancer"] = Refusal("Pick the freelancer who will work on this contract.")
    if not values.get("rate"):
        found["rate"] = Refusal("Give the hourly rate, e.g. 40.")
    for key, text in options(values).items():
        refusal = _problem(key, text)
        if refusal:
            found[key] = refusal
    return found


def _problem(key: str, text: str) -> Refusal | None:
    # Every other option at its default, so any refusal is about this one field.
    terms = parse_terms({"rate": "1", key: text})
    return then(terms, check_terms)


def terms(values: dict[str, str]) -> Terms | Refusal:
    return parse_terms(options(values))
