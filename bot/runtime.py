"""Wiring a process: settings -> engine (migrated) -> blob store -> service context."""

import logging

from bot.secret_key import secret_key
from bot.services.context import Context
from bot.settings import Settings
from storage.blobs import open_blobs
from storage.engine import make_engine
from storage.migrate import current_revision, head_revision, upgrade

log = logging.getLogger("tally")


class NotMigrated(RuntimeError):
    pass


def prepare_database(settings: Settings):
    """The engine; an empty database is created on the spot, an outdated one is refused."""
    engine = make_engine(settings.sqlalchemy_url)
    current = current_revision(engine)
    if current is None:
        upgrade(engine)
        log.info("created the database schema")
    elif current != head_revision():
        raise NotMigrated(f"the database is at revision {current}; run `tally db upgrade` first")
    return engine


def build_context(settings: Settings, *, shared: bool = False) -> Context:
    """The process's context; `shared` (web, worker) for processes that must share TALLY_SECRET_KEY."""
    key = secret_key(settings.secret_key, settings.data_dir, shared=shared)
    return Context(
        engine=prepare_database(settings),
        blobs=open_blobs(settings.blob_url, settings.data_dir, endpoint_url=settings.s3_endpoint_url),
        slot_seconds=settings.slot_seconds,
        public_url=settings.public_url.rstrip("/"),
        secret_key=key,
        retention_days=settings.retention_days,
    )


def platform_states(settings: Settings) -> list[tuple[str, bool, str]]:
    """(platform, on, what it is or why not) for each chat platform."""
    slack = "on (Socket Mode)" if settings.slack_app_token and settings.slack_enabled else \
        "on (HTTP events at /slack/events)" if settings.slack_enabled else \
        "off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
    discord = "on" if settings.discord_enabled else "off (set DISCORD_TOKEN)"
    return [("Slack", settings.slack_enabled, slack), ("Discord", settings.discord_enabled, discord)]


def describe_platforms(settings: Settings) -> list[str]:
    return [f"{name}: {text}" for name, _, text in platform_states(settings)]
