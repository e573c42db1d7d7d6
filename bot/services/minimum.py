"""Thursday's reminder of the weekly minimum (docs/rules.md#weekly-minimum): a freelancer whose
week so far is behind pace hears of it once per contract and week, by direct message.

It only reminds: the minimum is never enforced. Sent once: the outbox dedupe key names the
contract's week, so a rerun, a catch-up or a second worker finds it already queued. The job runs
every 15 minutes: contracts whose Thursday it is not, or whose reminder is queued already, cost
one list; the others' weeks are read many at once, as the week close reads them.
"""

from datetime import datetime
from itertools import groupby

from sqlmodel import Session

from bot.services import announce, ledger
from bot.services.context import Context
from bot.services.week_books import Books
from diary.minimum import behind_pace, days_behind, reminder_text, reminder_window, worked_minutes
from diary.terms import ContractStatus
from diary.weeks import BillingWeek, week_of
from storage import contracts, outbox
from storage.tables import Contract

CHUNK = 500  # contracts whose weeks are read at once


def remind_behind(ctx: Context, *, now: datetime) -> int:
    """Queues the reminder of every active contract with a minimum whose Thursday it is and whose
    week is behind pace; returns how many."""
    sent = 0
    with ctx.unit() as s:
        due = _due(s, now)
        # Contracts of one billing timezone share their week: read in chunks of one week each.
        for week, group in groupby(due, key=lambda pair: pair[1]):
            ids = [contract.id for contract, _ in group]
            for i in range(0, len(ids), CHUNK):
                sent += _remind_chunk(s, Books(s, ids[i:i + CHUNK], week, ctx.slot_seconds), ids[i:i + CHUNK], week,
                                      ctx.slot_seconds, now)
    return sent


def _remind_chunk(s: Session, books: Books, ids: list[int], week: BillingWeek, slot_seconds: int, now: datetime) -> int:
    texts = {cid: _text(books, books.contracts[cid], week, slot_seconds) for cid in ids}
    behind = {cid: text for cid, text in texts.items() if text is not None}
    people = contracts.members(s, ids=[books.contracts[cid].freelancer_id for cid in behind])
    # Each key was checked above and is new: no need to flush each row before looking for the next.
    with s.no_autoflush:
        return sum(announce.to_member(s, people[books.contracts[cid].freelancer_id], kind="minimum", text=text, now=now,
                                      key=reminder_key(books.contracts[cid], week),
                                      extra={"contract_id": cid, "week": week.label}) for cid, text in behind.items())


def reminder_key(contract: Contract, week: BillingWeek) -> str:
    return f"minimum:{contract.id}:{week.label}"


def _due(s: Session, now: datetime) -> list[tuple[Contract, BillingWeek]]:
    """The contracts whose Thursday it is, that ran before it this week and were not reminded yet, by week."""
    due = []
    for contract in contracts.contracts_with_minimum(s, status=ContractStatus.ACTIVE):
        week = week_of(now, contract.tz)
        begins, ends = reminder_window(week)
        if begins <= now < ends and days_behind(week, contract.start_day) > 0:
            due.append((contract, week))
    queued = outbox.queued_keys(s, keys=[reminder_key(contract, week) for contract, week in due])
    due = [(contract, week) for contract, week in due if reminder_key(contract, week) not in queued]
    return sorted(due, key=lambda pair: (pair[1].monday, pair[1].tz, pair[0].id))


def _text(books: Books, contract: Contract, week: BillingWeek, slot_seconds: int) -> str | None:
    """The reminder for a contract's week, or None when it has no minimum this week or is on pace."""
    rec = books.records(contract.id)
    minimum = ledger.minimum_minutes(contract, rec, week)  # this week's: a change waits for the next
    if not minimum:
        return None
    _, statement = ledger.week_days(contract, week, rec, slot_seconds)
    worked, days = worked_minutes(statement), days_behind(week, contract.start_day)
    if not behind_pace(worked, minimum, days):
        return None
    return reminder_text(worked, minimum, days, contract.title or f"contract #{contract.id}")
