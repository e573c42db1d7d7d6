"""Many new rows into one table at once: COPY on PostgreSQL, one executemany elsewhere.

On Monday the week close writes a statement and a message for every contract. Through
executemany PostgreSQL takes each row as a statement of its own, and the rows cost more to send
than they did to compute; COPY streams them as one.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts `rows` (all with the same keys) in the connection's transaction; a row that breaks
    a constraint fails them all with SQLAlchemy's usual error (IntegrityError, say)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
    else:
        conn.execute(insert(table), rows)


def _copy(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    # The columns the rows name, and those the model gives a default; the database fills the rest.
    columns = [c for c in table.columns if c.name in rows[0] or _default(c) is not None]
    quote = conn.dialect.identifier_preparer
    sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c.name) for c in columns)}) FROM STDIN"
    values = [_values_of(c, conn) for c in columns]
    try:
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([value(row) for value in values])
    except conn.dialect.dbapi.Error as error:
        raise DBAPIError.instance(sql, None, error, conn.dialect.dbapi.Error) from error


def _values_of(column: Column, conn: Connection):
    """row -> the column's value as the driver takes it: the type's own conversion (JSON to text,
    instants to UTC), or the column's default where the row does not name it."""
    name, default = column.name, _default(column)
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) or (lambda value: value)
    return lambda row: process(row[name] if name in row else default())


def _default(column: Column):
    """A maker of the column's Python-side default (scalar or callable), or None."""
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    return (lambda: default.arg) if default.is_scalar else (lambda: default.arg(None))
