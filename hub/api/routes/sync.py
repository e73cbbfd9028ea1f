"""Sync with central, pick-up orders from the online shop, and stock counts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from pydantic import BaseModel, Field, StrictInt
from sqlmodel import col, select

from hub.api.deps import Actor, BusDep, DbDep, ShopDep, requires
from hub.api.events import PickupUpdated, publish_cart
from hub.api.routing import Router
from hub.models import PickupOrder, Product
from hub.models.sale import SalePublic
from hub.services import sync as sync_db
from hub.services.errors import Invalid, NotFound
from hub.services.records import emit, move_stock
from hub.services.sync import SyncStatus
from hub.sync_runner import SyncWorker

router = Router(tags=["sync"])
Staff = Annotated[Actor, Depends(requires("sales.read"))]
Seller = Annotated[Actor, Depends(requires("cart.write"))]
OrderId = Annotated[str, Path(min_length=1, max_length=64)]


async def get_worker(request: Request) -> SyncWorker:
    """The hub's sync worker."""
    return request.app.state.sync  # type: ignore[no-any-return]


WorkerDep = Annotated[SyncWorker, Depends(get_worker)]


class PickupPublic(BaseModel):
    """An online pick-up order as the till shows it."""

    order_id: str
    order_no: str
    status: str
    customer_name: str
    lines: list[dict[str, Any]]
    total: int
    currency: str
    reserved_until: datetime
    sale_id: str | None


class HandOver(BaseModel):
    """The till where the customer collects the order."""

    lane_id: str = Field(min_length=1, max_length=32)


class CountLine(BaseModel):
    """What was physically counted of one product (grams for weighed items)."""

    sku: str = Field(min_length=1, max_length=64)
    counted: StrictInt = Field(ge=0, le=10**9)


class StockCount(BaseModel):
    """A physical count of some products."""

    items: list[CountLine] = Field(min_length=1, max_length=5000)
    note: str = Field(default="", max_length=200)


def _pickup(order: PickupOrder) -> PickupPublic:
    return PickupPublic.model_validate(order, from_attributes=True)


@router.get("/sync/status")
def sync_status(worker: WorkerDep, _: Staff) -> SyncStatus:
    """Online or not, events waiting for central, last push and pull, lag."""
    return worker.status()


@router.post("/sync/now", status_code=202)
def sync_now(worker: WorkerDep, _: Staff) -> SyncStatus:
    """Sync at once instead of at the next interval."""
    worker.kick()
    return worker.status()


@router.get("/pickups")
def pickup_queue(db: DbDep, _: Staff) -> list[PickupPublic]:
    """Online orders waiting to be picked or collected, soonest expiry first."""
    with db.read() as s:
        return [_pickup(o) for o in sync_db.pickup_queue(s)]


@router.post("/pickups/{order_id}/pick")
def pick(order_id: OrderId, db: DbDep, bus: BusDep, _: Seller) -> PickupPublic:
    """The order is collected from the shelves and waits at the counter."""
    with db.write() as s:
        order = _pickup(sync_db.mark_picked(s, order_id))
    bus.publish(PickupUpdated(order_ids=[order_id]))
    return order


@router.post("/pickups/{order_id}/hand-over")
def hand_over(order_id: OrderId, body: HandOver, db: DbDep, shop: ShopDep, bus: BusDep,
              worker: WorkerDep, actor: Seller) -> SalePublic:
    """Give the customer the order at a till: a sale paid online, consuming the reservation."""
    actor.require_lane(body.lane_id)
    with db.write() as s:
        sale = sync_db.hand_over(s, shop, order_id, body.lane_id, actor)
    bus.publish(PickupUpdated(order_ids=[order_id]))
    publish_cart(bus, sale)
    worker.kick()
    return sale


@router.post("/stock/counts", status_code=201)
def count_stock(body: StockCount, db: DbDep, worker: WorkerDep,
                actor: Annotated[Actor, Depends(requires("approve"))]) -> dict[str, int]:
    """Record a physical count: on-hand becomes what was counted; central reconciles."""
    skus = [line.sku for line in body.items]
    if len(set(skus)) != len(skus):
        raise Invalid("Each product is counted once per count.")
    with db.write() as s:
        products = {p.sku: p for p in s.exec(select(Product).where(col(Product.sku).in_(skus)))}
        missing = [sku for sku in skus if sku not in products]
        if missing:
            raise NotFound(f"Unknown products: {', '.join(missing[:10])}.")
        ref = f"count-{len(skus)}-{actor.user_id}"
        move_stock(s, [(products[line.sku].id or 0, line.sku,
                        line.counted - products[line.sku].on_hand) for line in body.items],
                   "count", ref)
        emit(s, "stock.counted", {"ref": ref, "note": body.note, "items": [
            {"sku": line.sku, "counted": line.counted} for line in body.items]})
    worker.kick()
    return {"counted": len(skus)}
