"""The freelancer's own edits: deleting tracked or manual slots until the week's edit deadline."""

from datetime import datetime

from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.picking import role
from bot.services.results import Done
from diary.permissions import Action, check
from diary.refusal import Refusal
from diary.terms import Role
from diary.weeks import describe_instant, edits_open, week_of
from storage import repo
from storage.tables import Contract, Screenshot, Slot


def delete_slot(ctx: Context, actor: Actor, slot_id: int, *, now: datetime) -> Done | Refusal:
    """Removes the slot's screenshot and its time (Upwork's rule); the row stays as a tombstone."""
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        slot = repo.by_id(s, Slot, slot_id)
        contract = s.get(Contract, slot.contract_id) if slot else None
        if contract is None or slot.deleted_at is not None or role(contract, me) is Role.NONE:
            return Refusal("There is no such slot in your diary.", "not_found")
        refusal = check(role(contract, me), Action.DELETE_SLOT) or _deadline(slot, contract, now)
        if refusal:
            return refusal
        _drop_screenshot(s, ctx, repo.screenshot_of(s, slot_id=slot.id))
        slot.deleted_at = now
        return Done(f"Deleted the slot at {slot.start:%Y-%m-%d %H:%M} UTC: its screenshot and its time are gone.")


def _deadline(slot: Slot, contract: Contract, now: datetime) -> Refusal | None:
    week = week_of(slot.start, contract.tz)
    if edits_open(week, now):
        return None
    return Refusal(f"Week {week.label} closed for edits on {describe_instant(week.edit_deadline, contract.tz)}.", "too_late")


def _drop_screenshot(s, ctx: Context, shot: Screenshot | None) -> None:
    if shot is not None:
        ctx.blobs.delete(shot.blob_key)
        s.delete(shot)
