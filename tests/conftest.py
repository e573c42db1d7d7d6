"""Shared fixtures: every storage-backed test runs on SQLite and on the PostgreSQL server.

Each pytest process works in its own PostgreSQL schema, so two runs at once do not collide.
"""

import os
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.services.context import Context
from storage.blobs import FolderBlobs
from storage.engine import make_engine
from storage.migrate import upgrade
from sqlmodel import SQLModel

PG_URL = os.environ.get("TALLY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_engine():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    return engine, lambda: _drop_schema(admin, schema)


def _drop_schema(admin, schema: str) -> None:
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def new_database(kind: str, folder):
    """(engine, cleanup) of an empty, migrated database: a SQLite file in `folder`, or a
    PostgreSQL schema of its own."""
    if kind == "sqlite":
        engine, cleanup = make_engine(f"sqlite:///{folder / 'test.sqlite3'}"), lambda: None
    else:
        engine, cleanup = _postgres_engine()
    upgrade(engine)
    return engine, cleanup


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    engine, cleanup = new_database(request.param, tmp_path_factory.mktemp("db"))
    yield engine
    engine.dispose()
    cleanup()


def _empty(engine) -> None:
    # PostgreSQL's autovacuum may hold a table that TRUNCATE wants; the server then picks one of
    # the two as a deadlock victim. Emptying the tables is safe to try again.
    for attempt in range(5):
        try:
            return _empty_once(engine)
        except OperationalError as error:
            if attempt == 4 or "deadlock" not in str(error):
                raise


def _empty_once(engine) -> None:
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def ctx(engine, tmp_path) -> Context:
    """A service context on an empty database, with screenshots in a temporary folder."""
    _empty(engine)
    return Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600, public_url="http://tally.test")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def private_postgres():
    """A PostgreSQL cluster of the test module's own, which it may stop and start (see private_postgres.py)."""
    from tests.private_postgres import own_cluster

    yield from own_cluster()
