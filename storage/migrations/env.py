"""Alembic environment: runs on the connection handed in by storage.migrate."""

from alembic import context
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)

target_metadata = SQLModel.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("storage.migrate passes the connection; run `tally db upgrade`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
