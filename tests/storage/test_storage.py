"""Storage on both databases: the migrations match the tables, instants stay UTC, slots stay unique."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel

from storage import outbox, repo
from storage.blobs import FolderBlobs
from storage.engine import make_engine
from storage.tables import Contract, Outbox, Slot
from tests.conftest import utc


def test_the_migrations_build_exactly_the_tables_the_code_declares(ctx):
    with ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata)
    assert diff == []


def _contract(s) -> Contract:
    ws = repo.workspace(s, platform="shell", external_id="local")
    alice = repo.member(s, workspace_id=ws.id, external_id="alice", name="alice")
    bob = repo.member(s, workspace_id=ws.id, external_id="bob", name="bob")
    contract = Contract(workspace_id=ws.id, channel_id="#general", client_id=alice.id, freelancer_id=bob.id,
                        rate=Decimal("40.50"), start_day=utc(2026, 11, 16).date(), created_at=utc(2026, 11, 16))
    s.add(contract)
    s.flush()
    return contract


def test_instants_come_back_aware_in_utc_and_money_exact(ctx):
    berlin = timezone(timedelta(hours=1))
    with ctx.unit() as s:
        contract = _contract(s)
        s.add(Slot(contract_id=contract.id, start=datetime(2026, 11, 16, 11, 0, tzinfo=berlin), received_at=utc(2026, 11, 16, 10, 10)))
    with ctx.unit() as s:
        slot = repo.slot_at(s, contract_id=contract.id, start=utc(2026, 11, 16, 10))
        assert slot.start == utc(2026, 11, 16, 10) and slot.start.tzinfo is not None
        assert s.get(Contract, contract.id).rate == Decimal("40.50")


def test_a_naive_instant_is_refused(ctx):
    with pytest.raises(StatementError):
        with ctx.unit() as s:
            contract = _contract(s)
            s.add(Slot(contract_id=contract.id, start=datetime(2026, 11, 16, 10), received_at=utc(2026, 11, 16)))


def test_one_slot_per_contract_and_start(ctx):
    with ctx.unit() as s:
        contract = _contract(s)
        s.add(Slot(contract_id=contract.id, start=utc(2026, 11, 16, 10), received_at=utc(2026, 11, 16)))
    with pytest.raises(IntegrityError):
        with ctx.unit() as s:
            s.add(Slot(contract_id=contract.id, start=utc(2026, 11, 16, 10), received_at=utc(2026, 11, 16)))


def test_outbox_dedupe_keys_add_a_message_once(ctx):
    def message(contract):
        return Outbox(dedupe_key="review:1:2026-W47", platform="shell", workspace_id=contract.workspace_id, channel="#general",
                      kind="review", payload={"text": "hi"}, next_attempt_at=utc(2026, 11, 23), created_at=utc(2026, 11, 23))

    with ctx.unit() as s:
        contract = _contract(s)
        assert outbox.add_message(s, message(contract)) is True
    with ctx.unit() as s:
        assert outbox.add_message(s, message(contract)) is False


def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x' / 'db.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_folder_blobs_store_read_and_delete_and_keep_inside_their_folder(tmp_path):
    blobs = FolderBlobs(tmp_path)
    blobs.put("1/2026/11/16/100000-ab.webp", b"image", "image/webp")
    assert blobs.get("1/2026/11/16/100000-ab.webp") == b"image"
    blobs.delete("1/2026/11/16/100000-ab.webp")
    assert blobs.get("1/2026/11/16/100000-ab.webp") is None
    with pytest.raises(ValueError):
        blobs.put("../escape", b"x", "image/png")

