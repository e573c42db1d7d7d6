"""A refusal: the rules' answer when someone asks for something they may not have."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Returned, never raised: the chat adapters show `message` privately to the person who asked."""

    message: str  # one clear human sentence, e.g. "Only the client can approve hours."
    # What kind of "no" it is, for the HTTP API's status code: invalid, forbidden, not_found,
    # conflict, too_late, unauthorized. Chat shows only the message.
    code: str = "invalid"


def then(value, step: Callable):
    """`step(value)`, or `value` itself when it is already a refusal: chains checks that may say no."""
    return value if isinstance(value, Refusal) else step(value)
