"""Append-only records: audit log, signed journal, outbox and the stock ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from hub.models.base import UTCDateTime, utcnow, uuid7


class AuditEntry(SQLModel, table=True):
    """Who did a sensitive thing and who approved it."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    action: str = Field(index=True, max_length=40)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    device_id: int | None = Field(default=None, foreign_key="device.id")
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    lane_id: str | None = Field(default=None, max_length=32)
    ref: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class JournalEntry(SQLModel, table=True):
    """One link of the tamper-evident chain: hash of the previous entry, signed by the hub."""

    seq: int = Field(primary_key=True)
    kind: str = Field(max_length=32)  # sale|refund|shift_close
    ref: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    payload: str  # canonical JSON, exactly as hashed
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class OutboxEvent(SQLModel, table=True):
    """An event for central, written in the same transaction as the change it describes."""

    # AUTOINCREMENT: a seq is never reused, even after pushed rows are pruned.
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(default_factory=uuid7, unique=True, max_length=36)
    type: str = Field(max_length=40)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    hub_clock: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    pushed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StockMovement(SQLModel, table=True):
    """A stock delta with its reason; on-hand is the sum of these."""

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    delta: int
    reason: str = Field(max_length=16)  # sale|refund|receipt|waste|count|transfer
    ref: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
