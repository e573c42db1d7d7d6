"""A database from before paid marks upgrades in place: its closed weeks are owed as their dates
and reviews say (nothing was marked paid); going back a revision drops the marks with their table,
and upgrading again works."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.services import earnings, review
from bot.services.context import Context
from bot.services.views import pick_week
from storage.blobs import FolderBlobs
from storage.migrate import current_revision, downgrade, upgrade
from tests.conftest import new_database, utc
from tests.services.helpers import ALICE, BOB, hire, pair_device, work

MON = utc(2026, 11, 16, 9)
CLOSE = utc(2026, 11, 23, 12)
DUE = utc(2026, 12, 2, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path: Path):
    """A database of its own: this test takes the schema back a revision."""
    engine, cleanup = new_database(request.param, tmp_path)
    yield Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600)
    engine.dispose()
    cleanup()


def test_closed_weeks_of_an_older_database_are_owed_and_can_be_marked_paid(own_database):
    """Rule: docs/rules.md#earnings"""
    ctx = own_database
    hire(ctx, MON - timedelta(days=1), title="Docs")
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 6)
    review.close_week(ctx, 1, pick_week("2026-W47", "UTC", MON), now=CLOSE)
    review.approve_week(ctx, ALICE, now=CLOSE + timedelta(hours=1), week="2026-W47")
    downgrade(ctx.engine, "0008")
    assert "paid_mark" not in sa.inspect(ctx.engine).get_table_names()

    upgrade(ctx.engine)
    [owed] = earnings.show(ctx, ALICE, now=DUE).owed
    assert (owed.available, owed.paid) == (Decimal("40.00"), Decimal("0.00"))
    assert "marked paid: 40.00 USD" in earnings.mark_paid(ctx, ALICE, "2026-W47", now=DUE).text
    assert earnings.show(ctx, ALICE, now=DUE).owed[0].paid == Decimal("40.00")
    head = current_revision(ctx.engine)
    downgrade(ctx.engine, "0008")
    upgrade(ctx.engine)
    assert current_revision(ctx.engine) == head
    [owed] = earnings.show(ctx, ALICE, now=DUE).owed
    assert owed.available == Decimal("40.00")  # the marks went with the table: downgrading forgets them
