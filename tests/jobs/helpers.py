"""Shared steps of the job tests: sending the whole outbox, and rows by kind."""

from datetime import datetime

from bot.outbox_dispatcher import Dispatcher
from tests.outbox.fakes import Clock, FakeSender


async def deliver(ctx, now: datetime, sender: FakeSender | None = None) -> FakeSender:
    """Sends every message due as of `now`, a second apart per channel as Slack wants."""
    sender = sender or FakeSender()
    clock = Clock(now)
    sending = Dispatcher(ctx, [sender], clock=clock)
    while await sending.step(clock.now):
        clock.advance(seconds=1)
    return sender
