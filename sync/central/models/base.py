"""The registry every central table belongs to (apart from the hub's, even in one process)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

central_registry = registry()
metadata = central_registry.metadata


class CentralTable(SQLModel, registry=central_registry):
    """Base of central's tables."""


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """A datetime read back from SQLite has lost its zone: it was stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def when(nullable: bool = False, **kw: Any) -> Any:
    """A timezone-aware timestamp column."""
    return Field(sa_type=DateTime(timezone=True), nullable=nullable, **kw)  # type: ignore[call-overload]


def big(**kw: Any) -> Any:
    """A 64-bit integer column (sequences, amounts, stock in grams)."""
    return Field(sa_type=BigInteger, **kw)  # type: ignore[call-overload]


def big_id() -> Any:
    """A 64-bit autoincrement primary key (a plain INTEGER rowid on SQLite)."""
    return Field(  # type: ignore[call-overload]
        default=None, primary_key=True, sa_type=BigInteger().with_variant(Integer(), "sqlite")
    )


def json_column(nullable: bool = True) -> Any:
    """A JSON column (payloads kept as they came)."""
    return Field(default=None, sa_type=JSON, nullable=nullable)  # type: ignore[call-overload]
