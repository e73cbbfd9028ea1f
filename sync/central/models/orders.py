"""Pick-up-in-store orders: their lines hold stock while the order is reserved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from sync.central.models.base import CentralTable, big, utcnow, when


class PickupOrderRow(CentralTable, table=True):
    """An online order to be handed over at one store; status "reserved" holds its stock."""

    __tablename__ = "pickup_order"
    __table_args__ = (Index("ix_pickup_order_store_status", "store_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=36, unique=True)
    order_no: str = Field(default="", max_length=20)
    store_id: str = Field(max_length=64)
    status: str = Field(default="reserved", max_length=20)
    backordered: bool = False
    customer_name: str = Field(max_length=200)
    customer_email: str = Field(default="", max_length=200)
    total: int = big()
    currency: str = Field(default="SEK", max_length=3)
    reserved_until: datetime = when()
    version: int = 1
    sale_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = when(default_factory=utcnow)
    updated_at: datetime = when(default_factory=utcnow)


class PickupLineRow(CentralTable, table=True):
    """One line of a pick-up order."""

    __tablename__ = "pickup_line"

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=36, foreign_key="pickup_order.order_id", index=True)
    sku: str = Field(max_length=64, index=True)
    name: str = Field(max_length=200)
    quantity: int
    unit_price: int = big()


class Notification(CentralTable, table=True):
    """A message to a customer (sent by a mailer outside central; recorded here)."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=36, index=True)
    email: str = Field(max_length=200)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=2000)
    created_at: datetime = when(default_factory=utcnow)
