"""Pick-up-in-store orders: reserve at a store against its available-to-promise, expire,
cancel, hand over. Every change of an order enters the feed of its store."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlmodel import Session, col, select

from sync.central.models import (
    Notification,
    PickupLineRow,
    PickupOrderRow,
    Product,
    Store,
    aware,
)
from sync.central.services.errors import Conflict, Invalid, NotFound
from sync.central.services.feed import record_change
from sync.central.services.stock import availability
from sync.central.services.stores import lock_store
from sync.schemas import PickupLine, PickupOrder, Sku


class OrderLineIn(BaseModel):
    """A line the shopper asks for."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: StrictInt = Field(ge=1, le=9999)


class OrderIn(BaseModel):
    """An online order for pick-up at one store."""

    model_config = ConfigDict(extra="forbid")

    store_id: str = Field(min_length=1, max_length=64)
    customer_name: str = Field(min_length=1, max_length=200)
    customer_email: str = Field(default="", max_length=200, pattern=r"^$|^[^@\s]+@[^@\s]+$")
    lines: list[OrderLineIn] = Field(min_length=1, max_length=100)


def order_lines(session: Session, order_id: str) -> list[PickupLineRow]:
    """The lines of an order."""
    return list(session.exec(
        select(PickupLineRow).where(PickupLineRow.order_id == order_id)
        .order_by(col(PickupLineRow.id))
    ).all())


def order_public(order: PickupOrderRow, lines: list[PickupLineRow]) -> PickupOrder:
    """The wire shape of an order."""
    return PickupOrder(
        order_id=order.order_id, order_no=order.order_no, store_id=order.store_id,
        status=order.status,  # type: ignore[arg-type]
        customer_name=order.customer_name, customer_email=order.customer_email,
        lines=[PickupLine(sku=ln.sku, name=ln.name, quantity=ln.quantity,
                          unit_price=ln.unit_price) for ln in lines],
        total=order.total, currency=order.currency,
        reserved_until=aware(order.reserved_until),  # type: ignore[arg-type]
        created_at=aware(order.created_at),  # type: ignore[arg-type]
    )


def publish_order(
    session: Session, order: PickupOrderRow, now: datetime, *, bump: bool = True
) -> PickupOrder:
    """Bump the order's version and put it in its store's feed."""
    if bump:
        order.version += 1
    order.updated_at = now
    session.add(order)
    public = order_public(order, order_lines(session, order.order_id))
    record_change(session, "pickup_order", order.order_id, order.version,
                  public.model_dump(mode="json"), audience=order.store_id)
    return public


def shortfalls(
    session: Session, store: Store, wanted: Counter[str], now: datetime, silent_after: int
) -> dict[str, int]:
    """For each sku the store cannot promise in full: what it can."""
    have = {a.sku: a.available
            for a in availability(session, [store], sorted(wanted), now, silent_after)}
    return {sku: have[sku] for sku, qty in wanted.items() if have[sku] < qty}


def place_order(
    session: Session, request: OrderIn, now: datetime, silent_after: int, hold_hours: int
) -> PickupOrder:
    """Reserve the lines at the store if it can promise them, and send the order to its hub."""
    store = lock_store(session, request.store_id)  # orders and pushes of a store take turns
    wanted: Counter[str] = Counter()
    for line in request.lines:
        wanted[line.sku] += line.quantity
    products = {p.sku: p for p in session.exec(
        select(Product).where(col(Product.sku).in_(list(wanted)))).all()}
    missing = [s for s in wanted if s not in products or products[s].deleted
               or not products[s].active]
    if missing:
        raise NotFound(f"These products are not sold online: {', '.join(sorted(missing))}.",
                       skus=sorted(missing))
    currencies = {products[s].currency for s in wanted}
    if len(currencies) > 1:
        raise Invalid("An order is paid in one currency; order these products separately.")
    short = shortfalls(session, store, wanted, now, silent_after)
    if short:
        listing = ", ".join(f"{sku}: {n}" for sku, n in sorted(short.items()))
        raise Conflict(f"{store.name} cannot promise all of that; available now: {listing}. "
                       "Order less or choose another store.", available=short)
    order = PickupOrderRow(
        order_id=str(uuid.uuid4()), store_id=store.store_id, customer_name=request.customer_name,
        customer_email=request.customer_email, currency=currencies.pop(),
        total=sum(products[s].price * q for s, q in wanted.items()),
        reserved_until=now + timedelta(hours=hold_hours), created_at=now, updated_at=now,
    )
    session.add(order)
    session.flush()
    order.order_no = f"W{order.id:06d}"
    session.add_all(PickupLineRow(order_id=order.order_id, sku=sku, name=products[sku].name,
                                  quantity=qty, unit_price=products[sku].price)
                    for sku, qty in wanted.items())
    session.flush()
    return publish_order(session, order, now, bump=False)


def get_order_row(session: Session, order_id: str, *, lock: bool = False) -> PickupOrderRow:
    """An order's row (locked if asked)."""
    query = select(PickupOrderRow).where(PickupOrderRow.order_id == order_id)
    order = session.exec(query.with_for_update() if lock else query).first()
    if order is None:
        raise NotFound(f"There is no pick-up order {order_id}.")
    return order


def get_order(session: Session, order_id: str) -> PickupOrder:
    """An order as the shop shows it."""
    order = get_order_row(session, order_id)
    return order_public(order, order_lines(session, order_id))


def notify_customer(session: Session, order: PickupOrderRow, subject: str, body: str) -> None:
    """Record a message to the customer (a mailer outside central sends it)."""
    session.add(Notification(order_id=order.order_id, email=order.customer_email,
                             subject=subject, body=body))


def cancel_order(session: Session, order_id: str, now: datetime, why: str) -> PickupOrder:
    """Cancel a reserved order: its stock is free again and the customer is told."""
    order = get_order_row(session, order_id, lock=True)
    if order.status != "reserved":
        raise Conflict(f"Order {order.order_no} is {order.status}; only a reserved order can "
                       "be cancelled.")
    order.status = "cancelled"
    notify_customer(session, order, f"Your order {order.order_no} is cancelled",
                    f"We are sorry: {why} You will get your money back.")
    return publish_order(session, order, now)


def expire_reservations(session: Session, now: datetime) -> list[str]:
    """Expire reserved orders past reserved_until (back-orders wait); returns their ids."""
    query = (
        select(PickupOrderRow)
        .where(PickupOrderRow.status == "reserved", col(PickupOrderRow.backordered).is_(False),
               PickupOrderRow.reserved_until < now)
        .order_by(col(PickupOrderRow.id))
        .limit(500)
        .with_for_update(skip_locked=True)
    )
    expired = []
    for order in session.exec(query).all():
        order.status = "expired"
        publish_order(session, order, now)
        expired.append(order.order_id)
    return expired


def hand_over(session: Session, store_id: str, order_id: str, sale_id: str | None,
              now: datetime) -> str | None:
    """The hub handed the order over: its reservation is consumed. Returns why not, or None."""
    order = session.exec(
        select(PickupOrderRow).where(PickupOrderRow.order_id == order_id).with_for_update()
    ).first()
    if order is None or order.store_id != store_id:
        return f"pick-up order {order_id} is not an order of store {store_id}"
    if order.status == "handed_over":
        return f"pick-up order {order.order_no} was handed over already"
    # Goods that left the store are handed over even if central had expired or cancelled the
    # order meanwhile: the store's word about what happened at the till wins.
    order.status = "handed_over"
    order.sale_id = sale_id
    publish_order(session, order, now)
    return None
