"""One active worker per deployment: a PostgreSQL advisory lock elects it (docs: README, "Running
at scale"). A second `tally worker` waits as a standby and takes over within a second or two of
the active one's end, however it ended: PostgreSQL drops a session's locks when its connection
goes, which a killed process's does at once.

On SQLite there is one machine and one process: nothing to elect.
"""

import asyncio
import logging
from contextlib import suppress

from sqlalchemy import Connection, Engine, text

log = logging.getLogger("tally")

# The lock's two keys: a constant for Tally's workers, and the schema, so deployments sharing a
# database in schemas of their own each elect their own worker.
LOCK = text("SELECT pg_try_advisory_lock(74716, hashtext(current_schema()))")
POLL_SECONDS = 1.0
CHECK_SECONDS = 2.0


class Leadership:
    """The connection that holds the lock; the lock lasts as long as it does."""

    def __init__(self, connection: Connection | None) -> None:
        self.connection = connection

    def holds(self) -> bool:
        if self.connection is None:
            return True
        try:
            self.connection.execute(text("SELECT 1"))
        except Exception:  # the connection is gone, and the lock with it
            return False
        return True

    def resign(self) -> None:
        if self.connection is not None:
            with suppress(Exception):
                self.connection.close()  # closing the session releases its advisory locks


def try_lead(engine: Engine) -> Leadership | None:
    if engine.dialect.name != "postgresql":
        return Leadership(None)
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    connection.detach()  # its own session, never handed back to the pool: closing it ends the lock
    try:
        if connection.execute(LOCK).scalar():
            return Leadership(connection)
    except Exception:
        connection.close()
        raise
    connection.close()
    return None


async def wait_until_elected(engine: Engine, stop: asyncio.Event, *, poll: float = POLL_SECONDS) -> Leadership | None:
    """The leadership once this process has it; None if `stop` is set first."""
    said = False
    while not stop.is_set():
        try:
            leader = await asyncio.to_thread(try_lead, engine)
        except Exception as error:  # the database is away: keep trying, as a standby would
            log.warning("worker: cannot reach the database to elect the active worker (%s); trying again", error)
            leader = None
        if leader is not None:
            if said:
                log.info("worker: the active worker stopped; this one takes over")
            return leader
        if not said:
            log.info("worker: standby — another worker is active; this one takes over when it stops")
            said = True
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll)
    return None


async def watch(leader: Leadership, stop: asyncio.Event, lost: asyncio.Event, *, every: float = CHECK_SECONDS) -> None:
    """Stops the work when the lock's connection is lost: a standby may be active by now."""
    while not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        if not stop.is_set() and not await asyncio.to_thread(leader.holds):
            log.error("worker: lost the database connection that made this the active worker; stopping")
            lost.set()
            stop.set()
