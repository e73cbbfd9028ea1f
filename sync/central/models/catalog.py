"""The catalog central owns, and the change feed hubs pull it from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field

from sync.central.models.base import CentralTable, big, json_column, utcnow, when


class Product(CentralTable, table=True):
    """A product with its price; deleted products stay as tombstones with their version."""

    sku: str = Field(primary_key=True, max_length=64)
    gtin: str | None = Field(default=None, max_length=14)
    name: str = Field(max_length=200)
    category: str = Field(default="", max_length=80)
    price: int = big()
    currency: str = Field(default="SEK", max_length=3)
    vat_rate_bp: int
    unit: str = Field(default="each", max_length=4)
    age_limit: int | None = None
    active: bool = True
    safety_stock: int = big(default=0)
    version: int = 1
    deleted: bool = False
    updated_at: datetime = when(default_factory=utcnow)


class FeedHead(CentralTable, table=True):
    """The feed's newest seq (one row). Locking it orders feed writes by commit."""

    __tablename__ = "feed_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = big(default=0)
    floor: int = big(default=0)  # changes below this were compacted away (none yet)


class FeedChange(CentralTable, table=True):
    """One change of the feed: audience "" is every store, else the one store it is for."""

    __tablename__ = "feed_change"
    __table_args__ = (
        Index("ix_feed_change_key", "kind", "key", "audience", "seq"),
        Index("ix_feed_change_audience", "audience", "seq"),
    )

    seq: int = big(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(max_length=20)
    key: str = Field(max_length=64)
    audience: str = Field(default="", max_length=64)
    version: int
    deleted: bool = False
    data: dict[str, Any] | None = json_column()
    created_at: datetime = when(default_factory=utcnow)
