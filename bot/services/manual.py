"""Manual time: the freelancer asks, the client approves or declines (docs/rules.md#manual-time)."""

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.services import announce
from bot.services.actors import Actor, resolve
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.context import Context
from bot.services.picking import pick, role
from bot.services.results import Button, Choice, Done
from diary.dates import resolve_day
from diary.weeks import local_day
from diary.manual import check_manual
from diary.permissions import Action, check
from diary.refusal import Refusal
from diary.terms import Role
from diary.text import clean
from diary.slots import slots_overlapping
from diary.weeks import describe_span, local_instant
from storage import repo
from storage.tables import Contract, ManualEntry, Member, Slot


def _occupied(s: Session, contract: Contract, start: datetime, end: datetime, slot_seconds: int) -> set[datetime]:
    """Slot starts already taken by recorded slots or by requests still waiting for the client."""
    taken = {x.start for x in repo.slots_between(s, contract_id=contract.id, start=start, end=end)}
    for entry in repo.manual_entries(s, contract_id=contract.id, status="pending"):
        taken.update(slots_overlapping(entry.start, entry.end, slot_seconds))
    return taken


def request(
    ctx: Context, actor: Actor, *, start: time, end: time, day: str | None, memo: str, now: datetime,
    contract_id: int | None = None,
) -> Done | Choice | Refusal:
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        contract = pick(s, me, channel=actor.channel, action=Action.MANUAL, command="/manual", contract_id=contract_id)
        if isinstance(contract, Refusal | Choice):
            return contract
        day = resolve_day(day, local_day(now, contract.tz))
        if isinstance(day, Refusal):
            return day
        begin, finish = local_instant(day, start, contract.tz), _end_instant(day, end, contract.tz)
        refusal = check_manual(
            start=begin, end=finish, now=now, tz=contract.tz, slot_seconds=ctx.slot_seconds,
            allowed=contract.manual_allowed, memo=memo.strip(), occupied=_occupied(s, contract, begin, finish, ctx.slot_seconds),
        )
        if refusal:
            return refusal
        entry = ManualEntry(contract_id=contract.id, start=begin, end=finish, memo=clean(memo), requested_at=now)
        s.add(entry)
        s.flush()
        _ask_client(s, contract, me, entry, now)
        return Done(f"Asked the client to approve {_span(entry, contract.tz)} of manual time: {entry.memo}.")


def _end_instant(day: date, end: time, tz: str) -> datetime:
    # "24:00" reaches the parser as midnight: the end of the day, not its start.
    return local_instant(day + timedelta(days=1), end, tz) if end == time(0) else local_instant(day, end, tz)


def _span(entry: ManualEntry, tz: str) -> str:
    return describe_span(entry.start, entry.end, tz)


def _ask_client(s: Session, contract: Contract, me: Member, entry: ManualEntry, now: datetime) -> None:
    buttons = (Button("Approve", ButtonRef(ButtonAction.APPROVE_MANUAL, entry.id)),
               Button("Decline", ButtonRef(ButtonAction.DECLINE_MANUAL, entry.id)))
    text = f"{me.name} asks for manual time: {_span(entry, contract.tz)} — {entry.memo}"
    announce.to_channel(s, contract, kind="manual_request", key=f"manual:{entry.id}:request", text=text, now=now, buttons=buttons, extra={"entry_id": entry.id})


def decide(ctx: Context, actor: Actor, entry_id: int, *, approve: bool, now: datetime) -> Done | Refusal:
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        entry = repo.by_id(s, ManualEntry, entry_id)
        contract = s.get(Contract, entry.contract_id) if entry else None
        if contract is None or role(contract, me) is Role.NONE:
            return Refusal(f"There is no manual time request #{entry_id} of yours.", "not_found")
        refusal = check(role(contract, me), Action.DECIDE_MANUAL) or _still_pending(entry)
        if refusal:
            return refusal
        return _approve(s, ctx, contract, entry, me, now) if approve else _decline(entry, me, now, contract.tz)


def _still_pending(entry: ManualEntry) -> Refusal | None:
    if entry.status == "pending":
        return None
    return Refusal(f"That request was already {entry.status}.", "conflict")


def _decline(entry: ManualEntry, me: Member, now: datetime, tz: str) -> Done:
    entry.status, entry.decided_at, entry.decided_by = "declined", now, me.id
    return Done(f"Manual time {_span(entry, tz)} declined by {me.name}.")


def _approve(s: Session, ctx: Context, contract: Contract, entry: ManualEntry, me: Member, now: datetime) -> Done | Refusal:
    starts = slots_overlapping(entry.start, entry.end, ctx.slot_seconds)
    taken = {x.start for x in repo.slots_between(s, contract_id=contract.id, start=entry.start, end=entry.end, with_deleted=True)}
    refusal = check_manual(
        start=entry.start, end=entry.end, now=now, tz=contract.tz, slot_seconds=ctx.slot_seconds,
        allowed=True, memo=entry.memo, occupied=taken,
    )
    if refusal:
        return Refusal(f"It can no longer be approved: {refusal.message}", "conflict")
    for start in starts:
        s.add(Slot(contract_id=contract.id, start=start, manual=True, manual_entry_id=entry.id, memo=entry.memo,
                   active_minutes=0, meta_hash=f"manual:{entry.id}", received_at=now))
    entry.status, entry.decided_at, entry.decided_by = "approved", now, me.id
    return Done(f"Manual time {_span(entry, contract.tz)} approved by {me.name}.")
