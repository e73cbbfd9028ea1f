"""Plain SQL on a session's own SQLite connection, for the paths a till runs most.

Through the ORM, a scan or a sale's completion spent most of its CPU building, compiling and
flushing objects. The hot paths (hub/services/scan.py, complete.py, the records that go with a
sale) read and write light row objects with sqlite3 on the connection under the session's
transaction and savepoint, so they commit or roll back with everything else the write did. A
row is read as the ORM's objects are (`recompute` and `to_public` take either); timestamps and
JSON are stored exactly as the ORM stores them.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import attributes
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, SQLModel

from hub.models.base import UTCDateTime

Row = SimpleNamespace  # a row by column name, as the ORM's objects are read


def stamp(at: datetime) -> str:
    """A timestamp as the ORM stores it in SQLite (naive UTC text)."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class Table:
    """A table's columns, and which of them hold timestamps (naive UTC text) or JSON."""

    def __init__(self, model: type[SQLModel]) -> None:
        table = model.__table__  # type: ignore[attr-defined]
        self.model = model
        self.name: str = table.name
        self.columns: tuple[str, ...] = tuple(c.name for c in table.columns)
        self.timestamps = frozenset(c.name for c in table.columns
                                    if isinstance(c.type, UTCDateTime))
        self.json = frozenset(c.name for c in table.columns if isinstance(c.type, JSON))
        self.select = f"SELECT {', '.join(self.columns)} FROM {self.name}"
        self._inserts: dict[tuple[str, ...], str] = {}

    def rows(self, con: sqlite3.Connection, where: str, *params: Any) -> list[Row]:
        """The rows matching a WHERE clause."""
        found = con.execute(f"{self.select} WHERE {where}", params).fetchall()
        return [self.row(values) for values in found]

    def row(self, values: tuple[Any, ...]) -> Row:
        """A row from its values in column order (as `select` or `RETURNING *` gives them)."""
        row = Row(**dict(zip(self.columns, values, strict=True)))
        for name in self.timestamps:
            value = getattr(row, name)
            if value is not None:
                setattr(row, name, datetime.fromisoformat(value).replace(tzinfo=UTC))
        for name in self.json:
            value = getattr(row, name)
            if value is not None:
                setattr(row, name, json.loads(value))
        return row

    def insert(self, con: sqlite3.Connection, row: dict[str, Any]) -> int:
        """Insert a row (column → value, as the ORM's objects hold them); its rowid."""
        names = tuple(row)
        sql = self._inserts.get(names)
        if sql is None:
            sql = self._inserts[names] = (f"INSERT INTO {self.name} ({', '.join(names)}) "
                                          f"VALUES ({', '.join('?' * len(names))})")
        return con.execute(sql, tuple(self.stored(name, value) for name, value in row.items())
                           ).lastrowid or 0

    def stored(self, name: str, value: Any) -> Any:
        """A column's value as SQLite stores it (timestamps as text, JSON as its text)."""
        if value is None:
            return None
        if name in self.timestamps:
            return stamp(value)
        if name in self.json:
            return json.dumps(value)
        return value


@cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    # FieldInfo.get_default inspects the factory's signature on every call (~25 µs a field)
    def made(field: Any) -> Callable[[], Any]:
        if field.default_factory is not None:
            return field.default_factory  # type: ignore[no-any-return]
        if isinstance(field.default, (dict, list, set)):
            return lambda: copy.deepcopy(field.default)
        return lambda: field.default

    return tuple((name, made(field)) for name, field in model.model_fields.items()
                 if not field.is_required())


def new_row(model: type[SQLModel], **values: Any) -> dict[str, Any]:
    """A new row of a table: the model's defaults (a fresh id, now), then the given values."""
    row = {name: default() for name, default in _defaults(model)}
    row.update(values)
    return row


def raw(session: Session) -> sqlite3.Connection:
    """The SQLite connection under the session's transaction, for writes that depend on
    nothing the session has not flushed yet (append-only records)."""
    return session.connection().connection.dbapi_connection  # type: ignore[return-value]


def connection(session: Session) -> sqlite3.Connection:
    """The SQLite connection under the session's transaction, with the session flushed."""
    session.flush()
    return raw(session)


def refresh(session: Session, model: type[SQLModel], key: object, **values: Any) -> None:
    """Give the session's ORM object of a row (if it holds one) the values just written."""
    obj = session.identity_map.get(identity_key(model, key))
    if obj is not None:
        for name, value in values.items():
            attributes.set_committed_value(obj, name, value)
