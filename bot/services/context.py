"""What every use case needs from the outside world, handed in once by the process that runs it."""

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlmodel import Session

from storage import health
from storage.blobs import BlobStore
from storage.engine import Connection, Engine, session
from storage.outage import DatabaseUnavailable, Outage, is_unavailable


def _nobody_listens(member_id: int) -> None:
    return None


@dataclass
class Context:
    engine: Engine
    blobs: BlobStore
    slot_seconds: int = 600
    public_url: str = "http://127.0.0.1:8000"
    # Signs diary links. Processes pass the configured or kept key; a context made without one
    # (tests, benchmarks) gets a random key of its own, never a constant anyone could know.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    retention_days: int | None = None  # screenshots older than this are deleted; None keeps them
    # Called after commit with each freelancer whose tracking state changed (wakes long polls).
    on_change: Callable[[int], None] = field(default=_nobody_listens)
    # Whether the database is away; a failure to reach it is raised as DatabaseUnavailable.
    outage: Outage = field(default_factory=Outage)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One transaction: every change of a use case lands together or not at all."""
        with session(self.engine) as s:
            s.info["changed"] = set()
            try:
                yield s
                s.commit()
            except BaseException as error:
                self._rollback(s)
                if is_unavailable(error):
                    raise self.outage.failed(error) from error
                raise
            self.outage.answered()
            for member_id in s.info["changed"]:
                self.on_change(member_id)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction on a bare connection, for a hot path that builds no ORM objects (the
        slot ingest); the database being away is raised as DatabaseUnavailable, as by unit()."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except Exception as error:
            if is_unavailable(error):
                raise self.outage.failed(error) from error
            raise
        self.outage.answered()

    def _rollback(self, s: Session) -> None:
        try:
            s.rollback()
        except Exception as error:  # a connection already lost cannot roll back; the server did
            if not is_unavailable(error):
                raise

    def check(self) -> bool:
        """Whether the database answers now (for /healthz)."""
        try:
            with self.unit() as s:
                health.ping(s)
        except DatabaseUnavailable:
            return False
        return True


def state_changed(s: Session, member_id: int) -> None:
    """Marks a freelancer whose agent should hear of this change once it is committed."""
    s.info.setdefault("changed", set()).add(member_id)
