"""What the fiscal rules ask a register to keep: its events and its closed days (Z reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import JSON, Column, Field, SQLModel

from hub.models.base import UTCDateTime, utcnow

# What a register records besides sales and refunds (each one is also signed into the journal).
REGISTER_EVENTS = (
    "copy",  # a receipt copy (at most one per receipt)
    "proforma",  # a slip that is not a receipt (ej kvitto)
    "price_lookup",  # a price asked for without selling
    "price_change",  # a catalog price changed (from central)
    "drawer_open",  # the drawer was opened (with a sale or without: no_sale)
    "abandoned",  # a cart was given up on
    "parked",  # a cart was put aside
    "resumed",  # a parked cart was taken up again
    "training_on",  # training mode switched on
    "training_off",
    "x_report",  # an X report was taken
    "control_code_missing",  # the fiscal device gave no control code for a paid sale
)


class RegisterEvent(SQLModel, table=True):
    """Something a register did that the journal and the day reports must show."""

    id: int | None = Field(default=None, primary_key=True)
    lane_id: str | None = Field(default=None, index=True, max_length=32)  # None: the whole store
    kind: str = Field(max_length=24, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    ref: str | None = Field(default=None, max_length=64)  # the sale, refund or product
    amount: int = 0  # the amount it concerns, minor units (a copy: the receipt's total)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class DayReport(SQLModel, table=True):
    """A Z report: the day of one register, closed. Numbered without gaps, never changed
    (the database refuses UPDATE and DELETE on this table)."""

    __table_args__ = (UniqueConstraint("lane_id", "z_no"),)

    id: int | None = Field(default=None, primary_key=True)
    lane_id: str = Field(foreign_key="lane.id", index=True, max_length=32)
    z_no: int  # 1, 2, 3 … per register
    period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the last Z
    period_end: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    figures: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the DayReport
    journal_seq: int = 0
