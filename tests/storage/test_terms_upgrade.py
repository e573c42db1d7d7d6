"""A database from before terms were kept with the instant they take effect upgrades in place:
every term gets its history, and every week bills as the code before billed it — rate and limit
by the week they changed in, every other term at its last value."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.services import review, views
from bot.services.weekly import keep_books_of_closed_weeks
from bot.services.context import Context
from diary.contract_terms import HISTORY
from storage.blobs import FolderBlobs
from storage.migrate import downgrade, upgrade
from storage.tables import ContractChange
from storage.types import UTCDateTime
from tests.conftest import new_database, utc
from tests.services.helpers import ALICE, BOB, hire, pair_device, ref, work

MON = utc(2026, 11, 16, 9)
WED = utc(2026, 11, 18, 9)
EDIT_DEADLINE = utc(2026, 11, 23, 12)
IN_REVIEW = utc(2026, 11, 24, 9)

# contract_change as revision 0003 had it: no effective_at
OLD_CHANGE = sa.table("contract_change", sa.column("contract_id", sa.Integer), sa.column("at", UTCDateTime),
                      sa.column("field", sa.String), sa.column("value", sa.String))
CONTRACT = sa.table("contract", sa.column("weekly_payment", sa.Numeric))


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path: Path):
    """A database of its own: this test takes the schema back a revision."""
    engine, cleanup = new_database(request.param, tmp_path)
    yield Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600)
    engine.dispose()
    cleanup()


def as_before(ctx) -> None:
    """The history as the code before kept it: rate, limit and status at the instant decided,
    settings under their column names, and nothing else."""
    downgrade(ctx.engine, "0003")
    with ctx.engine.begin() as conn:
        conn.execute(OLD_CHANGE.delete().where(OLD_CHANGE.c.field.notin_(("rate", "limit", "status"))))
        conn.execute(OLD_CHANGE.insert(), [
            {"contract_id": 1, "at": WED, "field": "rate", "value": "30.00"},  # a cut: next week
            {"contract_id": 1, "at": WED, "field": "limit", "value": None},  # a raise to no limit: this week
            {"contract_id": 1, "at": WED, "field": "weekly_payment", "value": "100.00"},  # applied to every week
        ])
        conn.execute(CONTRACT.update().values(weekly_payment=Decimal("100")))


def sheet(ctx, now, week=None):
    return views.timesheet(ctx, ALICE, now=now, week=week, other=ref(BOB))


@pytest.mark.parametrize("undo", [False, True])
def test_the_upgrade_backfills_every_terms_history_and_bills_each_week_as_before(own_database, undo):
    ctx = own_database
    hire(ctx, MON - timedelta(days=1), weekly_payment=Decimal("500"), limit_hours=Decimal("1"))
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)
    review.close_week(ctx, 1, views.pick_week("2026-W47", "UTC", MON), now=EDIT_DEADLINE)
    review.approve_week(ctx, ALICE, now=IN_REVIEW, week="2026-W47")
    as_before(ctx)
    upgrade(ctx.engine)
    if undo:  # down and up again: the same
        downgrade(ctx.engine, "0004")
        upgrade(ctx.engine)
    keep_books_of_closed_weeks(ctx)  # as `tally db upgrade` does after the migrations

    with ctx.unit() as s:
        kept = list(s.exec(select(ContractChange).order_by(ContractChange.id)))
    assert {term.name for term in HISTORY} <= {c.field for c in kept}
    assert [(c.field, c.value) for c in kept if c.field in ("weekly", "old:weekly_payment", "min", "manual")] == [
        ("old:weekly_payment", "100.00"), ("weekly", "100.00"), ("min", None), ("manual", "on")]
    billed = sheet(ctx, IN_REVIEW, "2026-W47").statement
    # rate and limit as the old rule read them: the raise to no limit this week, the cut of the rate from the next
    assert (billed.rate, billed.over_limit_minutes, billed.weekly_payment, billed.total) == (
        Decimal("40"), 0, Decimal("100.00"), Decimal("180.00"))
    assert sheet(ctx, IN_REVIEW).statement.rate == Decimal("30")
