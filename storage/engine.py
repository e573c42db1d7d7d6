"""Engine factory: nothing is created at import time; callers pass the URL they were given."""

import os
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlmodel import Session, create_engine

from storage.sqlite_turns import connection_class

__all__ = ["Connection", "Engine", "default_sqlite_url", "in_memory", "make_engine", "session", "url_of"]

CONNECT_TIMEOUT = 5  # seconds


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'tally.sqlite3'}"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo)
    # A server that does not answer is given up on after connect_timeout, so requests are answered
    # "unavailable" (see outage.py) instead of hanging.
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT})


def _sqlite_engine(url: str, echo: bool) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        _private_file(Path(path))
    # Writers of this process queue for their turn instead of polling a locked database (sqlite_turns).
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30,
                                                         "factory": connection_class()})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _private_file(path: Path) -> None:
    """The database readable by its owner only: its folder 0700 when made here, the file 0600.
    SQLite gives its WAL and shared-memory files the database file's mode."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        # Never open and close an existing database file here: closing any descriptor of it drops
        # the POSIX locks SQLite holds in this process, and another process would then rebuild the
        # WAL index under the open connections (lost writes, "disk I/O error").
        os.chmod(path, 0o600)  # also a database made before this rule, world-readable


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the one writer; busy_timeout queues writers instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session(engine: Engine) -> Session:
    """A unit of work; `expire_on_commit=False` keeps returned rows readable after commit."""
    return Session(engine, expire_on_commit=False)


def in_memory(engine: Engine) -> bool:
    """A database only this process can see (SQLite in memory)."""
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


def url_of(engine: Engine) -> str:
    """The engine's URL with its password, for a helper process that opens its own engine."""
    return engine.url.render_as_string(hide_password=False)
