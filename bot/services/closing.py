"""The week close: every week whose edit deadline has passed gets its statement and review message.

Each contract's deadline is Monday 12:00 in its own billing timezone, so the job simply closes
whatever is due whenever it runs, weeks missed while the worker was down included. Contracts are
read and written in chunks, a few queries per chunk rather than per contract, because on Monday
thousands of weeks close at once.
"""

import gc
import logging
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import (
    Engine,
    Integer,
    Text,
    cast,
    func,
    insert,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.services import chunk_pool, ledger, review, weekly
from bot.services.context import Context
from diary.activity import activity_percent
from diary.refusal import Refusal
from diary.terms import SLOT_MINUTES, ContractStatus
from diary.weeks import BillingWeek, week_of
from storage.engine import session
from storage.tables import (
    Bonus,
    Contract,
    ContractChange,
    Dispute,
    Member,
    Outbox,
    Slot,
    WeekReview,
    WorkSession,
    Workspace,
)
from storage.types import UTCDateTime

log = logging.getLogger("tally.jobs")

CHUNK = 500
# An ended contract still has its last week to close, at most eight days after it ended.
ENDED_RECENTLY = timedelta(days=30)
_MINUTES_TEXT = cast(Slot.minutes, Text)
# Minutes the agent tracked in a slot: its ten minutes less those sent as null (outside the
# session). Counted in the query, because decoding every slot's JSON would cost more than
# everything else in the week close together.
_NULLS = (func.length(_MINUTES_TEXT) - func.length(func.replace(_MINUTES_TEXT, "null", ""))) // 4
TRACKED = cast(SLOT_MINUTES - _NULLS, Integer)


class _QuickUTC(UTCDateTime):
    """UTCDateTime, read from SQLite's text in one step: its usual two steps were a fifth of the
    week close, at two instants per slot."""

    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return lambda value: None if value is None else datetime.fromisoformat(value + "+00:00")


SLOT_COLUMNS = (Slot.id, Slot.contract_id, Slot.session_id, type_coerce(Slot.start, _QuickUTC()).label("start"),
                Slot.active_minutes, type_coerce(Slot.screenshot_at, _QuickUTC()).label("screenshot_at"),
                Slot.manual, TRACKED.label("tracked"))

Due = tuple[Contract, BillingWeek]


def weeks_due(contract: Contract, last_closed: date | None, now: datetime) -> list[BillingWeek]:
    """The contract's weeks past their edit deadline and not closed yet, oldest first."""
    tz = contract.tz
    week = BillingWeek(last_closed, tz).next() if last_closed else week_of_day(contract.start_day, tz)
    last = week_of(now, tz).previous()
    if now < last.edit_deadline:
        last = last.previous()
    if contract.end_day is not None:
        last = min(last, week_of_day(contract.end_day, tz), key=lambda w: w.monday)
    due = []
    while week.monday <= last.monday:
        due.append(week)
        week = week.next()
    return due


def week_of_day(day: date, tz: str) -> BillingWeek:
    return BillingWeek(day - timedelta(days=day.weekday()), tz)


def close_due(ctx: Context, *, now: datetime) -> int:
    """Closes every due week of every contract; returns how many weeks it closed."""
    with ctx.unit() as s:
        due = _due(s, now)
    chunks = list(_chunks(due))
    computed = _computed(ctx, chunks, now)
    return sum(_write(ctx, chunk, closings, now) for chunk, closings in zip(chunks, computed, strict=True))


def _computed(ctx: Context, chunks: list[list[Due]], now: datetime) -> Iterator[list[weekly.Closing]]:
    """Each chunk's closings, in order; in worker processes when there are enough chunks to share."""
    compute = partial(compute_chunk, slot_seconds=ctx.slot_seconds, now=now)
    workers = chunk_pool.worker_count(ctx.engine, len(chunks))
    if workers:
        return chunk_pool.mapped(compute, chunks, ctx.engine, workers)
    return (compute(ctx.engine, chunk) for chunk in chunks)


def _due(s: Session, now: datetime) -> list[Due]:
    recent = (now - ENDED_RECENTLY).date()
    contracts = s.scalars(select(Contract).where(
        or_(Contract.status != ContractStatus.ENDED, Contract.end_day >= recent)).order_by(Contract.id))
    last = dict(s.execute(select(WeekReview.contract_id, func.max(WeekReview.week_start)).group_by(WeekReview.contract_id)).all())
    return [(contract, week) for contract in contracts for week in weeks_due(contract, last.get(contract.id), now)]


def _chunks(due: list[Due]) -> Iterator[list[Due]]:
    """Chunks of one week (by its Monday) each, so one range of dates reads them all."""
    by_monday: dict[date, list[Due]] = defaultdict(list)
    for item in due:
        by_monday[item[1].monday].append(item)
    for monday in sorted(by_monday):
        items = by_monday[monday]
        yield from (items[i:i + CHUNK] for i in range(0, len(items), CHUNK))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A chunk reads hundreds of thousands of rows, none in a reference cycle; left running, the
    cycle collector walks every one of them again and again, which doubled the week close."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute_chunk(engine: Engine, chunk: list[Due], *, slot_seconds: int, now: datetime) -> list[weekly.Closing]:
    """The closings of one chunk, from one read of its records; writes nothing."""
    with _collector_paused(), session(engine) as s:
        books = _Books(s, chunk)
        return [_closing(slot_seconds, books, contract, week, now) for contract, week in chunk]


def _write(ctx: Context, chunk: list[Due], closings: list[weekly.Closing], now: datetime) -> int:
    # Written in a transaction of its own: on SQLite, one that had been reading for seconds could
    # no longer become the writer once anybody else (an agent's upload) had written meanwhile.
    try:
        with ctx.unit() as s:
            s.execute(insert(WeekReview), [c.review for c in closings])
            messages = [c.message for c in closings if c.message is not None]
            if messages:
                s.execute(insert(Outbox), messages)
        return len(closings)
    except (IntegrityError, OperationalError) as error:
        # Another worker closed some of these meanwhile: go one by one, skipping its weeks.
        log.info("week close: %d weeks met another writer (%s); closing them one by one", len(chunk), type(error).__name__)
        return sum(_close_alone(ctx, contract, week, now) for contract, week in chunk)


def _close_alone(ctx: Context, contract: Contract, week: BillingWeek, now: datetime, tries: int = 3) -> int:
    for _ in range(tries):
        try:
            with ctx.unit() as s:
                closed_before = s.scalar(select(WeekReview.id).where(
                    WeekReview.contract_id == contract.id, WeekReview.week_start == week.monday))
                result = review.ensure_closed(s, ctx, s.get(Contract, contract.id), week, now)
            return int(closed_before is None and not isinstance(result, Refusal))
        except (IntegrityError, OperationalError):
            continue
    log.warning("week close: week %s of contract %s is left for the next run", week.label, contract.id)
    return 0


def _closing(slot_seconds: int, books: "_Books", contract: Contract, week: BillingWeek, now: datetime) -> weekly.Closing:
    rec = books.records(contract, week)
    days, statement = ledger.week_days(contract, week, rec, slot_seconds)
    return weekly.closing_of(books.workspaces[contract.workspace_id], contract, week, days, statement,
                             _activity(rec.slots), books.names[contract.freelancer_id], now)


def _activity(slots: list) -> int | None:
    active = tracked = 0
    for x in slots:
        if not x.manual:
            active, tracked = active + x.active_minutes, tracked + x.tracked
    return activity_percent(active, tracked)


class _Books:
    """The records of one chunk's contracts for one week, read with one query per table."""

    def __init__(self, s: Session, chunk: list[Due]) -> None:
        ids = [contract.id for contract, _ in chunk]
        monday = chunk[0][1].monday
        begin, end = min(w.start for _, w in chunk), max(w.end for _, w in chunk)
        # Through the connection: the ORM's result handling would double the cost of a million rows.
        self.slots = _grouped(s.connection().execute(select(*SLOT_COLUMNS).where(
            Slot.contract_id.in_(ids), Slot.start >= begin, Slot.start < end, Slot.deleted_at.is_(None))
            .order_by(Slot.contract_id, Slot.start)))
        self.sessions = {row.id: row for row in s.connection().execute(select(WorkSession.id, WorkSession.started_at, WorkSession.ended_at).where(
            WorkSession.contract_id.in_(ids), WorkSession.started_at < end,
            or_(WorkSession.ended_at.is_(None), WorkSession.ended_at > begin)))}
        self.disputes = _grouped(s.scalars(select(Dispute).where(
            Dispute.contract_id.in_(ids), Dispute.week_start == monday).order_by(Dispute.id)))
        self.changes = _grouped(s.execute(select(ContractChange.contract_id, ContractChange.field, ContractChange.at, ContractChange.value)
                                          .where(ContractChange.contract_id.in_(ids), ContractChange.field.in_(("rate", "limit", "status")))
                                          .order_by(ContractChange.at, ContractChange.id)))
        self.bonuses = _grouped(s.execute(select(Bonus.contract_id, Bonus.amount).where(
            Bonus.contract_id.in_(ids), Bonus.week_start == monday)))
        self.names = dict(s.execute(select(Member.id, Member.name).where(Member.id.in_(sorted({c.freelancer_id for c, _ in chunk})))).all())
        self.workspaces = {ws.id: ws for ws in s.scalars(select(Workspace).where(Workspace.id.in_(sorted({c.workspace_id for c, _ in chunk}))))}

    def records(self, contract: Contract, week: BillingWeek) -> ledger.WeekRecords:
        slots, changes = self.slots.get(contract.id, []), self.changes.get(contract.id, [])
        return ledger.WeekRecords(
            # in time order, so the week's are one run of them
            slots=slots[bisect_left(slots, week.start, key=_start):bisect_left(slots, week.end, key=_start)],
            sessions=self.sessions,
            disputes=self.disputes.get(contract.id, []),
            changes={field: [c for c in changes if c.field == field] for field in ("rate", "limit", "status")},
            bonuses=[b.amount for b in self.bonuses.get(contract.id, [])],
        )


def _start(row) -> datetime:
    return row.start


def _grouped(rows) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[row.contract_id].append(row)
    return groups
