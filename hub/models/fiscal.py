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


class CountAmount(SQLModel):
    """How many, and how much (minor units)."""

    count: int = 0
    amount: int = 0


class GroupTotal(SQLModel):
    """Sales of one main product group (or one means of payment)."""

    name: str
    count: int  # units sold (a weighed line counts once)
    amount: int  # VAT included, after discounts


class VatTotal(SQLModel):
    """VAT of one rate: the amount with VAT, the VAT, and the amount without."""

    rate_bp: int
    gross: int
    vat: int
    net: int


class DayReportFigures(SQLModel):
    """An X or Z day report of one register (SKVFS 2014:9): every figure the rules ask for.
    Sales are net of discounts, VAT included; returns are positive amounts given back."""

    kind: str  # "X" | "Z"
    z_no: int | None  # the Z report's number; None on an X report
    title: str  # "X-dagrapport" | "Z-dagrapport"
    company_name: str
    org_number: str
    address: str
    register_id: str
    created_at: datetime  # when the report was made
    period_start: datetime | None  # the previous Z report (None: the register's first day)
    period_end: datetime
    currency: str
    fiscal_device: str  # "Kontrollenhet CU-…" or "Ingen kontrollenhet ansluten"
    sales_total: int  # gross sales, VAT included, after discounts, before cash rounding
    sales_net: int  # sales_total without VAT
    receipts: int  # sale receipts issued
    first_receipt_no: int | None
    last_receipt_no: int | None
    product_groups: list[GroupTotal]
    vat: list[VatTotal]  # of the sales
    cash_float: int  # floats put in the drawer in the period
    goods_sold: int
    services_sold: int
    drawer_openings: int  # every opening: sales, returns and no-sales
    no_sales: int  # openings without a sale
    copies: CountAmount
    training: CountAmount  # training (övning) sales
    proforma: CountAmount  # pro-forma slips (ej kvitto)
    price_lookups: int
    payments: list[GroupTotal]  # sales per means of payment (count = payments)
    rounding: int  # cash rounding of the sales (own figure)
    returns: CountAmount
    return_vat: list[VatTotal]
    return_payments: list[GroupTotal]
    return_rounding: int = 0  # cash rounding of what was handed back (paid out = amount + this)
    discounts: CountAmount  # lines with a discount, and the amount taken off
    other_reductions: CountAmount  # prices lowered by override (list price − price sold)
    abandoned: CountAmount  # carts given up on (count of carts, their amount)
    pay_ins: CountAmount
    pay_outs: CountAmount
    missing_control_codes: int  # receipts the fiscal device gave no code for
    net_total: int  # sales − returns in the period
    grand_total_sales: int  # since the register's first sale
    grand_total_returns: int
    grand_total_net: int
