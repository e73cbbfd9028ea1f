"""Card settlements: a card terminal's end-of-day totals reconciled against the hub's own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import JSON, Column, Field, SQLModel

from hub.models.base import UTCDateTime, utcnow


class CardSettlement(SQLModel, table=True):
    """One end of day on a lane's card terminal and how it compared with the hub's payments.

    Written once, never changed: the next reconciliation of the lane starts where this one's
    period ends. Amounts are integer minor units; terminal figures the protocol does not give
    are NULL.
    """

    id: int | None = Field(default=None, primary_key=True)
    lane_id: str = Field(foreign_key="lane.id", index=True, max_length=32)
    reader: str = Field(max_length=200)  # the reader's configured URL
    terminal_id: str | None = Field(default=None, max_length=16)
    currency: str = Field(max_length=3)
    period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    period_end: datetime = Field(sa_type=UTCDateTime)
    hub_count: int
    hub_amount: int
    hub_debit_count: int
    hub_debit_amount: int
    hub_credit_count: int
    hub_credit_amount: int
    hub_in_doubt: int  # attempts of the period still in doubt when the day was closed
    terminal_count: int | None = None
    terminal_amount: int
    terminal_currency: str = Field(max_length=3)
    terminal_debit_count: int | None = None
    terminal_debit_amount: int | None = None
    terminal_credit_count: int | None = None
    terminal_credit_amount: int | None = None
    count_difference: int | None = None  # terminal minus hub
    amount_difference: int  # terminal minus hub
    brands: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    flagged: bool = Field(default=False, index=True)
    problems: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))
    first_receipt_no: str | None = Field(default=None, max_length=8)
    last_receipt_no: str | None = Field(default=None, max_length=8)
    trace_no: str | None = Field(default=None, max_length=16)
    receipt_lines: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BrandReconciliation(BaseModel):
    """One card brand on both sides; the terminal's side is None where it gives no brands."""

    brand: str
    hub_count: int
    hub_amount: int
    terminal_count: int | None
    terminal_amount: int | None
    count_difference: int | None
    amount_difference: int | None


class Problem(BaseModel):
    """Something a manager should look at, in Swedish and English."""

    code: str
    sv: str
    en: str


class CardReconciliation(BaseModel):
    """The terminal's totals beside the hub's approved card payments for the same period."""

    id: int | None = None
    lane_id: str
    reader: str
    terminal_id: str | None
    currency: str
    period_start: datetime | None
    period_end: datetime
    hub_count: int
    hub_amount: int
    hub_debit_count: int
    hub_debit_amount: int
    hub_credit_count: int
    hub_credit_amount: int
    hub_in_doubt: int
    terminal_count: int | None
    terminal_amount: int
    terminal_currency: str
    terminal_debit_count: int | None
    terminal_debit_amount: int | None
    terminal_credit_count: int | None
    terminal_credit_amount: int | None
    count_difference: int | None
    amount_difference: int
    brands: list[BrandReconciliation]
    flagged: bool
    problems: list[Problem]
    first_receipt_no: str | None
    last_receipt_no: str | None
    trace_no: str | None
    receipt_lines: list[str]
    created_by: int | None = None
    created_at: datetime | None = None
