"""A person's hours on the profile, which anyone in the workspace may see (docs/rules.md#profile).

Hours are the counted time no dispute removed: closed weeks as their stored books say, the weeks
not closed yet as the diary counts them now. No title, client, amount or screenshot is read here.
"""

from datetime import date, datetime

from bot.services import ledger
from bot.services.actors import Actor, UserRef, resolve, resolve_ref
from bot.services.context import Context
from bot.services.results import Profile
from diary.closed_week import books_of
from diary.closing import week_of_day
from diary.weeks import BillingWeek, local_day, week_of
from storage import earnings as store
from storage.repo import LIVE
from storage.tables import Contract, Member, Workspace


def profile(ctx: Context, actor: Actor, *, now: datetime, other: UserRef | None = None) -> Profile:
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        return profile_of(s, ctx, ws, resolve_ref(s, ws, other) if other else me, now)


def profile_of(s, ctx: Context, ws: Workspace, member: Member, now: datetime) -> Profile:
    work = store.contracts(s, workspace_id=ws.id, member_id=member.id, as_client=False)
    hired = store.contracts(s, workspace_id=ws.id, member_id=member.id, as_client=True)
    closed = closed_by_contract(s, work)
    hours = [contract_minutes(s, ctx, c, closed.get(c.id, []), now) for c in work]
    return Profile(
        name=member.name, lifetime_minutes=sum(h[0] for h in hours), month_minutes=sum(h[1] for h in hours),
        month=f"{now:%B %Y}", active_contracts=sum(c.status in LIVE for c in work),
        ended_contracts=sum(c.status not in LIVE for c in work), client_contracts=len(hired),
        first_day=first_day(s, work),
    )


def closed_by_contract(s, contracts: list[Contract]) -> dict[int, list[store.ClosedWeekRow]]:
    found: dict[int, list[store.ClosedWeekRow]] = {}
    for row in store.closed_weeks(s, contract_ids=[c.id for c in contracts]):
        found.setdefault(row.contract_id, []).append(row)
    return found


def first_day(s, contracts: list[Contract]) -> date | None:
    first = store.first_tracked_slot(s, contract_ids=[c.id for c in contracts])
    if first is None:
        return None
    tz = next(c.tz for c in contracts if c.id == first[0])
    return local_day(first[1], tz)


def contract_minutes(s, ctx: Context, contract: Contract, closed: list[store.ClosedWeekRow], now: datetime) -> tuple[int, int]:
    """(lifetime, this month) minutes on one contract; the month is the contract's own calendar's."""
    month = local_day(now, contract.tz).replace(day=1)
    days = [day for row in closed for day in _closed_days(row, contract.tz)]
    days += [day for week in _open_weeks(contract, closed, now) for day in _open_days(s, ctx, contract, week)]
    return sum(m for _, m in days), sum(m for d, m in days if (d.year, d.month) == (month.year, month.month))


def _closed_days(row: store.ClosedWeekRow, tz: str) -> list[tuple[date, int]]:
    """A closed week's minutes per day, from its stored books; approved late slots billed on it
    count on its Monday (their own week stayed as it closed)."""
    week = BillingWeek(row.week_start, tz)
    late = [(week.monday, row.statement.get("late_minutes", 0))]
    if row.books is None:  # closed before weeks kept books: the statement's totals, on the Monday
        st = row.statement
        return [(week.monday, st.get("counted_minutes", 0) - st.get("removed_minutes", 0)), *late]
    return [(day, book.counted - book.removed) for day, book in zip(week.days, books_of(row.books).days)] + late


def _open_weeks(contract: Contract, closed: list[store.ClosedWeekRow], now: datetime) -> list[BillingWeek]:
    """The weeks after the last closed one, up to this week (or the contract's last)."""
    week = BillingWeek(closed[-1].week_start, contract.tz).next() if closed else week_of_day(contract.start_day, contract.tz)
    last = week_of(now, contract.tz)
    if contract.end_day is not None:
        last = min(last, week_of_day(contract.end_day, contract.tz), key=lambda w: w.monday)
    weeks = []
    while week.monday <= last.monday:
        weeks.append(week)
        week = week.next()
    return weeks


def _open_days(s, ctx: Context, contract: Contract, week: BillingWeek) -> list[tuple[date, int]]:
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    days, statement = ledger.week_days(contract, week, rec, ctx.slot_seconds)
    return [(day.day, day.counted - day.bill.removed) for day in days] + [(week.monday, statement.late_minutes)]
