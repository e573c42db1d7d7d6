"""The freelancer's own edits: deleting tracked or manual slots until the week's edit deadline."""

from datetime import datetime

from bot.services import images, webcam
from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.picking import pick, role
from bot.services.results import Choice, Done
from diary.dates import parse_clock, resolve_day
from diary.permissions import Action, check
from diary.refusal import Refusal
from diary.terms import Role
from diary.slots import slot_floor
from diary.weeks import describe_instant, edits_open, local_day, local_instant, week_of
from storage import repo
from storage.tables import Contract, Member, Screenshot, Slot


def delete_slot(ctx: Context, actor: Actor, slot_id: int, *, now: datetime) -> Done | Refusal:
    """Removes the slot's screenshot and its time (Upwork's rule); the row stays as a tombstone."""
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        slot = repo.by_id(s, Slot, slot_id)
        contract = s.get(Contract, slot.contract_id) if slot else None
        return _delete(s, ctx, me, contract, slot, now)


def delete_from_device(ctx: Context, member_id: int, start: datetime, *, session_id: int | None,
                       now: datetime) -> Done | Refusal:
    """The tracker window's Delete of a slot already uploaded: the freelancer's own tracked slot of
    that start (of that session, when the agent names it), until the week's edit deadline."""
    with ctx.unit() as s:
        me = s.get(Member, member_id)
        found = [x for x in repo.tracked_slots_at(s, freelancer_id=member_id, start=start)
                 if session_id is None or x.session_id == session_id]
        if not found:
            return Refusal("There is no such slot in your diary.", "not_found")
        if len(found) > 1:
            return Refusal("Two contracts have a slot at that time; name the session with ?session_id=N.", "conflict")
        return _delete(s, ctx, me, s.get(Contract, found[0].contract_id), found[0], now)


AT_EXAMPLE = "e.g. /delete 14:20 or /delete 14:20 yesterday (a slot's start, as /diary shows it)"


def delete_at(ctx: Context, actor: Actor, at: str, *, day: str | None, now: datetime, contract_id: int | None = None):
    """The slot of `day` (default today, in the contract's timezone) that `at` (HH:MM) falls in,
    as /diary shows it: its row's hour and the cell's minutes."""
    clock = parse_clock(at, AT_EXAMPLE)
    if isinstance(clock, Refusal):
        return clock
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        contract = pick(s, me, channel=actor.channel, action=Action.DELETE_SLOT, command="/delete", contract_id=contract_id)
        if isinstance(contract, Refusal | Choice):
            return contract
        wanted = resolve_day(day, local_day(now, contract.tz))
        if isinstance(wanted, Refusal):
            return wanted
        start = slot_floor(local_instant(wanted, clock, contract.tz), ctx.slot_seconds)
        return _delete(s, ctx, me, contract, repo.slot_at(s, contract_id=contract.id, start=start), now)


def _delete(s, ctx: Context, me: Member, contract: Contract | None, slot: Slot | None, now: datetime) -> Done | Refusal:
    if contract is None or slot is None or slot.deleted_at is not None or role(contract, me) is Role.NONE:
        return Refusal("There is no such slot in your diary; /diary shows your slots, e.g. /delete 14:20 for the one "
                       "starting at 14:20.", "not_found")
    refusal = check(role(contract, me), Action.DELETE_SLOT) or _deadline(slot, contract, now)
    if refusal:
        return refusal
    _drop_screenshot(s, ctx, repo.screenshot_of(s, slot_id=slot.id))
    webcam.drop_frame(s, ctx, slot.id)
    slot.deleted_at = now
    return Done(f"Deleted the slot at {describe_instant(slot.start, contract.tz)}: its screenshot and its time are gone.")


def _deadline(slot: Slot, contract: Contract, now: datetime) -> Refusal | None:
    week = week_of(slot.start, contract.tz)
    if edits_open(week, now):
        return None
    return Refusal(f"Week {week.label} closed for edits on {describe_instant(week.edit_deadline, contract.tz)}.", "too_late")


def _drop_screenshot(s, ctx: Context, shot: Screenshot | None) -> None:
    if shot is not None:
        images.delete_files(ctx.blobs, shot.blob_key)
        s.delete(shot)
