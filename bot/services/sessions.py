"""Clocking in and out, memos, and the agent's own events (idle, local clock-in/out)."""

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services import announce, capabilities, ledger
from bot.services.actors import Actor, resolve
from bot.services.context import Context, state_changed
from bot.services.picking import pick
from bot.services.results import Choice, ClockedIn, ClockedOut, Done
from diary.activity import activity_percent
from diary.money import format_minutes
from diary.slots import still_on_the_way
from diary.permissions import Action
from diary.refusal import Refusal
from diary.terms import ContractStatus
from diary.text import MAX_MEMO, MEMO, checked, fit
from diary.weeks import describe_span, describe_time
from storage import repo
from storage.tables import Contract, Member, WorkSession

CLOCK_SKEW = timedelta(minutes=2)


def _title(contract: Contract) -> str:
    return contract.title or f"contract #{contract.id}"


def stop_running(s: Session, contract: Contract, *, now: datetime, reason: str) -> WorkSession | None:
    """Ends the contract's open session, if any, and tells its agent."""
    running = repo.open_session(s, freelancer_id=contract.freelancer_id)
    if running is None or running.contract_id != contract.id:
        return None
    running.ended_at = max(now, running.started_at)
    running.end_reason = reason
    state_changed(s, contract.freelancer_id)
    return running


def clock_in(ctx: Context, actor: Actor, *, memo: str = "", now: datetime, contract_id: int | None = None):
    memo = checked(memo, MEMO)  # refused here: a too-long memo would be copied into every slot
    if isinstance(memo, Refusal):
        return memo
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        contract = pick(s, me, channel=actor.channel, action=Action.CLOCK, command="/clockin", contract_id=contract_id)
        if isinstance(contract, Refusal | Choice):
            return contract
        return start(s, ctx, me, contract, memo=memo, now=now)


def start(s: Session, ctx: Context, me: Member, contract: Contract, *, memo: str, now: datetime) -> ClockedIn | Refusal:
    if contract.status != ContractStatus.ACTIVE:
        return Refusal(f"{_title(contract).capitalize()} is {contract.status}; the client can resume it with /contract resume.")
    if (unable := capabilities.cannot_track(s, me.id)) is not None:
        return Refusal(capabilities.refusal_text(unable))
    running = repo.open_session(s, freelancer_id=me.id)
    if running is not None and running.contract_id == contract.id:
        return Refusal(f"You are already clocked in on {_title(contract)}. Change the memo with /memo TEXT.")
    switched = _switch_away(s, running, me, now)
    session = WorkSession(contract_id=contract.id, started_at=now, memo=fit(memo, MAX_MEMO))
    s.add(session)
    s.flush()
    state_changed(s, me.id)
    text = f"{me.name} clocked in" + (f" — {session.memo}" if session.memo else "")
    announce.to_channel(s, contract, kind="clock", key=f"clockin:{session.id}", text=text, now=now)
    hint = None if repo.unrevoked_devices_of(s, member_id=me.id) else "No agent is paired yet: /connect gives you a pairing code."
    return ClockedIn(contract.id, _title(contract), session.memo, now, switched, hint)


def _switch_away(s: Session, running: WorkSession | None, me: Member, now: datetime) -> str | None:
    if running is None:
        return None
    previous = s.get(Contract, running.contract_id)
    stop_running(s, previous, now=now, reason="switch")
    announce.to_channel(s, previous, kind="clock", key=f"clockout:{running.id}", text=f"{me.name} clocked out (switched contracts).", now=now)
    return _title(previous)


def clock_out(ctx: Context, actor: Actor, *, now: datetime) -> ClockedOut | Refusal:
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        return stop(s, ctx, me, now=now, reason="clockout")


NOT_CLOCKED_IN = Refusal("You are not clocked in. Start with /clockin MEMO, e.g. /clockin writing docs.")


def stop(s: Session, ctx: Context, me: Member, *, now: datetime, reason: str) -> ClockedOut | Refusal:
    running = repo.open_session(s, freelancer_id=me.id)
    if running is None:
        return NOT_CLOCKED_IN
    contract = s.get(Contract, running.contract_id)
    stop_running(s, contract, now=now, reason=reason)
    counted, active, tracked = ledger.session_totals(s, running, contract, ctx.slot_seconds)
    text = f"{me.name} clocked out" + (" (idle)" if reason == "idle" else "")
    announce.to_channel(s, contract, kind="clock", key=f"clockout:{running.id}", text=text, now=now)
    coming = still_on_the_way(started_at=running.started_at, ended_at=running.ended_at, reported=running.last_report_at is not None,
                              received={x.start for x in repo.kept_slots_of_session(s, session_id=running.id)}, slot_seconds=ctx.slot_seconds)
    return ClockedOut(contract.id, _title(contract), running.started_at, running.ended_at, counted, activity_percent(active, tracked),
                      len(coming))


def tell_corrected_total(ctx: Context, session_id: int, slot_start: datetime, *, now: datetime) -> None:
    """A slot of an ended session arrived after all (the clock-out said it was on its way): the
    freelancer gets the session's total with it, once per slot."""
    with ctx.unit() as s:
        session = s.get(WorkSession, session_id)
        contract = s.get(Contract, session.contract_id)
        counted, _, _ = ledger.session_totals(s, session, contract, ctx.slot_seconds)
        when = describe_span(session.started_at, session.ended_at, contract.tz)
        text = (f"{_title(contract)}: a slot of your session {when} arrived after it ended; "
                f"the session now counts {format_minutes(counted)}.")
        announce.to_member(s, s.get(Member, contract.freelancer_id), kind="clock_total",
                           key=f"clocktotal:{session_id}:{slot_start.isoformat()}", text=text, now=now)


def set_memo(ctx: Context, actor: Actor, text: str, *, now: datetime) -> Done | Refusal:
    text = checked(text, MEMO)
    if isinstance(text, Refusal):
        return text
    if not text:
        return Refusal("Say what you are working on, e.g. /memo reviewing pull requests.")
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        running = repo.open_session(s, freelancer_id=me.id)
        if running is None:
            return NOT_CLOCKED_IN
        running.memo = text
        state_changed(s, me.id)
        tz = s.get(Contract, running.contract_id).tz
        return Done(f"Memo set: {running.memo} (from {describe_time(now, tz)} on).")
