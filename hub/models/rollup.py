"""Sales summed per local day, register, member of staff and product: kept with every sale, so
the manager's reports over months of sales read thousands of rows, not millions of lines."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class SalesDay(SQLModel, table=True):
    """One product's sales by one member of staff on one register on one local day."""

    __table_args__ = (UniqueConstraint("day", "lane_id", "cashier_id", "product_id", "category",
                                       name="uq_salesday_key"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)  # the store's local date of the sale
    lane_id: str = Field(max_length=32)
    cashier_id: int = 0  # 0: self-service (NULLs would not meet in the unique key)
    product_id: int
    category: str = Field(default="", max_length=80)
    name: str = Field(default="", max_length=200)  # the name it was last sold under
    units: int = 0  # a weighed line counts once; voided lines not at all
    amount: int = 0  # net of discounts, VAT included
    voided: int = 0  # lines taken off completed sales
    discounted: int = 0  # lines with a discount
    discount: int = 0
    overridden: int = 0  # lines sold at an overridden price
    below_list: int = 0  # what the overrides took off the list price


class SalesHour(SQLModel, table=True):
    """Completed sales per local day and hour, register, member of staff and channel."""

    __table_args__ = (UniqueConstraint("day", "hour", "lane_id", "cashier_id", "channel",
                                       name="uq_saleshour_key"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    hour: int  # 0–23, the store's local time
    lane_id: str = Field(max_length=32)
    cashier_id: int = 0  # 0: self-service
    channel: str = Field(max_length=16)  # kassa | kiosk | mobil | hämtning
    sales: int = 0
    amount: int = 0  # VAT included, after discounts, before cash rounding
