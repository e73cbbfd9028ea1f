"""Products and the lanes (registers, kiosks, phone carts) that sell them."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class Product(SQLModel, table=True):
    """A product the store sells; prices are tax-inclusive minor units.

    Names are also indexed for word and prefix search in `product_fts` (FTS5, migration 0011).
    """

    __table_args__ = (Index("ix_product_category_name", "category", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, max_length=64)
    gtin: str | None = Field(default=None, unique=True, index=True, max_length=14)
    name: str = Field(index=True, max_length=200)
    category: str = Field(default="", max_length=80)
    price: int = Field(description="Tax-inclusive price in minor units (per kg when weighed)")
    currency: str = Field(default="SEK", max_length=3)
    vat_rate_bp: int = Field(description="VAT rate in basis points, 2500 = 25 %")
    unit: str = Field(default="each", max_length=8, description="'each' or 'kg'")
    on_hand: int = Field(default=0, description="Stock in units (grams for weighed items)")
    age_limit: int | None = None
    service: bool = False  # a service (repair, deposit handling …), not goods
    active: bool = True
    version: int = 1


class Lane(SQLModel, table=True):
    """A place that sells with its own cart and receipt series: register, kiosk or phone."""

    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(default="register", max_length=16)
    name: str = Field(default="", max_length=80)
    last_receipt_no: int = 0
    cart_version: int = 0  # bumped on every cart change on the lane, across sales
    training: bool = False  # training mode: sales are övning, marked and counted apart

    def bump_cart_version(self) -> int:
        """A new cart version for a change on the lane: every screen on it follows."""
        self.cart_version += 1
        return self.cart_version
