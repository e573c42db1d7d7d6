"""Alembic migrations, driven from code so `tally db upgrade` and server start share one path."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def autogenerate(engine: Engine, message: str) -> None:
    """For developers adding a migration after changing storage/tables.py."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to an earlier revision, for operators undoing an upgrade (and the migrations' tests)."""
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)
