"""Instants read back fast stay the same instants: UTC, aware, whatever wrote them."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from storage.tables import Contract
from storage.types import read_repeated_sqlite_text, read_sqlite_text, read_sqlite_texts
from tests.conftest import utc
from tests.storage.test_storage import _contract


@pytest.mark.parametrize(("stored", "instant"), [
    ("2026-11-16 09:00:00.000000", utc(2026, 11, 16, 9)),  # as SQLAlchemy writes it
    ("2026-11-16 09:00:00", utc(2026, 11, 16, 9)),  # as SQLite's own datetime() writes it
    ("2026-11-16T10:30:00.250000+01:00", datetime(2026, 11, 16, 9, 30, 0, 250000, tzinfo=UTC)),  # with an offset of its own
    ("2026-11-16 09:00:00Z", utc(2026, 11, 16, 9)),
])
def test_sqlite_text_is_read_as_the_utc_instant_it_names(stored, instant):
    for read in (read_sqlite_text, read_repeated_sqlite_text):
        got = read(stored)
        assert got == instant and got.tzinfo is UTC
    assert read_sqlite_text(None) is None
    # in bulk, beside values without an offset and missing ones
    assert read_sqlite_texts(["2026-11-16 09:00:00.000000", None, stored]) == [utc(2026, 11, 16, 9), None, instant]


def test_instants_written_by_the_database_itself_come_back_aware_in_utc(ctx):
    with ctx.unit() as s:
        contract = _contract(s)
        stamp = "datetime('2026-11-16 09:00:00')" if ctx.engine.dialect.name == "sqlite" else "TIMESTAMPTZ '2026-11-16 10:00:00+01'"
        s.execute(text(f"UPDATE contract SET created_at = {stamp} WHERE id = :id"), {"id": contract.id})
    with ctx.unit() as s:
        created = s.scalar(select(Contract.created_at).where(Contract.id == contract.id))
        assert created == utc(2026, 11, 16, 9) and created.tzinfo is UTC
