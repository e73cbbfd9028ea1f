"""Shifts and the cash that moves in and out of the drawer."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import JSON, Column, Field, SQLModel

from hub.models.base import UTCDateTime, utcnow


class Shift(SQLModel, table=True):
    """A cashier's time on a lane, from float to counted cash."""

    id: int | None = Field(default=None, primary_key=True)
    lane_id: str = Field(foreign_key="lane.id", index=True)
    status: str = Field(default="open", max_length=8)  # open|closed
    opened_by: int = Field(foreign_key="user.id")
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    currency: str = Field(default="SEK", max_length=3)
    float_amount: int = 0
    closed_by: int | None = Field(default=None, foreign_key="user.id")
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expected_cash: int | None = None
    counted_cash: int | None = None
    over_short: int | None = None
    counted_detail: dict[str, int] | None = Field(default=None, sa_column=Column(JSON))


class CashMovement(SQLModel, table=True):
    """Cash put in or taken out of the drawer outside a sale (float, pay-in, pay-out, no-sale)."""

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    lane_id: str = Field(foreign_key="lane.id")
    kind: str = Field(max_length=16)  # float|pay_in|pay_out|no_sale
    amount: int = 0
    reason: str = Field(default="", max_length=200)
    user_id: int = Field(foreign_key="user.id")
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
