"""The outbox dispatcher: sends what use cases wrote to the outbox, at the pace each platform allows.

Per channel, one message at a time and in order; channels in parallel, taken round-robin across
workspaces so one busy workspace does not hold up the rest. A row is claimed (committed) before
it is sent and settled after, so a second dispatcher never sends it too; a dispatcher that dies
mid-send leaves a claim that the next one takes over once the lease has run out.
"""

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain, zip_longest

from bot.delivery import Delivery, Sender
from bot.services import weekly
from bot.services.context import Context
from storage import outbox
from storage.outage import DatabaseUnavailable
from storage.tables import Outbox

log = logging.getLogger("tally.outbox")

# Slack allows about one message per second per channel; Discord's senders read their buckets
# from the X-RateLimit headers, so the dispatcher adds no pause of its own there.
PACE = {"slack": timedelta(seconds=1)}
# Longer than any one send may take (Slack's client gives up after 30 s, Discord's after 15 s), so a
# live claim never expires; short enough that Discord still knows the nonce of a message re-sent
# after a worker died mid-send, and hands that message back instead of posting it twice.
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 20
FIRST_BACKOFF = 2.0
MAX_BACKOFF = 15 * 60.0
POLL = 1.0
# On shutdown, sends in flight get this long to finish; the rest are handed back (see run).
GRACE = 1.0
CLAIM_EVERY = 0.05  # seconds: at most twenty claims a second

ChannelKey = tuple[str, int, str]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Outcome:
    row_id: int
    state: str  # sent | retry | failed
    detail: str = ""


def backoff(attempts: int, rng: random.Random) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling, capped, jittered so
    that messages which failed together do not all come back at the same instant."""
    ceiling = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(attempts - 1, 0))
    return rng.uniform(ceiling / 2, ceiling)


def round_robin(heads: list[outbox.Head]) -> list[outbox.Head]:
    """Heads interleaved by workspace: the first of each workspace, then the second of each, ..."""
    by_workspace: dict[tuple[str, int], list[outbox.Head]] = {}
    for head in heads:
        by_workspace.setdefault((head.platform, head.workspace_id), []).append(head)
    rounds = zip_longest(*by_workspace.values())
    return [head for head in chain.from_iterable(rounds) if head is not None]


def channel_of(row: Outbox | outbox.Head) -> ChannelKey:
    return (row.platform, row.workspace_id, row.channel)


def _log_crash(task: asyncio.Task) -> None:
    # A send that could not be settled stays claimed; the lease hands it out again later.
    if not task.cancelled() and task.exception() is not None and not isinstance(task.exception(), DatabaseUnavailable):
        log.error("outbox: a send could not be recorded", exc_info=task.exception())


class Dispatcher:
    def __init__(self, ctx: Context, senders: Iterable[Sender], *, clock: Callable[[], datetime] = utcnow,
                 pace: dict[str, timedelta] | None = None, max_in_flight: int = 64,
                 rng: random.Random | None = None, name: str | None = None) -> None:
        self.ctx, self.clock = ctx, clock
        self.senders = {sender.platform: sender for sender in senders}
        self.pace = PACE if pace is None else pace
        self.max_in_flight = max_in_flight
        self.rng = rng or random.Random()
        self.name = name or uuid.uuid4().hex[:12]
        self.ready_at: dict[ChannelKey, datetime] = {}  # a channel's next message may go from then
        self.in_flight: dict[ChannelKey, asyncio.Task] = {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New messages are waiting; call from the event loop's thread."""
        self._wake.set()

    async def step(self, now: datetime) -> list[Outcome]:
        """Sends everything that may go out as of `now` (one per channel) and waits for the sends."""
        rows = await self._claim(now)
        return list(await asyncio.gather(*(self._deliver(row) for row in rows)))

    async def run(self, stop: asyncio.Event, *, poll: float = POLL, grace: float = GRACE) -> None:
        """Until `stop` is set: claim, send in the background, sleep until something may be due.
        Then sends in flight get `grace` seconds; those still going are handed back (see _deliver)."""
        while not stop.is_set():
            began = asyncio.get_running_loop().time()
            try:
                for row in await self._claim(self.clock()):
                    task = asyncio.create_task(self._deliver(row))
                    task.add_done_callback(_log_crash)
                    self.in_flight[channel_of(row)] = task
            except DatabaseUnavailable:  # logged once for the whole outage
                pass
            except Exception:
                log.exception("outbox: claiming messages failed; trying again shortly")
            await self._idle(stop, poll)
            # Sends that finish close together are followed by one claim, not one each: finding
            # the channels' heads reads every waiting row, which adds up under a large backlog.
            await asyncio.sleep(max(0.0, began + CLAIM_EVERY - asyncio.get_running_loop().time()))
        await self._finish_or_hand_back(grace)

    async def _finish_or_hand_back(self, grace: float) -> None:
        # A platform may hold a send for up to 30 s, longer than a host waits before it kills
        # the process; a row left claimed would then wait out its lease before anyone sent it.
        if not self.in_flight:
            return
        _, slow = await asyncio.wait(list(self.in_flight.values()), timeout=grace)
        for task in slow:
            task.cancel()
        if slow:
            await asyncio.wait(slow)

    async def _idle(self, stop: asyncio.Event, poll: float) -> None:
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait([*waiters, *self.in_flight.values()], timeout=self._pause(poll),
                           return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        self._wake.clear()

    def _pause(self, poll: float) -> float:
        """Until the next paced channel is free again, or the next poll, whichever comes first."""
        now = self.clock()
        soonest = min((at for at in self.ready_at.values() if at > now), default=None)
        return poll if soonest is None else min(poll, max((soonest - now).total_seconds(), 0.01))

    async def _claim(self, now: datetime) -> list[Outbox]:
        # The database work runs in threads; choosing runs here, where the pacing state lives.
        free = self.max_in_flight - len(self.in_flight)
        if free <= 0 or not self.senders:
            return []
        found = await asyncio.to_thread(self._heads, now)
        chosen = [head.id for head in round_robin(found) if self._may_send(channel_of(head), now)][:free]
        return await asyncio.to_thread(self._take, chosen, now) if chosen else []

    def _heads(self, now: datetime) -> list[outbox.Head]:
        with self.ctx.unit() as s:
            return outbox.heads(s, platforms=sorted(self.senders), now=now, stale_before=now - LEASE,
                               limit=4 * self.max_in_flight)

    def _take(self, ids: list[int], now: datetime) -> list[Outbox]:
        token = f"{self.name}:{uuid.uuid4().hex[:12]}"
        with self.ctx.unit() as s:
            return outbox.claim(s, ids=ids, token=token, now=now, stale_before=now - LEASE)

    def _may_send(self, channel: ChannelKey, now: datetime) -> bool:
        ready = self.ready_at.get(channel)
        return channel not in self.in_flight and (ready is None or ready <= now)

    async def _deliver(self, row: Outbox) -> Outcome:
        channel = channel_of(row)
        try:
            try:
                delivery, reason = await self._send(row)
            except asyncio.CancelledError:
                await asyncio.shield(asyncio.to_thread(self._hand_back, row))
                raise
            outcome = await asyncio.to_thread(self._settle, row, delivery, reason, self.clock())
            # Set before the channel leaves in_flight, so its next message waits for the pause.
            self.ready_at[channel] = self.clock() + self._gap(row, delivery)
            return outcome
        finally:
            self.in_flight.pop(channel, None)

    async def _send(self, row: Outbox) -> tuple[Delivery, str]:
        await self._draw(row)
        try:
            delivery = await self.senders[row.platform].send(row)
        except Exception as error:  # a sender bug, a dropped connection, a full disk: the message is not lost
            log.warning("sending outbox row %s failed: %r", row.id, error)
            return Delivery(ok=False), repr(error)
        return delivery, delivery.permanent_error or "temporary failure"

    async def _draw(self, row: Outbox) -> None:
        """The chart the message shows; a chart that cannot be drawn is left out, the message still goes."""
        try:
            await asyncio.to_thread(weekly.draw_chart, self.ctx, row.payload)
        except Exception as error:
            log.warning("outbox row %s: its chart could not be drawn, so it goes without: %r", row.id, error)

    def _hand_back(self, row: Outbox) -> None:
        """Unclaims a row whose send was cut short, so the next dispatcher sends it at once."""
        with self.ctx.unit() as s:
            outbox.release(s, row_id=row.id, token=row.claimed_by)
        log.info("outbox: row %s handed back unsent at shutdown", row.id)

    def _gap(self, row: Outbox, delivery: Delivery) -> timedelta:
        """Pacing counts from the end of a send, so two requests never reach the platform closer."""
        gap = self.pace.get(row.platform, timedelta(0))
        return max(gap, timedelta(seconds=delivery.retry_after or 0))

    def _settle(self, row: Outbox, delivery: Delivery, reason: str, now: datetime) -> Outcome:
        with self.ctx.unit() as s:
            if delivery.ok:
                if not outbox.mark_sent(s, row_id=row.id, token=row.claimed_by, now=now, external_id=delivery.external_id):
                    log.warning("outbox row %s was sent after its claim ran out; it may be sent twice", row.id)
                outbox.set_channel_error(s, workspace_id=row.workspace_id, channel=row.channel, error=None)
                return Outcome(row.id, "sent")
            # A platform that says when to come back is believed however often; a failure
            # without a word (an exception, an unexplained error) is tried MAX_ATTEMPTS times.
            if delivery.permanent_error or (delivery.retry_after is None and row.attempts >= MAX_ATTEMPTS):
                return self._fail(s, row, delivery.permanent_error or f"gave up after {row.attempts} attempts: {reason}")
            wait = delivery.retry_after if delivery.retry_after is not None else backoff(row.attempts, self.rng)
            outbox.retry_at(s, row_id=row.id, token=row.claimed_by, at=now + timedelta(seconds=wait), error=reason)
            return Outcome(row.id, "retry", f"in {wait:.1f}s")

    def _fail(self, s, row: Outbox, error: str) -> Outcome:
        log.error("outbox row %s to %s failed for good: %s", row.id, row.channel, error)
        outbox.mark_failed(s, row_id=row.id, token=row.claimed_by, error=error)
        if not row.channel.startswith("@"):  # direct messages belong to no contract's channel
            outbox.set_channel_error(s, workspace_id=row.workspace_id, channel=row.channel, error=error)
        return Outcome(row.id, "failed", error)
