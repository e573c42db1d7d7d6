"""What every Slack listener shares: the service context, the clock, and a way to call services."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

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
