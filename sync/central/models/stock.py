"""Stock at central: a ledger of deltas, the on-hand it adds up to, conflicts and counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field

from sync.central.models.base import CentralTable, big, big_id, json_column, utcnow, when


class StockLevel(CentralTable, table=True):
    """On-hand per (store, sku): the last count plus every delta applied after it."""

    __tablename__ = "stock_level"

    store_id: str = Field(primary_key=True, max_length=64)
    sku: str = Field(primary_key=True, max_length=64)
    on_hand: int = big(default=0)
    counted_at: datetime | None = when(nullable=True, default=None)
    updated_at: datetime = when(default_factory=utcnow)


class StockMove(CentralTable, table=True):
    """One ledger row: a delta with its reason and the hub event that caused it."""

    __tablename__ = "stock_move"
    __table_args__ = (Index("ix_stock_move_store_sku", "store_id", "sku"),)

    id: int | None = big_id()
    store_id: str = Field(max_length=64)
    sku: str = Field(max_length=64)
    delta: int = big()
    reason: str = Field(max_length=40)  # sale, refund, receipt, waste, transfer, count
    ref: str | None = Field(default=None, max_length=100)
    event_id: str = Field(max_length=36, index=True)
    created_at: datetime = when(default_factory=utcnow)


class StockConflict(CentralTable, table=True):
    """An oversell: on-hand fell below what pick-up orders hold. One open per store and sku."""

    __tablename__ = "stock_conflict"
    __table_args__ = (
        Index("ix_stock_conflict_open", "store_id", "sku", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64)
    sku: str = Field(max_length=64)
    status: str = Field(default="open", max_length=10)  # open | resolved
    shortfall: int = big()
    order_ids: list[str] | None = json_column()
    resolution: str | None = Field(default=None, max_length=20)  # move | backorder | cancel
    detail: dict[str, Any] | None = json_column()
    opened_at: datetime = when(default_factory=utcnow)
    resolved_at: datetime | None = when(nullable=True, default=None)


class CountRequest(CentralTable, table=True):
    """A request to the store to count a sku (after a conflict)."""

    __tablename__ = "count_request"

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64, index=True)
    sku: str = Field(max_length=64)
    reason: str = Field(max_length=200)
    created_at: datetime = when(default_factory=utcnow)
