"""Jobs run twice, two workers at once, a worker killed before sending, a worker down for days:
every message is queued once and sent once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from bot import jobs, scheduler
from storage.tables import WeekReview
from tests.conftest import utc
from tests.jobs.helpers import deliver
from tests.outbox.fakes import FakeSender
from tests.services.helpers import hire, outbox, pair_device, person, work

MON = utc(2026, 11, 16, 9)
EDIT_DEADLINE = utc(2026, 11, 23, 12)


def team(ctx, size: int) -> None:
    """`size` freelancers, each on a contract in a channel of its own, each with an hour of work."""
    for n in range(size):
        freelancer = person(f"f{n}", f"C{n}")
        hire(ctx, MON, client=person("alice", f"C{n}"), freelancer=freelancer)
        work(ctx, pair_device(ctx, freelancer, MON), freelancer, MON, 6)


def reviews(ctx) -> list[WeekReview]:
    with ctx.unit() as s:
        return list(s.exec(select(WeekReview)))


class MemoryBlobs:
    """Both workers write the same chart keys at the same moment; an object store takes that in its
    stride (FolderBlobs, sharing one temporary file name per key, does not yet)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.data[key] = data

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def test_two_workers_closing_the_week_at_once_close_each_week_once(ctx):
    team(ctx, 12)
    ctx = replace(ctx, blobs=MemoryBlobs())
    start = threading.Barrier(2)

    def worker(_):
        start.wait()
        return jobs.week_close(ctx, now=EDIT_DEADLINE)

    with ThreadPoolExecutor(2) as pool:
        said = list(pool.map(worker, range(2)))
    closed = [int(line.split()[1]) for line in said]
    assert sum(closed) == 12
    assert len(reviews(ctx)) == 12 and len(outbox(ctx, "review")) == 12


async def test_a_worker_killed_after_the_week_close_sends_the_reviews_after_restart(ctx):
    team(ctx, 3)
    jobs.week_close(ctx, now=EDIT_DEADLINE)  # ... and the worker dies before its dispatcher runs
    queued = {row.id for row in outbox(ctx, "review")}
    jobs.week_close(ctx, now=EDIT_DEADLINE + timedelta(minutes=5))  # the restarted worker's catch-up
    sender = await deliver(ctx, EDIT_DEADLINE + timedelta(minutes=5))
    assert {row_id for row_id, _ in sender.sent} >= queued
    assert len(outbox(ctx, "review")) == 3
    assert (await deliver(ctx, EDIT_DEADLINE + timedelta(hours=1))).sent == []


async def test_every_job_run_twice_queues_nothing_new(ctx):
    team(ctx, 2)
    instants = [EDIT_DEADLINE, utc(2026, 11, 26, 9), utc(2026, 11, 27, 23, 59)]
    for now in instants:
        for job in jobs.JOBS.values():
            job(ctx, now=now)
    before = [row.dedupe_key for row in outbox(ctx)]
    for now in instants:
        for job in jobs.JOBS.values():
            job(ctx, now=now)
    assert [row.dedupe_key for row in outbox(ctx)] == before


async def test_the_catch_up_at_start_does_what_fell_due_while_the_worker_was_down(ctx):
    team(ctx, 1)
    woken = []
    saturday = utc(2026, 11, 28, 10)  # the week's edit and review deadlines both passed meanwhile
    said = await scheduler.catch_up(ctx, lambda: woken.append(1), now=saturday)
    assert [line.split(":")[0] for line in said] == list(jobs.JOBS) and len(woken) == len(jobs.JOBS)
    assert "1 weeks closed" in said[0] and "1 weeks approved automatically" in said[2]
    kinds = [row.kind for row in outbox(ctx) if row.kind in ("review", "reminder", "auto_approved")]
    assert kinds == ["review", "auto_approved"]  # in that order; the reminder's Thursday has gone by
    sender = await deliver(ctx, saturday, FakeSender())
    assert len(sender.sent) == len(outbox(ctx))


def test_a_worker_down_for_weeks_closes_every_week_it_missed(ctx):
    team(ctx, 1)
    assert jobs.week_close(ctx, now=utc(2026, 12, 8, 12)).startswith("week-close: 3 weeks closed")
    assert [r.week_start.isoformat() for r in reviews(ctx)] == ["2026-11-16", "2026-11-23", "2026-11-30"]
    assert len(outbox(ctx, "review")) == 1  # only the week with work in it asks for a review
