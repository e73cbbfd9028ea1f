"""The wire contract between hub and central: push, pull, catalog and pick-up orders.

Both sides import these shapes; neither imports the other. Amounts are integer minor units.
See docs/sync.md for the protocol around them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

PROTOCOL = "kassa-sync/1"
MAX_BATCH = 2000  # events central takes in one push (hubs sent 500 until 2026-12)
MAX_BODY_BYTES = 16 * 1024 * 1024  # after decompression
# What a hub puts in one push at most, as JSON: a batch of large sales stops short of the
# count so that it stays well inside MAX_BODY_BYTES (a push central refuses would block).
PUSH_BYTES = 4 * 1024 * 1024
Sku = Annotated[str, Field(min_length=1, max_length=64)]

# What a hub pushes. Unknown types are business-invalid (rejected, never blocking the queue).
EVENT_TYPES = (
    "sale.completed",  # payload: the SalePublic of the hub (lines carry sku, quantity, net, vat)
    "refund.completed",  # payload: the RefundPublic (lines carry sku, quantity, amount)
    "stock.moved",  # payload: {reason, ref, items: [{sku, delta}]} (grams for weighed items)
    "stock.counted",  # payload: {ref, items: [{sku, counted}]} — a physical count at the store
    "cash.moved",  # payload: float / pay-in / pay-out / no-sale
    "shift.closed",  # payload: the ShiftPublic with expected, counted, over/short
    "pickup.handed_over",  # payload: {order_id, sale_id}: the reservation is consumed
    "card.settled",  # payload: a card terminal's end of day reconciled against the hub
)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutboxEvent(_Wire):
    """One hub event, in the hub's outbox order."""

    seq: StrictInt = Field(ge=1)
    event_id: str = Field(min_length=36, max_length=36, description="UUIDv7")
    type: str = Field(min_length=1, max_length=40)
    payload: dict[str, Any]
    occurred_at: datetime
    hub_clock: datetime


class PushRequest(_Wire):
    """POST /sync/v1/push — body may be gzip-compressed (Content-Encoding: gzip)."""

    hub_id: str = Field(min_length=1, max_length=64)
    events: list[OutboxEvent] = Field(max_length=MAX_BATCH)


class RejectedEvent(_Wire):
    """An event central recorded as business-invalid; the queue moved past it."""

    seq: int
    event_id: str
    reason: str


class PushReply(_Wire):
    """Every reply carries last_seq: the highest hub seq central has taken, so a hub whose
    reply was lost catches up on the next push."""

    last_seq: int
    applied: int = 0
    rejected: list[RejectedEvent] = []


class CatalogItem(_Wire):
    """A product as central owns it (prices tax-inclusive, minor units)."""

    sku: Sku
    gtin: str | None = Field(default=None, max_length=14)
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(default="", max_length=80)
    price: StrictInt = Field(ge=0, le=10**9)
    currency: str = Field(default="SEK", min_length=3, max_length=3)
    vat_rate_bp: StrictInt = Field(ge=0, le=10000)
    unit: Literal["each", "kg"] = "each"
    age_limit: int | None = None
    active: bool = True


class PickupLine(_Wire):
    """A line of an online pick-up order."""

    sku: Sku
    name: str
    quantity: StrictInt = Field(ge=1, le=9999)
    unit_price: StrictInt = Field(ge=0)


class PickupOrder(_Wire):
    """An online order to be picked and handed over at one store, paid online."""

    order_id: str
    order_no: str
    store_id: str
    status: Literal["reserved", "picked", "handed_over", "cancelled", "expired"]
    customer_name: str
    customer_email: str = ""
    lines: list[PickupLine]
    total: int
    currency: str = "SEK"
    reserved_until: datetime
    created_at: datetime


class Change(_Wire):
    """One entry of central's change feed. Applying it twice is harmless: apply only when
    version is newer than what the hub has. deleted=True is a tombstone (data may be null)."""

    seq: int  # central's feed position; the next pull's cursor is the last seq seen
    kind: Literal["product", "pickup_order"]
    key: str  # sku for products, order_id for pick-up orders
    version: int
    deleted: bool = False
    data: dict[str, Any] | None = None  # CatalogItem or PickupOrder as JSON


class PullReply(_Wire):
    """GET /sync/v1/pull?cursor=C&limit=N (N ≤ 1000).

    must_resync: the cursor is older than the feed central still keeps (or unknown); the hub
    pulls again from cursor=0, which returns the full current state (no tombstones needed).
    """

    changes: list[Change]
    next_cursor: int
    up_to_date: bool
    must_resync: bool = False


class StoreStatus(_Wire):
    """Central's view of one store's hub."""

    store_id: str
    name: str
    last_seq: int
    last_contact: datetime | None
    lag_seconds: float | None  # now − occurred_at of the newest event applied
    silent: bool  # no contact for longer than the online-shop cut-off
