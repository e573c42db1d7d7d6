"""A contract's week as the rules see it: what its slots count for and how they are billed.

There is one way the books are computed: a week's slots as columns (storage/slot_columns.py:
read so by the week close, turned so from a view's rows), counted a run of one session's slots
at a time (diary/counting.py), classified under the week's limit and disputes (diary/statements.py)
and summed per local day. A view that shows slots one by one reads the same counts and bills.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import groupby, pairwise

from sqlmodel import Session

from diary.changes import Change, paused_during, read_history, value_at, value_for_week
from diary.closed_week import ClosedBooks, DayBook, books_of, restated, short_slots
from diary.contract_terms import BY_NAME, HISTORY
from diary.counting import RunCounter, run_counter
from diary.late import LateLine, LateSlot, LateStatus, late_line
from diary.review import disputes_of
from diary.statements import (
    BillItem,
    SlotBill,
    Statement,
    WeekMinutes,
    classify,
    priced,
    undisputed_day_bills,
    weekly_payment_share,
)
from diary.terms import SLOT_MINUTES, Billing, Screenshots
from diary.weeks import BillingWeek, day_bounds
from storage import repo
from storage.slot_columns import SlotColumns, columns_of
from storage.tables import Contract, Slot, WorkSession


@dataclass(frozen=True)
class Line:
    """One slot of a view, with what it counts for and where its minutes went."""

    slot: Slot
    item: BillItem
    bill: SlotBill


@dataclass(frozen=True)
class DayTotal:
    """One local day of a week: its counted and manual minutes, and where they went."""

    day: date
    counted: int
    manual: int
    bill: SlotBill


# Every history the ledger reads: the terms that bear on counting or money, and the status.
HISTORY_FIELDS = (*(term.name for term in HISTORY), "status")


def counted_now(contract, slot_seconds: int, *, start: datetime, session_start: datetime, session_end: datetime | None,
                screenshot_at: datetime | None, active_minutes: int) -> int:
    """One tracked slot counted under the terms set last (the agent's view of a slot it just sent);
    `contract` needs only its screenshots and billing."""
    count = run_counter(slot_seconds=slot_seconds, screenshots=Screenshots(contract.screenshots), billing=Billing(contract.billing))
    return count(session_start=session_start, session_end=session_end, starts=(start,), shots=(screenshot_at,),
                 active=(active_minutes,))[0]


def slot_counted(slot, session, contract, slot_seconds: int) -> int:
    """A recorded slot (manual or tracked, in `session` or None) counted under the terms set last."""
    if slot.manual or session is None:
        return SLOT_MINUTES if slot.manual else 0
    return counted_now(contract, slot_seconds, start=slot.start, session_start=session.started_at, session_end=session.ended_at,
                       screenshot_at=slot.screenshot_at, active_minutes=slot.active_minutes)


@dataclass(frozen=True)
class WeekTerms:
    """The terms a contract's week is priced under, and those each of its slots is counted under
    (docs/rules.md#terms-in-force)."""

    rate: Decimal
    limit_minutes: int | None
    weekly_payment: Decimal
    turns: list[datetime]  # instants inside the week at which screenshots or billing change
    counters: list[RunCounter]  # the counter from the week's start, then one from each turn


def week_terms(contract: Contract, week: BillingWeek, rec: "WeekRecords", slot_seconds: int) -> WeekTerms:
    screenshots, billing = _history(contract, rec, "screenshots"), _history(contract, rec, "billing")
    turns = sorted({c.at for c in (*screenshots, *billing) if week.start < c.at < week.end})
    counters = [run_counter(slot_seconds=slot_seconds, screenshots=Screenshots(value_at(screenshots, at)),
                            billing=Billing(value_at(billing, at))) for at in (week.start, *turns)]
    return WeekTerms(rate=value_for_week(_history(contract, rec, "rate"), week), limit_minutes=limit_minutes(contract, rec, week),
                     weekly_payment=value_for_week(_history(contract, rec, "weekly"), week), turns=turns, counters=counters)


def _history(contract: Contract, rec: "WeekRecords", name: str) -> list[Change]:
    """A term's history; a contract without one (never in a database upgraded in place) has its column."""
    term = BY_NAME[name]
    rows = rec.changes.get(name)
    if not rows:
        return [Change(at=contract.created_at, value=getattr(contract, term.column))]
    return read_history(term, rows)


@dataclass(frozen=True)
class WeekRecords:
    """Everything a contract's week is billed from; read per contract, or for many at once."""

    columns: SlotColumns  # the week's own slots (not the late ones), in time order: what the books read
    sessions: dict  # by id: the sessions the slots were recorded in (started_at, ended_at)
    disputes: list  # in the order they were opened (range_start, range_end, status)
    changes: dict[str, list]  # by HISTORY_FIELDS: rows with effective_at and value, in the order decided
    bonuses: list[Decimal]
    late: LateLine = LateLine()  # the late slots billed on this week's statement (of other weeks)
    slots: Sequence[Slot] = ()  # the same slots as rows, where a view shows them one by one


def records(s: Session, contract: Contract, week: BillingWeek, slot_seconds: int, *, with_late: bool = True) -> WeekRecords:
    """The week's records: its own slots (not the late ones, billed elsewhere), and the line of
    the late slots billed on its statement."""
    slots = [x for x in repo.slots_between(s, contract_id=contract.id, start=week.start, end=week.end) if x.late_request_id is None]
    history = repo.changes_of(s, contract_id=contract.id, fields=HISTORY_FIELDS)  # one read, not one per term
    return WeekRecords(
        columns=columns_of(slots),
        slots=slots,
        sessions={x.id: x for x in repo.sessions_between(s, contract_id=contract.id, start=week.start, end=week.end)},
        disputes=repo.disputes(s, contract_id=contract.id, week_start=week.monday),
        changes={field: [c for c in history if c.field == field] for field in HISTORY_FIELDS},
        bonuses=[b.amount for b in repo.bonuses(s, contract_id=contract.id, week_start=week.monday)],
        late=late_line_of(s, contract, week, slot_seconds) if with_late else LateLine(),
    )


def late_line_of(s: Session, contract: Contract, week: BillingWeek, slot_seconds: int) -> LateLine:
    """The line of late slots that arrived in `week`, each own week's within what its limit left free."""
    line = LateLine()
    billed_here = repo.late_requests(s, contract_id=contract.id, billed_week_start=week.monday)
    for monday in sorted({r.week_start for r in billed_here}):
        line += _own_week_line(s, contract, BillingWeek(monday, contract.tz), week, slot_seconds)
    return line


def _own_week_line(s: Session, contract: Contract, own: BillingWeek, billed: BillingWeek, slot_seconds: int) -> LateLine:
    requests = repo.late_requests(s, contract_id=contract.id, week_start=own.monday)
    by_id = {r.id: r for r in requests}
    slots = repo.slots_of_late_requests(s, request_ids=list(by_id))
    order = {r.id: i for i, r in enumerate(requests)}
    slots.sort(key=lambda x: (order[x.late_request_id], x.start))
    sessions = {x.id: x for x in repo.sessions_between(s, contract_id=contract.id, start=own.start, end=own.end)}
    rec = records(s, contract, own, slot_seconds, with_late=False)
    terms = week_terms(contract, own, rec, slot_seconds)  # a late slot counts under the terms of its own start
    counts = [_count(columns_of([x]), sessions, terms)[0] for x in slots]  # in request order, so not one run
    late = [LateSlot(x.start, count, LateStatus(by_id[x.late_request_id].status), by_id[x.late_request_id].billed_week_start == billed.monday)
            for x, count in zip(slots, counts, strict=True)]
    limit = terms.limit_minutes
    free = None if limit is None else max(0, limit - _kept_minutes(s, contract, own, rec, slot_seconds))
    return late_line(late, free_minutes=free, rate=terms.rate)


def _kept_minutes(s: Session, contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> int:
    """The week's own counted minutes that no dispute removed: what used up its limit."""
    review = repo.week_review(s, contract_id=contract.id, week_start=week.monday)
    if review is not None and review.books is not None:
        return sum(day.counted - day.removed for day in books_of(review.books).days)
    _, statement = week_days(contract, week, rec, slot_seconds)
    return statement.counted_minutes - statement.removed_minutes


def minimum_minutes(contract: Contract, rec: WeekRecords, week: BillingWeek) -> int | None:
    """The week's weekly minimum in minutes (None: no minimum); a change waits for the next week."""
    hours = value_for_week(_history(contract, rec, "min"), week)
    return None if hours is None else int(hours * 60)


def closed_minimum(s: Session, contract: Contract, week: BillingWeek, books: ClosedBooks) -> int | None:
    """A closed week's minimum as its books keep it; books closed before they kept it have the
    term's history, where a change only ever applies from a later week."""
    if books.minimum_kept:
        return books.minimum_minutes
    rows = repo.changes(s, contract_id=contract.id, field="min")
    history = read_history(BY_NAME["min"], rows) if rows else [Change(at=contract.created_at, value=contract.weekly_min_hours)]
    hours = value_for_week(history, week)
    return None if hours is None else int(hours * 60)


def limit_minutes(contract: Contract, rec: WeekRecords, week: BillingWeek) -> int | None:
    """The week's weekly limit in minutes: a lowered limit waits for the next week."""
    hours = value_for_week(_history(contract, rec, "limit"), week)
    return None if hours is None else int(hours * 60)


# ---------------------------------------------------------------- the one way a week is billed

def lines_of(contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> list[Line]:
    """The week's slots one by one (a view's rows, rec.slots), with the counts and bills the books use."""
    terms = week_terms(contract, week, rec, slot_seconds)
    items = _items(rec.columns, _count(rec.columns, rec.sessions, terms), rec.disputes)
    bills = classify(items, terms.limit_minutes)
    return [Line(slot, item, bill) for slot, item, bill in zip(rec.slots, items, bills, strict=True)]


def week_days(contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> tuple[list[DayTotal], Statement]:
    """The week's days and statement, as its records stand."""
    days, statement, _ = closing_books(contract, week, rec, slot_seconds)
    return days, statement


def closing_books(contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> tuple[list[DayTotal], Statement, ClosedBooks]:
    """The week's days and statement, and the books its close stores."""
    terms = week_terms(contract, week, rec, slot_seconds)
    counts = _count(rec.columns, rec.sessions, terms)
    days = _days(week, rec.columns, counts, rec.disputes, terms.limit_minutes)
    books = _books(terms.limit_minutes, days, short_slots(rec.columns.starts, counts), minimum_minutes(contract, rec, week))
    return days, _priced(contract, week, rec, _minutes(days)), books


def _items(columns: SlotColumns, counts: Sequence[int], disputes: list) -> list[BillItem]:
    return [BillItem(start=start, counted=count, manual=manual, dispute=dispute) for start, count, manual, dispute
            in zip(columns.starts, counts, columns.manual, disputes_of(columns.starts, disputes), strict=True)]


@lru_cache(maxsize=1024)  # the same few weeks for every contract closed at once
def midnights(week: BillingWeek) -> tuple[datetime, ...]:
    """Where each day of the week after Monday begins; days of 23 or 25 hours included."""
    return tuple(day_bounds(day, week.tz)[0] for day in week.days[1:])


def _days(week: BillingWeek, columns: SlotColumns, counts: Sequence[int], disputes: list, limit: int | None) -> list[DayTotal]:
    """The week's counted minutes summed under each local day, Monday first, and where they went.
    A week nobody disputed (every week, as it closes) goes under the limit a day at a time: the
    limit uses up minutes in time order, so that is the same as slot by slot (undisputed_day_bills)."""
    # The slots are in time order, so each day's are one stretch of them.
    edges = [0, *(bisect_left(columns.starts, midnight) for midnight in midnights(week)), len(counts)]
    counted = [sum(counts[a:b]) for a, b in pairwise(edges)]
    manual = [SLOT_MINUTES * sum(columns.manual[a:b]) for a, b in pairwise(edges)]
    if not disputes:
        bills = undisputed_day_bills(counted, limit)
    else:
        slot_bills = classify(_items(columns, counts, disputes), limit)
        bills = [_sum_bills(slot_bills[a:b]) for a, b in pairwise(edges)]
    return [DayTotal(*day) for day in zip(week.days, counted, manual, bills, strict=True)]


def _sum_bills(bills: Sequence[SlotBill]) -> SlotBill:
    return SlotBill(billable=sum(x.billable for x in bills), over=sum(x.over for x in bills),
                    held=sum(x.held for x in bills), removed=sum(x.removed for x in bills))


def _minutes(days: Sequence[DayTotal]) -> WeekMinutes:
    manual = sum(day.manual for day in days)
    return WeekMinutes(tracked=sum(day.counted for day in days) - manual, manual=manual, over=sum(day.bill.over for day in days),
                       held=sum(day.bill.held for day in days), removed=sum(day.bill.removed for day in days),
                       billable=sum(day.bill.billable for day in days))


def _books(limit: int | None, days: list[DayTotal], short: dict[int, int], minimum: int | None,
           minimum_kept: bool = True) -> ClosedBooks:
    return ClosedBooks(limit, tuple(DayBook(d.counted, d.manual, d.bill.billable, d.bill.over, d.bill.held, d.bill.removed)
                                    for d in days), short, minimum, minimum_kept)


def day_totals(week: BillingWeek, week_lines: list[Line]) -> list[DayTotal]:
    """A view's lines summed under each local day, Monday first."""
    starts, days = midnights(week), [[] for _ in week.days]
    for line in week_lines:
        days[bisect_right(starts, line.slot.start)].append(line)
    return [DayTotal(day, sum(x.item.counted for x in lines), sum(x.item.counted for x in lines if x.item.manual),
                     _sum_bills([x.bill for x in lines])) for day, lines in zip(week.days, days, strict=True)]


def closed_lines(books: ClosedBooks, rec: WeekRecords) -> list[Line]:
    """A closed week's lines: each slot's counted minutes as its close fixed them, classified under
    the week's limit of then and its disputes of now (the only thing that changes a closed week)."""
    items = _items(rec.columns, [books.counted(start) for start in rec.columns.starts], rec.disputes)
    bills = classify(items, books.limit_minutes)
    return [Line(slot, item, bill) for slot, item, bill in zip(rec.slots, items, bills, strict=True)]


def closed_days(week: BillingWeek, books: ClosedBooks) -> list[DayTotal]:
    return [DayTotal(day, d.counted, d.manual, SlotBill(billable=d.billable, over=d.over, held=d.held, removed=d.removed))
            for day, d in zip(week.days, books.days, strict=True)]


def restate(week: BillingWeek, books: ClosedBooks, rec: WeekRecords, before: Statement) -> tuple[ClosedBooks, Statement]:
    """A closed week's books and statement after its disputes moved: the same slots, minutes and prices."""
    counts = [books.counted(start) for start in rec.columns.starts]
    days = _days(week, rec.columns, counts, rec.disputes, books.limit_minutes)
    return (_books(books.limit_minutes, days, books.short, books.minimum_minutes, books.minimum_kept),
            restated(before, _minutes(days), rec.late))


def _count(columns: SlotColumns, sessions: dict, terms: WeekTerms) -> list[int]:
    """Each slot's counted minutes, going through the week one run of slots at a time: manual ones
    (a full slot each), or those of one session under the same terms (a slot without its session
    counts nothing)."""
    counts: list[int] = []
    end = 0
    for (session_id, manual), run in groupby(zip(columns.session_ids, columns.manual)):
        begin, end = end, end + len(tuple(run))
        if manual:
            counts += [SLOT_MINUTES] * (end - begin)
        elif (session := sessions.get(session_id)) is None:
            counts += [0] * (end - begin)
        else:
            for a, b, count in _stretches(columns.starts, begin, end, terms):
                counts += count(session_start=session.started_at, session_end=session.ended_at, starts=columns.starts[a:b],
                                shots=columns.screenshots[a:b], active=columns.active[a:b])
    return counts


def _stretches(starts: Sequence[datetime], begin: int, end: int, terms: WeekTerms):
    """Slots begin..end cut where the counting terms change: (first, past the last, counter)."""
    if not terms.turns:  # nearly always: one counter for the whole week
        yield begin, end, terms.counters[0]
        return
    cuts = [begin, *(bisect_left(starts, turn, begin, end) for turn in terms.turns), end]
    for index, (a, b) in enumerate(pairwise(cuts)):
        if a < b:
            yield a, b, terms.counters[index]


def _priced(contract: Contract, week: BillingWeek, rec: WeekRecords, minutes: WeekMinutes) -> Statement:
    rate = value_for_week(_history(contract, rec, "rate"), week)
    weekly = value_for_week(_history(contract, rec, "weekly"), week)
    share = weekly_payment_share(week=week, start_day=contract.start_day, end_day=contract.end_day)
    return priced(minutes, rate=rate, currency=contract.currency, weekly_payment=weekly,
                  payment_share=share, paused=paused_during(rec.changes["status"], week), bonuses=rec.bonuses, late=rec.late)


def session_totals(s: Session, session: WorkSession, contract: Contract, slot_seconds: int) -> tuple[int, int, int]:
    """(counted minutes, active minutes, tracked minutes) of one session's slots so far."""
    slots = repo.kept_slots_of_session(s, session_id=session.id)
    changes = {name: repo.changes(s, contract_id=contract.id, field=name) for name in ("screenshots", "billing")}
    rec = WeekRecords(columns=columns_of(slots), slots=slots, sessions={session.id: session}, disputes=[], bonuses=[], changes=changes)
    # Each slot under the terms in force at its start (docs/rules.md, "Terms in force").
    counted = sum(_count(columns_of([x]), rec.sessions, _slot_terms(contract, rec, x.start, slot_seconds))[0] for x in slots)
    return counted, sum(x.active_minutes for x in slots), sum(x.tracked_minutes for x in slots)


def _slot_terms(contract: Contract, rec: WeekRecords, start: datetime, slot_seconds: int) -> WeekTerms:
    """The counting terms of the slot at `start` alone (a session may run across weeks)."""
    screenshots, billing = _history(contract, rec, "screenshots"), _history(contract, rec, "billing")
    count = run_counter(slot_seconds=slot_seconds, screenshots=Screenshots(value_at(screenshots, start)),
                        billing=Billing(value_at(billing, start)))
    return WeekTerms(rate=contract.rate, limit_minutes=None, weekly_payment=contract.weekly_payment, turns=[], counters=[count])
