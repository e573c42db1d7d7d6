"""A clock-in made on the freelancer's computer, maybe while offline, that reaches the server
later carrying its own instant (docs/rules.md#offline-clock-in). Pure: instants are arguments."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from diary.refusal import Refusal
from diary.terms import ContractStatus

# Older than this, a clock-in is refused: a week offline is a long trip, and the slots of a
# week-old session are already late (their week's edit deadline has passed).
MAX_OFFLINE = timedelta(days=7)
FUTURE_SKEW = timedelta(minutes=2)  # the computer's clock may run a little ahead of the server's


def instant_refusal(at: datetime, now: datetime) -> Refusal | None:
    if at > now + FUTURE_SKEW:
        return Refusal("That clock-in is in the future; check the computer's clock.")
    if now - at > MAX_OFFLINE:
        return Refusal("That clock-in is more than 7 days old, too old to open a session; the time recorded "
                       "since stays on the computer, where you may delete it.", "too_late")
    return None


def status_at(moves: Sequence[tuple[datetime, str]], at: datetime) -> str | None:
    """The contract's status at `at` from its history of (effective instant, status), oldest
    first; None before the contract began."""
    status = None
    for effective, value in moves:
        if effective <= at:
            status = value
    return status


def ended_after(moves: Sequence[tuple[datetime, str]], at: datetime) -> tuple[datetime, str] | None:
    """The first pause or end after `at`: a session opened at `at` cannot run past it."""
    return next(((effective, value) for effective, value in moves
                 if effective > at and value != ContractStatus.ACTIVE), None)
