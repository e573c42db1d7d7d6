"""What chat answers while the database is away: a private sentence, never an error."""

from collections.abc import Callable
from typing import Any

from diary.refusal import Refusal
from storage.outage import DatabaseUnavailable

DATABASE_DOWN = Refusal("Tally's database is unavailable, try again in a minute.", code="unavailable")


def or_unavailable(service: Callable[..., Any], /, *args, **kwargs) -> Any:
    """The service's result, or DATABASE_DOWN when the database could not be reached (the outage
    is logged once, by Context.unit)."""
    try:
        return service(*args, **kwargs)
    except DatabaseUnavailable:
        return DATABASE_DOWN
