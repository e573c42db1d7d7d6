"""The week close: every week whose edit deadline has passed gets its statement and review message.

Each contract's deadline is Monday 12:00 in its own billing timezone, so the job simply closes
whatever is due whenever it runs, weeks missed while the worker was down included. Contracts are
read and written in chunks, a few queries per chunk rather than per contract, because on Monday
thousands of weeks close at once.
"""

import gc
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from sqlmodel import Session

from bot.services import chunk_pool, ledger, review, weekly
from bot.services.context import Context
from bot.services.week_books import Books
from diary.activity import activity_percent
from diary.closing import weeks_due
from diary.refusal import Refusal
from diary.terms import ContractStatus
from diary.weeks import BillingWeek
from storage import closings as stored
from storage import contracts, repo, reviews
from storage.engine import Engine, session
from storage.races import WRITE_RACES
from storage.tables import Contract

log = logging.getLogger("tally.jobs")

CHUNK = 250
# An ended contract still has its last week to close, at most eight days after it ended.
ENDED_RECENTLY = timedelta(days=30)


@dataclass(frozen=True)
class Chunk:
    """Contracts closed together: all for the same week, in the same timezone."""

    week: BillingWeek
    ids: list[int]


def close_due(ctx: Context, *, now: datetime, chunk_size: int = CHUNK) -> int:
    """Closes every due week of every contract; returns how many weeks it closed."""
    with ctx.unit() as s:
        due = _due(s, now)
    compute = partial(compute_chunk, slot_seconds=ctx.slot_seconds, now=now)
    by_week = _chunks(due, chunk_size)
    closed = 0
    with chunk_pool.helpers(ctx.engine, sum(map(len, by_week))) as helping:
        # Week after week: the next run starts after the latest week closed, so a later week is
        # never written before an earlier one. Within a week, each chunk is written as soon as
        # it is computed, here or in a helper.
        for chunks in by_week:
            closed += sum(_write(ctx, chunk, closings, now) for chunk, closings in chunk_pool.shared(compute, chunks, ctx.engine, helping))
    return closed


def _due(s: Session, now: datetime) -> list[tuple[int, BillingWeek]]:
    """(contract id, week) of every week due, by contract; the workers read the contracts themselves."""
    recent = (now - ENDED_RECENTLY).date()
    running = contracts.contracts_not_ended_before(s, ended_status=ContractStatus.ENDED, ended_since=recent)
    last = reviews.last_closed_weeks(s)
    return [(c.id, week) for c in running
            for week in weeks_due(tz=c.tz, start_day=c.start_day, end_day=c.end_day, last_closed=last.get(c.id), now=now)]


def _chunks(due: list[tuple[int, BillingWeek]], size: int) -> list[list[Chunk]]:
    """The chunks of each Monday, Mondays in order. A chunk is of one week in one timezone, so
    every contract in it has the same bounds."""
    by_week: dict[BillingWeek, list[int]] = defaultdict(list)
    for contract_id, week in due:
        by_week[week].append(contract_id)
    by_monday: dict[date, list[Chunk]] = defaultdict(list)
    for week, ids in by_week.items():
        by_monday[week.monday] += [Chunk(week, ids[i:i + size]) for i in range(0, len(ids), size)]
    return [by_monday[monday] for monday in sorted(by_monday)]


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


def compute_chunk(engine: Engine, chunk: Chunk, *, slot_seconds: int, now: datetime) -> list[weekly.Closing]:
    """The closings of one chunk, from one read of its records; writes nothing."""
    with _collector_paused(), session(engine) as s:
        books = Books(s, chunk.ids, chunk.week, slot_seconds)
        return [_closing(slot_seconds, books, books.contracts[contract_id], chunk.week, now) for contract_id in chunk.ids]


def _write(ctx: Context, chunk: Chunk, closings: list[weekly.Closing], now: datetime) -> int:
    # Written in a transaction of its own: on SQLite, one that had been reading for seconds could
    # no longer become the writer once anybody else (an agent's upload) had written meanwhile.
    try:
        with ctx.unit() as s:
            stored.insert_closings(s, reviews=[c.review for c in closings], messages=[c.message for c in closings if c.message is not None])
        return len(closings)
    except WRITE_RACES as error:
        # Another worker closed some of these meanwhile: go one by one, skipping its weeks.
        log.info("week close: %d weeks met another writer (%s); closing them one by one", len(chunk.ids), type(error).__name__)
        return sum(_close_alone(ctx, contract_id, chunk.week, now) for contract_id in chunk.ids)


def _close_alone(ctx: Context, contract_id: int, week: BillingWeek, now: datetime, tries: int = 3) -> int:
    for _ in range(tries):
        try:
            with ctx.unit() as s:
                closed_before = repo.week_review(s, contract_id=contract_id, week_start=week.monday)
                result = review.ensure_closed(s, ctx, s.get(Contract, contract_id), week, now)
            return int(closed_before is None and not isinstance(result, Refusal))
        except WRITE_RACES:
            continue
    log.warning("week close: week %s of contract %s is left for the next run", week.label, contract_id)
    return 0


def _closing(slot_seconds: int, books: Books, contract: Contract, week: BillingWeek, now: datetime) -> weekly.Closing:
    rec = books.records(contract.id)
    days, statement, closed = ledger.closing_books(contract, week, rec, slot_seconds)
    return weekly.closing_of(books.workspaces[contract.workspace_id], contract, week, days, statement, closed,
                             activity_percent(*books.slots.activity(contract.id)), books.names[contract.freelancer_id], now)
