from datetime import UTC, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.services import links, manual
from storage import repo
from tests.api.world import ALICE, BOB, Clock, Slot, clock_in, hire, make_app, pair_agent, screenshot, upload

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def worked(ctx, clock) -> int:
    return work_a_wednesday(ctx, clock)


def work_a_wednesday(ctx, clock: Clock) -> int:
    """bob's Wednesday: 20 minutes of manual time at 09:00 and seven tracked slots from 10:00,
    under a one-hour weekly limit, so the last three are over it. Returns the contract id."""
    contract_id = hire(ctx, NOW - timedelta(days=2), limit_hours=1, window=True)
    token = pair_agent(ctx, NOW - timedelta(hours=3))
    session_id = clock_in(ctx, NOW - timedelta(hours=2), memo="landing page")
    with TestClient(make_app(ctx, clock)) as client:
        for i in range(7):
            start = NOW - timedelta(hours=2) + timedelta(minutes=10 * i)
            slot = Slot(session_id, start, active=3 + i, extra={"window": {"app": "Firefox", "title": "Pull request #12"}})
            assert upload(client, token, slot, screenshot(size=(1280, 800), seed=i)).status_code == 201
    manual.request(ctx, BOB, start=time(9), end=time(9, 20), day="2026-11-18", memo="planning call", now=NOW)
    with ctx.unit() as s:
        entry = repo.manual_entries(s, contract_id=contract_id)[0].id
    manual.decide(ctx, ALICE, entry, approve=True, now=NOW)
    return contract_id


def diary_path(ctx, member, contract_id: int, now: datetime = NOW) -> str:
    return links.diary_link(ctx, member, contract_id, now=now).url.removeprefix(ctx.public_url)


@pytest.fixture
def pages(ctx, clock):
    with TestClient(make_app(ctx, clock), follow_redirects=False) as client:
        yield client
