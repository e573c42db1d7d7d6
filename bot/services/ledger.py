"""A contract's week as the rules see it: each slot with what it counts for and how it is billed."""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import groupby, pairwise
from typing import NamedTuple

from sqlmodel import Session

from diary.changes import Change, read_history, value_at, value_for_week
from diary.closed_week import ClosedBooks, DayBook, books_of, restated, short_slots
from diary.contract_terms import BY_NAME, HISTORY
from diary.late import LateLine, LateSlot, LateStatus, late_line
from diary.counting import RunCounter, SlotCounter, run_counter, slot_counter
from diary.review import DisputeStatus
from diary.statements import (
    BillItem,
    SlotBill,
    Statement,
    WeekMinutes,
    classify,
    priced,
    undisputed_day_bills,
    week_minutes,
    weekly_payment_share,
)
from diary.terms import SLOT_MINUTES, Billing, ContractStatus, Screenshots
from diary.weeks import BillingWeek, day_bounds
from storage import repo
from storage.tables import Contract, ContractChange, Dispute, Slot, WorkSession


@dataclass(frozen=True)
class Line:
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


def counter_for(contract: Contract, slot_seconds: int) -> SlotCounter:
    """The counter of the terms set last (the agent's view of a slot it just sent)."""
    return slot_counter(slot_seconds=slot_seconds, screenshots=Screenshots(contract.screenshots), billing=Billing(contract.billing))


def slot_counted(slot: Slot, session: WorkSession | None, contract: Contract, slot_seconds: int) -> int:
    return _counted(slot, session, counter_for(contract, slot_seconds))


@dataclass(frozen=True)
class WeekTerms:
    """The terms a contract's week is priced under, and those each of its slots is counted under
    (docs/rules.md#terms-in-force)."""

    rate: Decimal
    limit_minutes: int | None
    weekly_payment: Decimal
    turns: list[datetime]  # instants inside the week at which screenshots or billing change
    counters: list[RunCounter]  # the counter from the week's start, then one from each turn

    def counter_at(self, instant: datetime) -> RunCounter:
        return self.counters[bisect_right(self.turns, instant)]


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


def _counted(slot: Slot, session: WorkSession | None, count: SlotCounter) -> int:
    if slot.manual or session is None:
        return SLOT_MINUTES if slot.manual else 0
    return count(slot.start, session.started_at, session.ended_at, slot.screenshot_at, slot.active_minutes)


def _counted_under(slot, session: WorkSession | None, terms: WeekTerms) -> int:
    if slot.manual or session is None:
        return SLOT_MINUTES if slot.manual else 0
    count = terms.counter_at(slot.start)
    return count(session.started_at, session.ended_at, (slot.start,), (slot.screenshot_at,), (slot.active_minutes,))[0]


def _dispute_of(slot: Slot, disputes: list[Dispute]) -> DisputeStatus | None:
    """The latest dispute that names this slot decides it."""
    covering = [d for d in disputes if d.range_start <= slot.start < d.range_end]
    return DisputeStatus(covering[-1].status) if covering else None


class SlotColumns(NamedTuple):
    """A week's slots as one sequence per field, in time order: the week close reads millions of
    slots, and the rules and sums then go through each field in a loop of their own."""

    starts: Sequence[datetime]
    session_ids: Sequence[int | None]
    screenshots: Sequence[datetime | None]
    active: Sequence[int]
    manual: Sequence[bool]

    def stretch(self, begin: int, end: int) -> "SlotColumns":
        """Slots begin..end (not the fields: this is a tuple of them)."""
        return SlotColumns(*(field[begin:end] for field in self))


def columns_of(slots: Sequence) -> SlotColumns:
    return SlotColumns([x.start for x in slots], [x.session_id for x in slots], [x.screenshot_at for x in slots],
                       [x.active_minutes for x in slots], [x.manual for x in slots])


class SlotRow(NamedTuple):
    """One slot of SlotColumns, with Slot's attribute names, for the slot-by-slot path."""

    start: datetime
    session_id: int | None
    screenshot_at: datetime | None
    active_minutes: int
    manual: bool


class ColumnRows(Sequence):
    """Slots read as SlotColumns, seen as rows (SlotRow) only where asked for (disputed weeks)."""

    def __init__(self, columns: SlotColumns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns.starts)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        return SlotRow(*(field[index] for field in self.columns))

    def __iter__(self):
        return map(SlotRow, *self.columns)


@dataclass(frozen=True)
class WeekRecords:
    """Everything a contract's week is billed from; fetched per contract, or for many at once."""

    slots: Sequence  # Slot rows (or rows with Slot's columns), in time order
    sessions: dict[int, WorkSession]  # by id: the sessions the slots were recorded in
    disputes: list[Dispute]  # in the order they were opened
    changes: dict[str, list[ContractChange]]  # by HISTORY_FIELDS: rows with effective_at and value, in the order decided
    bonuses: list[Decimal]
    late: LateLine = LateLine()  # the late slots billed on this week's statement (of other weeks)

    @classmethod
    def of_columns(cls, columns: SlotColumns, **others) -> "WeekRecords":
        return cls(slots=ColumnRows(columns), **others)

    def slot_columns(self) -> SlotColumns:
        if isinstance(self.slots, ColumnRows):
            return self.slots.columns
        return columns_of(self.slots)


def records(s: Session, contract: Contract, week: BillingWeek, slot_seconds: int, *, with_late: bool = True) -> WeekRecords:
    """The week's records: its own slots (not the late ones, billed elsewhere), and the line of
    the late slots billed on its statement."""
    return WeekRecords(
        slots=[x for x in repo.slots_between(s, contract_id=contract.id, start=week.start, end=week.end) if x.late_request_id is None],
        sessions={x.id: x for x in repo.sessions_between(s, contract_id=contract.id, start=week.start, end=week.end)},
        disputes=repo.disputes(s, contract_id=contract.id, week_start=week.monday),
        changes={field: repo.changes(s, contract_id=contract.id, field=field) for field in HISTORY_FIELDS},
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
    late = [LateSlot(x.start, _counted_under(x, sessions.get(x.session_id), terms), LateStatus(by_id[x.late_request_id].status),
                     by_id[x.late_request_id].billed_week_start == billed.monday) for x in slots]
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


def limit_minutes(contract: Contract, rec: WeekRecords, week: BillingWeek) -> int | None:
    """The week's weekly limit in minutes: a lowered limit waits for the next week."""
    hours = value_for_week(_history(contract, rec, "limit"), week)
    return None if hours is None else int(hours * 60)


def lines(s: Session, contract: Contract, week: BillingWeek, slot_seconds: int) -> list[Line]:
    return lines_of(contract, week, records(s, contract, week, slot_seconds), slot_seconds)


def lines_of(contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> list[Line]:
    terms = week_terms(contract, week, rec, slot_seconds)
    items = [
        BillItem(start=x.start, counted=_counted_under(x, rec.sessions.get(x.session_id), terms),
                 manual=x.manual, dispute=_dispute_of(x, rec.disputes))
        for x in rec.slots
    ]
    bills = classify(items, terms.limit_minutes)
    return [Line(slot, item, bill) for slot, item, bill in zip(rec.slots, items, bills, strict=True)]


@lru_cache(maxsize=1024)  # the same few weeks for every contract closed at once
def midnights(week: BillingWeek) -> tuple[datetime, ...]:
    """Where each day of the week after Monday begins; days of 23 or 25 hours included."""
    return tuple(day_bounds(day, week.tz)[0] for day in week.days[1:])


def day_totals(week: BillingWeek, week_lines: list[Line]) -> list[DayTotal]:
    """The week's lines summed under each local day, Monday first."""
    starts, days = midnights(week), [[] for _ in week.days]
    for line in week_lines:
        days[bisect_right(starts, line.slot.start)].append(line)
    return [_day_total(day, lines) for day, lines in zip(week.days, days, strict=True)]


def _day_total(day: date, lines: list[Line]) -> DayTotal:
    bill = SlotBill(billable=sum(x.bill.billable for x in lines), over=sum(x.bill.over for x in lines),
                    held=sum(x.bill.held for x in lines), removed=sum(x.bill.removed for x in lines))
    return DayTotal(day, sum(x.item.counted for x in lines), sum(x.item.counted for x in lines if x.item.manual), bill)


def week_days(contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> tuple[list[DayTotal], Statement]:
    """The week's days and statement, as its records stand."""
    days, statement, _ = closing_books(contract, week, rec, slot_seconds)
    return days, statement


def closing_books(contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> tuple[list[DayTotal], Statement, ClosedBooks]:
    """The week's days and statement, and the books its close stores; a week nobody disputed
    (every week, as it closes) is summed by day, not slot by slot."""
    terms = week_terms(contract, week, rec, slot_seconds)
    limit = terms.limit_minutes
    if rec.disputes:
        week_lines = lines_of(contract, week, rec, slot_seconds)
        days = day_totals(week, week_lines)
        return days, statement_of(contract, week, rec, week_lines), books_of_lines(limit, days, week_lines)
    columns = rec.slot_columns()
    counts = _counts(columns, rec.sessions, terms)
    days = _undisputed_days(week, columns, counts, limit)
    manual = sum(day.manual for day in days)
    minutes = WeekMinutes(tracked=sum(day.counted for day in days) - manual, manual=manual, over=sum(day.bill.over for day in days),
                          held=0, removed=0, billable=sum(day.bill.billable for day in days))
    return days, _priced(contract, week, rec, minutes), _books(limit, days, short_slots(columns.starts, counts))


def books_of_lines(limit: int | None, days: list[DayTotal], week_lines: list[Line]) -> ClosedBooks:
    """The books of a week summed slot by slot (as a week with disputes is)."""
    return _books(limit, days, short_slots([x.slot.start for x in week_lines], [x.item.counted for x in week_lines]))


def _books(limit: int | None, days: list[DayTotal], short: dict[int, int]) -> ClosedBooks:
    return ClosedBooks(limit, tuple(DayBook(d.counted, d.manual, d.bill.billable, d.bill.over, d.bill.held, d.bill.removed)
                                    for d in days), short)


def _undisputed_days(week: BillingWeek, columns: SlotColumns, counts: list[int], limit: int | None) -> list[DayTotal]:
    # The slots are in time order, so each day's are one stretch of them.
    edges = [0, *(bisect_left(columns.starts, midnight) for midnight in midnights(week)), len(counts)]
    counted = [sum(counts[a:b]) for a, b in pairwise(edges)]
    manual = [SLOT_MINUTES * sum(columns.manual[a:b]) for a, b in pairwise(edges)]
    bills = undisputed_day_bills(counted, limit)
    return [DayTotal(*day) for day in zip(week.days, counted, manual, bills, strict=True)]


def closed_lines(books: ClosedBooks, rec: WeekRecords) -> list[Line]:
    """A closed week's lines: each slot's counted minutes as its close fixed them, classified under
    the week's limit of then and its disputes of now (the only thing that changes a closed week)."""
    items = [BillItem(start=x.start, counted=books.counted(x.start), manual=x.manual, dispute=_dispute_of(x, rec.disputes))
             for x in rec.slots]
    bills = classify(items, books.limit_minutes)
    return [Line(slot, item, bill) for slot, item, bill in zip(rec.slots, items, bills, strict=True)]


def closed_days(week: BillingWeek, books: ClosedBooks) -> list[DayTotal]:
    return [DayTotal(day, d.counted, d.manual, SlotBill(billable=d.billable, over=d.over, held=d.held, removed=d.removed))
            for day, d in zip(week.days, books.days, strict=True)]


def restate(week: BillingWeek, books: ClosedBooks, rec: WeekRecords, before: Statement) -> tuple[ClosedBooks, Statement]:
    """A closed week's books and statement after its disputes moved: the same slots, minutes and prices."""
    week_lines = closed_lines(books, rec)
    days = day_totals(week, week_lines)
    minutes = week_minutes([x.item for x in week_lines], [x.bill for x in week_lines])
    return _books(books.limit_minutes, days, books.short), restated(before, minutes, rec.late)


def _counts(columns: SlotColumns, sessions: dict, terms: WeekTerms) -> list[int]:
    """Each slot's counted minutes (_counted_under), going through the week one run of slots at a
    time: manual ones, or those of one session under the same terms."""
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
                counts += count(session.started_at, session.ended_at, columns.starts[a:b],
                                columns.screenshots[a:b], columns.active[a:b])
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


def paused_during(changes: list[ContractChange], week: BillingWeek) -> bool:
    before = [c for c in changes if c.effective_at <= week.start]
    during = [c for c in changes if week.start < c.effective_at < week.end]
    was_paused = bool(before) and before[-1].value == ContractStatus.PAUSED
    return was_paused or any(c.value == ContractStatus.PAUSED for c in during)


def statement(s: Session, contract: Contract, week: BillingWeek, slot_seconds: int, week_lines: list[Line] | None = None) -> Statement:
    rec = records(s, contract, week, slot_seconds)
    return statement_of(contract, week, rec, lines_of(contract, week, rec, slot_seconds) if week_lines is None else week_lines)


def statement_of(contract: Contract, week: BillingWeek, rec: WeekRecords, week_lines: list[Line]) -> Statement:
    return _priced(contract, week, rec, week_minutes([line.item for line in week_lines], [line.bill for line in week_lines]))


def _priced(contract: Contract, week: BillingWeek, rec: WeekRecords, minutes: WeekMinutes) -> Statement:
    rate = value_for_week(_history(contract, rec, "rate"), week)
    weekly = value_for_week(_history(contract, rec, "weekly"), week)
    share = weekly_payment_share(week=week, start_day=contract.start_day, end_day=contract.end_day)
    return priced(minutes, rate=rate, currency=contract.currency, weekly_payment=weekly,
                  payment_share=share, paused=paused_during(rec.changes["status"], week), bonuses=rec.bonuses, late=rec.late)


def session_totals(s: Session, session: WorkSession, contract: Contract, slot_seconds: int) -> tuple[int, int, int]:
    """(counted minutes, active minutes, tracked minutes) of one session's slots so far."""
    slots = repo.kept_slots_of_session(s, session_id=session.id)
    rec = WeekRecords(slots=slots, sessions={session.id: session}, disputes=[], bonuses=[],
                      changes={name: repo.changes(s, contract_id=contract.id, field=name) for name in ("screenshots", "billing")})
    # Each slot under the terms in force at its start (docs/rules.md, "Terms in force").
    counted = sum(_counted_under(x, session, _slot_terms(contract, rec, x.start, slot_seconds)) for x in slots)
    return counted, sum(x.active_minutes for x in slots), sum(x.tracked_minutes for x in slots)


def _slot_terms(contract: Contract, rec: WeekRecords, start: datetime, slot_seconds: int) -> WeekTerms:
    """The counting terms of the slot at `start` alone (a session may run across weeks)."""
    screenshots, billing = _history(contract, rec, "screenshots"), _history(contract, rec, "billing")
    count = run_counter(slot_seconds=slot_seconds, screenshots=Screenshots(value_at(screenshots, start)),
                        billing=Billing(value_at(billing, start)))
    return WeekTerms(rate=contract.rate, limit_minutes=None, weekly_payment=contract.weekly_payment, turns=[], counters=[count])
