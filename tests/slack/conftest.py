"""Fixtures: the fake Slack (one per run), the real Slack app served by uvicorn per test, and\nthe steps of a contract's story that several tests share."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlmodel import select

from bot.services import devices, ingest, sessions
from bot.services.actors import Actor
from bot.settings import Settings
from bot.slack.app import slack_sender
from bot.slack.http import mount
from diary.protocol import MinuteCounts, PairRequest, SlotReport
from storage.tables import Outbox, WorkSession
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.harness import ALICE, BOB, CHANNEL, SECRET, Clock, SlackSide, serve

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # week 2026-W47


@pytest.fixture(scope="session")
def fake():
    server = FakeSlack()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_fake(fake):
    fake.reset()


def slack_settings(fake: FakeSlack, **more) -> Settings:
    values = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
              "SLACK_APP_TOKEN": None, **more}
    return Settings(_env_file=None, **values)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def slack(ctx, fake, clock):
    app = FastAPI()
    mount(app, ctx, slack_settings(fake), clock=clock)
    with serve(app) as url:
        yield SlackSide(url, fake)


def deliver(ctx, fake, clock: Clock) -> list[dict]:
    """The outbox dispatcher's part, done by hand: every pending Slack row through the sender."""
    sender, posted = slack_sender(ctx, slack_settings(fake)), []
    with ctx.unit() as s:
        rows = list(s.exec(select(Outbox).where(Outbox.platform == "slack", Outbox.status == "pending").order_by(Outbox.id)))
        for row in rows:
            delivery = asyncio.run(sender.send(row))
            assert delivery.ok, delivery
            row.status, row.sent_at = "sent", clock()
            posted.append(fake.messages[delivery.external_id])
    return posted


def hire(slack, *options: str) -> None:
    """Alice, in the contract channel, hires Bob by slash command."""
    slack.ask(ALICE, "contract", " ".join([f"new {BOB.mention} rate=40", *options]))


def bob_actor() -> Actor:
    return Actor("slack", TEAM, BOB.id, BOB.name, CHANNEL)


def work_an_hour(ctx, start) -> None:
    """Bob's agent reports six full slots from `start`."""
    code = devices.issue_code(ctx, bob_actor(), now=start).code
    token = devices.pair(ctx, PairRequest(code=code, device_name="laptop", os="linux", agent_version="1"), now=start).token
    device = devices.authenticate(ctx, token, now=start)
    sessions.clock_in(ctx, bob_actor(), memo="API", now=start)
    with ctx.unit() as s:
        session_id = s.exec(select(WorkSession)).one().id
    for i in range(6):
        slot = start + timedelta(minutes=10 * i)
        minutes = [MinuteCounts(keys=2) if m < 7 else MinuteCounts() for m in range(10)]
        report = SlotReport(session_id=session_id, slot_start=slot, minutes=minutes, screenshot_at=slot + timedelta(minutes=5))
        ingest.record_slot(ctx, device, report, None, now=slot + timedelta(minutes=10))
    sessions.clock_out(ctx, bob_actor(), now=start + timedelta(hours=1))
