"""Stock conflicts after an oversell, and how head office resolves them.

move: the orders go to a store that can promise them; backorder: they wait, flagged, and do
not expire; cancel: they are cancelled and the customer is told. Every resolution asks the
store to count the sku, and every changed order enters the feed.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from sync.central.models import CountRequest, PickupOrderRow, StockConflict, Store
from sync.central.services.errors import Conflict, Invalid, NotFound
from sync.central.services.feed import record_change
from sync.central.services.pickup import notify_customer, order_lines, publish_order, shortfalls
from sync.central.services.stores import lock_store


class Resolution(BaseModel):
    """How head office settles a conflict."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["move", "backorder", "cancel"]
    to_store: str | None = Field(default=None, max_length=64, description="for move")
    note: str = Field(default="", max_length=500)


def list_conflicts(session: Session, status: str | None) -> list[StockConflict]:
    """Conflicts, newest first (optionally only open or resolved ones)."""
    query = select(StockConflict).order_by(col(StockConflict.id).desc())
    if status:
        query = query.where(StockConflict.status == status)
    return list(session.exec(query).all())


def resolve_conflict(session: Session, conflict_id: int, resolution: Resolution, now: datetime,
                     silent_after: int) -> StockConflict:
    """Settle an open conflict for the orders it names that still hold stock."""
    conflict = session.exec(
        select(StockConflict).where(StockConflict.id == conflict_id).with_for_update()
    ).first()
    if conflict is None:
        raise NotFound(f"There is no stock conflict {conflict_id}.")
    if conflict.status != "open":
        raise Conflict(f"Conflict {conflict_id} was resolved already ({conflict.resolution}).")
    if resolution.action == "move":
        if not resolution.to_store:
            raise Invalid("Say which store takes the orders over (to_store).")
        if resolution.to_store == conflict.store_id:
            raise Invalid("Moving needs another store than the one that ran short.")
    stores = sorted({conflict.store_id, resolution.to_store or conflict.store_id})
    locked = {s: lock_store(session, s) for s in stores}  # sorted: no deadlock between admins
    orders = session.exec(
        select(PickupOrderRow).where(col(PickupOrderRow.order_id).in_(conflict.order_ids or []),
                                     PickupOrderRow.store_id == conflict.store_id,
                                     PickupOrderRow.status == "reserved")
        .order_by(col(PickupOrderRow.id)).with_for_update()
    ).all()
    if resolution.action == "move":
        _move(session, list(orders), locked[resolution.to_store or ""], now, silent_after)
    for order in orders:
        if resolution.action == "backorder":
            order.backordered = True
        elif resolution.action == "cancel":
            order.status = "cancelled"
            notify_customer(session, order, f"Your order {order.order_no} is cancelled",
                            "We are sorry: the store ran out of something you ordered. You "
                            "will get your money back.")
        publish_order(session, order, now)
    conflict.status = "resolved"
    conflict.resolution = resolution.action
    conflict.resolved_at = now
    conflict.detail = {"to_store": resolution.to_store, "note": resolution.note,
                       "orders": [o.order_id for o in orders]}
    session.add(conflict)
    session.add(CountRequest(store_id=conflict.store_id, sku=conflict.sku,
                             reason=f"stock conflict {conflict.id}: please count {conflict.sku}"))
    return conflict


def _move(session: Session, orders: list[PickupOrderRow], target: Store, now: datetime,
          silent_after: int) -> None:
    """Move the orders' reservations to target if it can promise all of them."""
    wanted: Counter[str] = Counter()
    for order in orders:
        for line in order_lines(session, order.order_id):
            wanted[line.sku] += line.quantity
    short = shortfalls(session, target, wanted, now, silent_after) if wanted else {}
    if short:
        listing = ", ".join(f"{sku}: {n}" for sku, n in sorted(short.items()))
        raise Conflict(f"{target.name} cannot take these orders; it can promise {listing}. "
                       "Choose another store, back-order or cancel.", available=short)
    for order in orders:
        # The old store drops the order from its feed; the new one receives it.
        order.version += 1
        record_change(session, "pickup_order", order.order_id, order.version, None,
                      deleted=True, audience=order.store_id)
        order.store_id = target.store_id
        order.backordered = False


def count_requests(session: Session, store_id: str | None) -> list[CountRequest]:
    """Counts central has asked stores for, newest first."""
    query = select(CountRequest).order_by(col(CountRequest.id).desc())
    if store_id:
        query = query.where(CountRequest.store_id == store_id)
    return list(session.exec(query).all())
