"""The worker's clock: APScheduler 3 (AsyncIOScheduler) runs the jobs, after a catch-up at start.

Every job acts on whatever is due as of its run, in every contract's timezone, so the schedule
only has to be frequent enough: week close and the review deadline every five minutes land
within five minutes of Monday 12:00 and Friday 23:59 anywhere. Jobs are plain functions, which
the scheduler's executor runs in threads, off the event loop that carries the chat gateways.
"""

import asyncio
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot import metrics
from bot.jobs import JOBS
from bot.services.context import Context
from storage.outage import DatabaseUnavailable

log = logging.getLogger("tally.jobs")

SCHEDULE = {  # cron fields, UTC
    "week-close": {"minute": "*/5"},
    "review-reminder": {"minute": "*/15"},
    "minimum-reminder": {"minute": "*/15"},
    "review-deadline": {"minute": "*/5"},
    "agent-lost": {"minute": "*"},
    "limit-alerts": {"minute": "*/5"},
    "retention": {"hour": "3", "minute": "30"},
}
# A run held up (a long week close, a suspended machine) still happens if at most this late;
# runs missed several times over collapse into one, since each run does all that is due.
MISFIRE_GRACE_SECONDS = 3600


def run_job(ctx: Context, name: str, on_done: Callable[[], None], now: datetime | None = None) -> str:
    """One job as of `now` (default: the clock); `on_done` is told, e.g. to wake the dispatcher."""
    began = time.perf_counter()
    try:
        result = JOBS[name](ctx, now=now or datetime.now(UTC))
    except DatabaseUnavailable:  # logged once for the whole outage; the job catches up next time
        metrics.job_ran(name, "failed", time.perf_counter() - began)
        return f"{name}: database unavailable"
    except Exception:
        metrics.job_ran(name, "failed", time.perf_counter() - began)
        log.exception("job %s failed; it runs again at its next time", name)
        return f"{name}: failed"
    metrics.job_ran(name, "done", time.perf_counter() - began)
    log.log(logging.INFO if did_something(result) else logging.DEBUG, result)
    on_done()
    return result


def did_something(result: str) -> bool:
    """A job's report worth a line in the log: its count is not zero ("agent-lost: 0 ..." runs every minute)."""
    count = re.match(r"[\w-]+: (\d+)", result)
    return count is not None and int(count.group(1)) > 0


async def catch_up(ctx: Context, on_done: Callable[[], None], *, now: datetime | None = None) -> list[str]:
    """Every job once, in order: whatever fell due while no worker ran is done now."""
    return [await asyncio.to_thread(run_job, ctx, name, on_done, now) for name in JOBS]


def build(ctx: Context, on_done: Callable[[], None]) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    for name, fields in SCHEDULE.items():
        scheduler.add_job(run_job, CronTrigger(timezone=UTC, **fields), args=(ctx, name, on_done), id=name, name=name,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS, coalesce=True, max_instances=1)
    return scheduler


async def start(ctx: Context, on_done: Callable[[], None]) -> AsyncIOScheduler:
    """Catches up, then runs the jobs on their schedule; call from the running event loop."""
    await catch_up(ctx, on_done)
    scheduler = build(ctx, on_done)
    scheduler.start()
    return scheduler
