"""Rows written set-wise: one statement per table for a whole push, however many rows.

On PostgreSQL (psycopg) plain inserts go in with COPY, the cheapest way in for both Python and
the server, and an insert that must skip taken keys is one INSERT … SELECT FROM
json_to_recordset(…) ON CONFLICT DO NOTHING. Elsewhere (SQLite for the demo) rows go in as a
Core executemany. Either way the database checks each value against its column's type and
length as for any INSERT, and its errors arrive as SQLAlchemy's (DataError, IntegrityError …).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, Result, String, Table, TypeDecorator, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

# The type a value is read as before it lands in its column (a too-long text or too-large
# number is then refused, never cut or wrapped).
_READ_AS: tuple[tuple[type[Any], str], ...] = (
    (Boolean, "bool"), (Integer, "int8"), (String, "text"))


Row = tuple[Any, ...]


def table_of(model: type[Any]) -> Table:
    """The Core table of a SQLModel table class."""
    return model.__table__  # type: ignore[no-any-return]


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: list[Row]) -> None:
    """Insert rows: tuples of values for columns, in that order (the other columns take their
    defaults)."""
    if not rows:
        return
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or bind.dialect.driver != "psycopg":
        session.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    quote = bind.dialect.identifier_preparer.quote
    # Text, not binary: binary COPY would be a little cheaper, but psycopg silently wraps an
    # int too large for an int4 column where text COPY refuses it (a quantity of 10**12).
    sql = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in columns)}) FROM STDIN"
    # psycopg formats a datetime for COPY at ~1 µs a value; rows repeat a few instants (the
    # push's time, each event's), so each is written as ISO text once and reused.
    stamps = [i for i, name in enumerate(columns)
              if _read_as(table, name) in ("timestamptz", "timestamp")]
    as_text: dict[datetime, str] = {}
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with _as_sqlalchemy_errors(sql), cursor, cursor.copy(sql) as copy:
        for row in rows:
            if stamps:
                values = list(row)
                for i in stamps:
                    if (moment := values[i]) is not None:
                        values[i] = as_text.get(moment) or as_text.setdefault(moment,
                                                                              moment.isoformat())
                row = tuple(values)
            copy.write_row(row)


def insert_new_rows(session: Session, table: Table, columns: Sequence[str], rows: list[Row],
                    key: str) -> set[Any]:
    """Insert the rows whose key is not taken yet; returns the keys this call inserted.

    Keys must be distinct within rows. On PostgreSQL this is one INSERT … ON CONFLICT DO
    NOTHING RETURNING: a row another transaction inserted first (even one not committed yet,
    whose commit it waits for) counts as taken, never as an error.
    """
    if not rows:
        return set()
    bind = session.get_bind()
    names = list(columns)
    at = names.index(key)
    types = [_read_as(table, n) for n in names]
    if bind.dialect.name == "postgresql" and None not in types:
        quote = bind.dialect.identifier_preparer.quote
        columns = ", ".join(quote(n) for n in names)
        shape = ", ".join(f"{quote(n)} {t}" for n, t in zip(names, types, strict=True))
        result = session.connection().exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} "
            f"FROM json_to_recordset(%s::json) AS r({shape}) "
            f"ON CONFLICT ({quote(key)}) DO NOTHING RETURNING {quote(key)}",
            (json.dumps([dict(zip(names, row, strict=True)) for row in rows], default=_iso),))
        return {r[0] for r in result}
    taken = {k for k, in lookup(session, table, key, [row[at] for row in rows])}
    new = [row for row in rows if row[at] not in taken]
    insert_rows(session, table, columns, new)
    return {row[at] for row in new}


def lookup(session: Session, table: Table, key: str, values: Iterable[Any],
           columns: Sequence[str] = (), **equal: Any) -> list[tuple[Any, ...]]:
    """(key, *columns) of the rows whose key is one of values and whose other columns are as
    in equal; key and equal together must name at most one row (a unique index).

    On PostgreSQL the values travel as one array, and each is looked up on its own through
    that unique index. The plain `key = ANY(…)` let the planner, whose statistics lag behind
    a growing table during a catch-up, pick the store_id index instead and read every sale
    of the store for each push: pushes slowed down as the backlog went in.
    """
    wanted = sorted(set(values))
    if not wanted:
        return []
    bind = session.get_bind()
    key_type = _read_as(table, key)
    result: Result[Any]
    if bind.dialect.name == "postgresql" and key_type is not None:
        quote = bind.dialect.identifier_preparer.quote
        names = ", ".join(quote(n) for n in (key, *columns))
        where = "".join(f"{quote(name)} = %s AND " for name in equal)
        result = session.connection().exec_driver_sql(
            f"SELECT found.* FROM unnest(%s::{key_type}[]) AS wanted(value), LATERAL "
            f"(SELECT {names} FROM {quote(table.name)} WHERE {where}{quote(key)} = wanted.value "
            "LIMIT 1) AS found", (wanted, *equal.values()))
    else:
        result = session.execute(
            select(*(table.c[n] for n in (key, *columns)))
            .where(table.c[key].in_(wanted), *(table.c[n] == v for n, v in equal.items())))
    return [tuple(row) for row in result]


def _read_as(table: Table, name: str) -> str | None:
    column_type = table.c[name].type
    if isinstance(column_type, TypeDecorator):  # e.g. SQLModel's AutoString
        column_type = column_type.impl_instance
    if isinstance(column_type, DateTime):
        return "timestamptz" if column_type.timezone else "timestamp"
    for kind, name_there in _READ_AS:
        if isinstance(column_type, kind):
            return name_there
    return None


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent as a row value")


@contextmanager
def _as_sqlalchemy_errors(statement: str) -> Iterator[None]:
    """Errors of the driver, raised as SQLAlchemy raises them for its own statements."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
