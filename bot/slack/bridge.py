"""What every Slack listener shares: the service context, the clock, and a way to call services."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.services import replays
from bot.services.availability import or_unavailable
from bot.services.context import Context

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Bridge:
    ctx: Context
    clock: Clock = utc_now

    async def call(self, service: Callable, /, *args, **kwargs):
        """Services do blocking database work: on a worker thread, the event loop stays free to ack.
        While the database is away, the answer is the private DATABASE_DOWN refusal."""
        return await asyncio.to_thread(or_unavailable, service, *args, **kwargs)

    async def first_time(self, body: dict, *parts: str) -> bool:
        """False for a request Slack already sent (a replay of a signed request): drop it. The key
        is the request's trigger_id (and what it clicked); without one there is nothing to compare."""
        trigger = body.get("trigger_id")
        if not trigger:
            return True
        team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
        fresh = await self.call(replays.first_time, self.ctx, ":".join(("slack", team, trigger, *parts)), now=self.clock())
        return fresh is not False  # with the database away, the request's own answer says so
