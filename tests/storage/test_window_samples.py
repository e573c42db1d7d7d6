"""The per-minute window samples' revision: slots recorded before it keep their one window, which
the apps report counts for the whole slot, and going back and forth loses nothing else.

Rule: docs/rules.md#apps
"""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.services import apps, ingest, sessions
from bot.services.context import Context
from diary.protocol import WindowInfo
from diary.weeks import week_of
from storage.blobs import FolderBlobs
from storage.migrate import downgrade, upgrade
from storage.tables import Contract, Slot
from tests.conftest import new_database, utc
from tests.services.helpers import BOB, hire, pair_device, report, running_session_id

MON = utc(2026, 11, 16, 9)


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path: Path):
    """A database of its own: this test takes the schema back a revision."""
    engine, cleanup = new_database(request.param, tmp_path)
    yield Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600)
    engine.dispose()
    cleanup()


def test_slots_from_before_the_samples_count_their_one_window_for_the_whole_slot(own_database):
    ctx = own_database
    contract_id = hire(ctx, MON - timedelta(days=1), window=True)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="work", now=MON)
    slot = report(running_session_id(ctx), MON).model_copy(update={"window": WindowInfo(app="code", title="main.py")})
    ingest.record_slot(ctx, device, slot, None, now=MON + timedelta(minutes=10))
    downgrade(ctx.engine, "0009")
    upgrade(ctx.engine)
    with ctx.unit() as s:
        row = s.exec(select(Slot)).one()
        assert (row.windows, row.window_app, row.window_title) == (None, "code", "main.py")
        tally = apps.build_apps(s, ctx, s.get(Contract, contract_id), week_of(MON, "UTC")).tally
    assert [(a.app, a.seconds, [t.title for t in a.titles]) for a in tally.apps] == [("code", 600, ["main.py"])]
    assert tally.unrecorded == 0
