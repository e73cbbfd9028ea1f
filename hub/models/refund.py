"""Refunds reference the lines of a completed sale."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from hub.models.base import UTCDateTime, new_id, utcnow


class Refund(SQLModel, table=True):
    """A return of some or all lines of a completed sale; takes a receipt number."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    sale_id: str = Field(foreign_key="sale.id", index=True)
    lane_id: str = Field(foreign_key="lane.id")
    receipt_no: int
    currency: str = Field(default="SEK", max_length=3)
    cashier_id: int | None = Field(default=None, foreign_key="user.id")
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    shift_id: int | None = Field(default=None, foreign_key="shift.id")
    total: int = 0
    reason: str = Field(default="", max_length=200)
    request_id: str | None = Field(default=None, unique=True, max_length=64)
    control_code: str | None = Field(default=None, max_length=120)  # from the fiscal device
    copies: int = 0  # receipt copies issued (at most one)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefundLine(SQLModel, table=True):
    """A quantity of one sale line given back."""

    id: int | None = Field(default=None, primary_key=True)
    refund_id: str = Field(foreign_key="refund.id", index=True)
    sale_line_id: int = Field(foreign_key="saleline.id", index=True)
    quantity: int
    amount: int
    vat: int
    vat_rate_bp: int


class RefundTender(SQLModel, table=True):
    """Money paid back, on the sale's original tender where the method allows."""

    id: int | None = Field(default=None, primary_key=True)
    refund_id: str = Field(foreign_key="refund.id", index=True)
    tender_id: int = Field(foreign_key="tender.id")
    method: str = Field(max_length=16)
    amount: int  # owed back on this tender
    rounding: int = 0  # cash rounding of the amount handed over
    payment_id: str | None = Field(default=None, max_length=32)  # the card credit, for card
