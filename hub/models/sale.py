"""Sales: an open sale is the lane's cart; a completed sale is immutable."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from hub.models.base import UTCDateTime, new_id, utcnow


class Sale(SQLModel, table=True):
    """A cart while open, a receipt once completed."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    lane_id: str = Field(foreign_key="lane.id", index=True)
    status: str = Field(default="open", index=True, max_length=16)  # open|completed|cancelled
    currency: str = Field(default="SEK", max_length=3)
    cashier_id: int | None = Field(default=None, foreign_key="user.id")
    shift_id: int | None = Field(default=None, foreign_key="shift.id")
    receipt_no: int | None = None
    cart_discount_kind: str | None = Field(default=None, max_length=8)  # percent|amount
    cart_discount_value: int = 0
    cart_discount_approved_by: int | None = Field(default=None, foreign_key="user.id")
    age_checked_by: int | None = Field(default=None, foreign_key="user.id")
    total: int = 0  # after every discount, before cash rounding
    rounding: int = 0  # cash rounding difference, its own receipt line
    change: int = 0
    version: int = 0  # bumped on every cart change; clients order events by it
    training: bool = False  # a training (övning) sale: marked, counted apart, moves nothing
    control_code: str | None = Field(default=None, max_length=120)  # from the fiscal device
    copies: int = 0  # receipt copies issued (at most one)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SaleLine(SQLModel, table=True):
    """One line of a sale; voided lines stay for the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    sale_id: str = Field(foreign_key="sale.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    name: str = Field(max_length=200)
    sku: str = Field(default="", max_length=64)
    gtin: str | None = Field(default=None, max_length=14)
    category: str = Field(default="", max_length=80)  # the main product group, as sold
    service: bool = False  # a service, not goods (the Z report counts them apart)
    quantity: int = 1
    weight_g: int | None = None  # weighed items: quantity stays 1
    unit_price: int
    price_overridden: bool = False
    list_price: int | None = None  # the catalog price when the price was overridden
    vat_rate_bp: int
    age_limit: int | None = None
    gross: int = 0
    discount_kind: str | None = Field(default=None, max_length=8)
    discount_value: int = 0
    discount_approved_by: int | None = Field(default=None, foreign_key="user.id")
    line_discount: int = 0
    cart_discount_share: int = 0
    net: int = 0  # what the customer pays for this line
    vat: int = 0
    voided: bool = False


class Tender(SQLModel, table=True):
    """A payment towards a sale: cash (with change and rounding) or card on a standalone reader."""

    id: int | None = Field(default=None, primary_key=True)
    sale_id: str = Field(foreign_key="sale.id", index=True)
    method: str = Field(max_length=16)  # cash|card|card_external
    payment_id: str | None = Field(default=None, max_length=32)  # the card attempt, for card
    amount: int  # applied to the sale total
    tendered: int = 0  # cash handed over
    change: int = 0
    rounding: int = 0
    reference: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LinePublic(SQLModel):
    """A cart or receipt line as clients see it."""

    id: int
    product_id: int
    name: str
    sku: str
    gtin: str | None
    quantity: int
    weight_g: int | None
    unit_price: int
    price_overridden: bool
    vat_rate_bp: int
    gross: int
    line_discount: int
    cart_discount_share: int
    net: int
    vat: int
    voided: bool
    age_limit: int | None = None


class TenderPublic(SQLModel):
    """A payment as clients see it."""

    id: int
    method: str
    amount: int
    tendered: int
    change: int
    rounding: int
    reference: str | None


class VatRow(SQLModel):
    """VAT for one rate: the amount including VAT, the VAT and the amount without."""

    rate_bp: int
    gross: int
    vat: int
    net: int


class SalePublic(SQLModel):
    """A cart (status open) or a completed sale, with its totals."""

    id: str
    lane_id: str
    status: str
    currency: str
    receipt_no: int | None
    cashier_id: int | None
    version: int
    lines: list[LinePublic]
    tenders: list[TenderPublic]
    cart_discount_kind: str | None
    cart_discount_value: int
    discount_total: int
    total: int
    paid: int
    due: int
    rounding: int
    change: int
    vat: list[VatRow]
    age_check_required: int | None = None  # the age staff must check before a self-service pay
    training: bool = False
    control_code: str | None = None
    created_at: datetime
    completed_at: datetime | None
