"""Earnings: what each contract owes, pending, available and paid, and the client's paid marks
(docs/rules.md#earnings). Every amount is read from the stored statements of closed weeks and from
the bonuses as given; nothing is priced again here."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from bot.services import announce, profile
from bot.services.actors import Actor, UserRef, resolve, resolve_ref
from bot.services.context import Context
from bot.services.picking import pick
from bot.services.results import Choice, ContractEarnings, Done, Earnings, PaidMarked
from bot.services.views import pick_week
from diary.earnings import ZERO, BonusGiven, WeekEarnings, WeekOwed, earnings, held_amount, to_mark, totals
from diary.money import format_money
from diary.permissions import Action
from diary.refusal import Refusal
from diary.weeks import BillingWeek
from storage import earnings as store
from storage import repo
from storage.tables import Contract, Member, Workspace


def owed_weeks(s, contracts: list[Contract]) -> dict[int, list[WeekOwed]]:
    """Each contract's weeks with money in them: closed weeks, weeks with bonuses, weeks marked paid."""
    ids = [c.id for c in contracts]
    closed = {(r.contract_id, r.week_start): r for r in store.closed_weeks(s, contract_ids=ids)}
    given, marks = defaultdict(list), defaultdict(list)
    for b in store.bonuses(s, contract_ids=ids):
        given[b.contract_id, b.week_start].append(BonusGiven(b.amount, b.at))
    for m in store.paid_marks(s, contract_ids=ids):
        marks[m.contract_id, m.week_start].append(m)
    by_id = {c.id: c for c in contracts}
    found: dict[int, list[WeekOwed]] = {c.id: [] for c in contracts}
    for key in sorted({*closed, *given, *marks}):
        found[key[0]].append(_owed(by_id[key[0]], BillingWeek(key[1], by_id[key[0]].tz), closed.get(key), given[key], marks[key]))
    return found


def _owed(contract: Contract, week: BillingWeek, closed, given: list[BonusGiven], marks: list) -> WeekOwed:
    paid = sum((m.amount for m in marks), ZERO)
    last = max((m.paid_at for m in marks), default=None)
    if closed is None:
        return WeekOwed(week, contract.currency, False, "open", ZERO, ZERO, tuple(given), paid, last)
    st = closed.statement
    work = Decimal(st["total"]) - Decimal(st.get("bonuses", "0"))
    held = held_amount(st.get("disputed_minutes", 0), Decimal(st["rate"]))
    return WeekOwed(week, st["currency"], True, closed.status, work, held, tuple(given), paid, last)


def contract_earnings(contract: Contract, weeks: list[WeekOwed], counterpart: str, minutes: int, now: datetime) -> ContractEarnings:
    each = [(owed, earnings(owed, now)) for owed in weeks]
    total = lambda name: sum((getattr(e, name) for _, e in each), ZERO)  # noqa: E731
    return ContractEarnings(
        contract_id=contract.id, title=contract.title or f"contract #{contract.id}", counterpart=counterpart,
        currency=contract.currency, tz=contract.tz, pending=total("pending"), available=total("available"),
        paid=total("paid"), held=total("held"), next_due=min((e.next_due for _, e in each if e.next_due), default=None),
        available_weeks=tuple(owed.week.label for owed, e in each if e.available), minutes=minutes)


def show(ctx: Context, actor: Actor, *, now: datetime, other: UserRef | None = None) -> Earnings | Refusal:
    """The asker's earnings as a freelancer and what the asker owes as a client; with `other`, only
    the contracts with that person. Nobody sees the earnings of a contract they are not party to."""
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        who = resolve_ref(s, ws, other) if other else None
        who = None if who is not None and who.id == me.id else who
        work = [c for c in store.contracts(s, workspace_id=ws.id, member_id=me.id, as_client=False) if who is None or c.client_id == who.id]
        hired = [c for c in store.contracts(s, workspace_id=ws.id, member_id=me.id, as_client=True) if who is None or c.freelancer_id == who.id]
        if not work and not hired:
            return Refusal(f"You have no contract with {who.name}, so there are no earnings to show." if who else
                           "You have no contract yet, so there are no earnings to show. A client starts one with "
                           "/contract new @freelancer rate=40.", "not_found")
        earned, owed = _listed(s, ctx, work, now, client_side=False), _listed(s, ctx, hired, now, client_side=True)
        return Earnings(name=me.name, earned=earned, owed=owed, lifetime_minutes=sum(c.minutes for c in earned),
                        earned_totals=totals((c.currency, c) for c in earned), owed_totals=totals((c.currency, c) for c in owed))


def _listed(s, ctx: Context, contracts: list[Contract], now: datetime, *, client_side: bool) -> tuple[ContractEarnings, ...]:
    weeks = owed_weeks(s, contracts)
    # The freelancer's lifetime hours go with their earnings; the client's list (what is due to
    # whom) shows money only, and skips counting the weeks not closed yet of every contract.
    closed = {} if client_side else profile.closed_by_contract(s, contracts)
    listed = []
    for c in contracts:
        other = s.get(Member, c.freelancer_id if client_side else c.client_id).name
        minutes = 0 if client_side else profile.contract_minutes(s, ctx, c, closed.get(c.id, []), now)[0]
        listed.append(contract_earnings(c, weeks[c.id], other, minutes, now))
    return tuple(listed)


PAID_EXAMPLE = "e.g. /paid 2026-W47 @bob"


def mark_paid(ctx: Context, actor: Actor, week: str, *, now: datetime, other: UserRef | None = None,
              contract_id: int | None = None) -> PaidMarked | Choice | Refusal:
    """The client marks a week's available amount paid: on this channel's contract, or elsewhere on
    every contract of the client's with the freelancer named. The freelancer is told."""
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        who = resolve_ref(s, ws, other) if other else None
        contracts = _to_mark(s, actor, ws, me, who, contract_id)
        if isinstance(contracts, Refusal | Choice):
            return contracts
        results = [_mark_one(s, c, week, me, now) for c in contracts]
        marked = [r for r in results if isinstance(r, PaidMarked)]
        refused = [r.message for r in results if isinstance(r, Refusal)]
        if marked or all(r.code == "done" for r in results if isinstance(r, Refusal)):
            undo = tuple(button for r in marked for button in r.undo)
            return PaidMarked("\n".join([*(r.text for r in marked), *refused]), undo)
        return Refusal("\n".join(refused), results[0].code)


def _to_mark(s, actor: Actor, ws: Workspace, me: Member, who: Member | None, contract_id: int | None):
    """The contracts a /paid is about: the one named, the channel's, or the client's with `who`."""
    here = [c for c in [*repo.live_contracts_of(s, member_id=me.id, channel_id=actor.channel),
                        *repo.ended_contracts_of(s, member_id=me.id, channel_id=actor.channel)]
            if who is None or who.id in (c.client_id, c.freelancer_id)]
    if contract_id is not None or here:
        found = pick(s, me, channel=actor.channel, action=Action.PAY, command="/paid", contract_id=contract_id, other=who)
        return found if isinstance(found, Refusal | Choice) else [found]
    if who is None:
        return Refusal(f"Name the freelancer, {PAID_EXAMPLE} (in a contract's channel, /paid 2026-W47 marks that contract).")
    hired = [c for c in store.contracts(s, workspace_id=ws.id, member_id=me.id, as_client=True) if c.freelancer_id == who.id]
    if hired:
        return hired
    if any(c.client_id == who.id for c in store.contracts(s, workspace_id=ws.id, member_id=me.id, as_client=False)):
        return Refusal("Only the client of a contract can mark its weeks paid.", "forbidden")
    return Refusal(f"You are not the client of any contract with {who.name}, so there is nothing of theirs to mark paid.", "forbidden")


def _mark_one(s, contract: Contract, week_text: str, me: Member, now: datetime) -> PaidMarked | Refusal:
    try:
        week = pick_week(week_text, contract.tz, now)
    except ValueError as error:
        return Refusal(f"{error} Or say last, {PAID_EXAMPLE}.")
    freelancer = s.get(Member, contract.freelancer_id)
    where = f"#{contract.id} {contract.title or 'untitled'} ({freelancer.name})"
    if week.days[-1] < contract.start_day or (contract.end_day is not None and week.monday > contract.end_day):
        return Refusal(f"Contract {where} did not run in week {week.label}, so it owes nothing for it.", "not_found")
    owed = owed_weeks(s, [contract])[contract.id]
    this = next((w for w in owed if w.week == week), None) or WeekOwed(week, contract.currency, False, "open", ZERO, ZERO)
    amount = to_mark(this, now, where)
    if isinstance(amount, Refusal):
        return amount
    return _record(s, contract, this, amount, me, freelancer, where, now)


def _record(s, contract: Contract, owed: WeekOwed, amount: Decimal, me: Member, freelancer: Member, where: str, now: datetime):
    seq = store.next_paid_seq(s, contract_id=contract.id, week_start=owed.week.monday)
    mark_id = store.add_paid_mark(s, contract_id=contract.id, week_start=owed.week.monday, seq=seq, amount=amount,
                                  currency=owed.currency, paid_at=now, by_member_id=me.id)
    if mark_id is None:
        return Refusal(f"Week {owed.week.label} of {where} was being marked paid at the same moment; /earnings shows it.", "conflict")
    shown = format_money(amount, owed.currency)
    text = f"{me.name} marked week {owed.week.label} of {contract.title or f'contract #{contract.id}'} paid: {shown}."
    announce.to_member(s, freelancer, kind="paid", key=f"paid:{contract.id}:{owed.week.label}:{seq}", text=text, now=now)
    return PaidMarked(f"Week {owed.week.label} of {where} marked paid: {shown}. {freelancer.name} is told. "
                      f"Marked by mistake? Undo takes it back.", ((f"Undo #{contract.id} {owed.week.label}", mark_id),))


def undo_paid(ctx: Context, actor: Actor, mark_id: int, *, now: datetime) -> Done | Refusal:
    """The Undo button of /paid: the contract's client takes a mark back; the amount is owed again
    and the freelancer is told (docs/rules.md#earnings)."""
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        mark = store.paid_mark(s, mark_id=mark_id)
        contract = s.get(Contract, mark.contract_id) if mark else None
        if contract is None or contract.workspace_id != ws.id:
            return Refusal(f"There is no paid mark {mark_id}; /earnings shows what is marked paid.", "not_found")
        if contract.client_id != me.id:
            return Refusal("Only the client of a contract can take back its paid marks.", "forbidden")
        week = BillingWeek(mark.week_start, contract.tz)
        if mark.undone_at is not None or not store.undo_paid_mark(s, mark_id=mark_id, at=now, by_member_id=me.id):
            return Refusal(f"That paid mark of week {week.label} was already taken back; /earnings shows what is owed.", "done")
        return _told_undone(s, contract, week, format_money(mark.amount, mark.currency), me, mark_id, now)


def _told_undone(s, contract: Contract, week: BillingWeek, shown: str, me: Member, mark_id: int, now: datetime) -> Done:
    freelancer = s.get(Member, contract.freelancer_id)
    title = contract.title or f"contract #{contract.id}"
    text = f"{me.name} took back the paid mark of week {week.label} of {title}: {shown} is not marked paid any more."
    announce.to_member(s, freelancer, kind="paid", key=f"unpaid:{mark_id}", text=text, now=now)
    return Done(f"The paid mark of week {week.label} of #{contract.id} {title} ({freelancer.name}) is taken back: "
                f"{shown} is owed again. {freelancer.name} is told.")


def week_earnings(s, contracts: list[Contract], now: datetime) -> dict[tuple[int, str], WeekEarnings]:
    """(contract id, week label) -> that week's earnings, for the export and the summary."""
    return {(cid, owed.week.label): earnings(owed, now) for cid, weeks in owed_weeks(s, contracts).items() for owed in weeks}
