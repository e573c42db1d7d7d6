"""One active worker: the advisory lock elects one, a standby takes over when it goes, and a
newly elected worker sends at once what its predecessor was sending."""

import asyncio

import pytest

from bot import election
from storage import outbox
from storage.tables import Outbox
from tests.conftest import new_database, utc
from tests.outbox.fakes import queue_messages, rows

T0 = utc(2026, 11, 23, 12)


@pytest.fixture
def postgres(tmp_path):
    engine, cleanup = new_database("postgresql", tmp_path)
    yield engine
    engine.dispose()
    cleanup()


def test_one_worker_is_elected_and_the_standby_takes_over_when_it_goes(postgres):
    first = election.try_lead(postgres)
    second = election.try_lead(postgres)
    assert first is not None and second is None

    first.resign()
    third = election.try_lead(postgres)
    assert third is not None and third.holds()
    third.resign()


def test_deployments_in_schemas_of_their_own_each_elect_their_own_worker(postgres, tmp_path):
    other, cleanup = new_database("postgresql", tmp_path)
    try:
        here, there = election.try_lead(postgres), election.try_lead(other)
        assert here is not None and there is not None
        here.resign(), there.resign()
    finally:
        other.dispose()
        cleanup()


async def test_a_standby_waits_until_elected_and_stops_when_told(postgres):
    active = election.try_lead(postgres)
    stop = asyncio.Event()
    waiting = asyncio.create_task(election.wait_until_elected(postgres, stop, poll=0.05))
    await asyncio.sleep(0.2)
    assert not waiting.done()

    active.resign()
    leader = await asyncio.wait_for(waiting, 5)
    assert leader is not None
    stop.set()
    assert await election.wait_until_elected(postgres, stop) is None  # told to stop while standby
    leader.resign()


async def test_losing_the_lock_s_connection_stops_the_work(postgres):
    leader = election.try_lead(postgres)
    stop, lost = asyncio.Event(), asyncio.Event()
    watching = asyncio.create_task(election.watch(leader, stop, lost, every=0.05))
    leader.connection.invalidate()  # as when PostgreSQL restarts or the network drops

    await asyncio.wait_for(watching, 5)
    assert stop.is_set() and lost.is_set()


def test_sqlite_needs_no_election(tmp_path):
    engine, _ = new_database("sqlite", tmp_path)
    assert election.try_lead(engine).holds() and election.try_lead(engine) is not None


def test_a_new_leader_takes_back_a_dead_predecessor_s_claims(postgres, tmp_path):
    from bot.services.context import Context
    from storage.blobs import FolderBlobs

    ctx = Context(engine=postgres, blobs=FolderBlobs(tmp_path))
    first, second, served = queue_messages(ctx, T0, "C1", "C2", "C3")
    with ctx.unit() as s:
        outbox.claim(s, ids=[first], token="elected-dead:1", now=T0, stale_before=T0)
        outbox.claim(s, ids=[served], token="a-serve-process:1", now=T0, stale_before=T0)
    with ctx.unit() as s:
        assert outbox.take_back_claims(s, prefix="elected-") == 1
    after = rows(ctx)
    assert (after[first].status, after[first].claimed_by) == ("pending", None) and after[second].status == "pending"
    assert after[served].status == "sending"  # not an elected worker's claim: its lease decides
    assert isinstance(after[first], Outbox)
