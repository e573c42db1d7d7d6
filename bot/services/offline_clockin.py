"""A clock-in made on the desktop that arrives with its own instant, maybe long after (the agent
was offline): the session opens at that instant, and the slots recorded since attach to it
(docs/rules.md#offline-clock-in)."""

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services import announce
from bot.services.context import Context, state_changed
from diary.offline import ended_after, instant_refusal, status_at
from diary.protocol import EventResult
from diary.refusal import Refusal
from diary.terms import ContractStatus
from diary.text import MAX_MEMO, fit
from diary.weeks import describe_instant, describe_span
from storage import repo, session_times
from storage.tables import Contract, Member, WorkSession

LATE_AFTER = timedelta(minutes=2)  # a clock-in this much older than its arrival was made offline


def already_open(s: Session, me: Member, at: datetime) -> EventResult | None:
    """The same clock-in sent again (its answer was lost on the way): the session it opened."""
    same = session_times.started_at(s, freelancer_id=me.id, at=at)
    if same is None:
        return None
    return EventResult(ok=True, message=f"Clocked in on {_title(s.get(Contract, same.contract_id))}.", session_id=same.id)


def clock_in_at(s: Session, ctx: Context, me: Member, contract: Contract, *, memo: str, at: datetime,
                now: datetime) -> EventResult | Refusal:
    at = min(at, now)
    refusal = instant_refusal(at, now) or _contract_refusal(s, contract, at)
    if refusal:
        return refusal
    joined = _clear_the_way(s, ctx, me, contract, at)
    if joined is not None:
        return joined
    session = WorkSession(contract_id=contract.id, started_at=at, memo=fit(memo, MAX_MEMO))
    s.add(session)
    s.flush()
    state_changed(s, me.id)
    # The client sees a clock-in that arrives late for what it is: made on the desktop while offline.
    late = f" at {describe_instant(at, contract.tz)} (from the desktop, while offline)" if now - at > LATE_AFTER else ""
    text = f"{me.name} clocked in{late}" + (f" — {session.memo}" if session.memo else "")
    announce.to_channel(s, contract, kind="clock", key=f"clockin:{session.id}", text=text, now=now)
    _end_at_pause(s, contract, session, at)
    return EventResult(ok=True, message=f"Clocked in on {_title(contract)}.", session_id=session.id)


def _title(contract: Contract) -> str:
    return contract.title or f"contract #{contract.id}"


def _moves(s: Session, contract: Contract) -> list[tuple[datetime, str]]:
    return [(c.effective_at, c.value or "") for c in repo.changes(s, contract_id=contract.id, field="status")]


def _contract_refusal(s: Session, contract: Contract, at: datetime) -> Refusal | None:
    status = status_at(_moves(s, contract), at)
    when = describe_instant(at, contract.tz)
    if status is None:
        return Refusal(f"{_title(contract).capitalize()} had not begun at {when}.", "conflict")
    if status != ContractStatus.ACTIVE:
        return Refusal(f"{_title(contract).capitalize()} was {status} at {when}; the client can resume it with "
                       "/contract resume.", "conflict")
    return None


def _clear_the_way(s: Session, ctx: Context, me: Member, contract: Contract, at: datetime) -> EventResult | Refusal | None:
    """Sessions that share time with one from `at`: a running one begun before and not recorded into
    since is joined (same contract) or ended at `at` (another, as a switch); any other overlaps."""
    for other in session_times.running_or_ended_after(s, freelancer_id=me.id, at=at):
        other_contract = s.get(Contract, other.contract_id)
        if other.ended_at is not None or other.started_at > at or _recorded_since(s, other, at):
            end = describe_span(other.started_at, other.ended_at, other_contract.tz) if other.ended_at else \
                f"since {describe_instant(other.started_at, other_contract.tz)}"
            return Refusal(f"That clock-in overlaps your session on {_title(other_contract)} ({end}).", "conflict")
        if other.contract_id == contract.id:
            return EventResult(ok=True, message=f"You were already clocked in on {_title(contract)}.", session_id=other.id)
        other.ended_at, other.end_reason = at, "switch"
        announce.to_channel(s, other_contract, kind="clock", key=f"clockout:{other.id}",
                            text=f"{me.name} clocked out (switched contracts).", now=at)
    return None


def _recorded_since(s: Session, session: WorkSession, at: datetime) -> bool:
    return any(slot.start >= at for slot in repo.kept_slots_of_session(s, session_id=session.id))


def _end_at_pause(s: Session, contract: Contract, session: WorkSession, at: datetime) -> None:
    """A contract paused or ended since `at`: the session ends where the contract stopped."""
    stop = ended_after(_moves(s, contract), at)
    if stop is not None:
        session.ended_at, session.end_reason = stop
