"""The client's review of a week (approve, dispute, or automatic approval) and a dispute's steps."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from diary.refusal import Refusal
from diary.weeks import BillingWeek, describe_instant, in_review


class WeekStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    AUTO_APPROVED = "auto_approved"
    DISPUTED = "disputed"


class DisputeStatus(StrEnum):
    OPEN = "open"  # waiting for the freelancer
    ACCEPTED = "accepted"
    ANSWERED = "answered"  # waiting for the client
    WITHDRAWN = "withdrawn"
    CONFIRMED = "confirmed"


_UNDER_REVIEW = frozenset({WeekStatus.PENDING, WeekStatus.DISPUTED})

_STEPS = {
    (DisputeStatus.OPEN, "accept"): DisputeStatus.ACCEPTED,
    (DisputeStatus.OPEN, "answer"): DisputeStatus.ANSWERED,
    (DisputeStatus.OPEN, "withdraw"): DisputeStatus.WITHDRAWN,
    (DisputeStatus.ANSWERED, "withdraw"): DisputeStatus.WITHDRAWN,
    (DisputeStatus.ANSWERED, "confirm"): DisputeStatus.CONFIRMED,
}
_DONE = {"accept": "accepted", "answer": "answered", "withdraw": "withdrawn", "confirm": "confirmed"}
_DISPUTE_STATE = {
    DisputeStatus.OPEN: "open and waiting for the freelancer",
    DisputeStatus.ANSWERED: "answered and waiting for the client",
    DisputeStatus.ACCEPTED: "already accepted",
    DisputeStatus.WITHDRAWN: "already withdrawn",
    DisputeStatus.CONFIRMED: "already confirmed",
}


def approve(status: WeekStatus, *, week: BillingWeek, now: datetime) -> WeekStatus | Refusal:
    """The client approves a pending or disputed week during its review window."""
    return _review_refusal(status, week, now, "approved") or WeekStatus.APPROVED


def open_dispute(status: WeekStatus, *, week: BillingWeek, now: datetime) -> WeekStatus | Refusal:
    """The client disputes slots of a pending week (or one more range of a disputed one)."""
    return _review_refusal(status, week, now, "disputed") or WeekStatus.DISPUTED


def auto_approve(status: WeekStatus, *, week: BillingWeek, now: datetime) -> WeekStatus | Refusal:
    """A week nobody approved or disputed is approved once its review window has closed."""
    if status != WeekStatus.PENDING:
        return Refusal(f"Week {week.label} is {_week_state(status)}, so it is not approved automatically.", "conflict")
    if now < week.review_deadline:
        deadline = describe_instant(week.review_deadline, week.tz)
        return Refusal(f"Week {week.label} is approved automatically only after {deadline}.", "conflict")
    return WeekStatus.AUTO_APPROVED


def _review_refusal(status: WeekStatus, week: BillingWeek, now: datetime, verb: str) -> Refusal | None:
    if status not in _UNDER_REVIEW:
        return Refusal(f"Week {week.label} is {_week_state(status)} and can no longer be {verb}.", "conflict")
    if in_review(week, now):
        return None
    if now < week.edit_deadline:
        opens = describe_instant(week.edit_deadline, week.tz)
        return Refusal(f"Week {week.label} can be {verb} from {opens}, when the freelancer's edits close.", "conflict")
    closed = describe_instant(week.review_deadline, week.tz)
    return Refusal(f"The review window of week {week.label} closed on {closed}, so it can no longer be {verb}.", "too_late")


def _week_state(status: WeekStatus) -> str:
    return "approved automatically" if status == WeekStatus.AUTO_APPROVED else f"already {status.value}"


def dispute_step(status: DisputeStatus, action: str) -> DisputeStatus | Refusal:
    """accept/answer (freelancer) and withdraw/confirm (client); the state says whose turn it is."""
    after = _STEPS.get((status, action))
    if after is not None:
        return after
    state = _DISPUTE_STATE[DisputeStatus(status)]
    if action not in _DONE:
        return Refusal(
            f'"{action}" is not a dispute action (accept, answer, withdraw or confirm); this dispute is {state}.'
        )
    return Refusal(f"This dispute is {state}, so it can't be {_DONE[action]} now.", "conflict")


def removes_time(status: DisputeStatus) -> bool:
    """Accepted or confirmed: the disputed slots leave the bill."""
    return status in (DisputeStatus.ACCEPTED, DisputeStatus.CONFIRMED)


def holds_time(status: DisputeStatus) -> bool:
    """Open or answered: the slots show as disputed and wait, neither billed nor removed."""
    return status in (DisputeStatus.OPEN, DisputeStatus.ANSWERED)


class DisputedRange(Protocol):
    """A dispute as the bill reads it: the slots it names (their starts in [range_start, range_end))."""

    range_start: datetime
    range_end: datetime
    status: str


def dispute_of(start: datetime, disputes: Sequence[DisputedRange]) -> DisputeStatus | None:
    """The status of the dispute that decides the slot at `start`: the latest one that names it
    (`disputes` in the order they were opened); None when none does."""
    covering = [d for d in disputes if d.range_start <= start < d.range_end]
    return DisputeStatus(covering[-1].status) if covering else None


def disputes_of(starts: Sequence[datetime], disputes: Sequence[DisputedRange]) -> list[DisputeStatus | None]:
    """dispute_of for each of these slots, in step with `starts`."""
    if not disputes:  # nearly every week
        return [None] * len(starts)
    return [dispute_of(start, disputes) for start in starts]
