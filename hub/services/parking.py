"""Parking a cart: put a customer's goods aside (they went for their wallet) and serve the next
one; take the cart up again on any register. Both are journaled (SKVFS 2014:9)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from hub.models import Sale, SaleLine, Tender
from hub.services.auth import Actor
from hub.services.context import Shop
from hub.services.errors import Conflict, NotFound
from hub.services.fiscal import record
from hub.services.sale import current_cart, get_lane, open_shift_of

MAX_PARKED_PER_LANE = 20


def _bump(session: Session, sale: Sale, lane_id: str) -> None:
    """A new cart version on the lane, so every screen on it follows."""
    lane = get_lane(session, lane_id)
    sale.version = lane.bump_cart_version()
    session.add(lane)
    session.add(sale)


def park(session: Session, shop: Shop, lane_id: str, actor: Actor) -> Sale:
    """Put the lane's cart aside; the lane is free for the next customer."""
    sale = current_cart(session, lane_id)
    if sale is None or not sale.total:
        raise Conflict("There is nothing in the cart to park.")
    if session.exec(select(Tender.id).where(Tender.sale_id == sale.id)).first() is not None:
        raise Conflict("A payment was taken on this cart: finish it, or cancel it with a manager.")
    parked = session.exec(select(Sale.id).where(Sale.lane_id == lane_id,
                                                Sale.status == "parked")).all()
    if len(parked) >= MAX_PARKED_PER_LANE:
        raise Conflict(f"{len(parked)} carts are parked on lane {lane_id} already: take one up "
                       "or cancel it first.")
    sale.status = "parked"
    _bump(session, sale, lane_id)
    record(session, shop, "parked", lane_id=lane_id, actor=actor, ref=sale.id, amount=sale.total)
    return sale


def parked_carts(session: Session) -> list[Sale]:
    """Every parked cart in the store, oldest first."""
    return list(session.exec(select(Sale).where(Sale.status == "parked")
                             .order_by(col(Sale.created_at))))


def resume(session: Session, shop: Shop, lane_id: str, sale_id: str, actor: Actor) -> Sale:
    """Take a parked cart up again on this lane (whose own cart must be empty)."""
    sale = session.get(Sale, sale_id)
    if sale is None or sale.status != "parked":
        raise NotFound("There is no parked cart with that id (it was taken up already?).")
    lane = get_lane(session, lane_id)
    if lane.training != sale.training:
        raise Conflict("A training cart is taken up only on a lane in training mode, and a real "
                       "one only on a lane that is not.")
    if lane.kind == "register" and open_shift_of(session, lane_id) is None:
        raise Conflict(f"Lane {lane_id} has no open shift: open one first.")
    mine = current_cart(session, lane_id)
    if mine is not None:
        if session.exec(select(SaleLine.id).where(SaleLine.sale_id == mine.id)).first():
            raise Conflict("This lane has a cart already: finish, park or cancel it first.")
        session.delete(mine)  # a cart nothing was ever scanned into leaves nothing to keep
        session.flush()
    sale.status, sale.lane_id = "open", lane_id
    _bump(session, sale, lane_id)
    record(session, shop, "resumed", lane_id=lane_id, actor=actor, ref=sale.id,
           amount=sale.total)
    return sale
