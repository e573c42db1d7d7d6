from datetime import UTC, datetime

import pytest

from tests.api.world import Clock, client_for, clock_in, hire, pair_agent

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday, in week 2026-W47


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def api(ctx, clock):
    with client_for(ctx, clock) as client:
        yield client


@pytest.fixture
def agent(ctx):
    """bob's device token, on a contract with alice (bob is not clocked in)."""
    hire(ctx, NOW)
    return pair_agent(ctx, NOW)


@pytest.fixture
def session_id(ctx, agent) -> int:
    return clock_in(ctx, NOW)
