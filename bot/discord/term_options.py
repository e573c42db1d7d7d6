"""Discord options for contract terms, read from each term's declaration (diary/contract_terms.py):
one option per term, named as typed in text, described by its hint, with its choices."""

import inspect
from collections.abc import Callable, Iterable
from typing import Literal

import discord

from diary.contract_terms import Kind, Term

# Amounts and hours are text, read by the same parsers as typed text ("none" is an hour count too).
TYPES = {Kind.SWITCH: bool, Kind.MINUTES: int}


def annotation(term: Term) -> object:
    kind = Literal[term.choices] if term.kind == Kind.CHOICE else TYPES.get(term.kind, str)
    return kind | None


def hints(terms: Iterable[Term]) -> dict[str, str]:
    return {term.name: term.hint for term in terms}


def term_options(terms: Iterable[Term], *, before: dict[str, object] | None = None, after: dict[str, object] | None = None) -> Callable:
    """Gives `callback(self, interaction, **given)` the signature discord.py reads its options from:
    the `before` options, one optional option per term, then the `after` options (all optional)."""
    def declare(callback: Callable) -> Callable:
        plain = inspect.Parameter.POSITIONAL_OR_KEYWORD
        head = [inspect.Parameter("self", plain), inspect.Parameter("interaction", plain, annotation=discord.Interaction)]
        named = {**(before or {}), **{term.name: annotation(term) for term in terms}, **(after or {})}
        options = [inspect.Parameter(name, plain, default=None, annotation=kind) for name, kind in named.items()]
        callback.__signature__ = inspect.Signature([*head, *options])
        return callback

    return declare
