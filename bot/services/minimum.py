"""Thursday's reminder of the weekly minimum (docs/rules.md#weekly-minimum): a freelancer whose
week so far is behind pace hears of it once per contract and week, by direct message.

It only reminds: the minimum is never enforced. Sent once: the outbox dedupe key names the
contract's week, so a rerun, a catch-up or a second worker finds it already queued.
"""

from datetime import datetime

from sqlmodel import Session

from bot.services import announce, ledger
from bot.services.context import Context
from diary.minimum import behind_pace, days_behind, reminder_text, reminder_window, worked_minutes
from diary.terms import ContractStatus
from diary.weeks import BillingWeek, week_of
from storage import contracts, outbox
from storage.tables import Contract, Member


def remind_behind(ctx: Context, *, now: datetime) -> int:
    """Queues the reminder of every active contract with a minimum whose Thursday it is and whose
    week is behind pace; returns how many."""
    with ctx.unit() as s:
        return sum(_remind(s, ctx, contract, week_of(now, contract.tz), now)
                   for contract in contracts.contracts_with_minimum(s, status=ContractStatus.ACTIVE))


def reminder_key(contract: Contract, week: BillingWeek) -> str:
    return f"minimum:{contract.id}:{week.label}"


def _remind(s: Session, ctx: Context, contract: Contract, week: BillingWeek, now: datetime) -> int:
    begins, ends = reminder_window(week)
    days = days_behind(week, contract.start_day)
    if not begins <= now < ends or days == 0 or outbox.has_message(s, key=reminder_key(contract, week)):
        return 0
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    minimum = ledger.minimum_minutes(contract, rec, week)  # this week's: a change waits for the next
    if not minimum:
        return 0
    _, statement = ledger.week_days(contract, week, rec, ctx.slot_seconds)
    worked = worked_minutes(statement)
    if not behind_pace(worked, minimum, days):
        return 0
    text = reminder_text(worked, minimum, days, contract.title or f"contract #{contract.id}")
    return int(announce.to_member(s, s.get(Member, contract.freelancer_id), kind="minimum", key=reminder_key(contract, week),
                                  text=text, now=now, extra={"contract_id": contract.id, "week": week.label}))
