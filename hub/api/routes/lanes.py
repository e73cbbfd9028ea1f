"""Lanes and their carts: scan, quantities, voids, discounts, price overrides, tenders."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path
from pydantic import BaseModel, Field, StrictInt
from sqlmodel import col, select

from hub.api.deps import (
    Actor,
    Approval,
    BusDep,
    DbDep,
    LaneId,
    Money,
    RequestId,
    ShopDep,
    approval_of,
    requires,
)
from hub.api.events import publish_cart
from hub.api.routing import Router
from hub.models import Lane
from hub.models.sale import SalePublic
from hub.services import sale as sales
from hub.services import scan
from hub.services.errors import Conflict, NotAllowed

router = Router(tags=["lanes"])

LineId = Annotated[int, Path(ge=1, le=2**62)]
Reader = Annotated[Actor, Depends(requires("lane.read"))]
Seller = Annotated[Actor, Depends(requires("cart.write"))]
Payer = Annotated[Actor, Depends(requires("tender"))]


class LanePublic(BaseModel):
    """A lane as clients see it."""

    id: str
    kind: str
    name: str
    last_receipt_no: int


class LaneCreate(BaseModel):
    """A new lane."""

    id: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    kind: Literal["register", "kiosk", "phone"] = "register"
    name: str = Field(default="", max_length=80)


class ItemAdd(BaseModel):
    """Put a product in the cart: a scanned code, or a product id (weighed items need weight_g)."""

    code: str | None = Field(default=None, min_length=1, max_length=32)
    product_id: StrictInt | None = Field(default=None, ge=1, le=2**62)
    quantity: StrictInt = Field(default=1, ge=1, le=scan.MAX_QUANTITY)
    weight_g: StrictInt | None = Field(default=None, ge=1, le=scan.MAX_WEIGHT_G)


class WithApproval(BaseModel):
    """A manager's approval, when the action needs one."""

    approval: Approval | None = None


class QuantityChange(WithApproval):
    """A line's new quantity."""

    quantity: StrictInt = Field(ge=1, le=scan.MAX_QUANTITY)


class Discount(WithApproval):
    """A discount: 'percent' with value in basis points (1000 = 10 %), or 'amount' in minor units.
    kind null removes it."""

    kind: Literal["percent", "amount"] | None
    value: Money = 0


class PriceOverride(WithApproval):
    """Sell the line at this unit price (minor units)."""

    unit_price: Money


class CashTender(BaseModel):
    """Cash handed over by the customer."""

    tendered: Money
    request_id: RequestId = None


class CardExternalTender(BaseModel):
    """A card payment approved on a standalone terminal; amount defaults to what is due."""

    amount: Money | None = None
    reference: str | None = Field(default=None, max_length=64)
    request_id: RequestId = None


def _staff_only(actor: Actor) -> None:
    """Cash and standalone-terminal payments are confirmed by a person, never by a device."""
    if actor.user_id is None:
        raise NotAllowed("Only staff take cash or record a standalone terminal's payment; a "
                         "kiosk pays on its card reader or by QR.")


@router.get("/lanes")
def list_lanes(db: DbDep, actor: Reader) -> list[LanePublic]:
    """Every lane of the store (a device sees only its own)."""
    with db.read() as s:
        lanes = s.exec(select(Lane).order_by(col(Lane.id))).all()
    return [LanePublic.model_validate(x, from_attributes=True) for x in lanes
            if actor.lane_id in (None, x.id)]


@router.post("/lanes", status_code=201)
def create_lane(body: LaneCreate, db: DbDep,
                _: Annotated[Actor, Depends(requires("lanes.write"))]) -> LanePublic:
    """Add a register, kiosk or phone lane."""
    with db.write() as s:
        if s.get(Lane, body.id) is not None:
            raise Conflict(f"Lane {body.id} exists already.")
        lane = Lane(id=body.id, kind=body.kind, name=body.name or body.id)
        s.add(lane)
    return LanePublic.model_validate(lane, from_attributes=True)


@router.get("/lanes/{lane_id}/cart")
def get_cart(lane_id: LaneId, db: DbDep, shop: ShopDep, actor: Reader) -> SalePublic:
    """The lane's cart (empty when nothing is being sold)."""
    actor.require_lane(lane_id)
    with db.read() as s:
        return sales.cart_of(s, lane_id, shop)


@router.post("/lanes/{lane_id}/cart/items")
def add_item(lane_id: LaneId, body: ItemAdd, db: DbDep, shop: ShopDep, bus: BusDep,
             actor: Seller) -> SalePublic:
    """Scan or key in a product."""
    actor.require_lane(lane_id)
    with db.write() as s:
        cart = scan.add_item(s, shop, lane_id, actor, code=body.code, product_id=body.product_id,
                              quantity=body.quantity, weight_g=body.weight_g)
    return publish_cart(bus, cart)


@router.patch("/lanes/{lane_id}/cart/lines/{line_id}")
def change_quantity(lane_id: LaneId, line_id: LineId, body: QuantityChange, db: DbDep,
                    shop: ShopDep, bus: BusDep, actor: Seller) -> SalePublic:
    """Change a line's quantity (a manager approves if it makes a discount too large)."""
    actor.require_lane(lane_id)
    with db.write() as s:
        cart = sales.set_quantity(s, shop, lane_id, line_id, body.quantity, actor,
                                  approval_of(body.approval))
    return publish_cart(bus, cart)


@router.post("/lanes/{lane_id}/cart/lines/{line_id}/void")
def void_line(lane_id: LaneId, line_id: LineId, body: WithApproval, db: DbDep, shop: ShopDep,
              bus: BusDep, actor: Seller) -> SalePublic:
    """Take a line off the cart (a manager approves once payment has started)."""
    actor.require_lane(lane_id)
    with db.write() as s:
        cart = sales.void_line(s, shop, lane_id, line_id, actor, approval_of(body.approval))
    return publish_cart(bus, cart)


@router.put("/lanes/{lane_id}/cart/lines/{line_id}/discount")
def discount_line(lane_id: LaneId, line_id: LineId, body: Discount, db: DbDep, shop: ShopDep,
                  bus: BusDep, actor: Seller) -> SalePublic:
    """Set or remove a line discount; above the configured size a manager approves."""
    actor.require_lane(lane_id)
    with db.write() as s:
        cart = sales.discount_line(s, shop, lane_id, line_id, actor, body.kind, body.value,
                                   approval_of(body.approval))
    return publish_cart(bus, cart)


@router.put("/lanes/{lane_id}/cart/lines/{line_id}/price")
def override_price(lane_id: LaneId, line_id: LineId, body: PriceOverride, db: DbDep,
                   shop: ShopDep, bus: BusDep, actor: Seller) -> SalePublic:
    """Sell a line at another price (manager approval, audited)."""
    actor.require_lane(lane_id)
    with db.write() as s:
        cart = sales.override_price(s, shop, lane_id, line_id, actor, body.unit_price,
                                    approval_of(body.approval))
    return publish_cart(bus, cart)


@router.put("/lanes/{lane_id}/cart/discount")
def discount_cart(lane_id: LaneId, body: Discount, db: DbDep, shop: ShopDep, bus: BusDep,
                  actor: Seller) -> SalePublic:
    """Set or remove a discount on the whole cart."""
    actor.require_lane(lane_id)
    with db.write() as s:
        cart = sales.discount_cart(s, shop, lane_id, actor, body.kind, body.value,
                                   approval_of(body.approval))
    return publish_cart(bus, cart)


@router.post("/lanes/{lane_id}/cart/age-check")
def check_age(lane_id: LaneId, db: DbDep, bus: BusDep, actor: Seller) -> SalePublic:
    """Staff confirm they checked the shopper's ID: the self-service cart may be paid."""
    with db.write() as s:
        cart = sales.check_age(s, lane_id, actor)
    return publish_cart(bus, cart)


@router.post("/lanes/{lane_id}/cart/cancel")
def cancel_cart(lane_id: LaneId, db: DbDep, shop: ShopDep, bus: BusDep, actor: Seller,
                body: WithApproval | None = None) -> SalePublic:
    """Abandon the cart; once it took payments a manager approves and they are given back."""
    actor.require_lane(lane_id)
    with db.write() as s:
        empty = sales.cancel_cart(s, shop, lane_id, actor,
                                  approval_of(body.approval if body else None))
    return publish_cart(bus, empty)


@router.post("/lanes/{lane_id}/cart/tenders/cash")
def tender_cash(lane_id: LaneId, body: CashTender, db: DbDep, shop: ShopDep, bus: BusDep,
                actor: Payer) -> SalePublic:
    """Take cash; the sale completes when it covers what is due after cash rounding."""
    actor.require_lane(lane_id)
    _staff_only(actor)
    with db.write() as s:
        cart = sales.tender_cash(s, shop, lane_id, actor, body.tendered, body.request_id)
    return publish_cart(bus, cart)


@router.post("/lanes/{lane_id}/cart/tenders/card-external")
def tender_card_external(lane_id: LaneId, body: CardExternalTender, db: DbDep, shop: ShopDep,
                         bus: BusDep, actor: Payer) -> SalePublic:
    """Record a card payment taken on a standalone terminal (exact amount, no rounding)."""
    actor.require_lane(lane_id)
    _staff_only(actor)
    with db.write() as s:
        cart = sales.tender_card_external(s, shop, lane_id, actor, body.amount, body.reference,
                                          body.request_id)
    return publish_cart(bus, cart)
