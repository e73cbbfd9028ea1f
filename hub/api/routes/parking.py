"""Parked carts: put aside, listed, taken up again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path
from pydantic import BaseModel

from hub.api.deps import Actor, BusDep, DbDep, LaneId, ShopDep, requires
from hub.api.events import publish_cart
from hub.api.routing import Router
from hub.models.sale import SalePublic
from hub.services import parking
from hub.services.sale import cart_of, sale_public

router = Router(tags=["lanes"])
Seller = Annotated[Actor, Depends(requires("cart.write"))]
SaleId = Annotated[str, Path(min_length=1, max_length=32)]


class ParkedCart(BaseModel):
    """A cart put aside."""

    id: str
    lane_id: str
    total: int
    items: int
    training: bool
    started_at: datetime


@router.post("/lanes/{lane_id}/cart/park")
def park_cart(lane_id: LaneId, db: DbDep, shop: ShopDep, bus: BusDep,
              actor: Seller) -> SalePublic:
    """Park the lane's cart (journaled); the lane gets an empty cart."""
    actor.require_lane(lane_id)
    with db.write() as s:
        parking.park(s, shop, lane_id, actor)
        empty = cart_of(s, lane_id, shop)
    return publish_cart(bus, empty)


@router.get("/parked-carts")
def parked_carts(db: DbDep, _: Seller) -> list[ParkedCart]:
    """Carts parked anywhere in the store, oldest first."""
    with db.read() as s:
        carts = []
        for sale in parking.parked_carts(s):
            public = sale_public(s, sale)
            carts.append(ParkedCart(
                id=sale.id, lane_id=sale.lane_id, total=sale.total, training=sale.training,
                items=sum(line.quantity for line in public.lines if not line.voided),
                started_at=sale.created_at))
        return carts


@router.post("/lanes/{lane_id}/parked/{sale_id}/resume")
def resume_cart(lane_id: LaneId, sale_id: SaleId, db: DbDep, shop: ShopDep, bus: BusDep,
                actor: Seller) -> SalePublic:
    """Take a parked cart up on this lane (journaled)."""
    actor.require_lane(lane_id)
    with db.write() as s:
        parking.resume(s, shop, lane_id, sale_id, actor)
        cart = cart_of(s, lane_id, shop)
    return publish_cart(bus, cart)
