"""The scheduler's set-up: every job on its clock, late runs still made, missed runs merged."""

import asyncio
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from bot import jobs, scheduler, worker
from bot.outbox_dispatcher import utcnow
from tests.conftest import utc
from tests.outbox.fakes import FakeSender, queue_messages


def test_every_job_is_scheduled_with_a_generous_misfire_grace_and_coalescing(ctx):
    built = scheduler.build(ctx, lambda: None)
    planned = {job.id: job for job in built.get_jobs()}
    assert set(planned) == set(jobs.JOBS)
    assert all(isinstance(job.trigger, CronTrigger) for job in planned.values())
    assert {(job.misfire_grace_time, job.coalesce, job.max_instances) for job in planned.values()} == {(3600, True, 1)}


def test_week_close_and_the_review_deadline_run_within_minutes_of_every_timezone_s_deadline(ctx):
    planned = {job.id: job for job in scheduler.build(ctx, lambda: None).get_jobs()}
    before_noon = utc(2026, 11, 23, 11, 58)
    assert planned["week-close"].trigger.get_next_fire_time(None, before_noon) == utc(2026, 11, 23, 12)
    kathmandu_noon = utc(2026, 11, 23, 6, 15)  # UTC+5:45
    assert planned["review-deadline"].trigger.get_next_fire_time(None, kathmandu_noon) == kathmandu_noon
    assert planned["agent-lost"].trigger.get_next_fire_time(None, before_noon) - before_noon <= timedelta(minutes=1)


async def test_start_catches_up_then_runs_on_the_clock(ctx):
    woken = []
    running = await scheduler.start(ctx, lambda: woken.append(1))
    try:
        assert running.running and len(woken) == len(jobs.JOBS)
    finally:
        running.shutdown(wait=False)


async def test_the_worker_catches_up_sends_the_outbox_and_stops_when_told(ctx):
    (row_id,) = queue_messages(ctx, utcnow(), "C1")
    sender, stop = FakeSender(), asyncio.Event()

    async def stop_once_sent():
        while not sender.sent:
            await asyncio.sleep(0.01)
        stop.set()

    await asyncio.wait_for(asyncio.gather(worker.run_worker(ctx, [sender], stop=stop), stop_once_sent()), timeout=20)
    assert sender.sent == [(row_id, "C1")]
