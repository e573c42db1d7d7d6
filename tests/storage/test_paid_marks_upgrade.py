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


def test_marks_of_a_database_from_before_undo_stand_and_can_be_taken_back(own_database):
    """Rule: docs/rules.md#earnings"""
    ctx = own_database
    hire(ctx, MON - timedelta(days=1), title="Docs")
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 6)
    review.close_week(ctx, 1, pick_week("2026-W47", "UTC", MON), now=CLOSE)
    review.approve_week(ctx, ALICE, now=CLOSE + timedelta(hours=1), week="2026-W47")
    downgrade(ctx.engine, "0011")
    with ctx.engine.begin() as db:  # a mark made by the release before: no undo columns yet
        db.execute(sa.text("INSERT INTO paid_mark (contract_id, week_start, seq, amount, currency, paid_at, by_member_id) "
                           "VALUES (1, '2026-11-16', 1, 40.00, 'USD', :at, 1)"), {"at": DUE})

    upgrade(ctx.engine)
    assert earnings.show(ctx, ALICE, now=DUE).owed[0].paid == Decimal("40.00")  # the old mark stands
    with ctx.engine.connect() as db:
        old = db.execute(sa.text("SELECT id FROM paid_mark")).scalar_one()
    assert "is owed again" in earnings.undo_paid(ctx, ALICE, old, now=DUE).text
    assert earnings.show(ctx, ALICE, now=DUE).owed[0].paid == Decimal("0.00")
    assert "marked paid" in earnings.mark_paid(ctx, ALICE, "2026-W47", now=DUE).text  # seq 2: the undone mark keeps 1

    downgrade(ctx.engine, "0011")  # the mark taken back must not come back as paid
    with ctx.engine.connect() as db:
        assert db.execute(sa.text("SELECT seq FROM paid_mark")).scalars().all() == [2]
    upgrade(ctx.engine)
    assert earnings.show(ctx, ALICE, now=DUE).owed[0].paid == Decimal("40.00")
