"""Card payment attempts: written before the first byte goes to a reader."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import JSON, Column, Field, SQLModel

from hub.models.base import UTCDateTime, new_id, utcnow

ACTIVE = ("created", "sent", "in_progress")
IN_DOUBT = "unknown"
FINAL = ("approved", "declined", "cancelled", "failed")


class PaymentAttempt(SQLModel, table=True):
    """One try at taking (or giving back) money on a card reader; its id is the idempotency key.

    created → sent → in_progress → approved | declined | cancelled | failed
                          └──────→ unknown (in doubt) → resolved to one of the above
    """

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    reference: str = Field(unique=True, max_length=10)  # what the terminal carries (Concert: 10)
    sale_id: str = Field(foreign_key="sale.id", index=True)
    lane_id: str = Field(foreign_key="lane.id", index=True)
    reader: str = Field(max_length=200)  # the reader's configured URL
    kind: str = Field(default="debit", max_length=8)  # debit|credit
    amount: int
    currency: str = Field(max_length=3)
    status: str = Field(default="created", index=True, max_length=16)
    progress: str = Field(default="", max_length=80)
    message: str = Field(default="", max_length=200)
    masked_pan: str | None = Field(default=None, max_length=32)
    brand: str | None = Field(default=None, max_length=32)
    auth_code: str | None = Field(default=None, max_length=16)
    trace_no: str | None = Field(default=None, max_length=16)
    terminal_receipt_no: str | None = Field(default=None, max_length=16)
    terminal_id: str | None = Field(default=None, max_length=16)
    receipt_lines: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    resolved_how: str | None = Field(default=None, max_length=32)  # terminal|operator|reversed
    resolved_by: int | None = Field(default=None, foreign_key="user.id")
    request_id: str | None = Field(default=None, unique=True, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaymentPublic(SQLModel):
    """A payment attempt as clients see it."""

    id: str
    reference: str
    sale_id: str
    lane_id: str
    kind: str
    amount: int
    currency: str
    status: str
    progress: str
    message: str
    masked_pan: str | None
    brand: str | None
    auth_code: str | None
    trace_no: str | None
    terminal_receipt_no: str | None
    receipt_lines: list[str]
    resolved_how: str | None
    resolved_by: int | None
    created_at: datetime
    updated_at: datetime
