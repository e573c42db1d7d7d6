"""Events the agent reports from the desktop: idle stops and local clock-in / clock-out."""

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services import announce, capabilities, offline_clockin, private_mode, sessions, webcam
from bot.services.context import Context
from diary.protocol import AgentEvent, EventResult
from diary.refusal import Refusal
from diary.terms import ContractStatus
from diary.weeks import describe_time
from storage import repo
from storage.tables import Contract, Device, Member, WorkSession

SKEW = timedelta(minutes=2)


def handle(ctx: Context, device: Device, event: AgentEvent, *, now: datetime) -> EventResult | Refusal:
    if event.at > now + SKEW:
        return Refusal("That event is in the future; check the computer's clock.")
    with ctx.unit() as s:
        me = s.get(Member, device.member_id)
        if event.kind == "idle_stop":
            return _idle_stop(s, ctx, me, min(event.at, now), now)
        if event.kind in ("private_on", "private_off"):
            done = private_mode.switch_private(s, me, event.kind == "private_on", min(event.at, now))
            return EventResult(ok=True, message=done.text)
        if event.kind == "capabilities":
            return capabilities.report(s, device, event, now=now)
        if event.kind == "webcam_consent":
            return webcam.record_consent(s, device, event.given, event.at, now=now)
        if event.kind == "local_clockin":
            return _local_clockin(s, ctx, me, event, now)
        return _local_clockout(s, ctx, me, min(event.at, now))


def _outcome(result, message: str) -> EventResult | Refusal:
    if isinstance(result, Refusal):
        return result
    return EventResult(ok=True, message=message)


def _running_at(s: Session, me: Member, at: datetime) -> WorkSession | None:
    """The open session an event of `at` can end: a queued event must not end a session begun after it."""
    running = repo.open_session(s, freelancer_id=me.id)
    return running if running is not None and running.started_at <= at else None


def _local_clockout(s: Session, ctx: Context, me: Member, at: datetime) -> EventResult | Refusal:
    """Clocks out at `at`: `tally-agent stop` now, or an agent that was quit while tracking, maybe sent later."""
    if _running_at(s, me, at) is None:
        return EventResult(ok=True, message="Not clocked in; nothing to stop.")
    return _outcome(sessions.stop(s, ctx, me, now=at, reason="clockout"), "Clocked out.")


def _idle_stop(s: Session, ctx: Context, me: Member, at: datetime, now: datetime) -> EventResult | Refusal:
    running = _running_at(s, me, at)
    if running is None:
        return EventResult(ok=True, message="Not clocked in; nothing to stop.")
    result = sessions.stop(s, ctx, me, now=at, reason="idle")
    tz = s.get(Contract, running.contract_id).tz
    text = (f"You were idle, so I clocked you out at {describe_time(at, tz)}. The idle minutes stay in your "
            "diary with activity 0; you may delete them. /clockin starts again.")
    announce.to_member(s, me, kind="idle", key=f"idle:{running.id}", text=text, now=now)
    return _outcome(result, "Clocked out for idleness.")


def _local_clockin(s: Session, ctx: Context, me: Member, event: AgentEvent, now: datetime) -> EventResult | Refusal:
    """Opens the session at the clock-in's own instant, which may be long past (it was made offline)."""
    again = offline_clockin.already_open(s, me, min(event.at, now))
    if again is not None:  # sent again after its answer was lost: never a second session
        return again
    if (unable := capabilities.cannot_track(s, me.id)) is not None:  # docs/rules.md#devices-that-cannot-track
        return Refusal(capabilities.refusal_text(unable))
    contract = _desktop_contract(s, me) if event.contract_id is None else _own_contract(s, me, event.contract_id)
    if isinstance(contract, Refusal):
        return contract
    if contract is None:
        return Refusal("You have several contracts: pick one in the tracker window, or clock in from the "
                       "contract's channel with /clockin.", "conflict")
    return offline_clockin.clock_in_at(s, ctx, me, contract, memo=event.memo or "", at=event.at, now=now)


def _own_contract(s: Session, me: Member, contract_id: int) -> Contract | Refusal:
    contract = repo.by_id(s, Contract, contract_id)
    if contract is None or contract.freelancer_id != me.id:
        return Refusal(f"There is no contract #{contract_id} of yours to clock in on.", "not_found")
    return contract


def _desktop_contract(s: Session, me: Member) -> Contract | None:
    """The contract last worked on, else the only one: the desktop has no channel to ask in. A paused
    one counts too: a clock-in made offline may come from before the pause (its instant decides)."""
    live = [c for c in repo.live_contracts_of(s, member_id=me.id) if c.freelancer_id == me.id]
    live = [c for c in live if c.status == ContractStatus.ACTIVE] or live
    last = repo.last_session(s, contract_ids=[c.id for c in live])
    if last is not None:
        return s.get(Contract, last.contract_id)
    return live[0] if len(live) == 1 else None
