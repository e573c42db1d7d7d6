"""SQLite writers of one process take turns in the order they ask, instead of sleeping and retrying.

SQLite lets one writer in at a time; a writer that finds the database locked sleeps (1, 2, 5, 10,
... up to 100 ms between tries) until the lock is free when it looks. The slot ingest's group
writer takes the lock again a few milliseconds after it lets go, so under a steady upload load a
chat command's write could keep waking up to a locked database: in a test with the writer holding
the lock 10 ms at a time, a single-row write waited 1.6 s at the 99th percentile. Here the writers
of one process queue on a lock of their own before their first write statement and leave it when
their transaction ends, so a command waits for at most the transaction in progress. (Other
processes on the same file, such as `tally jobs run`, still meet SQLite's own wait.)
"""

import sqlite3
import threading

# Statements that only read never queue: WAL lets readers run beside the writer.
READS = ("SELECT", "PRAGMA", "EXPLAIN")
WAIT = 30.0  # seconds: past this a writer goes on and meets SQLite's own busy wait, as before


def connection_class() -> type[sqlite3.Connection]:
    """A sqlite3 connection class whose connections (of one engine, one database) share one turn."""
    turn = threading.Lock()

    class TurnCursor(sqlite3.Cursor):
        def execute(self, sql, parameters=()):
            self.connection.before(sql)
            try:
                return super().execute(sql, parameters)
            finally:
                self.connection.after()

        def executemany(self, sql, seq_of_parameters):
            self.connection.before(sql)
            try:
                return super().executemany(sql, seq_of_parameters)
            finally:
                self.connection.after()

    class TurnConnection(sqlite3.Connection):
        holding = False

        def cursor(self, factory=TurnCursor):
            return super().cursor(factory)

        def before(self, sql: str) -> None:
            if not self.holding and not sql.lstrip()[:7].upper().startswith(READS):
                self.holding = turn.acquire(timeout=WAIT)

        def after(self) -> None:
            if self.holding and not self.in_transaction:  # autocommit, or a statement that failed alone
                self.give_back()

        def give_back(self) -> None:
            if self.holding:
                self.holding = False
                turn.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.after()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.after()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.give_back()

    return TurnConnection
