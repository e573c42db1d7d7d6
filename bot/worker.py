"""The worker's background work: the scheduler and the outbox dispatcher, in one event loop.

`tally worker` runs them (beside the Discord gateway); `tally serve` runs them beside the HTTP
server in the same process.
"""

import asyncio
import logging
import signal
import uuid
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI

from bot import election, metrics, scheduler
from bot.delivery import Sender
from bot.http_server import TallyServer
from bot.outbox_dispatcher import Dispatcher
from bot.services.context import Context
from storage import outbox

log = logging.getLogger("tally")

# The dispatcher names of elected workers: at most one of them is alive, so a newly elected one
# may take back all such claims. Other dispatchers (`tally serve`'s) keep theirs until the lease ends.
ELECTED = "elected-"


async def run_worker(ctx: Context, senders: Iterable[Sender], *, stop: asyncio.Event, name: str | None = None) -> None:
    """Sends the outbox and runs the jobs until `stop` is set; messages in flight are finished."""
    dispatcher = Dispatcher(ctx, senders, name=name)
    loop = asyncio.get_running_loop()
    # Jobs run in threads; a job that queued messages wakes the dispatcher at once.
    sending = asyncio.create_task(dispatcher.run(stop))
    jobs = await scheduler.start(ctx, lambda: loop.call_soon_threadsafe(dispatcher.wake))
    log.info("worker: scheduler and outbox dispatcher running (%s)", ", ".join(dispatcher.senders) or "no chat platform")
    try:
        await sending
    finally:
        jobs.shutdown(wait=False)
        await _close(dispatcher.senders.values())


async def _close(senders: Iterable[Sender]) -> None:
    """Closes the HTTP sessions senders keep (Discord's), which asyncio would otherwise report on exit."""
    for sender in senders:
        close = getattr(sender, "close", None)
        if close is not None:
            await close()


async def _alone(main: Awaitable[None]) -> None:
    await main


async def work_until_signalled(ctx: Context, senders: Iterable[Sender],
                               beside: Callable[[Awaitable[None]], Awaitable[None]] = _alone) -> bool:
    """`tally worker`: runs until SIGINT or SIGTERM, once elected the active worker (PostgreSQL);
    `beside` runs the Discord gateway along. False when it stopped for losing the election's lock."""
    stop, lost = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    leader = await election.wait_until_elected(ctx.engine, stop)
    if leader is None:
        return True
    watching = asyncio.create_task(election.watch(leader, stop, lost))
    metrics.set_elected(True)
    try:
        if ctx.engine.dialect.name == "postgresql":
            await asyncio.to_thread(_take_back_claims, ctx)
        await beside(run_worker(ctx, senders, stop=stop, name=f"{ELECTED}{uuid.uuid4().hex[:8]}"))
    finally:
        metrics.set_elected(False)
        stop.set()
        await watching
        leader.resign()
    return not lost.is_set()


def _take_back_claims(ctx: Context) -> None:
    """Messages a dead predecessor was sending go out again now, not when their lease runs out."""
    with ctx.unit() as s:
        taken = outbox.take_back_claims(s, prefix=ELECTED)
    if taken:
        log.info("worker: %s message(s) the previous worker was sending will be sent again", taken)


async def serve_with_worker(app: FastAPI, ctx: Context, senders: Iterable[Sender], *, host: str, port: int) -> None:
    """`tally serve`: the HTTP server and the worker in one process, stopped together by SIGINT or
    SIGTERM; the worker starts finishing its sends as soon as the server starts shutting down."""
    stop = asyncio.Event()
    server = TallyServer(app, host=host, port=port, on_shutdown=stop.set)
    worker = asyncio.create_task(run_worker(ctx, senders, stop=stop))
    try:
        await server.serve()
    finally:
        stop.set()
        await worker
