"""/apps and the diary week page's apps section: where a week's counted time went, per app and
window title, for the contract's two parties only (docs/rules.md#apps)."""

from datetime import datetime

from sqlmodel import Session

from bot.services import views
from bot.services.actors import Actor, UserRef, resolve, resolve_ref
from bot.services.context import Context
from bot.services.picking import pick
from bot.services.results import AppsReport, Choice
from diary.apps import Sample, SlotWindows, tally, window_on_during
from diary.changes import Change, read_history, value_at
from diary.contract_terms import BY_NAME
from diary.permissions import Action
from diary.refusal import Refusal
from diary.weeks import BillingWeek
from storage import repo
from storage.tables import Contract, Member, Slot

WINDOW_OFF = Refusal("window tracking is off on this contract; the client can turn it on with `/contract set window=on`.")


def apps_report(ctx: Context, actor: Actor, *, now: datetime, week: str | None = None,
                other: UserRef | None = None, contract_id: int | None = None) -> AppsReport | Choice | Refusal:
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        who = resolve_ref(s, ws, other) if other else None
        contract = pick(s, me, channel=actor.channel, action=Action.VIEW, command="/apps", contract_id=contract_id, other=who)
        if isinstance(contract, Refusal | Choice):
            return contract
        try:
            billing_week = views.pick_week(week, contract.tz, now)
        except ValueError as error:
            return Refusal(f"{error} Or say this or last, e.g. /apps last.")
        return build_apps(s, ctx, contract, billing_week)


def build_apps(s: Session, ctx: Context, contract: Contract, week: BillingWeek) -> AppsReport | Refusal:
    """The week's apps, or WINDOW_OFF when the contract never had window=on that week and has not now."""
    history = window_history(s, contract)
    if not contract.window and not window_on_during(history, week.start, week.end):
        return WINDOW_OFF
    lines = views.week_lines_of(s, ctx, contract, week)
    slots = [slot_windows(line.slot, line.item.counted, history) for line in lines if not line.slot.manual]
    return AppsReport(contract_id=contract.id, title=contract.title, freelancer=s.get(Member, contract.freelancer_id).name,
                      week=week.label, tz=contract.tz, tally=tally(slots), window_on=contract.window)


def window_history(s: Session, contract: Contract) -> list[Change]:
    """The window term's history; a contract without one has its column from its start."""
    rows = repo.changes(s, contract_id=contract.id, field="window")
    return read_history(BY_NAME["window"], rows) if rows else [Change(at=contract.created_at, value=contract.window)]


def window_shown(slot: Slot, history: list[Change]) -> bool:
    """A slot's windows are shown only when window=on was in force at its start: titles an older
    server kept under window=off stay hidden."""
    return bool(value_at(history, slot.start))


def slot_windows(slot: Slot, counted: int, history: list[Change]) -> SlotWindows:
    windows = None if slot.windows is None else [None if w is None else Sample(*w) for w in slot.windows]
    single = Sample(slot.window_app or "", slot.window_title or "") if slot.window_app or slot.window_title else None
    return SlotWindows(counted=counted, tracked=slot.tracked_minutes, window_on=window_shown(slot, history),
                       windows=windows, window=single)

