"""QR payment attempts (payment links, provider pay pages) and the webhooks that confirm them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from hub.models.base import UTCDateTime, new_id, utcnow

QR_OPEN = ("created", "presented", "pending")


class QrAttempt(SQLModel, table=True):
    """One QR shown for one amount; its id is the provider reference and idempotency key.

    created → presented (expires_at) → pending → paid | declined | expired | cancelled;
    money arriving after expiry sets late_payment for reconciliation.
    """

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    sale_id: str = Field(foreign_key="sale.id", index=True)
    lane_id: str = Field(foreign_key="lane.id", index=True)
    provider: str = Field(max_length=16)
    amount: int
    currency: str = Field(max_length=3)
    status: str = Field(default="created", index=True, max_length=16)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    provider_ref: str = Field(default="", max_length=64)
    pay_url: str = Field(default="", max_length=300)
    late_payment: bool = False
    request_id: str | None = Field(default=None, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookReceipt(SQLModel, table=True):
    """A provider webhook event already taken: the same event id is never applied twice."""

    event_id: str = Field(primary_key=True, max_length=80)
    provider: str = Field(max_length=16)
    attempt_id: str = Field(max_length=32)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QrPublic(SQLModel):
    """A QR payment attempt as screens show it (payload is what the QR encodes)."""

    id: str
    sale_id: str
    lane_id: str
    provider: str
    amount: int
    currency: str
    status: str
    expires_at: datetime
    pay_url: str
    payload: str
    late_payment: bool
