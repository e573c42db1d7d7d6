"""`key=value` contract terms as typed in chat, read by each term's declaration (diary/contract_terms.py)."""

from dataclasses import replace

from diary.contract_terms import BY_NAME, TERMS, Kind, Term, Terms
from diary.refusal import Refusal

PICKER = "contract"  # contract=ID chooses the contract; it is not a term


def parse_values(options: dict[str, str]) -> dict[str, object] | Refusal:
    """Each term named in `options`, parsed by its own parser; the first thing wrong, as a sentence."""
    unknown = sorted(set(options) - set(BY_NAME) - {PICKER})
    if unknown:
        return Refusal(f"I don't know the option {unknown[0]}=; see /tally help for the contract options.")
    values = {}
    for name, text in options.items():
        if name == PICKER:
            continue
        value = BY_NAME[name].parse(text)
        if isinstance(value, Refusal):
            return value
        values[name] = value
    return values


def parse_terms(options: dict[str, str]) -> Terms | Refusal:
    """The terms of a new contract: the defaults, and what `options` name."""
    values = parse_values({"rate": "1", **options})
    return values if isinstance(values, Refusal) else terms_from(values)


def terms_from(values: dict[str, object]) -> Terms:
    """A new contract's terms from parsed values (the rate among them) and the defaults."""
    return replace(Terms(rate=values["rate"]), **{BY_NAME[name].attr: value for name, value in values.items()})


def term_usage() -> str:
    """The optional terms of /contract new as help shows them: [limit=40] [screenshots=on|blur|off] ..."""
    return " ".join(f"[{_usage(term)}]" for term in TERMS if term.name != "rate")


def _usage(term: Term) -> str:
    if term.choices:
        return f"{term.name}={'|'.join(term.choices)}"
    if term.kind == Kind.SWITCH or term.default not in (None, ""):
        return f"{term.name}={term.text(term.default)}"
    return term.example
