"""A slot's tracked minutes (those inside its session) are kept at ingest and filled in for slots
recorded before they were kept: the week's activity is the same either way."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.services import closing, ingest, sessions
from bot.services.context import Context
from diary.protocol import MinuteCounts, SlotReport
from storage.blobs import FolderBlobs
from storage.migrate import downgrade, upgrade
from storage.tables import Outbox, Slot
from tests.conftest import new_database, utc
from tests.services.helpers import BOB, hire, pair_device, running_session_id

MON = utc(2026, 11, 16, 9, 5)  # clocked in five minutes into the 9:00 slot
AFTER_DEADLINE = utc(2026, 11, 23, 13)


def clocked_in_mid_slot(ctx) -> None:
    """One slot: the agent sends its first five minutes as null (before the clock-in), then three
    active minutes and two quiet ones: 3 active of 5 tracked is 60 % activity."""
    hire(ctx, MON - timedelta(days=1))
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="work", now=MON)
    start = utc(2026, 11, 16, 9)
    minutes = [None] * 5 + [MinuteCounts(keys=4, mouse=2)] * 3 + [MinuteCounts()] * 2
    slot = SlotReport(session_id=running_session_id(ctx), slot_start=start, minutes=minutes, screenshot_at=start + timedelta(minutes=7))
    ingest.record_slot(ctx, device, slot, None, now=start + timedelta(minutes=10))
    sessions.clock_out(ctx, BOB, now=start + timedelta(minutes=10))


def tracked(ctx) -> list[int]:
    with ctx.unit() as s:
        return list(s.exec(select(Slot.tracked_minutes)))


def review_text(ctx) -> str:
    closing.close_due(ctx, now=AFTER_DEADLINE)
    with ctx.unit() as s:
        return str(s.exec(select(Outbox.payload).where(Outbox.kind == "review")).one())


def test_ingest_keeps_the_minutes_inside_the_session(ctx):
    clocked_in_mid_slot(ctx)
    assert tracked(ctx) == [5]
    assert "activity 60%" in review_text(ctx)


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path: Path):
    """A database of its own: this test takes the schema back a revision."""
    engine, cleanup = new_database(request.param, tmp_path)
    yield Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600)
    engine.dispose()
    cleanup()


def test_the_upgrade_fills_them_in_for_slots_recorded_before(own_database):
    ctx = own_database
    clocked_in_mid_slot(ctx)
    downgrade(ctx.engine, "0002")
    upgrade(ctx.engine)
    assert tracked(ctx) == [5]
    assert "activity 60%" in review_text(ctx)
