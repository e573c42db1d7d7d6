"""The database being away (restarted, failed over, unreachable) told apart from every other error,
and one log line when it goes and one when it is back, however many requests hit it meanwhile.

Everything else is answered from the outage: the agent API with 503 and Retry-After (the agent
keeps its slots and sends them again), chat with a private sentence, /healthz with 503.
"""

import logging
import threading
import time

from sqlalchemy.exc import DBAPIError

log = logging.getLogger("tally.database")

RETRY_AFTER_SECONDS = 30
# SQLSTATE: class 08 is "connection exception"; 57P01-57P03 are the server shutting down or
# starting up. A psycopg error without a SQLSTATE never reached a server.
UNAVAILABLE_STATES = ("57P01", "57P02", "57P03")
SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")


class DatabaseUnavailable(Exception):
    """Raised instead of a driver's error when the database cannot be reached."""


def is_unavailable(error: BaseException) -> bool:
    if isinstance(error, DatabaseUnavailable):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    return _driver_says_unavailable(error.orig)


def _driver_says_unavailable(orig: BaseException | None) -> bool:
    module = type(orig).__module__
    if module.startswith("psycopg"):
        state = getattr(orig, "sqlstate", None)
        if state is None:
            return type(orig).__name__ in ("OperationalError", "InterfaceError")
        return state.startswith("08") or state in UNAVAILABLE_STATES
    if module == "sqlite3":
        return type(orig).__name__ == "OperationalError" and str(orig).lower().startswith(SQLITE_UNAVAILABLE)
    return False


def reason(error: BaseException) -> str:
    """The driver's first line: "connection refused", "terminating connection due to administrator command"."""
    orig = getattr(error, "orig", None) or error.__cause__ or error
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]


class Outage:
    """Whether the database is away, as the last attempt found it; logs each change once."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.since: float | None = None  # when this outage began; None while the database answers
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException) -> DatabaseUnavailable:
        """Notes a failed attempt; returns the error to raise in its place."""
        with self._lock:
            first, self.since = self.since is None, self.since if self.since is not None else self.clock()
        if first:
            log.warning("database unavailable (%s); agents are told to retry, chat to try again in a minute", reason(error))
        return DatabaseUnavailable(reason(error))

    def answered(self) -> None:
        """Notes a successful attempt; the first after an outage ends it."""
        if self.since is None:  # the common case, without the lock
            return
        with self._lock:
            since, self.since = self.since, None
        if since is not None:
            log.info("database is back after %.0f s", self.clock() - since)
