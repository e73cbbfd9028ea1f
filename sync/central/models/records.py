"""What stores sold, refunded and counted in their tills: kept for cross-store reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from sync.central.models.base import CentralTable, big, big_id, json_column, utcnow, when


class SaleRow(CentralTable, table=True):
    """A completed sale at a store."""

    __tablename__ = "sale"
    __table_args__ = (UniqueConstraint("store_id", "sale_id"),
                      Index("ix_sale_completed_at", "completed_at"))

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64, index=True)
    sale_id: str = Field(max_length=64)
    event_id: str = Field(max_length=36)
    lane_id: str | None = Field(default=None, max_length=32)
    receipt_no: str | None = Field(default=None, max_length=32)
    currency: str = Field(default="SEK", max_length=3)
    total: int = big()
    vat: int = big(default=0)
    completed_at: datetime | None = when(nullable=True, default=None)


class SaleLineRow(CentralTable, table=True):
    """A line of a sale."""

    __tablename__ = "sale_line"
    __table_args__ = (Index("ix_sale_line_sale", "store_id", "sale_id"),)

    id: int | None = big_id()
    store_id: str = Field(max_length=64)
    sale_id: str = Field(max_length=64)
    sku: str | None = Field(default=None, max_length=64)
    name: str = Field(default="", max_length=200)
    quantity: int = 1
    weight_g: int | None = None
    net: int = big(default=0)
    vat: int = big(default=0)
    vat_rate_bp: int = 0
    voided: bool = False


class RefundRow(CentralTable, table=True):
    """A refund at a store (its lines stay in the payload)."""

    __tablename__ = "refund"
    __table_args__ = (UniqueConstraint("store_id", "refund_id"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64, index=True)
    refund_id: str = Field(max_length=64)
    sale_id: str | None = Field(default=None, max_length=64)
    event_id: str = Field(max_length=36)
    total: int = big()
    vat: int = big(default=0)
    payload: dict[str, Any] | None = json_column()


class StoreRecord(CentralTable, table=True):
    """Cash moves and closed shifts, kept as the hub sent them."""

    __tablename__ = "store_record"

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64, index=True)
    type: str = Field(max_length=40)
    event_id: str = Field(max_length=36)
    payload: dict[str, Any] | None = json_column()
    occurred_at: datetime = when(default_factory=utcnow)
