"""What the hub knows of its sync with central, and the pick-up orders central sends it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from hub.models.base import UTCDateTime


class SyncState(SQLModel, table=True):
    """One row: how far central has taken the outbox and read its change feed."""

    id: int = Field(default=1, primary_key=True)
    acked_seq: int = 0  # central's last_seq for this hub
    pull_cursor: int = 0
    last_push_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_pull_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=300)
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected: int = 0  # events central refused as business-invalid (see SyncRejection)


class SyncRejection(SQLModel, table=True):
    """An event central recorded as business-invalid: kept here so staff can see why."""

    seq: int = Field(primary_key=True)
    event_id: str = Field(max_length=36)
    reason: str = Field(max_length=300)


class PickupOrder(SQLModel, table=True):
    """An online order to pick and hand over in this store, as central last sent it."""

    order_id: str = Field(primary_key=True, max_length=64)
    order_no: str = Field(max_length=32)
    status: str = Field(index=True, max_length=16)  # reserved|picked|handed_over|cancelled|expired
    customer_name: str = Field(max_length=120)
    customer_email: str = Field(default="", max_length=200)
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    total: int = 0
    currency: str = Field(default="SEK", max_length=3)
    reserved_until: datetime = Field(sa_type=UTCDateTime)
    version: int = 0
    picked: bool = False  # picked in the store (local until handed over)
    sale_id: str | None = Field(default=None, max_length=32)
