"""The server's health as an operator sees it: nothing about any person, contract or amount."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.context import Context
from storage import health
from storage.migrate import current_revision, head_revision

AGENTS_RECENT = timedelta(minutes=15)
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Status:
    database: str  # SQLite | PostgreSQL (never the address)
    reachable: bool
    revision: str | None
    head: str | None
    outbox: health.Backlog | None
    oldest_waiting_seconds: float | None
    agents_recent: int | None

    @property
    def migrated(self) -> bool:
        return self.reachable and self.revision == self.head


def status(ctx: Context, now: datetime) -> Status:
    kind = KINDS.get(health.kind(ctx.engine), health.kind(ctx.engine))
    try:
        revision = current_revision(ctx.engine)
        with ctx.unit() as s:
            backlog = health.outbox_backlog(s)
            agents = health.agents_seen_since(s, now - AGENTS_RECENT)
    except health.DatabaseError:
        return Status(kind, False, None, head_revision(), None, None, None)
    oldest = backlog.oldest_waiting
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else None
    return Status(kind, True, revision, head_revision(), backlog, age, agents)
