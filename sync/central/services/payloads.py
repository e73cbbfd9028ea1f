"""What central reads from each event type's payload. Lenient: the hub may send more fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError

LIMIT = 10**12  # far beyond any real amount or stock figure, well inside 64 bits


def _as_text(value: Any) -> Any:
    """Ids may be numbers at the hub; central keeps them as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=200)]
Amount = Annotated[int, Field(ge=-LIMIT, le=LIMIT, strict=True)]
SkuText = Annotated[str, Field(min_length=1, max_length=64)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StockItem(_Payload):
    """One sku's delta (units, or grams for weighed items)."""

    sku: SkuText
    delta: Amount


class StockMoved(_Payload):
    """stock.moved: deltas with one reason (sale, refund, receipt, waste, transfer)."""

    reason: Annotated[str, Field(min_length=1, max_length=40)]
    ref: Annotated[str, BeforeValidator(_as_text), Field(max_length=100)] | None = None
    items: list[StockItem] = Field(min_length=1)


class CountItem(_Payload):
    """One sku as counted on the shelf."""

    sku: SkuText
    counted: Annotated[int, Field(ge=0, le=LIMIT, strict=True)]


class StockCounted(_Payload):
    """stock.counted: a physical count, the only absolute stock figure."""

    ref: Annotated[str, BeforeValidator(_as_text), Field(max_length=100)] | None = None
    items: list[CountItem] = Field(min_length=1)


class SaleLine(_Payload):
    """A receipt line as the hub sent it."""

    sku: SkuText | None = None
    name: Text = ""
    quantity: Amount = 1
    weight_g: Amount | None = None
    net: Amount = 0
    vat: Amount = 0
    vat_rate_bp: Annotated[int, Field(ge=0, le=10000)] = 0
    voided: StrictBool = False


class SaleCompleted(_Payload):
    """sale.completed: the hub's SalePublic."""

    id: Id
    lane_id: Annotated[str, BeforeValidator(_as_text), Field(max_length=32)] | None = None
    receipt_no: Annotated[str, BeforeValidator(_as_text), Field(max_length=32)] | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "SEK"
    total: Amount
    completed_at: datetime | None = None
    lines: list[SaleLine] = []


class RefundCompleted(_Payload):
    """refund.completed: the hub's RefundPublic (lines stay in the kept payload)."""

    id: Id
    sale_id: Id | None = None
    total: Amount
    vat: Amount | None = None
    lines: list[dict[str, Any]] = []


class PickupHandedOver(_Payload):
    """pickup.handed_over: the order left the store with its customer."""

    order_id: Annotated[str, Field(min_length=1, max_length=36)]
    sale_id: Id | None = None


def explain(exc: ValidationError) -> str:
    """A short reason naming the first bad fields."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc or 'payload'}: {err.get('msg')}")
    return "bad payload: " + "; ".join(parts)
