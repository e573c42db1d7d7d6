"""A running bot against the fake Discord, a clock the test sets, and the outbox delivered by the dispatcher."""

import asyncio
import logging
from datetime import datetime

import pytest
from sqlmodel import select

from bot.discord.bot import build_bot
from bot.discord.sender import DiscordSender
from bot.outbox_dispatcher import Dispatcher
from bot.settings import Settings
from storage.tables import Outbox
from tests.conftest import utc
from tests.discord.fake import TOKEN, FakeDiscord
from tests.discord.talk import Discord

WEDNESDAY = utc(2026, 11, 18, 15)  # in week 2026-W47


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def settings_for(fake: FakeDiscord) -> Settings:
    return Settings(_env_file=None, DISCORD_TOKEN=TOKEN, DISCORD_API_URL=fake.api_url, DISCORD_GATEWAY_URL=fake.gateway_url)


@pytest.fixture(autouse=True)
def nothing_goes_wrong_unseen(caplog):
    """discord.py logs a failing handler instead of raising it: any error logged fails the test."""
    yield
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY)


@pytest.fixture
async def fake():
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


async def run_bot(ctx, fake: FakeDiscord, clock: Clock, **options):
    """Starts a bot and waits until it has connected and registered its commands."""
    before = fake.syncs
    bot = build_bot(ctx, settings_for(fake), clock=clock, guild_ready_timeout=0.01, **options)
    task = asyncio.create_task(bot.start(TOKEN))
    await fake.wait_for(lambda: fake.syncs > before)
    return bot, task


@pytest.fixture
async def running(ctx, fake, clock):
    """The bot, running against the fake Discord."""
    bot, task = await run_bot(ctx, fake, clock)
    yield bot
    await bot.close()
    await task


@pytest.fixture
def discord(fake, running) -> Discord:
    """People on the Discord where the bot runs."""
    return Discord(fake)


@pytest.fixture
async def sender(ctx, fake):
    out = DiscordSender(TOKEN, ctx.blobs, api_url=fake.api_url)
    yield out
    await out.close()


def pending(ctx) -> list[Outbox]:
    with ctx.unit() as s:
        return list(s.exec(select(Outbox).where(Outbox.platform == "discord", Outbox.status == "pending").order_by(Outbox.id)))


async def deliver(ctx, sender: DiscordSender, fake: FakeDiscord, now: datetime) -> list[dict]:
    """Sends every pending outbox message through the real dispatcher; returns what Discord got."""
    before = len(fake.channel_messages)
    dispatcher = Dispatcher(ctx, [sender], clock=lambda: now)
    while pending(ctx):
        outcomes = await dispatcher.step(now)
        assert outcomes and all(o.state == "sent" for o in outcomes), outcomes
    return fake.channel_messages[before:]
