"""Which database errors mean "the database is away", and one log line per outage each way."""

import logging
import sqlite3

import psycopg
from sqlalchemy.exc import OperationalError

from storage.outage import DatabaseUnavailable, Outage, is_unavailable


def wrapped(orig: Exception, *, invalidated: bool = False) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


def test_a_lost_or_refused_connection_is_an_outage_and_a_slow_query_or_busy_file_is_not():
    assert is_unavailable(wrapped(psycopg.OperationalError("connection refused")))
    assert is_unavailable(wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")))
    assert is_unavailable(wrapped(Exception("server closed the connection"), invalidated=True))
    assert is_unavailable(DatabaseUnavailable("down"))
    assert not is_unavailable(wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")))
    assert not is_unavailable(wrapped(sqlite3.OperationalError("database is locked")))
    assert is_unavailable(wrapped(sqlite3.OperationalError("unable to open database file")))
    assert not is_unavailable(ValueError("not a database error"))


def test_each_outage_is_logged_once_when_it_begins_and_once_when_it_ends(caplog):
    ticks = iter([100.0, 115.0])
    outage = Outage(clock=lambda: next(ticks))
    error = wrapped(psycopg.OperationalError("connection refused"))
    with caplog.at_level(logging.INFO, logger="tally.database"):
        outage.answered()
        raised = [outage.failed(error) for _ in range(50)]
        assert outage.down
        outage.answered()
        outage.answered()
    assert all(isinstance(e, DatabaseUnavailable) for e in raised) and not outage.down
    assert [r.getMessage() for r in caplog.records] == [
        "database unavailable (connection refused); agents are told to retry, chat to try again in a minute",
        "database is back after 15 s",
    ]
