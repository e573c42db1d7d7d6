"""Upgrading keeps every closed week exactly as it was shown: its books are filled in from what the
timesheet showed just before, even where the stored review statement had drifted from it."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from bot import jobs
from bot.services import contracts, views, weekly
from bot.services.context import Context
from storage.blobs import FolderBlobs
from storage.migrate import downgrade, upgrade
from storage.tables import WeekReview
from tests.conftest import new_database, utc
from tests.services.helpers import ALICE, BOB, hire, pair_device, ref, work

MON = utc(2026, 11, 16, 9)
IN_REVIEW = utc(2026, 11, 24, 9)


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path: Path):
    """A database of its own: this test takes the schema back a revision."""
    engine, cleanup = new_database(request.param, tmp_path)
    yield Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600)
    engine.dispose()
    cleanup()


def shown(ctx) -> tuple:
    sheet = views.timesheet(ctx, ALICE, now=IN_REVIEW, week="2026-W47", other=ref(BOB))
    day = views.day_diary(ctx, ALICE, now=IN_REVIEW, day="2026-11-16", other=ref(BOB))
    return sheet.statement, sheet.days, sheet.status, day.counted_minutes, [row.cells for row in day.rows]


def test_an_upgrade_keeps_the_closed_weeks_as_they_were_shown(own_database):
    ctx = own_database
    hire(ctx, MON, limit_hours=Decimal("40"))
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)
    jobs.week_close(ctx, now=utc(2026, 11, 23, 12))
    with ctx.engine.begin() as conn:  # as closed before weeks kept their books
        conn.execute(WeekReview.__table__.update().values(books=None))
    contracts.set_rate(ctx, ALICE, Decimal("45"), now=MON + timedelta(days=1))  # shown at 45 since: the old code priced live
    before = shown(ctx)
    assert before[0].total == Decimal("90.00")
    downgrade(ctx.engine, "0003")
    upgrade(ctx.engine)
    assert weekly.keep_books_of_closed_weeks(ctx, batch=1) == 1
    assert weekly.keep_books_of_closed_weeks(ctx) == 0
    contracts.set_rate(ctx, ALICE, Decimal("99"), now=IN_REVIEW)
    assert shown(ctx) == before
    with ctx.unit() as s:
        assert s.exec(select(WeekReview)).one().statement["total"] == "90.00"
