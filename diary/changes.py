"""Terms in force: each change of a term takes effect at an instant of its own (docs/rules.md,
"Terms in force").

Rate, weekly limit and weekly payment: a raise applies to the whole week it is given in, a cut
from the next week, so a freelancer is never paid less for hours already worked in a week. The
weekly minimum applies from the next week. Screenshots, billing, manual time, idle time-out and
window titles apply from the next slot: the slot under way keeps the terms it began with.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from diary.contract_terms import Applies, Term
from diary.slots import slot_end, slot_floor
from diary.terms import ContractStatus
from diary.weeks import BillingWeek, week_of


@dataclass(frozen=True)
class Change:
    at: datetime  # the instant the value takes effect
    value: object  # None = "none" (no limit, no minimum)


def read_history(term: Term, rows: Iterable) -> list[Change]:
    """A term's history from its kept rows (`effective_at`, `value` in chat form), in the order decided."""
    return [Change(at=row.effective_at, value=None if row.value is None else term.parse(row.value)) for row in rows]


def value_at(changes: Sequence[Change], instant: datetime):
    """The value in force at `instant`. `changes` come in the order they were decided, the
    contract's initial value first: of those already in effect the last decided wins, so a later
    raise overrides an earlier cut still waiting for its week. Before the first takes effect, the
    initial value holds."""
    if not changes:
        raise ValueError("a term needs at least its initial value")
    value = changes[0].value
    for change in changes:
        if change.at <= instant:
            value = change.value
    return value


def value_for_week(changes: Sequence[Change], week: BillingWeek):
    """The value that prices `week`: the one in force as it begins."""
    return value_at(changes, week.start)


def in_force_now(term: Term, changes: Sequence[Change], *, now: datetime, tz: str):
    """The value governing now: this week's for a term priced by the week, this instant's otherwise."""
    if term.applies in (Applies.RAISE_NOW, Applies.NEXT_WEEK):
        return value_for_week(changes, week_of(now, tz))
    return value_at(changes, now)


def takes_effect(term: Term, *, in_force, new, now: datetime, tz: str, slot_seconds: int) -> datetime:
    """The instant a change of `term` from `in_force` (its value now) to `new`, made at `now`, takes effect."""
    week = week_of(now, tz)
    if term.applies == Applies.RAISE_NOW:
        return week.start if term.is_raise(in_force, new) else week.end
    if term.applies == Applies.NEXT_WEEK:
        return week.end
    if term.applies == Applies.NEXT_SLOT:
        return slot_end(slot_floor(now, slot_seconds), slot_seconds)
    return now


class KeptChange(Protocol):
    """A kept row of a history: the instant it takes effect and the value in chat form."""

    effective_at: datetime
    value: str | None


def paused_during(status_changes: Sequence[KeptChange], week: BillingWeek) -> bool:
    """Whether the contract was paused at some time in `week` (its weekly payment is then not
    earned, docs/rules.md#weekly-payment); `status_changes` are its status history, in the order decided."""
    before = [c for c in status_changes if c.effective_at <= week.start]
    during = [c for c in status_changes if week.start < c.effective_at < week.end]
    was_paused = bool(before) and before[-1].value == ContractStatus.PAUSED
    return was_paused or any(c.value == ContractStatus.PAUSED for c in during)
